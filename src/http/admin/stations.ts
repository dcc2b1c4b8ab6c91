import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import {
  TRUST_PROBLEM_TEXT,
  type StationActor,
  type StationsService,
  type TrustScope,
  type TrustService,
  type VerificationService,
} from '../../modules/stations/index.ts';
import type { SafeHtml } from '../../views/html.ts';
import { adminNav } from '../../views/nav.ts';
import { adminStationForms, adminStationsPage, trustedCasPage } from '../../views/stations/admin.ts';
import { stationDetailPage, stationTable } from '../../views/stations/pages.ts';
import { html } from '../../views/html.ts';
import { stationStrings } from '../../views/stations/strings.ts';
import { requireAdmin } from '../shared/session.ts';
import type { ProposalsService } from '../../modules/proposals/index.ts';
import { adminProposer, proposedRedirect } from './proposals.ts';
import { BODY_LIMITS } from '../plugins/limits.ts';
import { rowView, stationView } from '../shared/station-views.ts';
import { sendPage } from '../shared/page.ts';
import { form, IdParams, NoQuery, query, Text, typed } from '../shared/schemas.ts';
import type { Timelines } from '../../kernel/home.ts';
import { timelineSection } from '../../views/shared/timeline.ts';
import { confirmPage } from '../../views/shared/confirm.ts';
import { confirmStrings } from '../../views/shared/confirm-strings.ts';

// Back office pages of stations: the ones to check, review (approve or ask for changes with a
// note), timeouts, the permission to share the station's hosts with other organisations, Verify
// (also of a version under review), history; and the CAs an administrator authorises per
// environment, each for one organisation or — explicitly — for all.

export interface AdminStationRoutesOptions {
  stations: StationsService;
  verification: VerificationService;
  trust: TrustService;
  organisations: OrganisationsService;
  publicUrl: string;
  /** The development CA for the ping instructions' curl; undefined with an operator certificate. */
  serverCaFile: string | undefined;
  proposals: ProposalsService;
  timelines: Timelines;
}

function admin(request: FastifyRequest): { actor: StationActor; csrf: string } {
  const session = requireAdmin(request);
  return { actor: { type: 'admin', id: session.userId, ip: request.ip }, csrf: session.csrfToken };
}

const stationIdOf = (id: string): string => {
  if (!isId(id, 'sta')) throw new VarcoError('not_found', 'No such station.');
  return id;
};

const TimeoutsForm = form({ connectTimeoutMs: Text, responseTimeoutMs: Text });

/** A whole number of milliseconds, or NaN (the service refuses it with its own message). */
const millis = (value: string): number => (/^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN);

/** The organisation page's section listing its stations, with review and connection state. */
export function organisationStations(stations: StationsService) {
  return async (organisationId: string, request: FastifyRequest): Promise<SafeHtml[]> => {
    const rows = (await stations.list({ organisationId })).map(rowView);
    return [html`<h2>${stationStrings(request.locale).stations}</h2>${stationTable(request.locale, rows, '/admin/stations', false)}`];
  };
}

