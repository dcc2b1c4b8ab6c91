import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideRetry, nextAttemptDelayMs, nominalDelayMs, parseRetryAfter, RETRY_SCHEDULES } from './retry.policy.ts';
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
  assert.equal(
    nextAttemptDelayMs(1, 'email', () => -3),
    RETRY_SCHEDULES.email.baseMs,
  );
  assert.equal(
    nextAttemptDelayMs(1, 'email', () => 7),
    Math.round(RETRY_SCHEDULES.email.baseMs * 1.25),
  );
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

// Retry-After (ADR 0025): a receiver answering 429 or 503 says when to come back, in seconds or as
// an HTTP date. Varco comes back no earlier than that, bounded by the schedule's cap; a missing or
// malformed header leaves the schedule in charge; the give-up point does not move.

const NOW = new Date('2027-03-01T10:00:00Z');

test('Retry-After: delta-seconds and the three HTTP date forms; anything else is ignored', () => {
  assert.equal(parseRetryAfter('120', NOW), 120_000);
  assert.equal(parseRetryAfter(' 0 ', NOW), 0);
  assert.equal(parseRetryAfter('Mon, 01 Mar 2027 10:05:00 GMT', NOW), 300_000);
  assert.equal(parseRetryAfter('Monday, 01-Mar-27 10:05:00 GMT', NOW), 300_000);
  assert.equal(parseRetryAfter('Mon Mar  1 10:05:00 2027', NOW), 300_000);
  assert.equal(parseRetryAfter('Mon, 01 Mar 2027 09:00:00 GMT', NOW), 0, 'a date already past: no wait asked');
  for (const bad of [undefined, '', '-5', '1.5', '2m', 'soon', '12345678901', 'Mon, 01 Mar 2027 10:05:00', '2027-03-01T10:05:00Z']) {
    assert.equal(parseRetryAfter(bad, NOW), null, `${String(bad)} is not a Retry-After value`);
  }
});

test('decideRetry: delivered, dead (permanent), pending on the schedule, exhausted when the schedule runs out', () => {
  assert.deepEqual(decideRetry({ ok: true }, 1, 'http', NOW, none), { state: 'delivered' });
  assert.deepEqual(decideRetry({ ok: false, permanent: true }, 1, 'http', NOW, none), { state: 'dead' });
  assert.deepEqual(decideRetry({ ok: false }, 1, 'http', NOW, none), { state: 'pending', delayMs: RETRY_SCHEDULES.http.baseMs });
  assert.deepEqual(decideRetry({ ok: false }, lifetime('http', none).attempts, 'http', NOW, none), { state: 'exhausted' });
  // A permanent failure on the last try is dead, not exhausted: retrying could not have helped.
  assert.deepEqual(decideRetry({ ok: false, permanent: true }, 500, 'http', NOW, none), { state: 'dead' });
});

test('decideRetry honours Retry-After up to the cap, and a missing or invalid one falls back to the schedule', () => {
  const { baseMs, capMs } = RETRY_SCHEDULES.http;
  assert.deepEqual(decideRetry({ ok: false, retryAfter: '120' }, 1, 'http', NOW, none), { state: 'pending', delayMs: 120_000 });
  assert.deepEqual(decideRetry({ ok: false, retryAfter: 'Mon, 01 Mar 2027 10:05:00 GMT' }, 1, 'http', NOW, none), { state: 'pending', delayMs: 300_000 });
  assert.deepEqual(decideRetry({ ok: false, retryAfter: '86400' }, 1, 'http', NOW, none), { state: 'pending', delayMs: capMs }, 'bounded by the cap');
  assert.deepEqual(decideRetry({ ok: false, retryAfter: '1' }, 1, 'http', NOW, none), { state: 'pending', delayMs: baseMs }, 'never earlier than the back-off');
  assert.deepEqual(decideRetry({ ok: false, retryAfter: 'tomorrow' }, 1, 'http', NOW, none), { state: 'pending', delayMs: baseMs });
  assert.deepEqual(
    decideRetry({ ok: false, retryAfter: '60' }, lifetime('http', none).attempts, 'http', NOW, none),
    { state: 'exhausted' },
    'the header does not extend the give-up point',
  );
});

test('property: a retry is never earlier than the schedule nor than Retry-After (up to the cap), never later than both allow', () => {
  const schedule = fc
    .record({
      baseMs: fc.integer({ min: 1, max: 600_000 }),
      capMs: fc.integer({ min: 1, max: 7_200_000 }),
      giveUpAfterMs: fc.integer({ min: 1, max: 400_000_000 }),
    })
    .map((s) => ({ ...s, capMs: Math.max(s.capMs, s.baseMs) }));
  const header = fc.oneof(
    fc.constant(undefined),
    fc.nat({ max: 10_000_000 }).map(String),
    fc.string(),
    fc.integer({ min: -10_000, max: 10_000_000 }).map((s) => new Date(NOW.getTime() + s * 1000).toUTCString()),
  );
  fc.assert(
    fc.property(schedule, fc.integer({ min: 1, max: 200 }), header, fc.double({ min: 0, max: 1, noNaN: true }), (s, attempt, retryAfter, r) => {
      const random = (): number => r;
      const plain = nextAttemptDelayMs(attempt, s, random);
      const verdict = decideRetry({ ok: false, ...(retryAfter === undefined ? {} : { retryAfter }) }, attempt, s, NOW, random);
      if (plain === null) return verdict.state === 'exhausted';
      if (verdict.state !== 'pending') return false;
      const asked = parseRetryAfter(retryAfter, NOW);
      const floor = Math.max(plain, asked === null ? 0 : Math.min(asked, s.capMs));
      return verdict.delayMs === floor && verdict.delayMs <= Math.max(plain, s.capMs);
    }),
    { numRuns: 2000 },
  );
});

test('property: any seconds value up to the cap is honoured exactly once it exceeds the back-off', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1800 }), fc.integer({ min: 1, max: 5 }), (seconds, attempt) => {
      const verdict = decideRetry({ ok: false, retryAfter: String(seconds) }, attempt, 'http', NOW, none);
      const backOff = nominalDelayMs(attempt, RETRY_SCHEDULES.http);
      return verdict.state === 'pending' && verdict.delayMs === Math.max(backOff, seconds * 1000);
    }),
  );
});
