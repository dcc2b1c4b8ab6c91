import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { safeJson, safeText, type JsonBounds } from '../../kernel/card-data.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { EcommerceEnv } from './merchant.types.ts';

// The merchant's error log: the hosted page writes one row per rejected request (Ingenico's
// *Configuration > Error logs*), the portal and `npx varco errors list` read them.

/**
 * `ecommerce_errors.debug`: the signature debugger of one rejected request. The hosted page
 * writes the `SignatureDebug` of entry.debug.ts; `{}` or `{ page, problem }` for rejections that
 * happened before a signature could be judged. The read side (`debugView`) accepts:
 *
 *     {
 *       included:  string[]                 // names hashed, upper-case, in the order hashed
 *               | Array<[name, value]>,     //   or with their values as received
 *       candidates?: Array<{ order, masked }>,   // the string hashed per sort order, passphrase as ********
 *       maskedString?: string,                    //   or one string (the ascii order)…
 *       orders?: Array<{ order, maskedString }>,  //   …and the other orders when they differ
 *       algorithm: 'sha1'|'sha256'|'sha512', hashingMethod?, encoding?: 'utf8'|'latin1', page?,
 *       passphraseSet?: boolean, shasign?: 'missing'|'given', received?: string[] (names as sent),
 *       duplicate?: string (a signed parameter sent twice), problem?: { code, name? }
 *     }
 *
 * Never stored: the passphrase (strings are composed with the mask, not masked afterwards) and
 * the digest Varco expected (anyone reading the log could then sign with the data shown). Card
 * data never reaches the table either: `recordEntryError` runs every column through the card-data
 * sanitiser (verification fields dropped, PANs masked to first six / last four, sizes bounded),
 * whichever shape the caller used.
 */
export type StoredDebug = object;

export interface EntryErrorInput {
  merchantId: string | null;
  env: EcommerceEnv;
  pspid: string | null;
  orderRef: string | null;
  /** Stable code of the rejection: the NCERROR (e.g. 50001184). */
  code: string;
  /** The platform's text, e.g. `unknown order/1/s/`. */
  message: string;
  clientIp: string | null;
  referrer: string | null;
  debug?: StoredDebug | null;
}

/** What the Error logs page shows for one row, whichever shape was stored. */
export interface DebugView {
  included: Array<{ name: string; value: string | null }>;
  /** The string hashed (passphrase masked), per sort order; the first is the one clients use most. */
  strings: Array<{ order: string; masked: string }>;
  algorithm: string | null;
  hashingMethod: string | null;
  encoding: string | null;
  page: string | null;
  passphraseSet: boolean | null;
  shasign: 'missing' | 'given' | null;
  duplicate: string | null;
  problem: string | null;
}

export interface ErrorLogEntry {
  id: string;
  at: Date;
  env: string;
  pspid: string | null;
  orderRef: string | null;
  code: string;
  message: string;
  clientIp: string | null;
  referrer: string | null;
  debug: DebugView | null;
}

/**
 * The size of one row: each text column is cut to its limit (characters) and the debug JSON to
 * DEBUG_MAX_BYTES once serialised, after card data was removed (kernel/card-data.ts). Together at
 * most 580 characters of text columns (≤ 1,740 bytes in UTF-8) + 2,048 bytes of debug + id, bucket
 * and times: under 4 KiB per row, however large the request (up to 256 KiB) was.
 */
export const ERROR_ROW_LIMITS = Object.freeze({ pspid: 40, orderRef: 60, code: 16, message: 200, clientIp: 64, referrer: 200 });
export const DEBUG_MAX_BYTES = 2048;
const DEBUG_BOUNDS: JsonBounds = { maxString: 1500, maxItems: 64, maxDepth: 5, maxBytes: DEBUG_MAX_BYTES };
/** Default bound of rows per PSPID (VARCO_ERROR_LOG_MAX_ROWS). */
export const ERROR_LOG_DEFAULT_MAX_ROWS = 5000;

const text = (value: string | null, max: number): string | null => (value === null ? null : safeText(value, max));

