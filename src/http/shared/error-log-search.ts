import type { FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import type { ErrorLogEntry, ErrorLogMerchant, ErrorLogSearch, ErrorLogService } from '../../modules/merchants/index.ts';
import { errorLogPage, type ErrorFilterValues } from '../../views/merchant/error-log.ts';
import type { MerchantHeaderView } from '../../views/merchant/settings.ts';
import type { SafeHtml } from '../../views/html.ts';
import { CSV_MAX_ROWS, sendCsv, toCsv } from './csv.ts';
import { cursorPage, DAY_MS, fetchLimit, queryDay as day, queryText, searchHref } from './pagination.ts';
import { query, Text } from './schemas.ts';

// The error log's search, page and CSV (issue 14), shared by the portal (one merchant's rows) and
// the back office (every row): the same form, the same cursor (newest first, 50 a page), the same
// columns in the CSV. Bad input (an unknown environment, a malformed date or page link) is a
// validation error page, never a 500.

export const ErrorLogQuery = query({ env: Text, code: Text, q: Text, from: Text, to: Text, before: Text });
type Query = { [K in 'env' | 'code' | 'q' | 'from' | 'to' | 'before']?: string | undefined };

export const ERROR_LOG_PAGE_SIZE = 50;
/** The form's values and the search they ask for (the `to` day included: before the next day starts). */
export function errorLogSearchOf(q: Query): { values: ErrorFilterValues; filter: Omit<ErrorLogSearch, 'limit'> } {
  const values: ErrorFilterValues = {
    env: queryText(q, 'env'),
    code: queryText(q, 'code').slice(0, 16),
    q: queryText(q, 'q').slice(0, 60),
    from: queryText(q, 'from'),
    to: queryText(q, 'to'),
  };
  if (values.env !== '' && values.env !== 'test' && values.env !== 'prod') throw new VarcoError('validation_failed', 'env must be test or prod.');
  const from = day(values.from, 'from');
  const to = day(values.to, 'to');
  const cursor = /^(\d{13})\.(err_[0-9a-z]{26})$/.exec(q.before ?? '');
  if (q.before !== undefined && !cursor) throw new VarcoError('validation_failed', 'The page link is not valid.');
  const filter: Omit<ErrorLogSearch, 'limit'> = {
    ...(values.env === 'test' || values.env === 'prod' ? { env: values.env } : {}),
    ...(values.code !== '' ? { code: values.code } : {}),
    ...(values.q !== '' ? { text: values.q } : {}),
    ...(from ? { from } : {}),
    ...(to ? { until: new Date(to.getTime() + DAY_MS) } : {}),
    ...(cursor ? { before: { at: new Date(Number(cursor[1])), id: cursor[2] ?? '' } } : {}),
  };
  return { values, filter };
}

const cursorOf = (e: ErrorLogEntry): string => `${e.at.getTime()}.${e.id}`;

/** The page body: the search form, one page of rows, the page links and the CSV link. */
export async function errorLogBody(
  request: FastifyRequest<{ Querystring: Query }>,
  errorLog: ErrorLogService,
  where: { scope: ErrorLogMerchant | 'all'; base: string; merchant?: MerchantHeaderView },
): Promise<SafeHtml> {
  const { values, filter } = errorLogSearchOf(request.query);
  const fetched = await errorLog.search(where.scope, { ...filter, limit: fetchLimit(ERROR_LOG_PAGE_SIZE) });
  const page = cursorPage({ fetched, pageSize: ERROR_LOG_PAGE_SIZE, cursorOf, base: where.base, values, before: request.query.before });
  return errorLogPage(request.locale, {
    ...(where.merchant ? { merchant: where.merchant } : {}),
    base: where.base,
    filter: values,
    rows: page.rows,
    olderHref: page.olderHref,
    newestHref: page.newestHref,
    csvHref: searchHref(`${where.base}.csv`, values),
  });
}

/** The whole search (every page, up to CSV_MAX_ROWS) as CSV; no debugger data, only the row's columns. */
export async function sendErrorLogCsv(
  request: FastifyRequest<{ Querystring: Query }>,
  reply: FastifyReply,
  errorLog: ErrorLogService,
  scope: ErrorLogMerchant | 'all',
): Promise<FastifyReply> {
  const { filter } = errorLogSearchOf(request.query);
  const rows = await errorLog.search(scope, { ...filter, limit: CSV_MAX_ROWS });
  const csv = toCsv(
    ['created_at', 'environment', 'pspid', 'orderid', 'code', 'message', 'client_ip', 'referrer', 'id'],
    rows.map((e) => [e.at, e.env, e.pspid, e.orderRef, e.code, e.message, e.clientIp, e.referrer, e.id]),
  );
  return sendCsv(reply, 'varco-error-log.csv', csv);
}
