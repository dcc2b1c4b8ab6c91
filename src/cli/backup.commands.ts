import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  assertEmptyDatabase,
  checkBackup,
  createPool,
  currentRole,
  grantAppRole,
  loadBackup,
  loadMigrations,
  migrate,
  openDatabase,
  RestoreRefused,
  writeBackup,
} from '../db/index.ts';
import type pg from 'pg';
import { unreachable } from '../db/unreachable.ts';
import { readMasterKey } from '../app/master-key.ts';
import { secretboxKeyId } from '../kernel/secretbox.ts';
import { output, parse, required, UsageError } from './args.ts';
import { createProgress } from './progress.ts';
import type { CliContext } from './context.ts';
import type { Command } from './core.commands.ts';

// `varco backup` / `varco restore` (docs/operations/dr.md, "Backups"). The master key is not in the
// backup: sealed secrets stay sealed by it, and the restored database works only with the same key.

async function backup(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(args, { file: { type: 'string' } });
  const file = resolve(required(values, 'file'));
  if (existsSync(file)) throw new UsageError(`${file} exists; give a new file name (a backup never overwrites one).`);
  // Opened without migrating, as restore does: a backup taken before an upgrade (docs/operations, "Upgrading")
  // is of the database as the running instances use it, never first upgraded under them by this CLI.
  const handle = await openDatabase(ctx.config, { mode: 'share' }).catch((error: unknown) => {
    throw unreachable(ctx.config, error) ?? error;
  });
  try {
    const known = (await loadMigrations()).length;
    const version = await schemaVersion(handle.pool);
    if (version === undefined) {
      ctx.stderr.write('varco backup: the database has no Varco schema yet (no varco_migrations table): there is nothing to back up.\n');
      return 1;
    }
    if (version > known) {
      ctx.stderr.write(
        `varco backup: the database is at schema version ${version}, newer than this Varco (which knows ${known}): ` +
          'take the backup with the Varco version that migrated it.\n',
      );
      return 1;
    }
    const summary = await writeBackup(handle.pool, file, createProgress(ctx.stderr, 'rows'));
    const behind =
      summary.schemaVersion < known
        ? ` The database is at schema version ${summary.schemaVersion}, behind this Varco's ${known}: it was backed up as it is, not migrated ` +
          '(restore it with the Varco version the instances run, or a newer one).'
        : '';
    output(
      ctx,
      values.json === true,
      { file, ...summary, knownSchemaVersion: known },
      `Backup written to ${file} (mode 0600): ${summary.rows} rows of ${summary.tables} tables, schema version ${summary.schemaVersion}.${behind} ` +
        'The master key is not in it: keep VARCO_MASTER_KEY (or master.key) apart from the backups, and restore with it.',
    );
    return 0;
  } finally {
    await handle.close();
  }
}

/** The newest migration the database has applied; undefined when it has no Varco schema at all. */
async function schemaVersion(pool: pg.Pool): Promise<number | undefined> {
  const table = await pool.query<{ found: string | null }>("SELECT to_regclass('varco_migrations')::text AS found");
  if (!table.rows[0]?.found) return undefined;
  return (await pool.query<{ v: number | null }>('SELECT max(version)::int AS v FROM varco_migrations')).rows[0]?.v ?? 0;
}

async function restore(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(args, { file: { type: 'string' } });
  const file = resolve(required(values, 'file'));
  if (!existsSync(file)) throw new UsageError(`${file} does not exist.`);
  try {
    const header = await checkBackup(file);
    // Opened without migrating (ctx.database() would migrate to the newest version first).
    const handle = await openDatabase(ctx.config, { mode: 'share' });
    const owner = createPool(handle.ownerUrl, 2);
    try {
      await assertEmptyDatabase(owner);
      await migrate(owner, { target: header.schemaVersion });
      if (handle.ownerUrl !== handle.url) await grantAppRole(owner, await currentRole(handle.pool));
      const loaded = await loadBackup(owner, file, createProgress(ctx.stderr, 'rows'));
      const keyId = (await owner.query<{ value: string }>("SELECT value FROM platform_settings WHERE name = 'master_key_id'")).rows[0]?.value;
      output(
        ctx,
        values.json === true,
        { file, schemaVersion: header.schemaVersion, createdAt: header.createdAt, ...loaded, masterKeyId: keyId ?? null },
        `Restored ${loaded.rows} rows of ${loaded.tables} tables from ${file} (taken ${header.createdAt}, schema version ${header.schemaVersion}). ` +
          (await keyAdvice(ctx, keyId)) +
          ' Varco migrates the database to its own version at start.',
      );
      return 0;
    } finally {
      await owner.end();
      await handle.close();
    }
  } catch (error) {
    if (error instanceof RestoreRefused) {
      ctx.stderr.write(`varco restore: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** What the first start needs: the master key the backup's secrets are sealed with, before it makes one of its own. */
async function keyAdvice(ctx: CliContext, keyId: string | undefined): Promise<string> {
  if (keyId === undefined) return 'The backup records no master key: the first start makes one.';
  const where = `set VARCO_MASTER_KEY to it, or copy its master.key into ${ctx.config.dataDir}`;
  // The restore is committed: a key that cannot be read is advice like any other, not the command's failure.
  const present = await readMasterKey(ctx.config).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  if (present instanceof Error)
    return `The master key in place cannot be read (${present.message}); before the first start put the backup's (key id ${keyId}) in place: ${where}.`;
  if (present !== undefined && secretboxKeyId(present) === keyId) return `The master key in place is the backup's (key id ${keyId}).`;
  return present === undefined
    ? `Before the first start, put the master key the backup was taken with (key id ${keyId}) in place: ${where}.`
    : `The master key in place (key id ${secretboxKeyId(present)}) is not the backup's (key id ${keyId}): Varco will not start with it; ${where}.`;
}

export const backupCommands: Record<string, { summary: string; run: Command }> = {
  backup: { summary: 'write a consistent backup of the database to a new file (--file F); the master key is not in it', run: backup },
  restore: { summary: 'load a backup into a fresh, empty database (--file F), migrated to the backup’s schema version', run: restore },
};
