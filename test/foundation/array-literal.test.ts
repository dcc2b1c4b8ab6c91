import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { arrayLiteral } from '../../src/db/index.ts';
import { createTestDatabase } from '../support/db.ts';

// Array parameters written as PostgreSQL's array text by Varco (src/db/array-literal.ts) instead of
// by pg: whatever the values, PostgreSQL must read back exactly the array that was meant, through the
// same casts the outbox's record function takes.

const database = await createTestDatabase(2);
const db = database.db;

/** Any text PostgreSQL can store (it refuses NUL), quotes, backslashes, braces, commas and spaces made likely. */
const text = fc.oneof(
  fc.string({ unit: 'binary' }).filter((s) => !s.includes('\u0000')),
  fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', ',', ' ', 'NULL', 'a', 'è') }),
  fc.constantFrom('', 'NULL', 'null', ' "x" ', '\\', '"'),
);

test('text arrays come back element for element, NULLs and the text "NULL" kept apart', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { maxLength: 12 }), async (values) => {
      const { rows } = await sql<{ a: (string | null)[] }>`SELECT ${arrayLiteral(values)}::text[] AS a`.execute(db);
      assert.deepEqual(rows[0]?.a, values);
    }),
    { numRuns: 150 },
  );
});

test('integers, booleans and instants come back as the same values', async () => {
  const instant = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.option(fc.integer(), { nil: null }), { maxLength: 10 }),
      fc.array(fc.option(fc.boolean(), { nil: null }), { maxLength: 10 }),
      fc.array(fc.option(instant, { nil: null }), { maxLength: 10 }),
      async (ints, bools, dates) => {
        const { rows } = await sql<{ i: (number | null)[]; b: (boolean | null)[]; t: (Date | null)[] }>`
          SELECT ${arrayLiteral(ints)}::int[] AS i, ${arrayLiteral(bools)}::bool[] AS b, ${arrayLiteral(dates)}::timestamptz[] AS t`.execute(db);
        assert.deepEqual(rows[0]?.i, ints);
        assert.deepEqual(rows[0]?.b, bools);
        assert.deepEqual(
          rows[0]?.t.map((d) => d?.getTime() ?? null),
          dates.map((d) => d?.getTime() ?? null),
        );
      },
    ),
    { numRuns: 100 },
  );
});

test('a value with no array text is refused before any statement, not sent as something else', () => {
  assert.throws(() => arrayLiteral([1, Number.NaN]), RangeError);
  assert.throws(() => arrayLiteral([Number.POSITIVE_INFINITY]), RangeError);
  assert.throws(() => arrayLiteral([new Date(Number.NaN)]), RangeError);
  for (const text of ['+010000-01-01T00:00:00Z', '0000-12-31T00:00:00Z', '-000001-06-01T00:00:00Z'])
    assert.throws(() => arrayLiteral([new Date(text)]), RangeError, text);
  assert.equal(arrayLiteral([new Date('0001-01-01T00:00:00Z'), new Date('9999-12-31T23:59:59.999Z')]), '{0001-01-01T00:00:00.000Z,9999-12-31T23:59:59.999Z}');
  assert.equal(arrayLiteral([]), '{}');
  assert.equal(arrayLiteral(['a"b\\c', null, 'NULL', true, 7]), '{"a\\"b\\\\c",NULL,"NULL",t,7}');
});
