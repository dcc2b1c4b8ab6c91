// The server-certificate checks on certificates made here; no network (the TLS peers in
// test/outbound/ cover what a live server presents).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { daysFromNow, makeCa, makeLeaf, pemBundle, type TestCertificate } from '../../../test/support/test-certs.ts';
import { checkServerCertificate, type CertificateCheck, type CertificateCheckName } from './index.ts';

function failed(checks: CertificateCheck[]): CertificateCheckName[] {
  return checks.filter((check) => !check.ok).map((check) => check.check);
}

function find(checks: CertificateCheck[], name: CertificateCheckName): CertificateCheck {
  const found = checks.find((check) => check.check === name);
  assert.ok(found);
  return found;
}

describe('checkServerCertificate', () => {
  let root: TestCertificate;
  let intermediate: TestCertificate;
  let leaf: TestCertificate;
  // Whole seconds: certificates store times to the second.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  before(async () => {
    root = await makeCa({ name: 'Root R1' });
    intermediate = await makeCa({ name: 'Issuing CA I1', issuer: root });
    leaf = await makeLeaf({ issuer: intermediate, commonName: 'pay.example.org', altNames: ['pay.example.org', 'api.example.org'] });
  });
  const check = (
    chain: TestCertificate[] | string,
    fqdn = 'pay.example.org',
    extra: { intermediates?: string[]; roots?: string[]; at?: Date } = {},
  ): CertificateCheck[] =>
    checkServerCertificate({
      fqdn,
      chain: typeof chain === 'string' ? chain : chain.map((cert) => cert.certPem),
      roots: extra.roots ?? [root.certPem],
      intermediates: extra.intermediates ?? [],
      now: extra.at ?? now,
    });

  it('passes all five checks, in a fixed order, for a full chain', () => {
    const checks = check([leaf, intermediate]);
    assert.deepEqual(
      checks.map((entry) => entry.check),
      ['chain', 'name', 'validity', 'key_strength', 'full_chain'],
    );
    assert.deepEqual(failed(checks), []);
    assert.match(find(checks, 'chain').message, /"pay\.example\.org" chains through "Issuing CA I1" to the trusted root "Root R1"/);
    assert.match(find(checks, 'full_chain').message, /sent its certificate "pay\.example\.org" and "Issuing CA I1": every intermediate/);
  });

  it('accepts DER input, a PEM bundle, and chains served out of order or with the root', () => {
    const der = [leaf, intermediate].map((cert) => new X509Certificate(cert.certPem).raw);
    assert.deepEqual(failed(checkServerCertificate({ fqdn: 'pay.example.org', chain: der, roots: [root.certPem], now })), []);
    assert.deepEqual(failed(check(pemBundle(leaf, root, intermediate))), []);
  });

  it('matches a SAN other than the first, and a one-label wildcard but not two labels', async () => {
    assert.deepEqual(failed(check([leaf, intermediate], 'api.example.org')), []);
    const wildcard = await makeLeaf({ issuer: intermediate, commonName: 'example.org', altNames: ['*.example.org'] });
    assert.deepEqual(failed(check([wildcard, intermediate], 'pay.example.org')), []);
    const deep = check([wildcard, intermediate], 'a.pay.example.org');
    assert.deepEqual(failed(deep), ['name']);
    assert.match(find(deep, 'name').message, /names are \*\.example\.org \(subject alternative names\) but the service FQDN is a\.pay\.example\.org/);
  });

  it('uses the CN only when there is no SAN, and says when a matching CN is ignored', async () => {
    const cnOnly = await makeLeaf({ issuer: intermediate, commonName: 'legacy.example.org' });
    assert.deepEqual(failed(check([cnOnly, intermediate], 'legacy.example.org')), []);
    const mismatch = check([cnOnly, intermediate], 'pay.example.org');
    assert.match(
      find(mismatch, 'name').message,
      /names are legacy\.example\.org \(common name; no subject alternative names\) but the service FQDN is pay\.example\.org/,
    );
    const sanWins = await makeLeaf({ issuer: intermediate, commonName: 'pay.example.org', altNames: ['other.example.org'] });
    const ignored = check([sanWins, intermediate], 'pay.example.org');
    assert.deepEqual(failed(ignored), ['name']);
    assert.match(find(ignored, 'name').message, /common name pay\.example\.org would match, but it is ignored/);
  });

  it('fails validity for expired and not-yet-valid certificates, with the dates', async () => {
    const expired = await makeLeaf({
      issuer: intermediate,
      commonName: 'pay.example.org',
      altNames: ['pay.example.org'],
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2025-01-01T00:00:00Z'),
    });
    const checks = check([expired, intermediate], 'pay.example.org', { at: new Date('2025-01-11T00:00:00Z') });
    assert.deepEqual(failed(checks), ['validity']);
    assert.equal(
      find(checks, 'validity').message,
      'The certificate "pay.example.org" expired on 2025-01-01T00:00:00Z (10 days ago); it was valid from 2024-01-01T00:00:00Z to 2025-01-01T00:00:00Z.',
    );
    const future = await makeLeaf({
      issuer: intermediate,
      commonName: 'pay.example.org',
      altNames: ['pay.example.org'],
      notBefore: daysFromNow(3, now),
      notAfter: daysFromNow(300, now),
    });
    assert.match(find(check([future, intermediate]), 'validity').message, /is not valid yet: .*starts in 3 days/);
  });

  it('fails validity when the served intermediate has expired, naming it', async () => {
    const old = await makeCa({ name: 'Old Issuing CA', issuer: root, notBefore: daysFromNow(-800), notAfter: daysFromNow(-5) });
    const child = await makeLeaf({ issuer: old, commonName: 'pay.example.org', altNames: ['pay.example.org'], notBefore: daysFromNow(-10) });
    const checks = check([child, old]);
    assert.deepEqual(failed(checks), ['validity']);
    assert.match(find(checks, 'validity').message, /"Old Issuing CA" expired on/);
  });

  it('fails chain for an unknown root and for a self-signed certificate', async () => {
    const otherRoot = await makeCa({ name: 'Elsewhere Root' });
    const other = await makeLeaf({ issuer: otherRoot, commonName: 'pay.example.org', altNames: ['pay.example.org'] });
    const untrusted = check([other, otherRoot]);
    assert.deepEqual(failed(untrusted), ['chain']);
    assert.match(find(untrusted, 'chain').message, /ends at the root "Elsewhere Root", which is not trusted/);
    const selfSigned = check([otherRoot], 'Elsewhere Root');
    assert.match(find(selfSigned, 'chain').message, /"Elsewhere Root" is self-signed and is not a trusted root/);
    // Trusting it explicitly (an administrator-authorised private CA) makes the chain pass.
    assert.equal(find(check([other, otherRoot], 'pay.example.org', { roots: [root.certPem, otherRoot.certPem] }), 'chain').ok, true);
  });

  it('tells a missing intermediate from an unknown CA when the intermediate is known', () => {
    const unknown = check([leaf]);
    assert.deepEqual(failed(unknown), ['chain', 'full_chain']);
    assert.match(find(unknown, 'chain').message, /issued by "Issuing CA I1", which the server did not send and which is not a trusted root/);
    const known = check([leaf], 'pay.example.org', { intermediates: [intermediate.certPem] });
    assert.deepEqual(failed(known), ['full_chain']);
    assert.match(
      find(known, 'full_chain').message,
      /sent only its own certificate "pay\.example\.org"; the intermediate "Issuing CA I1" that issued "pay\.example\.org" is missing/,
    );
  });

  it('passes full_chain for a leaf issued directly by a trusted root', async () => {
    const direct = await makeLeaf({ issuer: root, commonName: 'pay.example.org', altNames: ['pay.example.org'] });
    const checks = check([direct]);
    assert.deepEqual(failed(checks), []);
    assert.match(find(checks, 'full_chain').message, /issued directly by the root, so no intermediate is needed/);
  });

  it('judges key strength: RSA 1024 fails, RSA 2048 and EC P-384 pass, weak intermediates fail too', async () => {
    const weak = await makeLeaf({ issuer: intermediate, commonName: 'pay.example.org', altNames: ['pay.example.org'], key: { type: 'rsa', bits: 1024 } });
    const weakChecks = check([weak, intermediate]);
    assert.deepEqual(failed(weakChecks), ['key_strength']);
    assert.match(find(weakChecks, 'key_strength').message, /"pay\.example\.org" has an RSA 1024-bit key; Varco requires RSA of at least 2048 bits or EC P-256/);
    const rsa = await makeLeaf({ issuer: intermediate, commonName: 'pay.example.org', altNames: ['pay.example.org'], key: { type: 'rsa', bits: 2048 } });
    assert.match(find(check([rsa, intermediate]), 'key_strength').message, /RSA 2048-bit/);
    const p384 = await makeLeaf({ issuer: intermediate, commonName: 'pay.example.org', altNames: ['pay.example.org'], key: { type: 'ec', curve: 'P-384' } });
    assert.match(find(check([p384, intermediate]), 'key_strength').message, /EC P-384/);
    const weakCa = await makeCa({ name: 'Weak Issuing CA', issuer: root, key: { type: 'rsa', bits: 1024 } });
    const underWeak = await makeLeaf({ issuer: weakCa, commonName: 'pay.example.org', altNames: ['pay.example.org'] });
    assert.match(find(check([underWeak, weakCa]), 'key_strength').message, /"Weak Issuing CA" has an RSA 1024-bit key/);
  });

  it('judges the dates and key of a trusted root the server presents as its own certificate', async () => {
    const selfRoot = await makeCa({ name: 'pay.example.org' });
    const checks = check([selfRoot], 'pay.example.org', { roots: [selfRoot.certPem] });
    assert.doesNotMatch(find(checks, 'validity').message, /Nothing to check/);
    assert.match(find(checks, 'validity').message, /"pay\.example\.org" is valid from/);
    assert.doesNotMatch(find(checks, 'key_strength').message, /\(\)/);
  });

  it('fails every check with one message when nothing was presented', () => {
    const checks = checkServerCertificate({ fqdn: 'pay.example.org', chain: [], roots: [root.certPem], now });
    assert.equal(checks.length, 5);
    assert.ok(checks.every((entry) => !entry.ok && entry.message === 'The server presented no certificate.'));
  });
});
