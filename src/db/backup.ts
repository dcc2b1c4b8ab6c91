import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type pg from 'pg';

// `varco backup`: a consistent dump without pg_dump. Every table of the schema is read in one
// REPEATABLE READ READ ONLY transaction (one snapshot), row by row as PostgreSQL's own record text
// (`t::text`), which `r::t` turns back into the same values for every type; tables in foreign-key
// order, so the restore (src/db/restore.ts) can insert them as they come. The file is gzip'd JSON
// lines, ending with a marker so a truncated file is refused.

export const BACKUP_FORMAT = 1;
const BATCH = 2000;

export interface BackupHeader {
  kind: 'varco-backup';
  format: number;
  createdAt: string;
  schemaVersion: number;
  migrations: Array<{ version: number; name: string; checksum: string }>;
}

export type BackupLine =
  | BackupHeader
  | { kind: 'table'; name: string }
  | { kind: 'rows'; rows: string[] }
  | { kind: 'sequences'; values: Array<{ name: string; lastValue: string; isCalled: boolean }> }
  | { kind: 'end'; tables: number; rows: number };

export interface RowProgress {
  add(part: string, n: number): void;
  finish(part: string): void;
}

type Query = Pick<pg.ClientBase, 'query'>;

/**
 * The schema's tables (varco_migrations apart), parents before children where the foreign keys allow
 * it; a cycle (stations and their versions refer to each other) is cut anywhere, because the restore
 * defers every foreign key check to the end of its transaction anyway.
 */
export async function tablesInDependencyOrder(client: Query): Promise<string[]> {
  const tables = (
    await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'varco_migrations' ORDER BY c.relname`,
    )
  ).rows.map((r) => r.name);
  const edges = (
    await client.query<{ child: string; parent: string }>(
      `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
       JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public' AND c.conrelid <> c.confrelid`,
    )
  ).rows;
  const ordered: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (table: string): void => {
    if (done.has(table)) return;
    if (visiting.has(table)) return;
    visiting.add(table);
    for (const edge of edges) if (edge.child === table) visit(edge.parent);
    visiting.delete(table);
    done.add(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

async function* dumpLines(client: pg.PoolClient, progress: RowProgress): AsyncGenerator<string> {
  const migrations = (
    await client.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM varco_migrations ORDER BY version')
  ).rows;
  const header: BackupHeader = {
    kind: 'varco-backup',
    format: BACKUP_FORMAT,
    createdAt: new Date().toISOString(),
    schemaVersion: migrations.at(-1)?.version ?? 0,
    migrations,
  };
  yield `${JSON.stringify(header)}\n`;
  const tables = await tablesInDependencyOrder(client);
  let total = 0;
  for (const table of tables) {
    yield `${JSON.stringify({ kind: 'table', name: table })}\n`;
    await client.query(`DECLARE dump NO SCROLL CURSOR FOR SELECT x::text AS r FROM ${ident(table)} x`);
    for (;;) {
      const { rows } = await client.query<{ r: string }>(`FETCH ${BATCH} FROM dump`);
      if (rows.length === 0) break;
      total += rows.length;
      progress.add(table, rows.length);
      yield `${JSON.stringify({ kind: 'rows', rows: rows.map((row) => row.r) })}\n`;
    }
    await client.query('CLOSE dump');
    progress.finish(table);
  }
  const sequences = (await client.query<{ name: string }>("SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")).rows;
  const values: Array<{ name: string; lastValue: string; isCalled: boolean }> = [];
  for (const { name } of sequences) {
    const row = (await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${ident(name)}`)).rows[0];
    if (row) values.push({ name, lastValue: row.last_value, isCalled: row.is_called });
  }
  yield `${JSON.stringify({ kind: 'sequences', values })}\n`;
  yield `${JSON.stringify({ kind: 'end', tables: tables.length, rows: total })}\n`;
}

/** Writes the backup of the database behind `pool` to `file` (created, mode 0600; an existing file is refused). */
export async function writeBackup(pool: pg.Pool, file: string, progress: RowProgress): Promise<{ schemaVersion: number; tables: number; rows: number }> {
  const client = await pool.connect();
  let summary = { schemaVersion: 0, tables: 0, rows: 0 };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const lines = dumpLines(client, progress);
    async function* observed(): AsyncGenerator<string> {
      for await (const line of lines) {
        // Only the header and the end marker are read back; row lines pass as they are.
        if (!line.startsWith('{"kind":"rows"')) {
          const parsed = JSON.parse(line) as BackupLine;
          if (parsed.kind === 'varco-backup') summary.schemaVersion = parsed.schemaVersion;
          if (parsed.kind === 'end') summary = { ...summary, tables: parsed.tables, rows: parsed.rows };
        }
        yield line;
      }
    }
    await pipeline(Readable.from(observed()), createGzip(), createWriteStream(file, { mode: 0o600, flags: 'wx' }));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return summary;
}

/** The lines of a backup file, parsed. */
export async function* readBackup(file: string): AsyncGenerator<BackupLine> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') yield JSON.parse(line) as BackupLine;
}
