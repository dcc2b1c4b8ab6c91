import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId, type IdPrefix } from '../../kernel/ids.ts';
import type { PagopaRegistry, RegistryActor, RegistryOutcome } from '../../modules/pagopa-registry/index.ts';
import type { FormState } from '../../views/pagopa-registry/pages.ts';

// The registry's form posts, shared by the portal and the back office (which must not import each
// other). The surface says who acts (a referent for their own organisation, or an administrator for
// the organisation the form names) and how to draw the page again; the services decide the rest.
// A record of another organisation answers 404, exactly like a missing one. Passwords are never
// put back into a form.

type Body = Record<string, unknown>;
const field = (body: Body, name: string): string => (typeof body[name] === 'string' ? body[name] : '');

export interface RegistrySurface {
  /** '/portal/pagopa' or '/admin/pagopa': where a saved form goes back to. */
  base: string;
  registry: PagopaRegistry;
  /** The actor, and the organisation it acts for when the surface fixes it (referents). */
  who(request: FastifyRequest): { actor: RegistryActor; organisationId: string | undefined };
  /** The page again, with a refused form's problems (400). */
  render(request: FastifyRequest, reply: FastifyReply, state: { form: FormState; env: 'test' | 'prod' }): Promise<FastifyReply>;
}

const envOf = (body: Body): 'test' | 'prod' => (field(body, 'environment') === 'prod' ? 'prod' : 'test');

function idParam(request: FastifyRequest, prefix: IdPrefix): string {
  const id = (request.params as { id?: string }).id ?? '';
  if (!isId(id, prefix)) throw new VarcoError('not_found', 'No such record.');
  return id;
}

const notFound = (): never => {
  throw new VarcoError('not_found', 'No such record.');
};

export function registerRegistryRoutes(app: FastifyInstance, surface: RegistrySurface): void {
  const { registry } = surface;
  const saved = (reply: FastifyReply, body: Body) => reply.redirect(`${surface.base}?saved=1&env=${envOf(body)}#env-${envOf(body)}`, 303);
  /** The organisation a creating form acts for: the referent's own, or the one an administrator chose. */
  const organisationOf = (request: FastifyRequest, body: Body): { actor: RegistryActor; organisationId: string } => {
    const { actor, organisationId } = surface.who(request);
    return { actor, organisationId: organisationId ?? field(body, 'organisationId') };
  };
  /** Saved, or the page again with the form's problems and what was typed (never passwords). */
  const answer = <T>(request: FastifyRequest, reply: FastifyReply, body: Body, outcome: RegistryOutcome<T>, form: Omit<FormState, 'problems' | 'environment'>) => {
    if (outcome.ok) return saved(reply, body);
    if (outcome.problem === 'not_found' && form.form === 'password') return notFound();
    return surface.render(request, reply, { form: { ...form, environment: field(body, 'environment'), problems: outcome.problems }, env: envOf(body) });
  };
  const flag = (body: Body): boolean => field(body, 'enabled') === '1';
  const body = (request: FastifyRequest): Body => (request.body ?? {}) as Body;

  app.post('/pagopa/psps', async (request, reply) => {
    const b = body(request);
    const { actor, organisationId } = organisationOf(request, b);
    const values = { organisationId, idPsp: field(b, 'idPsp'), idBrokerPsp: field(b, 'idBrokerPsp'), idChannel: field(b, 'idChannel') };
    const outcome = await registry.psps.addPsp({ ...values, env: field(b, 'environment'), password: field(b, 'password'), passwordConfirm: field(b, 'passwordConfirm') }, actor);
    return answer(request, reply, b, outcome, { form: 'psp', values });
  });

  app.post('/pagopa/psps/:id/enabled', async (request, reply) => {
    const b = body(request);
    if (!(await registry.psps.setPspEnabled(idParam(request, 'psp'), flag(b), surface.who(request).actor))) notFound();
    return saved(reply, b);
  });

  app.post('/pagopa/brokers/enabled', async (request, reply) => {
    const b = body(request);
    if (!(await registry.psps.setBrokerEnabled(envOf(b), field(b, 'idBrokerPsp'), flag(b), surface.who(request).actor))) notFound();
    return saved(reply, b);
  });

  app.post('/pagopa/channels/:id/enabled', async (request, reply) => {
    const b = body(request);
    if (!(await registry.psps.setChannelEnabled(idParam(request, 'chn'), flag(b), surface.who(request).actor))) notFound();
    return saved(reply, b);
  });

  app.post('/pagopa/channels/:id/password', async (request, reply) => {
    const b = body(request);
    const id = idParam(request, 'chn');
    const outcome = await registry.psps.setChannelPassword(id, { password: field(b, 'password'), passwordConfirm: field(b, 'passwordConfirm') }, surface.who(request).actor);
    return answer(request, reply, b, outcome, { form: 'password', target: id, values: {} });
  });

  app.post('/pagopa/ec/enabled', async (request, reply) => {
    const b = body(request);
    const { actor, organisationId } = organisationOf(request, b);
    if (!(await registry.ecs.setEcEnabled(organisationId, envOf(b), flag(b), actor))) notFound();
    return saved(reply, b);
  });

  app.post('/pagopa/links', async (request, reply) => {
    const b = body(request);
    const { actor, organisationId } = organisationOf(request, b);
    const values = { organisationId, stationCode: field(b, 'stationCode'), auxDigit: field(b, 'auxDigit'), segregationCode: field(b, 'segregationCode'),
      applicationCode: field(b, 'applicationCode'), version: field(b, 'version') };
    // Only an administrator's tick links another organisation's station; a referent's is ignored (the service refuses it anyway).
    const otherOrganisationStation = actor.type === 'admin' && field(b, 'otherOrganisationStation') === '1';
    const outcome = await registry.ecs.link({ ...values, env: field(b, 'environment') }, actor, { otherOrganisationStation });
    return answer(request, reply, b, outcome, { form: 'link', values });
  });

  app.post('/pagopa/links/:id/enabled', async (request, reply) => {
    const b = body(request);
    if (!(await registry.ecs.setLinkEnabled(idParam(request, 'ecl'), flag(b), surface.who(request).actor))) notFound();
    return saved(reply, b);
  });

  app.post('/pagopa/links/:id/remove', async (request, reply) => {
    const b = body(request);
    if (!(await registry.ecs.removeLink(idParam(request, 'ecl'), surface.who(request).actor))) notFound();
    return saved(reply, b);
  });
}
