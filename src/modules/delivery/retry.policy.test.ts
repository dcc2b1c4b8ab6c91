import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextAttemptDelayMs, nominalDelayMs, RETRY_SCHEDULES } from './retry.policy.ts';
import type { Channel } from './outbox.repository.ts';

// The retry schedule is a pure decision: exponential, capped, jittered upwards only, and it gives
// up only after the channel's window (e-mail ~2 days, server-to-server at least 3 days).

const HOUR = 3_600_000;
const none = (): number => 0;
const full = (): number => 1;

/** Attempts made and the time spanned (first try to last try) before the policy gives up. */
function lifetime(channel: Channel, random: () => number): { attempts: number; spanMs: number } {
  let spanMs = 0;
  for (let attempt = 1; attempt < 10_000; attempt++) {
    const delay = nextAttemptDelayMs(attempt, channel, random);
    if (delay === null) return { attempts: attempt, spanMs };
    spanMs += delay;
  }
  throw new Error('never gives up');
}

test('delays double from the base and stop growing at the cap', () => {
  const email = RETRY_SCHEDULES.email;
  assert.equal(nextAttemptDelayMs(1, 'email', none), email.baseMs);
  assert.equal(nextAttemptDelayMs(2, 'email', none), email.baseMs * 2);
  assert.equal(nextAttemptDelayMs(3, 'email', none), email.baseMs * 4);
  assert.equal(nextAttemptDelayMs(20, 'email', none), email.capMs);
  const delays = Array.from({ length: 30 }, (_, i) => nextAttemptDelayMs(i + 1, 'http', none) ?? 0);
  for (let i = 1; i < delays.length; i++) assert.ok(delays[i]! >= delays[i - 1]!, `delay ${i + 1} shrank`);
  assert.equal(Math.max(...delays), RETRY_SCHEDULES.http.capMs);
});

test('jitter only lengthens a delay, by at most a quarter', () => {
  for (const attempt of [1, 2, 5, 12]) {
    const nominal = nominalDelayMs(attempt, RETRY_SCHEDULES.email);
    assert.equal(nextAttemptDelayMs(attempt, 'email', none), nominal);
    assert.equal(nextAttemptDelayMs(attempt, 'email', full), Math.round(nominal * 1.25));
    for (let i = 0; i < 50; i++) {
      const d = nextAttemptDelayMs(attempt, 'email')!;
      assert.ok(d >= nominal && d <= nominal * 1.25, `${d} outside [${nominal}, ${nominal * 1.25}]`);
    }
  }
  // Out-of-range random values are clamped rather than producing negative or huge delays.
  assert.equal(nextAttemptDelayMs(1, 'email', () => -3), RETRY_SCHEDULES.email.baseMs);
  assert.equal(nextAttemptDelayMs(1, 'email', () => 7), Math.round(RETRY_SCHEDULES.email.baseMs * 1.25));
});

test('e-mail is given up after about two days of retries', () => {
  const shortest = lifetime('email', none);
  const longest = lifetime('email', full);
  assert.ok(shortest.spanMs >= 48 * HOUR, `gave up after ${shortest.spanMs / HOUR} h`);
  assert.ok(longest.spanMs <= 64 * HOUR, `kept retrying for ${longest.spanMs / HOUR} h`);
  assert.ok(shortest.attempts > 10 && shortest.attempts < 100, `${shortest.attempts} attempts`);
});

test('server-to-server messages are retried for at least three days', () => {
  const shortest = lifetime('http', none);
  assert.ok(shortest.spanMs >= 72 * HOUR, `gave up after ${shortest.spanMs / HOUR} h`);
  assert.ok(lifetime('http', full).spanMs <= 96 * HOUR);
});

test('the first attempts are never given up', () => {
  for (const channel of ['email', 'http'] as const) {
    for (let attempt = 1; attempt <= 10; attempt++) assert.notEqual(nextAttemptDelayMs(attempt, channel), null);
  }
});
