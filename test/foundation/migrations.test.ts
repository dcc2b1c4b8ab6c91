import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createPool, loadMigrations, migrate, MIGRATIONS_DIR } from '../../src/db/index.ts';
import { concurrentStatements } from '../../src/db/migrate.ts';
import { createEmptyDatabase } from '../support/db.ts';

// Forward-only migrations: an install migrated in one go and one upgraded a step at a time must end
// with the same schema, and an applied migration can never be edited afterwards.

async function emptyPool(): Promise<pg.Pool> {
  const { url } = await createEmptyDatabase();
  const pool = createPool(url, 2);
  after(() => pool.end());
  return pool;
}

/** Everything in the public schema that a migration can create, as sorted text lines. */
async function catalogue(pool: pg.Pool): Promise<Record<string, string[]>> {
  const lines = async (query: string): Promise<string[]> => (await pool.query<{ line: string }>(query)).rows.map((r) => r.line).sort();
  return {
    tables: await lines(`SELECT concat_ws(' ', c.relname, c.relkind) AS line FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')`),
    columns: await lines(`SELECT concat_ws(' | ', table_name, column_name, data_type, udt_name, is_nullable, column_default, is_identity,
      identity_generation, is_generated, generation_expression, character_maximum_length::text, numeric_precision::text) AS line
      FROM information_schema.columns WHERE table_schema = 'public'`),
    constraints: await lines(`SELECT concat_ws(' ', conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)) AS line
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace`),
    indexes: await lines(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public'`),
    triggers: await lines(`SELECT concat_ws(' enabled=', pg_get_triggerdef(oid), tgenabled) AS line FROM pg_trigger WHERE NOT tgisinternal`),
    functions: await lines(`SELECT pg_get_functiondef(p.oid) AS line FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace`),
    types:
      await lines(`SELECT concat_ws(' ', t.typname, t.typtype) AS line FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)`),
    extensions: await lines(`SELECT extname AS line FROM pg_extension`),
    migrations: await lines(`SELECT concat_ws(' ', version, name, checksum) AS line FROM varco_migrations`),
  };
}

const migrations = await loadMigrations();

test('there is at least one migration and each starts with a comment saying why', () => {
  assert.ok(migrations.length >= 1);
  // After the marker line of a migration that builds its indexes concurrently.
  for (const m of migrations) assert.match(m.sql, /^(-- varco:concurrently\n)?--\s*Why/i, `${m.version}_${m.name} does not start with a "why" comment`);
});

test('an install migrated in one go and one upgraded step by step end with the same schema', async () => {
  const fresh = await emptyPool();
  const all = await migrate(fresh);
  assert.deepEqual(
    all.applied.map((m) => m.version),
    migrations.map((m) => m.version),
  );
  assert.equal(all.current, migrations.length);

  const stepwise = await emptyPool();
  for (let k = 1; k <= migrations.length; k++) {
    const step = await migrate(stepwise, { target: k });
    assert.deepEqual(
      step.applied.map((m) => m.version),
      [k],
      `step ${k}`,
    );
    assert.equal(step.current, k);
  }

  const [a, b] = [await catalogue(fresh), await catalogue(stepwise)];
  // A non-empty dump, so an empty catalogue on both sides (a broken query) cannot pass.
  assert.ok(
    a.tables!.some((line) => line.startsWith('audit_log ')),
    'audit_log missing from the catalogue',
  );
  assert.ok(a.triggers!.length > 0 && a.functions!.length > 0 && a.indexes!.length > 0);
  assert.deepEqual(b, a);
});

test('running migrate again applies nothing', async () => {
  const pool = await emptyPool();
  await migrate(pool);
  const before = await catalogue(pool);
  const again = await migrate(pool);
  assert.deepEqual(again.applied, []);
  assert.equal(again.current, migrations.length);
  // A target below the current version does not roll anything back either.
  const lower = await migrate(pool, { target: 1 });
  assert.deepEqual(lower.applied, []);
  assert.deepEqual(await catalogue(pool), before);
});

test('an applied migration whose file changed is refused, and nothing else is applied', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'varco-migrations-'));
  after(() => rm(dir, { recursive: true, force: true }));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  const first = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()[0]!;

  const pool = await emptyPool();
  await migrate(pool, { dir, target: 1 });
  await writeFile(join(dir, first), `${await readFile(join(dir, first), 'utf8')}\n-- an edit after release\n`);

  await assert.rejects(migrate(pool, { dir }), /Migration 1 .*changed after it was applied/);
  const { rows } = await pool.query<{ version: number }>('SELECT version FROM varco_migrations ORDER BY version');
  assert.deepEqual(
    rows.map((r) => r.version),
    [1],
    'later migrations must not run after the refusal',
  );
});

