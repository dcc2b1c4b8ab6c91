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
    migrations.push({ version, name: match[2] ?? '', sql, checksum: sha256Hex(sql) });
  }
  return migrations;
}

export interface MigrateResult {
  applied: Migration[];
  current: number;
}

/**
 * Applies pending migrations up to `target` (default: all), each in its own transaction, under an
 * advisory lock so several Varco instances starting together apply each migration once.
 */
export async function migrate(pool: pg.Pool, options: { target?: number; dir?: string } = {}): Promise<MigrateResult> {
  const migrations = await loadMigrations(options.dir);
  const target = options.target ?? migrations.length;
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('varco.migrations'))");
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
      await client.query('BEGIN');
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