/** A deep copy safe to keep: card data removed, within DEBUG_MAX_BYTES, only JSON values. */
export function sanitizeDebug(value: unknown): unknown {
  return safeJson(value, DEBUG_BOUNDS);
}

/** The ring a row belongs to: one per known PSPID (merchant and environment), one for all unknown PSPIDs. */
export function errorBucket(merchantId: string | null, env: EcommerceEnv): string {
  return merchantId === null ? '*' : `${merchantId}:${env}`;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function includedOf(v: unknown): DebugView['included'] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((item: unknown): DebugView['included'] => {
    if (typeof item === 'string') return [{ name: item, value: null }];
    if (Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'string') return [{ name: item[0], value: item[1] }];
    return [];
  });
}

function stringsOf(v: Record<string, unknown>): DebugView['strings'] {
  const out: DebugView['strings'] = [];
  const push = (order: unknown, masked: unknown): void => {
    if (typeof order === 'string' && typeof masked === 'string' && !out.some((s) => s.masked === masked)) out.push({ order, masked });
  };
  if (Array.isArray(v.candidates))
    for (const c of v.candidates as unknown[])
      if (c && typeof c === 'object') push((c as Record<string, unknown>).order, (c as Record<string, unknown>).masked);
  if (typeof v.maskedString === 'string') push('ascii', v.maskedString);
  if (Array.isArray(v.orders))
    for (const o of v.orders as unknown[])
      if (o && typeof o === 'object') push((o as Record<string, unknown>).order, (o as Record<string, unknown>).maskedString);
  return out;
}

/** Reads a stored `debug` back for the page; null when it holds nothing to show. */
export function debugView(value: unknown): DebugView | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const problem = v.problem && typeof v.problem === 'object' ? (v.problem as Record<string, unknown>) : null;
  const view: DebugView = {
    included: includedOf(v.included),
    strings: stringsOf(v),
    algorithm: str(v.algorithm),
    hashingMethod: str(v.hashingMethod),
    encoding: str(v.encoding),
    page: str(v.page),
    passphraseSet: typeof v.passphraseSet === 'boolean' ? v.passphraseSet : null,
    shasign: v.shasign === 'missing' || v.shasign === 'given' ? v.shasign : null,
    duplicate: str(v.duplicate),
    problem: problem ? [str(problem.code), str(problem.name)].filter(Boolean).join(' ') || null : null,
  };
  const empty = view.included.length === 0 && view.strings.length === 0 && view.algorithm === null && view.problem === null && view.page === null;
  return empty ? null : view;
}

export interface ErrorLogOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** Rows kept per PSPID (and for unknown PSPIDs together); the oldest is replaced first. */
  maxRowsPerPspid?: number;
}

