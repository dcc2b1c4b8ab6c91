/**
 * Maintenance of authorised payments (docs/reference/ogone/directlink.md, `maintenancedirect.asp`): capture, refund, cancel and
 * renew, in parts, each a PAYIDSUB of the order with its own status and server-to-server feedback.
 * One use case for every caller — DirectLink's maintenancedirect today, the portal's buttons and the
 * JSON API later: `maintain(target, operation, amount, actor)`.
 *
 * Three steps, so the acquirer is never called while a row lock is held: (1) under the order's lock
 * the policy decides and the amount is reserved on the order's totals (a second capture racing this
 * one waits for the lock and sees the first one's amount), the operation row is written "pending";
 * (2) the acquirer is asked; (3) under the lock again the operation gets its final status, a refusal
 * gives the reservation back, and the feedback is enqueued. An acquirer that throws or does not
 * answer leaves the operation uncertain (92/82/62/72/52) with its amount kept reserved.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { isId, newId } from '../../kernel/ids.ts';
import { NC_ERROR, OGONE_STATUS, type MaintenanceOperation } from '../../protocols/ogone/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { EcommerceEnv, MerchantConfig, MerchantDirectory } from '../merchants/index.ts';
import type { Acquirer, MaintenanceKind, MaintenanceResult } from './acquirer.ts';
import { INTERRUPTED, withDeadline, type CallLogger } from './acquirer.call.ts';
import { decideOperation, OPERATION_STATUSES, reservationOf, type LedgerChange, type OperationStatuses } from './operations.policy.ts';
import { enqueueOperationFeedback } from './operations.feedback.ts';
import { visitPages } from '../../kernel/pages.ts';
import * as ops from './operations.repository.ts';
import { findOrder, type OrderRecord, pspidOf } from './orders.repository.ts';

/** Who asks: an API user (DirectLink), a referent or an administrator (pages), the CLI, the system. */
export interface OperationActor {
  readonly type: ops.ActorType;
  readonly id: string | null;
  readonly ip?: string | null;
}

/** The order, and whom it must belong to: another merchant's, organisation's or environment's is "not found". */
export interface OrderTarget {
  readonly orderId: string;
  readonly merchantId?: string;
  readonly organisationId?: string;
  readonly env?: EcommerceEnv;
}

export interface OperationView {
  readonly payIdSub: number;
  readonly operation: MaintenanceOperation;
  readonly amount: number;
  readonly status: number;
  readonly ncError: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Who asked for it: the shop's server (`api_user`), a referent, an administrator, the CLI. */
  readonly actorType: ops.ActorType;
  /** The server-to-server message that notified it, if any. */
  readonly feedbackMessageId: string | null;
}

export type MaintainResult =
  | { readonly ok: true; readonly order: OrderRecord; readonly operation: OperationView }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'refused'; readonly order: OrderRecord; readonly ncError: string; readonly text: string };

export interface OperationsServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  merchants: MerchantDirectory;
  acquirers: Partial<Record<EcommerceEnv, Acquirer>>;
  /** Operations asked by people (referents, administrators, the CLI) are audited; an API user's are in the ledger only. */
  audit?: AuditLog;
  acquirerTimeoutMs?: number;
  logger?: CallLogger;
}

export const viewOf = (row: ops.OperationRow): OperationView => ({
  payIdSub: row.pay_id_sub,
  operation: row.operation,
  amount: Number(row.amount),
  status: row.status,
  ncError: row.nc_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  actorType: row.actor_type,
  feedbackMessageId: row.feedback_message_id,
});

type Reserved = { id: string; payIdSub: number; amount: number; kind: MaintenanceKind; statuses: OperationStatuses; change: LedgerChange };

/** Confirmed captures remain: one still at the acquirer (91) or of unknown outcome (92) may yet be declined, leaving nothing paid. */
const hasConfirmedCaptures = (ledger: { captured: number; capturesUnsettled: number } | undefined): boolean =>
  ledger !== undefined && ledger.captured - ledger.capturesUnsettled > 0;

