import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type tls from 'node:tls';
import { buildTestApp } from '../support/app.ts';
import { handshake, httpsGet, permissiveTlsServer, tempDevPki } from '../support/tls.ts';
import type { DevPki } from '../support/tls.ts';

// The HTTPS listener as production builds it: TLS 1.2+ only, a certificate that verifies against the
// development test CA for localhost, and HSTS on every response.

// Top level, not in before(): the helpers register their clean-up with after(), which must belong to the file.
const pki: DevPki = await tempDevPki();
const { app } = await buildTestApp({ tls: { cert: pki.server.chainPem, key: pki.server.keyPem } });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;

// OpenSSL's default security level forbids offering TLS 1.0/1.1 at all; level 0 lets the client try.
const legacy = (version: tls.SecureVersion) => ({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false });

for (const version of ['TLSv1', 'TLSv1.1'] as const) {
  test(`a ${version} client is refused`, async () => {
    // Control: the same client completes a handshake with a server that allows the old protocol,
    // so the refusal below comes from Varco's configuration, not from the client being unable to offer it.
    const control = await handshake({ port: await permissiveTlsServer(pki), ...legacy(version) });
    assert.ok(control.ok, `control handshake failed: ${control.ok ? '' : control.error.message}`);
    assert.equal(control.protocol, version);

    const result = await handshake({ port, ...legacy(version) });
    assert.equal(result.ok, false, `Varco accepted ${version}`);
    if (!result.ok) assert.match(`${result.error.code ?? ''} ${result.error.message}`, /protocol|version/i);
  });
}

for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  test(`a ${version} client connects and verifies the certificate for localhost against the test CA`, async () => {
    const result = await handshake({ port, ca: pki.envs.test.caCertPem, minVersion: version, maxVersion: version });
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.equal(result.protocol, version);
    assert.equal(result.authorized, true);
    assert.equal(result.peerSubjectCn, 'localhost');

    const response = await httpsGet(port, '/healthz', { ca: pki.envs.test.caCertPem, minVersion: version, maxVersion: version });
    assert.equal(response.protocol, version);
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body), { status: 'ok' });
    assert.match(String(response.headers['strict-transport-security']), /max-age=\d{7,}/);
  });
}

test('the certificate does not verify against another CA or for another host name', async () => {
  const otherCa = await handshake({ port, ca: pki.envs.prod.caCertPem });
  assert.equal(otherCa.ok, false);
  const otherHost = await handshake({ port, ca: pki.envs.test.caCertPem, servername: 'varco.example.org' });
  assert.equal(otherHost.ok, false);
  if (!otherHost.ok) assert.equal(otherHost.error.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
});

test('every surface answers with strict-transport-security, errors included', async () => {
  for (const path of ['/api/v1/health', '/admin/sign-in', '/portal/does-not-exist', '/api/nope']) {
    const response = await httpsGet(port, path, { ca: pki.envs.test.caCertPem });
    assert.match(String(response.headers['strict-transport-security']), /max-age=31536000/, `${path} (${response.status})`);
  }
});
