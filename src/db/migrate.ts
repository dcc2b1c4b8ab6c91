import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { sha256Hex } from '../kernel/crypto.ts';

// Forward-only numbered SQL migrations (NNNN_name.sql). Applied ones are recorded with a checksum;
// editing an applied file is refused, because databases that already ran it would silently differ.

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file name must be NNNN_name.sql: ${file}`);
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    const version = Number(match[1]);
    if (version !== migrations.length + 1) throw new Error(`Migrations must be numbered without gaps; found ${file}`);
    const migration = { version, name: match[2] ?? '', sql, checksum: sha256Hex(sql) };
    // Refused on load, not half-way through an upgrade.
    if (isConcurrent(migration)) concurrentStatements(migration);
    else refuseConcurrentInTransaction(migration);
    migrations.push(migration);
  }
  return migrations;
}

export interface MigrateResult {
  applied: Migration[];
  current: number;
}

/**
 * Applies pending migrations up to `target` (default: all), each in its own transaction (a concurrent
 * one statement by statement, below), under an advisory lock so several Varco instances starting
 * together apply each migration once.
 */
export async function migrate(pool: pg.Pool, options: { target?: number; dir?: string } = {}): Promise<MigrateResult> {
  const migrations = await loadMigrations(options.dir);
  const target = options.target ?? migrations.length;
  const client = await pool.connect();
  try {
    await takeMigrationLock(client);
    // Only when missing: a role without CREATE on the schema (the application role, when DATABASE_URL
    // alone is configured against a database its owner migrated) can still check and find nothing to do.
    const table = await client.query<{ found: string | null }>("SELECT to_regclass('varco_migrations')::text AS found");
    if (!table.rows[0]?.found)
      await client.query(`CREATE TABLE IF NOT EXISTS varco_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM varco_migrations ORDER BY version');
    for (const row of done.rows) {
      const known = migrations[row.version - 1];
      if (!known) throw new Error(`The database has migration ${row.version}, which this Varco does not know; it is older than the database.`);
      if (known.checksum !== row.checksum)
        throw new Error(`Migration ${row.version} (${known.name}) was changed after it was applied; migrations are forward-only.`);
    }
    const applied: Migration[] = [];
    for (const m of migrations.slice(done.rows.length, target)) {
      if (isConcurrent(m)) {
        await applyConcurrently(client, m);
        applied.push(m);
        continue;
      }
      // READ COMMITTED whatever the cluster's default: a migration that copies rows while older instances
      // write (0053's catch-ups) must see, statement by statement, what they committed meanwhile.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO varco_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${m.version} (${m.name}) failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(m);
    }
    return { applied, current: Math.max(done.rows.length, Math.min(target, migrations.length)) };
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('varco.migrations'))").catch(() => undefined);
    client.release();
  }
}

/**
 * Waits for the migration lock by trying it every 100 ms rather than blocking in pg_advisory_lock: a
 * statement waiting for a lock keeps a snapshot open, and a concurrent index build (below) waits for
 * every older snapshot of its database, so an instance blocked on the lock and the instance building
 * the index under it would each wait for the other (PostgreSQL ends that as a deadlock, failing one).
 */
async function takeMigrationLock(client: pg.PoolClient): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext('varco.migrations')) AS locked");
    if (rows[0]?.locked) return;
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * A migration whose first line is `-- varco:concurrently` builds indexes without blocking writes
 * (docs/adr/0037-concurrent-index-migrations.md): it may hold only `CREATE [UNIQUE] INDEX CONCURRENTLY
 * IF NOT EXISTS name ON …;` statements, run one at a time outside a transaction (PostgreSQL builds an
 * index concurrently only there). A build that failed or was interrupted leaves its index invalid: it is
 * dropped and built again when the migration runs next. The migration is recorded once every index is built.
 */
const CONCURRENT_MARKER = '-- varco:concurrently';
const CONCURRENT_STATEMENT = /^CREATE (?:UNIQUE )?INDEX CONCURRENTLY IF NOT EXISTS ([a-z_][a-z0-9_]*) ON [^;]+$/i;

function isConcurrent(m: Pick<Migration, 'sql'>): boolean {
  return /^-- varco:concurrently\r?\n/.test(m.sql);
}

/** The SQL without its lines that are comments (a migration's "why", the marker). */
const withoutCommentLines = (sql: string): string =>
  sql
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');

/** The statements of a concurrent migration, each with the index it builds; anything else is refused. */
export function concurrentStatements(m: Pick<Migration, 'version' | 'name' | 'sql'>): Array<{ index: string; sql: string }> {
  const refuse = (why: string, sql: string): never => {
    throw new Error(`Migration ${m.version} (${m.name}) is marked ${CONCURRENT_MARKER}: ${why}, found: ${sql.replace(/\s+/g, ' ').slice(0, 80)}`);
  };
  return withoutCommentLines(m.sql)
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((sql) => {
      // Comments only on lines of their own: one after code would be run as part of the statement,
      // and whitespace is checked loosely below but the statement runs exactly as written.
      if (sql.includes('--') || sql.includes('/*')) refuse('comments go on lines of their own', sql);
      const match = CONCURRENT_STATEMENT.exec(sql.replace(/\s+/g, ' '));
      if (!match?.[1]) return refuse('only CREATE INDEX CONCURRENTLY IF NOT EXISTS statements may follow', sql);
      return { index: match[1].toLowerCase(), sql };
    });
}

/** A migration that is not marked runs in a transaction, where PostgreSQL refuses a concurrent build: said on load. */
function refuseConcurrentInTransaction(m: Pick<Migration, 'version' | 'name' | 'sql'>): void {
  if (/\bINDEX\s+CONCURRENTLY\b/i.test(withoutCommentLines(m.sql)))
    throw new Error(
      `Migration ${m.version} (${m.name}) builds or drops an index CONCURRENTLY: its first line must be ${CONCURRENT_MARKER} (docs/adr/0037-concurrent-index-migrations.md)`,
    );
}

async function applyConcurrently(client: pg.PoolClient, m: Migration): Promise<void> {
  const statements = concurrentStatements(m);
  try {
    for (const { index, sql } of statements) {
      // Left invalid by an earlier build that failed or was interrupted: IF NOT EXISTS would keep it.
      const invalid = await client.query<{ valid: boolean }>(
        `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
        [index],
      );
      if (invalid.rows[0]?.valid === false) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
      await client.query(sql);
    }
    await client.query('INSERT INTO varco_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
  } catch (error) {
    throw new Error(`Migration ${m.version} (${m.name}) failed: ${(error as Error).message}`, { cause: error });
  }
}
