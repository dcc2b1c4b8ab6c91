import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupWriter } from './group-writer.ts';

// The shared group writer: what arrives during a write goes in the next group, within its bounds;
// each caller gets its own result; a failed group fails all its callers, or (isolateFailures) only
// the item that fails alone.

test('items arriving during a write share the next group, bounded by count and size; results in order', async () => {
  const groups: number[][] = [];
  const write = groupWriter<number, string>({
    write: async (items) => {
      groups.push(items);
      await new Promise((done) => setTimeout(done, 5));
      return items.map((n) => `r${n}`);
    },
    maxItems: 3,
    maxSize: 10,
    sizeOf: (n) => n,
  });
  const results = await Promise.all([1, 2, 3, 4, 8, 9, 20].map((n) => write(n)));
  assert.deepEqual(results, ['r1', 'r2', 'r3', 'r4', 'r8', 'r9', 'r20']);
  // 1 alone (the first write starts at once); then 2,3,4 (count bound); 8 (9 would pass 10); 9; 20 alone though over the size.
  assert.deepEqual(groups, [[1], [2, 3, 4], [8], [9], [20]]);
});

test('a failed group fails every caller, unless failures are isolated: then only the refused item', async () => {
  const refuse = async (items: number[]): Promise<number[]> => {
    await new Promise((done) => setTimeout(done, 1));
    if (items.includes(13)) throw new Error('refused');
    return items;
  };
  const shared = groupWriter<number, number>({ write: refuse, maxItems: 10 });
  const plain = await Promise.allSettled([0, 1, 13, 2].map((n) => shared(n)));
  assert.deepEqual(
    plain.map((r) => r.status),
    ['fulfilled', 'rejected', 'rejected', 'rejected'],
  );
  const isolated = groupWriter<number, number>({ write: refuse, maxItems: 10, isolateFailures: true });
  const alone = await Promise.allSettled([0, 1, 13, 2].map((n) => isolated(n)));
  assert.deepEqual(
    alone.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
  );
});
