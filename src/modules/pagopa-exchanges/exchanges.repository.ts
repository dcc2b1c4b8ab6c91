import { sql, type Expression, type ExpressionBuilder, type Insertable, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { PagopaExchangesTable } from '../../db/schema.ts';
import { idCursor, parseIdCursor } from '../../kernel/ids.ts';
import type { CartNotice, ExchangeDetail, ExchangeFilter, ExchangeRow, ExchangeViewer } from './exchanges.types.ts';

// SQL of the exchange log (table pagopa_exchanges, migration 0014). Writes are one INSERT; reads are
// keyset-paginated on (at, id), newest first. Every party of a row (its PSP, EC and station owner, and
// the further organisations a cart or a receipt concerns) has a row in pagopa_exchange_parties, which
// the INSERT's trigger writes (migration 0053). A referent's organisation reads the rows it is party to
// with one scan of that table's key (organisation, at, exchange), newest first and limited, each row
// joined to the log by id — never a scan of the whole log sorted afterwards, and never a row of somebody else.
// A search by token or notice number is driven by that key instead (searchByKey): the log's own
// indexes, and for a cart's every notice the keys its other trigger writes (migration 0054).

export type ExchangeInsert = Insertable<PagopaExchangesTable>;
type StoredRow = Selectable<PagopaExchangesTable>;
type ListRow = Omit<StoredRow, 'request' | 'response'>;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

const LIST_COLUMNS = [
  'pagopa_exchanges.id',
  'pagopa_exchanges.environment',
  'pagopa_exchanges.at',
  'pagopa_exchanges.direction',
  'pagopa_exchanges.operation',
  'pagopa_exchanges.psp_organisation_id',
  'pagopa_exchanges.ec_organisation_id',
  'pagopa_exchanges.station_id',
  'pagopa_exchanges.station_code',
  'pagopa_exchanges.station_organisation_id',
  'pagopa_exchanges.further_organisation_ids',
  'pagopa_exchanges.cart_notices',
  'pagopa_exchanges.notice_number',
  'pagopa_exchanges.fiscal_code',
  'pagopa_exchanges.token',
  'pagopa_exchanges.outcome',
  'pagopa_exchanges.fault_code',
  'pagopa_exchanges.http_status',
  'pagopa_exchanges.endpoint',
  'pagopa_exchanges.duration_ms',
  'pagopa_exchanges.error',
  'pagopa_exchanges.request_bytes',
  'pagopa_exchanges.request_truncated',
  'pagopa_exchanges.response_bytes',
  'pagopa_exchanges.response_truncated',
] as const;

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

type Eb = ExpressionBuilder<Database, 'pagopa_exchanges'>;

/** The search's conditions on the log's own columns (the same for every viewer); `keys: false` leaves out token and notice number. */
function matches(eb: Eb, filter: ExchangeFilter, keys = true): Expression<SqlBool> {
  const conditions: Array<Expression<SqlBool>> = [];
  if (filter.env) conditions.push(eb('pagopa_exchanges.environment', '=', filter.env));
  if (keys && filter.noticeNumber) conditions.push(eb('pagopa_exchanges.notice_number', '=', filter.noticeNumber));
  if (keys && filter.token) conditions.push(eb('pagopa_exchanges.token', '=', filter.token));
  if (filter.faultCode) conditions.push(eb('pagopa_exchanges.fault_code', '=', filter.faultCode));
  if (filter.operation) conditions.push(eb('pagopa_exchanges.operation', '=', filter.operation));
  return eb.and(conditions);
}

/** Whether `organisationId` is party to the exchange `id`: one probe of the parties' key. */
const partyOf = (eb: Eb, organisationId: string) =>
  eb.exists(
    eb
      .selectFrom('pagopa_exchange_parties')
      .select('pagopa_exchange_parties.exchange_id')
      .whereRef('pagopa_exchange_parties.exchange_id', '=', 'pagopa_exchanges.id')
      .whereRef('pagopa_exchange_parties.at', '=', 'pagopa_exchanges.at')
      .where('pagopa_exchange_parties.organisation_id', '=', organisationId),
  );

type Cursor = { at: Date; id: string } | undefined;

export async function searchExchanges(
  db: Kysely<Database>,
  viewer: ExchangeViewer,
  filter: ExchangeFilter,
  before: Cursor,
  limit: number,
): Promise<ExchangeRow[]> {
  if (filter.token || filter.noticeNumber) return (await searchByKey(db, viewer, filter, before, limit)).map(rowOf);
  if ('admin' in viewer) {
    let query = db
      .selectFrom('pagopa_exchanges')
      .select(LIST_COLUMNS)
      .where((eb) => matches(eb, filter));
    if (before) query = query.where(({ eb, refTuple, tuple }) => eb(refTuple('pagopa_exchanges.at', 'pagopa_exchanges.id'), '<', tuple(before.at, before.id)));
    return (await query.orderBy('pagopa_exchanges.at', 'desc').orderBy('pagopa_exchanges.id', 'desc').limit(limit).execute()).map(rowOf);
  }
  // The page is read off the parties' key (organisation, at, exchange) backwards: the keyset and the
  // order are the party row's copy of (at, id), so the scan starts at the cursor and stops at the limit.
  let query = db
    .selectFrom('pagopa_exchange_parties')
    .innerJoin('pagopa_exchanges', 'pagopa_exchanges.id', 'pagopa_exchange_parties.exchange_id')
    .select(LIST_COLUMNS)
    .where('pagopa_exchange_parties.organisation_id', '=', viewer.organisationId)
    .where((eb) => matches(eb, filter));
  if (before)
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('pagopa_exchange_parties.at', 'pagopa_exchange_parties.exchange_id'), '<', tuple(before.at, before.id)),
    );
  const rows = await query.orderBy('pagopa_exchange_parties.at', 'desc').orderBy('pagopa_exchange_parties.exchange_id', 'desc').limit(limit).execute();
  return rows.map(rowOf);
}

