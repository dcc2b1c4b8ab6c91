import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RATE_WINDOW_MS, rateVerdict, windowStartOf } from './rate-limit.policy.ts';

// The sliding-window verdict: the previous minute counts for the part of it still inside the last 60 s.

const start = windowStartOf(Date.UTC(2026, 10, 23, 10, 0, 0));

test('windows start on whole minutes', () => {
  assert.equal(windowStartOf(start + 59_999), start);
  assert.equal(windowStartOf(start + 60_000), start + RATE_WINDOW_MS);
});

test('requests are allowed up to the limit in a fresh window, with the remaining count', () => {
  assert.deepEqual(rateVerdict({ limit: 3, now: start + 1000, windowStart: start, current: 0, previous: 0 }), { allowed: true, remaining: 2 });
  assert.deepEqual(rateVerdict({ limit: 3, now: start + 1000, windowStart: start, current: 2, previous: 0 }), { allowed: true, remaining: 0 });
});

test('a full window is refused until enough of it has slid out; Retry-After is in whole seconds, at least 1', () => {
  const verdict = rateVerdict({ limit: 3, now: start + 10_000, windowStart: start, current: 3, previous: 0 });
  assert.equal(verdict.allowed, false);
  // Next window starts in 50 s; then 3 * (1 - t/60) + 1 <= 3 needs t >= 20 s.
  if (!verdict.allowed) assert.equal(verdict.retryAfterSeconds, 70);
  // One a minute means one per sliding 60 s: the next is allowed 60 s after the window ends.
  const limitOne = rateVerdict({ limit: 1, now: start + 59_900, windowStart: start, current: 1, previous: 0 });
  assert.deepEqual(limitOne, { allowed: false, retryAfterSeconds: 61 });
  // Never less than a second, even when the wait is a few milliseconds.
  assert.deepEqual(rateVerdict({ limit: 100, now: start + 15_590, windowStart: start, current: 25, previous: 100 }), { allowed: false, retryAfterSeconds: 1 });
});

test('the previous window weighs by its overlap with the last 60 seconds', () => {
  // 25% into the window: previous 100 counts as 75.
  assert.equal(rateVerdict({ limit: 100, now: start + 15_000, windowStart: start, current: 24, previous: 100 }).allowed, true);
  const refused = rateVerdict({ limit: 100, now: start + 15_000, windowStart: start, current: 25, previous: 100 });
  assert.equal(refused.allowed, false);
  // 100 * (1 - t/60) + 25 + 1 <= 100 needs t >= 15.6 s: one more second.
  if (!refused.allowed) assert.equal(refused.retryAfterSeconds, 1);
  // Once the previous window has slid out, only the current one counts.
  assert.equal(rateVerdict({ limit: 100, now: start + 59_999, windowStart: start, current: 98, previous: 100 }).allowed, true);
});

test('the waiting time the verdict names is enough: the request is allowed then', () => {
  for (const [limit, current, previous, offset] of [
    [10, 10, 0, 5000],
    [10, 4, 10, 1000],
    [600, 300, 600, 20_000],
    [5, 2, 50, 100],
  ] as const) {
    const now = start + offset;
    const verdict = rateVerdict({ limit, now, windowStart: start, current, previous });
    assert.equal(verdict.allowed, false, `${limit}/${current}/${previous}`);
    if (verdict.allowed) continue;
    const later = now + verdict.retryAfterSeconds * 1000;
    const laterStart = windowStartOf(later);
    const moved = laterStart !== start;
    const again = rateVerdict({
      limit,
      now: later,
      windowStart: laterStart,
      current: moved ? 0 : current,
      previous: moved ? (laterStart - start === RATE_WINDOW_MS ? current : 0) : previous,
    });
    assert.equal(again.allowed, true, `${limit}/${current}/${previous} after ${verdict.retryAfterSeconds}s`);
  }
});
