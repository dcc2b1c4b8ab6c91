import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inboundSection } from '../../src/views/stations/checks.ts';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { makeCa, makeServerPki, startPeer } from '../support/tls-peers.ts';

// The station pages of the portal and the back office, through the production app: forms with
// their messages, review, Verify with every step shown, trusted CAs, and organisation scoping.

const { app, services, database, config } = await buildTestApp();
const db = database.db;
const admin = await createAdmin(services);
const orgA = await createOrganisation(db, 'Banca Pagine');
const orgB = await createOrganisation(db, 'Altra Banca Pagine');
const refA = await createReferent(db, orgA, ['node']);
const refB = await createReferent(db, orgB, ['node'], 'it');
const portalA = await new Browser(app, 'portal').signIn(refA.email);
const portalB = await new Browser(app, 'portal').signIn(refB.email);
const backOffice = await new Browser(app, 'admin').signIn(admin.email);

const pki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Pages Root', intermediateName: 'Pages Issuing' });
const varcoClientCa = (await services.platformCertificates.downloads('test')).caPem;
assert.ok((await services.trust.add('test', pki.root.certPem, { organisationId: orgA }, { type: 'cli', id: null, ip: null })).ok);
const peer = await startPeer({ leaf: pki.leaf, chain: [pki.intermediate!], clientCas: [varcoClientCa] });
let stationId = '';

const form = (code: string, port: number | string = peer.port) => ({
  code,
  environment: 'test',
  primaryUrl: peer.url('/node'),
  primaryIp: '127.0.0.1',
  primaryPort: String(port),
  secondaryUrl: '',
  secondaryIp: '',
  secondaryPort: '',
});

test('a referent registers a station; each invalid field says what is wrong, in the referent\u2019s language', async () => {
  const list = await portalA.get('/portal/stations');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /href="\/portal\/stations\/new"/);
  assert.match((await portalA.get('/portal/stations/new')).body, /name="_csrf"/);
  const bad = await portalA.post('/portal/stations', { ...form('x', '0'), primaryUrl: 'http://10.0.0.1/node' });
  assert.equal(bad.statusCode, 400);
  for (const text of ['The station code must be', 'The service URL must use https', 'not by an IP address', 'The port must be a whole number'])
    assert.ok(bad.body.includes(text), text);
  assert.match(bad.body, /value="http:\/\/10\.0\.0\.1\/node"/, 'the form keeps what was typed');
  const badIt = await portalB.post('/portal/stations', { ...form('ok_code'), primaryPort: '70000' });
  assert.equal(badIt.statusCode, 400);
  assert.match(badIt.body, /La porta deve essere un numero intero/);

  const created = await portalA.post('/portal/stations', form('PAGES_01'));
  assert.equal(created.statusCode, 303, created.body);
  stationId = String(created.headers.location).split('?')[0]?.split('/').pop() ?? '';
  const detail = await portalA.get(String(created.headers.location));
  assert.equal(detail.statusCode, 200);
  assert.match(detail.body, /Sent for review/);
  assert.match(detail.body, /data-review>To check</);
  assert.match(detail.body, /Verification needs an approved version/);
  assert.match((await portalA.get('/portal/stations')).body, /data-station="PAGES_01"/);
});

test('another organisation\u2019s station answers 404 on every portal route', async () => {
  for (const url of [`/portal/stations/${stationId}`, `/portal/stations/${stationId}/edit`]) assert.equal((await portalB.get(url)).statusCode, 404, url);
  assert.equal((await portalB.post(`/portal/stations/${stationId}/edit`, form('PAGES_01'))).statusCode, 404);
  assert.equal((await portalB.post(`/portal/stations/${stationId}/verify`)).statusCode, 404);
  assert.doesNotMatch((await portalB.get('/portal/stations')).body, /PAGES_01/);
  assert.equal((await portalA.get('/portal/stations/sta_nonsense')).statusCode, 404);
});

/** The version the back office's review form names (the one the administrator sees). */
const reviewedVersion = async (id: string): Promise<string> =>
  /name="versionId" value="([^"]+)"/.exec((await backOffice.get(`/admin/stations/${id}`)).body)?.[1] ?? '';

