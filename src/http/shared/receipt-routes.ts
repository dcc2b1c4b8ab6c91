import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import type {
  ReceiptActor,
  ReceiptAttempt,
  ReceiptDetail,
  ReceiptFilter,
  ReceiptsService,
  ReceiptSummary,
  ReceiptViewer,
} from '../../modules/pagopa-receipts/index.ts';
import type { Locale } from '../../views/i18n.ts';
import { formatDateTime, formatMoney } from '../../views/format.ts';
import { receiptDetailPage, receiptListPage, type AttemptRowView, type ReceiptFilterValues, type ReceiptRowView } from '../../views/pagopa-receipts/pages.ts';
import { fill, receiptStrings } from '../../views/pagopa-receipts/strings.ts';
import { confirmPage } from '../../views/shared/confirm.ts';
import { failureText } from '../../views/shared/node-texts.ts';
import { confirmStrings } from '../../views/shared/confirm-strings.ts';
import { sendPage } from './page.ts';
import { cursorPage, fetchLimit, organisationNames, queryText } from './pagination.ts';
import { form, IdParams, NoQuery, query, Text, typed } from './schemas.ts';

// The receipts' pages, the same for the portal and the back office: only the viewer differs (a
// referent's organisation, which sees the receipts it is party to, or an administrator). Another
// organisation's receipt is a 404 by id and by URL, exactly like an unknown one (`get` answers
// undefined for both). Resend is a POST with the session's CSRF token (checked by the session
// plugin), audited by the service.

export interface ReceiptRoutesOptions {
  surface: 'portal' | 'admin';
  receipts: ReceiptsService;
  organisations: OrganisationsService;
  /** Throws when the session may not read receipts (the surface's own check). */
  viewerOf(request: FastifyRequest): { viewer: ReceiptViewer; actor: ReceiptActor; csrf: string };
  nav(locale: Locale): ReadonlyArray<{ href: string; label: string }>;
  /** How long deliveries are retried (VARCO_PAGOPA_RT_RETRY_HOURS), for the intro. */
  retryHours: number;
}

type Query = Record<string, unknown>;
const MAX_FIELD = 64;
const STATES = ['pending', 'delivered', 'failed'] as const;
const RECEIPTS_PAGE_SIZE = 50;
const text = queryText;
const iso = (locale: Locale, d: Date | null): string => formatDateTime(locale, d, { seconds: true });

/** The search form's values, the filter they make, and what is wrong with them (if anything). */
export function parseReceiptQuery(query: Query, locale: Locale): { values: ReceiptFilterValues; filter: ReceiptFilter; problem?: string } {
  const t = receiptStrings(locale);
  const values = { env: text(query, 'env'), state: text(query, 'state'), notice: text(query, 'notice'), token: text(query, 'token') };
  const before = text(query, 'before');
  const state = STATES.find((s) => s === values.state);
  const problem =
    values.env !== '' && values.env !== 'test' && values.env !== 'prod'
      ? t.badEnv
      : values.state !== '' && state === undefined
        ? t.badState
        : [values.notice, values.token].some((v) => v.length > MAX_FIELD)
          ? t.tooLong
          : before !== '' && !isId(before, 'rct')
            ? t.badCursor
            : undefined;
  if (problem) return { values: { ...values, env: ['test', 'prod'].includes(values.env) ? values.env : '', state: state ?? '' }, filter: {}, problem };
  return {
    values,
    filter: {
      env: values.env === 'test' || values.env === 'prod' ? values.env : undefined,
      state,
      noticeNumber: values.notice || undefined,
      token: values.token || undefined,
      before: before || undefined,
    },
  };
}

function rowView(locale: Locale, r: ReceiptSummary, names?: Map<string, string>): ReceiptRowView {
  return {
    id: r.id,
    created: iso(locale, r.createdAt),
    env: r.env,
    noticeNumber: r.noticeNumber,
    token: r.token,
    amount: formatMoney(locale, r.amountCents, 'EUR'),
    recipientFiscalCode: r.recipientFiscalCode,
    position: r.position,
    state: r.state,
    attempts: r.attempts,
    lastAttempt: iso(locale, r.lastAttemptAt),
    lastError: r.lastErrorWithheld ? receiptStrings(locale).errorWithheld : failureText(locale, r.lastError ?? ''),
    ...(names ? { parties: names.get(r.pspOrganisationId) ?? r.pspOrganisationId } : {}),
  };
}

function attemptRow(locale: Locale, a: ReceiptAttempt, surface: 'portal' | 'admin', simulated: string): AttemptRowView {
  return {
    outboxMessageId: a.outboxMessageId,
    attempt: a.attempt,
    when: iso(locale, a.startedAt),
    durationMs: a.durationMs,
    destination: a.destination === 'simulator' ? `${a.stationCode ?? ''} (${simulated})` : (a.stationCode ?? ''),
    version: a.primitiveVersion === null ? '' : String(a.primitiveVersion),
    result: a.result,
    http: a.httpStatus === null ? '' : String(a.httpStatus),
    answer: [a.ecOutcome, a.faultCode].filter(Boolean).join(' '),
    error: a.errorWithheld ? receiptStrings(locale).errorWithheld : failureText(locale, a.error ?? ''),
    exchangeHref: a.exchangeId ? `/${surface}/pagopa/exchanges/${a.exchangeId}` : null,
  };
}

