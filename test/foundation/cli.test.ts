import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentityService } from '../../src/modules/identity/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { createTestDatabase, tamper } from '../support/db.ts';
import { makeCa, makeLeaf } from '../support/tls-peers.ts';
import { testAudit } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { freePort, runCli, type CliResult } from '../support/server-process.ts';

// `npx varco` as an operator runs it, on a real database, checked by exit code, output and what ends
// up in the database and on disk: in-process through the CLI's dispatcher, and one real process
// (the smoke test) for what only a process shows.

const database = await createTestDatabase();
const dataDir = await mkdtemp(join(tmpdir(), 'varco-cli-'));
// The server's master key: the commands and this file's own services key the audit chain with it.
const masterKey = generateSecretboxKey();
after(() => rm(dataDir, { recursive: true, force: true }));

// Only the settings this test chooses: neither runner reads the caller's own VARCO_* variables.
const settings = (env: Record<string, string>): Record<string, string> => ({
  DATABASE_URL: database.url,
  VARCO_DATA_DIR: dataDir,
  VARCO_LOG_LEVEL: 'warn',
  VARCO_MASTER_KEY: masterKey.toString('base64'),
  ...env,
});

function varco(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliInProcess(args, settings(env));
}

async function secretFile(content: string): Promise<string> {
  const file = join(dataDir, `pw-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(file, `${content}\n`, { mode: 0o600 });
  return file;
}

const EMAIL = 'operator@example.org';
const PASSWORD = 'granite-wombat-saffron-31';

test('admin create --password-file --json prints the new id, and that administrator can sign in', async () => {
  const run = await varco(['admin', 'create', '--email', EMAIL, '--password-file', await secretFile(PASSWORD), '--json']);
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { id: string; email: string };
  assert.match(out.id, /^usr_/);
  assert.equal(out.email, EMAIL);
  assert.equal(run.stdout.includes(PASSWORD) || run.stderr.includes(PASSWORD), false, 'the password is never printed');

  const user = await database.db.selectFrom('users').selectAll().where('id', '=', out.id).executeTakeFirstOrThrow();
  assert.equal(user.kind, 'admin');
  assert.equal(user.email, EMAIL);
  const identity = createIdentityService({
    db: database.db,
    clock: systemClock,
    audit: testAudit(masterKey),
    sessionTtlMinutes: 60,
    sessionAbsoluteHours: 12,
    signInMaxFailures: 5,
    signInLockMinutes: 15,
  });
  const signIn = await identity.signIn({ surface: 'admin', email: EMAIL, password: PASSWORD, ip: '127.0.0.1', userAgent: null });
  assert.equal(signIn.ok, true);

  const again = await varco(['admin', 'create', '--email', EMAIL, '--password-file', await secretFile(PASSWORD)]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already exists/);
});

test('smoke (real process): db migrate --json applies nothing on a migrated database and exits promptly', async () => {
  const started = Date.now();
  const run = await runCli(['db', 'migrate', '--json'], settings({}));
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { applied: number[]; current: number };
  assert.deepEqual(out.applied, []);
  assert.ok(out.current >= 1);
  // A pool left open keeps the process alive for the 30 s idle timeout after the work is done.
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  // The in-process runner the other tests use says exactly what the real command says.
  assert.deepEqual(await varco(['db', 'migrate', '--json']), run);
});

test('admin create with a short password exits non-zero with a message and creates nobody', async () => {
  const run = await varco(['admin', 'create', '--email', 'short@example.org', '--password-file', await secretFile('tooshort')]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /at least 12 characters/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace for an expected refusal');
  const user = await database.db.selectFrom('users').select('id').where('email', '=', 'short@example.org').executeTakeFirst();
  assert.equal(user, undefined);
});

test('pki show --json lists five certificates with SHA-256 fingerprints matching the files', async () => {
  const run = await varco(['pki', 'show', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const certs = JSON.parse(run.stdout) as Array<{ name: string; subject: string; fingerprintSha256: string; notAfter: string }>;
  assert.deepEqual(certs.map((c) => c.name).sort(), ['prod-ca', 'prod-client', 'server', 'test-ca', 'test-client']);
  for (const cert of certs) {
    assert.match(cert.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, cert.name);
    assert.ok(new Date(cert.notAfter).getTime() > Date.now(), `${cert.name} has expired`);
  }
  assert.equal(new Set(certs.map((c) => c.fingerprintSha256)).size, 5);
  const onDisk = new X509Certificate(await readFile(join(dataDir, 'pki', 'server.crt'), 'utf8'));
  assert.equal(certs.find((c) => c.name === 'server')?.fingerprintSha256, onDisk.fingerprint256.toUpperCase());
});

// docs/security.md 25: the development HTTPS key exists only as it must to serve; with VARCO_TLS_CERT set it never must.
test('pki show with VARCO_TLS_CERT/KEY lists that certificate as the server one and writes no development key', async () => {
  const leaf = await makeLeaf({ issuer: await makeCa({ name: 'Operator CA' }), commonName: 'varco.example.org' });
  const own = await mkdtemp(join(tmpdir(), 'varco-cli-tls-'));
  after(() => rm(own, { recursive: true, force: true }));
  const tls = { VARCO_TLS_CERT: join(own, 'fullchain.pem'), VARCO_TLS_KEY: join(own, 'privkey.pem') };
  await Promise.all([writeFile(tls.VARCO_TLS_CERT, leaf.certPem), writeFile(tls.VARCO_TLS_KEY, leaf.keyPem)]);
  const run = await varco(['pki', 'show', '--json'], { ...tls, VARCO_DATA_DIR: join(own, 'data') });
  assert.equal(run.code, 0, run.stderr);
  const server = (JSON.parse(run.stdout) as Array<{ name: string; fingerprintSha256: string }>).find((c) => c.name === 'server');
  assert.equal(server?.fingerprintSha256, new X509Certificate(leaf.certPem).fingerprint256.toUpperCase());
  assert.deepEqual(await readdir(own), ['fullchain.pem', 'privkey.pem'], 'no data/pki/server.key (or anything else) written');
  const missing = await varco(['pki', 'show'], { VARCO_TLS_CERT: join(own, 'none.pem'), VARCO_TLS_KEY: tls.VARCO_TLS_KEY, VARCO_DATA_DIR: join(own, 'data') });
  // The file may be the server's only: the platform's certificates are still listed, the server's problem said.
  assert.equal(missing.code, 0, missing.stderr);
  assert.match(missing.stdout, /^server {7}VARCO_TLS_CERT \(.*none\.pem\) cannot be read here: ENOENT/);
  assert.match(missing.stdout, /\ntest-ca {6}CN=/);
  assert.deepEqual(await readdir(own), ['fullchain.pem', 'privkey.pem']);
});

test('pki export --env test writes the CA and the client chain as PEM, with no private key', async () => {
  const outDir = join(dataDir, 'export');
  const run = await varco(['pki', 'export', '--env', 'test', '--dir', outDir]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual((await readdir(outDir)).sort(), ['varco-test-ca.pem', 'varco-test-client-chain.pem']);
  const ca = await readFile(join(outDir, 'varco-test-ca.pem'), 'utf8');
  const chain = await readFile(join(outDir, 'varco-test-client-chain.pem'), 'utf8');
  for (const pem of [ca, chain]) assert.doesNotMatch(pem, /PRIVATE KEY/);
  assert.equal(ca.match(/BEGIN CERTIFICATE/g)?.length, 1);
  assert.equal(chain.match(/BEGIN CERTIFICATE/g)?.length, 2);
  const caCert = new X509Certificate(ca);
  const clientCert = new X509Certificate(chain);
  assert.ok(clientCert.checkIssued(caCert) && clientCert.verify(caCert.publicKey), 'the client certificate is issued by the exported CA');
  // The CA Varco keeps for every instance, in the database (migration 0018).
  const kept = await database.db.selectFrom('platform_cas').select('cert_pem').where('environment', '=', 'test').executeTakeFirstOrThrow();
  assert.equal(caCert.fingerprint256, new X509Certificate(kept.cert_pem).fingerprint256);

  const bad = await varco(['pki', 'export', '--env', 'staging', '--dir', outDir]);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /--env must be one of test, prod/);
});

test('audit verify --json reports an intact chain, and exit code 3 with the seq of a tampered row', async () => {
  const intact = await varco(['audit', 'verify', '--json']);
  assert.equal(intact.code, 0, intact.stderr);
  const verdict = JSON.parse(intact.stdout) as { ok: boolean; checked: number };
  assert.equal(verdict.ok, true);
  assert.ok(verdict.checked >= 2, 'admin create and sign-in wrote audit rows');

  const first = await database.db.selectFrom('audit_log').select(['seq', 'actor_type']).orderBy('seq').limit(1).executeTakeFirstOrThrow();
  await tamper(database.owner, [[`UPDATE audit_log SET actor_type = 'system' WHERE seq = $1`, [first.seq]]]);
  const tampered = await varco(['audit', 'verify', '--json']);
  assert.equal(tampered.code, 3);
  const report = JSON.parse(tampered.stdout) as { ok: boolean; seq: number };
  assert.equal(report.ok, false);
  assert.equal(report.seq, first.seq);
  await tamper(database.owner, [[`UPDATE audit_log SET actor_type = $2 WHERE seq = $1`, [first.seq, first.actor_type]]]);
  assert.equal((await varco(['audit', 'verify'])).code, 0, 'restored');
});

test('audit verify: deleting the two newest audit rows makes it fail with exit code 3, "rows missing after" the newest left', async () => {
  const created = await varco(['admin', 'create', '--email', 'second@example.org', '--password-file', await secretFile(PASSWORD)]);
  assert.equal(created.code, 0, created.stderr);
  const rows = await database.db.selectFrom('audit_log').select(['seq', 'id']).orderBy('seq', 'desc').limit(3).execute();
  assert.equal(rows.length, 3, 'the earlier tests wrote audit rows');
  assert.equal((await varco(['audit', 'verify'])).code, 0);
  await tamper(database.owner, [['DELETE FROM audit_log WHERE seq >= $1', [rows[1]!.seq]]]);
  const run = await varco(['audit', 'verify']);
  assert.equal(run.code, 3, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`TAMPERED: rows missing after seq=${rows[2]!.seq}: the signed checkpoint`));
});

test('audit verify with another master key than the database was set up with is refused, naming the setting', async () => {
  const run = await varco(['audit', 'verify'], { VARCO_MASTER_KEY: generateSecretboxKey().toString('base64') });
  assert.equal(run.code, 64);
  assert.match(run.stderr, /VARCO_MASTER_KEY .*does not match/);
});

test('an invalid setting stops the command with a message naming it', async () => {
  const run = await varco(['audit', 'verify'], { VARCO_PORT: 'x' });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /VARCO_PORT/);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

test('smoke (real process): an invalid setting exits 2 with the message the in-process runner prints', async () => {
  const run = await runCli(['audit', 'verify'], settings({ VARCO_PORT: 'x' }));
  assert.equal(run.code, 2);
  assert.match(run.stderr, /VARCO_PORT/);
  assert.deepEqual(await varco(['audit', 'verify'], { VARCO_PORT: 'x' }), run);
});

// An empty setting is unset (README, "Configuration"); deploy/compose.yaml passes ${LOG_LEVEL:-}, which is ''.
test('smoke (real process): an empty VARCO_LOG_LEVEL is unset, no pino stack trace; an invalid one is a setting error', async () => {
  const empty = await runCli(['config', 'table'], settings({ VARCO_LOG_LEVEL: '' }));
  assert.equal(empty.code, 0, empty.stderr);
  assert.doesNotMatch(empty.stderr, /\n\s+at /);
  const invalid = await varco(['config', 'table'], { VARCO_LOG_LEVEL: 'loud' });
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /VARCO_LOG_LEVEL must be one of/);
});

test('an unknown command prints the usage and exits 64; a missing option is a usage error too', async () => {
  const run = await varco(['frobnicate', 'now']);
  assert.equal(run.code, 64);
  assert.match(run.stderr, /Unknown command: frobnicate now/);
  assert.match(run.stderr, /Usage: npx varco/);
  for (const command of ['admin create', 'pki show', 'audit verify', 'db migrate']) assert.ok(run.stderr.includes(command), `usage lacks ${command}`);

  const missing = await varco(['admin', 'create']);
  assert.equal(missing.code, 64);
  assert.match(missing.stderr, /--email is required/);
});

// The database cannot be opened: what failed and the setting to check, in one line, exit 1, no stack.
const oneLine = (run: CliResult): void => {
  assert.equal(run.stderr.split('\n').length, 2, `one line:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /\n\s+at |Node\.js v/, 'no stack trace');
};

