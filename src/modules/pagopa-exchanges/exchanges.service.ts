import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { VarcoError } from '../../kernel/errors.ts';
import { EC_OPERATIONS, PSP_OPERATIONS } from '../../protocols/pagopa/index.ts';
import { groupWriter } from '../../kernel/group-writer.ts';
import { isId, newId } from '../../kernel/ids.ts';
import { DEFAULT_LIMIT, findExchange, insertExchanges, MAX_LIMIT, parseCursor, searchExchanges, type ExchangeInsert } from './exchanges.repository.ts';
import { boundMessage, clampInt, cleanField, MAX_MESSAGE_BYTES } from './exchanges.sanitize.ts';
import { cartDetailFor, cartRowFor } from './exchanges.cart.ts';
import type { CartNotice, ExchangeDetail, ExchangeEntry, ExchangeFilter, ExchangeRow, ExchangeViewer } from './exchanges.types.ts';

// The exchange log's use cases. `record` is on the node's hot path: it builds the row in memory
// (masking, bounds) and INSERTs it — no read, no transaction of its own (the INSERT's trigger writes
// the row's parties for the portal's reads, migration 0053). Rows recorded while an INSERT is in
// flight go together in the next one (one round trip and one commit per group instead of per message,
// issue 15); every caller still waits until its own row is committed. `search` and `get` serve the
// portal (a party's organisation) and the back office (every row); a cart outcome is given to each of
// its institutions as its own notice's, the others' tokens masked (exchanges.cart.ts).

/** Bounds of the short columns (characters); pagoPA's own values are far shorter (token 35, notice 18). */
const FIELD_MAX = { id: 64, operation: 64, code: 64, notice: 64, token: 64, fiscalCode: 64, station: 64, error: 2000 } as const;
/** PostgreSQL integer columns. */
const INT_MAX = 2_147_483_647;

export interface ExchangeLogOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** Per-message bound in bytes (default MAX_MESSAGE_BYTES, 256 KiB). */
  maxMessageBytes?: number;
}

export interface ExchangeLog {
  /** Stores one exchange; returns its id (`msg_…`). Throws only when the database does. */
  record(entry: ExchangeEntry): Promise<string>;
  /** Newest first; `filter.before` is a row's cursor. A malformed cursor is a `validation_failed` error. */
  search(viewer: ExchangeViewer, filter?: ExchangeFilter): Promise<ExchangeRow[]>;
  /** One exchange with both messages; undefined when unknown or the viewer is not party to it. */
  get(viewer: ExchangeViewer, id: string): Promise<ExchangeDetail | undefined>;
}

/** The operations the log holds messages of (what the pages offer to filter on). */
export const EXCHANGE_OPERATIONS: readonly string[] = [...PSP_OPERATIONS, ...EC_OPERATIONS];

const outcomeOf = (value: unknown): 'OK' | 'KO' | null => (value === 'OK' || value === 'KO' ? value : null);

/** A cart names at most 5 notices, each an EC and a station owner; more is not a message of ours. */
const FURTHER_MAX = 16;

/** The further parties as stored: bounded ids, each once, none of the three columns'; null when none. */
function furtherParties(entry: ExchangeEntry, named: ReadonlyArray<string | null>): string[] | null {
  const ids = new Set<string>();
  for (const value of entry.furtherOrganisationIds ?? []) {
    const id = cleanField(value, FIELD_MAX.id);
    if (id !== null && !named.includes(id) && ids.size < FURTHER_MAX) ids.add(id);
  }
  return ids.size === 0 ? null : [...ids];
}

/** A cart names at most 5 tokens (the XSD); a longer list is cut, and a token left out is masked to every institution. */
const CART_MAX = 8;

/** A cart's notices as stored (JSON): bounded values, tokens only when one is given; null when none. */
function cartNotices(entry: ExchangeEntry): string | null {
  const notices: CartNotice[] = [];
  for (const n of (entry.cartNotices ?? []).slice(0, CART_MAX)) {
    const token = cleanField(n.token, FIELD_MAX.token);
    if (token === null) continue;
    notices.push({
      token,
      noticeNumber: cleanField(n.noticeNumber, FIELD_MAX.notice),
      fiscalCode: cleanField(n.fiscalCode, FIELD_MAX.fiscalCode),
      ecOrganisationId: cleanField(n.ecOrganisationId, FIELD_MAX.id),
      stationId: cleanField(n.stationId, FIELD_MAX.id),
      stationCode: cleanField(n.stationCode, FIELD_MAX.station),
      stationOrganisationId: cleanField(n.stationOrganisationId, FIELD_MAX.id),
    });
  }
  return notices.length === 0 ? null : JSON.stringify(notices);
}

