import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flatTables } from '../support/string-tables.ts';

// Issue 14: Italian is complete. Every string table of the pages has the same keys in both
// languages, and no Italian text is left empty.

test('every it/en string table has every key in both languages, none empty', () => {
  const problems: string[] = [];
  for (const table of flatTables()) {
    for (const key of table.en.keys()) if (!table.it.has(key)) problems.push(`${table.name}.${key}: missing in it`);
    for (const key of table.it.keys()) if (!table.en.has(key)) problems.push(`${table.name}.${key}: missing in en`);
    for (const [key, text] of table.it) if (text.trim() === '') problems.push(`${table.name}.${key}: empty in it`);
  }
  assert.deepEqual(problems, []);
});
