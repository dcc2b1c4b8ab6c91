import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, testConfig, testServices } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { makeServerPki, startPeer, type Peer } from '../support/tls-peers.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';
import { endpoint } from './support.ts';

// The portal may make Varco connect only to reviewed addresses, and only a few times a minute per
// station: submitting a version calls nothing, a version under review is the administrator's to
// check, and the limit is kept in PostgreSQL so it holds across Varco instances.

let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
const { app, services, database, audit, masterKey } = await buildTestApp({ clock });
const db = database.db;
const CLI: StationActor = { type: 'cli', id: null, ip: null };
const admin = await createAdmin(services);
const org = await createOrganisation(db, 'Banca Portale');
const referent = await createReferent(db, org, ['node']);
const referentIt = await createReferent(db, org, ['node'], 'it');
const pki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Portale Root' });
assert.ok((await services.trust.add('test', pki.root.certPem, { organisationId: org }, CLI)).ok);
const clientCas = [(await services.platformCertificates.downloads('test')).caPem];
const portal = await new Browser(app, 'portal').signIn(referent.email);
const form = (code: string, peer: Peer) => ({
  code,
  environment: 'test',
  primaryUrl: peer.url('/node'),
  primaryIp: '127.0.0.1',
  primaryPort: String(peer.port),
  secondaryUrl: '',
  secondaryIp: '',
  secondaryPort: '',
});
const checksOf = (stationId: string) =>
  db.selectFrom('station_checks').select(['trigger', 'version_id']).where('station_id', '=', stationId).orderBy('started_at').execute();
const stationIdFrom = (location: unknown): string => String(location).split('?')[0]?.split('/').pop() ?? '';

test('registering and editing in the portal connects to nothing: the submitted addresses are not reviewed yet', async () => {
  const peer = await startPeer({ leaf: pki.leaf, clientCas });
  const created = await portal.post('/portal/stations', form('PORTAL_V1', peer));
  assert.equal(created.statusCode, 303, created.body);
  const id = stationIdFrom(created.headers.location);
  assert.equal((await portal.post(`/portal/stations/${id}/edit`, form('PORTAL_V1', peer))).statusCode, 303);
  await new Promise((done) => setTimeout(done, 300));
  assert.equal(peer.secureConnections, 0);
  assert.deepEqual(await checksOf(id), []);
  const page = await portal.get(`/portal/stations/${id}`);
  assert.doesNotMatch(page.body, /id="verify-pending"/, 'no button to check the version under review');
  // Even asked directly, the portal verifies only an approved version.
  assert.equal((await portal.post(`/portal/stations/${id}/verify?version=pending`)).statusCode, 409);
  assert.equal(peer.secureConnections, 0);
  // The administrator may check the version under review before approving it.
  const backOffice = await new Browser(app, 'admin').signIn(admin.email);
  assert.match((await backOffice.get(`/admin/stations/${id}`)).body, /id="verify-pending"/);
  const checked = await backOffice.post(`/admin/stations/${id}/verify?version=pending`);
  assert.equal(checked.statusCode, 303);
  assert.match(String(checked.headers.location), /#pending-check$/);
  // The reviewer sees every step of the version under review, not only its verdict.
  const reviewed = await backOffice.get(String(checked.headers.location).replace(/#.*$/, ''));
  const pendingCheck = /<div id="pending-check"[\s\S]*?<\/div>/.exec(reviewed.body)?.[0] ?? '';
  assert.match(pendingCheck, /data-role="primary"/);
  assert.match(pendingCheck, /data-step="tls_version" data-status="\w+"/);
  assert.deepEqual(
    (await checksOf(id)).map((c) => c.trigger),
    ['admin'],
  );
  assert.ok(peer.secureConnections > 0);
});

test('with an approved version and a change under review, the portal verifies the approved one', async () => {
  const approvedPeer = await startPeer({ leaf: pki.leaf, clientCas });
  const pendingPeer = await startPeer({ leaf: pki.leaf, clientCas });
  const created = await services.stations.register(
    org,
    'test',
    { code: 'PORTAL_V2', primary: endpoint(approvedPeer.url('/node'), '127.0.0.1', approvedPeer.port) },
    CLI,
  );
  assert.ok(created.ok);
  assert.ok((await services.stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
  assert.ok((await services.stations.edit(created.value.id, { primary: endpoint(pendingPeer.url('/node'), '127.0.0.1', pendingPeer.port) }, CLI)).ok);
  assert.equal((await portal.post(`/portal/stations/${created.value.id}/verify?version=pending`)).statusCode, 303);
  assert.deepEqual(
    (await checksOf(created.value.id)).map((c) => c.version_id),
    [created.value.versionId],
  );
  assert.equal(pendingPeer.secureConnections, 0);
  assert.ok(approvedPeer.secureConnections > 0);
});

test('at most three portal verifications a minute per station, across instances: the fourth gets 429 with a clear message', async () => {
  const peer = await startPeer({ leaf: pki.leaf, clientCas });
  const created = await services.stations.register(org, 'test', { code: 'PORTAL_V3', primary: endpoint(peer.url('/node'), '127.0.0.1', peer.port) }, CLI);
  assert.ok(created.ok);
  assert.ok((await services.stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
  const id = created.value.id;
  // A second Varco instance on the same database.
  const other = testServices({ config: await testConfig({ DATABASE_URL: database.url }), db, clock, audit, masterKey });
  assert.equal((await portal.post(`/portal/stations/${id}/verify`)).statusCode, 303);
  assert.ok((await other.verification.verify(id, 'portal', { organisationId: org })).ok);
  assert.equal((await portal.post(`/portal/stations/${id}/verify`)).statusCode, 303);
  const limited = await portal.post(`/portal/stations/${id}/verify`);
  assert.equal(limited.statusCode, 429);
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, String(limited.headers['retry-after']));
  assert.match(limited.body, new RegExp(`verified several times in the last minute\\. Try again in ${retryAfter} seconds`));
  const otherInstance = await other.verification.verify(id, 'portal', { organisationId: org });
  assert.equal(otherInstance.ok === false && otherInstance.reason, 'rate_limited');
  const italian = await (await new Browser(app, 'portal').signIn(referentIt.email)).post(`/portal/stations/${id}/verify`);
  assert.equal(italian.statusCode, 429);
  assert.match(italian.body, /verificata più volte nell\u2019ultimo minuto/);
  assert.equal((await checksOf(id)).length, 3, 'the refused ones connected to nothing');
  // Administrators and the schedule are not limited; a minute later the referent may verify again.
  assert.ok((await services.verification.verify(id, 'admin')).ok);
  offsetMs = 61_000;
  assert.equal((await portal.post(`/portal/stations/${id}/verify`)).statusCode, 303);
});