/** The row `record` inserts: pure, total (odd content is stored safely, never refused). */
export function exchangeRow(id: string, entry: ExchangeEntry, now: Date, maxMessageBytes = MAX_MESSAGE_BYTES): ExchangeInsert {
  const request = boundMessage(entry.request, maxMessageBytes);
  const hasResponse = entry.response !== undefined && entry.response !== null;
  const response = hasResponse ? boundMessage(entry.response, maxMessageBytes) : undefined;
  const at = entry.at instanceof Date && !Number.isNaN(entry.at.getTime()) ? entry.at : now;
  const parties = {
    psp_organisation_id: cleanField(entry.pspOrganisationId, FIELD_MAX.id),
    ec_organisation_id: cleanField(entry.ecOrganisationId, FIELD_MAX.id),
    station_organisation_id: cleanField(entry.stationOrganisationId, FIELD_MAX.id),
  };
  return {
    id,
    environment: entry.env,
    at,
    direction: entry.direction,
    operation: cleanField(entry.operation, FIELD_MAX.operation) ?? '',
    ...parties,
    station_id: cleanField(entry.stationId, FIELD_MAX.id),
    station_code: cleanField(entry.stationCode, FIELD_MAX.station),
    further_organisation_ids: furtherParties(entry, Object.values(parties)),
    cart_notices: cartNotices(entry),
    notice_number: cleanField(entry.noticeNumber, FIELD_MAX.notice),
    fiscal_code: cleanField(entry.fiscalCode, FIELD_MAX.fiscalCode),
    token: cleanField(entry.token, FIELD_MAX.token),
    outcome: outcomeOf(entry.outcome),
    fault_code: cleanField(entry.faultCode, FIELD_MAX.code),
    http_status: clampInt(entry.httpStatus, 0, 999, null),
    endpoint: entry.endpoint === 'primary' || entry.endpoint === 'secondary' ? entry.endpoint : null,
    duration_ms: clampInt(entry.durationMs, 0, INT_MAX, 0) ?? 0,
    error: cleanField(entry.error, FIELD_MAX.error),
    request: request.text,
    request_bytes: Math.min(request.bytes, INT_MAX),
    request_truncated: request.truncated,
    response: response?.text ?? null,
    response_bytes: response ? Math.min(response.bytes, INT_MAX) : null,
    response_truncated: response?.truncated ?? false,
  };
}

/** A group's bounds: rows, and bytes of messages (a row holds up to two bounded messages). */
const GROUP_ROWS = 50;
const GROUP_BYTES = 2 * 1024 * 1024;

/**
 * Whether the viewer operates the station side of this exchange: an outbound call's failure names the
 * station's host and address (a refused connection, a certificate, a timeout), which the PSP it served
 * must not learn. An inbound message's failure is about the caller's own request.
 */
function readsStationDetails(viewer: ExchangeViewer, row: Pick<ExchangeRow, 'direction' | 'ecOrganisationId' | 'stationOrganisationId'>): boolean {
  if ('admin' in viewer || row.direction === 'in') return true;
  return viewer.organisationId === row.ecOrganisationId || viewer.organisationId === row.stationOrganisationId;
}

/** The row without its failure text, for a viewer who does not operate the station (readsStationDetails). */
function withoutError<R extends ExchangeRow>(row: R): R {
  return row.error === null ? row : { ...row, error: null, errorWithheld: true };
}

export function createExchangeLog(options: ExchangeLogOptions): ExchangeLog {
  const { db, clock } = options;
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  // Rows recorded while an INSERT is in flight go together in the next; a row the database refuses
  // fails only its own caller (kernel/group-writer.ts).
  const insert = groupWriter<ExchangeInsert, undefined>({
    write: async (rows) => {
      await insertExchanges(db, rows);
      return rows.map(() => undefined);
    },
    maxItems: GROUP_ROWS,
    maxSize: GROUP_BYTES,
    sizeOf: (row) => (row.request?.length ?? 0) + (row.response?.length ?? 0),
    isolateFailures: true,
  });

  return {
    async record(entry) {
      const now = clock.now();
      const id = newId('msg', now.getTime());
      await insert(exchangeRow(id, entry, now, maxBytes));
      return id;
    },

    async search(viewer, filter = {}) {
      const before = filter.before ? parseCursor(filter.before) : undefined;
      if (filter.before && !before) throw new VarcoError('validation_failed', 'The page cursor is not valid; start again from the first page.');
      const limit = clampInt(filter.limit, 1, MAX_LIMIT, DEFAULT_LIMIT) ?? DEFAULT_LIMIT;
      return (await searchExchanges(db, viewer, filter, before, limit))
        .map((row) => cartRowFor(viewer, row, filter))
        .map((row) => (readsStationDetails(viewer, row) ? row : withoutError(row)));
    },

    async get(viewer, id) {
      const found = isId(id, 'msg') ? await findExchange(db, viewer, id) : undefined;
      const detail = found && cartDetailFor(viewer, found);
      if (!detail || readsStationDetails(viewer, detail)) return detail;
      const seen = withoutError(detail);
      // No SOAP outcome read from a station's answer: it was not SOAP, and may name the server.
      return seen.outcome === null && seen.response !== null ? { ...seen, response: null, responseWithheld: true } : seen;
    },
  };
}
