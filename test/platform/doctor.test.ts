import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { makeCa, makeLeaf, startPeer } from '../support/tls-peers.ts';
import { freePort } from '../support/processes.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { createTestDatabase, tamper } from '../support/db.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';

// `varco doctor` (issue 17): one ✔/✘ line per check with the fix, exit 1 on any ✘, --json for
// monitoring. Against a real database, a real station (TLS peer) and a real SMTP server; then each
// thing broken on purpose gives its own ✘ and fix.

interface Report {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }>;
}

const { services, database, config, masterKey } = await buildTestApp();
const smtp = await startSmtpReceiver();
const CLI: StationActor = { type: 'cli', id: null, ip: null };
const org = await createOrganisation(database.db, 'Banca Dottore');
const root = await makeCa({ name: 'Doctor Root' });
const leaf = await makeLeaf({ issuer: root, commonName: 'localhost', altNames: ['localhost'] });
const peer = await startPeer({ leaf, clientCas: [(await services.platformCertificates.downloads('test')).caPem] });
const created = await services.stations.register(
  org,
  'test',
  { code: 'DOC_01', primary: { url: peer.url('/node'), ip: peer.host, port: String(peer.port) } },
  CLI,
);
assert.ok(created.ok);
assert.ok((await services.stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);

const baseEnv = { DATABASE_URL: database.url, VARCO_DATA_DIR: config.dataDir, VARCO_MASTER_KEY: masterKey.toString('base64'), ...smtp.env };
const doctor = async (env: Record<string, string> = {}) => {
  const run = await runCliInProcess(['doctor', '--json'], { ...baseEnv, ...env });
  return { code: run.code, report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
};
const check = (report: Report, name: string) => report.checks.find((c) => c.name === name);

test('a healthy install: every check ✔, exit 0, and the text form has one line per check', async () => {
  const { code, report } = await doctor();
  assert.deepEqual(
    report.checks.filter((c) => !c.ok),
    [],
  );
  assert.equal(code, 0);
  const names = report.checks.map((c) => c.name);
  for (const name of ['configuration', 'database', 'database role', 'clock', 'migrations', 'master key', 'server certificate', 'smtp'])
    assert.ok(names.includes(name), name);
  assert.ok(names.includes('client certificate (prod)') && names.includes('platform CA (test)'));
  assert.match(check(report, 'station test/DOC_01 (primary)')?.detail ?? '', /TCP connection opens/);
  const text = await runCliInProcess(['doctor'], baseEnv);
  assert.equal(text.code, 0);
  assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('✔ ')).length, report.checks.length);
  assert.match(text.stdout, /All checks passed\./);
});

test('an unreadable configuration is the first ✘ with the fix, exit 1 (not a usage error), in JSON too', async () => {
  const { code, report } = await doctor({ VARCO_PORT: 'x' });
  assert.equal(code, 1);
  assert.equal(report.ok, false);
  assert.equal(check(report, 'configuration')?.ok, false);
  assert.match(check(report, 'configuration')?.detail ?? '', /VARCO_PORT/);
  assert.match(check(report, 'configuration')?.fix ?? '', /README/);
  const text = await runCliInProcess(['doctor'], { ...baseEnv, VARCO_PORT: 'x' });
  assert.match(text.stdout, /^✘ configuration: .*VARCO_PORT[\s\S]*\n {4}fix: /);
});

test('another master key: ✘ with the fix, and the checks that need the key are skipped, not guessed', async () => {
  const { code, report } = await doctor({ VARCO_MASTER_KEY: generateSecretboxKey().toString('base64') });
  assert.equal(code, 1);
  const key = check(report, 'master key');
  assert.equal(key?.ok, false);
  assert.match(key?.detail ?? '', /the database was set up with/);
  assert.match(key?.fix ?? '', /same VARCO_MASTER_KEY/);
  assert.match(check(report, 'stations')?.detail ?? '', /^skipped/);
  assert.equal(check(report, 'database')?.ok, true);
});

test('a station that stopped answering and an SMTP server that is down: each its own ✘ and fix', async () => {
  await peer.stop();
  const closedPort = await freePort();
  const { code, report } = await doctor({ VARCO_SMTP_URL: `smtp://127.0.0.1:${closedPort}` });
  assert.equal(code, 1);
  const station = check(report, 'station test/DOC_01 (primary)');
  assert.equal(station?.ok, false);
  assert.match(station?.detail ?? '', /ECONNREFUSED|no answer/);
  assert.match(station?.fix ?? '', /open the port/);
  assert.equal(check(report, 'smtp')?.ok, false);
  assert.match(check(report, 'smtp')?.fix ?? '', /VARCO_SMTP_URL/);
  assert.equal(check(report, 'migrations')?.ok, true);
});

test('a database behind this Varco (a migration pending) and an unreachable database', async () => {
  const behind = await createTestDatabase();
  await tamper(behind.owner, [['DELETE FROM varco_migrations WHERE version = (SELECT max(version) FROM varco_migrations)']]);
  const pending = await doctor({ DATABASE_URL: behind.url });
  assert.equal(pending.code, 1);
  assert.match(check(pending.report, 'migrations')?.detail ?? '', /^1 pending/);
  assert.match(check(pending.report, 'migrations')?.fix ?? '', /varco db migrate/);
  const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM varco_migrations`.execute(behind.db);
  assert.equal(
    after.rows[0]?.n,
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM varco_migrations`.execute(database.db)).rows[0]!.n - 1,
    'read-only: nothing migrated',
  );

  const gone = await doctor({ DATABASE_URL: `postgres://varco@127.0.0.1:${await freePort()}/varco` });
  assert.equal(gone.code, 1);
  assert.equal(check(gone.report, 'database')?.ok, false);
  assert.match(check(gone.report, 'database')?.fix ?? '', /start PostgreSQL/);
});
