import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { createAdmin, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { makeServerPki, startPeer, type Peer, type ServerPkiMaterial } from '../support/tls-peers.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';
import { parseCheckResult } from '../../src/modules/stations/index.ts';
import { auditActions, endpoint, mailsTo } from './support.ts';

// Two-way verification of stations against real HTTPS peers on loopback: the peer requires a
// client certificate issued by Varco's (per-test) development CA; its own certificate comes from a
// CA an administrator authorised for `test`. Inbound is the organisation's GET /api/v1/ping.

const { app, services, database } = await buildTestApp();
const { stations, verification, trust, platformCertificates } = services;
const db = database.db;
await createAdmin(services);
const CLI: StationActor = { type: 'cli', id: null, ip: null };

const org = await createOrganisation(db, 'Banca Verifica');
const referent = await createReferent(db, org, ['node']);
const other = await createOrganisation(db, 'Altra Banca');
const varcoClientCa = (await platformCertificates.downloads('test')).caPem;
const pki: ServerPkiMaterial = await makeServerPki({
  commonName: 'localhost',
  altNames: ['localhost'],
  rootName: 'Org Test Root',
  intermediateName: 'Org Test Issuing CA',
});
assert.ok((await trust.add('test', pki.root.certPem, { organisationId: org }, CLI)).ok);

const peerFor = (material: ServerPkiMaterial = pki): Promise<Peer> =>
  startPeer({ leaf: material.leaf, chain: material.intermediate ? [material.intermediate] : [], clientCas: [varcoClientCa] });

async function approvedStation(code: string, primary: Peer, secondary?: Peer): Promise<string> {
  const created = await stations.register(
    org,
    'test',
    {
      code,
      primary: endpoint(primary.url('/node'), primary.host, primary.port),
      ...(secondary ? { secondary: endpoint(secondary.url('/node'), secondary.host, secondary.port) } : {}),
    },
    CLI,
  );
  assert.ok(created.ok, JSON.stringify(created));
  await stations.configure(created.value.id, { connectTimeoutMs: 2000, responseTimeoutMs: 2000 }, CLI);
  assert.ok((await stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
  return created.value.id;
}

async function ping(): Promise<void> {
  const keys = await issueKeys(services, org, 'node', 'test');
  const response = await app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': keys.primary } });
  assert.equal(response.statusCode, 200);
  await services.keyVerifier.flush();
}

test('every step of the primary and the secondary passes; without an inbound ping the station is not yet verified', async () => {
  const primary = await peerFor();
  const secondary = await peerFor();
  const id = await approvedStation('VER_01', primary, secondary);
  const outcome = await verification.verify(id, 'portal', { organisationId: org });
  assert.ok(outcome.ok);
  const { result } = outcome.value;
  assert.equal(result.outbound.ok, true);
  assert.deepEqual(
    result.outbound.endpoints.map((e) => e.role),
    ['primary', 'secondary'],
  );
  for (const e of result.outbound.endpoints) {
    assert.deepEqual(
      e.steps.map((s) => [s.step, s.status]),
      [
        ['dns', 'passed'],
        ['tcp', 'passed'],
        ['tls_version', 'passed'],
        ['server_certificate', 'passed'],
        ['client_certificate_accepted', 'passed'],
        ['probe', 'passed'],
        ['client_certificate_required', 'passed'],
      ],
      e.role,
    );
    assert.ok(e.steps.every((s) => s.durationMs >= 0 && s.message.length > 0));
    assert.equal(e.serverCertificate?.fingerprintSha256, pki.leaf.fingerprint256);
    assert.ok(!Number.isNaN(Date.parse(e.serverCertificate?.notAfter ?? '')));
  }
  assert.equal(primary.requests.length, 1, 'the probe reached the primary');
  assert.equal(secondary.requests.length, 1, 'and the secondary');
  assert.deepEqual(result.inbound, { ok: false, lastPingAt: null });
  assert.equal(outcome.value.ok, false);
  assert.equal(outcome.value.state, 'failing');

  const stored = await db.selectFrom('station_checks').selectAll().where('id', '=', outcome.value.checkId).executeTakeFirstOrThrow();
  assert.equal(stored.trigger, 'portal');
  assert.equal(stored.ok, false);
  assert.deepEqual(parseCheckResult(stored.result), result);
  const row = await db.selectFrom('stations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.ok(row.outbound_verified_at instanceof Date, 'outbound succeeded');
  assert.equal(row.flagged_at, null, 'a station that was never verified is not flagged');

  await ping();
  const again = await verification.verify(id, 'admin');
  assert.ok(again.ok);
  assert.equal(again.value.state, 'verified');
  assert.equal(again.value.result.inbound.ok, true);
  assert.ok(again.value.result.inbound.lastPingAt);
  assert.deepEqual(await auditActions(db, id), [
    'station.registered',
    'station.configured',
    'station.approved',
    'station.connection_failing',
    'station.connection_verified',
  ]);
});

test('a verified station that stops answering is flagged and its organisation e-mailed once; answering again clears the flag', async () => {
  await ping();
  const primary = await peerFor();
  const id = await approvedStation('VER_02', primary);
  assert.equal(
    (await verification.verify(id, 'schedule')).ok &&
      (await db.selectFrom('stations').select('connection_state').where('id', '=', id).executeTakeFirstOrThrow()).connection_state,
    'verified',
  );
  await primary.stop();
  const down = await verification.verify(id, 'schedule');
  assert.ok(down.ok);
  assert.equal(down.value.state, 'failing');
  const tcp = down.value.result.outbound.endpoints[0]?.steps.find((s) => s.step === 'tcp');
  assert.equal(tcp?.status, 'failed');
  assert.match(tcp?.fix ?? '', /listens on 127\.0\.0\.1/);
  const flagged = await db.selectFrom('stations').select('flagged_at').where('id', '=', id).executeTakeFirstOrThrow();
  assert.ok(flagged.flagged_at instanceof Date);
  const mails = await mailsTo(db, { template: 'station_unreachable', to: referent.email });
  assert.equal(mails.length, 1);
  assert.equal(mails[0]?.params.stationCode, 'VER_02');
  assert.match(mails[0]?.params.failedSteps ?? '', /primary tcp/);

  assert.ok((await verification.verify(id, 'schedule')).ok);
  assert.equal((await mailsTo(db, { template: 'station_unreachable', to: referent.email })).length, 1, 'still failing: no second e-mail');

  await primary.start();
  const back = await verification.verify(id, 'schedule');
  assert.ok(back.ok);
  assert.equal(back.value.state, 'verified');
  assert.equal((await db.selectFrom('stations').select('flagged_at').where('id', '=', id).executeTakeFirstOrThrow()).flagged_at, null);
  assert.deepEqual((await auditActions(db, id)).slice(-2), ['station.flagged', 'station.connection_verified']);
});

test('a certificate from a CA nobody authorised fails the server certificate step with what to do', async () => {
  const foreign = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Unauthorised Root' });
  const peer = await peerFor(foreign);
  const id = await approvedStation('VER_03', peer);
  const outcome = await verification.verify(id, 'cli');
  assert.ok(outcome.ok);
  const certificate = outcome.value.result.outbound.endpoints[0]?.steps.find((s) => s.step === 'server_certificate');
  assert.equal(certificate?.status, 'failed');
  assert.match(certificate?.message ?? '', /Unauthorised Root/);
  assert.match(certificate?.fix ?? '', /authorise/);
  assert.equal(peer.requests.length, 0, 'no probe to an endpoint that failed its checks');
});

test('only approved stations can be verified, and only by their own organisation', async () => {
  const created = await stations.register(org, 'test', { code: 'VER_04', primary: endpoint('https://localhost/node', '127.0.0.1', 443) }, CLI);
  assert.ok(created.ok);
  assert.deepEqual(await verification.verify(created.value.id, 'portal', { organisationId: org }), { ok: false, reason: 'not_approved' });
  const peer = await peerFor();
  const id = await approvedStation('VER_05', peer);
  assert.deepEqual(await verification.verify(id, 'portal', { organisationId: other }), { ok: false, reason: 'not_found' });
  assert.equal(peer.requests.length, 0);
});

test('inbound counts only pings in the station\u2019s environment, from the station\u2019s organisation', async () => {
  const keys = await issueKeys(services, other, 'node', 'prod');
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': keys.primary } })).statusCode, 200);
  await services.keyVerifier.flush();
  assert.equal(await verification.inboundVerifiedAt(other, 'test'), null, 'a prod ping does not verify test');
  assert.ok((await verification.inboundVerifiedAt(other, 'prod')) instanceof Date);
  assert.ok((await verification.inboundVerifiedAt(org, 'test')) instanceof Date, 'the earlier tests pinged in test');
  assert.equal(await verification.inboundVerifiedAt(org, 'prod'), null);
});

test('the version under review can be checked before approval; its check does not change the connection state', async () => {
  const peer = await peerFor();
  const created = await stations.register(org, 'test', { code: 'VER_PENDING', primary: endpoint(peer.url('/node'), peer.host, peer.port) }, CLI);
  assert.ok(created.ok);
  await stations.configure(created.value.id, { connectTimeoutMs: 2000, responseTimeoutMs: 2000 }, CLI);
  const checked = await verification.verify(created.value.id, 'admin', {}, 'pending');
  assert.ok(checked.ok, JSON.stringify(checked));
  const steps = checked.value.result.outbound.endpoints[0]?.steps ?? [];
  assert.ok(
    steps.some((s) => s.step === 'server_certificate' && s.ok),
    'the server certificate was checked at registration',
  );
  const row = await db.selectFrom('stations').select(['connection_state', 'approved_version_id']).where('id', '=', created.value.id).executeTakeFirstOrThrow();
  assert.deepEqual(row, { connection_state: 'unverified', approved_version_id: null });
  const stored = await db.selectFrom('station_checks').select('version_id').where('station_id', '=', created.value.id).execute();
  assert.equal(stored.length, 1);
  assert.ok(stored[0]?.version_id);
});

test('a station that does not require Varco\u2019s client certificate never becomes connection verified, whatever else passes', async () => {
  await ping();
  const lenient = await startPeer({ leaf: pki.leaf, chain: [pki.intermediate!], requestCert: false, rejectUnauthorized: false });
  const id = await approvedStation('VER_LENIENT', lenient);
  const outcome = await verification.verify(id, 'admin');
  assert.ok(outcome.ok);
  assert.equal(outcome.value.result.inbound.ok, true);
  const steps = outcome.value.result.outbound.endpoints[0]?.steps ?? [];
  assert.deepEqual(
    steps.filter((s) => !s.ok).map((s) => [s.step, s.code]),
    [['client_certificate_required', 'certificate_not_required']],
  );
  assert.equal(outcome.value.state, 'failing');
  assert.equal((await db.selectFrom('stations').select('connection_state').where('id', '=', id).executeTakeFirstOrThrow()).connection_state, 'failing');
});
