/**
 * orderdirect: a payment the shop's server makes with the card data it collected (or a stored
 * ALIAS), answered at once in `<ncresponse/>`. The request is validated like the hosted page's
 * (order-request.ts) and the card like the payment form's; the order is the same `orders` row
 * (channel `directlink`), claimed, authorised and settled through the page's own steps, so the
 * reconciliation job, feedback and the API see it alike. An ORDERID already paid (or being paid) is
 * `50001113`. When the card asks for 3-D Secure the answer is STATUS 46 with HTML_ANSWER: a page the
 * shop shows its customer, which opens Varco's challenge for the order; its outcome settles the
 * order and sends the customer to ACCEPTURL/DECLINEURL with feedback, as on the hosted page.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { randomToken, sha256Hex } from '../../kernel/crypto.ts';
import { newId } from '../../kernel/ids.ts';
import { htmlAnswer, NC_ERROR, NC_ERROR_TEXT, type NcResponse } from '../../protocols/ogone/index.ts';
import type { EcommerceEnv } from '../merchants/index.ts';
import type { Acquirer, AcquirerResult } from './acquirer.ts';
import { INTERRUPTED, withDeadline, type CallLogger } from './acquirer.call.ts';
import type { PaymentCard } from './card.ts';
import { orderAnswer, refusalAnswer } from './directlink.answers.ts';
import type { Caller } from './directlink.auth.ts';
import { readDirectCard } from './directlink.card.ts';
import { requestToStore } from './entry.service.ts';
import { validateOrderRequest, type OrderRequest } from './order-request.ts';
import {
  claimOrder,
  findOrder,
  findOrderByRefIn,
  markInterrupted,
  PAYABLE_STATUSES,
  upsertOrder,
  type OrderRecord,
  type StoredRequest,
} from './orders.repository.ts';
import { createFeedbackDispatch } from './payment.dispatch.ts';
import { finalOf, recordChallenge, settleAttempt, settleUnanswered } from './payment.settle.ts';

export interface DirectOrderOptions {
  db: Kysely<Database>;
  clock: Clock;
  acquirers: Partial<Record<EcommerceEnv, Acquirer>>;
  /** Varco's public address: HTML_ANSWER sends the customer's browser there. */
  publicUrl: string;
  acquirerTimeoutMs?: number;
  logger?: CallLogger;
}

/** The alias an order creates or uses, kept once the acquirer took the card (directlink.alias.ts). */
export interface KeepAlias {
  readonly alias: string;
  run(orderId: string): Promise<void>;
}

/** What the order's card is: typed in the request, or opened from the vault (directlink.alias.ts). */
export type CardSource = (
  caller: Caller,
  order: OrderRequest,
  now: Date,
) => Promise<{ ok: true; card: PaymentCard; keep?: KeepAlias } | { ok: false; ncError: string; text: string }>;

const escapeAttribute = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page the shop shows: a form that opens the order's challenge page, sent at once by script, by a button without. */
export function challengeHtml(url: string, token: string, language: string): string {
  const it = language.startsWith('it');
  const text = it
    ? 'JavaScript non è attivo: premi Continua per completare l’autenticazione 3-D Secure.'
    : 'JavaScript is disabled: press Continue to complete the 3-D Secure authentication.';
  return `<form name="varco3ds" id="varco3ds" action="${escapeAttribute(url)}" method="get">
<input type="hidden" name="token" value="${escapeAttribute(token)}">
<noscript><p>${text}</p><input type="submit" value="${it ? 'Continua' : 'Continue'}"></noscript>
</form>
<script>document.getElementById('varco3ds').submit();</script>`;
}

