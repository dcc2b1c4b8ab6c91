import { inSpan, spanFailed, SpanKind, type Span } from '../../kernel/tracing.ts';
import { groupWriter } from '../../kernel/group-writer.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import {
  leaseDue,
  recordAttempt,
  recordAttempts,
  releaseLeases,
  OUTBOX_CHANNEL,
  type AttemptRecord,
  type Channel,
  type LeasedRow,
} from './outbox.repository.ts';
import { OUTBOX_CHANNELS } from './outbox.resend.ts';
import { decideRetry, type RetrySchedule } from './retry.policy.ts';
import { createOutboxListener, type OutboxListener } from './outbox.listener.ts';

// The generic outbox worker: lease due messages (FOR UPDATE SKIP LOCKED, committed at once), deliver
// them outside any transaction, then record the attempt and the verdict guarded by the lease. A
// worker that dies mid-delivery leaves a lease that expires, and another worker (or the restarted one)
// delivers again: at least once, with the message id as the event id receivers deduplicate on.

export interface WorkerLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OutboxMessage {
  /** msg_…: the event id, the same on every attempt. */
  id: string;
  channel: Channel;
  payload: unknown;
  /** 1 for the first try. */
  attempt: number;
  createdAt: Date;
  organisationId: string | null;
  subjectType: string | null;
  subjectId: string | null;
}

export type DeliveryOutcome =
  | { ok: true; statusCode?: number }
  /**
   * `permanent`: retrying cannot help (e.g. the recipient does not exist), so the message is dead now.
   * `retryAfter`: the receiver's Retry-After header (429, 503): the next try is not before it (retry.policy.ts).
   * `moot` (with `permanent`): nothing went wrong, the message is no longer needed (an invitation
   * accepted before its e-mail left): dead like any permanent failure, logged as information, not as an error.
   */
  | { ok: false; error: string; statusCode?: number; permanent?: boolean; moot?: boolean; retryAfter?: string };

/**
 * Delivers one message. `signal` aborts when the worker cuts the attempt off (80 % of the lease):
 * a handler passes it to its I/O so the connection is closed before another worker may take the
 * message over, instead of a second delivery running beside a hung first one.
 */
export type DeliveryHandler = (message: OutboxMessage, signal?: AbortSignal) => Promise<DeliveryOutcome>;

/** What a channel's owner is told when a message is exhausted. */
export interface ExhaustedMessage extends OutboxMessage {
  /** Attempts made, this last one included. */
  attempts: number;
  lastError: string;
}

/**
 * Tells a message's owner that its retries ran out; runs in the transaction that records the last
 * attempt (so the notice is enqueued once). Channels that tell their owner themselves (pagoPA
 * receipts, in their handler) have none.
 */
export type ExhaustionNotifier = (trx: Kysely<Database>, message: ExhaustedMessage) => Promise<void>;

export interface OutboxWorkerOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: WorkerLogger;
  /** Unique per process (host, pid, random): a lease names the worker holding it. */
  workerId: string;
  /** Only these channels are leased: without an SMTP handler e-mails stay pending in the outbox. */
  handlers: Partial<Record<Channel, DeliveryHandler>>;
  /** Most messages leased in one statement. */
  batchSize?: number;
  /** Most deliveries in flight at once in start()'s loop (runOnce() delivers one batch). */
  concurrency?: number;
  /** How long a lease protects a message; a delivery taking longer is abandoned as failed. */
  leaseMs?: number;
  /** Fallback poll interval, for notifications missed and for retries coming due. */
  pollMs?: number;
  /** Database URL for LISTEN on varco_outbox; without it the worker only polls. */
  listenUrl?: string;
  /** Schedules that replace a channel's default (RETRY_SCHEDULES), e.g. the configured one of pagoPA receipts. */
  schedules?: Partial<Record<Channel, RetrySchedule>>;
  /** Per channel, who is told when a message is exhausted (ADR 0025). */
  onExhausted?: Partial<Record<Channel, ExhaustionNotifier>>;
  random?: () => number;
}

