import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

// Retention of the hosted page's error log (VARCO_RETENTION_ERROR_LOG_DAYS): rows older than the
// cut-off go, in batches. (The bound on rows per PSPID is applied when rows are written.)

const BATCH = 2000;

/** Deletes error-log rows created before `before`; returns how many. */
export async function pruneErrorLog(db: Kysely<Database>, before: Date, batch = BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db
      .deleteFrom('ecommerce_errors')
      .where('id', 'in', (eb) => eb.selectFrom('ecommerce_errors').select('id').where('created_at', '<', before).limit(batch))
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batch) return total;
  }
}
