// Probe signing with the platform key, as an organisation's service would verify it.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeCa, makeLeaf, type TestCertificate } from '../../../test/support/test-certs.ts';
import { createProbeSigner, probeBody, verifyProbeSignature, PROBE_FINGERPRINT_HEADER, PROBE_SIGNATURE_HEADER } from './index.ts';

describe('probe signature', () => {
  let ca: TestCertificate;
  before(async () => {
    ca = await makeCa({ name: 'Platform CA' });
  });

  for (const key of [{ type: 'ec' as const }, { type: 'rsa' as const, bits: 2048 }]) {
    it(`signs the exact body with a ${key.type} client key, verifiable with the client certificate`, async () => {
      const client = await makeLeaf({ issuer: ca, commonName: 'client', usage: 'client', key });
      const sign = createProbeSigner({ certChainPem: client.certPem + ca.certPem, keyPem: client.keyPem });
      const body = probeBody(new Date('2026-11-23T10:00:00Z'));
      assert.deepEqual(Object.keys(JSON.parse(body) as object), ['type', 'id', 'sentAt']);
      assert.match(body, /^\{"type":"varco\.ping","id":"ver_[0-9a-z]{26}","sentAt":"2026-11-23T10:00:00\.000Z"\}$/);
      const signed = sign(body);
      assert.equal(signed.certificateFingerprint, client.fingerprint256);
      const headers = { [PROBE_SIGNATURE_HEADER]: signed.signature, [PROBE_FINGERPRINT_HEADER]: signed.certificateFingerprint };
      assert.equal(verifyProbeSignature(body, headers, client.certPem), true);
      assert.equal(verifyProbeSignature(`${body} `, headers, client.certPem), false, 'one extra byte must break it');
      // Signed by someone else's key, or presented with another certificate: refused.
      const other = await makeLeaf({ issuer: ca, commonName: 'other', usage: 'client', key });
      assert.equal(verifyProbeSignature(body, headers, other.certPem), false);
      assert.equal(verifyProbeSignature(body, { ...headers, [PROBE_FINGERPRINT_HEADER]: other.fingerprint256 }, other.certPem), false);
      assert.equal(verifyProbeSignature(body, {}, client.certPem), false);
    });
  }
});