test('a database that is down or refuses the credentials: one line naming DATABASE_URL, exit 1', async () => {
  const down = await varco(['org', 'list'], { DATABASE_URL: `postgres://varco@127.0.0.1:${await freePort()}/varco` });
  assert.equal(down.code, 1);
  assert.match(
    down.stderr,
    /^varco org list failed: cannot connect to the database: connect ECONNREFUSED .*; start PostgreSQL or check the host and port in DATABASE_URL\n$/,
  );
  oneLine(down);
  const wrongUser = new URL(database.url);
  wrongUser.username = 'nobody_here';
  wrongUser.password = 'wrong';
  const refused = await varco(['org', 'list'], { DATABASE_URL: wrongUser.toString() });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^varco org list failed: cannot connect to the database: .*nobody_here.*; check the user and password in DATABASE_URL\n$/);
  oneLine(refused);
});

test("smoke (real process): an unreachable database prints the in-process runner's one line, no stack, exit 1", async () => {
  const env = settings({ DATABASE_URL: `postgres://varco@127.0.0.1:${await freePort()}/varco` });
  const run = await runCli(['org', 'list'], env);
  assert.equal(run.code, 1);
  oneLine(run);
  assert.deepEqual(await varco(['org', 'list'], env), run);
});

test('db migrate on a database whose applied migration was changed: the refusal in one line, exit 1', async () => {
  const changed = await createTestDatabase();
  await tamper(changed.owner, [["UPDATE varco_migrations SET checksum = 'edited' WHERE version = 2"]]);
  const run = await varco(['db', 'migrate'], { DATABASE_URL: changed.url, VARCO_DATABASE_OWNER_URL: changed.ownerUrl });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^varco db migrate failed: Migration 2 \(\w+\) was changed after it was applied; migrations are forward-only\.\n$/);
  oneLine(run);
});

test('an unknown option and an unreadable --password-file: said plainly, naming the option, exit 64', async () => {
  const bogus = await varco(['org', 'list', '--bogus']);
  assert.equal(bogus.code, 64);
  assert.equal(bogus.stderr, 'varco org list: unknown option --bogus (npx varco org list --help lists its options)\n');
  const missing = join(dataDir, 'no-such-password.txt');
  const unreadable = await varco(['admin', 'create', '--email', 'nofile@example.org', '--password-file', missing]);
  assert.equal(unreadable.code, 64);
  assert.equal(unreadable.stderr, `varco admin create: cannot read the file given as --password-file (${missing}): no such file\n`);
});
