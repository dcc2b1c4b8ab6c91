import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visitPages } from './pages.ts';

const rows = Array.from({ length: 7 }, (_, i) => i);
/** A keyset listing over `rows`: those past `after`, at most `size`. */
const listing = (size: number, asked: Array<number | undefined>) => async (after: number | undefined) => {
  asked.push(after);
  return rows.filter((r) => after === undefined || r > after).slice(0, size);
};

test('visits every row once, each page from the last row of the previous one, and stops after a short page', async () => {
  const asked: Array<number | undefined> = [];
  const seen: number[] = [];
  await visitPages(listing(3, asked), 3, async (r) => void seen.push(r));
  assert.deepEqual(seen, rows);
  assert.deepEqual(asked, [undefined, 2, 5]);
});

test('a full last page costs one empty read; `more` stops before the next page, never inside one', async () => {
  const asked: Array<number | undefined> = [];
  await visitPages(listing(7, asked), 7, async () => undefined);
  assert.deepEqual(asked, [undefined, 6]);
  const seen: number[] = [];
  await visitPages(
    listing(2, []),
    2,
    async (r) => void seen.push(r),
    () => seen.length < 3,
  );
  assert.deepEqual(seen, [0, 1, 2, 3]);
});
