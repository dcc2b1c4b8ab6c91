import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/db.ts';
import { releaseSlot, takeSlot, type ThrottleLimits, type ThrottleState } from '../../src/modules/identity/throttle.policy.ts';
import { giveBackSlot, readThrottle, takeSlots } from '../../src/modules/identity/throttle.repository.ts';

// The pure throttle policy is the specification; the repository's guarded statements are its
// atomic translation. Both are applied to the same states here and must agree exactly.

const { db } = await createTestDatabase();
const limits: ThrottleLimits = { maxFailures: 3, windowMs: 15 * 60_000, lockMs: 10 * 60_000 };
const now = new Date('2026-11-23T10:00:00.123Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

const states: Array<[string, ThrottleState | undefined]> = [
  ['no row', undefined],
  ['one failure', { failures: 1, windowStartedAt: at(-1), lockedUntil: null }],
  ['one slot left', { failures: 2, windowStartedAt: at(-1), lockedUntil: null }],
  ['locked', { failures: 3, windowStartedAt: at(-2), lockedUntil: at(8) }],
  ['lock ends now', { failures: 3, windowStartedAt: at(-10), lockedUntil: now }],
  ['lock ended', { failures: 3, windowStartedAt: at(-12), lockedUntil: at(-2) }],
  ['lock outlives its window', { failures: 3, windowStartedAt: at(-20), lockedUntil: at(1) }],
  ['window just within', { failures: 2, windowStartedAt: at(-15), lockedUntil: null }],
  ['window over', { failures: 2, windowStartedAt: at(-15.01), lockedUntil: null }],
  ['limit lowered', { failures: 6, windowStartedAt: at(-3), lockedUntil: null }],
  ['nothing counted', { failures: 0, windowStartedAt: at(-3), lockedUntil: null }],
];

async function seed(key: string, state: ThrottleState | undefined): Promise<void> {
  await db.deleteFrom('signin_throttle').where('key', '=', key).execute();
  if (state)
    await db
      .insertInto('signin_throttle')
      .values({ key, failures: state.failures, window_started_at: state.windowStartedAt, locked_until: state.lockedUntil })
      .execute();
}

for (const [name, state] of states) {
  test(`taking a slot, ${name}: the statement does what takeSlot decides`, async () => {
    const key = `account:admin:${name}`;
    await seed(key, state);
    const expected = takeSlot(state, now, limits);
    const outcome = await takeSlots(db, [{ key, limits }], now);
    assert.deepEqual(await readThrottle(db, key), expected.next);
    if (expected.verdict.allowed) assert.deepEqual(outcome, { taken: true, windows: new Map([[key, expected.next!.windowStartedAt]]) });
    else assert.deepEqual(outcome, { taken: false, retryAfterMs: expected.verdict.retryAfterMs });
  });

  test(`giving a slot back, ${name}: the statement does what releaseSlot decides`, async () => {
    const key = `ip:admin:${name}`;
    for (const window of [at(-1), at(-2), at(-3)]) {
      await seed(key, state);
      await giveBackSlot(db, key, window, limits);
      assert.deepEqual(await readThrottle(db, key), releaseSlot(state, window, limits), `slot of window ${window.toISOString()}`);
    }
  });
}

test('an attempt refused by its address takes no slot on its account either', async () => {
  await seed('account:portal:a@b.test', { failures: 1, windowStartedAt: at(-1), lockedUntil: null });
  await seed('ip:portal:192.0.2.1', { failures: 12, windowStartedAt: at(-1), lockedUntil: at(5) });
  const outcome = await takeSlots(
    db,
    [
      { key: 'account:portal:a@b.test', limits },
      { key: 'ip:portal:192.0.2.1', limits: { ...limits, maxFailures: 12 } },
    ],
    now,
  );
  assert.deepEqual(outcome, { taken: false, retryAfterMs: 5 * 60_000 });
  assert.equal((await readThrottle(db, 'account:portal:a@b.test'))?.failures, 1);
});

test('the counter cannot go below zero', async () => {
  await assert.rejects(
    db.insertInto('signin_throttle').values({ key: 'ip:admin:negative', failures: -1, window_started_at: now, locked_until: null }).execute(),
    /signin_throttle_failures_not_negative/,
  );
});
