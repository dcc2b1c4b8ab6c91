import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import type { PlatformCertificates, StationActor, StationsService, VerificationService } from '../../modules/stations/index.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { portalNav } from '../../views/nav.ts';
import { certificatesPage, type CertificateInfoView } from '../../views/stations/certificates.ts';
import { stationDetailPage, stationFormPage, stationsByEnvironment, type FormProblem, type StationForm } from '../../views/stations/pages.ts';
import { stationStrings } from '../../views/stations/strings.ts';
import { formFromBody, formFromVersion, formProblems, inputFromForm, rowView, stationView, StationFormBody } from '../shared/station-views.ts';
import { sendPage } from '../shared/page.ts';
import { EnvSegment, form, IdParams, NoQuery, query, Text, typed } from '../shared/schemas.ts';
import { Type } from 'typebox';
import { referentWithOrganisation } from './referent.ts';
import type { Timelines } from '../../kernel/home.ts';
import { timelineSection } from '../../views/shared/timeline.ts';

// Portal pages of stations (the organisation's outbound endpoints) and of Varco's client
// certificates. Every query is scoped by the referent's organisation: another organisation's
// station id answers 404, exactly like an unknown one. Referents verify only the approved version
// (addresses an administrator reviewed), a few times a minute per station; nothing is called when
// they submit a version.

export interface PortalStationRoutesOptions {
  stations: StationsService;
  verification: VerificationService;
  platformCertificates: PlatformCertificates;
  /** Base URL of Varco, for the ping instructions. */
  publicUrl: string;
  /** The development CA for the ping instructions' curl; undefined with an operator certificate. */
  serverCaFile: string | undefined;
  timelines: Timelines;
}

function referent(request: FastifyRequest): { actor: StationActor; organisationId: string; csrf: string } {
  return referentWithOrganisation(request);
}

const stationIdOf = (id: string): string => {
  if (!isId(id, 'sta')) throw new VarcoError('not_found', 'No such station.');
  return id;
};

const envOf = (env: string): 'test' | 'prod' => {
  if (env !== 'test' && env !== 'prod') throw new VarcoError('not_found', 'No such environment.');
  return env;
};

export function registerPortalStationRoutes(app: FastifyInstance, options: PortalStationRoutesOptions): void {
  const { stations, verification, platformCertificates } = options;
  const ping = { url: `${options.publicUrl}/api/v1/ping`, caFile: options.serverCaFile };
  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200) =>
    sendPage(request, reply, { surface: 'portal', title, body, nav: portalNav(request.locale), status });

  const formPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    input: { action: string; isNew: boolean; form: StationForm; problems: FormProblem[]; title: string },
  ) => {
    const { csrf } = referent(request);
    return send(request, reply, input.title, stationFormPage(request.locale, { ...input, csrf }), input.problems.length > 0 ? 400 : 200);
  };

  const detailPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { notice?: string; error?: string; status?: number } = {}) => {
    const { organisationId, csrf } = referent(request);
    const detail = await stations.detail(id, organisationId);
    if (!detail) throw new VarcoError('not_found', 'No such station.');
    const lastPing = await verification.inboundVerifiedAt(organisationId, detail.station.environment);
    const body = stationDetailPage(request.locale, stationView(detail, lastPing), {
      csrf,
      base: `/portal/stations/${id}`,
      ping,
      notice: extra.notice,
      error: extra.error,
      editable: true,
    });
    const timeline = timelineSection(request.locale, await options.timelines.of('station', id, { kind: 'referent', organisationId }));
    return send(request, reply, `${stationStrings(request.locale).station} ${detail.station.code}`, html`${body}${timeline}`, extra.status);
  };

  const routes = typed(app);
  routes.get('/stations', { schema: { querystring: NoQuery } }, async (request, reply) => {
    const { organisationId } = referent(request);
    const t = stationStrings(request.locale);
    const rows = (await stations.list({ organisationId })).map(rowView);
    return send(
      request,
      reply,
      t.stations,
      html`<p><a href="/portal/stations/new">${t.register}</a> · <a href="/portal/certificates">${t.certificates}</a></p>
${stationsByEnvironment(request.locale, rows, '/portal/stations')}`,
    );
  });

  routes.get('/stations/new', { schema: { querystring: NoQuery } }, (request, reply) =>
    formPage(request, reply, { action: '/portal/stations', isNew: true, form: {}, problems: [], title: stationStrings(request.locale).register }),
  );

  routes.post('/stations', { schema: { querystring: NoQuery, body: StationFormBody } }, async (request, reply) => {
    const { actor, organisationId } = referent(request);
    const form = formFromBody(request.body);
    const title = stationStrings(request.locale).register;
    if (form.environment !== 'test' && form.environment !== 'prod') {
      return formPage(request, reply, {
        action: '/portal/stations',
        isNew: true,
        form,
        problems: [{ field: 'station', problem: 'environment_invalid' }],
        title,
      });
    }
    const result = await stations.register(organisationId, form.environment, inputFromForm(form), actor);
    if (!result.ok) return formPage(request, reply, { action: '/portal/stations', isNew: true, form, problems: formProblems(result.problems), title });
    return reply.redirect(`/portal/stations/${result.value.id}?submitted=1`, 303);
  });

  routes.get('/stations/:id', { schema: { params: IdParams, querystring: query({ submitted: Text, verified: Text }) } }, (request, reply) => {
    const t = stationStrings(request.locale);
    const notice = request.query.submitted === '1' ? t.submittedNotice : request.query.verified === '1' ? t.verifiedNotice : undefined;
    return detailPage(request, reply, stationIdOf(request.params.id), notice ? { notice } : {});
  });

  routes.get('/stations/:id/edit', { schema: { params: IdParams, querystring: NoQuery } }, async (request, reply) => {
    const { organisationId } = referent(request);
    const id = stationIdOf(request.params.id);
    const detail = await stations.detail(id, organisationId);
    if (!detail) throw new VarcoError('not_found', 'No such station.');
    return formPage(request, reply, {
      action: `/portal/stations/${id}/edit`,
      isNew: false,
      form: formFromVersion(detail.pending ?? detail.approved),
      problems: [],
      title: `${stationStrings(request.locale).edit}: ${detail.station.code}`,
    });
  });

  routes.post('/stations/:id/edit', { schema: { params: IdParams, querystring: NoQuery, body: StationFormBody } }, async (request, reply) => {
    const { actor } = referent(request);
    const id = stationIdOf(request.params.id);
    const form = formFromBody(request.body);
    const result = await stations.edit(id, inputFromForm(form), actor);
    if (!result.ok) {
      if (result.reason === 'not_found') throw new VarcoError('not_found', 'No such station.');
      return formPage(request, reply, {
        action: `/portal/stations/${id}/edit`,
        isNew: false,
        form,
        problems: formProblems(result.problems),
        title: stationStrings(request.locale).edit,
      });
    }
    return reply.redirect(`/portal/stations/${id}?submitted=1`, 303);
  });

  // Only the approved version: a version under review is checked by the administrator who reviews it.
  routes.post('/stations/:id/verify', { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const { organisationId, actor } = referent(request);
    const id = stationIdOf(request.params.id);
    const outcome = await verification.verify(id, 'portal', { organisationId, actorId: actor.id, ip: request.ip }, 'approved');
    if (!outcome.ok) {
      if (outcome.reason === 'not_found') throw new VarcoError('not_found', 'No such station.');
      if (outcome.reason === 'rate_limited') {
        reply.header('retry-after', String(outcome.retryAfterSeconds));
        const error = stationStrings(request.locale).verifyRateLimited.replace('{seconds}', String(outcome.retryAfterSeconds));
        return detailPage(request, reply, id, { error, status: 429 });
      }
      throw new VarcoError('invalid_state_transition', stationStrings(request.locale).notApproved);
    }
    return reply.redirect(`/portal/stations/${id}?verified=1#check`, 303);
  });

  registerCertificateRoutes(app, platformCertificates);
}

