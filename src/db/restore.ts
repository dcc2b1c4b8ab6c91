import type pg from 'pg';
import { loadMigrations } from './migrate.ts';
import { BACKUP_FORMAT, readBackup, tablesInDependencyOrder, type BackupHeader, type BackupLine, type RowProgress } from './backup.ts';

// `varco restore`: a backup of src/db/backup.ts into a fresh, empty database. The caller migrates to
// the backup's schema version (checked here first); then one transaction replaces what the
// migrations seeded with the backup's rows, in the file's (foreign-key) order, with the tables' own
// triggers off — the audit tables' append-only triggers would refuse the rows, and the rows are
// restored exactly as they were, so the audit hash chain verifies as before — and sets the sequences.

/** A refusal with a message for the operator (exit code 1, no stack). */
export class RestoreRefused extends Error {}

/** The backup's header, checked against this Varco's migrations. */
export async function checkBackup(file: string): Promise<BackupHeader> {
  let header: BackupLine | undefined;
  try {
    for await (const line of readBackup(file)) {
      header = line;
      break;
    }
  } catch (error) {
    throw new RestoreRefused(`${file} is not a Varco backup (${(error as Error).message}).`, { cause: error });
  }
  if (header?.kind !== 'varco-backup') throw new RestoreRefused(`${file} is not a Varco backup.`);
  if (header.format !== BACKUP_FORMAT) throw new RestoreRefused(`${file} has backup format ${header.format}; this Varco reads format ${BACKUP_FORMAT}.`);
  const known = await loadMigrations();
  if (header.schemaVersion > known.length)
    throw new RestoreRefused(
      `The backup has schema version ${header.schemaVersion}; this Varco knows ${known.length}. Restore it with the Varco version that wrote it (or a newer one).`,
    );
  for (const m of header.migrations) {
    if (known[m.version - 1]?.checksum !== m.checksum)
      throw new RestoreRefused(`Migration ${m.version} (${m.name}) of the backup differs from this Varco's: the backup comes from another build of Varco.`);
  }
  return header;
}

/** Refuses a database that holds any table: restore never merges into existing data. */
export async function assertEmptyDatabase(owner: pg.Pool): Promise<void> {
  const { rows } = await owner.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
  );
  const version = await owner.query<{ v: number | null }>("SELECT CASE WHEN to_regclass('varco_migrations') IS NULL THEN NULL ELSE 0 END AS v");
  const tables = rows[0]?.n ?? 0;
  if (tables > 0) {
    const schema =
      version.rows[0]?.v === null
        ? ''
        : `, Varco schema version ${(await owner.query<{ v: number }>('SELECT max(version) AS v FROM varco_migrations')).rows[0]?.v ?? 0}`;
    throw new RestoreRefused(
      `The database is not empty (${tables} tables${schema}). Restore needs a fresh, empty database: a new VARCO_DATA_DIR, or a new database in DATABASE_URL.`,
    );
  }
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

async function insertStatement(client: pg.PoolClient, table: string): Promise<string> {
  const columns = (
    await client.query<{ name: string }>(
      "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position",
      [table],
    )
  ).rows.map((r) => ident(r.name));
  // OFFSET 0 keeps the record parsed once per row rather than once per column.
  return `INSERT INTO ${ident(table)} (${columns.join(', ')}) OVERRIDING SYSTEM VALUE
    SELECT ${columns.map((c) => `(x).${c}`).join(', ')} FROM (SELECT r::${ident(table)} AS x FROM unnest($1::text[]) AS u(r) OFFSET 0) s`;
}

/**
 * Foreign keys referring in a cycle (stations ↔ station versions) cannot be satisfied table by table:
 * inside the restore's transaction every foreign key becomes deferrable and deferred, and is made
 * NOT DEFERRABLE again after the check, before the commit. Returns the constraints it changed.
 */
async function deferForeignKeys(client: pg.PoolClient): Promise<Array<{ table: string; name: string }>> {
  const { rows } = await client.query<{ table: string; name: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE c.contype = 'f' AND n.nspname = 'public' AND NOT c.condeferrable`,
  );
  for (const fk of rows) await client.query(`ALTER TABLE ${ident(fk.table)} ALTER CONSTRAINT ${ident(fk.name)} DEFERRABLE INITIALLY DEFERRED`);
  await client.query('SET CONSTRAINTS ALL DEFERRED');
  return rows;
}

/** Loads the rows of `file` into the migrated, otherwise untouched database behind `owner`. */
export async function loadBackup(owner: pg.Pool, file: string, progress: RowProgress): Promise<{ tables: number; rows: number }> {
  const client = await owner.connect();
  try {
    await client.query('BEGIN');
    const tables = await tablesInDependencyOrder(client);
    for (const table of tables) await client.query(`ALTER TABLE ${ident(table)} DISABLE TRIGGER USER`);
    const deferred = await deferForeignKeys(client);
    // Rows the migrations seeded (products, the first audit checkpoint…) give way to the backup's.
    for (const table of [...tables].reverse()) await client.query(`DELETE FROM ${ident(table)}`);
    const seen = new Set<string>();
    let current: { table: string; sql: string } | undefined;
    let end: { tables: number; rows: number } | undefined;
    for await (const line of readBackup(file)) {
      if (line.kind === 'table') {
        if (current) progress.finish(current.table);
        if (!tables.includes(line.name)) throw new RestoreRefused(`The backup has a table ${line.name} this schema does not have.`);
        seen.add(line.name);
        current = { table: line.name, sql: await insertStatement(client, line.name) };
      } else if (line.kind === 'rows' && current) {
        await client.query(current.sql, [line.rows]);
        progress.add(current.table, line.rows.length);
      } else if (line.kind === 'sequences') {
        for (const s of line.values) await client.query('SELECT setval($1::regclass, $2::bigint, $3)', [ident(s.name), s.lastValue, s.isCalled]);
      } else if (line.kind === 'end') end = { tables: line.tables, rows: line.rows };
    }
    if (current) progress.finish(current.table);
    if (!end) throw new RestoreRefused(`${file} is incomplete (no end marker): it was cut short while being written or copied.`);
    const missing = tables.filter((t) => !seen.has(t));
    if (missing.length > 0) throw new RestoreRefused(`The backup lacks tables of its schema version: ${missing.join(', ')}.`);
    // Every foreign key is checked here, before the transaction commits; a failure rolls it all back.
    await client.query('SET CONSTRAINTS ALL IMMEDIATE');
    for (const fk of deferred) await client.query(`ALTER TABLE ${ident(fk.table)} ALTER CONSTRAINT ${ident(fk.name)} NOT DEFERRABLE`);
    for (const table of tables) await client.query(`ALTER TABLE ${ident(table)} ENABLE TRIGGER USER`);
    await client.query('COMMIT');
    return end;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
