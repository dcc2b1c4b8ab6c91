/**
 * Recording the end of a claimed attempt (order at 99), shared by the payment page and the
 * reconciliation job: the attempt row, the outcome on the order and, unless the customer may try
 * again, the merchant's server-to-server feedback, in one transaction. The order's row is locked
 * while it is still at 99 first, so when the page and the job (or two job runs) settle one payment
 * at once, one of them records it and the other finds nothing to do.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { CardSummary } from './card.ts';
import { NC_ERROR, type FeedbackPayment } from '../../protocols/ogone/index.ts';
import type { MerchantConfig } from '../merchants/index.ts';
import { DEFAULT_NC_ERROR, mayRetry, paymentStatus, type FinalOutcome } from './outcome.ts';
import {
  claimUnanswered,
  insertAttempt,
  lockProcessingOrder,
  recordOutcome,
  STATUS_WAITING_AUTHENTICATION,
  type OrderRecord,
  type StoredChallenge,
} from './orders.repository.ts';
import type { AcquirerResult } from './acquirer.ts';
import type { QueuedFeedback } from './payment.dispatch.ts';

export interface Final {
  outcome: FinalOutcome;
  ncError: string;
  acceptance?: string;
  acquirerRef?: string;
  card?: CardSummary;
  /** Acquirer attempts so far, this one included. */
  attempts: number;
  /**
   * The outcome is notified whatever retries are left: no customer is on a payment page to try another
   * card (a DirectLink order, whose shop has the answer and may send the ORDERID again as a new attempt;
   * its 3-D Secure answer).
   */
  last?: boolean;
}

export interface Settled {
  status: number;
  payment: FeedbackPayment;
  /** The customer may try another card: no feedback was enqueued. */
  retry: boolean;
  queued: QueuedFeedback | undefined;
  /** The order as recorded. */
  order: OrderRecord;
}

export interface SettleDeps {
  db: Kysely<Database>;
  clock: Clock;
  enqueue(trx: Kysely<Database>, order: OrderRecord, config: MerchantConfig, payment: FeedbackPayment): Promise<QueuedFeedback | undefined>;
}

/** Records `final` on an order at 99; undefined when it is no longer at 99 (someone else settled it). */
export async function settleAttempt(
  deps: SettleDeps,
  order: OrderRecord,
  config: MerchantConfig,
  final: Final,
  clientIp?: string,
): Promise<Settled | undefined> {
  const status = paymentStatus(final.outcome, order.operation);
  const retry = final.last !== true && mayRetry(final.outcome, final.attempts, config.paymentRetries);
  const card = final.card ?? order.card;
  const now = deps.clock.now();
  const payment: FeedbackPayment = {
    status,
    ncError: final.ncError,
    payId: String(order.payId),
    date: now,
    // The attempt went through a 3-D Secure challenge and was authorised: the holder was authenticated (ECI 5).
    ...(order.challenge !== null && final.outcome === 'authorised' ? { authenticated: true } : {}),
    ...(clientIp !== undefined ? { ip: clientIp } : {}),
    ...(final.acceptance !== undefined ? { acceptance: final.acceptance } : {}),
    ...(card ? { card } : {}),
  };
  const queued = await deps.db.transaction().execute(async (trx) => {
    if (!(await lockProcessingOrder(trx, order.id))) return null;
    await insertAttempt(trx, {
      id: newId('pay'),
      orderId: order.id,
      outcome: final.outcome,
      status,
      ncError: final.ncError,
      acceptance: final.acceptance ?? null,
      card: final.card,
      acquirerRef: final.acquirerRef ?? null,
      now,
    });
    const sent = retry ? undefined : await deps.enqueue(trx, order, config, payment);
    const recorded = await recordOutcome(trx, {
      id: order.id,
      status,
      ncError: final.ncError,
      acceptance: final.acceptance ?? null,
      card: final.card,
      challenge: null,
      paid: final.outcome === 'authorised',
      now,
      ...(sent ? { feedbackMessageId: sent.id } : {}),
    });
    // Cannot happen under the row lock; if it did, nothing of this attempt may stay.
    if (!recorded) throw new Error(`order ${order.id} left "being processed" under its lock`);
    return sent;
  });
  if (queued === null) return undefined;
  return {
    status,
    payment,
    retry,
    queued,
    order: { ...order, status, ncError: final.ncError, acceptance: final.acceptance ?? null, attempts: final.attempts, ...(card ? { card } : {}) },
  };
}

/**
 * The end of an order whose 3-D Secure challenge nobody answered, when its ORDERID comes again and
 * upsertOrder no longer takes it over (its give-backs used, and this was its last allowed attempt): a
 * refusal on the last attempt, an authentication never completed being a failed one (STATUS 2, NCERROR
 * 40001134, what the test acquirer's status query answers for it too), recorded and told the merchant through
 * settleAttempt like any. The hosted page's entry and DirectLink share it. Undefined when the order is
 * not such an order, or no longer (its challenge answered meanwhile, or a concurrent re-entry ended it).
 */
export async function settleUnanswered(deps: SettleDeps, order: OrderRecord, config: MerchantConfig, clientIp?: string): Promise<Settled | undefined> {
  if (order.status !== STATUS_WAITING_AUTHENTICATION) return undefined;
  const claim = await claimUnanswered(deps.db, { id: order.id, maxAttempts: config.paymentRetries, now: deps.clock.now() });
  if (!claim) return undefined;
  const final: Final = {
    outcome: 'refused',
    ncError: NC_ERROR.AUTHENTICATION_FAILED,
    ...(order.challenge ? { acquirerRef: order.challenge.acquirerRef } : {}),
    ...(order.card ? { card: order.card } : {}),
    attempts: claim.attempts,
    last: true,
  };
  return settleAttempt(deps, order, config, final, clientIp);
}

/** The Final of an acquirer's answer that is not a challenge. */
export function finalOf(result: Exclude<AcquirerResult, { outcome: 'challenge_required' }>): Omit<Final, 'attempts'> {
  if (result.outcome === 'authorised') return { outcome: 'authorised', ncError: result.ncError, acceptance: result.acceptance, acquirerRef: result.payId };
  return {
    outcome: result.outcome,
    ncError: result.ncError || DEFAULT_NC_ERROR[result.outcome],
    ...(result.payId !== undefined ? { acquirerRef: result.payId } : {}),
  };
}

/**
 * A claimed attempt the acquirer wants authenticated: the attempt row and the order at 46 with the
 * challenge's references (never card data), in one transaction. The page and DirectLink share it.
 */
export async function recordChallenge(
  deps: Pick<SettleDeps, 'db' | 'clock'>,
  orderId: string,
  result: Extract<AcquirerResult, { outcome: 'challenge_required' }>,
  card: CardSummary,
): Promise<void> {
  const challenge: StoredChallenge = { acquirerRef: result.payId, reference: result.challenge.reference, kind: result.challenge.kind };
  await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    await insertAttempt(trx, {
      id: newId('pay'),
      orderId,
      outcome: 'challenge_required',
      status: STATUS_WAITING_AUTHENTICATION,
      ncError: result.ncError,
      acceptance: null,
      card,
      acquirerRef: result.payId,
      now,
    });
    const recorded = await recordOutcome(trx, {
      id: orderId,
      status: STATUS_WAITING_AUTHENTICATION,
      ncError: result.ncError,
      acceptance: null,
      card,
      challenge,
      paid: false,
      now,
    });
    if (!recorded) throw new Error(`order ${orderId} left "being processed" while its attempt ran`);
  });
}