const EnvParams = Type.Object({ env: EnvSegment });

function registerCertificateRoutes(app: FastifyInstance, platformCertificates: PlatformCertificates): void {
  const view = (info: { subject: string; fingerprintSha256: string; notBefore: Date; notAfter: Date }): CertificateInfoView => ({
    subject: info.subject,
    fingerprint: info.fingerprintSha256,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
  });

  const routes = typed(app);
  routes.get('/certificates', { schema: { querystring: NoQuery } }, async (request, reply) => {
    referent(request);
    const envs = await Promise.all(
      (['test', 'prod'] as const).map(async (env) => {
        const d = await platformCertificates.downloads(env);
        return { env, ca: view(d.ca), current: view(d.current.info), next: d.next ? view(d.next.info) : undefined };
      }),
    );
    return sendPage(request, reply, {
      surface: 'portal',
      title: stationStrings(request.locale).certificates,
      body: certificatesPage(request.locale, envs),
      nav: portalNav(request.locale),
    });
  });

  const pem = (reply: FastifyReply, name: string, body: string) =>
    reply.type('application/x-pem-file').header('content-disposition', `attachment; filename="${name}"`).send(body);

  routes.get('/certificates/:env/client.pem', { schema: { params: EnvParams, querystring: NoQuery } }, async (request, reply) => {
    referent(request);
    const env = envOf(request.params.env);
    return pem(reply, `varco-${env}-client-chain.pem`, (await platformCertificates.downloads(env)).current.chainPem);
  });
  routes.get('/certificates/:env/ca.pem', { schema: { params: EnvParams, querystring: NoQuery } }, async (request, reply) => {
    referent(request);
    const env = envOf(request.params.env);
    return pem(reply, `varco-${env}-ca.pem`, (await platformCertificates.downloads(env)).caPem);
  });
  routes.get('/certificates/:env/next-client.pem', { schema: { params: EnvParams, querystring: NoQuery } }, async (request, reply) => {
    referent(request);
    const env = envOf(request.params.env);
    const next = (await platformCertificates.downloads(env)).next;
    if (!next) throw new VarcoError('not_found', 'No next client certificate is published.');
    return pem(reply, `varco-${env}-next-client-chain.pem`, next.chainPem);
  });
}