export function registerAdminStationRoutes(app: FastifyInstance, options: AdminStationRoutesOptions): void {
  const { stations, verification } = options;
  const ping = { url: `${options.publicUrl}/api/v1/ping`, caFile: options.serverCaFile };
  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200) =>
    sendPage(request, reply, { surface: 'admin', title, body, nav: adminNav(request.locale), status });

  const detailPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { notice?: string; error?: string; reviewProblem?: string; status?: number } = {},
  ) => {
    const { csrf } = admin(request);
    const detail = await stations.detail(id);
    if (!detail) throw new VarcoError('not_found', 'No such station.');
    const s = detail.station;
    const lastPing = await verification.inboundVerifiedAt(s.organisation_id, s.environment);
    const forms = adminStationForms(request.locale, {
      csrf,
      stationId: id,
      reviewVersionId: detail.pending?.state === 'to_check' ? detail.pending.id : undefined,
      connectTimeoutMs: s.connect_timeout_ms,
      responseTimeoutMs: s.response_timeout_ms,
      sharedHostAllowed: s.shared_host_allowed,
      reviewProblem: extra.reviewProblem,
    });
    const body = stationDetailPage(request.locale, stationView(detail, lastPing), {
      csrf,
      base: `/admin/stations/${id}`,
      ping,
      notice: extra.notice,
      error: extra.error,
      extra: html`${forms}${timelineSection(request.locale, await options.timelines.of('station', id, { kind: 'admin' }))}`,
      verifyPending: true,
    });
    return send(request, reply, `${stationStrings(request.locale).station} ${s.code}`, body, extra.status ?? 200);
  };

  const routes = typed(app);
  routes.get('/stations', { schema: { querystring: query({ filter: Text }) } }, async (request, reply) => {
    admin(request);
    const filter = request.query.filter === 'to_check' || request.query.filter === 'failing' ? request.query.filter : 'all';
    const rows = (await stations.list(filter === 'to_check' ? { pendingOnly: true } : filter === 'failing' ? { failingOnly: true } : {})).map(rowView);
    return send(request, reply, stationStrings(request.locale).stations, adminStationsPage(request.locale, rows, filter));
  });

  routes.get('/stations/:id', { schema: { params: IdParams, querystring: query({ saved: Text, verified: Text }) } }, (request, reply) => {
    const t = stationStrings(request.locale);
    const notice = request.query.saved === '1' ? t.saved : request.query.verified === '1' ? t.verifiedNotice : undefined;
    return detailPage(request, reply, stationIdOf(request.params.id), notice ? { notice } : {});
  });

  routes.post(
    '/stations/:id/review',
    { schema: { params: IdParams, querystring: NoQuery, body: form({ action: Text, note: Text, confirmed: Text, versionId: Text }) } },
    async (request, reply) => {
      const { actor, csrf } = admin(request);
      const id = stationIdOf(request.params.id);
      const body = request.body;
      const action = body.action ?? '';
      if (action !== 'approve' && action !== 'request_changes') throw new VarcoError('bad_request', 'Choose approve or request changes.');
      // The version the administrator saw: an edit after the page was loaded must not be what gets decided.
      const versionId = body.versionId ?? '';
      if (!isId(versionId, 'ver')) throw new VarcoError('bad_request', 'The form names no version of the station: reload the page.');
      // Approving a station whose latest check failed is asked first, with the reason (issue 14).
      if (action === 'approve' && body.confirmed !== '1') {
        const detail = await stations.detail(id);
        const latest = detail?.checks[0];
        if (detail && (detail.station.connection_state === 'failing' || latest?.ok === false)) {
          const c = confirmStrings(request.locale).approveFailing;
          const page = confirmPage(request.locale, {
            warning: c.warning,
            consequences: c.consequences,
            action: `/admin/stations/${id}/review`,
            fields: { _csrf: csrf, action: 'approve', note: body.note ?? '', confirmed: '1', versionId },
            confirmLabel: c.confirm,
            cancelHref: `/admin/stations/${id}`,
          });
          return send(request, reply, c.title, page);
        }
      }
      // Four-eyes: approving a production station becomes a proposal (docs/adr/0034-four-eyes.md).
      if (action === 'approve') {
        const gated = await options.proposals
          .gate({ kind: 'station.approve', params: { stationId: id, versionId, note: body.note ?? '' } }, adminProposer(request))
          .catch((error: unknown) => {
            // The version is no longer waiting (the station was edited since the page was loaded): said beside the form.
            if (error instanceof VarcoError && error.code === 'invalid_state_transition') return undefined;
            throw error;
          });
        if (gated === undefined) return detailPage(request, reply, id, { reviewProblem: 'invalid_state_transition', status: 409 });
        if (gated.proposed) return proposedRedirect(reply, gated);
      }
      const result = await stations.review(id, versionId, action, body.note ?? '', actor);
      if (!result.ok) {
        if (result.reason === 'not_found') throw new VarcoError('not_found', 'No such station.');
        return detailPage(request, reply, id, { reviewProblem: result.reason, status: result.reason === 'note_required' ? 400 : 409 });
      }
      return reply.redirect(`/admin/stations/${id}?saved=1`, 303);
    },
  );

  routes.post('/stations/:id/settings', { schema: { params: IdParams, querystring: NoQuery, body: TimeoutsForm } }, async (request, reply) => {
    const { actor } = admin(request);
    const id = stationIdOf(request.params.id);
    const body = request.body;
    try {
      await stations.configure(id, { connectTimeoutMs: millis(body.connectTimeoutMs ?? ''), responseTimeoutMs: millis(body.responseTimeoutMs ?? '') }, actor);
    } catch (error) {
      if (error instanceof VarcoError && error.code === 'validation_failed')
        return detailPage(request, reply, id, { error: stationStrings(request.locale).timeoutsInvalid, status: 400 });
      throw error;
    }
    return reply.redirect(`/admin/stations/${id}?saved=1`, 303);
  });

  // An explicit decision, audited: other organisations' stations may use this station's hosts (and it theirs).
  routes.post(
    '/stations/:id/shared-host',
    { schema: { params: IdParams, querystring: NoQuery, body: form({ sharedHostAllowed: Text }) } },
    async (request, reply) => {
      const { actor } = admin(request);
      const id = stationIdOf(request.params.id);
      const allowed = request.body.sharedHostAllowed === '1';
      if (!(await stations.allowSharedHost(id, allowed, actor))) throw new VarcoError('not_found', 'No such station.');
      return reply.redirect(`/admin/stations/${id}?saved=1`, 303);
    },
  );

  routes.post('/stations/:id/verify', { schema: { params: IdParams, querystring: query({ version: Text }), body: form({}) } }, async (request, reply) => {
    const { actor } = admin(request);
    const id = stationIdOf(request.params.id);
    const which = request.query.version === 'pending' ? 'pending' : 'approved';
    const outcome = await verification.verify(id, 'admin', { actorId: actor.id, ip: request.ip }, which);
    if (!outcome.ok) {
      if (outcome.reason === 'not_found') throw new VarcoError('not_found', 'No such station.');
      throw new VarcoError('invalid_state_transition', stationStrings(request.locale).notApproved);
    }
    return reply.redirect(`/admin/stations/${id}?verified=1#${which === 'pending' ? 'pending-check' : 'check'}`, 303);
  });

  registerTrustRoutes(app, options, send);
}

