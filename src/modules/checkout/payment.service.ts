/**
 * The payment page's use cases: show the order, take a card attempt (possibly through a 3-D Secure
 * challenge), the customer's cancel, and the outcome: STATUS and NCERROR, the attempt row, the
 * server-to-server feedback and where the customer goes. Card numbers and CVCs live only in the
 * PaymentCard handed to the acquirer; what is stored is its summary (brand, masked number, expiry).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { safeEqual, sha256Hex } from '../../kernel/crypto.ts';
import { isId, newId } from '../../kernel/ids.ts';
import { ACCEPTED_STATUSES, DECLINED_STATUSES } from '../../protocols/ogone/index.ts';
import type { Acquirer, AcquirerResult } from './acquirer.ts';
import type { CardProblem, CardSummary } from './card.ts';
import { offeredCard, pageCard, type PageAliases, type PageCardInput } from './payment.card.ts';
import type { AliasView } from './aliases.service.ts';
import type { EcommerceEnv, MerchantConfig, MerchantDirectory } from '../merchants/index.ts';
import { DEFAULT_NC_ERROR } from './outcome.ts';
import {
  claimOrder,
  findOrder,
  markInterrupted,
  PAYABLE_STATUSES,
  STATUS_PROCESSING,
  STATUS_WAITING_AUTHENTICATION,
  type OrderRecord,
  pspidOf,
} from './orders.repository.ts';
import { customerRedirect, redirectOrigins } from './payment.feedback.ts';
import { createFeedbackDispatch, type FeedbackDispatchOptions } from './payment.dispatch.ts';
import { finalOf, recordChallenge, settleAttempt, type Final } from './payment.settle.ts';
import { INTERRUPTED, withDeadline } from './acquirer.call.ts';

export type PageState =
  | {
      kind: 'pay';
      order: OrderRecord;
      config: MerchantConfig;
      redirectOrigins: string[];
      refused: boolean;
      problems: readonly CardProblem[];
      /** The stored card the order's ALIAS names, offered masked. */
      stored?: AliasView;
    }
  | { kind: 'challenge'; order: OrderRecord; config: MerchantConfig; redirectOrigins: string[] }
  | { kind: 'processing'; order: OrderRecord }
  | { kind: 'done'; order: OrderRecord; accepted: boolean }
  | { kind: 'not_found' };

export type StepResult =
  | { kind: 'redirect'; url: string }
  /** No URL applies: Varco's own result page. */
  | { kind: 'result'; order: OrderRecord; accepted: boolean }
  | { kind: 'page'; state: PageState }
  | { kind: 'challenge' };

export interface PaymentServiceOptions extends FeedbackDispatchOptions {
  db: Kysely<Database>;
  clock: Clock;
  merchants: MerchantDirectory;
  acquirers: Partial<Record<EcommerceEnv, Acquirer>>;
  /** The card token vault: an order with ALIAS keeps its card there, or pays with the stored one. */
  aliases?: PageAliases;
  /**
   * Bound on one acquirer call; past it the attempt is interrupted. Default ACQUIRER_TIMEOUT_MS;
   * must stay below the reconciliation's grace period (docs/adr/0022-order-reconciliation.md).
   */
  acquirerTimeoutMs?: number;
}

/** How long the page waits for the acquirer before it tells the customer the payment is being verified. */
export const ACQUIRER_TIMEOUT_MS = 30_000;

const PAYABLE = PAYABLE_STATUSES;

interface Context {
  order: OrderRecord;
  config: MerchantConfig;
  tokenHash: string;
}

