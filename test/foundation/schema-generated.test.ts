import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { allowedValues, generateSchemaSource, SCHEMA_GENERATED_FILE } from '../../src/db/schema-codegen.ts';
import { createTestDatabase } from '../support/db.ts';

// The Kysely types are generated from the migrated database (docs/adr/0029-generated-schema.md). A
// migration committed without `npm run db:codegen` fails here, so the types cannot drift from the
// tables the way the hand-kept file could.

const database = await createTestDatabase(2);

/** The first lines where two texts differ, for a readable failure. */
function firstDifferences(expected: string, actual: string): string {
  const [a, b] = [expected.split('\n'), actual.split('\n')];
  const lines: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && lines.length < 12; i++) {
    if (a[i] !== b[i]) lines.push(`line ${i + 1}:\n  committed: ${a[i] ?? '(none)'}\n  generated: ${b[i] ?? '(none)'}`);
  }
  return lines.join('\n');
}

test('src/db/schema.generated.ts is what the migrations generate (run `npm run db:codegen` after a migration)', async () => {
  const generated = await generateSchemaSource(database.owner);
  const committed = await readFile(SCHEMA_GENERATED_FILE, 'utf8');
  assert.ok(generated.includes('export interface DB {') && generated.includes('  audit_log: AuditLog;'), 'the generator produced no table types');
  assert.ok(generated === committed, `src/db/schema.generated.ts is stale: run \`npm run db:codegen\`.\n${firstDifferences(committed, generated)}`);
});

test('a column added behind the generated file makes the check fail', async () => {
  await database.owner.query("ALTER TABLE outbox ADD COLUMN priority text NOT NULL DEFAULT 'low' CHECK (priority IN ('low', 'high'))");
  try {
    const generated = await generateSchemaSource(database.owner);
    assert.notEqual(generated, await readFile(SCHEMA_GENERATED_FILE, 'utf8'));
    assert.match(generated, /priority: Generated<"low" \| "high">;/, 'a CHECK (col IN (…)) column is typed as the union of its values');
  } finally {
    await database.owner.query('ALTER TABLE outbox DROP COLUMN priority');
  }
});

test('CHECK constraints narrow text and integer columns; anything else leaves the column as it is', () => {
  assert.deepEqual(allowedValues("CHECK ((state = ANY (ARRAY['pending'::text, 'held'::text])))"), { column: 'state', values: ["'pending'", "'held'"] });
  assert.deepEqual(allowedValues("CHECK ((environment = 'test'::text))"), { column: 'environment', values: ["'test'"] });
  assert.deepEqual(allowedValues('CHECK ((primitive_version = ANY (ARRAY[1, 2])))'), { column: 'primitive_version', values: ['1', '2'] });
  assert.deepEqual(allowedValues("CHECK ((note = ANY (ARRAY['it''s'::text])))"), { column: 'note', values: ["'it\\'s'"] });
  assert.equal(allowedValues('CHECK ((amount > 0))'), undefined);
  assert.equal(allowedValues("CHECK (((state = ANY (ARRAY['a'::text, 'b'::text])) AND (n > 0)))"), undefined);
  assert.equal(allowedValues("CHECK (((state = 'a'::text) OR (state = 'b'::text)))"), undefined);
});