test('a database with a migration this Varco does not know is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'varco-migrations-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const pool = await emptyPool();
  await migrate(pool);
  // An older Varco: only the first migration file.
  const first = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort()[0]!;
  await cp(join(MIGRATIONS_DIR, first), join(dir, first));
  if (migrations.length > 1) await assert.rejects(migrate(pool, { dir }), /does not know/);
});

/** A directory of migration files, removed after the test. */
async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'varco-migrations-'));
  after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

const indexValidity = (pool: pg.Pool, name: string) =>
  pool.query<{ valid: boolean }>('SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1', [name]);

test('a concurrent migration builds its indexes outside a transaction; one left invalid by a failed build is built again on the next run', async () => {
  const dir = await migrationsDir({
    '0001_table.sql': '-- Why: a table with a duplicate.\nCREATE TABLE t (k int NOT NULL, v int NOT NULL);\nINSERT INTO t VALUES (1, 1), (1, 2);\n',
    '0002_indexes.sql':
      '-- varco:concurrently\n-- Why: two indexes; the unique one fails while k repeats.\n' +
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS t_v ON t (v);\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_k ON t (k);\n',
  });
  const pool = await emptyPool();
  await assert.rejects(migrate(pool, { dir }), /Migration 2 \(indexes\) failed: could not create unique index "t_k"/);
  // PostgreSQL leaves the failed concurrent build behind, invalid; the migration is not recorded.
  assert.deepEqual((await indexValidity(pool, 't_k')).rows, [{ valid: false }]);
  assert.deepEqual((await pool.query('SELECT version FROM varco_migrations ORDER BY version')).rows, [{ version: 1 }]);

  await pool.query('DELETE FROM t WHERE v = 2');
  const again = await migrate(pool, { dir });
  assert.deepEqual(
    again.applied.map((m) => m.version),
    [2],
  );
  assert.deepEqual((await indexValidity(pool, 't_k')).rows, [{ valid: true }]);
  assert.deepEqual((await indexValidity(pool, 't_v')).rows, [{ valid: true }]);
  await assert.rejects(pool.query('INSERT INTO t VALUES (1, 3)'), /duplicate key value violates unique constraint "t_k"/);
});

