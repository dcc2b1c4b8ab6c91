import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { Browser, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { makeServerPki, startPeer } from '../support/tls-peers.ts';
import { splitPemChain } from '../../src/pki/index.ts';
import { mailsTo } from './support.ts';

// Varco's platform client certificate: offered for download per environment; `pki rotate-client`
// publishes the next one (portal + e-mail to every organisation) without using it; outbound calls
// switch to it only after `pki activate-client`.

const { app, config, services, database, masterKey } = await buildTestApp();
const db = database.db;
const cli = (...args: string[]) =>
  runCliInProcess(args, { DATABASE_URL: database.url, VARCO_DATA_DIR: config.dataDir, VARCO_MASTER_KEY: masterKey.toString('base64') });
const orgA = await createOrganisation(db, 'Banca Certificati');
const orgB = await createOrganisation(db, 'Comune Certificati');
const refA = await createReferent(db, orgA, ['node']);
const refB = await createReferent(db, orgB, ['node'], 'it');
const portal = await new Browser(app, 'portal').signIn(refA.email);
const fingerprint = (pem: string): string => new X509Certificate(splitPemChain(pem)[0] ?? '').fingerprint256;

const pki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Rotation Root' });
assert.ok((await services.trust.add('test', pki.root.certPem, { organisationId: orgA }, { type: 'cli', id: null, ip: null })).ok);
const peer = await startPeer({ leaf: pki.leaf, clientCas: [(await services.platformCertificates.downloads('test')).caPem] });
const created = await services.stations.register(
  orgA,
  'test',
  { code: 'ROT_01', primary: { url: peer.url('/node'), ip: '127.0.0.1', port: peer.port } },
  { type: 'cli', id: null, ip: null },
);
assert.ok(created.ok);
assert.ok((await services.stations.reviewStation(created.value.id, 'approve', '', { type: 'cli', id: null, ip: null })).ok);
const stationId = created.value.id;

test('the portal offers the client certificate with its chain and the platform CA, per environment', async () => {
  const page = await portal.get('/portal/certificates');
  assert.equal(page.statusCode, 200);
  for (const env of ['test', 'prod']) {
    assert.match(page.body, new RegExp(`href="/portal/certificates/${env}/client\\.pem"`));
    assert.match(page.body, new RegExp(`href="/portal/certificates/${env}/ca\\.pem"`));
  }
  assert.match(page.body, /No next certificate is published/);
  const client = await portal.get('/portal/certificates/test/client.pem');
  assert.equal(client.statusCode, 200);
  assert.match(String(client.headers['content-disposition']), /attachment; filename="varco-test-client-chain\.pem"/);
  const chain = splitPemChain(client.body);
  assert.equal(chain.length, 2, 'leaf and platform CA');
  const ca = await portal.get('/portal/certificates/test/ca.pem');
  assert.equal(splitPemChain(ca.body)[0], chain[1]);
  assert.ok(new X509Certificate(chain[0] ?? '').checkIssued(new X509Certificate(ca.body)));
  assert.notEqual(fingerprint((await portal.get('/portal/certificates/prod/client.pem')).body), fingerprint(client.body), 'one per environment');
  assert.equal((await portal.get('/portal/certificates/test/next-client.pem')).statusCode, 404);
  assert.equal((await portal.get('/portal/certificates/staging/client.pem')).statusCode, 404);
  const anonymous = await app.inject({ method: 'GET', url: '/portal/certificates/test/client.pem' });
  assert.equal(anonymous.statusCode, 303, 'downloads need a signed-in referent');
});

test('rotate-client publishes the next certificate and e-mails every organisation, but outbound calls keep the current one', async () => {
  const current = fingerprint((await portal.get('/portal/certificates/test/client.pem')).body);
  const rotated = await cli('pki', 'rotate-client', '--env', 'test', '--json');
  assert.equal(rotated.code, 0, rotated.stderr);
  const out = JSON.parse(rotated.stdout) as { created: boolean; notified: number; next: { fingerprintSha256: string } };
  assert.equal(out.created, true);
  assert.equal(out.notified, 2);
  const next = await portal.get('/portal/certificates/test/next-client.pem');
  assert.equal(next.statusCode, 200);
  assert.equal(fingerprint(next.body), out.next.fingerprintSha256);
  assert.notEqual(out.next.fingerprintSha256, current);
  assert.match((await portal.get('/portal/certificates')).body, new RegExp(out.next.fingerprintSha256));
  const mails = await mailsTo(db, { template: 'client_certificate_published' });
  assert.deepEqual(
    mails.map((m) => [m.to, m.locale]).sort(),
    [
      [refA.email, 'en'],
      [refB.email, 'it'],
    ].sort(),
  );
  assert.equal(mails[0]?.params.fingerprint, out.next.fingerprintSha256);

  const again = await cli('pki', 'rotate-client', '--env', 'test');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already published/);
  assert.equal((await mailsTo(db, { template: 'client_certificate_published' })).length, 2, 'no second e-mail');

  assert.ok((await services.verification.verify(stationId, 'cli')).ok);
  assert.equal(fingerprint(peer.requests.at(-1)?.clientCertificatePem ?? ''), current, 'the published certificate is not used yet');
});

test('activate-client switches it in: the next outbound call presents it', async () => {
  const published = fingerprint((await portal.get('/portal/certificates/test/next-client.pem')).body);
  const activated = await cli('pki', 'activate-client', '--env', 'test');
  assert.equal(activated.code, 0, activated.stderr);
  assert.equal(fingerprint((await portal.get('/portal/certificates/test/client.pem')).body), published);
  assert.equal((await portal.get('/portal/certificates/test/next-client.pem')).statusCode, 404);
  const outcome = await services.verification.verify(stationId, 'cli');
  assert.ok(outcome.ok);
  assert.ok(outcome.value.result.outbound.ok, 'the server still accepts it: same platform CA');
  assert.equal(fingerprint(peer.requests.at(-1)?.clientCertificatePem ?? ''), published);
  const none = await cli('pki', 'activate-client', '--env', 'test');
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no next test client certificate is waiting/);
  const actions = await db.selectFrom('audit_log').select('action').where('action', 'like', 'pki.%').orderBy('seq').execute();
  assert.deepEqual(
    actions.map((a) => a.action),
    ['pki.client_published', 'pki.client_activated'],
  );
});