export function createDirectOrder(options: DirectOrderOptions, cardOf: CardSource) {
  const { db, clock } = options;
  // No online attempt: the shop's server is waiting for the XML answer, not a customer for a page.
  const dispatch = createFeedbackDispatch({ db, clock });
  const timeoutMs = options.acquirerTimeoutMs ?? 30_000;

  async function createOrder(caller: Caller, env: EcommerceEnv, order: OrderRequest, charset: StoredRequest['page']) {
    const token = randomToken(32);
    // As the hosted page stores it: PARAMVAR scrubbed of card data too (docs/security.md 6). DirectLink's
    // SHA-IN covers every parameter whatever the merchant's hosted-page hashing, so ACCEPTURL and
    // DECLINEURL are signed and kept, legacy hashing or not (docs/reference/ogone/directlink.md, 3-D Secure).
    const stored = requestToStore(order, caller.config, charset, caller.values.get('PARAMVAR'), { signedInFull: true });
    const row = await upsertOrder(db, {
      id: newId('ord'),
      merchantId: caller.config.merchantId,
      env,
      order: stored.order,
      stored,
      tokenHash: sha256Hex(token),
      maxAttempts: caller.config.paymentRetries,
      now: clock.now(),
      channel: 'directlink',
    });
    return row === undefined ? undefined : { id: row.id, token };
  }

  /**
   * An ORDERID at 46 that upsertOrder no longer takes over (its challenge left unanswered on its last
   * attempt, nothing left to give back) ends as refused, STATUS 2 and 40001134, the shop told by the
   * server-to-server feedback as for the hosted page's (settleUnanswered, docs/security.md 46); this
   * request, which made no attempt, is answered 50001113 like any ORDERID that cannot be paid again.
   */
  async function endUnanswered(caller: Caller, env: EcommerceEnv, orderRef: string): Promise<void> {
    const existing = await findOrderByRefIn(db, caller.config.merchantId, env, orderRef);
    if (existing) await settleUnanswered({ db, clock, enqueue: dispatch.enqueue }, existing, caller.config);
  }

  /** The acquirer's answer recorded on the claimed order; the order as it is now. */
  async function record(
    caller: Caller,
    placed: OrderRecord,
    card: PaymentCard,
    attempts: number,
    result: AcquirerResult | typeof INTERRUPTED,
    token: string,
    keep: KeepAlias | undefined,
  ) {
    if (result === INTERRUPTED) {
      await markInterrupted(db, { id: placed.id, attemptId: newId('pay'), card: card.summary, now: clock.now() });
      return { html: undefined };
    }
    // The acquirer took the card: the token is kept (its CVC never) and the order names it.
    const took = result.outcome === 'authorised' || result.outcome === 'challenge_required';
    if (took && keep) await keep.run(placed.id);
    const order = took && keep ? { ...placed, alias: keep.alias } : placed;
    if (result.outcome === 'challenge_required') {
      await recordChallenge({ db, clock }, order.id, result, card.summary);
      const url = `${options.publicUrl}/ncol/${order.env}/pay/${order.id}/3ds`;
      return { html: htmlAnswer(challengeHtml(url, token, order.language)) };
    }
    // Each orderdirect call is an outcome of its own: the shop has the answer and may send the
    // ORDERID again (a new attempt), so a refusal is notified like an authorisation, retries left or not.
    await settleAttempt({ db, clock, enqueue: dispatch.enqueue }, order, caller.config, { ...finalOf(result), card: card.summary, attempts, last: true });
    return { html: undefined };
  }

  async function pay(caller: Caller, env: EcommerceEnv, charset: StoredRequest['page']): Promise<NcResponse> {
    const { config, values } = caller;
    const echo = { orderId: (values.get('ORDERID') ?? '').slice(0, 100), currency: (values.get('CURRENCY') ?? '').slice(0, 3) };
    const validated = validateOrderRequest(values, {
      enabledCurrencies: config.enabledCurrencies,
      defaultOperation: config.defaultOperation,
      signed: true,
      charset,
    });
    if (!validated.ok) {
      const first = validated.problems[0];
      // CN is the card holder here: the platform's card code for its length.
      const ncError = first?.param === 'CN' && first.code === 'too_long' ? NC_ERROR.HOLDER_TOO_LONG : (first?.ncError ?? NC_ERROR.DATA_VALIDATION);
      return refusalAnswer({ ...echo, ncError, text: first?.text ?? NC_ERROR_TEXT[NC_ERROR.DATA_VALIDATION] });
    }
    const card = await cardOf(caller, validated.order, clock.now());
    if (!card.ok) return refusalAnswer({ ...echo, ncError: card.ncError, text: card.text });
    const acquirer = options.acquirers[env];
    if (!acquirer) return refusalAnswer({ ...echo, ncError: NC_ERROR.DATA_VALIDATION, text: `No payment processor is configured for the ${env} environment.` });
    const created = await createOrder(caller, env, validated.order, charset);
    if (!created) await endUnanswered(caller, env, validated.order.orderId);
    const claim = created
      ? await claimOrder(db, {
          id: created.id,
          tokenHash: sha256Hex(created.token),
          from: PAYABLE_STATUSES,
          countAttempt: true,
          maxAttempts: config.paymentRetries,
          now: clock.now(),
        })
      : undefined;
    const order = created && claim ? await findOrder(db, created.id) : undefined;
    if (!created || !claim || !order) return refusalAnswer({ ...echo, ncError: NC_ERROR.ALREADY_PROCESSED, text: NC_ERROR_TEXT[NC_ERROR.ALREADY_PROCESSED] });
    const result = await withDeadline(
      () =>
        acquirer.authorise({
          amount: order.amount,
          currency: order.currency,
          card: card.card,
          operation: order.operation,
          orderRef: order.id,
          // FLAG3D=Y asks for 3-D Secure; without it the platform authorises without authentication.
          threeDSecure: values.get('FLAG3D')?.trim().toUpperCase() === 'Y',
        }),
      timeoutMs,
      { logger: options.logger, context: { orderId: order.id }, what: 'the order waits for reconciliation' },
    );
    const { html } = await record(caller, order, card.card, claim.attempts, result, created.token, card.keep);
    const now = await findOrder(db, order.id);
    if (!now) throw new Error(`order ${order.id} vanished`);
    // Interrupted: the result is not known yet; the reconciliation job settles it (query later).
    if (result === INTERRUPTED) return orderAnswer({ ...now, ncError: NC_ERROR.STATUS_UNKNOWN });
    return orderAnswer(now, html === undefined ? {} : { htmlAnswer: html });
  }

  return { pay };
}

/** Cards typed in the request only (CARDNO, ED, CVC, CN). */
export const typedCard: CardSource = async (caller, order, now) => readDirectCard(caller.values, now, order.brand);
