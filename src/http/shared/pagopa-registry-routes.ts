import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId, type IdPrefix } from '../../kernel/ids.ts';
import type { LinkInput, PagopaRegistry, RegistryActor, RegistryOutcome } from '../../modules/pagopa-registry/index.ts';
import type { FormState } from '../../views/pagopa-registry/pages.ts';
import { form, IdParams, NoQuery, Text, typed } from './schemas.ts';

// The registry's form posts, shared by the portal and the back office (which must not import each
// other). The surface says who acts (a referent for their own organisation, or an administrator for
// the organisation the form names) and how to draw the page again; the services decide the rest.
// A record of another organisation answers 404, exactly like a missing one. Passwords are never
// put back into a form. A switch or a removal the services refuse (a referent switching on what an
// administrator switched off) answers 409 with the page and the reason beside the record.

/** Every registry form says which environment's section it came from (the page scrolls back to it). */
interface Body {
  environment?: string | undefined;
}
const EnabledForm = form({ environment: Text, enabled: Text });
const PasswordFields = { password: Text, passwordConfirm: Text };

export interface RegistrySurface {
  /** '/portal/pagopa' or '/admin/pagopa': where a saved form goes back to. */
  base: string;
  registry: PagopaRegistry;
  /** The actor, and the organisation it acts for when the surface fixes it (referents). */
  who(request: FastifyRequest): { actor: RegistryActor; organisationId: string | undefined };
  /** The page again, with a refused form's problems (400), or a refused switch's (409). */
  render(request: FastifyRequest, reply: FastifyReply, state: { form: FormState; env: 'test' | 'prod'; status: 400 | 409 }): Promise<FastifyReply>;
  /** The back office's four-eyes on a link to another organisation's station: the answer when it became a proposal. */
  gatePartnerLink?(request: FastifyRequest, reply: FastifyReply, input: LinkInput): Promise<FastifyReply | undefined>;
}

const envOf = (body: Body): 'test' | 'prod' => (body.environment === 'prod' ? 'prod' : 'test');