export interface OutboxWorker {
  start(): Promise<void>;
  /** Stops leasing, lets the deliveries in flight finish and record their outcome, closes LISTEN. */
  stop(): Promise<void>;
  /** One lease-and-deliver round; resolves with the number of messages handled. */
  runOnce(): Promise<number>;
}

const MAX_ERROR_LENGTH = 1000;

// A row's channel is a new string each time pg reads one. Keyed by it, the handler and schedule
// lookups below deoptimised the delivery code at every burst ("unexpected name in keyed access":
// optimised code expects the name it was compiled for, the same string, not an equal one), so it ran
// mostly unoptimised (issue 15). The module's own constants (OUTBOX_CHANNELS) are that same string.
const CHANNEL_NAMES = new Map<string, Channel>(OUTBOX_CHANNELS.map((channel) => [channel, channel]));

function message(row: LeasedRow): OutboxMessage {
  return {
    id: row.id,
    channel: CHANNEL_NAMES.get(row.channel) ?? row.channel,
    payload: row.payload,
    attempt: row.attempts,
    createdAt: row.created_at,
    organisationId: row.organisation_id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
  };
}

function errorText(error: unknown): string {
  const text =
    error instanceof Error ? `${(error as NodeJS.ErrnoException).code ? `${(error as NodeJS.ErrnoException).code}: ` : ''}${error.message}` : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, clock, logger, workerId, handlers } = options;
  const batchSize = options.batchSize ?? 20;
  const concurrency = Math.max(options.concurrency ?? 50, batchSize);
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 2_000;
  const channels = (Object.keys(handlers) as Channel[]).filter((c) => handlers[c] !== undefined);
  let running = false;
  let loop: Promise<void> | undefined;
  let listener: OutboxListener | undefined;
  // Set by a notification; the loop runs again at once instead of sleeping.
  let woken = false;
  let wake: (() => void) | undefined;

  const notify = (): void => {
    woken = true;
    wake?.();
  };

  /**
   * Runs the handler, cut off at 80 % of the lease (counted from `leasedAt`, the performance.now()
   * before the lease was taken: a prefetched message may wait for a slot): past the lease another
   * worker may take the message over. The cut-off records a failure (retried) and aborts the
   * handler's signal, which closes its connection; whatever the handler returns after that is ignored.
   */
  function attempt(handler: DeliveryHandler, msg: OutboxMessage, leasedAt: number): Promise<DeliveryOutcome> {
    const cutOffMs = Math.round(leaseMs * 0.8);
    const abort = new AbortController();
    // One promise settled by whichever comes first, the handler or the cut-off (not a race of two
    // promises: fewer objects per delivery, issue 15). A handler that throws, at once or later, is a
    // failed attempt.
    return new Promise<DeliveryOutcome>((done) => {
      const timer = setTimeout(
        () => {
          done({ ok: false, error: `delivery took longer than ${cutOffMs} ms (80 % of the lease): cut off` });
          abort.abort(new Error(`cut off after ${cutOffMs} ms`));
        },
        Math.max(0, cutOffMs - (performance.now() - leasedAt)),
      );
      const settle = (outcome: DeliveryOutcome): void => {
        clearTimeout(timer);
        done(outcome);
      };
      const failed = (error: unknown): void => settle({ ok: false, error: errorText(error) });
      try {
        handler(msg, abort.signal).then(settle, failed);
      } catch (error) {
        failed(error);
      }
    });
  }

  // Outcomes are recorded in groups: those that arrive while a group is being written go together
  // in the next statement (recordAttempts), so a busy worker commits once per group instead of once
  // per message, and an idle one still records each outcome at once (kernel/group-writer.ts). Whether
  // each message is held comes back per record.
  const record = groupWriter<AttemptRecord, boolean>({
    write: async (records) => {
      const held = await recordAttempts(db, workerId, records);
      return records.map((r) => held.has(r.messageId));
    },
    maxItems: 500,
  });

  async function deliver(row: LeasedRow, leasedAt: number): Promise<void> {
    const msg = message(row);
    const handler = handlers[msg.channel];
    if (!handler) return;
    // One span per delivery (tracing on); the handler's outbound call is its child and carries its traceparent.
    await inSpan(
      `outbox deliver ${msg.channel}`,
      SpanKind.CONSUMER,
      { 'varco.message_id': msg.id, 'varco.channel': msg.channel, 'varco.attempt': msg.attempt },
      (span) => deliverTraced(msg, handler, span, leasedAt),
    );
  }

  async function deliverTraced(msg: OutboxMessage, handler: DeliveryHandler, span: Span, leasedAt: number): Promise<void> {
    const startedAt = clock.now();
    const t0 = performance.now();
    const outcome = await attempt(handler, msg, leasedAt);
    const durationMs = performance.now() - t0;
    const now = clock.now();
    const verdict = decideRetry(outcome, msg.attempt, options.schedules?.[msg.channel] ?? msg.channel, now, options.random);
    // PostgreSQL's text cannot hold NUL, and an error text may quote a receiver's answer: one NUL
    // would fail the statement, hence the outcomes of its whole group.
    const error = outcome.ok ? null : outcome.error.slice(0, MAX_ERROR_LENGTH).replaceAll('\u0000', '\uFFFD');
    const r: AttemptRecord = {
      messageId: msg.id,
      owner: workerId,
      attempt: msg.attempt,
      startedAt,
      durationMs,
      ok: outcome.ok,
      statusCode: outcome.statusCode ?? null,
      error,
      nextAttemptAt: verdict.state === 'pending' ? new Date(now.getTime() + verdict.delayMs) : null,
      permanent: verdict.state === 'dead',
      now,
    };
    const notifier = options.onExhausted?.[msg.channel];
    // Exhaustion is rare: it gets a transaction of its own, so a notice that fails to enqueue rolls back
    // only this record (the lease expires, the message is tried and exhausted again), never a group.
    const held =
      verdict.state === 'exhausted' && notifier
        ? await recordAttempt(db, r, (trx) => notifier(trx, { ...msg, attempts: msg.attempt, lastError: error ?? '' }))
        : await record(r);
    span.setAttribute('varco.outbox.state', verdict.state);
    if (!outcome.ok) spanFailed(span, verdict.state);
    // Ids and outcomes only: payloads can carry links with single-use tokens. A delivery that went
    // through is logged at debug level: its attempt row records it (the back office's deliveries page),
    // and at info a busy outbox wrote a line per message for nothing (issue 15); e-mail excepted, below.
    const fields = { messageId: msg.id, channel: msg.channel, attempt: msg.attempt, durationMs: Math.round(durationMs) };
    if (!held) logger.warn({ ...fields, ok: outcome.ok }, 'outbox lease was taken over before the outcome was recorded');
    // E-mail at info: few messages, and "did the mail go out?" is an operator's first question.
    else if (verdict.state === 'delivered') logger[msg.channel === 'email' ? 'info' : 'debug'](fields, 'outbox message delivered');
    else if (verdict.state === 'pending') logger.warn({ ...fields, error, retryInMs: verdict.delayMs }, 'outbox delivery failed; will retry');
    else if (!outcome.ok && outcome.moot === true && verdict.state === 'dead') logger.info({ ...fields, reason: error }, 'outbox message not needed any more');
    else
      logger.error(
        { ...fields, error, state: verdict.state },
        verdict.state === 'exhausted' ? 'outbox message exhausted: retries ran out' : 'outbox message given up',
      );
  }

  async function runOnce(): Promise<number> {
    if (channels.length === 0) return 0;
    const leasedAt = performance.now();
    const rows = await leaseDue(db, { owner: workerId, channels, now: clock.now(), leaseMs, limit: batchSize });
    // A failure to record one outcome must not stop the others; that message's lease expires and it is retried.
    const results = await Promise.allSettled(rows.map((row) => deliver(row, leasedAt)));
    for (const r of results) if (r.status === 'rejected') logger.error({ err: errorText(r.reason) }, 'recording an outbox outcome failed');
    return rows.length;
  }

  const sleep = (ms: number): Promise<void> =>
    new Promise((done) => {
      const timer = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(timer);
        wake = undefined;
        done();
      }
      wake = finish;
    });

  // Deliveries started by run() and not finished, and messages leased ahead (prefetch) waiting for
  // a slot. A slot that frees starts the next leased message at once, while the loop leases the
  // next batch as soon as there is room for half a batch: one lease statement per batch, not one per
  // freed slot (issue 15), and no slot waits for a lease round trip. One slow or hung endpoint holds
  // one slot, not every other message of its batch (issue 6).
  const inFlight = new Set<Promise<void>>();
  const ready: Array<{ row: LeasedRow; leasedAt: number }> = [];
  const capacity = concurrency + batchSize;
  const lowWater = Math.ceil(batchSize / 2);
  const room = (): number => capacity - inFlight.size - ready.length;
  let waitingForRoom = false;

  // A message leased ahead waits for a slot while its lease runs. Once a tenth of it is gone it is
  // given back instead of started: a delivery starts with (nearly) the whole cut-off budget it would
  // have had without prefetch, never on a lease about to expire (another worker would take the
  // message over and send it again while this one is still sending). When slots free slowly, leasing
  // ahead gains nothing anyway.
  const stale: LeasedRow[] = [];
  function startReady(): void {
    const now = performance.now();
    while (running && inFlight.size < concurrency) {
      const next = ready.shift();
      if (!next) break;
      if (now - next.leasedAt > leaseMs / 10) stale.push(next.row);
      else track(next.row, next.leasedAt);
    }
    if (stale.length > 0) giveBack(stale.splice(0));
  }

  function giveBack(rows: LeasedRow[]): void {
    releaseLeases(db, workerId, rows).catch((error: unknown) => {
      logger.warn({ err: errorText(error), count: rows.length }, 'releasing outbox leases failed; they expire');
    });
  }

  function track(row: LeasedRow, leasedAt: number): void {
    const job: Promise<void> = deliver(row, leasedAt)
      // A failure to record one outcome must not stop the others; that message's lease expires and it is retried.
      .catch((error: unknown) => {
        logger.error({ err: errorText(error) }, 'recording an outbox outcome failed');
      })
      .finally(() => {
        inFlight.delete(job);
        startReady();
        if (waitingForRoom && room() >= lowWater) wake?.();
      });
    inFlight.add(job);
  }

  /** One lease round; whether to lease again at once (a full lease: more may be due). */
  async function leaseRound(): Promise<boolean> {
    if (room() < lowWater) return false;
    const limit = Math.min(batchSize, room());
    try {
      const leasedAt = performance.now();
      const rows = await leaseDue(db, { owner: workerId, channels, now: clock.now(), leaseMs, limit });
      for (const row of rows) ready.push({ row, leasedAt });
      startReady();
      return rows.length === limit;
    } catch (error) {
      // Database down: keep the process up, try again after the poll interval.
      logger.warn({ err: errorText(error) }, 'outbox worker round failed');
      return false;
    }
  }

  async function run(): Promise<void> {
    while (running) {
      woken = false;
      const full = await leaseRound();
      if (!running) break;
      if (room() >= lowWater && (full || woken)) continue;
      // No room: wait until a delivery ending makes some. Otherwise: a notification or the poll.
      waitingForRoom = room() < lowWater;
      await sleep(pollMs);
      waitingForRoom = false;
    }
    // Messages leased ahead and never started go back at once instead of waiting for their lease to expire.
    const unstarted = ready.splice(0).map((r) => r.row);
    await releaseLeases(db, workerId, unstarted).catch((error: unknown) => {
      logger.warn({ err: errorText(error), count: unstarted.length }, 'releasing unstarted outbox leases failed; they expire');
    });
    await Promise.allSettled([...inFlight]);
  }

  return {
    runOnce,
    start: async () => {
      if (running || channels.length === 0) return;
      running = true;
      if (options.listenUrl) {
        listener = createOutboxListener({ url: options.listenUrl, channel: OUTBOX_CHANNEL, onNotify: notify, logger });
        await listener.start();
      }
      loop = run();
      logger.info({ workerId, channels }, 'outbox worker started');
    },
    stop: async () => {
      if (!running) return;
      running = false;
      wake?.();
      await loop;
      await listener?.stop();
      listener = undefined;
      logger.info({ workerId }, 'outbox worker stopped');
    },
  };
}
