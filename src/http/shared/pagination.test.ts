import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cursorPage, fetchLimit, queryText, searchHref } from './pagination.ts';

// The one cursor pagination of the portal's and back office's logs (exchanges, receipts).

interface Row {
  id: string;
}
const rows = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: `row${i}` }));
const values = { env: 'test', notice: '', token: 'a b&c' };
const page = (fetched: Row[], before?: string) =>
  cursorPage({ fetched, pageSize: 3, cursorOf: (r: Row) => r.id, base: '/portal/pagopa/exchanges', values, before });

test('one row more than the page is fetched, and only its presence makes an older page', () => {
  assert.equal(fetchLimit(50), 51);
  const full = page(rows(fetchLimit(3)));
  assert.deepEqual(
    full.rows.map((r) => r.id),
    ['row0', 'row1', 'row2'],
  );
  const older = new URL(full.olderHref ?? '', 'https://varco.test');
  assert.equal(older.searchParams.get('before'), 'row2', 'the cursor is the last row shown, not the extra one');
  assert.equal(page(rows(3)).olderHref, null, 'exactly a page: nothing older');
  assert.equal(page([]).olderHref, null);
  assert.deepEqual(page([]).rows, []);
});

test('page links keep the search (empty fields left out, values encoded) and the newest page is offered after the first', () => {
  const first = page(rows(4));
  assert.equal(first.newestHref, null);
  const older = new URL(first.olderHref ?? '', 'https://varco.test');
  assert.equal(older.pathname, '/portal/pagopa/exchanges');
  assert.equal(older.searchParams.get('env'), 'test');
  assert.equal(older.searchParams.get('token'), 'a b&c');
  assert.equal(older.searchParams.has('notice'), false);
  const next = page(rows(2), 'row2');
  assert.equal(next.olderHref, null);
  assert.equal(next.newestHref, '/portal/pagopa/exchanges?env=test&token=a+b%26c');
  assert.equal(searchHref('/admin/pagopa/receipts', { env: '', state: '' }), '/admin/pagopa/receipts');
});

test('a search field is trimmed text, or empty when absent or not text', () => {
  assert.equal(queryText({ notice: '  301000 ' }, 'notice'), '301000');
  assert.equal(queryText({}, 'notice'), '');
  assert.equal(queryText({ notice: ['a', 'b'] }, 'notice'), '');
});
