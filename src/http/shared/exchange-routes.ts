import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import {
  EXCHANGE_OPERATIONS,
  EXCHANGES_PAGE_SIZE,
  EXCHANGES_MAX_PAGE_SIZE,
  isExchangeCursor,
  prettyXml,
  type ExchangeDetail,
  type ExchangeFilter,
  type ExchangeLog,
  type ExchangeRow,
  type ExchangeViewer,
} from '../../modules/pagopa-exchanges/index.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';
import type { Locale } from '../../views/i18n.ts';
import { formatDateTime } from '../../views/format.ts';
import {
  exchangeDetailPage,
  exchangeListPage,
  type ExchangeDetailView,
  type ExchangeFilterValues,
  type ExchangeRowView,
  type MessageView,
} from '../../views/pagopa-exchanges/pages.ts';
import { exchangeStrings, fill } from '../../views/pagopa-exchanges/strings.ts';
import { CSV_MAX_ROWS, sendCsv, toCsv } from './csv.ts';
import { sendPage } from './page.ts';
import { cursorPage, fetchLimit, organisationNames, queryText, searchHref } from './pagination.ts';
import { IdParams, NoQuery, query, Text, typed } from './schemas.ts';
import { failureText } from '../../views/shared/node-texts.ts';

// The exchange log's pages, the same for the portal and the back office: only the viewer differs
// (a referent's organisation, which sees the rows it is party to, or an administrator). Another
// organisation's message is a 404 by id, by URL and by download, exactly like an unknown one: `get`
// answers undefined for both, so the two cannot be told apart.

export interface ExchangeRoutesOptions {
  surface: 'portal' | 'admin';
  exchanges: ExchangeLog;
  organisations: OrganisationsService;
  /** Throws when the session may not read the log (the surface's own check). */
  viewerOf(request: FastifyRequest): ExchangeViewer;
  nav(locale: Locale): ReadonlyArray<{ href: string; label: string }>;
  retentionDays: number;
}

type Query = Record<string, unknown>;
const MAX_FIELD = 64;
const OPERATION = /^[A-Za-z0-9_]*$/;
const text = queryText;
// Milliseconds: a message's time is compared with the PSP's and the station's logs.
const iso = (locale: Locale, d: Date): string => formatDateTime(locale, d, { milliseconds: true });

/** The search form's values, the filter they make, and what is wrong with them (if anything). */
export function parseExchangeQuery(query: Query, locale: Locale): { values: ExchangeFilterValues; filter: ExchangeFilter; problem?: string } {
  const t = exchangeStrings(locale);
  const values = {
    env: text(query, 'env'),
    notice: text(query, 'notice'),
    token: text(query, 'token'),
    fault: text(query, 'fault').toUpperCase(),
    operation: text(query, 'operation'),
  };
  const before = text(query, 'before');
  const problem =
    values.env !== '' && values.env !== 'test' && values.env !== 'prod'
      ? t.badEnv
      : [values.notice, values.token, values.fault, values.operation].some((v) => v.length > MAX_FIELD)
        ? t.tooLong
        : !OPERATION.test(values.operation)
          ? t.badOperation
          : before !== '' && !isExchangeCursor(before)
            ? t.badCursor
            : undefined;
  if (problem) return { values: { ...values, env: ['test', 'prod'].includes(values.env) ? values.env : '' }, filter: {}, problem };
  const filter: ExchangeFilter = {
    env: values.env === 'test' || values.env === 'prod' ? values.env : undefined,
    noticeNumber: values.notice || undefined,
    token: values.token || undefined,
    faultCode: values.fault || undefined,
    operation: values.operation || undefined,
    before: before || undefined,
  };
  return { values, filter };
}

/** Every organisation party to the row (the back office's list and page name them). */
const partyIds = (r: ExchangeRow): string[] =>
  [r.pspOrganisationId, r.ecOrganisationId, r.stationOrganisationId, ...r.furtherOrganisationIds].filter((id): id is string => id !== null);