export function createErrorLogService(options: ErrorLogOptions) {
  const { db, clock } = options;
  const maxRows = options.maxRowsPerPspid ?? ERROR_LOG_DEFAULT_MAX_ROWS;

  /**
   * The hosted page's writer: one row per rejected request, returns its id (`err_…`). One
   * statement: the bucket's counter is advanced and the row written to slot (count - 1) modulo
   * the bound, replacing the oldest row once the ring is full. No DELETE on this path, except
   * once per turn of the ring for slots beyond a bound that was lowered since.
   */
  async function recordEntryError(input: EntryErrorInput): Promise<string> {
    const id = newId('err');
    const bucket = errorBucket(input.merchantId, input.env);
    const debug = JSON.stringify(input.debug ? sanitizeDebug(input.debug) : {});
    const L = ERROR_ROW_LIMITS;
    const { rows } = await sql<{ slot: number }>`
      WITH counter AS (
        INSERT INTO ecommerce_error_counters AS c (bucket, written) VALUES (${bucket}, 1)
        ON CONFLICT (bucket) DO UPDATE SET written = c.written + 1
        RETURNING written
      )
      INSERT INTO ecommerce_errors (id, merchant_id, environment, pspid, order_ref, code, message, client_ip, referrer, debug, created_at, bucket, slot)
      SELECT ${id}, ${input.merchantId}, ${input.env}, ${text(input.pspid, L.pspid)}, ${text(input.orderRef, L.orderRef)}, ${text(input.code, L.code) ?? ''},
        ${text(input.message, L.message) ?? ''}, ${text(input.clientIp, L.clientIp)}, ${text(input.referrer, L.referrer)}, ${debug}::jsonb, ${clock.now()},
        ${bucket}, ((counter.written - 1) % ${maxRows})::int
      FROM counter
      ON CONFLICT (bucket, slot) DO UPDATE SET id = EXCLUDED.id, merchant_id = EXCLUDED.merchant_id, environment = EXCLUDED.environment,
        pspid = EXCLUDED.pspid, order_ref = EXCLUDED.order_ref, code = EXCLUDED.code, message = EXCLUDED.message, client_ip = EXCLUDED.client_ip,
        referrer = EXCLUDED.referrer, debug = EXCLUDED.debug, created_at = EXCLUDED.created_at
      RETURNING slot`.execute(db);
    if (rows[0]?.slot === maxRows - 1) {
      await db.deleteFrom('ecommerce_errors').where('bucket', '=', bucket).where('slot', '>=', maxRows).execute();
    }
    return id;
  }

  /**
   * A merchant's log, newest first: its own rows, plus rows naming one of its PSPIDs without a merchant
   * (written while its environment had no active subscription) since the merchant was created — but
   * never in an environment where another merchant holds that PSPID: a name is per environment
   * (pspid_claims), and those rows are the other merchant's customers' requests.
   */
  async function listForMerchant(
    merchant: { id: string; pspids: readonly string[]; createdAt: Date },
    filter: { env?: EcommerceEnv; limit?: number } = {},
  ): Promise<ErrorLogEntry[]> {
    const names = [...new Set(merchant.pspids.map((p) => p.toUpperCase()))];
    let query = db
      .selectFrom('ecommerce_errors')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('merchant_id', '=', merchant.id),
          eb.and([
            eb('merchant_id', 'is', null),
            eb(sql<string>`upper(pspid)`, 'in', names.length > 0 ? names : ['']),
            eb('created_at', '>=', merchant.createdAt),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('pspid_claims')
                  .select(sql`1`.as('one'))
                  .whereRef('pspid_claims.environment', '=', 'ecommerce_errors.environment')
                  .where(sql<string>`upper(pspid_claims.pspid)`, '=', sql<string>`upper(ecommerce_errors.pspid)`)
                  .where('pspid_claims.merchant_id', '<>', merchant.id),
              ),
            ),
          ]),
        ]),
      );
    if (filter.env) query = query.where('environment', '=', filter.env);
    return (
      await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 200)
        .execute()
    ).map(entry);
  }

  /** For operators: every row naming the PSPID (unknown PSPIDs too), newest first. */
  async function listForPspid(pspid: string, filter: { env?: EcommerceEnv; limit?: number } = {}): Promise<ErrorLogEntry[]> {
    let query = db
      .selectFrom('ecommerce_errors')
      .selectAll()
      .where(sql<string>`upper(pspid)`, '=', pspid.toUpperCase());
    if (filter.env) query = query.where('environment', '=', filter.env);
    return (
      await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 200)
        .execute()
    ).map(entry);
  }

  return { recordEntryError, listForMerchant, listForPspid };
}

function entry(row: {
  id: string;
  created_at: Date;
  environment: string;
  pspid: string | null;
  order_ref: string | null;
  code: string;
  message: string;
  client_ip: string | null;
  referrer: string | null;
  debug: unknown;
}): ErrorLogEntry {
  return {
    id: row.id,
    at: row.created_at,
    env: row.environment,
    pspid: row.pspid,
    orderRef: row.order_ref,
    code: row.code,
    message: row.message,
    clientIp: row.client_ip,
    referrer: row.referrer,
    debug: debugView(row.debug),
  };
}

export type ErrorLogService = ReturnType<typeof createErrorLogService>;
