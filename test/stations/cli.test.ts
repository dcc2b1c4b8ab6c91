import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { makeServerPki, startPeer } from '../support/tls-peers.ts';

// `npx varco trust …` and `npx varco station …` as an operator runs them, against the database (and
// its platform PKI, hence the app's master key) and data directory of an app built in this process.

const { app, config, services, database, masterKey } = await buildTestApp();
const env = { DATABASE_URL: database.url, VARCO_DATA_DIR: config.dataDir, VARCO_MASTER_KEY: masterKey.toString('base64') };
const varco = (...args: string[]) => runCliInProcess(args, env);
const org = await createOrganisation(database.db, 'Banca Riga di Comando');
await createReferent(database.db, org, ['node']);
const pki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'CLI Root', intermediateName: 'CLI Issuing' });
const rootFile = join(config.dataDir, 'cli-root.pem');
await writeFile(rootFile, pki.root.certPem);
// At file level: a peer started inside a test stops when that test ends.
const varcoClientCa = (await services.platformCertificates.downloads('test')).caPem;
const primary = await startPeer({ leaf: pki.leaf, chain: [pki.intermediate!], clientCas: [varcoClientCa] });
const secondary = await startPeer({ leaf: pki.leaf, chain: [pki.intermediate!], clientCas: [varcoClientCa] });

test('trust add says whom a CA is for (one organisation, or explicitly all), list shows it, remove', async () => {
  const unscoped = await varco('trust', 'add', '--env', 'test', '--file', rootFile);
  assert.equal(unscoped.code, 64);
  assert.match(unscoped.stderr, /--org ID \(one organisation\) or --all-organisations/);
  assert.equal((await varco('trust', 'add', '--env', 'test', '--file', rootFile, '--org', org, '--all-organisations')).code, 64, 'not both');
  assert.equal((await varco('trust', 'add', '--env', 'test', '--file', rootFile, '--org', 'org_nope')).code, 64, 'an unknown organisation');
  const added = await varco('trust', 'add', '--env', 'test', '--file', rootFile, '--org', org, '--json');
  assert.equal(added.code, 0, added.stderr);
  const { id, organisationId } = JSON.parse(added.stdout) as { id: string; organisationId: string };
  assert.equal(organisationId, org);
  const list = await varco('trust', 'list', '--env', 'test');
  assert.match(list.stdout, new RegExp(`${id}.*${org}.*CN=CLI Root`));
  assert.equal((await varco('trust', 'add', '--env', 'test', '--file', rootFile, '--org', org)).code, 64, 'already trusted');
  assert.equal((await varco('trust', 'remove', id)).code, 0);
  assert.match((await varco('trust', 'list', '--env', 'test')).stdout, /No CAs authorised/);
  const again = await varco('trust', 'add', '--env', 'test', '--file', rootFile, '--all-organisations');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Trusted in test for every organisation: CN=CLI Root/);
  assert.match((await varco('trust', 'list', '--env', 'test')).stdout, /all organisations\s+CN=CLI Root/);
  assert.equal((await varco('trust', 'list', '--env', 'staging')).code, 64);
});

test('station add refuses bad input with each problem, then registers, lists, approves', async () => {
  const bad = await varco(
    'station',
    'add',
    '--org',
    org,
    '--env',
    'test',
    '--code',
    'CLI_01',
    '--url',
    'http://localhost/node',
    '--ip',
    '127.0.0.1',
    '--port',
    '99999',
  );
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /primary: The service URL must use https/);
  assert.match(bad.stderr, /primary: The port must be a whole number from 1 to 65535/);

  const added = await varco(
    'station',
    'add',
    '--org',
    org,
    '--env',
    'test',
    '--code',
    'CLI_01',
    '--url',
    primary.url('/node'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(primary.port),
    '--secondary-url',
    secondary.url('/node'),
    '--secondary-ip',
    '127.0.0.1',
    '--secondary-port',
    String(secondary.port),
  );
  assert.equal(added.code, 0, added.stderr);
  assert.match((await varco('station', 'list', '--org', org)).stdout, /CLI_01\s+to_check/);
  assert.equal((await varco('station', 'request-changes', 'CLI_01', '--env', 'test')).code, 64, '--note is required');
  const approved = await varco('station', 'approve', 'cli_01', '--env', 'test');
  assert.equal(approved.code, 0, approved.stderr);
  const listed = JSON.parse((await varco('station', 'list', '--env', 'test', '--json')).stdout) as Array<{ code: string; review: string }>;
  assert.deepEqual(
    listed.map((s) => [s.code, s.review]),
    [['CLI_01', 'approved']],
  );
  assert.equal((await varco('station', 'approve', 'CLI_01', '--env', 'test')).code, 64, 'nothing waits for review');
  assert.equal((await varco('station', 'verify', 'NOPE', '--env', 'test')).code, 64);
});

