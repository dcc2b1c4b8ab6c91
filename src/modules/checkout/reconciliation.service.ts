/**
 * Settles payments left "being processed" (STATUS 99): an acquirer call that threw or timed out
 * (an `interrupted` attempt row), or a process that died during the call. Each run asks the
 * acquirer's status query about orders claimed longer than the grace period ago and applies the
 * answer through the page's own path (settleAttempt): authorised → 5/9 and feedback, refused →
 * 2, nothing registered → refused (2, or 93 for a sale). While the acquirer cannot answer, the
 * order waits; past the maximum age it becomes uncertain (52/92: the money may have moved) and
 * the merchant is told. Why these statuses and times: docs/adr/0022-order-reconciliation.md.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Acquirer, AcquirerStatus } from './acquirer.ts';
import type { EcommerceEnv, MerchantDirectory } from '../merchants/index.ts';
import { DEFAULT_NC_ERROR } from './outcome.ts';
import { visitPages } from '../../kernel/pages.ts';
import { INTERRUPTED, withDeadline } from './acquirer.call.ts';
import { listStranded, type OrderRecord, pspidOf } from './orders.repository.ts';
import { createFeedbackDispatch } from './payment.dispatch.ts';
import { settleAttempt, type Final } from './payment.settle.ts';

/** Longer than the page's acquirer timeout (30 s), so an attempt still running is never touched. */
export const RECONCILE_GRACE_MS = 2 * 60_000;
/** Past this age (from the claim) an order the acquirer still cannot answer for becomes uncertain. */
export const RECONCILE_MAX_AGE_MS = 30 * 60_000;
/** How often the job runs: about 28 status queries per order before the maximum age. */
export const RECONCILE_EVERY_MS = 60_000;
/** Bound on one status query; a query that does not answer counts as unanswered. */
export const RECONCILE_QUERY_TIMEOUT_MS = 10_000;
/** Orders per page, oldest first. */
export const RECONCILE_BATCH = 100;
/**
 * A run asks about orders only while a query would end within this time (real time) from its start, then
 * about operations of unknown outcome only while one would end within as much again; the rest wait for the
 * next run. So a run ends well inside the job's lease (10 minutes, src/app/jobs.ts), past which another
 * instance may take the job and ask the same again.
 */
export const RECONCILE_RUN_BUDGET_MS = RECONCILE_EVERY_MS;
/** How long after becoming uncertain an operation's outcome is still asked of the acquirer; then it is the merchant's to settle. */
export const RECONCILE_OPERATION_MAX_AGE_MS = 24 * 60 * 60_000;

export interface ReconciliationOptions {
  db: Kysely<Database>;
  clock: Clock;
  merchants: MerchantDirectory;
  acquirers: Partial<Record<EcommerceEnv, Acquirer>>;
  graceMs?: number;
  maxAgeMs?: number;
  queryTimeoutMs?: number;
  batch?: number;
  /** RECONCILE_RUN_BUDGET_MS unless a test sets it. */
  runBudgetMs?: number;
  logger?: { warn(obj: object, msg?: string): void };
  /** Maintenance operations (capture, refund…) left waiting for the acquirer by a process that stopped. */
  operations?: {
    settleStranded(before: Date, pageSize?: number): Promise<number>;
    settleUncertain(window: { since: Date; before: Date }, o?: { pageSize?: number; queryTimeoutMs?: number; until?: number }): Promise<number>;
  };
}

export interface ReconciliationReport {
  /** Settled from the acquirer's answer (paid, authorised or refused). */
  settled: number;
  /** Past the maximum age without an answer: marked uncertain. */
  uncertain: number;
  /** Unanswered and still young: asked again at the next run. */
  waiting: number;
  /** Settled by someone else (the page, another run) between the listing and the lock. */
  skipped: number;
  /** Maintenance operations left waiting for the acquirer past the grace period, now uncertain. */
  operationsUncertain: number;
  /** Maintenance operations of unknown outcome the acquirer's operation status query settled (done or declined). */
  operationsSettled: number;
}

type Settlement = 'settled' | 'uncertain' | 'waiting' | 'skipped';