/** A cart's notice to look for: the token and notice number searched for, and optionally whose it is. */
const cartProbe = (filter: ExchangeFilter, owner?: Record<string, string>): string =>
  JSON.stringify([{ ...(filter.token ? { token: filter.token } : {}), ...(filter.noticeNumber ? { noticeNumber: filter.noticeNumber } : {}), ...owner }]);

/**
 * A search by token or notice number, driven by that key, never by the viewer's rows: the log's rows
 * that are not carts from the log's (token, at) or (notice_number, at) index, each viewer's row checked
 * by one probe of the parties' key; carts from their keys' table (migration 0054), each checked on the
 * row to hold the key in a notice the viewer may read (its PSP: all; an institution or a station's
 * owner: its own). Each part is read newest first from the cursor and limited; the two are merged.
 */
async function searchByKey(db: Kysely<Database>, viewer: ExchangeViewer, filter: ExchangeFilter, before: Cursor, limit: number): Promise<ListRow[]> {
  let plain = db
    .selectFrom('pagopa_exchanges')
    .select(LIST_COLUMNS)
    .where('pagopa_exchanges.cart_notices', 'is', null)
    .where((eb) => matches(eb, filter));
  if (!('admin' in viewer)) {
    const id = viewer.organisationId;
    // A cart logged before its notices were kept (migrations 0053 to 0054) names its first notice's
    // token and number, which are that notice's parties' and the PSP's: a further party of the cart
    // (another notice's institution) finding it by them would learn they are in the cart (exchanges.cart.ts).
    plain = plain.where((eb) =>
      eb.and([
        partyOf(eb, id),
        eb.or([
          eb('pagopa_exchanges.operation', '!=', 'sendPaymentOutcomeV2'),
          sql<SqlBool>`coalesce(cardinality(pagopa_exchanges.further_organisation_ids), 0) = 0`,
          eb('pagopa_exchanges.psp_organisation_id', '=', id),
          eb('pagopa_exchanges.ec_organisation_id', '=', id),
          eb('pagopa_exchanges.station_organisation_id', '=', id),
        ]),
      ]),
    );
  }
  if (before) plain = plain.where(({ eb, refTuple, tuple }) => eb(refTuple('pagopa_exchanges.at', 'pagopa_exchanges.id'), '<', tuple(before.at, before.id)));

  const [kind, key] = filter.token ? (['token', filter.token] as const) : (['notice', filter.noticeNumber ?? ''] as const);
  let carts = db
    .selectFrom('pagopa_exchange_cart_keys')
    .innerJoin('pagopa_exchanges', (join) =>
      join.onRef('pagopa_exchanges.id', '=', 'pagopa_exchange_cart_keys.exchange_id').onRef('pagopa_exchanges.at', '=', 'pagopa_exchange_cart_keys.at'),
    )
    .select(LIST_COLUMNS)
    .where('pagopa_exchange_cart_keys.kind', '=', kind)
    .where('pagopa_exchange_cart_keys.key', '=', key)
    .where((eb) => matches(eb, filter, false));
  const holds = (probe: string) => sql<SqlBool>`pagopa_exchanges.cart_notices @> ${probe}::jsonb`;
  if ('admin' in viewer) carts = carts.where(holds(cartProbe(filter)));
  else {
    const id = viewer.organisationId;
    carts = carts.where((eb) =>
      eb.or([
        eb.and([eb('pagopa_exchanges.psp_organisation_id', '=', id), holds(cartProbe(filter))]),
        holds(cartProbe(filter, { ecOrganisationId: id })),
        holds(cartProbe(filter, { stationOrganisationId: id })),
      ]),
    );
  }
  if (before)
    carts = carts.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('pagopa_exchange_cart_keys.at', 'pagopa_exchange_cart_keys.exchange_id'), '<', tuple(before.at, before.id)),
    );

  const first = plain.orderBy('pagopa_exchanges.at', 'desc').orderBy('pagopa_exchanges.id', 'desc').limit(limit);
  const second = carts.orderBy('pagopa_exchange_cart_keys.at', 'desc').orderBy('pagopa_exchange_cart_keys.exchange_id', 'desc').limit(limit);
  return db
    .selectFrom(
      db
        .selectFrom(first.as('plain'))
        .selectAll()
        .unionAll(db.selectFrom(second.as('carts')).selectAll())
        .as('found'),
    )
    .selectAll()
    .orderBy('found.at', 'desc')
    .orderBy('found.id', 'desc')
    .limit(limit)
    .execute();
}