test('station verify prints every step for primary and secondary and exits non-zero until both directions work', async () => {
  const first = await varco('station', 'verify', 'CLI_01', '--env', 'test');
  assert.equal(first.code, 1, first.stderr);
  for (const role of ['primary', 'secondary']) assert.match(first.stdout, new RegExp(`${role} https://localhost:\\d+/node -> 127\\.0\\.0\\.1:\\d+: PASS`));
  for (const step of ['dns', 'tcp', 'tls_version', 'server_certificate', 'client_certificate_accepted', 'probe', 'client_certificate_required']) {
    assert.equal(first.stdout.match(new RegExp(`PASS ${step}\\s`, 'g'))?.length, 2, `${step} passed twice:\n${first.stdout}`);
  }
  assert.match(first.stdout, /inbound GET \/api\/v1\/ping: FAIL/);

  const keys = await issueKeys(services, org, 'node', 'test');
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': keys.primary } })).statusCode, 200);
  await services.keyVerifier.flush();
  const second = await varco('station', 'verify', 'CLI_01', '--env', 'test', '--json');
  assert.equal(second.code, 0, second.stdout + second.stderr);
  const json = JSON.parse(second.stdout) as {
    verified: boolean;
    state: string;
    outbound: { endpoints: Array<{ role: string; steps: Array<{ step: string; status: string }> }> };
  };
  assert.equal(json.verified, true);
  assert.equal(json.state, 'verified');
  assert.deepEqual(
    json.outbound.endpoints.map((e) => [e.role, e.steps.every((s) => s.status === 'passed')]),
    [
      ['primary', true],
      ['secondary', true],
    ],
  );
});

test('station add refuses another organisation\u2019s host unless the operator allows sharing (--allow-shared-host); share-host decides for an existing station', async () => {
  const other = await createOrganisation(database.db, 'Altra Banca Riga di Comando');
  const add = (code: string, ...extra: string[]) =>
    varco(
      'station',
      'add',
      '--org',
      other,
      '--env',
      'test',
      '--code',
      code,
      '--url',
      primary.url('/other'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(primary.port),
      ...extra,
    );
  const refused = await add('CLI_OTHER');
  assert.equal(refused.code, 64);
  assert.match(refused.stderr, /primary: Another organisation has registered a station at this host in this environment/);
  const allowed = await add('CLI_OTHER', '--allow-shared-host');
  assert.equal(allowed.code, 0, allowed.stderr);
  const shared = await varco('station', 'share-host', 'CLI_01', '--env', 'test');
  assert.equal(shared.code, 0, shared.stderr);
  assert.match(shared.stdout, /may share its hosts/);
  assert.equal((await varco('station', 'share-host', 'CLI_01', '--env', 'test', '--revoke')).code, 0);
  const id = (await database.db.selectFrom('stations').select('id').where('code', '=', 'CLI_01').executeTakeFirstOrThrow()).id;
  const actions = await database.db
    .selectFrom('audit_log')
    .select(['action', 'actor_type'])
    .where('subject_id', '=', id)
    .where('action', 'like', 'station.shared_host%')
    .orderBy('seq')
    .execute();
  assert.deepEqual(actions, [
    { action: 'station.shared_host_allowed', actor_type: 'cli' },
    { action: 'station.shared_host_revoked', actor_type: 'cli' },
  ]);
});
