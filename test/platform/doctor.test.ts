import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { makeCa, makeLeaf, startPeer } from '../support/tls-peers.ts';
import { freePort } from '../support/processes.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { checkMasterKey } from '../../src/app/master-key.ts';
import { devServerCertificate } from '../../src/app/container.ts';
import { createTestDatabase, tamper } from '../support/db.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';

// `varco doctor` (issue 17): one ✔/✘ line per check with the fix, exit 1 on any ✘, --json for
// monitoring. Against a real database, a real station (TLS peer) and a real SMTP server; then each
// thing broken on purpose gives its own ✘ and fix.

interface Report {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; skipped?: boolean; detail: string; fix?: string }>;
}

const { services, database, config, masterKey, container } = await buildTestApp();
// As the first start does (doctor records nothing): the master key id, then the development HTTPS certificate.
await checkMasterKey(database.db, masterKey);
await devServerCertificate(config, container.platform());
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

const text = (env: Record<string, string>) => runCliInProcess(['doctor'], { ...baseEnv, ...env });
const failedLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('✘ '));

test('an unreachable database: one ✘ naming DATABASE_URL, the checks that need it shown as skipped, SMTP still checked', async () => {
  const env = { DATABASE_URL: `postgres://varco@127.0.0.1:${await freePort()}/varco` };
  const { code, report } = await doctor(env);
  assert.equal(code, 1);
  assert.match(check(report, 'configuration')?.detail ?? '', /database: DATABASE_URL;/);
  assert.match(check(report, 'database')?.fix ?? '', /check the host and port in DATABASE_URL/);
  assert.doesNotMatch(JSON.stringify(report), /VARCO_DATABASE_URL/, 'the setting is DATABASE_URL');
  for (const name of ['database role', 'migrations', 'master key', 'certificates', 'stations'])
    assert.deepEqual([check(report, name)?.skipped, check(report, name)?.detail], [true, 'skipped: the database is not reachable'], name);
  assert.equal(check(report, 'smtp')?.ok, true, 'SMTP needs no database');
  const run = await text(env);
  assert.deepEqual(failedLines(run.stdout), [`✘ database: ${check(report, 'database')?.detail}`]);
  assert.match(run.stdout, /\n– stations: skipped: the database is not reachable\n/);
  assert.match(run.stdout, /\n1 check\(s\) failed, 7 skipped\.\n$/);
});

test('a migration changed after it was applied: ✘ naming the file, no crash, the checks needing the services skipped', async () => {
  const changed = await createTestDatabase();
  await tamper(changed.owner, [["UPDATE varco_migrations SET checksum = 'edited' WHERE version = 2"]]);
  const env = { DATABASE_URL: changed.url, VARCO_DATABASE_OWNER_URL: changed.ownerUrl };
  const { code, report, stderr } = await doctor(env);
  assert.equal(code, 1);
  assert.equal(stderr, '');
  const migrations = check(report, 'migrations');
  assert.match(migrations?.detail ?? '', /^changed after the database applied it: migrations\/0002_\w+\.sql$/);
  assert.match(migrations?.fix ?? '', /restore the file/);
  assert.match(check(report, 'stations')?.detail ?? '', /^skipped: needs the migrations fixed first/);
  assert.equal(check(report, 'smtp')?.ok, true);
  const run = await text(env);
  assert.equal(run.code, 1);
  assert.deepEqual(failedLines(run.stdout), [`✘ migrations: ${migrations?.detail}`]);
});

test('another master key: SMTP is still checked (it needs neither the key nor the migrations)', async () => {
  const { report } = await doctor({ VARCO_MASTER_KEY: generateSecretboxKey().toString('base64') });
  assert.equal(check(report, 'master key')?.ok, false);
  assert.equal(check(report, 'smtp')?.skipped, undefined);
  assert.equal(check(report, 'smtp')?.ok, true);
});

