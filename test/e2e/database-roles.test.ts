import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type pg from 'pg';
import { APP_ROLE, createPool, ensureDatabase, loadMigrations, migrate, startEmbedded } from '../../src/db/index.ts';
import { auditKeys, GENESIS, rowHash, type AuditRowForHash } from '../../src/modules/audit/index.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { tamper } from '../support/db.ts';
import { runCliInProcess } from '../support/cli.ts';
import { freePort, makeDataDir, runCli, startServer, type ServerProcess } from '../support/server-process.ts';

// Issue 10 item 8 from outside: a data directory made by the Varco before the keyed audit chain and
// the application role (its cluster has only the superuser, its audit rows are plain SHA-256) is
// started like `npm start`. The server's database sessions are not superuser, the old rows still
// verify, and deleting the two newest audit rows makes `varco audit verify` fail.

const LEGACY_ROWS = 3;
const dataDir = await makeDataDir();
let server: ServerProcess | undefined;
const running = (): ServerProcess => {
  assert.ok(server, 'an earlier step did not start the server');
  return server;
};

/** The cluster's superuser on the `varco` database (the data directory's pg-password). */
async function superuser(s: ServerProcess): Promise<pg.Pool> {
  const password = (await readFile(join(dataDir, 'pg-password'), 'utf8')).trim();
  return createPool(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${s.pgPort}/varco`, 1);
}

// The commands share the running server's cluster: in-process through the CLI's dispatcher, and the
// last one as the real process, whose exit code an operator's script would see.
const cliEnv = (): Record<string, string> => ({ VARCO_DATA_DIR: dataDir, VARCO_EMBEDDED_PG_PORT: String(running().pgPort), VARCO_LOG_LEVEL: 'warn' });
const varco = (...args: string[]) => runCliInProcess(args, cliEnv());

/** What the previous version left: no application role, schema before the keyed chain, plain-hash rows. */
async function previousVersionDataDir(): Promise<void> {
  const embedded = await startEmbedded({ dataDir, port: await freePort() });
  try {
    const admin = createPool(embedded.url('postgres'), 1);
    await admin.query(`DROP ROLE ${APP_ROLE}`);
    await admin.end();
    await ensureDatabase(embedded.url('postgres'), 'varco');
    const pool = createPool(embedded.url('varco'), 1);
    await migrate(pool, { target: (await loadMigrations()).findIndex((m) => m.name === 'audit_keyed_chain') });
    let prev = GENESIS;
    for (let n = 1; n <= LEGACY_ROWS; n++) {
      const row: AuditRowForHash = {
        id: `aud_old_${n}`,
        at: new Date(Date.UTC(2026, 5, n)),
        actor_type: 'cli',
        actor_id: null,
        action: 'organisation.created',
        subject_type: 'organisation',
        subject_id: `org_${n}`,
        organisation_id: `org_${n}`,
        ip: null,
        details: {},
      };
      const hash = rowHash('sha256', auditKeys(generateSecretboxKey()), prev, row);
      await pool.query(
        `INSERT INTO audit_log (id, at, actor_type, action, subject_type, subject_id, organisation_id, details, prev_hash, hash)
        VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', $8, $9)`,
        [row.id, row.at, row.actor_type, row.action, row.subject_type, row.subject_id, row.organisation_id, prev, hash],
      );
      prev = hash;
    }
    await pool.end();
  } finally {
    await embedded.stop();
  }
  await rm(join(dataDir, 'pg-app-password'));
}

test('a data directory of the previous version starts: the role is created and every database session of the server is not superuser', async () => {
  await previousVersionDataDir();
  server = await startServer({ dataDir });
  const s = running();
  assert.equal((await stat(join(dataDir, 'pg-app-password'))).mode & 0o777, 0o600);
  const pool = await superuser(s);
  try {
    const { rows } = await pool.query<{ rolname: string; rolsuper: boolean; application_name: string }>(`SELECT r.rolname, r.rolsuper, a.application_name
      FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid WHERE a.datname = 'varco' AND a.pid <> pg_backend_pid()`);
    // The pool (used by /readyz) and the LISTEN connections of the key cache, merchant configuration cache and outbox.
    assert.ok(rows.length >= 3, JSON.stringify(rows));
    assert.deepEqual([...new Set(rows.map((r) => `${r.rolname} super=${r.rolsuper}`))], [`${APP_ROLE} super=false`], JSON.stringify(rows));
    assert.ok(
      rows.some((r) => r.application_name === 'varco-outbox-listener'),
      'the outbox listener connects as the application role too',
    );
  } finally {
    await pool.end();
  }
  assert.doesNotMatch(s.stdout(), /rewriting the audit log/, 'no warning about the role');
});

test('the old plain-hash rows verify with the new version, and new rows are keyed', async () => {
  const before = await varco('audit', 'verify', '--json');
  assert.equal(before.code, 0, before.stdout + before.stderr);
  assert.deepEqual((JSON.parse(before.stdout) as { checked: number; unkeyed: number }).unkeyed, LEGACY_ROWS);
  for (const [name, taxCode] of [
    ['Banca Uno', 'DE100000001'],
    ['Banca Due', 'DE100000002'],
  ] as const) {
    const created = await varco('org', 'create', '--name', name, '--tax-code', taxCode, '--foreign', '--type', 'psp', '--email', 'it@banca.example');
    assert.equal(created.code, 0, created.stderr);
  }
  const after = await varco('audit', 'verify');
  assert.equal(after.code, 0, after.stdout + after.stderr);
  assert.match(after.stdout, new RegExp(`Audit log intact: ${LEGACY_ROWS + 2} rows checked \\(${LEGACY_ROWS} unkeyed .*newest signed checkpoint`));
});

test('smoke (real process): deleting the two newest audit rows (as the superuser, triggers off) makes `varco audit verify` fail with exit code 3', async () => {
  const pool = await superuser(running());
  try {
    const { rows } = await pool.query<{ seq: number }>('SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 3');
    await tamper(pool, [['DELETE FROM audit_log WHERE seq >= $1', [rows[1]!.seq]]]);
    const run = await runCli(['audit', 'verify'], cliEnv(), 60_000);
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`rows missing after seq=${rows[2]!.seq}`));
  } finally {
    await pool.end();
  }
  assert.equal(await running().stop(), 0);
  assert.ok(!existsSync(join(dataDir, 'varco-server.pid')));
});
