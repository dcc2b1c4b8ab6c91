import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { Browser, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { makeServerPki, startPeer } from '../support/tls-peers.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';
import { endpoint } from './support.ts';

// Issue 10's "done when": without VARCO_OUTBOUND_ALLOW_CIDRS, private addresses in every spelling
// are refused as station addresses — through the service, the portal and the CLI — and an address
// already stored is judged again in the connector, so nothing is opened to it.

const NO_ALLOWLIST = { VARCO_OUTBOUND_ALLOW_CIDRS: '' };
const { app, config, services, database } = await buildTestApp({ env: NO_ALLOWLIST });
const db = database.db;
const CLI: StationActor = { type: 'cli', id: null, ip: null };
const org = await createOrganisation(db, 'Banca Indirizzi');
const referent = await createReferent(db, org, ['node'], 'it');
const asReferent: StationActor = { type: 'referent', id: referent.id, ip: null, organisationId: org };

const SPELLINGS = [
  '127.0.0.1',
  '127.1',
  '0x7f000001',
  '2130706433',
  '0177.0.0.1',
  '0::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::127.0.0.1',
  '::1',
  '10.0.0.1',
  '192.168.1.1',
  '172.16.0.1',
  '169.254.169.254',
  '100.64.0.1',
  '0.0.0.0',
  'fd00::1',
  'fe80::1',
  'fec0::1',
  '64:ff9b::7f00:1',
  '2002:7f00:1::1',
  '192.0.2.1',
];

test('the service refuses every spelling of a non-public address, in test and in prod, for referents and operators alike', async () => {
  assert.deepEqual(config.outboundAllowCidrs, []);
  assert.ok(SPELLINGS.length >= 10);
  for (const [i, ip] of SPELLINGS.entries()) {
    for (const [env, actor] of [
      ['test', asReferent],
      ['prod', CLI],
    ] as const) {
      const outcome = await services.stations.register(
        org,
        env,
        {
          code: `ADDR_${env}_${i}`,
          primary: endpoint('https://pa.indirizzi.example/node', ip, 443),
          secondary: endpoint('https://dr.indirizzi.example/node', ip, 443),
        },
        actor,
      );
      assert.deepEqual(
        outcome.ok ? [] : outcome.problems,
        [
          { field: 'primary', problem: 'ip_not_public' },
          { field: 'secondary', problem: 'ip_not_public' },
        ],
        `${env} ${ip}`,
      );
    }
  }
  assert.deepEqual(await db.selectFrom('stations').select('id').execute(), [], 'nothing was registered');
  assert.ok(
    (
      await services.stations.register(
        org,
        'test',
        { code: 'ADDR_PUBLIC', primary: endpoint('https://pa.indirizzi.example/node', '93.184.215.40', 443) },
        asReferent,
      )
    ).ok,
  );
});

test('the portal refuses them beside the field, in the referent\u2019s language', async () => {
  const portal = await new Browser(app, 'portal').signIn(referent.email);
  for (const [i, ip] of SPELLINGS.entries()) {
    const page = await portal.post('/portal/stations', {
      code: `PORTAL_${i}`,
      environment: 'test',
      primaryUrl: 'https://pa.portale.example/node',
      primaryIp: ip,
      primaryPort: '443',
      secondaryUrl: '',
      secondaryIp: '',
      secondaryPort: '',
    });
    assert.equal(page.statusCode, 400, ip);
    assert.match(page.body, /L\u2019indirizzo IP deve essere pubblico/, ip);
  }
});

test('the CLI refuses them and exits 64', async () => {
  const env = { DATABASE_URL: database.url, VARCO_DATA_DIR: config.dataDir, ...NO_ALLOWLIST };
  // In-process, so every spelling (a process each made only ten affordable).
  for (const [i, ip] of SPELLINGS.entries()) {
    const result = await runCliInProcess(
      ['station', 'add', '--org', org, '--env', 'prod', '--code', `CLI_${i}`, '--url', 'https://pa.cli.example/node', '--ip', ip, '--port', '443'],
      env,
    );
    assert.equal(result.code, 64, `${ip}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /primary: The IP address must be public/, ip);
  }
  const removed = await runCliInProcess(
    [
      'station',
      'add',
      '--org',
      org,
      '--env',
      'prod',
      '--code',
      'CLI_X',
      '--url',
      'https://pa.cli.example/node',
      '--ip',
      '8.8.8.8',
      '--port',
      '443',
      '--allow-private-ip',
    ],
    env,
  );
  assert.equal(removed.code, 64, 'the per-station exception is gone');
  assert.match(removed.stderr, /allow-private-ip/);
});

test('an address stored before the rule (or allowed by an earlier VARCO_OUTBOUND_ALLOW_CIDRS) is refused in the connector: nothing is opened', async () => {
  const pki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Indirizzi Root' });
  assert.ok((await services.trust.add('test', pki.root.certPem, { organisationId: org }, CLI)).ok);
  const peer = await startPeer({ leaf: pki.leaf, clientCas: [(await services.platformCertificates.downloads('test')).caPem] });
  const created = await services.stations.register(org, 'test', { code: 'ADDR_OLD', primary: endpoint(peer.url('/node'), '93.184.215.41', peer.port) }, CLI);
  assert.ok(created.ok);
  assert.ok((await services.stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
  // As a version registered by the old code with a private IP (or under a wider allowlist) would be.
  await db.updateTable('station_versions').set({ primary_ip: '127.0.0.1' }).where('id', '=', created.value.versionId).execute();

  const checked = await services.verification.verify(created.value.id, 'admin');
  assert.ok(checked.ok);
  const tcp = checked.value.result.outbound.endpoints[0]?.steps.find((s) => s.step === 'tcp');
  assert.equal(tcp?.status, 'failed');
  assert.match(tcp?.message ?? '', /Varco did not connect to localhost at 127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/);
  assert.equal(checked.value.state, 'failing');
  const called = await services.stationCaller.send({ organisationId: org, env: 'test', stationId: created.value.id }, { method: 'POST', body: '{}' });
  assert.ok(called.ok);
  assert.deepEqual(called.value.kind === 'failure' ? [called.value.category, called.value.code] : [], ['unreachable', 'destination_forbidden']);
  assert.equal(peer.secureConnections, 0, 'the peer never saw a connection');
});