export function createPaymentService(options: PaymentServiceOptions) {
  const { db, clock, merchants } = options;
  const dispatch = createFeedbackDispatch(options);
  const acquirerTimeoutMs = options.acquirerTimeoutMs ?? ACQUIRER_TIMEOUT_MS;

  /** The acquirer's answer, or INTERRUPTED when the call throws or outlives the timeout (its late answer is dropped). */
  const callAcquirer = (orderId: string, call: () => Promise<AcquirerResult>): Promise<AcquirerResult | typeof INTERRUPTED> =>
    withDeadline(call, acquirerTimeoutMs, { logger: options.logger, context: { orderId }, what: 'the order waits for reconciliation' });

  /** Leaves the order at 99 with an `interrupted` attempt row, and shows the customer the "being processed" page. */
  async function interrupted(ctx: Context, card: CardSummary | undefined): Promise<StepResult> {
    await markInterrupted(db, { id: ctx.order.id, attemptId: newId('pay'), card, now: clock.now() });
    return reload(ctx);
  }

  /** The order behind a page URL, or undefined: unknown id, other environment or wrong token look the same. */
  async function open(env: EcommerceEnv, orderId: string, token: string): Promise<Context | undefined> {
    if (!isId(orderId, 'ord') || token === '' || token.length > 100) return undefined;
    const order = await findOrder(db, orderId);
    const tokenHash = sha256Hex(token);
    if (!order || order.env !== env || order.tokenHash === null || !safeEqual(tokenHash, order.tokenHash)) return undefined;
    const config = await merchants.configFor(pspidOf(order), env);
    if (!config || config.merchantId !== order.merchantId) return undefined;
    return { order, config, tokenHash };
  }

  function stateOf(ctx: Context, problems: readonly CardProblem[] = []): PageState {
    const { order, config } = ctx;
    if (order.status === STATUS_WAITING_AUTHENTICATION) return { kind: 'challenge', order, config, redirectOrigins: redirectOrigins(order, config) };
    if (order.status === STATUS_PROCESSING) return { kind: 'processing', order };
    // A DirectLink order is paid by the shop's server; its page only ever shows a challenge or a result.
    if ((PAYABLE as readonly number[]).includes(order.status) && order.attempts < config.paymentRetries && order.channel === 'hosted') {
      return {
        kind: 'pay',
        order,
        config,
        redirectOrigins: redirectOrigins(order, config),
        refused: DECLINED_STATUSES.has(order.status) && order.attempts > 0,
        problems,
      };
    }
    return { kind: 'done', order, accepted: ACCEPTED_STATUSES.has(order.status) };
  }

  async function view(env: EcommerceEnv, orderId: string, token: string): Promise<PageState> {
    const ctx = await open(env, orderId, token);
    return ctx ? withStored(stateOf(ctx)) : { kind: 'not_found' };
  }

  /** The page as it is now (after a lost race, the other request's result shows). */
  async function reload(ctx: Context): Promise<StepResult> {
    const fresh = await findOrder(db, ctx.order.id);
    return { kind: 'page', state: fresh ? await withStored(stateOf({ ...ctx, order: fresh })) : { kind: 'not_found' } };
  }

  /** A payment form offers the stored card the order's ALIAS names (masked), when the merchant holds it. */
  async function withStored(state: PageState): Promise<PageState> {
    if (state.kind !== 'pay') return state;
    const stored = await offeredCard(options.aliases, state.order);
    return stored ? { ...state, stored } : state;
  }

  async function pay(env: EcommerceEnv, orderId: string, token: string, input: PageCardInput, clientIp: string): Promise<StepResult> {
    const opened = await open(env, orderId, token);
    if (!opened) return { kind: 'page', state: { kind: 'not_found' } };
    const state = stateOf(opened);
    if (state.kind !== 'pay') return { kind: 'page', state };
    const checked = await pageCard(options.aliases, opened.order, input, clock.now());
    if (!checked.ok) return { kind: 'page', state: await withStored(stateOf(opened, checked.problems)) };
    const acquirer = options.acquirers[env];
    if (!acquirer) throw new Error(`no acquirer for ${env}`);
    const claim = await claimOrder(db, {
      id: orderId,
      tokenHash: opened.tokenHash,
      from: PAYABLE,
      countAttempt: true,
      maxAttempts: opened.config.paymentRetries,
      now: clock.now(),
    });
    if (!claim) return reload(opened);
    const { order } = opened;
    const result = await callAcquirer(orderId, () =>
      acquirer.authorise({ amount: order.amount, currency: order.currency, card: checked.card, operation: order.operation, orderRef: order.id }),
    );
    const summary = checked.card.summary;
    if (result === INTERRUPTED) return interrupted(opened, summary);
    // The acquirer took the card: the token is kept (its CVC never) and the order names it.
    const took = result.outcome === 'authorised' || result.outcome === 'challenge_required';
    if (took && checked.keep) await checked.keep.run(orderId);
    const ctx = took && checked.keep ? { ...opened, order: { ...order, alias: checked.keep.alias } } : opened;
    if (result.outcome === 'challenge_required') {
      await recordChallenge({ db, clock }, orderId, result, summary);
      return { kind: 'challenge' };
    }
    return finish(ctx, { ...finalOf(result), card: summary, attempts: claim.attempts }, clientIp);
  }

  async function answerChallenge(env: EcommerceEnv, orderId: string, token: string, authenticated: boolean, clientIp: string): Promise<StepResult> {
    const ctx = await open(env, orderId, token);
    if (!ctx) return { kind: 'page', state: { kind: 'not_found' } };
    const challenge = ctx.order.challenge;
    const acquirer = options.acquirers[env];
    if (ctx.order.status !== STATUS_WAITING_AUTHENTICATION || challenge === null || !acquirer) return { kind: 'page', state: stateOf(ctx) };
    const claim = await claimOrder(db, {
      id: orderId,
      tokenHash: ctx.tokenHash,
      from: [STATUS_WAITING_AUTHENTICATION],
      countAttempt: false,
      now: clock.now(),
    });
    if (!claim) return reload(ctx);
    const { order } = ctx;
    const result = await callAcquirer(orderId, () =>
      acquirer.completeChallenge({
        payId: challenge.acquirerRef,
        orderRef: order.id,
        challenge: { reference: challenge.reference, kind: challenge.kind },
        amount: order.amount,
        currency: order.currency,
        operation: order.operation,
        authenticated,
      }),
    );
    if (result === INTERRUPTED) return interrupted(ctx, order.card);
    // completeChallenge never asks for another challenge; were it to, the payment is not known.
    const final =
      result.outcome === 'challenge_required'
        ? { outcome: 'uncertain' as const, ncError: DEFAULT_NC_ERROR.uncertain, acquirerRef: result.payId }
        : finalOf(result);
    // A DirectLink order's page cannot offer another card: its outcome goes to the shop now.
    const last = order.channel === 'directlink';
    return finish(ctx, { ...final, ...(order.card ? { card: order.card } : {}), attempts: claim.attempts, last }, clientIp);
  }

  async function cancel(env: EcommerceEnv, orderId: string, token: string, clientIp: string): Promise<StepResult> {
    const ctx = await open(env, orderId, token);
    if (!ctx) return { kind: 'page', state: { kind: 'not_found' } };
    // Only a page that offers Cancel can cancel: a payment form or a challenge. An order refused on its
    // last allowed attempt (its merchant already told STATUS 2 or 93), a DirectLink order outside its
    // challenge, or one being processed stays as it is, and the customer sees its result (a stale tab's
    // Cancel must not send the merchant a second, contradicting outcome).
    const state = stateOf(ctx);
    if (state.kind !== 'pay' && state.kind !== 'challenge') return { kind: 'page', state };
    const claim = await claimOrder(db, {
      id: orderId,
      tokenHash: ctx.tokenHash,
      from: state.kind === 'challenge' ? [STATUS_WAITING_AUTHENTICATION] : PAYABLE,
      countAttempt: false,
      // The same limit as the form's: a refusal recorded meanwhile on the last attempt is final.
      ...(state.kind === 'pay' ? { maxAttempts: ctx.config.paymentRetries } : {}),
      now: clock.now(),
    });
    if (!claim) return reload(ctx);
    return finish(ctx, { outcome: 'cancelled', ncError: DEFAULT_NC_ERROR.cancelled, attempts: claim.attempts }, clientIp);
  }

  /** Records the outcome, and unless the customer may try again, tells the merchant and redirects. */
  async function finish(ctx: Context, final: Final, clientIp: string): Promise<StepResult> {
    const { config } = ctx;
    const settled = await settleAttempt({ db, clock, enqueue: dispatch.enqueue }, ctx.order, config, final, clientIp);
    // The reconciliation job settled it first (an attempt slower than its grace period): show what it recorded.
    if (!settled) return reload(ctx);
    const { order: updated, payment } = settled;
    if (settled.retry) return { kind: 'page', state: await withStored(stateOf({ ...ctx, order: updated })) };
    if (settled.queued) await dispatch.deliverOnline(settled.queued);
    const url = customerRedirect(updated, config, payment);
    return url === null ? { kind: 'result', order: updated, accepted: ACCEPTED_STATUSES.has(settled.status) } : { kind: 'redirect', url };
  }

  return { view, pay, answerChallenge, cancel };
}

export type PaymentService = ReturnType<typeof createPaymentService>;
