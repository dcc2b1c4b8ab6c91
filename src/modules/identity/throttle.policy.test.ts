import { test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseSlot, takeSlot, type ThrottleLimits, type ThrottleState } from './throttle.policy.ts';

const limits: ThrottleLimits = { maxFailures: 3, windowMs: 15 * 60_000, lockMs: 10 * 60_000 };
const t0 = new Date('2026-11-23T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

test('each attempt takes a slot before its password is checked; the last slot sets the lock', () => {
  let state: ThrottleState | undefined;
  for (let i = 1; i <= 3; i++) {
    const { verdict, next } = takeSlot(state, at(i), limits);
    assert.deepEqual(verdict, { allowed: true });
    assert.equal(next?.failures, i);
    assert.deepEqual(next?.windowStartedAt, at(1), 'the window starts with the first attempt');
    state = next;
  }
  assert.deepEqual(state?.lockedUntil, at(3 + 10), 'locked from the attempt that took the last slot');
  const refused = takeSlot(state, at(4), limits);
  assert.deepEqual(refused.verdict, { allowed: false, retryAfterMs: 9 * 60_000 });
  assert.equal(refused.next, state, 'a refused attempt changes nothing');
});

test('a lock that has ended, or a window that is over, starts counting afresh', () => {
  const afterLock = takeSlot({ failures: 3, windowStartedAt: at(0), lockedUntil: at(10) }, at(10), limits);
  assert.deepEqual(afterLock.next, { failures: 1, windowStartedAt: at(10), lockedUntil: null });
  const afterWindow = takeSlot({ failures: 2, windowStartedAt: at(0), lockedUntil: null }, at(15.5), limits);
  assert.deepEqual(afterWindow.next, { failures: 1, windowStartedAt: at(15.5), lockedUntil: null });
  const sameWindow = takeSlot({ failures: 1, windowStartedAt: at(0), lockedUntil: null }, at(15), limits);
  assert.equal(sameWindow.next?.failures, 2, 'the window includes its last instant');
});

test("with the limit lowered below a window's count, attempts wait for the window to end", () => {
  const { verdict } = takeSlot({ failures: 5, windowStartedAt: at(0), lockedUntil: null }, at(5), limits);
  assert.deepEqual(verdict, { allowed: false, retryAfterMs: 10 * 60_000 });
});

test('a success gives its slot back only in the window it was taken in, and lifts a lock it set', () => {
  const locked: ThrottleState = { failures: 3, windowStartedAt: at(0), lockedUntil: at(12) };
  assert.deepEqual(releaseSlot(locked, at(0), limits), { failures: 2, windowStartedAt: at(0), lockedUntil: null });
  assert.equal(releaseSlot(locked, at(1), limits), locked, 'a slot of an earlier window is not given back');
  const over: ThrottleState = { failures: 5, windowStartedAt: at(0), lockedUntil: at(12) };
  assert.deepEqual(releaseSlot(over, at(0), limits), { failures: 4, windowStartedAt: at(0), lockedUntil: at(12) }, 'still all slots used: still locked');
  const empty: ThrottleState = { failures: 0, windowStartedAt: at(0), lockedUntil: null };
  assert.equal(releaseSlot(empty, at(0), limits), empty);
  assert.equal(releaseSlot(undefined, at(0), limits), undefined);
});