test('VARCO_TLS_CERT and VARCO_TLS_KEY swapped, or not a pair: server certificate ✘ naming them, every other check still runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'varco-doctor-tls-'));
  const other = await makeLeaf({ issuer: root, commonName: 'other.example' });
  const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), otherKey: join(dir, 'other-key.pem') };
  await Promise.all([writeFile(files.cert, leaf.certPem), writeFile(files.key, leaf.keyPem), writeFile(files.otherKey, other.keyPem)]);
  try {
    const good = await doctor({ VARCO_TLS_CERT: files.cert, VARCO_TLS_KEY: files.key });
    assert.equal(check(good.report, 'server certificate')?.ok, true, check(good.report, 'server certificate')?.detail);
    for (const [env, detail] of [
      [{ VARCO_TLS_CERT: files.key, VARCO_TLS_KEY: files.cert }, /^VARCO_TLS_CERT \(.*key\.pem\) holds no PEM certificate$/],
      [{ VARCO_TLS_CERT: files.cert, VARCO_TLS_KEY: files.cert }, /^VARCO_TLS_KEY \(.*cert\.pem\) holds no usable PEM private key/],
      [
        { VARCO_TLS_CERT: files.cert, VARCO_TLS_KEY: files.otherKey },
        /^the key in VARCO_TLS_KEY \(.*other-key\.pem\) does not match the certificate in VARCO_TLS_CERT/,
      ],
    ] as const) {
      const { code, report, stderr } = await doctor(env);
      assert.equal(code, 1);
      assert.equal(stderr, '');
      const server = check(report, 'server certificate');
      assert.equal(server?.ok, false);
      assert.match(server?.detail ?? '', detail);
      assert.match(server?.fix ?? '', /VARCO_TLS_CERT .*VARCO_TLS_KEY/);
      for (const name of ['migrations', 'master key', 'client certificate (test)', 'smtp']) assert.equal(check(report, name)?.ok, true, name);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('wording: the role line says "the application role" once; no STARTTLS: nothing "was sent", and the fix names VARCO_SMTP_REQUIRE_TLS=false', async () => {
  const { report } = await doctor({ DATABASE_URL: database.ownerUrl, VARCO_SMTP_REQUIRE_TLS: 'true' });
  assert.match(check(report, 'database role')?.detail ?? '', /^the application role "[^"]+" is a superuser$/);
  const smtpCheck = check(report, 'smtp');
  assert.equal(smtpCheck?.ok, false);
  assert.match(smtpCheck?.detail ?? '', /no usable STARTTLS/);
  assert.doesNotMatch(smtpCheck?.detail ?? '', /sent/);
  assert.match(smtpCheck?.fix ?? '', /plain relay without credentials, .*VARCO_SMTP_REQUIRE_TLS=false/);
});

// README: doctor is read-only. On a database no instance has started on, its certificate checks would
// record the (maybe mistyped) master key id and create the platform PKI (instead of the first start's
// import of a legacy data/pki): they say what the first start creates, and create nothing.
test('on a migrated database no instance has started on: nothing recorded or created, the certificates "not created yet" as a warning', async () => {
  const fresh = await createTestDatabase(1);
  const dataDir = await mkdtemp(join(tmpdir(), 'varco-doctor-fresh-'));
  const env = { DATABASE_URL: fresh.url, VARCO_DATA_DIR: dataDir, VARCO_MASTER_KEY: generateSecretboxKey().toString('base64') };
  const { code, report } = await doctor(env);
  const settings = await sql<{ name: string }>`SELECT name FROM platform_settings WHERE name = 'master_key_id'`.execute(fresh.db);
  const cas = await sql<{ n: number }>`SELECT count(*)::int AS n FROM platform_cas`.execute(fresh.db);
  assert.deepEqual(
    { settings: settings.rows, cas: cas.rows[0]?.n, serverKey: existsSync(join(dataDir, 'pki', 'server.key')) },
    { settings: [], cas: 0, serverKey: false },
  );
  for (const name of ['server certificate', 'certificates'])
    assert.deepEqual(check(report, name), { name, ok: true, warning: true, detail: 'not created yet: the first start creates it' });
  assert.equal(check(report, 'master key')?.ok, true);
  assert.equal(code, 0, JSON.stringify(report.checks.filter((c) => !c.ok)));
  const text = await runCliInProcess(['doctor'], { ...baseEnv, ...env });
  assert.match(text.stdout, /\n! certificates: not created yet: the first start creates it\n/);
  assert.match(text.stdout, /All checks passed \(2 with a warning: !\)\.\n$/);
});
