import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootCertificates } from 'node:tls';
import { buildTestApp } from '../support/app.ts';
import { daysFromNow, makeCa, makeLeaf } from '../support/tls-peers.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';
import { auditActions } from './support.ts';

// Administrator-authorised CAs per environment: what is accepted, what each refusal says, and
// that the roots a connection trusts are the bundled Mozilla store plus exactly the active ones.

const { services, database } = await buildTestApp();
const { trust } = services;
const CLI: StationActor = { type: 'cli', id: null, ip: null };

test('an authorised CA joins the roots of its environment only, and leaves them when removed', async () => {
  const ca = await makeCa({ name: 'Org Private Root' });
  const before = await trust.roots('test');
  assert.equal(before.length, rootCertificates.length, 'the Mozilla store Node bundles, and nothing else yet');
  const added = await trust.add('test', ca.certPem, CLI);
  assert.ok(added.ok);
  assert.equal(added.value.fingerprint, ca.fingerprint256);
  assert.match(added.value.subject, /CN=Org Private Root/);
  const roots = await trust.roots('test');
  assert.equal(roots.length, rootCertificates.length + 1);
  assert.ok(roots.some((pem) => pem.replace(/\s/g, '') === ca.certPem.replace(/\s/g, '')));
  assert.equal((await trust.roots('prod')).length, rootCertificates.length, 'prod is not affected');
  assert.deepEqual((await trust.list('test')).map((c) => c.id), [added.value.id]);

  assert.equal(await trust.remove(added.value.id, CLI), true);
  assert.equal(await trust.remove(added.value.id, CLI), false, 'removing twice finds nothing');
  assert.equal((await trust.roots('test')).length, rootCertificates.length);
  assert.deepEqual(await trust.list('test'), []);
  assert.deepEqual(await auditActions(database.db, added.value.id), ['trust.ca_added', 'trust.ca_removed']);
  // Once removed it may be authorised again.
  assert.ok((await trust.add('test', ca.certPem, CLI)).ok);
});

test('refusals: not a certificate, not a CA, expired, already trusted', async () => {
  const ca = await makeCa({ name: 'Another Root' });
  const leaf = await makeLeaf({ issuer: ca, commonName: 'service.example' });
  const expired = await makeCa({ name: 'Old Root', notBefore: daysFromNow(-400), notAfter: daysFromNow(-1) });
  assert.deepEqual(await trust.add('prod', 'hello', CLI), { ok: false, reason: 'not_a_certificate' });
  assert.deepEqual(await trust.add('prod', ca.certPem + leaf.certPem, CLI), { ok: false, reason: 'not_a_certificate' }, 'one CA per upload');
  assert.deepEqual(await trust.add('prod', leaf.certPem, CLI), { ok: false, reason: 'not_a_ca' });
  assert.deepEqual(await trust.add('prod', expired.certPem, CLI), { ok: false, reason: 'expired' });
  assert.ok((await trust.add('prod', ca.certPem, CLI)).ok);
  assert.deepEqual(await trust.add('prod', ca.certPem, CLI), { ok: false, reason: 'already_trusted' });
  // The same CA may be trusted in the other environment on its own.
  assert.ok((await trust.add('test', ca.certPem, CLI)).ok);
});

test("Varco's own development CA is trusted in test only", async () => {
  const { ensureDevPki } = await import('../../src/pki/index.ts');
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const pki = await ensureDevPki({ dir: await mkdtemp(join(tmpdir(), 'varco-pki-')), hostNames: ['localhost'] });
  assert.deepEqual(await trust.add('prod', pki.envs.test.caCertPem, CLI), { ok: false, reason: 'development_ca_in_prod' });
  assert.ok((await trust.add('test', pki.envs.test.caCertPem, CLI)).ok);
});
