import { sql, type Insertable, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { PagopaExchangesTable } from '../../db/schema.ts';
import { idCursor, parseIdCursor } from '../../kernel/ids.ts';
import type { ExchangeDetail, ExchangeFilter, ExchangeRow, ExchangeViewer } from './exchanges.types.ts';

// SQL of the exchange log (table pagopa_exchanges, migration 0014). Writes are one INSERT; reads are
// keyset-paginated on (at, id), newest first. A referent's organisation reads the rows it is party to:
// one ordered index scan per party column (psp, ec, station owner), each limited, merged by UNION —
// never a scan of the whole table sorted afterwards, and never a row of somebody else.

export type ExchangeInsert = Insertable<PagopaExchangesTable>;
type StoredRow = Selectable<PagopaExchangesTable>;
type ListRow = Omit<StoredRow, 'request' | 'response'>;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

const LIST_COLUMNS = [
  'id',
  'environment',
  'at',
  'direction',
  'operation',
  'psp_organisation_id',
  'ec_organisation_id',
  'station_id',
  'station_code',
  'station_organisation_id',
  'notice_number',
  'fiscal_code',
  'token',
  'outcome',
  'fault_code',
  'http_status',
  'endpoint',
  'duration_ms',
  'error',
  'request_bytes',
  'request_truncated',
  'response_bytes',
  'response_truncated',
] as const;
const PARTY_COLUMNS = ['psp_organisation_id', 'ec_organisation_id', 'station_organisation_id'] as const;

/** True when `cursor` is one `search` can continue from. */
export const isExchangeCursor = (cursor: string): boolean => parseCursor(cursor) !== undefined;

export const cursorOf = (row: { at: Date; id: string }): string => idCursor(row.at, row.id);

/** The (at, id) a cursor names, or undefined when it is not one of ours. */
export const parseCursor = (cursor: string): { at: Date; id: string } | undefined => parseIdCursor(cursor, 'msg');

export async function insertExchanges(db: Kysely<Database>, rows: readonly ExchangeInsert[]): Promise<void> {
  await db
    .insertInto('pagopa_exchanges')
    .values([...rows])
    .execute();
}

type ListQuery = SelectQueryBuilder<Database, 'pagopa_exchanges', ListRow>;

function applyFilter(query: ListQuery, filter: ExchangeFilter, before: { at: Date; id: string } | undefined, limit: number): ListQuery {
  let q = query;
  if (filter.env) q = q.where('environment', '=', filter.env);
  if (filter.noticeNumber) q = q.where('notice_number', '=', filter.noticeNumber);
  if (filter.token) q = q.where('token', '=', filter.token);
  if (filter.faultCode) q = q.where('fault_code', '=', filter.faultCode);
  if (filter.operation) q = q.where('operation', '=', filter.operation);
  if (before) q = q.where(({ eb, refTuple, tuple }) => eb(refTuple('at', 'id'), '<', tuple(before.at, before.id)));
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit);
}

export async function searchExchanges(
  db: Kysely<Database>,
  viewer: ExchangeViewer,
  filter: ExchangeFilter,
  before: { at: Date; id: string } | undefined,
  limit: number,
): Promise<ExchangeRow[]> {
  const base = (): ListQuery => db.selectFrom('pagopa_exchanges').select(LIST_COLUMNS);
  if ('admin' in viewer) return (await applyFilter(base(), filter, before, limit).execute()).map(rowOf);
  const [psp, ec, owner] = PARTY_COLUMNS.map((column) => applyFilter(base().where(column, '=', viewer.organisationId), filter, before, limit));
  // UNION (not ALL): a row whose organisation is party twice (EC and station owner) comes once.
  const merged = await sql<ListRow>`${psp} UNION ${ec} UNION ${owner} ORDER BY at DESC, id DESC LIMIT ${limit}`.execute(db);
  return merged.rows.map(rowOf);
}

export async function findExchange(db: Kysely<Database>, viewer: ExchangeViewer, id: string): Promise<ExchangeDetail | undefined> {
  let query = db.selectFrom('pagopa_exchanges').selectAll().where('id', '=', id);
  if (!('admin' in viewer)) {
    const org = viewer.organisationId;
    query = query.where((eb) => eb.or(PARTY_COLUMNS.map((column) => eb(column, '=', org))));
  }
  const row = await query.executeTakeFirst();
  return row ? { ...rowOf(row), request: row.request, response: row.response, responseWithheld: false } : undefined;
}

/** Retention: deletes rows whose exchange started before `before`, in batches; returns how many. */
export async function pruneExchanges(db: Kysely<Database>, before: Date, batch = 2000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db
      .deleteFrom('pagopa_exchanges')
      .where('id', 'in', (eb) => eb.selectFrom('pagopa_exchanges').select('id').where('at', '<', before).limit(batch))
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batch) return total;
  }
}

function rowOf(r: ListRow): ExchangeRow {
  // Raw UNION results come back through pg's own parsers: timestamps are Dates, integers numbers.
  const at = r.at instanceof Date ? r.at : new Date(r.at);
  return {
    id: r.id,
    cursor: cursorOf({ at, id: r.id }),
    env: r.environment,
    at,
    direction: r.direction,
    operation: r.operation,
    pspOrganisationId: r.psp_organisation_id,
    ecOrganisationId: r.ec_organisation_id,
    stationId: r.station_id,
    stationCode: r.station_code,
    stationOrganisationId: r.station_organisation_id,
    noticeNumber: r.notice_number,
    fiscalCode: r.fiscal_code,
    token: r.token,
    outcome: r.outcome,
    faultCode: r.fault_code,
    httpStatus: r.http_status,
    endpoint: r.endpoint === 'primary' || r.endpoint === 'secondary' ? r.endpoint : null,
    durationMs: r.duration_ms,
    error: r.error,
    errorWithheld: false,
    requestBytes: r.request_bytes,
    requestTruncated: r.request_truncated,
    responseBytes: r.response_bytes,
    responseTruncated: r.response_truncated,
  };
}

/**
 * Onboarding checklist (issue 14): whether a pagoPA message of the organisation passed through Varco, as
 * PSP, EC or owner of the station it reached (a technology partner is only ever the last).
 */
export async function hasExchanges(db: Kysely<Database>, organisationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('pagopa_exchanges')
    .select('id')
    .where((eb) => eb.or(PARTY_COLUMNS.map((column) => eb(column, '=', organisationId))))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