test('an administrator asks for changes with a note, the referent fixes, the administrator approves', async () => {
  const toCheck = await backOffice.get('/admin/stations?filter=to_check');
  assert.match(toCheck.body, /data-station="PAGES_01"/);
  assert.match(toCheck.body, /Banca Pagine/);
  // The current filter is marked for screen readers, as an attribute, not as text.
  assert.match(toCheck.body, /<a href="\/admin\/stations\?filter=to_check" aria-current="page">/);
  assert.doesNotMatch(toCheck.body, /&quot;page&quot;/);
  // An error page in the back office leads back to the back office.
  const missing = await backOffice.get('/admin/stations/sta_nonsense');
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /<a href="\/admin">Back to the start<\/a>/);
  const versionId = await reviewedVersion(stationId);
  const noNote = await backOffice.post(`/admin/stations/${stationId}/review`, { action: 'request_changes', note: '', versionId });
  assert.equal(noNote.statusCode, 400);
  assert.match(noNote.body, /Say what must be changed/);
  assert.equal(
    (await backOffice.post(`/admin/stations/${stationId}/review`, { action: 'request_changes', note: 'Use the DR site too.', versionId })).statusCode,
    303,
  );
  const seen = await portalA.get(`/portal/stations/${stationId}`);
  assert.match(seen.body, /To fix/);
  assert.match(seen.body, /Use the DR site too\./);
  const edit = await portalA.get(`/portal/stations/${stationId}/edit`);
  assert.match(edit.body, new RegExp(`value="${peer.url('/node').replaceAll('.', '\\.')}"`), 'the edit form starts from the version under review');
  assert.equal(
    (
      await portalA.post(`/portal/stations/${stationId}/edit`, {
        ...form('PAGES_01'),
        secondaryUrl: peer.url('/node'),
        secondaryIp: '127.0.0.1',
        secondaryPort: String(peer.port),
      })
    ).statusCode,
    303,
  );
  const fixedVersion = await reviewedVersion(stationId);
  assert.equal((await backOffice.post(`/admin/stations/${stationId}/review`, { action: 'approve', note: '', versionId: fixedVersion })).statusCode, 303);
  const approved = await backOffice.get(`/admin/stations/${stationId}`);
  assert.match(approved.body, /data-review>Approved</);
  assert.doesNotMatch(approved.body, /id="approve"/, 'nothing left to review');
  assert.doesNotMatch((await backOffice.get('/admin/stations?filter=to_check')).body, /PAGES_01/);
});

test('the review form decides the version the administrator saw: an edit after the page was loaded is refused with a message, approving and asking for changes alike', async () => {
  const referent = { type: 'referent' as const, id: refA.id, ip: null, organisationId: orgA };
  const made = await services.stations.register(
    orgA,
    'test',
    { code: 'PAGES_SEEN', primary: { url: 'https://seen.pagine.example/node', ip: '93.184.215.6', port: 443 } },
    referent,
  );
  assert.ok(made.ok);
  const seen = await reviewedVersion(made.value.id);
  assert.equal(seen, made.value.versionId, 'the form names the version shown');
  // The referent swaps the address while the administrator reads the page.
  const edited = await services.stations.edit(
    made.value.id,
    { primary: { url: 'https://seen.pagine.example/node', ip: '93.184.215.7', port: 8443 } },
    referent,
  );
  assert.ok(edited.ok);
  for (const decision of [
    { action: 'approve', note: '' },
    { action: 'request_changes', note: 'Fix the port.' },
  ]) {
    const stale = await backOffice.post(`/admin/stations/${made.value.id}/review`, { ...decision, versionId: seen });
    assert.equal(stale.statusCode, 409, decision.action);
    assert.match(stale.body, /The version you reviewed is no longer waiting for a review/, decision.action);
    assert.match(stale.body, new RegExp(`name="versionId" value="${edited.value.versionId}"`), 'the form now names the version waiting');
  }
  const after = await services.stations.detail(made.value.id);
  assert.equal(after?.station.approved_version_id, null, 'the version nobody saw is not approved');
  assert.equal(after?.pending?.id, edited.value.versionId);
  assert.equal(after?.pending?.state, 'to_check');
  // A form naming no version (or another station's) is refused, never a 500.
  assert.equal((await backOffice.post(`/admin/stations/${made.value.id}/review`, { action: 'approve', note: '' })).statusCode, 400);
  assert.equal((await backOffice.post(`/admin/stations/${made.value.id}/review`, { action: 'approve', note: '', versionId: 'ver_nonsense' })).statusCode, 400);
  const otherStations = (await services.stations.detail(stationId))?.versions[0]?.id ?? '';
  assert.equal((await backOffice.post(`/admin/stations/${made.value.id}/review`, { action: 'approve', note: '', versionId: otherStations })).statusCode, 404);
  assert.equal(
    (await backOffice.post(`/admin/stations/${made.value.id}/review`, { action: 'approve', note: '', versionId: edited.value.versionId })).statusCode,
    303,
  );
  assert.equal((await services.stations.detail(made.value.id))?.station.approved_version_id, edited.value.versionId);
});