export function registerReceiptRoutes(app: FastifyInstance, options: ReceiptRoutesOptions): void {
  const { receipts, surface } = options;
  const base = `/${surface}/pagopa/receipts`;
  const found = async (request: FastifyRequest, id: string): Promise<ReceiptDetail> => {
    const detail = await receipts.get(options.viewerOf(request).viewer, id);
    if (!detail) throw new VarcoError('not_found', 'No such receipt.');
    return detail;
  };

  const detailPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { notice?: string; error?: string } = {}, status = 200) => {
    const { csrf } = options.viewerOf(request);
    const d = await found(request, id);
    const t = receiptStrings(request.locale);
    const names = await organisationNames(options.organisations, [d.ecOrganisationId, d.recipientOrganisationId, d.pspOrganisationId]);
    const name = (id: string | null, fallback: string): string => (id === null ? fallback : `${names.get(id) ?? id} (${fallback})`);
    const body = receiptDetailPage(request.locale, {
      base,
      row: rowView(request.locale, d),
      noticeEc: name(d.ecOrganisationId, d.fiscalCode),
      recipientEc: name(d.recipientOrganisationId, d.recipientFiscalCode),
      psp: names.get(d.pspOrganisationId) ?? d.pspOrganisationId,
      station: d.stationCode ?? t.notRouted,
      version: d.primitiveVersion === null ? '' : String(d.primitiveVersion),
      firstDelivered: iso(request.locale, d.firstDeliveredAt),
      deliveredAt: iso(request.locale, d.deliveredAt),
      nextAttempt: iso(request.locale, d.nextAttemptAt),
      attempts: d.attemptLog.map((a) => attemptRow(request.locale, a, surface, t.simulated)),
      ...(d.mayResend ? { csrf } : {}),
      ...extra,
    });
    return sendPage(request, reply, { surface, title: `${t.receipt} ${d.noticeNumber}`, body, nav: options.nav(request.locale), status });
  };

  const routes = typed(app);
  // Lengths and formats are checked by parseReceiptQuery, which says what is wrong on the page itself.
  routes.get(
    '/pagopa/receipts',
    { schema: { querystring: query({ env: Text, state: Text, notice: Text, token: Text, before: Text }) } },
    async (request, reply) => {
      const { viewer } = options.viewerOf(request);
      const t = receiptStrings(request.locale);
      const { values, filter, problem } = parseReceiptQuery(request.query, request.locale);
      const fetched = problem ? [] : await receipts.list(viewer, { ...filter, limit: fetchLimit(RECEIPTS_PAGE_SIZE) });
      const { rows, olderHref, newestHref } = cursorPage({ fetched, pageSize: RECEIPTS_PAGE_SIZE, cursorOf: (r) => r.id, base, values, before: filter.before });
      const names =
        'admin' in viewer
          ? await organisationNames(
              options.organisations,
              rows.map((r) => r.pspOrganisationId),
            )
          : undefined;
      const body = receiptListPage(request.locale, {
        base,
        intro: fill('admin' in viewer ? t.adminIntro : t.intro, { hours: options.retryHours }),
        filter: values,
        problem,
        rows: rows.map((r) => rowView(request.locale, r, names)),
        olderHref,
        newestHref,
      });
      return sendPage(request, reply, { surface, title: t.title, body, nav: options.nav(request.locale), status: problem ? 400 : 200 });
    },
  );

  routes.get('/pagopa/receipts/:id', { schema: { params: IdParams, querystring: query({ resent: Text }) } }, async (request, reply) => {
    const resent = request.query.resent;
    const t = receiptStrings(request.locale);
    return detailPage(request, reply, request.params.id, resent === 'now' ? { notice: t.resentNow } : resent === 'queued' ? { notice: t.resentQueued } : {});
  });

  // Asked first (issue 14): the resend button leads here.
  routes.get('/pagopa/receipts/:id/resend', { schema: { params: IdParams, querystring: NoQuery } }, async (request, reply) => {
    const { csrf } = options.viewerOf(request);
    // Another organisation's receipt is a 404 here as on its page; a reader who may not resend it is
    // told so here, not after confirming.
    const receipt = await found(request, request.params.id);
    if (!receipt.mayResend) return detailPage(request, reply, receipt.id, { error: receiptStrings(request.locale).forbidden }, 403);
    const c = confirmStrings(request.locale).resendReceipt;
    const body = confirmPage(request.locale, {
      consequences: c.consequences,
      action: `${base}/${request.params.id}/resend`,
      fields: { _csrf: csrf },
      confirmLabel: c.confirm,
      cancelHref: `${base}/${request.params.id}`,
    });
    return sendPage(request, reply, { surface, title: c.title, body, nav: options.nav(request.locale) });
  });

  routes.post('/pagopa/receipts/:id/resend', { schema: { params: IdParams, querystring: NoQuery, body: form({}) } }, async (request, reply) => {
    const { viewer, actor } = options.viewerOf(request);
    const id = request.params.id;
    const outcome = await receipts.resend(viewer, id, actor);
    const t = receiptStrings(request.locale);
    if (outcome.ok) return reply.redirect(`${base}/${id}?resent=${outcome.mode}`, 303);
    switch (outcome.reason) {
      case 'not_found':
        throw new VarcoError('not_found', 'No such receipt.');
      case 'forbidden':
        return detailPage(request, reply, id, { error: t.forbidden }, 403);
      case 'in_progress':
        return detailPage(request, reply, id, { error: t.inProgress }, 409);
    }
  });
}