export function createReconciliation(options: ReconciliationOptions) {
  const { db, clock } = options;
  const graceMs = options.graceMs ?? RECONCILE_GRACE_MS;
  const maxAgeMs = options.maxAgeMs ?? RECONCILE_MAX_AGE_MS;
  const queryTimeoutMs = options.queryTimeoutMs ?? RECONCILE_QUERY_TIMEOUT_MS;
  // At least one query's time, so a long query bound cannot leave every run asking nothing.
  const runBudgetMs = Math.max(options.runBudgetMs ?? RECONCILE_RUN_BUDGET_MS, queryTimeoutMs);
  // No online attempt: nobody is waiting on a page, so the outbox delivers it (with its retries).
  const dispatch = createFeedbackDispatch({ db, clock });

  /** The acquirer's answer, or undefined when it cannot be asked, throws or does not answer in time (the same bound as every acquirer call). */
  async function ask(order: OrderRecord): Promise<AcquirerStatus | undefined> {
    const acquirer = options.acquirers[order.env];
    if (!acquirer) return undefined;
    const answer = await withDeadline(() => acquirer.status(order.id), queryTimeoutMs, {
      logger: options.logger,
      context: { orderId: order.id },
      what: 'asking again at the next run',
    });
    return answer === INTERRUPTED ? undefined : answer;
  }

  /** One stranded order: settled, waiting, or skipped. */
  async function reconcile(order: OrderRecord, now: Date): Promise<Settlement> {
    const config = await options.merchants.configFor(pspidOf(order), order.env);
    if (!config || config.merchantId !== order.merchantId) {
      // The merchant is gone or disabled: nobody to tell; the order waits (and is logged) until it is back,
      // without asking the acquirer about a payment that cannot be settled yet.
      options.logger?.warn({ orderId: order.id }, 'interrupted order has no active merchant settings; it stays at 99');
      return 'waiting';
    }
    const answer = await ask(order);
    const old = now.getTime() - order.updatedAt.getTime() >= maxAgeMs;
    const final = finalOf(answer, old, order.attempts);
    if (final === undefined) return 'waiting';
    const settled = await settleAttempt({ db, clock, enqueue: dispatch.enqueue }, order, config, final);
    if (!settled) return 'skipped';
    return final.outcome === 'uncertain' ? 'uncertain' : 'settled';
  }

  /**
   * One pass over the orders at 99 claimed before `now - grace`, page after page (orders left waiting do
   * not hide the ones behind them) while the run's time budget lasts: looked at before each order, not
   * only between pages (a page of 100 orders of an acquirer that does not answer took some 17 minutes).
   */
  async function run(now: Date): Promise<ReconciliationReport> {
    const report: ReconciliationReport = { settled: 0, uncertain: 0, waiting: 0, skipped: 0, operationsUncertain: 0, operationsSettled: 0 };
    const before = new Date(now.getTime() - graceMs);
    const batch = options.batch ?? RECONCILE_BATCH;
    const until = performance.now() + runBudgetMs;
    const inBudget = (): boolean => performance.now() + queryTimeoutMs <= until;
    await visitPages<OrderRecord>(
      (after) => listStranded(db, before, batch, after),
      batch,
      async (order) => {
        if (inBudget()) report[await reconcile(order, now)] += 1;
      },
      inBudget,
    );
    // An operation's call is bounded (30 s): one still pending past the grace period lost its process.
    report.operationsUncertain = (await options.operations?.settleStranded(before, batch)) ?? 0;
    // Those of unknown outcome (the call's answer lost, or stranded just above at an earlier run): the
    // acquirer's operation status query settles them, for a day. Asked within a budget of their own, from
    // here: the orders' minute spent to its end does not leave them unasked.
    const since = new Date(now.getTime() - RECONCILE_OPERATION_MAX_AGE_MS);
    report.operationsSettled =
      (await options.operations?.settleUncertain({ since, before }, { pageSize: batch, queryTimeoutMs, until: performance.now() + runBudgetMs })) ?? 0;
    return report;
  }

  return { run };
}

/** The outcome to record, or undefined to ask again later. */
function finalOf(answer: AcquirerStatus | undefined, old: boolean, attempts: number): Final | undefined {
  switch (answer?.state) {
    case 'authorised':
      return { outcome: 'authorised', ncError: '0', acceptance: answer.acceptance, acquirerRef: answer.payId, attempts };
    case 'refused':
      return {
        outcome: 'refused',
        ncError: answer.ncError || DEFAULT_NC_ERROR.refused,
        ...(answer.payId !== undefined ? { acquirerRef: answer.payId } : {}),
        attempts,
      };
    case 'not_found':
      // The acquirer never registered it: nothing moved, as a processor that could not be reached.
      return { outcome: 'technical_error', ncError: DEFAULT_NC_ERROR.technical_error, attempts };
    case 'unknown':
    case undefined:
      return old ? { outcome: 'uncertain', ncError: DEFAULT_NC_ERROR.uncertain, attempts } : undefined;
  }
}

export type Reconciliation = ReturnType<typeof createReconciliation>;