function rowView(locale: Locale, r: ExchangeRow, names?: Map<string, string>): ExchangeRowView {
  const view: ExchangeRowView = {
    id: r.id,
    at: iso(locale, r.at),
    env: r.env,
    direction: r.direction,
    operation: r.operation,
    noticeNumber: r.noticeNumber ?? '',
    token: r.token ?? '',
    outcome: r.outcome ?? '',
    faultCode: r.faultCode ?? '',
    durationMs: r.durationMs,
  };
  if (!names) return view;
  const parties = partyIds(r).map((id) => names.get(id) ?? id);
  return { ...view, parties: [...new Set(parties)].join(', ') };
}

/** `name.xml` safe in a header: the id is checked, the operation reduced to letters, digits, `_`. */
export function downloadName(d: Pick<ExchangeDetail, 'id' | 'env' | 'operation'>, part: 'request' | 'response'): string {
  const operation = d.operation.replace(/[^A-Za-z0-9_]/g, '').slice(0, 64) || 'message';
  return `pagopa-${d.env}-${operation}-${d.id}-${part}.xml`;
}

function messageView(text: string, bytes: number, truncated: boolean, downloadHref: string): MessageView {
  return { pretty: prettyXml(text), bytes, truncated, keptBytes: Buffer.byteLength(text, 'utf8'), downloadHref };
}

async function detailView(locale: Locale, options: ExchangeRoutesOptions, base: string, d: ExchangeDetail): Promise<ExchangeDetailView> {
  const names = await organisationNames(options.organisations, partyIds(d));
  const name = (id: string | null): string => (id === null ? '' : (names.get(id) ?? id));
  // Named on the back office's page only: a referent learns no organisation beyond those the row named before.
  const further = options.surface === 'admin' ? d.furtherOrganisationIds.map(name).join(', ') : '';
  const parties: ExchangeDetailView['parties'] = [
    { label: 'psp', value: name(d.pspOrganisationId) },
    { label: 'ec', value: name(d.ecOrganisationId) },
    { label: 'fiscalCode', value: d.fiscalCode ?? '' },
    { label: 'station', value: d.stationCode ?? d.stationId ?? '' },
    { label: 'stationOwner', value: name(d.stationOrganisationId) },
    { label: 'furtherParties', value: further },
  ];
  const href = `${base}/${d.id}`;
  return {
    base,
    row: rowView(locale, d),
    parties,
    httpStatus: d.httpStatus,
    endpoint: d.endpoint === null ? '' : exchangeStrings(locale)[d.endpoint],
    error: d.errorWithheld ? exchangeStrings(locale).errorWithheld : failureText(locale, d.error ?? ''),
    request: d.cartView === 'withheld' ? null : messageView(d.request, d.requestBytes, d.requestTruncated, `${href}/request.xml`),
    response: d.response === null ? null : messageView(d.response, d.responseBytes ?? 0, d.responseTruncated, `${href}/response.xml`),
    responseWithheld: d.responseWithheld,
    cartView: d.cartView,
  };
}

