import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { safeJson, safeText, type JsonBounds } from '../../kernel/card-data.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { EcommerceEnv } from './merchant.types.ts';
import { entryOf, type ErrorLogEntry, type StoredDebug } from './error-log.debug.ts';
import { searchErrorLog, type ErrorLogMerchant, type ErrorLogSearch } from './error-log.search.ts';

export type { DebugView, ErrorLogEntry, StoredDebug } from './error-log.debug.ts';
export { debugView } from './error-log.debug.ts';

// The merchant's error log: the hosted page writes one row per rejected request (Ingenico's
// *Configuration > Error logs*), the portal and `npx varco errors list` read them.

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
  async function listForMerchant(merchant: ErrorLogMerchant, filter: { env?: EcommerceEnv; limit?: number } = {}): Promise<ErrorLogEntry[]> {
    return searchErrorLog(db, merchant, { ...(filter.env ? { env: filter.env } : {}), limit: filter.limit ?? 200 });
  }

  /** The pages' search (issue 14): one merchant's rows (the portal) or every row (the back office). */
  const search = (scope: ErrorLogMerchant | 'all', filter: ErrorLogSearch): Promise<ErrorLogEntry[]> => searchErrorLog(db, scope, filter);

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
    ).map(entryOf);
  }

  return { recordEntryError, listForMerchant, listForPspid, search };
}

export type ErrorLogService = ReturnType<typeof createErrorLogService>;