function idParam(id: string, prefix: IdPrefix): string {
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
  const organisationOf = (request: FastifyRequest, body: { organisationId?: string }): { actor: RegistryActor; organisationId: string } => {
    const { actor, organisationId } = surface.who(request);
    return { actor, organisationId: organisationId ?? body.organisationId ?? '' };
  };
  /**
   * Saved, or the page again with the form's problems and what was typed (never passwords): 400, or 409
   * for a switch or removal refused (shown beside its `target` record). A record not found answers 404.
   */
  const answer = <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    body: Body,
    outcome: RegistryOutcome<T>,
    form: Omit<FormState, 'problems' | 'environment'>,
  ) => {
    if (outcome.ok) return saved(reply, body);
    if (outcome.problem === 'not_found' && (form.form === 'password' || form.form === 'switch')) return notFound();
    const status = form.form === 'switch' ? 409 : 400;
    return surface.render(request, reply, { form: { ...form, environment: body.environment ?? '', problems: outcome.problems }, env: envOf(body), status });
  };
  /** A switch's or a removal's answer, for the record `target` names on the page. */
  const switched = <T>(request: FastifyRequest, reply: FastifyReply, body: Body, outcome: RegistryOutcome<T>, target: string) =>
    answer(request, reply, body, outcome, { form: 'switch', target, values: {} });
  const flag = (body: { enabled?: string }): boolean => body.enabled === '1';
  const routes = typed(app);
  const withId = { params: IdParams, querystring: NoQuery, body: EnabledForm };

  routes.post(
    '/pagopa/psps',
    {
      schema: {
        querystring: NoQuery,
        body: form({ environment: Text, organisationId: Text, idPsp: Text, idBrokerPsp: Text, idChannel: Text, ...PasswordFields }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { actor, organisationId } = organisationOf(request, b);
      const values = { organisationId, idPsp: b.idPsp ?? '', idBrokerPsp: b.idBrokerPsp ?? '', idChannel: b.idChannel ?? '' };
      const outcome = await registry.psps.addPsp(
        { ...values, env: b.environment ?? '', password: b.password ?? '', passwordConfirm: b.passwordConfirm ?? '' },
        actor,
      );
      return answer(request, reply, b, outcome, { form: 'psp', values });
    },
  );

  routes.post('/pagopa/psps/:id/enabled', { schema: withId }, async (request, reply) => {
    const b = request.body;
    const id = idParam(request.params.id, 'psp');
    return switched(request, reply, b, await registry.psps.setPspEnabled(id, flag(b), surface.who(request).actor), id);
  });

  routes.post(
    '/pagopa/brokers/enabled',
    { schema: { querystring: NoQuery, body: form({ environment: Text, enabled: Text, idBrokerPsp: Text }) } },
    async (request, reply) => {
      const b = request.body;
      const idBrokerPsp = b.idBrokerPsp ?? '';
      const outcome = await registry.psps.setBrokerEnabled(envOf(b), idBrokerPsp, flag(b), surface.who(request).actor);
      return switched(request, reply, b, outcome, `broker:${idBrokerPsp}`);
    },
  );

  routes.post('/pagopa/channels/:id/enabled', { schema: withId }, async (request, reply) => {
    const b = request.body;
    const id = idParam(request.params.id, 'chn');
    return switched(request, reply, b, await registry.psps.setChannelEnabled(id, flag(b), surface.who(request).actor), id);
  });

  routes.post(
    '/pagopa/channels/:id/password',
    { schema: { params: IdParams, querystring: NoQuery, body: form({ environment: Text, ...PasswordFields }) } },
    async (request, reply) => {
      const b = request.body;
      const id = idParam(request.params.id, 'chn');
      const outcome = await registry.psps.setChannelPassword(
        id,
        { password: b.password ?? '', passwordConfirm: b.passwordConfirm ?? '' },
        surface.who(request).actor,
      );
      return answer(request, reply, b, outcome, { form: 'password', target: id, values: {} });
    },
  );

  // Registers the organisation as an EC without a link: a referent for their own (a creditor institution
  // using the simulated station in test has no station to link), an administrator for the one chosen.
  routes.post('/pagopa/ecs', { schema: { querystring: NoQuery, body: form({ organisationId: Text, environment: Text }) } }, async (request, reply) => {
    const b = request.body;
    const { actor, organisationId } = organisationOf(request, b);
    const outcome = await registry.ecs.addEc(organisationId, b.environment ?? '', actor);
    return answer(request, reply, b, outcome, { form: 'ec', values: { organisationId } });
  });

  routes.post(
    '/pagopa/ec/enabled',
    { schema: { querystring: NoQuery, body: form({ environment: Text, enabled: Text, organisationId: Text }) } },
    async (request, reply) => {
      const b = request.body;
      const { actor, organisationId } = organisationOf(request, b);
      return switched(request, reply, b, await registry.ecs.setEcEnabled(organisationId, envOf(b), flag(b), actor), `ec:${organisationId}`);
    },
  );

  routes.post(
    '/pagopa/links',
    {
      schema: {
        querystring: NoQuery,
        body: form({
          environment: Text,
          organisationId: Text,
          stationCode: Text,
          auxDigit: Text,
          segregationCode: Text,
          applicationCode: Text,
          version: Text,
          otherOrganisationStation: Text,
        }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { actor, organisationId } = organisationOf(request, b);
      const values = {
        organisationId,
        stationCode: b.stationCode ?? '',
        auxDigit: b.auxDigit ?? '',
        segregationCode: b.segregationCode ?? '',
        applicationCode: b.applicationCode ?? '',
        version: b.version ?? '',
      };
      // Only an administrator's tick links another organisation's station; a referent's is ignored (the service refuses it anyway).
      const otherOrganisationStation = actor.type === 'admin' && b.otherOrganisationStation === '1';
      const input = { ...values, env: b.environment ?? '' };
      if (otherOrganisationStation && surface.gatePartnerLink) {
        const proposed = await surface.gatePartnerLink(request, reply, input);
        if (proposed) return proposed;
      }
      const outcome = await registry.ecs.link(input, actor, { otherOrganisationStation });
      return answer(request, reply, b, outcome, { form: 'link', values });
    },
  );

  routes.post('/pagopa/links/:id/enabled', { schema: withId }, async (request, reply) => {
    const b = request.body;
    const id = idParam(request.params.id, 'ecl');
    return switched(request, reply, b, await registry.ecs.setLinkEnabled(id, flag(b), surface.who(request).actor), id);
  });

  routes.post('/pagopa/links/:id/remove', { schema: { params: IdParams, querystring: NoQuery, body: form({ environment: Text }) } }, async (request, reply) => {
    const b = request.body;
    const id = idParam(request.params.id, 'ecl');
    return switched(request, reply, b, await registry.ecs.removeLink(id, surface.who(request).actor), id);
  });
}
