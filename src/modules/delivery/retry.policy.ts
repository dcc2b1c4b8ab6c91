import type { Channel } from './outbox.repository.ts';

// When to try a failed delivery again: exponential back-off from `baseMs`, capped at `capMs`, with
// upward-only jitter (0–25 %) so instances that failed together do not retry in lock-step, and a
// give-up point. The give-up point is measured on the nominal (jitter-free) schedule, so jitter can
// only lengthen the time a message is retried: e-mail for about 2 days, server-to-server messages
// for at least 3 days (a creditor institution's weekend outage must not lose a notification), pagoPA
// receipts as pagoPA's node retries them: first again within 30 s, then backing off to hourly, for
// 48 h (VARCO_PAGOPA_RT_RETRY_* change it; the worker is given the configured schedule).

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
};

const JITTER = 0.25;

export function nominalDelayMs(attempt: number, schedule: RetrySchedule): number {
  // 2^(attempt-1) overflows nothing for the attempt counts we reach; min() caps it first anyway.
  return Math.min(schedule.capMs, schedule.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
}

/**
 * Delay before the try after `attempt` (1 = the first try just failed), or null to give up: the
 * message is dead once the nominal time from its first try to this one reaches the give-up point.
 * `channel` names the channel's default schedule, or is the schedule itself (a configured one).
 * `random` is injectable so tests are deterministic.
 */
export function nextAttemptDelayMs(attempt: number, channel: Channel | RetrySchedule, random: () => number = Math.random): number | null {
  const schedule = typeof channel === 'string' ? RETRY_SCHEDULES[channel] : channel;
  let elapsed = 0;
  for (let i = 1; i < attempt; i++) elapsed += nominalDelayMs(i, schedule);
  if (elapsed >= schedule.giveUpAfterMs) return null;
  const jitter = 1 + JITTER * Math.min(Math.max(random(), 0), 1);
  return Math.round(nominalDelayMs(attempt, schedule) * jitter);
}
