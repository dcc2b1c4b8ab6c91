import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createEmptyDatabase } from '../support/db.ts';
import { SHA_IN, postEntry, signedOrder } from '../support/ecommerce.ts';
import { freePort, httpsRequest, makeDataDir, runCli, startServer } from '../support/server-process.ts';
import { CLI, createOrganisation, issueKeys } from '../support/subscriptions.ts';
import { secretboxKeyId } from '../../src/kernel/secretbox.ts';
import { createPool, loadMigrations, migrate } from '../../src/db/index.ts';
import { checkBackup } from '../../src/db/restore.ts';

// Issue 16, backups: `varco backup` of a database with keys, orders and audit rows; `varco restore`
// into a fresh data directory; a real server on it with the same master key serves the same key and
// orders, and the audit chain still verifies. Non-empty databases and other schema versions are refused.

const t = await buildTestApp();
const key = t.masterKey.toString('base64');
const env = { DATABASE_URL: t.database.url, VARCO_DATABASE_OWNER_URL: t.database.ownerUrl, VARCO_MASTER_KEY: key };
const organisationId = await createOrganisation(t.database.db);
const keys = await issueKeys(t.services, organisationId, 'ecommerce', 'test');
const created = await t.services.merchants.create({ organisationId, pspid: `bk${Date.now().toString(36)}` }, CLI);
assert.ok(created.ok);
assert.ok((await t.services.merchants.updateSettings(created.value.id, 'test', { shaIn: { action: 'set', value: SHA_IN, confirm: SHA_IN } }, CLI)).ok);
const merchant = { organisationId, merchantId: created.value.id, pspid: created.value.pspid };
const orderIds = ['backup-1', 'backup-2', 'backup-3'];
for (const id of orderIds) assert.equal((await postEntry(t.app, signedOrder(merchant, id))).statusCode, 303);
const file = join(await makeDataDir(), 'varco.vbk');

test(
  'varco backup writes a 0600 file; restore into a fresh data directory serves the same key and orders with an intact audit chain',
  { timeout: 120_000 },
  async () => {
    assert.equal((await runCliInProcess(['audit', 'verify'], env)).code, 0, 'the source database claims the master key');
    const backedUp = await runCliInProcess(['backup', '--file', file], env);
    assert.equal(backedUp.code, 0, backedUp.stderr);
    assert.match(backedUp.stdout, /Backup written .* rows of \d+ tables, schema version \d+/);
    assert.match(backedUp.stderr, /^orders: \d+ rows/m, 'a plain progress line per table when not on a terminal');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!gunzipSync(readFileSync(file)).toString('utf8').includes(SHA_IN), 'the SHA-IN passphrase is sealed in the backup');

    const dataDir = await makeDataDir();
    const pgPort = await freePort();
    const restored = await runCli(
      ['restore', '--file', file],
      { VARCO_DATA_DIR: dataDir, VARCO_EMBEDDED_PG_PORT: String(pgPort), VARCO_MASTER_KEY: key },
      90_000,
    );
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /Restored \d+ rows/);
    assert.match(restored.stdout, new RegExp(`The master key in place is the backup's \\(key id ${secretboxKeyId(t.masterKey)}\\)`));

    const server = await startServer({ dataDir, pgPort, env: { VARCO_MASTER_KEY: key } });
    try {
      for (const id of orderIds) {
        const reply = await httpsRequest(server.port, server.ca, `/api/v1/orders/${id}`, { headers: { 'ocp-apim-subscription-key': keys.primary } });
        assert.equal(reply.status, 200, reply.body);
        assert.equal((JSON.parse(reply.body) as { orderId: string }).orderId, id);
      }
      const verified = await runCli(['audit', 'verify'], { VARCO_DATA_DIR: dataDir, VARCO_EMBEDDED_PG_PORT: String(pgPort), VARCO_MASTER_KEY: key });
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      assert.match(verified.stdout, /Audit log intact/);
    } finally {
      await server.stop();
    }
  },
);

test('restore refuses a database that is not empty, and a backup of a schema version this Varco does not have', async () => {
  const intoUsed = await runCliInProcess(['restore', '--file', file], env);
  assert.equal(intoUsed.code, 1);
  assert.match(intoUsed.stderr, /The database is not empty \(\d+ tables, Varco schema version \d+\)\. Restore needs a fresh, empty database/);

  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  const header = JSON.parse(lines[0] ?? '{}') as { schemaVersion: number };
  header.schemaVersion = 999;
  const newer = `${file}.newer`;
  writeFileSync(newer, gzipSync([JSON.stringify(header), ...lines.slice(1)].join('\n')));
  const empty = await createEmptyDatabase();
  const refused = await runCliInProcess(['restore', '--file', newer], { DATABASE_URL: empty.url, VARCO_MASTER_KEY: key });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /schema version 999; this Varco knows \d+/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
});

// docs/operations "Upgrading": `varco backup` before the upgrade is what a rollback restores, so the new
// CLI must not migrate the live database (under the old instances) before backing it up.
test('backup of a database behind this Varco leaves it as it is and records its version; one ahead is refused', async () => {
  const { url } = await createEmptyDatabase();
  const known = (await loadMigrations()).length;
  const owner = createPool(url, 2);
  const dir = await makeDataDir();
  const version = async (): Promise<number | undefined> => (await owner.query<{ v: number }>('SELECT max(version)::int AS v FROM varco_migrations')).rows[0]?.v;
  try {
    await migrate(owner, { target: known - 1 });
    const before = join(dir, 'before-upgrade.vbk');
    const behind = await runCliInProcess(['backup', '--file', before], { DATABASE_URL: url });
    assert.equal(behind.code, 0, behind.stderr);
    assert.match(
      behind.stdout,
      new RegExp(
        `schema version ${known - 1}\\. The database is at schema version ${known - 1}, behind this Varco's ${known}: it was backed up as it is, not migrated`,
      ),
    );
    assert.deepEqual({ database: await version(), backup: (await checkBackup(before)).schemaVersion }, { database: known - 1, backup: known - 1 });

    await migrate(owner);
    await owner.query('INSERT INTO varco_migrations (version, name, checksum) VALUES ($1, $2, $3)', [known + 1, 'from_a_newer_varco', 'x']);
    const ahead = await runCliInProcess(['backup', '--file', join(dir, 'newer.vbk')], { DATABASE_URL: url });
    assert.equal(ahead.code, 1);
    assert.match(ahead.stderr, new RegExp(`schema version ${known + 1}, newer than this Varco \\(which knows ${known}\\)`));
    assert.doesNotMatch(ahead.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await owner.end();
  }
});

test('a restore that loaded its rows says so and exits 0 even when the master key in place cannot be read, saying what to do', async () => {
  const empty = await createEmptyDatabase();
  const dataDir = await makeDataDir();
  writeFileSync(join(dataDir, 'master.key'), 'not a key\n');
  const run = await runCliInProcess(['restore', '--file', file], { DATABASE_URL: empty.url, VARCO_DATA_DIR: dataDir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Restored \d+ rows/);
  assert.match(run.stdout, new RegExp(`cannot be read .*key id ${secretboxKeyId(t.masterKey)}`));
});
