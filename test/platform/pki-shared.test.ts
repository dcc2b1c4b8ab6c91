import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestApp, testConfig, testServices } from '../support/app.ts';
import { CLI, createOrganisation } from '../support/subscriptions.ts';
import { makeServerPki, startPeer } from '../support/tls-peers.ts';
import { endpoint } from '../stations/support.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { splitPemChain } from '../../src/pki/index.ts';

// Issue 12: two Varco instances with their own data directories on one database (same master key)
// present ONE platform client certificate, from ONE platform CA, to a station that requires mutual
// TLS; a rotation published and activated through one is what the other presents at its next call.
// Before the platform module each instance made its own CA in its data/pki: the second instance's
// handshake was refused by a station trusting the first one's CA.

const a = await buildTestApp();
const db = a.database.db;
const configB = await testConfig({ DATABASE_URL: a.database.url });
const dbB = createKysely(createPool(a.database.url, 3));
after(() => dbB.destroy());
const b = testServices({ config: configB, db: dbB, clock: systemClock, masterKey: a.masterKey, audit: a.audit });
after(() => b.stationCaller.close());

const fingerprint = (pem: string | undefined): string => new X509Certificate(splitPemChain(pem ?? '')[0] ?? '').fingerprint256;
const org = await createOrganisation(db, 'Banca Due Istanze');
const serverPki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Two Instances Root' });
assert.ok((await a.services.trust.add('test', serverPki.root.certPem, { organisationId: org }, CLI)).ok);
// The station trusts the platform CA as instance A publishes it (what its operator downloaded).
const peer = await startPeer({ leaf: serverPki.leaf, clientCas: [(await a.services.platformCertificates.downloads('test')).caPem] });
const created = await a.services.stations.register(org, 'test', { code: 'TWO_INST', primary: endpoint(peer.url('/node'), '127.0.0.1', peer.port) }, CLI);
assert.ok(created.ok, JSON.stringify(created));
assert.ok((await a.services.stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
const stationId = created.value.id;

test('two instances with their own data directories present the same client certificate to a mutual-TLS station', async () => {
  assert.notEqual(configB.dataDir, a.config.dataDir);
  const target = { organisationId: org, env: 'test' as const, stationId };
  const viaA = await a.services.stationCaller.send(target, { method: 'GET' });
  const viaB = await b.stationCaller.send(target, { method: 'GET' });
  assert.ok(viaA.ok && viaA.value.kind === 'response' && viaA.value.status === 200, JSON.stringify(viaA));
  assert.ok(viaB.ok && viaB.value.kind === 'response' && viaB.value.status === 200, `instance B was refused by the station: ${JSON.stringify(viaB)}`);
  assert.equal(peer.requests.length, 2);
  const [seenA, seenB] = peer.requests.map((r) => fingerprint(r.clientCertificatePem));
  assert.equal(seenA, seenB, 'one client certificate for both instances');
  const [downloadsA, downloadsB] = [await a.services.platformCertificates.downloads('test'), await b.platformCertificates.downloads('test')];
  assert.equal(seenA, fingerprint(downloadsA.current.chainPem));
  assert.equal(downloadsB.caPem, downloadsA.caPem);
  assert.equal(downloadsB.current.chainPem, downloadsA.current.chainPem);
  assert.equal((await b.platformCertificates.downloads('prod')).caPem, (await a.services.platformCertificates.downloads('prod')).caPem);
  // Nothing of the platform PKI on either disk.
  for (const dir of [a.config.dataDir, configB.dataDir]) assert.ok(!existsSync(join(dir, 'pki', 'test')), `${dir}/pki/test exists`);
});

test('a client certificate published and activated on one instance is presented by the other at its next call', async () => {
  const before = fingerprint((await b.platformCertificates.downloads('test')).current.chainPem);
  const published = await a.services.platformCertificates.rotate('test', CLI);
  assert.equal(published.created, true);
  // B offers the next certificate for download at once, and does not present it yet.
  const offered = (await b.platformCertificates.downloads('test')).next;
  assert.equal(offered?.info.fingerprintSha256, published.info.fingerprintSha256);
  assert.ok((await b.verification.verify(stationId, 'cli')).ok);
  assert.equal(fingerprint(peer.requests.at(-1)?.clientCertificatePem), before);
  // Rotating again on B returns what A published: one next certificate for everybody.
  const again = await b.platformCertificates.rotate('test', CLI);
  assert.deepEqual([again.created, again.info.fingerprintSha256], [false, published.info.fingerprintSha256]);

  const activated = await a.services.platformCertificates.activate('test', CLI);
  assert.equal(activated.info.fingerprintSha256, published.info.fingerprintSha256);
  const outcome = await b.verification.verify(stationId, 'cli');
  assert.ok(outcome.ok && outcome.value.result.outbound.ok, 'the station accepts it: same platform CA');
  assert.equal(fingerprint(peer.requests.at(-1)?.clientCertificatePem).replace(/:/g, ''), published.info.fingerprintSha256.replace(/:/g, ''));
  const downloadsB = await b.platformCertificates.downloads('test');
  assert.equal(downloadsB.current.info.fingerprintSha256, published.info.fingerprintSha256);
  assert.equal(downloadsB.next, undefined);
  await assert.rejects(b.platformCertificates.activate('test', CLI), /no next test client certificate is waiting/);
});
