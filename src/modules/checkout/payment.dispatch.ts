/**
 * Server-to-server feedback of an order, per the merchant's *timing* setting:
 * - deferred: the outbox only (enqueued in the transaction that records the outcome);
 * - online, and online with deferred fallback: one attempt by the payment request itself, before
 *   the customer is redirected, with a short timeout; a failed attempt is then retried by the
 *   outbox on the deferred schedule. The platform's *Always online* drops a failed request; Varco
 *   does not, for either timing: a paid order the merchant never hears of is worse than a late
 *   request (issue 13; docs/reference/ogone/hosted-page.md, "Server-to-server request").
 * The message is enqueued in every case, so each attempt shows in the portal and can be resent.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { randomToken } from '../../kernel/crypto.ts';
import { enqueueHttpMessage, recordHeldAttempt, type DeliveryOutcome, type HttpMessage, type OutboxMessage } from '../delivery/index.ts';
import type { FeedbackPayment } from '../../protocols/ogone/index.ts';
import type { MerchantConfig } from '../merchants/index.ts';
import type { OrderRecord } from './orders.repository.ts';
import { serverFeedback } from './payment.feedback.ts';

export interface FeedbackDispatchOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** One delivery attempt now (the `http` channel's handler), for the online timings; `signal` fires at the limit. */
  sendNow?: (message: OutboxMessage, signal?: AbortSignal) => Promise<DeliveryOutcome>;
  /** Bound on the online attempt, whatever the handler's own timeouts. Default 6 s. */
  onlineTimeoutMs?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface QueuedFeedback {
  id: string;
  message: HttpMessage;
  organisationId: string;
  orderId: string;
  /** Set when the message is held for an online attempt. */
  owner?: string;
}

/** How long an online attempt holds its message before a worker may take it over. */
const HOLD_MS = 60_000;

export function createFeedbackDispatch(options: FeedbackDispatchOptions) {
  const { db, clock } = options;
  const onlineTimeoutMs = options.onlineTimeoutMs ?? 6000;

  async function enqueue(trx: Kysely<Database>, order: OrderRecord, config: MerchantConfig, payment: FeedbackPayment): Promise<QueuedFeedback | undefined> {
    const request = serverFeedback(order, config, payment);
    if (request === null) return undefined;
    const online = (config.s2sTiming === 'online' || config.s2sTiming === 'online_deferred_fallback') && options.sendNow !== undefined;
    const owner = online ? `online:${randomToken(9)}` : undefined;
    const { id, message } = await enqueueHttpMessage(trx, {
      env: order.env,
      ...request,
      organisationId: order.organisationId,
      subjectType: 'order',
      subjectId: order.id,
      ...(owner ? { hold: { owner, until: new Date(clock.now().getTime() + HOLD_MS) } } : {}),
    });
    return { id, message, organisationId: order.organisationId, orderId: order.id, ...(owner ? { owner } : {}) };
  }

  /** The online attempt of a held message; never throws (a lost record leaves the lease to expire). */
  async function deliverOnline(queued: QueuedFeedback): Promise<void> {
    const { owner } = queued;
    if (owner === undefined || options.sendNow === undefined) return;
    const startedAt = clock.now();
    const t0 = performance.now();
    const message: OutboxMessage = {
      id: queued.id,
      channel: 'http',
      payload: queued.message,
      attempt: 1,
      createdAt: startedAt,
      organisationId: queued.organisationId,
      subjectType: 'order',
      subjectId: queued.orderId,
    };
    // At the limit the attempt is a failure and its request is aborted (ADR 0025, docs/security.md 24): a
    // request still waiting for one of the endpoint's connections is never sent, one under way has its
    // connection closed. Before (nineteenth session) the attempt only stopped waiting, so a queued request
    // reached the merchant after the attempt was recorded failed, and the outbox's retry sent it again.
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<DeliveryOutcome>((done) => {
      timer = setTimeout(() => {
        done({ ok: false, error: `no answer within ${onlineTimeoutMs} ms (online)` });
        abort.abort(new Error(`online attempt cut off after ${onlineTimeoutMs} ms`));
      }, onlineTimeoutMs);
    });
    const outcome = await Promise.race([
      options.sendNow(message, abort.signal).catch((error: unknown): DeliveryOutcome => ({ ok: false, error: String(error) })),
      limit,
    ]);
    clearTimeout(timer);
    try {
      await recordHeldAttempt(db, {
        messageId: queued.id,
        owner,
        outcome,
        // Both online timings: a failed attempt goes on to the outbox's retries, like a deferred message.
        fallback: true,
        startedAt,
        durationMs: performance.now() - t0,
        now: clock.now(),
      });
    } catch (error) {
      options.logger?.warn(
        { messageId: queued.id, err: String(error) },
        'online feedback attempt could not be recorded; a worker will deliver it after the lease',
      );
    }
  }

  return { enqueue, deliverOnline };
}
