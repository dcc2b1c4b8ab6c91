import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/db.ts';
import { runCliInProcess } from '../support/cli.ts';
import type { CliResult } from '../support/server-process.ts';
import { testAudit, testConfig, testServices } from '../support/app.ts';
import { createOrganisation, issueKeys } from '../support/subscriptions.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';

// `npx varco merchant configure`, `npx varco shasign` and `npx varco errors list` as an operator
// runs them, against the database (and master key) a running Varco uses.

const database = await createTestDatabase();
const db = database.db;
const dir = await mkdtemp(join(tmpdir(), 'varco-merchant-cli-'));
after(() => rm(dir, { recursive: true, force: true }));
const masterKey = generateSecretboxKey();
const services = testServices({ config: await testConfig({ DATABASE_URL: database.url }), db, clock: systemClock, masterKey, audit: testAudit(masterKey) });
const org = await createOrganisation(db, 'Emporio Cli');
await issueKeys(services, org, 'ecommerce', 'test');

function varco(args: string[]): Promise<CliResult> {
  return runCliInProcess(args, { DATABASE_URL: database.url, VARCO_DATA_DIR: dir, VARCO_LOG_LEVEL: 'warn', VARCO_MASTER_KEY: masterKey.toString('base64') });
}

const SHA_IN = 'Cli-SHA-in-passphrase-2026';
const SHA_OUT = 'Cli-SHA-out-passphrase-2026';
const shaInFile = join(dir, 'sha-in.txt');
const shaOutFile = join(dir, 'sha-out.txt');
await writeFile(shaInFile, `${SHA_IN}\n`);
await writeFile(shaOutFile, `${SHA_OUT}\n`);