export function createOperationsService(options: OperationsServiceOptions) {
  const { db, clock } = options;
  const timeoutMs = options.acquirerTimeoutMs ?? 30_000;

  /** The order if `target` may see it. */
  async function orderFor(target: OrderTarget): Promise<OrderRecord | undefined> {
    if (!isId(target.orderId, 'ord')) return undefined;
    const order = await findOrder(db, target.orderId);
    if (!order) return undefined;
    if (target.merchantId !== undefined && order.merchantId !== target.merchantId) return undefined;
    if (target.organisationId !== undefined && order.organisationId !== target.organisationId) return undefined;
    if (target.env !== undefined && order.env !== target.env) return undefined;
    return order;
  }

  /** Step 1: decide and reserve under the lock; the verdict's refusal, or the reserved operation. */
  async function reserve(order: OrderRecord, op: MaintenanceOperation, amount: number | undefined, actor: OperationActor) {
    return db.transaction().execute(async (trx): Promise<Reserved | { ncError: string; text: string }> => {
      const ledger = await ops.lockLedger(trx, order.id);
      if (!ledger) return { ncError: NC_ERROR.ORIGINAL_ORDER, text: 'no such order' };
      const verdict = decideOperation(ledger, op, amount);
      if (!verdict.ok) return { ncError: verdict.ncError, text: verdict.reason };
      const now = clock.now();
      const payIdSub = ledger.lastPayIdSub + 1;
      const id = newId('pop');
      await ops.applyChange(trx, order.id, verdict.change, 1, now, payIdSub);
      await ops.insertOperation(trx, {
        id,
        orderId: order.id,
        payIdSub,
        operation: op,
        amount: verdict.amount,
        status: verdict.statuses.pending,
        actorType: actor.type,
        actorId: actor.id,
        now,
      });
      if (options.audit && (actor.type === 'referent' || actor.type === 'admin' || actor.type === 'cli')) {
        await options.audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip ?? null,
          action: 'order.maintenance_requested',
          subjectType: 'order',
          subjectId: order.id,
          organisationId: order.organisationId,
          details: { operation: op, amount: String(verdict.amount), payIdSub: String(payIdSub) },
        });
      }
      return { id, payIdSub, amount: verdict.amount, kind: verdict.kind, statuses: verdict.statuses, change: verdict.change };
    });
  }

  /**
   * Step 3: the final status, the reservation given back on a refusal, the feedback. False when the
   * operation is no longer at `from`'s status (settled already). `from` is `uncertain` when the acquirer's
   * operation status query answers long after the call: other operations may have been asked and settled
   * since, so the order's status is then worked out from all of its operations (standingStatus).
   */
  async function settle(
    order: OrderRecord,
    config: MerchantConfig,
    r: Reserved,
    answer: MaintenanceResult | typeof INTERRUPTED,
    from: 'pending' | 'uncertain' = 'pending',
  ): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const ledger = await ops.lockLedger(trx, order.id);
      // Settled once: by its own call, or (that process gone) by settleStranded, whichever locks first.
      if ((await ops.operationStatus(trx, r.id)) !== r.statuses[from]) return false;
      const now = clock.now();
      const status = answer === INTERRUPTED ? r.statuses.uncertain : answer.outcome === 'done' ? r.statuses.done : r.statuses.refused;
      const ncError = answer === INTERRUPTED ? NC_ERROR.STATUS_UNKNOWN : answer.outcome === 'done' ? NC_ERROR.OK : answer.ncError;
      const refused = answer !== INTERRUPTED && answer.outcome === 'refused';
      if (refused) await ops.applyChange(trx, order.id, r.change, -1, now);
      const payment = { status, ncError, payId: String(order.payId), payIdSub: String(r.payIdSub), date: now, ...(order.card ? { card: order.card } : {}) };
      const messageId = await enqueueOperationFeedback(trx, order, config, payment, r.amount);
      const acquirerRef = answer !== INTERRUPTED && answer.outcome === 'done' ? answer.reference : null;
      await ops.finishOperation(trx, { id: r.id, status, ncError, acquirerRef, feedbackMessageId: messageId, now });
      if (from === 'uncertain') {
        const standing = await standingStatus(trx, order);
        await ops.setOrderStatus(trx, order.id, standing.status, standing.ncError, now);
      } else if (!refused && !(r.kind === 'cancel' && hasConfirmedCaptures(ledger))) {
        // Releasing the rest of an authorisation part of which was captured leaves the order paid: it keeps
        // the status of its captures and refunds (a plugin reading 6 would mark a paid order cancelled).
        await ops.setOrderStatus(trx, order.id, status, ncError, now);
      }
      return true;
    });
  }

  /**
   * The order's status from its operations, under its lock (read after this settlement): the newest one
   * confirmed or of unknown outcome (a declined one changed nothing, a pending one has not changed it yet),
   * passing over a release of the rest of an authorisation while confirmed captures remain (the order stays
   * paid); without any, the authorisation's own status.
   */
  async function standingStatus(trx: Kysely<Database>, order: OrderRecord): Promise<{ status: number; ncError: string | null }> {
    const ledger = await ops.lockLedger(trx, order.id);
    for (const op of await ops.standingOperations(trx, order.id)) {
      if (op.status === OPERATION_STATUSES.cancel.done && hasConfirmedCaptures(ledger)) continue;
      return { status: op.status, ncError: op.nc_error };
    }
    return { status: order.stored.order.operation === 'SAL' ? OGONE_STATUS.PAYMENT_REQUESTED : OGONE_STATUS.AUTHORISED, ncError: NC_ERROR.OK };
  }

  /** A stored operation with its order and the merchant's active settings; undefined (logged) when those are gone. */
  async function reload(row: ops.OperationRow, phase: 'pending' | 'uncertain') {
    const kind = (Object.keys(OPERATION_STATUSES) as MaintenanceKind[]).find((k) => OPERATION_STATUSES[k][phase] === row.status);
    const order = await findOrder(db, row.order_id);
    const config = order && (await options.merchants.configFor(pspidOf(order), order.env));
    if (!kind || !order || !config || config.merchantId !== order.merchantId) {
      options.logger?.warn({ orderId: row.order_id, payIdSub: row.pay_id_sub }, `${phase} operation has no active merchant settings; it stays ${phase}`);
      return undefined;
    }
    const amount = Number(row.amount);
    const reserved: Reserved = {
      id: row.id,
      payIdSub: row.pay_id_sub,
      amount,
      kind,
      statuses: OPERATION_STATUSES[kind],
      change: reservationOf(kind, row.operation, amount),
    };
    return { order, config, reserved };
  }

  /** Settles one operation; one that cannot be settled (its feedback not enqueued, say) must not stop the others. */
  async function settleLogged(row: ops.OperationRow, ...args: Parameters<typeof settle>): Promise<boolean> {
    try {
      return await settle(...args);
    } catch (error) {
      options.logger?.warn(
        { orderId: row.order_id, payIdSub: row.pay_id_sub, err: String(error).slice(0, 300) },
        'operation not settled; trying again at the next run',
      );
      return false;
    }
  }

  const cursorOf = (after: ops.OperationRow | undefined) => after && { updatedAt: after.updated_at, id: after.id };

  /**
   * Operations left waiting for the acquirer (91, 81, 61, 71, 51) since before `before` — the process that
   * called it stopped before recording the answer — become uncertain (92, 82, 62, 72, 52, NCERROR 20001001),
   * as an unanswered call does, and the merchant gets their feedback: the money may have moved, so nothing
   * is given back (docs/adr/0022-order-reconciliation.md). Returns how many.
   */
  async function settleStranded(before: Date, pageSize = 100): Promise<number> {
    let settled = 0;
    // Page after page: operations left pending (no active settings, an error) do not hide the ones behind them.
    await visitPages(
      (after: ops.OperationRow | undefined) => ops.listStrandedOperations(db, before, pageSize, cursorOf(after)),
      pageSize,
      async (row) => {
        const found = await reload(row, 'pending');
        if (found && (await settleLogged(row, found.order, found.config, found.reserved, INTERRUPTED))) settled += 1;
      },
    );
    return settled;
  }

  /** The acquirer's word on an operation as a call's answer; undefined when it cannot tell yet (ask again later). */
  async function askOperation(order: OrderRecord, operationRef: string, queryTimeoutMs: number): Promise<MaintenanceResult | undefined> {
    const acquirer = options.acquirers[order.env];
    if (!acquirer) return undefined;
    const answer = await withDeadline(() => acquirer.operationStatus(operationRef), queryTimeoutMs, {
      logger: options.logger,
      context: { orderId: order.id, operationRef },
      what: 'asking again at the next run',
    });
    if (answer === INTERRUPTED) return undefined;
    switch (answer.state) {
      case 'done':
        return { outcome: 'done', reference: answer.reference };
      case 'refused':
        return { outcome: 'refused', ncError: answer.ncError || NC_ERROR.ACQUIRER_REFUSED };
      // The acquirer never received it: nothing moved, as a call refused for a technical reason.
      case 'not_found':
        return { outcome: 'refused', ncError: NC_ERROR.TECHNICAL_RETRY };
      case 'unknown':
        return undefined;
    }
  }

  /**
   * Operations of unknown outcome (92, 82, 62, 72, 52) that became so between `since` and `before`: the
   * acquirer's operation status query settles them — processed (9, 8, 6, 7, 5) or declined / never received
   * (93, 83, 63, 73, 2: the reservation given back) — with the merchant's feedback, and the order's status
   * worked out again from its operations (standingStatus). While it cannot tell, they wait; past `since` they stay uncertain.
   * `until` (a performance.now() instant, the caller's run budget): an operation is asked only if its query's
   * deadline falls before it; the rest wait for the next run. Returns how many were settled.
   */
  async function settleUncertain(
    window: { since: Date; before: Date },
    o: { pageSize?: number; queryTimeoutMs?: number; until?: number } = {},
  ): Promise<number> {
    const pageSize = o.pageSize ?? 100;
    const queryTimeoutMs = o.queryTimeoutMs ?? 10_000;
    // A page of 100 asked of an acquirer that hangs took 100 deadlines (some 17 minutes), past the job's
    // lease: another instance took the job and asked the same operations again.
    const inBudget = (): boolean => o.until === undefined || performance.now() + queryTimeoutMs <= o.until;
    let settled = 0;
    await visitPages(
      (after: ops.OperationRow | undefined) => ops.listUncertainOperations(db, window.since, window.before, pageSize, cursorOf(after)),
      pageSize,
      async (row) => {
        if (!inBudget()) return;
        const found = await reload(row, 'uncertain');
        const answer = found && (await askOperation(found.order, row.id, queryTimeoutMs));
        if (!found || !answer) return;
        if (await settleLogged(row, found.order, found.config, found.reserved, answer, 'uncertain')) settled += 1;
      },
      inBudget,
    );
    return settled;
  }

  async function maintain(target: OrderTarget, op: MaintenanceOperation, amount: number | undefined, actor: OperationActor): Promise<MaintainResult> {
    const order = await orderFor(target);
    if (!order) return { ok: false, reason: 'not_found' };
    const config = await options.merchants.configFor(pspidOf(order), order.env);
    const acquirer = options.acquirers[order.env];
    if (!config || config.merchantId !== order.merchantId || !acquirer)
      return { ok: false, reason: 'refused', order, ncError: NC_ERROR.ORIGINAL_STATUS, text: 'the merchant account or its payment processor is not active' };
    const reserved = await reserve(order, op, amount, actor);
    if (!('id' in reserved)) return { ok: false, reason: 'refused', order, ...reserved };
    const request = { kind: reserved.kind, orderRef: order.id, operationRef: reserved.id, amount: reserved.amount, currency: order.currency };
    const answer = await withDeadline(() => acquirer.maintain(request), timeoutMs, {
      logger: options.logger,
      context: { orderId: order.id, payIdSub: reserved.payIdSub },
      what: 'the operation is recorded as uncertain',
    });
    await settle(order, config, reserved, answer);
    const [fresh, row] = await Promise.all([findOrder(db, order.id), ops.findOperation(db, order.id, reserved.payIdSub)]);
    if (!fresh || !row) throw new Error(`order ${order.id} or its operation ${reserved.payIdSub} vanished`);
    return { ok: true, order: fresh, operation: viewOf(row) };
  }

  /** One operation of an order (PAYIDSUB ≥ 1), if `target` may see the order. */
  async function operation(target: OrderTarget, payIdSub: number): Promise<{ order: OrderRecord; operation: OperationView | undefined } | undefined> {
    const order = await orderFor(target);
    if (!order) return undefined;
    const row = await ops.findOperation(db, order.id, payIdSub);
    return { order, operation: row ? viewOf(row) : undefined };
  }

  /** Every operation of an order, oldest first (the portal's order page, later). */
  async function list(target: OrderTarget): Promise<OperationView[] | undefined> {
    const order = await orderFor(target);
    return order ? (await ops.listOperations(db, order.id)).map(viewOf) : undefined;
  }

  return { maintain, operation, list, settleStranded, settleUncertain };
}

export type OperationsService = ReturnType<typeof createOperationsService>;
