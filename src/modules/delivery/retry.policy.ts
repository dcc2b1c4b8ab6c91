import type { Channel } from './outbox.repository.ts';

// When to try a failed delivery again: exponential back-off from `baseMs`, capped at `capMs`, with
// upward-only jitter (0–25 %) so instances that failed together do not retry in lock-step, and a
// give-up point. The give-up point is measured on the nominal (jitter-free) schedule, so jitter can
// only lengthen the time a message is retried: e-mail for about 2 days, server-to-server messages
// for at least 3 days (a creditor institution's weekend outage must not lose a notification), pagoPA
// receipts as pagoPA's node retries them: first again within 30 s, then backing off to hourly, for
// 48 h (VARCO_PAGOPA_RT_RETRY_* change it; the worker is given the configured schedule), password
// reset requests (work in Varco's own database, failed only by an outage) from 5 s, for 2 days too.
//
// A receiver that says when to come back (`Retry-After` on 429 or 503) is not called earlier than
// that, up to the schedule's cap: a header can lengthen a delay, never shorten it below the
// back-off, so a receiver answering `Retry-After: 0` cannot make Varco hammer it, and the give-up
// point (counted on the nominal schedule) still comes no sooner than without the header.
// ADR 0025 has the table of what is retried.

export interface RetrySchedule {
  baseMs: number;
  capMs: number;
  giveUpAfterMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const RETRY_SCHEDULES: Readonly<Record<Channel, RetrySchedule>> = {
  email: { baseMs: 30_000, capMs: HOUR, giveUpAfterMs: 48 * HOUR },
  http: { baseMs: 10_000, capMs: 30 * MINUTE, giveUpAfterMs: 72 * HOUR },
  // 20 s plus at most 25 % jitter: the first retry comes within 30 s of the first failure.
  soap: { baseMs: 20_000, capMs: HOUR, giveUpAfterMs: 48 * HOUR },
  // Work in Varco's own database (a password reset request): only an outage fails it; retried as its e-mail would be.
  reset: { baseMs: 5_000, capMs: 10 * MINUTE, giveUpAfterMs: 48 * HOUR },
};

const JITTER = 0.25;

export function nominalDelayMs(attempt: number, schedule: RetrySchedule): number {
  // 2^(attempt-1) overflows nothing for the attempt counts we reach; min() caps it first anyway.
  return Math.min(schedule.capMs, schedule.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
}

const scheduleOf = (channel: Channel | RetrySchedule): RetrySchedule => (typeof channel === 'string' ? RETRY_SCHEDULES[channel] : channel);

/**
 * Delay before the try after `attempt` (1 = the first try just failed), or null to give up: the
 * message is exhausted once the nominal time from its first try to this one reaches the give-up point.
 * `channel` names the channel's default schedule, or is the schedule itself (a configured one).
 * `random` is injectable so tests are deterministic.
 */
export function nextAttemptDelayMs(attempt: number, channel: Channel | RetrySchedule, random: () => number = Math.random): number | null {
  const schedule = scheduleOf(channel);
  let elapsed = 0;
  for (let i = 1; i < attempt; i++) elapsed += nominalDelayMs(i, schedule);
  if (elapsed >= schedule.giveUpAfterMs) return null;
  const jitter = 1 + JITTER * Math.min(Math.max(random(), 0), 1);
  return Math.round(nominalDelayMs(attempt, schedule) * jitter);
}

// delta-seconds is 1*DIGIT (RFC 9110 §10.2.3); more than 10 digits is beyond any cap anyway.
const DELTA_SECONDS = /^\d{1,10}$/;
// The three date formats RFC 9110 §5.6.7 asks recipients to accept: IMF-fixdate, RFC 850, asctime.
const HTTP_DATE =
  /^(?:[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * The wait a `Retry-After` value asks for, in ms from `now` (0 for a date already past), or null when
 * the value is missing or not one of the forms HTTP allows: the schedule applies then.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (DELTA_SECONDS.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return null;
  // asctime has no zone: it is GMT too.
  const at = Date.parse(/GMT$/.test(text) ? text : `${text} GMT`);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** What a delivery attempt's outcome means for its message. */
export type RetryVerdict =
  | { state: 'delivered' }
  /** Tried again after `delayMs`. */
  | { state: 'pending'; delayMs: number }
  /** Retrying cannot help (or none was wanted): given up at once, nobody is told. */
  | { state: 'dead' }
  /** Failed on every try of the schedule: given up, and the message's owner is told. */
  | { state: 'exhausted' };

export interface AttemptOutcome {
  ok: boolean;
  permanent?: boolean;
  /** The receiver's Retry-After header, as received. */
  retryAfter?: string;
}

/** The verdict on attempt number `attempt` of a message (pure: the worker and the online attempt both ask it). */
export function decideRetry(
  outcome: AttemptOutcome,
  attempt: number,
  channel: Channel | RetrySchedule,
  now: Date,
  random: () => number = Math.random,
): RetryVerdict {
  if (outcome.ok) return { state: 'delivered' };
  if (outcome.permanent) return { state: 'dead' };
  const schedule = scheduleOf(channel);
  const delay = nextAttemptDelayMs(attempt, schedule, random);
  if (delay === null) return { state: 'exhausted' };
  const asked = parseRetryAfter(outcome.retryAfter, now);
  return { state: 'pending', delayMs: asked === null ? delay : Math.max(delay, Math.min(asked, schedule.capMs)) };
}
