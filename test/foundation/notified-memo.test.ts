import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createNotifiedMemo } from '../../src/db/index.ts';
import { testServerUrl } from '../support/db.ts';

// The notified memo's bound (src/db/notified-memo.ts): never more than maxEntries answers kept, the
// oldest stored dropped first, and an answer stored again (its age limit passed) moves to the newest
// end without dropping another. A real LISTEN connection: nothing is kept without one.

/** A started memo of three answers, aged one second, and a way to look keys up counting the loads. */
async function startedMemo(t: TestContext): Promise<(...keys: string[]) => Promise<string[]>> {
  const memo = createNotifiedMemo({
    databaseUrl: testServerUrl(),
    channel: `memo_test_${randomBytes(4).toString('hex')}`,
    applicationName: 'varco-memo-test',
    maxEntries: 3,
    maxAgeMs: 1_000,
    downMessage: 'memo test listener down',
  });
  t.after(() => memo.stop());
  await memo.start();
  assert.ok(memo.listening);
  /** Looks `keys` up in turn; the keys that had to be loaded (not kept). */
  return async (...keys) => {
    const loaded: string[] = [];
    for (const key of keys) {
      const answer = await memo.remember(key, async () => {
        loaded.push(key);
        return `answer ${key}`;
      });
      assert.equal(answer, `answer ${key}`);
    }
    return loaded;
  };
}

test('at most maxEntries answers are kept, the oldest stored dropped first', async (t) => {
  const lookUp = await startedMemo(t);
  assert.deepEqual(await lookUp('a', 'b', 'c'), ['a', 'b', 'c']);
  assert.deepEqual(await lookUp('a', 'b', 'c'), [], 'three fit');
  assert.deepEqual(await lookUp('d'), ['d']);
  assert.deepEqual(await lookUp('b', 'c', 'd'), [], 'the oldest (a) made room');
  assert.deepEqual(await lookUp('a'), ['a'], 'a was dropped');
});

test('an answer stored again (too old) becomes the newest and drops no other', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const lookUp = await startedMemo(t);
  assert.deepEqual(await lookUp('a', 'b'), ['a', 'b']);
  t.mock.timers.tick(1_000);
  assert.deepEqual(await lookUp('a', 'c'), ['a', 'c'], 'a was too old');
  // Full (b, a, c); b is too old and is stored again: it moves to the newest end, a and c stay.
  assert.deepEqual(await lookUp('b'), ['b']);
  assert.deepEqual(await lookUp('a', 'c', 'b'), []);
  assert.deepEqual(await lookUp('d'), ['d']);
  assert.deepEqual(await lookUp('c', 'b', 'd'), [], 'the oldest stored (a) made room');
  assert.deepEqual(await lookUp('a'), ['a']);
});
