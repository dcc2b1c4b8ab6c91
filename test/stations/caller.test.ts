import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { buildTestApp } from '../support/app.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { makeServerPki, startPeer, type Peer } from '../support/tls-peers.ts';
import { splitPemChain } from '../../src/pki/index.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';
import { endpoint } from './support.ts';

// The station caller: the one path that presents Varco's client certificate. Only to the approved
// version of a station of the organisation the call is for, at the reviewed addresses, with
// failover to the secondary; anything else is refused before a connection is opened.

const { services, database } = await buildTestApp();
const { stations, stationCaller } = services;
const db = database.db;
const CLI: StationActor = { type: 'cli', id: null, ip: null };
const [orgA, orgB] = [await createOrganisation(db, 'Banca Chiamata A'), await createOrganisation(db, 'Banca Chiamata B')];
const pki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Caller Root' });
assert.ok((await services.trust.add('test', pki.root.certPem, { organisationId: orgA }, CLI)).ok);
const platform = await services.platformCertificates.downloads('test');
const fingerprint = (pem: string | undefined): string => new X509Certificate(splitPemChain(pem ?? '')[0] ?? '').fingerprint256;
const peer = (reply?: Parameters<typeof startPeer>[0]['reply']): Promise<Peer> =>
  startPeer({ leaf: pki.leaf, clientCas: [platform.caPem], ...(reply ? { reply } : {}) });

async function approved(code: string, primary: Peer, secondary?: Peer): Promise<{ id: string; versionId: string }> {
  const created = await stations.register(
    orgA,
    'test',
    {
      code,
      primary: endpoint(primary.url('/node'), '127.0.0.1', primary.port),
      ...(secondary ? { secondary: endpoint(secondary.url('/node'), '127.0.0.1', secondary.port) } : {}),
    },
    CLI,
    { allowSharedHost: true },
  );
  assert.ok(created.ok, JSON.stringify(created));
  assert.ok((await stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
  return created.value;
}

test('calls an approved station of the organisation with Varco\u2019s client certificate, on the station\u2019s path unless told', async () => {
  const primary = await peer((request) => ({ status: 202, body: `seen ${request.url}` }));
  const { id } = await approved('CALL_1', primary);
  const sent = await stationCaller.send(
    { organisationId: orgA, env: 'test', stationId: id },
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' },
  );
  assert.ok(sent.ok);
  assert.equal(sent.value.kind === 'response' && sent.value.body, 'seen /node');
  assert.equal(fingerprint(primary.requests[0]?.clientCertificatePem), fingerprint(platform.current.chainPem));
  const other = await stationCaller.send({ organisationId: orgA, env: 'test', stationId: id }, { method: 'GET', path: '/node/status?x=1' });
  assert.equal(other.ok && other.value.kind === 'response' && other.value.status, 202);
  assert.equal(primary.requests[1]?.url, '/node/status?x=1');
});

test('refuses another organisation\u2019s station, another environment, an unknown id and a station with nothing approved, connecting to nothing', async () => {
  const target = await peer();
  const { id } = await approved('CALL_2', target);
  assert.deepEqual(await stationCaller.send({ organisationId: orgB, env: 'test', stationId: id }, { method: 'GET' }), { ok: false, reason: 'not_found' });
  assert.deepEqual(await stationCaller.send({ organisationId: orgA, env: 'prod', stationId: id }, { method: 'GET' }), { ok: false, reason: 'not_found' });
  assert.deepEqual(await stationCaller.send({ organisationId: orgA, env: 'test', stationId: 'sta_nope' }, { method: 'GET' }), {
    ok: false,
    reason: 'not_found',
  });
  const pending = await stations.register(orgA, 'test', { code: 'CALL_3', primary: endpoint(target.url('/node'), '127.0.0.1', target.port) }, CLI, {
    allowSharedHost: true,
  });
  assert.ok(pending.ok);
  assert.deepEqual(await stationCaller.send({ organisationId: orgA, env: 'test', stationId: pending.value.id }, { method: 'GET' }), {
    ok: false,
    reason: 'not_approved',
  });
  assert.equal(target.secureConnections, 0);
});

test('calls the reviewed addresses: an edit waiting for review is not used until approved', async () => {
  const [reviewed, submitted] = [await peer(), await peer()];
  const { id } = await approved('CALL_4', reviewed);
  assert.ok((await stations.edit(id, { primary: endpoint(submitted.url('/node'), '127.0.0.1', submitted.port) }, CLI)).ok);
  assert.ok((await stationCaller.send({ organisationId: orgA, env: 'test', stationId: id }, { method: 'GET' })).ok);
  assert.deepEqual([reviewed.requests.length, submitted.secureConnections], [1, 0]);
  assert.ok((await stations.reviewStation(id, 'approve', '', CLI)).ok);
  assert.ok((await stationCaller.send({ organisationId: orgA, env: 'test', stationId: id }, { method: 'GET' })).ok);
  assert.deepEqual([reviewed.requests.length, submitted.requests.length], [1, 1]);
});

test('fails over to the secondary, and takes this call\u2019s timeouts when given', async () => {
  const [primary, secondary] = [await peer(), await peer()];
  const { id } = await approved('CALL_5', primary, secondary);
  await primary.stop();
  const sent = await stationCaller.send({ organisationId: orgA, env: 'test', stationId: id }, { method: 'POST', body: 'a' });
  assert.equal(sent.ok && sent.value.kind === 'response' && sent.value.endpoint, 'secondary');
  const silent = await peer(() => undefined);
  const slow = await approved('CALL_6', silent);
  const started = Date.now();
  const timedOut = await stationCaller.send({ organisationId: orgA, env: 'test', stationId: slow.id, responseTimeoutMs: 300 }, { method: 'GET' });
  assert.equal(timedOut.ok && timedOut.value.kind === 'failure' && timedOut.value.code, 'response_timeout');
  assert.ok(Date.now() - started < 3000, 'the station\u2019s 7 s default was not used');
  await assert.rejects(stationCaller.send({ organisationId: orgA, env: 'test', stationId: slow.id, responseTimeoutMs: 5 }, { method: 'GET' }), {
    code: 'validation_failed',
  });
});