export function registerExchangeRoutes(app: FastifyInstance, options: ExchangeRoutesOptions): void {
  const { exchanges, surface } = options;
  const base = `/${surface}/pagopa/exchanges`;
  const found = async (request: FastifyRequest, id: string): Promise<ExchangeDetail> => {
    const viewer = options.viewerOf(request);
    const detail = await exchanges.get(viewer, id);
    if (!detail) throw new VarcoError('not_found', 'No such message.');
    return detail;
  };

  const routes = typed(app);
  // Lengths and formats are checked by parseExchangeQuery, which says what is wrong on the page itself.
  const SearchQuery = query({ env: Text, notice: Text, token: Text, fault: Text, operation: Text, before: Text });
  routes.get('/pagopa/exchanges', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const viewer = options.viewerOf(request);
    const t = exchangeStrings(request.locale);
    const { values, filter, problem } = parseExchangeQuery(request.query, request.locale);
    const fetched = problem ? [] : await exchanges.search(viewer, { ...filter, limit: fetchLimit(EXCHANGES_PAGE_SIZE) });
    const { rows, olderHref, newestHref } = cursorPage({
      fetched,
      pageSize: EXCHANGES_PAGE_SIZE,
      cursorOf: (r) => r.cursor,
      base,
      values,
      before: filter.before,
    });
    const names = 'admin' in viewer ? await organisationNames(options.organisations, rows.flatMap(partyIds)) : undefined;
    const body = exchangeListPage(request.locale, {
      base,
      intro: 'admin' in viewer ? t.adminIntro : fill(t.intro, { days: options.retentionDays }),
      filter: values,
      problem,
      operations: EXCHANGE_OPERATIONS,
      rows: rows.map((r) => rowView(request.locale, r, names)),
      olderHref,
      newestHref,
      csvHref: searchHref(`${base}.csv`, values),
    });
    return sendPage(request, reply, { surface, title: t.title, body, nav: options.nav(request.locale), status: problem ? 400 : 200 });
  });

  // The same search as CSV, newest first, every page up to CSV_MAX_ROWS (issue 14); scoped like the list.
  routes.get('/pagopa/exchanges.csv', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const viewer = options.viewerOf(request);
    const { filter, problem } = parseExchangeQuery(request.query, request.locale);
    if (problem) throw new VarcoError('validation_failed', problem);
    const withheld = exchangeStrings(request.locale).errorWithheld;
    const rows: ExchangeRow[] = [];
    let before = filter.before;
    while (rows.length < CSV_MAX_ROWS) {
      const page = await exchanges.search(viewer, { ...filter, before, limit: EXCHANGES_MAX_PAGE_SIZE });
      rows.push(...page);
      if (page.length < EXCHANGES_MAX_PAGE_SIZE) break;
      before = page.at(-1)?.cursor;
    }
    const csv = toCsv(
      [
        'at',
        'environment',
        'direction',
        'operation',
        'notice_number',
        'fiscal_code',
        'token',
        'outcome',
        'fault_code',
        'http_status',
        'duration_ms',
        'station_code',
        'endpoint',
        'error',
        'id',
      ],
      rows
        .slice(0, CSV_MAX_ROWS)
        .map((r) => [
          r.at,
          r.env,
          r.direction,
          r.operation,
          r.noticeNumber,
          r.fiscalCode,
          r.token,
          r.outcome,
          r.faultCode,
          r.httpStatus,
          r.durationMs,
          r.stationCode,
          r.endpoint,
          r.errorWithheld ? withheld : r.error,
          r.id,
        ]),
    );
    return sendCsv(reply, `varco-pagopa-messages-${surface}.csv`, csv);
  });

  const byId = { params: IdParams, querystring: NoQuery };
  routes.get('/pagopa/exchanges/:id', { schema: byId }, async (request, reply) => {
    const detail = await found(request, request.params.id);
    const t = exchangeStrings(request.locale);
    const body = exchangeDetailPage(request.locale, await detailView(request.locale, options, base, detail));
    return sendPage(request, reply, { surface, title: `${t.message} ${detail.operation}`, body, nav: options.nav(request.locale) });
  });

  for (const part of ['request', 'response'] as const) {
    routes.get(`/pagopa/exchanges/:id/${part}.xml`, { schema: byId }, async (request, reply) => {
      const detail = await found(request, request.params.id);
      // A cart's message one of its institutions reads is the masked one the page shows, or none.
      if (detail.cartView === 'withheld') throw new VarcoError('not_found', 'This message is not shown to your organisation.');
      const content = part === 'request' ? detail.request : detail.response;
      if (content === null) throw new VarcoError('not_found', 'This message has no response.');
      return reply
        .type('text/xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${downloadName(detail, part)}"`)
        .send(content);
    });
  }
}
