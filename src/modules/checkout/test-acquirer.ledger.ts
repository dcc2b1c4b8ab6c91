import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { AcquirerStatus, MaintenanceResult, OperationStatus } from './acquirer.ts';

// The test acquirer's ledger (migration 0049), in PostgreSQL so every instance's twin answers alike and
// a restart forgets nothing: the latest answer per order reference (the status query's) and every
// maintenance operation it processed or declined (the operation status query's). Rows go after
// TEST_LEDGER_RETENTION_DAYS (`retention.test_acquirer`, src/app/retention.ts).

/**
 * How long the twin remembers an answer (days since it was given). The reconciliation job asks about an
 * order for RECONCILE_MAX_AGE_MS (30 minutes) and about an operation for a day after it became uncertain
 * (RECONCILE_OPERATION_MAX_AGE_MS); a week is a wide margin over both.
 */
export const TEST_LEDGER_RETENTION_DAYS = 7;

const BATCH = 2000;

type Db = Kysely<Database>;

/** Records `status` as the latest answer under `orderRef`, replacing an earlier one. */
export async function recordTransaction(db: Db, orderRef: string, status: AcquirerStatus, at: Date): Promise<void> {
  const row = {
    state: status.state,
    pay_id: 'payId' in status ? (status.payId ?? null) : null,
    acceptance: status.state === 'authorised' ? status.acceptance : null,
    nc_error: status.state === 'refused' ? status.ncError : null,
    updated_at: at,
  };
  await db
    .insertInto('test_acquirer_transactions')
    .values({ order_ref: orderRef, ...row })
    .onConflict((oc) => oc.column('order_ref').doUpdateSet(row))
    .execute();
}

/** The latest answer under `orderRef`; `not_found` when the twin never registered one (or has forgotten it). */
export async function findTransaction(db: Db, orderRef: string): Promise<AcquirerStatus> {
  const row = await db.selectFrom('test_acquirer_transactions').selectAll().where('order_ref', '=', orderRef).executeTakeFirst();
  switch (row?.state) {
    case 'authorised':
      return { state: 'authorised', payId: row.pay_id ?? '', acceptance: row.acceptance ?? '' };
    case 'refused':
      return { state: 'refused', ...(row.pay_id !== null ? { payId: row.pay_id } : {}), ncError: row.nc_error ?? '' };
    case 'unknown':
      return { state: 'unknown' };
    case 'not_found':
    case undefined:
      return { state: 'not_found' };
  }
}

/** Records what the twin did with a maintenance operation (asked again under the same reference: the newer answer). */
export async function recordOperation(db: Db, operationRef: string, result: MaintenanceResult, at: Date): Promise<void> {
  const row = {
    outcome: result.outcome,
    reference: result.outcome === 'done' ? result.reference : null,
    nc_error: result.outcome === 'refused' ? result.ncError : null,
    updated_at: at,
  };
  await db
    .insertInto('test_acquirer_operations')
    .values({ operation_ref: operationRef, ...row })
    .onConflict((oc) => oc.column('operation_ref').doUpdateSet(row))
    .execute();
}

/** What the twin did with the operation `operationRef`; `not_found` when it never received it (or has forgotten it). */
export async function findOperation(db: Db, operationRef: string): Promise<OperationStatus> {
  const row = await db.selectFrom('test_acquirer_operations').selectAll().where('operation_ref', '=', operationRef).executeTakeFirst();
  if (!row) return { state: 'not_found' };
  return row.outcome === 'done' ? { state: 'done', reference: row.reference ?? '' } : { state: 'refused', ncError: row.nc_error ?? '' };
}

/** Deletes the twin's answers last given before `before`, in batches; returns how many rows went. */
export async function pruneTestAcquirerLedger(db: Db, before: Date, batch = BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const [transactions, operations] = await Promise.all([
      db
        .deleteFrom('test_acquirer_transactions')
        .where('order_ref', 'in', (eb) => eb.selectFrom('test_acquirer_transactions').select('order_ref').where('updated_at', '<', before).limit(batch))
        .executeTakeFirst(),
      db
        .deleteFrom('test_acquirer_operations')
        .where('operation_ref', 'in', (eb) => eb.selectFrom('test_acquirer_operations').select('operation_ref').where('updated_at', '<', before).limit(batch))
        .executeTakeFirst(),
    ]);
    const deleted = [Number(transactions.numDeletedRows), Number(operations.numDeletedRows)];
    total += deleted.reduce((sum, n) => sum + n, 0);
    if (deleted.every((n) => n < batch)) return total;
  }
}