type Send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status?: number) => FastifyReply;

/** The scope field of the trust form: an organisation id, or `*` for every organisation; nothing chosen is no scope. */
function scopeOf(value: string): TrustScope | undefined {
  if (value === '*') return { allOrganisations: true };
  return value === '' ? undefined : { organisationId: value };
}

const TrustForm = form({ environment: Text, scope: Text, pem: Text });

function registerTrustRoutes(app: FastifyInstance, options: Pick<AdminStationRoutesOptions, 'trust' | 'organisations' | 'proposals'>, send: Send): void {
  const { trust } = options;
  const trustPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { problem?: string; form?: { environment: string; scope: string; pem: string }; notice?: string } = {},
  ) => {
    const { csrf } = admin(request);
    const organisations = (await options.organisations.list()).map((o) => ({ id: o.id, name: o.name }));
    const names = new Map(organisations.map((o) => [o.id, o.name]));
    const view = async (env: 'test' | 'prod') =>
      (await trust.list(env)).map((ca) => ({
        id: ca.id,
        subject: ca.subject,
        fingerprint: ca.fingerprint_sha256,
        notAfter: ca.not_after,
        addedAt: ca.added_at,
        organisation: ca.organisation_id === null ? null : { id: ca.organisation_id, name: names.get(ca.organisation_id) ?? ca.organisation_id },
      }));
    const cas = { test: await view('test'), prod: await view('prod') };
    return send(
      request,
      reply,
      stationStrings(request.locale).trusted,
      trustedCasPage(request.locale, { csrf, cas, organisations, ...extra }),
      extra.problem ? 400 : 200,
    );
  };

  const routes = typed(app);
  routes.get('/trust', { schema: { querystring: query({ saved: Text }) } }, (request, reply) =>
    trustPage(request, reply, request.query.saved === '1' ? { notice: stationStrings(request.locale).saved } : {}),
  );

  // A CA chain in PEM may be larger than a form's default limit.
  routes.post('/trust', { bodyLimit: BODY_LIMITS.upload, schema: { querystring: NoQuery, body: TrustForm } }, async (request, reply) => {
    const { actor } = admin(request);
    const body = request.body;
    const form = { environment: body.environment ?? '', scope: body.scope ?? '', pem: body.pem ?? '' };
    if (form.environment !== 'test' && form.environment !== 'prod') return trustPage(request, reply, { problem: 'environment_invalid', form });
    const scope = scopeOf(form.scope);
    if (scope === undefined) return trustPage(request, reply, { problem: 'scope_required', form });
    // Four-eyes: a production CA becomes a proposal, refused up front for what `add` would refuse anyway.
    if (options.proposals.applies(form.environment)) {
      const checked = await trust.checkAdd(form.environment, form.pem, scope);
      if (!checked.ok) return trustPage(request, reply, { problem: checked.reason, form });
      const gated = await options.proposals.gate(
        { kind: 'trust.add', params: { environment: form.environment, pem: form.pem, scope } },
        adminProposer(request),
      );
      if (gated.proposed) return proposedRedirect(reply, gated);
    }
    const result = await trust.add(form.environment, form.pem, scope, actor);
    if (!result.ok) {
      request.log.info({ problem: TRUST_PROBLEM_TEXT[result.reason] }, 'trusted CA refused');
      return trustPage(request, reply, { problem: result.reason, form });
    }
    return reply.redirect('/admin/trust?saved=1', 303);
  });

  routes.get('/trust/:id/remove', { schema: { params: IdParams, querystring: NoQuery } }, async (request, reply) => {
    const { csrf } = admin(request);
    const id = request.params.id;
    const ca = isId(id, 'tca') ? [...(await trust.list('test')), ...(await trust.list('prod'))].find((c) => c.id === id) : undefined;
    if (!ca) throw new VarcoError('not_found', 'No such trusted CA.');
    const c = confirmStrings(request.locale).removeCa;
    const page = confirmPage(request.locale, {
      consequences: [c.which(ca.subject, ca.environment), ...c.consequences],
      action: `/admin/trust/${id}/remove`,
      fields: { _csrf: csrf },
      confirmLabel: c.confirm,
      cancelHref: '/admin/trust',
    });
    return send(request, reply, c.title, page);
  });

  routes.post('/trust/:id/remove', { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const { actor } = admin(request);
    const id = request.params.id;
    if (!isId(id, 'tca') || !(await trust.remove(id, actor))) throw new VarcoError('not_found', 'No such trusted CA.');
    return reply.redirect('/admin/trust?saved=1', 303);
  });
}
