import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootCertificates } from 'node:tls';
import { buildTestApp } from '../support/app.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { daysFromNow, makeCa, makeLeaf, makeServerPki, startPeer } from '../support/tls-peers.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';
import { auditActions, endpoint } from './support.ts';

// Administrator-authorised CAs per environment and organisation: what is accepted, what each
// refusal says, that the roots of a call to an organisation are the bundled Mozilla store plus the
// CAs for everyone plus exactly that organisation's own — and that another organisation's CA never
// makes a station's certificate trusted, on a real connection.

const { services, database } = await buildTestApp();
const { trust } = services;
const db = database.db;
const CLI: StationActor = { type: 'cli', id: null, ip: null };
const orgA = await createOrganisation(db, 'Banca Fiducia A');
const orgB = await createOrganisation(db, 'Banca Fiducia B');
const has = (roots: string[], pem: string): boolean => roots.some((root) => root.replace(/\s/g, '') === pem.replace(/\s/g, ''));

test('a CA authorised for one organisation joins that organisation\u2019s roots in its environment only, and leaves them when removed', async () => {
  const ca = await makeCa({ name: 'Org A Private Root' });
  assert.equal((await trust.rootsFor('test', orgA)).length, rootCertificates.length, 'the Mozilla store Node bundles, and nothing else yet');
  const added = await trust.add('test', ca.certPem, { organisationId: orgA }, CLI);
  assert.ok(added.ok);
  assert.equal(added.value.fingerprint, ca.fingerprint256);
  assert.match(added.value.subject, /CN=Org A Private Root/);
  const rootsA = await trust.rootsFor('test', orgA);
  assert.equal(rootsA.length, rootCertificates.length + 1);
  assert.ok(has(rootsA, ca.certPem));
  assert.ok(!has(await trust.rootsFor('test', orgB), ca.certPem), 'another organisation does not trust it');
  assert.ok(!has(await trust.rootsFor('test', null), ca.certPem), 'nor a call on nobody\u2019s behalf');
  assert.ok(!has(await trust.rootsFor('prod', orgA), ca.certPem), 'prod is not affected');
  assert.deepEqual(
    (await trust.list('test')).map((c) => [c.id, c.organisation_id]),
    [[added.value.id, orgA]],
  );

  assert.equal(await trust.remove(added.value.id, CLI), true);
  assert.equal(await trust.remove(added.value.id, CLI), false, 'removing twice finds nothing');
  assert.ok(!has(await trust.rootsFor('test', orgA), ca.certPem));
  assert.deepEqual(await trust.list('test'), []);
  assert.deepEqual(await auditActions(db, added.value.id), ['trust.ca_added', 'trust.ca_removed']);
  const audit = await db
    .selectFrom('audit_log')
    .select(['organisation_id', 'details'])
    .where('subject_id', '=', added.value.id)
    .orderBy('seq')
    .executeTakeFirstOrThrow();
  assert.equal(audit.organisation_id, orgA);
  assert.equal((audit.details as { scope: string }).scope, orgA);
  // Once removed it may be authorised again.
  assert.ok((await trust.add('test', ca.certPem, { organisationId: orgA }, CLI)).ok);
});

test('a CA authorised explicitly for every organisation joins every organisation\u2019s roots', async () => {
  const ca = await makeCa({ name: 'Shared Root' });
  const added = await trust.add('test', ca.certPem, { allOrganisations: true }, CLI);
  assert.ok(added.ok);
  for (const organisationId of [orgA, orgB, null]) assert.ok(has(await trust.rootsFor('test', organisationId), ca.certPem), String(organisationId));
  assert.equal((await trust.list('test')).find((c) => c.id === added.value.id)?.organisation_id, null);
  assert.deepEqual(
    await trust.add('test', ca.certPem, { organisationId: orgB }, CLI),
    { ok: false, reason: 'already_trusted' },
    'trusted for everyone covers B',
  );
});