test('a concurrent migration holding anything but CREATE INDEX CONCURRENTLY IF NOT EXISTS is refused when loaded', async () => {
  for (const statement of ['CREATE INDEX t_v ON t (v);', 'ALTER TABLE t ADD COLUMN w int;', 'CREATE INDEX CONCURRENTLY t_v ON t (v);']) {
    const dir = await migrationsDir({ '0001_bad.sql': `-- varco:concurrently\n-- Why: a mistake.\n${statement}\n` });
    await assert.rejects(loadMigrations(dir), /Migration 1 \(bad\) is marked -- varco:concurrently: only CREATE INDEX CONCURRENTLY IF NOT EXISTS/, statement);
  }
  // A comment after code would run as part of the statement (here: a partial index built whole).
  for (const statement of [
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS t_v ON t (v) -- open ones only\n  WHERE v > 0;',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS t_v ON t /* the value */ (v);',
  ]) {
    const dir = await migrationsDir({ '0001_bad.sql': `-- varco:concurrently\n-- Why: a mistake.\n${statement}\n` });
    await assert.rejects(loadMigrations(dir), /is marked -- varco:concurrently: comments go on lines of their own/, statement);
  }
  // Unmarked, it would run in a transaction, where PostgreSQL refuses it: said on load too.
  const unmarked = await migrationsDir({ '0001_bad.sql': '-- Why: a mistake.\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v ON t (v);\n' });
  await assert.rejects(loadMigrations(unmarked), /Migration 1 \(bad\) builds or drops an index CONCURRENTLY: its first line must be -- varco:concurrently/);
  // Saved with Windows line ends, the marker still counts; the statement runs as written (its line ends as \n).
  const crlf = await migrationsDir({
    '0001_ok.sql': "-- varco:concurrently\r\n-- Why: line ends.\r\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v\r\n  ON t (v) WHERE note = 'a  b';\r\n",
  });
  assert.deepEqual(concurrentStatements((await loadMigrations(crlf))[0]!), [
    { index: 't_v', sql: "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_v\n  ON t (v) WHERE note = 'a  b'" },
  ]);
});

test('instances migrating together, one building an index concurrently: both finish, each migration applied once', async () => {
  const dir = await migrationsDir({
    '0001_table.sql': '-- Why: a table.\nCREATE TABLE t (k int NOT NULL);\nINSERT INTO t SELECT g FROM generate_series(1, 50000) AS g;\n',
    '0002_index.sql':
      '-- varco:concurrently\n-- Why: an index built while the other instance waits for the lock.\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_k ON t (k);\n',
  });
  const { url } = await createEmptyDatabase();
  const pools = [createPool(url, 1), createPool(url, 1), createPool(url, 1)];
  after(() => Promise.all(pools.map((p) => p.end())));
  // A backend waiting for the lock inside a statement holds a snapshot the index build waits for; the
  // build's backend holds the lock: PostgreSQL would end the cycle as a deadlock after deadlock_timeout.
  const results = await Promise.all(pools.map((pool) => migrate(pool, { dir })));
  assert.deepEqual(results.flatMap((r) => r.applied.map((m) => m.version)).sort(), [1, 2]);
  assert.deepEqual((await indexValidity(pools[0]!, 't_k')).rows, [{ valid: true }]);
});

test('a migration reads what was committed before each of its statements, whatever the database default isolation', async () => {
  // 0053 copies the exchange log, then catches up the rows written meanwhile: each catch-up must see
  // rows committed after the copy began. Under a default of repeatable read every statement of the
  // migration read the first one's snapshot, and those rows were never caught up.
  const dir = await migrationsDir({
    '0001_table.sql': '-- Why: a table written while the next migration runs.\nCREATE TABLE src (v int NOT NULL);\nCREATE TABLE copy (v int NOT NULL);\n',
    '0002_copy.sql':
      '-- Why: a copy, then a catch-up of what was committed meanwhile.\n' +
      'INSERT INTO copy SELECT v FROM src;\nSELECT pg_sleep(0.6);\nINSERT INTO copy SELECT v FROM src WHERE v NOT IN (SELECT v FROM copy);\n',
  });
  const { url, name } = await createEmptyDatabase();
  const setup = createPool(url, 1);
  await setup.query(`ALTER DATABASE ${name} SET default_transaction_isolation = 'repeatable read'`);
  await setup.end();
  const pool = createPool(url, 1);
  const writer = createPool(url, 1);
  after(() => Promise.all([pool.end(), writer.end()]));
  await migrate(pool, { dir, target: 1 });
  await writer.query('INSERT INTO src VALUES (1)');
  const migrating = migrate(pool, { dir });
  await new Promise((done) => setTimeout(done, 250));
  await writer.query('INSERT INTO src VALUES (2)');
  await migrating;
  const { rows } = await writer.query<{ v: number }>('SELECT v FROM copy ORDER BY v');
  assert.deepEqual(
    rows.map((r) => r.v),
    [1, 2],
    'the row committed during the migration is caught up',
  );
});
