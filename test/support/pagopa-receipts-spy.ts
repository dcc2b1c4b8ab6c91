import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import type { PaidPayment, ReceiptScheduler } from '../../src/modules/pagopa-node/index.ts';

// A watching ReceiptScheduler for the node's tests: it hands every call on to the real receipts
// service (src/modules/pagopa-receipts) and keeps what the node gave it, so tests can observe the
// scheduling. It reads the payment's row THROUGH THE TRANSACTION it was given, which shows the call
// happens inside the transaction that records the outcome (the row already says `paid` there, while
// other connections still see it active); and it can be told to fail, as a broken receipts module would.

export interface ScheduledReceipt {
  paid: PaidPayment;
  /** The payment's state as the given transaction sees it when schedule() runs. */
  stateInTransaction: string | undefined;
  /** Whether the given connection was inside a transaction that had already written. */
  inTransaction: boolean;
}

export interface WatchedReceipts extends ReceiptScheduler {
  readonly scheduled: ScheduledReceipt[];
  /** The next `times` calls throw (as a failing receipts module would): the outcome must roll back. */
  failNext(times?: number): void;
}

export function watchReceipts(inner: ReceiptScheduler): WatchedReceipts {
  const scheduled: ScheduledReceipt[] = [];
  let failures = 0;
  return {
    scheduled,
    failNext: (times = 1) => {
      failures += times;
    },
    async schedule(trx: Kysely<Database>, paid: PaidPayment): Promise<string[]> {
      const row = await trx.selectFrom('pagopa_payments').select('state').where('token', '=', paid.token).executeTakeFirst();
      // A transaction id is assigned once the transaction has written (the outcome's UPDATE): only inside it.
      const block = await sql<{ inside: boolean }>`SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS inside`.execute(trx);
      if (failures > 0) {
        failures--;
        throw new Error('interim receipts: refusing to schedule, as told');
      }
      scheduled.push({ paid, stateInTransaction: row?.state, inTransaction: block.rows[0]?.inside === true });
      return inner.schedule(trx, paid);
    },
  };
}
