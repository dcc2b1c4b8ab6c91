import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describeCertificate, exportFiles, issuedBy, keyMatches, listCertificates, serverAltNames, serverNeedsRenewal, splitPemChain } from './index.ts';
import { tempDevPki, type DevPki } from '../../test/support/tls.ts';

// The pure PKI helpers: what Varco issues (CAs, platform client certificates, the development server
// certificate), their shape, that they complete mutual TLS, and the hand-off files. Where they are
// kept (database, sealed; the server certificate on disk) is tested with the platform module
// (test/platform/pki-*.test.ts).

const DAY_MS = 24 * 60 * 60 * 1000;

// The development PKI the tests use is made by the same helpers.
const issueAll = tempDevPki;
type Material = DevPki;

interface HandshakeResult {
  received: string;
  clientError: Error | undefined;
  authorized: boolean;
  serverSawCn: string | undefined;
  /** Why the server considered the client unauthorized, when it let the connection through anyway. */
  serverAuthorizationError: Error | undefined;
  serverTlsError: Error | undefined;
}

/**
 * Runs one TLS connection against a mutual-TLS server that trusts only
 * `trustedClientCa`, and reports what each side observed.
 */
async function handshake(
  server: { certPem: string; keyPem: string; trustedClientCa: string; rejectUnauthorized?: boolean },
  client: { ca: string; certPem: string; keyPem: string; servername: string },
): Promise<HandshakeResult> {
  let serverSawCn: string | undefined;
  let serverAuthorizationError: Error | undefined;
  let serverTlsError: Error | undefined;
  const tlsServer = tls.createServer(
    {
      cert: server.certPem,
      key: server.keyPem,
      ca: server.trustedClientCa,
      requestCert: true,
      rejectUnauthorized: server.rejectUnauthorized ?? true,
    },
    (socket) => {
      const cn = socket.getPeerCertificate().subject.CN;
      serverSawCn = Array.isArray(cn) ? cn.join(',') : cn;
      serverAuthorizationError = socket.authorizationError;
      socket.end('hello');
    },
  );
  tlsServer.on('tlsClientError', (error) => {
    serverTlsError = error;
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = tlsServer.address() as AddressInfo;
    return await new Promise<HandshakeResult>((resolve) => {
      let received = '';
      let clientError: Error | undefined;
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername: client.servername,
        ca: client.ca,
        cert: client.certPem,
        key: client.keyPem,
      });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
      });
      socket.on('error', (error) => {
        clientError = error;
      });
      socket.on('close', () => {
        resolve({ received, clientError, authorized: socket.authorized, serverSawCn, serverAuthorizationError, serverTlsError });
      });
    });
  } finally {
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  }
}