test('merchant configure opens the account and sets every technical setting; passphrases come from files and are never printed', async () => {
  const run = await varco([
    'merchant',
    'configure',
    '--org',
    org,
    '--pspid',
    'Emporio',
    '--env',
    'test',
    '--hash-alg',
    'SHA-256',
    '--hashing-method',
    'each-parameter',
    '--charset',
    'utf-8',
    '--referrers',
    'https://emporio.example;https://emporio.example/pay',
    '--sha-in-file',
    shaInFile,
    '--sha-out-file',
    shaOutFile,
    '--accept-url',
    'https://emporio.example/ok',
    '--decline-url',
    'https://emporio.example/ko',
    '--exception-url',
    'https://emporio.example/ex',
    '--cancel-url',
    'https://emporio.example/cancel',
    '--feedback-on-redirect',
    'false',
    '--s2s-timing',
    'online',
    '--s2s-url-accepted',
    'https://emporio.example/s2s',
    '--s2s-url-declined',
    'https://emporio.example/s2s-ko',
    '--s2s-method',
    'GET',
    '--feedback-params',
    'ORDERID,STATUS,PAYID',
    '--operation',
    'RES',
    '--retries',
    '4',
    '--currencies',
    'EUR,USD',
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { created: boolean; pspid: string; changed: string[]; settings: Record<string, unknown> };
  assert.equal(out.created, true);
  assert.equal(out.pspid, 'Emporio');
  assert.ok(out.changed.includes('shaIn') && out.changed.includes('hashAlgorithm'));
  assert.equal(out.settings.shaInSet, true);
  assert.ok(!run.stdout.includes(SHA_IN) && !run.stdout.includes(SHA_OUT) && !run.stderr.includes(SHA_IN));
  const config = await services.merchants.configFor('EMPORIO', 'test');
  assert.ok(config);
  assert.deepEqual(
    { ...config, merchantId: '', organisationId: '' },
    {
      merchantId: '',
      organisationId: '',
      pspid: 'Emporio',
      name: 'Emporio Cli',
      env: 'test',
      hashingMethod: 'each-parameter',
      hashAlgorithm: 'sha256',
      charset: 'utf8',
      referrers: 'https://emporio.example;https://emporio.example/pay',
      shaIn: SHA_IN,
      shaOut: SHA_OUT,
      acceptUrl: 'https://emporio.example/ok',
      declineUrl: 'https://emporio.example/ko',
      exceptionUrl: 'https://emporio.example/ex',
      cancelUrl: 'https://emporio.example/cancel',
      feedbackOnRedirect: false,
      s2sTiming: 'online',
      s2sUrlAccepted: 'https://emporio.example/s2s',
      s2sUrlDeclined: 'https://emporio.example/s2s-ko',
      s2sMethod: 'GET',
      feedbackParams: ['ORDERID', 'STATUS', 'PAYID'],
      defaultOperation: 'RES',
      paymentRetries: 4,
      enabledCurrencies: ['EUR', 'USD'],
      legacyHashingAcceptedAt: null,
    },
  );
  const audit = await db.selectFrom('audit_log').select(['actor_type', 'action']).where('subject_id', '=', config.merchantId).orderBy('seq').execute();
  assert.deepEqual(
    audit.map((a) => [a.actor_type, a.action]),
    [
      ['cli', 'merchant.created'],
      ['cli', 'merchant.settings_changed'],
    ],
  );
  assert.ok(!JSON.stringify(await db.selectFrom('merchant_settings').selectAll().execute()).includes(SHA_IN));
  const text = await varco(['merchant', 'configure', '--org', org, '--pspid', 'emporio', '--env', 'test', '--retries', '5']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /test: changed paymentRetries\./);
});

test('merchant configure validates like the page: nothing saved, every problem named, exit 64', async () => {
  await writeFile(join(dir, 'weak.txt'), 'weak\n');
  const run = await varco([
    'merchant',
    'configure',
    '--org',
    org,
    '--pspid',
    'Emporio',
    '--env',
    'prod',
    '--hash-alg',
    'md5',
    '--currencies',
    'EUR,XYZ',
    '--s2s-url-accepted',
    'http://emporio.example/s2s',
    '--sha-in-file',
    join(dir, 'weak.txt'),
    '--retries',
    '100',
  ]);
  assert.equal(run.code, 64);
  for (const text of [
    'Hash algorithm: choose one of the options',
    'SHA-IN passphrase: at least 16 characters',
    'over https:// only',
    'XYZ',
    'a whole number from 1 to 99',
  ]) {
    assert.ok(run.stderr.includes(text), `${text} in ${run.stderr}`);
  }
  assert.equal((await services.merchants.settings((await services.merchants.findByPspid('Emporio'))!.id, 'prod')).hashAlgorithm, 'sha512');
  // As the page: without a loopback range allowed, a feedback URL on localhost would be refused at every delivery.
  const loopback = await runCliInProcess(
    ['merchant', 'configure', '--org', org, '--pspid', 'Emporio', '--env', 'test', '--s2s-url-accepted', 'https://localhost/s2s'],
    {
      DATABASE_URL: database.url,
      VARCO_DATA_DIR: dir,
      VARCO_LOG_LEVEL: 'warn',
      VARCO_MASTER_KEY: masterKey.toString('base64'),
      VARCO_OUTBOUND_ALLOW_CIDRS: '',
    },
  );
  assert.equal(loopback.code, 64, loopback.stderr);
  assert.match(loopback.stderr, /VARCO_OUTBOUND_ALLOW_CIDRS/);
  const other = await varco(['merchant', 'configure', '--org', org, '--pspid', 'Another', '--env', 'test']);
  assert.equal(other.code, 64);
  assert.match(other.stderr, /already has the merchant account Emporio/);
  const noOrg = await varco(['merchant', 'configure', '--org', 'org_unknown', '--pspid', 'Nobody', '--env', 'test']);
  assert.equal(noOrg.code, 64);
  assert.equal((await varco(['merchant', 'configure', '--org', org, '--pspid', 'Emporio', '--env', 'staging'])).code, 64);
});

test('legacy hashing needs --accept-legacy-hashing and is audited; the command warns about it and about production without SHA-IN', async () => {
  const refused = await varco(['merchant', 'configure', '--org', org, '--pspid', 'Emporio', '--env', 'test', '--hashing-method', 'main-parameters']);
  assert.equal(refused.code, 64);
  assert.match(refused.stderr, /tick the box that acknowledges the risks of legacy hashing/);
  const merchant = (await services.merchants.findByPspid('Emporio'))!;
  assert.equal((await services.merchants.settings(merchant.id, 'test')).hashingMethod, 'each-parameter');
  const accepted = await varco([
    'merchant',
    'configure',
    '--org',
    org,
    '--pspid',
    'Emporio',
    '--env',
    'test',
    '--hashing-method',
    'main-parameters',
    '--accept-legacy-hashing',
  ]);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /Warning: Legacy hashing \("main-parameters"\) is on: a customer can move digits between ORDERID and AMOUNT/);
  const audit = await db
    .selectFrom('audit_log')
    .select(['actor_type', 'action'])
    .where('subject_id', '=', merchant.id)
    .where('action', '=', 'merchant.legacy_hashing_accepted')
    .execute();
  assert.deepEqual(
    audit.map((a) => a.actor_type),
    ['cli'],
  );
  const back = await varco(['merchant', 'configure', '--org', org, '--pspid', 'Emporio', '--env', 'test', '--hashing-method', 'each-parameter', '--json']);
  assert.equal((JSON.parse(back.stdout) as { warnings: string[] }).warnings.length, 0);
  const prod = await varco(['merchant', 'configure', '--org', org, '--pspid', 'Emporio', '--env', 'prod', '--referrers', 'https://emporio.example']);
  assert.equal(prod.code, 0, prod.stderr);
  assert.match(prod.stdout, /Warning: Production needs a SHA-IN passphrase \(--sha-in-file\)/);
});

test('shasign prints the digest of the published vector A1; --json adds the string with the passphrase masked', async () => {
  const file = join(dir, 'a1.txt');
  await writeFile(file, 'Mysecretsig1875!?\n');
  const a1 = ['AMOUNT=1500', 'CURRENCY=EUR', 'LANGUAGE=en_US', 'ORDERID=1234', 'PSPID=MyPSPID'];
  const sha1 = await varco(['shasign', '--alg', 'sha1', '--passphrase-file', file, ...a1]);
  assert.equal(sha1.code, 0, sha1.stderr);
  assert.equal(sha1.stdout, 'F4CC376CD7A834D997B91598FA747825A238BE0A\n');
  const json = await varco(['shasign', '--alg', 'sha512', '--passphrase-file', file, '--json', ...a1.reverse()]);
  const out = JSON.parse(json.stdout) as { digest: string; string: string };
  assert.equal(out.digest, 'D1CFE8833A297D0922E908B2B44934B09EE966EF1584DC0D696304E07BB58BA71973C2383C831D878D8A243BB7D7DFFFBE53CEE21955CDFEF44FE82E551F859D');
  assert.equal(out.string, 'AMOUNT=1500********CURRENCY=EUR********LANGUAGE=en_US********ORDERID=1234********PSPID=MyPSPID********');
  assert.ok(!json.stdout.includes('Mysecretsig'));
  const bad = await varco(['shasign', '--alg', 'md5', '--passphrase-file', file, 'AMOUNT=1']);
  assert.equal(bad.code, 64);
});

test('errors list prints the error log of a PSPID, newest first, with the masked string', async () => {
  const merchant = (await services.merchants.findByPspid('Emporio'))!;
  const base = { merchantId: merchant.id, pspid: 'Emporio', clientIp: '192.0.2.7', referrer: null };
  await services.errorLog.recordEntryError({
    ...base,
    env: 'test',
    orderRef: 'A-1',
    code: '50001184',
    message: 'unknown order/1/s/',
    debug: { algorithm: 'sha256', included: ['ORDERID', 'PSPID'], candidates: [{ order: 'ascii', masked: 'ORDERID=A-1********PSPID=Emporio********' }] },
  });
  await services.errorLog.recordEntryError({ ...base, env: 'prod', orderRef: 'B-2', code: '50001111', message: 'no AMOUNT' });
  const run = await varco(['errors', 'list', '--pspid', 'emporio', '--env', 'test', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as Array<{
    orderRef: string;
    code: string;
    codeText: string | null;
    message: string;
    env: string;
    debug: { strings: Array<{ masked: string }> };
  }>;
  assert.deepEqual(
    rows.map((r) => [r.env, r.orderRef, r.code, r.codeText, r.message]),
    [['test', 'A-1', '50001184', 'SHA Mismatch', 'unknown order/1/s/']],
  );
  assert.equal(rows[0]!.debug.strings[0]!.masked, 'ORDERID=A-1********PSPID=Emporio********');
  const text = await varco(['errors', 'list', '--pspid', 'Emporio']);
  assert.match(text.stdout, /prod\s+50001111 \(Data validation error\)\s+no AMOUNT\s+ORDERID=B-2/, 'each code with its text, as the error log pages show it');
  assert.match(text.stdout, /test\s+50001184 \(SHA Mismatch\)\s+unknown order\/1\/s\//);
  assert.match(text.stdout, /hashed \(ascii\): ORDERID=A-1\*{8}PSPID=Emporio\*{8}/);
  const none = await varco(['errors', 'list', '--pspid', 'Nobody']);
  assert.match(none.stdout, /No errors recorded for Nobody/);
});