test('refusals: not a certificate, not a CA, expired, already trusted, unknown organisation', async () => {
  const ca = await makeCa({ name: 'Another Root' });
  const leaf = await makeLeaf({ issuer: ca, commonName: 'service.example' });
  const expired = await makeCa({ name: 'Old Root', notBefore: daysFromNow(-400), notAfter: daysFromNow(-1) });
  const forA = { organisationId: orgA };
  assert.deepEqual(await trust.add('prod', 'hello', forA, CLI), { ok: false, reason: 'not_a_certificate' });
  assert.deepEqual(await trust.add('prod', ca.certPem + leaf.certPem, forA, CLI), { ok: false, reason: 'not_a_certificate' }, 'one CA per upload');
  assert.deepEqual(await trust.add('prod', leaf.certPem, forA, CLI), { ok: false, reason: 'not_a_ca' });
  assert.deepEqual(await trust.add('prod', expired.certPem, forA, CLI), { ok: false, reason: 'expired' });
  assert.deepEqual(await trust.add('prod', ca.certPem, { organisationId: 'org_nope' }, CLI), { ok: false, reason: 'organisation_not_found' });
  assert.ok((await trust.add('prod', ca.certPem, forA, CLI)).ok);
  assert.deepEqual(await trust.add('prod', ca.certPem, forA, CLI), { ok: false, reason: 'already_trusted' });
  // The same CA may be trusted for another organisation, or in the other environment, on its own.
  assert.ok((await trust.add('prod', ca.certPem, { organisationId: orgB }, CLI)).ok);
  assert.ok((await trust.add('test', ca.certPem, forA, CLI)).ok);
});

test("Varco's own development CA is trusted in test only; its production platform CA never for stations", async () => {
  const { tempDevPki } = await import('../support/tls.ts');
  const pki = await tempDevPki(['localhost']);
  assert.deepEqual(await trust.add('prod', pki.envs.test.caCertPem, { allOrganisations: true }, CLI), { ok: false, reason: 'development_ca_in_prod' });
  assert.deepEqual(await trust.add('prod', pki.envs.prod.caCertPem, { allOrganisations: true }, CLI), { ok: false, reason: 'development_ca_in_prod' });
  assert.ok((await trust.add('test', pki.envs.test.caCertPem, { organisationId: orgB }, CLI)).ok);
});

test('two organisations, two private CAs: a station certificate from the other organisation\u2019s CA is not trusted, by verification or by the station caller', async () => {
  const [pkiA, pkiB] = [
    await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Tenant A Root' }),
    await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Tenant B Root' }),
  ];
  const [orgC, orgD] = [await createOrganisation(db, 'Tenant C'), await createOrganisation(db, 'Tenant D')];
  assert.ok((await trust.add('test', pkiA.root.certPem, { organisationId: orgC }, CLI)).ok);
  assert.ok((await trust.add('test', pkiB.root.certPem, { organisationId: orgD }, CLI)).ok);
  const clientCas = [(await services.platformCertificates.downloads('test')).caPem];
  // D's station serves a certificate issued by C's CA (which C's stations would be trusted with).
  const borrowed = await startPeer({ leaf: pkiA.leaf, clientCas });
  const own = await startPeer({ leaf: pkiB.leaf, clientCas });
  const station = async (code: string, peer: typeof own): Promise<string> => {
    const created = await services.stations.register(orgD, 'test', { code, primary: endpoint(peer.url('/node'), peer.host, peer.port) }, CLI);
    assert.ok(created.ok, JSON.stringify(created));
    assert.ok((await services.stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
    return created.value.id;
  };
  const borrowedId = await station('TENANT_D_1', borrowed);
  const ownId = await station('TENANT_D_2', own);

  const checked = await services.verification.verify(borrowedId, 'cli');
  assert.ok(checked.ok);
  const certificate = checked.value.result.outbound.endpoints[0]?.steps.find((s) => s.step === 'server_certificate');
  assert.equal(certificate?.status, 'failed');
  assert.equal(certificate?.checks?.find((check) => check.check === 'chain')?.ok, false);
  assert.match(certificate?.message ?? '', /issued by "Tenant A Root", which the server did not send and which is not a trusted root/);
  const called = await services.stationCaller.send({ organisationId: orgD, env: 'test', stationId: borrowedId }, { method: 'POST', body: '{}' });
  assert.ok(called.ok);
  assert.equal(called.value.kind === 'failure' && called.value.category, 'certificate', 'Varco refused the server certificate');
  assert.equal(borrowed.requests.length, 0, 'no request reached the station');

  const good = await services.stationCaller.send({ organisationId: orgD, env: 'test', stationId: ownId }, { method: 'POST', body: '{}' });
  assert.ok(good.ok);
  assert.equal(good.value.kind === 'response' && good.value.status, 200, 'its own CA is trusted');
});