test('Verify in the portal shows every step for the primary and the secondary, and the inbound step', async () => {
  const before = await portalA.get(`/portal/stations/${stationId}`);
  assert.match(before.body, /No successful ping yet/);
  assert.match(
    before.body,
    /class="inbound-check" data-ok="false">\n<h3>[^<]*<span class="verdict verdict-skipped" data-status="skipped">/,
    'not yet done, not failed',
  );
  // The development certificate (no VARCO_TLS_CERT): the ping example trusts its CA, as the key page's does; never -k.
  const ca = join(config.dataDir, 'pki', 'server-ca.crt');
  const withCa = `<code>curl --cacert ${ca} -H "Ocp-Apim-Subscription-Key: &lt;key&gt;" ${config.publicUrl}/api/v1/ping</code>`;
  assert.ok(before.body.includes(withCa), before.body);
  assert.ok((await backOffice.get(`/admin/stations/${stationId}`)).body.includes(withCa), 'the back office shows the same command');
  const plain = inboundSection('en', { ok: false, lastPingAt: null }, { url: 'https://varco.example/api/v1/ping', caFile: undefined });
  assert.ok(
    plain.toString().includes('<code>curl -H "Ocp-Apim-Subscription-Key: &lt;key&gt;" https://varco.example/api/v1/ping</code>'),
    'an operator certificate: plain curl',
  );
  const keys = await issueKeys(services, orgA, 'node', 'test');
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': keys.primary } })).statusCode, 200);
  await services.keyVerifier.flush();
  const verified = await portalA.post(`/portal/stations/${stationId}/verify`);
  assert.equal(verified.statusCode, 303);
  const page = await portalA.get(`/portal/stations/${stationId}?verified=1`);
  for (const role of ['primary', 'secondary']) {
    const section = new RegExp(`data-role="${role}" data-ok="true"[\\s\\S]*?</section>`).exec(page.body)?.[0] ?? '';
    for (const step of ['dns', 'tcp', 'tls_version', 'server_certificate', 'client_certificate_accepted', 'probe', 'client_certificate_required']) {
      assert.match(section, new RegExp(`data-step="${step}" data-status="passed"`), `${role} ${step}`);
    }
    assert.match(section, /\d+ ms/);
  }
  assert.match(page.body, /class="inbound-check" data-ok="true"/);
  assert.match(page.body, /data-connection="verified"/);
  assert.match(page.body, /class="check-history"/);
  // The back office shows the same check and can run its own.
  assert.equal((await backOffice.post(`/admin/stations/${stationId}/verify`)).statusCode, 303);
  // Nothing ran at registration or edit: the portal's Verify, then the back office's.
  const triggers = (await db.selectFrom('station_checks').select('trigger').where('station_id', '=', stationId).orderBy('started_at').execute()).map(
    (c) => c.trigger,
  );
  assert.deepEqual(triggers, ['portal', 'admin']);
  // The new step's verdict and sentence are in the referent's language.
  const required = /data-step="client_certificate_required"[\s\S]*?<\/tr>/.exec(page.body)?.[0] ?? '';
  assert.match(required, /data-code="certificate_demanded_handshake"/);
  assert.match(required, /The same request without Varco\u2019s client certificate is refused/);
  assert.match(required, /Without Varco(\u2019|&#39;)s client certificate the station refused the connection/);
  const italian = await (await new Browser(app, 'portal').signIn((await createReferent(db, orgA, ['node'], 'it')).email)).get(`/portal/stations/${stationId}`);
  const requiredIt = /data-step="client_certificate_required"[\s\S]*?<\/tr>/.exec(italian.body)?.[0] ?? '';
  assert.match(requiredIt, /La stessa richiesta senza il certificato client di Varco è rifiutata/);
  assert.match(requiredIt, /superato/);
  assert.match(requiredIt, /Senza il certificato client di Varco la stazione ha rifiutato la connessione/);
});

test('back office settings: timeouts are checked; there is no private-IP permission any more', async () => {
  const bad = await backOffice.post(`/admin/stations/${stationId}/settings`, { connectTimeoutMs: '10', responseTimeoutMs: '7000' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /Timeouts must be whole milliseconds/);
  assert.equal((await backOffice.post(`/admin/stations/${stationId}/settings`, { connectTimeoutMs: '3000', responseTimeoutMs: '9000' })).statusCode, 303);
  const row = await db.selectFrom('stations').select(['connect_timeout_ms', 'response_timeout_ms']).where('id', '=', stationId).executeTakeFirstOrThrow();
  assert.deepEqual(row, { connect_timeout_ms: 3000, response_timeout_ms: 9000 });
  const prod = await services.stations.register(
    orgA,
    'prod',
    { code: 'PAGES_P', primary: { url: 'https://pa.example.it/node', ip: '93.184.215.5', port: 443 } },
    { type: 'cli', id: null, ip: null },
  );
  assert.ok(prod.ok);
  assert.doesNotMatch((await backOffice.get(`/admin/stations/${prod.value.id}`)).body, /allowPrivateIp/);
});

test('trusted CAs in the back office: add from a pasted PEM, refuse what is not a CA, remove', async () => {
  const page = await backOffice.get('/admin/trust');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Mozilla root store/);
  assert.match(page.body, new RegExp(`<option value="${orgB}">Altra Banca Pagine</option>`));
  assert.match(page.body, /<option value="\*">All organisations<\/option>/);
  const refused = await backOffice.post('/admin/trust', { environment: 'test', scope: orgA, pem: pki.leaf.certPem });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /not a CA certificate/);
  const ca = await makeCa({ name: 'Pasted Root' });
  const noScope = await backOffice.post('/admin/trust', { environment: 'prod', pem: ca.certPem });
  assert.equal(noScope.statusCode, 400, 'trusting a CA for everyone is never the default');
  assert.match(noScope.body, /Choose the organisation the CA is trusted for, or explicitly all organisations/);
  assert.equal((await backOffice.post('/admin/trust', { environment: 'prod', scope: 'org_nope', pem: ca.certPem })).statusCode, 400);
  assert.equal((await backOffice.post('/admin/trust', { environment: 'prod', scope: orgB, pem: ca.certPem })).statusCode, 303);
  const everyone = await makeCa({ name: 'Everyone Root' });
  assert.equal((await backOffice.post('/admin/trust', { environment: 'prod', scope: '*', pem: everyone.certPem })).statusCode, 303);
  const listed = await backOffice.get('/admin/trust');
  const id = new RegExp(`data-env="prod"[\\s\\S]*?data-ca="(tca_[a-z0-9]+)" data-organisation="${orgB}"><td[^>]*>CN=Pasted Root`).exec(listed.body)?.[1];
  assert.ok(id, listed.body);
  assert.match(listed.body, /data-organisation="\*"><td[^>]*>CN=Everyone Root, O=Varco Tests<\/td><td[^>]*>All organisations</);
  assert.equal((await backOffice.post(`/admin/trust/${id}/remove`)).statusCode, 303);
  assert.doesNotMatch((await backOffice.get('/admin/trust')).body, /CN=Pasted Root/);
  assert.equal((await backOffice.post(`/admin/trust/${id}/remove`)).statusCode, 404);
});

test('menus link the new pages; a form without its CSRF token is refused', async () => {
  assert.match((await portalA.get('/portal')).body, /href="\/portal\/stations"/);
  const adminHome = (await backOffice.get('/admin/stations')).body;
  assert.match(adminHome, /href="\/admin\/stations"/);
  assert.match(adminHome, /href="\/admin\/trust"/);
  const forged = await app.inject({
    method: 'POST',
    url: `/portal/stations/${stationId}/verify`,
    headers: { cookie: portalA.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  });
  assert.equal(forged.statusCode, 403);
});

test("the back office organisation page lists the organisation's stations, and only them", async () => {
  const pageA = await backOffice.get(`/admin/organisations/${orgA}`);
  assert.equal(pageA.statusCode, 200);
  const codesA = [...pageA.body.matchAll(/<tr data-station="([^"]+)"/g)].map((m) => m[1]);
  const ownA = (await db.selectFrom('stations').select('code').where('organisation_id', '=', orgA).execute()).map((r) => r.code);
  assert.ok(ownA.length > 0, 'earlier tests registered stations for organisation A');
  assert.deepEqual(codesA.sort(), [...ownA].sort());
  const pageB = await backOffice.get(`/admin/organisations/${orgB}`);
  const codesB = [...pageB.body.matchAll(/<tr data-station="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(codesB.every((c) => !ownA.includes(c ?? '')));
});