export async function findExchange(db: Kysely<Database>, viewer: ExchangeViewer, id: string): Promise<ExchangeDetail | undefined> {
  let query = db.selectFrom('pagopa_exchanges').selectAll().where('id', '=', id);
  if (!('admin' in viewer)) query = query.where((eb) => partyOf(eb, viewer.organisationId));
  const row = await query.executeTakeFirst();
  return row ? { ...rowOf(row), request: row.request, response: row.response, responseWithheld: false, cartView: 'whole' } : undefined;
}

/**
 * Retention: deletes rows whose exchange started before `before`, oldest first, with their parties and
 * a cart's keys, in batches; returns how many exchanges. A batch is one statement: the rows and the
 * party and key rows the triggers wrote for them (the organisations the row names, the keys of its
 * notices — pagopa_exchange_cart_keys_of, as the trigger — looked up by key).
 */
export async function pruneExchanges(db: Kysely<Database>, before: Date, batch = 2000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql<{ deleted: string }>`
      WITH batch AS (
        SELECT id, at, ARRAY[psp_organisation_id, ec_organisation_id, station_organisation_id] || further_organisation_ids AS parties, cart_notices
        FROM pagopa_exchanges WHERE at < ${before} ORDER BY at, id LIMIT ${batch}
      ), parties AS (
        DELETE FROM pagopa_exchange_parties p USING batch b
        WHERE p.organisation_id = ANY (b.parties) AND p.at = b.at AND p.exchange_id = b.id
      ), keys AS (
        DELETE FROM pagopa_exchange_cart_keys k USING batch b, LATERAL pagopa_exchange_cart_keys_of(b.cart_notices) c
        WHERE b.cart_notices IS NOT NULL AND k.kind = c.kind AND k.key = c.key AND k.at = b.at AND k.exchange_id = b.id
      ), gone AS (
        DELETE FROM pagopa_exchanges e USING batch b WHERE e.id = b.id RETURNING e.id
      )
      SELECT count(*) AS deleted FROM gone`.execute(db);
    const deleted = Number(result.rows[0]?.deleted ?? 0);
    total += deleted;
    if (deleted < batch) return total;
  }
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The stored notices of a cart: null for any other row; a value Varco did not write reads as a cart of unknown notices. */
function cartNoticesOf(value: unknown): CartNotice[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) return [];
  return value.flatMap((n: unknown) => {
    if (typeof n !== 'object' || n === null) return [];
    const v = n as Record<string, unknown>;
    const token = textOrNull(v.token);
    if (token === null) return [];
    return [
      {
        token,
        noticeNumber: textOrNull(v.noticeNumber),
        fiscalCode: textOrNull(v.fiscalCode),
        ecOrganisationId: textOrNull(v.ecOrganisationId),
        stationId: textOrNull(v.stationId),
        stationCode: textOrNull(v.stationCode),
        stationOrganisationId: textOrNull(v.stationOrganisationId),
      },
    ];
  });
}

function rowOf(r: ListRow): ExchangeRow {
  return {
    id: r.id,
    cursor: cursorOf(r),
    env: r.environment,
    at: r.at,
    direction: r.direction,
    operation: r.operation,
    pspOrganisationId: r.psp_organisation_id,
    ecOrganisationId: r.ec_organisation_id,
    stationId: r.station_id,
    stationCode: r.station_code,
    stationOrganisationId: r.station_organisation_id,
    furtherOrganisationIds: r.further_organisation_ids ?? [],
    cartNotices: cartNoticesOf(r.cart_notices),
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
 * PSP, EC or owner of the station it reached (a technology partner is only ever the last), or as a
 * further party (an EC of a cart's other notice, a notice's EC of a receipt sent to another institution).
 */
export async function hasExchanges(db: Kysely<Database>, organisationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('pagopa_exchange_parties')
    .innerJoin('pagopa_exchanges', 'pagopa_exchanges.id', 'pagopa_exchange_parties.exchange_id')
    .select('pagopa_exchange_parties.exchange_id')
    .where('pagopa_exchange_parties.organisation_id', '=', organisationId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
