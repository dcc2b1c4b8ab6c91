import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrustCache } from './trust.service.ts';

// The trust cache hands the outbound client the same roots object while the content is unchanged
// (its pools and TLS contexts are keyed on it). Here its reads are counted and released by hand.

function counted(initialGeneration: number | undefined) {
  let generation = initialGeneration;
  const reads: { release: () => void }[] = [];
  let roots = ['root-a'];
  let failNext = false;
  const trust = {
    // The roots as they were when the read began (as a query's snapshot); `fail` rejects instead.
    rootsFor: () => {
      const seen = [...roots];
      return new Promise<string[]>((resolve, reject) => {
        reads.push({ release: () => (failNext ? reject(new Error('database down')) : resolve(seen)) });
      });
    },
    changes: { generation: () => generation },
  };
  return {
    cache: createTrustCache(trust),
    reads,
    releaseAll: () => reads.splice(0).forEach((read) => read.release()),
    bump: (next: number | undefined) => {
      generation = next;
    },
    setRoots: (next: string[]) => {
      roots = next;
    },
    failReads: (on: boolean) => {
      failNext = on;
    },
  };
}

test('calls that miss together share one read and one roots object', async () => {
  const t = counted(1);
  const calls = Array.from({ length: 50 }, () => t.cache('test', 'org_1'));
  assert.equal(t.reads.length, 1, 'one read for 50 concurrent misses');
  t.releaseAll();
  const stores = await Promise.all(calls);
  assert.ok(stores.every((store) => store === stores[0]));
  assert.deepEqual(stores[0]?.roots, ['root-a']);
  // Cached now: no read at all.
  assert.equal(await t.cache('test', 'org_1'), stores[0]);
  assert.equal(t.reads.length, 0);
  // Another organisation is read apart.
  const other = t.cache('test', 'org_2');
  assert.equal(t.reads.length, 1);
  t.releaseAll();
  assert.notEqual(await other, stores[0]);
});

test('a new generation is read again, and a read of the old one is not shared with it', async () => {
  const t = counted(1);
  const first = t.cache('test', null);
  t.bump(2);
  t.setRoots(['root-a', 'root-b']);
  const second = t.cache('test', null);
  assert.equal(t.reads.length, 2, 'the call after the change does not wait for the read made before it');
  // The newer read finishes first; the older one after it must not replace its entry.
  t.reads[1]?.release();
  const newer = await second;
  assert.deepEqual(newer.roots, ['root-a', 'root-b']);
  t.releaseAll();
  assert.deepEqual((await first).roots, ['root-a']);
  const later = t.cache('test', null);
  assert.equal(t.reads.length, 0, 'the entry of the newer generation is kept: no read');
  assert.equal(await later, newer);
});

test('a failed read fails every call that shared it, and the next call reads again', async () => {
  const t = counted(1);
  t.failReads(true);
  const calls = [t.cache('test', 'org_1'), t.cache('test', 'org_1')];
  assert.equal(t.reads.length, 1);
  t.releaseAll();
  for (const call of calls) await assert.rejects(call, /database down/);
  t.failReads(false);
  const again = t.cache('test', 'org_1');
  assert.equal(t.reads.length, 1, 'read again after the failure');
  t.releaseAll();
  assert.deepEqual((await again).roots, ['root-a']);
});

test('while not listening (no generation) every call reads', async () => {
  const t = counted(undefined);
  const calls = [t.cache('test', null), t.cache('test', null), t.cache('test', null)];
  assert.equal(t.reads.length, 3);
  t.releaseAll();
  const stores = await Promise.all(calls);
  // Unchanged content keeps its object, as before.
  assert.equal(stores[1], stores[0]);
  assert.equal(stores[2], stores[0]);
});
