import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { MaintenanceOperation } from '../../protocols/ogone/index.ts';
import { OPERATION_STATUSES, type LedgerChange, type OrderLedger } from './operations.policy.ts';
import type { StrandedCursor } from './orders.repository.ts';

// SQL of maintenance operations (one row per PAYIDSUB) and of the order's running totals. Every
// change happens under the order's row lock (lockLedger), so two operations on one order are decided
// one after the other; the orders table's CHECK constraints are the last word on the amounts.

export type OperationRow = Selectable<Database['payment_operations']>;
export type ActorType = 'api_user' | 'subscription' | 'referent' | 'admin' | 'cli' | 'system';

/** The order's totals, locked for the rest of the transaction; undefined when there is no such order. */
export async function lockLedger(trx: Kysely<Database>, orderId: string): Promise<(OrderLedger & { lastPayIdSub: number }) | undefined> {
  const row = await trx
    .selectFrom('orders')
    .select(['operation', 'paid_at', 'amount', 'captured', 'refunded', 'capture_closed', 'refund_closed', 'last_pay_id_sub'])
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  // Under the order's lock: no operation of this order is added or settled meanwhile.
  const unsettled = await trx
    .selectFrom('payment_operations')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount'), eb.val('0')).as('amount'))
    .where('order_id', '=', orderId)
    .where('operation', 'in', ['SAL', 'SAS'])
    .where('status', 'in', [OPERATION_STATUSES.capture.pending, OPERATION_STATUSES.capture.uncertain])
    .executeTakeFirstOrThrow();
  return {
    operation: row.operation,
    authorised: row.paid_at !== null,
    amount: Number(row.amount),
    captured: Number(row.captured),
    refunded: Number(row.refunded),
    captureClosed: row.capture_closed,
    refundClosed: row.refund_closed,
    capturesUnsettled: Number(unsettled.amount),
    lastPayIdSub: row.last_pay_id_sub,
  };
}

/** Applies (sign 1) or undoes (sign -1) what an operation reserves, and numbers it. */
export async function applyChange(trx: Kysely<Database>, orderId: string, change: LedgerChange, sign: 1 | -1, now: Date, payIdSub?: number): Promise<void> {
  await trx
    .updateTable('orders')
    .set({
      captured: sql`captured + ${sign * change.captured}`,
      refunded: sql`refunded + ${sign * change.refunded}`,
      ...(change.closeCapture ? { capture_closed: sign === 1 } : {}),
      ...(change.closeRefund ? { refund_closed: sign === 1 } : {}),
      ...(payIdSub !== undefined ? { last_pay_id_sub: payIdSub } : {}),
      updated_at: now,
    })
    .where('id', '=', orderId)
    .execute();
}

export async function setOrderStatus(trx: Kysely<Database>, orderId: string, status: number, ncError: string | null, now: Date): Promise<void> {
  await trx.updateTable('orders').set({ status, nc_error: ncError, updated_at: now }).where('id', '=', orderId).execute();
}

export interface NewOperation {
  id: string;
  orderId: string;
  payIdSub: number;
  operation: MaintenanceOperation;
  amount: number;
  status: number;
  actorType: ActorType;
  actorId: string | null;
  now: Date;
}

export async function insertOperation(trx: Kysely<Database>, o: NewOperation): Promise<void> {
  await trx
    .insertInto('payment_operations')
    .values({
      id: o.id,
      order_id: o.orderId,
      pay_id_sub: o.payIdSub,
      operation: o.operation,
      amount: o.amount,
      status: o.status,
      nc_error: '0',
      actor_type: o.actorType,
      actor_id: o.actorId,
      created_at: o.now,
      updated_at: o.now,
    })
    .execute();
}

export async function finishOperation(
  trx: Kysely<Database>,
  f: { id: string; status: number; ncError: string; acquirerRef: string | null; feedbackMessageId: string | null; now: Date },
): Promise<void> {
  await trx
    .updateTable('payment_operations')
    .set({ status: f.status, nc_error: f.ncError, acquirer_ref: f.acquirerRef, feedback_message_id: f.feedbackMessageId, updated_at: f.now })
    .where('id', '=', f.id)
    .execute();
}

export function findOperation(db: Kysely<Database>, orderId: string, payIdSub: number) {
  return db.selectFrom('payment_operations').selectAll().where('order_id', '=', orderId).where('pay_id_sub', '=', payIdSub).executeTakeFirst();
}

export function listOperations(db: Kysely<Database>, orderId: string) {
  return db.selectFrom('payment_operations').selectAll().where('order_id', '=', orderId).orderBy('pay_id_sub').execute();
}

/** The statuses of an operation still waiting for the acquirer's answer (91, 81, 61, 71, 51). */
const PENDING = Object.values(OPERATION_STATUSES).map((s) => s.pending);

/** The statuses of an operation of unknown outcome (92, 82, 62, 72, 52). */
const UNCERTAIN = Object.values(OPERATION_STATUSES).map((s) => s.uncertain);

/** Operations in `statuses` last changed in [since, before), oldest first; with `after`, those past that row. */
function listIn(db: Kysely<Database>, statuses: number[], window: { since?: Date; before: Date }, limit: number, after?: StrandedCursor) {
  let rows = db.selectFrom('payment_operations').selectAll().where('status', 'in', statuses).where('updated_at', '<', window.before);
  if (window.since) rows = rows.where('updated_at', '>=', window.since);
  if (after) rows = rows.where((eb) => eb(eb.refTuple('updated_at', 'id'), '>', eb.tuple(after.updatedAt, after.id)));
  return rows.orderBy('updated_at').orderBy('id').limit(limit).execute();
}

/**
 * Operations still waiting for the acquirer's answer since before `before`: their call ended long ago (it
 * is bounded), so the process that made it stopped before recording the answer. Oldest first; with
 * `after` (the last row of the previous page), those past it.
 */
export const listStrandedOperations = (db: Kysely<Database>, before: Date, limit: number, after?: StrandedCursor) =>
  listIn(db, PENDING, { before }, limit, after);

/**
 * Operations of unknown outcome that became so between `since` and `before` (an unanswered status query
 * does not touch the row), oldest first. Older ones are left to the merchant and the acquirer (docs/adr/0022).
 */
export const listUncertainOperations = (db: Kysely<Database>, since: Date, before: Date, limit: number, after?: StrandedCursor) =>
  listIn(db, UNCERTAIN, { since, before }, limit, after);

/** The order's operations that set its status — confirmed or of unknown outcome — newest first (under the order's lock). */
export function standingOperations(trx: Kysely<Database>, orderId: string) {
  const statuses = Object.values(OPERATION_STATUSES).flatMap((s) => [s.done, s.uncertain]);
  return trx
    .selectFrom('payment_operations')
    .select(['pay_id_sub', 'status', 'nc_error'])
    .where('order_id', '=', orderId)
    .where('status', 'in', statuses)
    .orderBy('pay_id_sub', 'desc')
    .execute();
}

/** An operation's status, read under its order's lock (lockLedger). */
export async function operationStatus(trx: Kysely<Database>, id: string): Promise<number | undefined> {
  return (await trx.selectFrom('payment_operations').select('status').where('id', '=', id).executeTakeFirst())?.status;
}
