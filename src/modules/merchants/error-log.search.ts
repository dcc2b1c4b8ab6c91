import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { entryOf, type ErrorLogEntry } from './error-log.debug.ts';
import type { EcommerceEnv } from './merchant.types.ts';
import { likeContains } from '../../kernel/like.ts';

// Search of the hosted page's error log (issue 14): by environment, NCERROR code, a piece of the
// PSPID or ORDERID, and a date range, newest first, a page at a time (a cursor naming the last row
// shown). One merchant's rows for the portal, every row for the back office.

/** The rows a merchant may read: see `listForMerchant` in error-log.service.ts for why each part. */
export interface ErrorLogMerchant {
  id: string;
  pspids: readonly string[];
  createdAt: Date;
}

export interface ErrorLogSearch {
  env?: EcommerceEnv;
  /** The NCERROR code, exactly (e.g. 50001184). */
  code?: string;
  /** Part of the PSPID or of the ORDERID, any case. */
  text?: string;
  /** Rows written at or after `from` and before `until`. */
  from?: Date;
  until?: Date;
  /** Older than this row (the last one of the previous page). */
  before?: { at: Date; id: string };
  limit: number;
}

type Eb = ExpressionBuilder<Database, 'ecommerce_errors'>;

function ownedBy(eb: Eb, merchant: ErrorLogMerchant) {
  const names = [...new Set(merchant.pspids.map((p) => p.toUpperCase()))];
  return eb.or([
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
  ]);
}

/** `scope` 'all' is the back office's: every merchant's rows and those of unknown PSPIDs. */
export async function searchErrorLog(db: Kysely<Database>, scope: ErrorLogMerchant | 'all', filter: ErrorLogSearch): Promise<ErrorLogEntry[]> {
  let query = db.selectFrom('ecommerce_errors').selectAll();
  if (scope !== 'all') query = query.where((eb) => ownedBy(eb, scope));
  if (filter.env) query = query.where('environment', '=', filter.env);
  if (filter.code) query = query.where('code', '=', filter.code);
  const text = filter.text;
  if (text) query = query.where((eb) => eb.or([eb('pspid', 'ilike', likeContains(text)), eb('order_ref', 'ilike', likeContains(text))]));
  if (filter.from) query = query.where('created_at', '>=', filter.from);
  if (filter.until) query = query.where('created_at', '<', filter.until);
  const before = filter.before;
  if (before) query = query.where((eb) => eb.or([eb('created_at', '<', before.at), eb.and([eb('created_at', '=', before.at), eb('id', '<', before.id)])]));
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(entryOf);
}