describe('platform certificates', () => {
  let first: Material;

  before(async () => {
    first = await issueAll(['pay.varco.test']);
  });

  it('issues certificates with the expected shape', () => {
    for (const env of ['test', 'prod'] as const) {
      const ca = describeCertificate(first.envs[env].caCertPem);
      assert.equal(ca.isCa, true);
      // Production's CA and client certificate are real ones, not named development material.
      const [cn, o] = env === 'prod' ? ['Varco Platform Root CA \\(prod\\)', 'Varco'] : ['Varco Development Root CA \\(test\\)', 'Varco Development'];
      assert.match(ca.subject, new RegExp(`CN=${cn}(\\n|, )O=${o}$`));
      assert.equal(ca.subject, ca.issuer);
      const client = describeCertificate(first.envs[env].clientCertPem);
      assert.equal(client.isCa, false);
      assert.match(client.subject, new RegExp(`CN=varco-platform-client-${env}(\\n|, )O=${o}$`));
      assert.equal(client.issuer, ca.subject);
      assert.ok(new X509Certificate(first.envs[env].clientCertPem).checkIssued(new X509Certificate(first.envs[env].caCertPem)));
      assert.deepEqual(splitPemChain(first.envs[env].clientChainPem), [first.envs[env].clientCertPem, first.envs[env].caCertPem]);
      assert.match(first.envs[env].clientKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.ok(keyMatches(first.envs[env].clientCertPem, first.envs[env].clientKeyPem));
      assert.ok(issuedBy(first.envs[env].clientCertPem, first.envs[env].caCertPem));
    }
    assert.ok(!issuedBy(first.envs.prod.clientCertPem, first.envs.test.caCertPem));
    assert.ok(!keyMatches(first.envs.prod.clientCertPem, first.envs.test.clientKeyPem));
    const server = describeCertificate(first.server.certPem);
    assert.match(server.subject, /^CN=pay\.varco\.test/);
    assert.equal(server.issuer, describeCertificate(first.envs.test.caCertPem).subject);
    assert.deepEqual(new Set(server.dnsNames), new Set(['pay.varco.test', 'localhost']));
    assert.deepEqual(new Set(server.ipAddresses), new Set(['127.0.0.1', '::1']));
    assert.match(server.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(server.serialNumber, /^[0-9A-F]+$/);
    const lifetimeDays = (server.notAfter.getTime() - server.notBefore.getTime()) / DAY_MS;
    assert.ok(lifetimeDays > 364 && lifetimeDays < 367, `server lifetime ${lifetimeDays} days`);
    assert.deepEqual(splitPemChain(first.server.chainPem), [first.server.certPem, first.envs.test.caCertPem]);
  });

  it('completes mutual TLS with the test client certificate', async () => {
    const result = await handshake(
      { certPem: first.server.chainPem, keyPem: first.server.keyPem, trustedClientCa: first.envs.test.caCertPem },
      { ca: first.envs.test.caCertPem, certPem: first.envs.test.clientChainPem, keyPem: first.envs.test.clientKeyPem, servername: 'localhost' },
    );
    assert.equal(result.clientError, undefined);
    assert.equal(result.authorized, true);
    assert.equal(result.received, 'hello');
    assert.equal(result.serverSawCn, 'varco-platform-client-test');
    assert.equal(result.serverAuthorizationError, null);
  });

  it('verifies the server host name', async () => {
    const result = await handshake(
      { certPem: first.server.chainPem, keyPem: first.server.keyPem, trustedClientCa: first.envs.test.caCertPem },
      { ca: first.envs.test.caCertPem, certPem: first.envs.test.clientChainPem, keyPem: first.envs.test.clientKeyPem, servername: 'not-configured.example' },
    );
    assert.equal((result.clientError as NodeJS.ErrnoException | undefined)?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(result.received, '');
  });

  it('rejects the prod client certificate at a server trusting only the test CA', async () => {
    const server = { certPem: first.server.chainPem, keyPem: first.server.keyPem, trustedClientCa: first.envs.test.caCertPem };
    const result = await handshake(server, {
      ca: first.envs.test.caCertPem,
      certPem: first.envs.prod.clientChainPem,
      keyPem: first.envs.prod.clientKeyPem,
      servername: 'localhost',
    });
    // Under TLS 1.3 the client finishes its side of the handshake before the
    // server checks the certificate, so the client just sees the connection
    // dropped (no alert reliably reaches it); assert on what the server did.
    assert.equal(result.received, '');
    assert.equal(result.serverSawCn, undefined);
    assert.ok(result.serverTlsError !== undefined, 'server should report a TLS client error');

    // Same connection with rejection switched off shows *why*: the chain does not verify.
    const lenient = await handshake(
      { ...server, rejectUnauthorized: false },
      { ca: first.envs.test.caCertPem, certPem: first.envs.prod.clientChainPem, keyPem: first.envs.prod.clientKeyPem, servername: 'localhost' },
    );
    assert.equal(lenient.serverSawCn, 'varco-platform-client-prod');
    assert.ok(lenient.serverAuthorizationError !== undefined, 'prod client must not be authorized by the test CA');
  });

  it('exports CA and client chain without private keys', () => {
    // A private key slipped into the chain string must not reach the files.
    const written = exportFiles(
      { caCertPem: first.envs.prod.caCertPem, clientChainPem: first.envs.prod.clientChainPem + first.envs.prod.clientKeyPem },
      'prod',
    );
    assert.deepEqual(
      written.map((file) => file.name),
      ['varco-prod-ca.pem', 'varco-prod-client-chain.pem'],
    );
    const [caFile, chainFile] = written.map((file) => file.pem);
    for (const text of [caFile, chainFile]) {
      assert.ok(text !== undefined);
      assert.doesNotMatch(text, /PRIVATE KEY/);
      assert.ok(!text.includes(first.envs.prod.clientKeyPem.split('\n')[1] ?? '<none>'));
    }
    assert.deepEqual(splitPemChain(caFile ?? ''), [first.envs.prod.caCertPem]);
    assert.deepEqual(splitPemChain(chainFile ?? ''), [first.envs.prod.clientCertPem, first.envs.prod.caCertPem]);
  });

  it('lists five distinct certificates by name', () => {
    const listed = listCertificates(first.server.certPem, { test: first.envs.test, prod: first.envs.prod });
    assert.deepEqual(
      listed.map((c) => c.name),
      ['server', 'test-ca', 'test-client', 'prod-ca', 'prod-client'],
    );
    assert.equal(new Set(listed.map((c) => c.info.fingerprintSha256)).size, 5);
    assert.equal(listed[2]?.info.fingerprintSha256, describeCertificate(first.envs.test.clientCertPem).fingerprintSha256);
  });
});

describe('server certificate renewal', () => {
  it('asks for a new server certificate for a new host name, not for names already covered', async () => {
    const { server } = await issueAll(['pay.varco.test', 'api.varco.test', '10.1.2.3']);
    const now = new Date();
    assert.equal(serverNeedsRenewal(server.certPem, ['pay.varco.test'], now), false);
    assert.equal(serverNeedsRenewal(server.certPem, ['pay.varco.test', 'new.varco.test'], now), true);
    assert.equal(serverNeedsRenewal(server.certPem, ['pay.varco.test', '10.9.9.9'], now), true);
    const info = describeCertificate(server.certPem);
    assert.ok(info.dnsNames.includes('api.varco.test'));
    assert.ok(info.ipAddresses.includes('10.1.2.3'));
    // Reordering or re-spelling names already covered must not churn the cert.
    assert.equal(serverNeedsRenewal(server.certPem, ['API.varco.test', '10.1.2.3', '[0:0:0:0:0:0:0:1]'], now), false);
  });

  it('asks for a new server certificate within 30 days of expiry', async () => {
    const start = Date.now();
    const { server } = await issueAll([], new Date(start));
    assert.equal(serverNeedsRenewal(server.certPem, [], new Date(start + 300 * DAY_MS)), false);
    assert.equal(serverNeedsRenewal(server.certPem, [], new Date(start + 340 * DAY_MS)), true);
    assert.equal(serverNeedsRenewal(server.certPem, [], new Date(start - DAY_MS)), true, 'not yet valid');
    const renewed = await issueAll([], new Date(start + 340 * DAY_MS));
    assert.ok(describeCertificate(renewed.server.certPem).notAfter.getTime() > start + 700 * DAY_MS);
    assert.match(describeCertificate(renewed.server.certPem).subject, /^CN=localhost/);
  });
});

describe('splitPemChain', () => {
  it('keeps only certificate blocks and normalises line endings', async () => {
    const pki = await issueAll([]);
    const mixed = `junk\r\n${pki.envs.test.clientCertPem.replace(/\n/g, '\r\n')}${pki.envs.test.clientKeyPem}${pki.envs.test.caCertPem}`;
    assert.deepEqual(splitPemChain(mixed), [pki.envs.test.clientCertPem, pki.envs.test.caCertPem]);
    assert.deepEqual(splitPemChain(''), []);
  });
});

describe('serverAltNames', () => {
  it('rejects names that cannot appear in a certificate', () => {
    assert.throws(() => serverAltNames(['pay.varco.test:8443']), /not a valid host name/);
    assert.throws(() => serverAltNames(['fe80::1%eth0']), /zone/);
    assert.deepEqual(serverAltNames(['Pay.Varco.Test.', '127.0.0.1']), ['pay.varco.test', '127.0.0.1', 'localhost', '::1']);
  });
});
