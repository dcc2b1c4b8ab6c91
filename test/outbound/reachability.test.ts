// Reachability verification against real HTTPS peers on loopback, one misconfiguration per case.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createDestinationPolicy, verifyEndpoint, type ReachabilityReport, type ReachabilityStep } from '../../src/modules/outbound/index.ts';
import { verifyProbeSignature } from '../../src/modules/outbound/index.ts';
import { daysFromNow, hasOpenSsl, makeCa, makeLeaf, refusedPort, startOpenSslPeer, startPeer } from '../support/tls-peers.ts';
import { endpointOf, goodPeer, makeWorld, type World } from './fixtures.ts';
import { testDestinations } from '../support/outbound.ts';

const ALL_STEPS = ['dns', 'tcp', 'tls_version', 'server_certificate', 'client_certificate_accepted', 'probe', 'client_certificate_required'];

function statuses(report: ReachabilityReport): Record<string, string> {
  return Object.fromEntries(report.steps.map((entry) => [entry.step, entry.status]));
}

function stepOf(report: ReachabilityReport, name: string): ReachabilityStep {
  const found = report.steps.find((entry) => entry.step === name);
  assert.ok(found, `no step ${name}`);
  return found;
}

describe('outbound reachability verification', () => {
  let world: World;
  before(async () => {
    world = await makeWorld();
  });
  const verify = (endpoint: Parameters<typeof verifyEndpoint>[1], trust = world.trust): Promise<ReachabilityReport> =>
    verifyEndpoint('test', endpoint, { identity: world.identity, trust, destinations: testDestinations() });

  it('passes every step for a well-configured endpoint, with a probe the peer can verify', async () => {
    const peer = await goodPeer(world);
    const report = await verify(endpointOf(peer));
    assert.deepEqual(
      report.steps.map((entry) => entry.step),
      ALL_STEPS,
    );
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'passed',
      tls_version: 'passed',
      server_certificate: 'passed',
      client_certificate_accepted: 'passed',
      probe: 'passed',
      client_certificate_required: 'passed',
    });
    assert.equal(report.ok, true);
    assert.match(stepOf(report, 'tls_version').message, /TLSv1\.3/);
    assert.ok(report.steps.every((entry) => entry.durationMs >= 0));

    assert.equal(peer.requests.length, 1);
    const probe = peer.requests[0]!;
    assert.equal(probe.method, 'POST');
    assert.equal(probe.url, '/service');
    const body = JSON.parse(probe.body.toString('utf8')) as { type: string; id: string; sentAt: string };
    assert.equal(body.type, 'varco.ping');
    assert.match(body.id, /^ver_/);
    assert.ok(!Number.isNaN(Date.parse(body.sentAt)));
    // The peer checks the signature with the client certificate it saw in the handshake.
    assert.equal(probe.clientCertificatePem !== undefined, true);
    assert.equal(probe.headers['varco-certificate-fingerprint'], world.platformClient.fingerprint256);
    assert.equal(verifyProbeSignature(probe.body, probe.headers, probe.clientCertificatePem!), true);
    assert.equal(verifyProbeSignature(Buffer.from(probe.body.toString('utf8').replace('ping', 'pong')), probe.headers, probe.clientCertificatePem!), false);
  });

  it('fails server_certificate when the certificate names another host than the FQDN', async () => {
    const leaf = await makeLeaf({ issuer: world.orgIntermediate, commonName: 'service.example.test', altNames: ['service.example.test', '*.example.test'] });
    const peer = await goodPeer(world, { leaf });
    const report = await verify(endpointOf(peer));
    const certificate = stepOf(report, 'server_certificate');
    assert.equal(certificate.status, 'failed');
    assert.equal(report.ok, false);
    assert.deepEqual(
      certificate.checks?.filter((check) => !check.ok).map((check) => check.check),
      ['name'],
    );
    assert.match(certificate.message, /names are service\.example\.test, \*\.example\.test .* but the service FQDN is localhost/);
    assert.match(certificate.fix ?? '', /localhost/);
    assert.equal(stepOf(report, 'probe').status, 'skipped');
    assert.equal(peer.requests.length, 0);
  });

  it('fails server_certificate on an expired certificate and says when it expired', async () => {
    const leaf = await makeLeaf({
      issuer: world.orgIntermediate,
      commonName: 'localhost',
      altNames: ['localhost'],
      notBefore: daysFromNow(-400),
      notAfter: daysFromNow(-30),
    });
    const peer = await goodPeer(world, { leaf });
    const report = await verify(endpointOf(peer));
    const certificate = stepOf(report, 'server_certificate');
    assert.equal(certificate.status, 'failed');
    assert.deepEqual(
      certificate.checks?.filter((check) => !check.ok).map((check) => check.check),
      ['validity'],
    );
    assert.match(certificate.message, /"localhost" expired on \d{4}-\d\d-\d\dT[\d:]+Z \((29|30) days ago\)/);
    assert.equal(stepOf(report, 'probe').status, 'skipped');
  });

  it('fails server_certificate when the certificate comes from a CA that is not trusted', async () => {
    const otherRoot = await makeCa({ name: 'Unknown Root CA' });
    const otherIntermediate = await makeCa({ name: 'Unknown Issuing CA', issuer: otherRoot });
    const leaf = await makeLeaf({ issuer: otherIntermediate, commonName: 'localhost', altNames: ['localhost'] });
    const peer = await goodPeer(world, { leaf, chain: [otherIntermediate, otherRoot] });
    const report = await verify(endpointOf(peer));
    const certificate = stepOf(report, 'server_certificate');
    assert.equal(certificate.status, 'failed');
    assert.deepEqual(
      certificate.checks?.filter((check) => !check.ok).map((check) => check.check),
      ['chain'],
    );
    assert.match(certificate.message, /ends at the root "Unknown Root CA", which is not trusted for this environment/);
    assert.match(certificate.fix ?? '', /CA\/Browser Forum|authorise "Unknown Root CA"/);
  });

  it('fails tls_version against a server that offers only TLS 1.1, and names what it offers', async () => {
    const peer = await goodPeer(world, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const report = await verify(endpointOf(peer));
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'passed',
      tls_version: 'failed',
      server_certificate: 'skipped',
      client_certificate_accepted: 'skipped',
      probe: 'skipped',
      client_certificate_required: 'skipped',
    });
    const version = stepOf(report, 'tls_version');
    assert.match(version.message, /offers at most TLSv1\.1; Varco requires TLS 1\.2 or later/);
    assert.match(version.fix ?? '', /Enable TLS 1\.2/);
    assert.equal(peer.requests.length, 0);
  });

  it('fails client_certificate_accepted when the server trusts another CA for client certificates (TLS 1.3)', async () => {
    const otherClientCa = await makeCa({ name: 'Somebody Else CA' });
    const peer = await goodPeer(world, { clientCas: [otherClientCa.certPem] });
    const report = await verify(endpointOf(peer));
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'passed',
      tls_version: 'passed',
      server_certificate: 'passed',
      client_certificate_accepted: 'failed',
      probe: 'skipped',
      client_certificate_required: 'skipped',
    });
    const client = stepOf(report, 'client_certificate_accepted');
    // node's TLS server refuses an untrusted client certificate by closing, not with an alert.
    assert.match(client.message, /refused Varco's client certificate: the server closed the connection right after the TLS 1\.3 handshake, without an alert/);
    assert.match(client.fix ?? '', /"Varco Test Platform CA"/);
  });

  it('fails client_certificate_accepted when the server refuses our certificate during a TLS 1.2 handshake', async () => {
    const otherClientCa = await makeCa({ name: 'Somebody Else CA' });
    const peer = await goodPeer(world, { clientCas: [otherClientCa.certPem], maxVersion: 'TLSv1.2' });
    const report = await verify(endpointOf(peer));
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'passed',
      tls_version: 'passed',
      server_certificate: 'skipped',
      client_certificate_accepted: 'failed',
      probe: 'skipped',
      client_certificate_required: 'skipped',
    });
    assert.match(stepOf(report, 'client_certificate_accepted').message, /closed the connection right after receiving Varco's client certificate/);
  });

  it(
    'fails client_certificate_accepted when an OpenSSL server answers our certificate with an alert',
    { skip: hasOpenSsl ? false : 'no openssl binary at /usr/bin/openssl' },
    async () => {
      const otherClientCa = await makeCa({ name: 'Somebody Else CA' });
      const peer = await startOpenSslPeer({ leaf: world.orgLeaf, chain: [world.orgIntermediate], clientCas: [otherClientCa.certPem] });
      const report = await verify({ url: `https://localhost:${peer.port}/`, ip: peer.host, port: peer.port, connectTimeoutMs: 2000, responseTimeoutMs: 2000 });
      assert.deepEqual(statuses(report), {
        dns: 'passed',
        tcp: 'passed',
        tls_version: 'passed',
        server_certificate: 'passed',
        client_certificate_accepted: 'failed',
        probe: 'skipped',
        client_certificate_required: 'skipped',
      });
      assert.match(stepOf(report, 'client_certificate_accepted').message, /answered our certificate with the TLS alert "tlsv1 alert unknown ca"/);
    },
  );

  it('fails full_chain when the server sends only its leaf certificate', async () => {
    const peer = await goodPeer(world, { chain: [] });
    const report = await verify(endpointOf(peer));
    const certificate = stepOf(report, 'server_certificate');
    assert.equal(certificate.status, 'failed');
    const fullChain = certificate.checks?.find((check) => check.check === 'full_chain');
    assert.equal(fullChain?.ok, false);
    assert.match(fullChain?.message ?? '', /sent only its own certificate "localhost"; the intermediate "Org Issuing CA 1" that issued "localhost" is missing/);
    assert.match(fullChain?.fix ?? '', /Install the full chain .* intermediate "Org Issuing CA 1"/);

    // Knowing the intermediate (e.g. uploaded at registration) proves the chain itself is sound.
    const known = await verify(endpointOf(peer), { roots: world.trust.roots, intermediates: [world.orgIntermediate.certPem] });
    const checks = stepOf(known, 'server_certificate').checks ?? [];
    assert.deepEqual(
      checks.filter((check) => !check.ok).map((check) => check.check),
      ['full_chain'],
    );
  });

  it('fails key_strength on an RSA 1024-bit server key', async () => {
    const leaf = await makeLeaf({ issuer: world.orgIntermediate, commonName: 'localhost', altNames: ['localhost'], key: { type: 'rsa', bits: 1024 } });
    // OpenSSL's default security level refuses to even load such a key on the server.
    const peer = await goodPeer(world, { leaf, ciphers: 'DEFAULT@SECLEVEL=0' });
    const report = await verify(endpointOf(peer));
    const certificate = stepOf(report, 'server_certificate');
    assert.equal(certificate.status, 'failed');
    assert.deepEqual(
      certificate.checks?.filter((check) => !check.ok).map((check) => check.check),
      ['key_strength'],
    );
    assert.match(certificate.message, /"localhost" has an RSA 1024-bit key; Varco requires RSA of at least 2048 bits/);
  });

  it('warns on DNS pointing elsewhere but connects to the registered IP and verifies the FQDN', async () => {
    // localhost resolves to 127.0.0.1; the peer listens only on 127.0.0.2.
    const peer = await goodPeer(world, { host: '127.0.0.2' });
    const report = await verify(endpointOf(peer));
    assert.deepEqual(statuses(report), {
      dns: 'warning',
      tcp: 'passed',
      tls_version: 'passed',
      server_certificate: 'passed',
      client_certificate_accepted: 'passed',
      probe: 'passed',
      client_certificate_required: 'passed',
    });
    assert.equal(report.ok, true);
    assert.match(stepOf(report, 'dns').message, /localhost resolves to .*not to the registered IP 127\.0\.0\.2\. Varco connects to 127\.0\.0\.2 regardless/);
    assert.equal(peer.requests.length, 1);
  });

  it('warns when the FQDN does not resolve at all', async () => {
    const peer = await goodPeer(world);
    const report = await verifyEndpoint('test', endpointOf(peer), {
      identity: world.identity,
      trust: world.trust,
      destinations: testDestinations(),
      resolve: () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })),
    });
    assert.equal(stepOf(report, 'dns').status, 'warning');
    assert.match(stepOf(report, 'dns').message, /does not resolve \(ENOTFOUND\)/);
    assert.equal(report.ok, true);
  });

  it('fails tcp on a refused port and skips everything after it', async () => {
    const port = await refusedPort();
    const report = await verify({ url: `https://localhost:${port}/service`, ip: '127.0.0.1', port, connectTimeoutMs: 2000, responseTimeoutMs: 2000 });
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'failed',
      tls_version: 'skipped',
      server_certificate: 'skipped',
      client_certificate_accepted: 'skipped',
      probe: 'skipped',
      client_certificate_required: 'skipped',
    });
    assert.match(stepOf(report, 'tcp').message, /refused/);
    assert.match(stepOf(report, 'tcp').fix ?? '', /listens on 127\.0\.0\.1:\d+/);
  });

  it('fails the probe when the service answers with a non-2xx status', async () => {
    const peer = await goodPeer(world, { reply: () => ({ status: 404, body: 'no such service' }) });
    const report = await verify(endpointOf(peer));
    assert.equal(stepOf(report, 'client_certificate_accepted').status, 'passed');
    const probe = stepOf(report, 'probe');
    assert.equal(probe.status, 'failed');
    assert.match(probe.message, /answered HTTP 404 to the signed POST \/service/);
  });

  it('proves the certificate is required: without it the peer refuses the handshake (TLS 1.3 and 1.2)', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const peer = await goodPeer(world, { maxVersion });
      const report = await verify(endpointOf(peer));
      const required = stepOf(report, 'client_certificate_required');
      assert.equal(required.status, 'passed', `${maxVersion}: ${required.message}`);
      assert.equal(required.code, 'certificate_demanded_handshake');
      assert.match(required.message, /^Without Varco's client certificate the station refused the connection/);
      assert.equal(peer.requests.length, 1, 'only the probe with the certificate got through');
      assert.ok(peer.requests.every((request) => request.clientCertificatePem !== undefined));
    }
  });

  it('fails client_certificate_required for a server that does not ask for a client certificate: it is never verified', async () => {
    const peer = await startPeer({ leaf: world.orgLeaf, chain: [world.orgIntermediate], requestCert: false, rejectUnauthorized: false });
    const report = await verify(endpointOf(peer));
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'passed',
      tls_version: 'passed',
      server_certificate: 'passed',
      client_certificate_accepted: 'passed',
      probe: 'passed',
      client_certificate_required: 'failed',
    });
    assert.equal(report.ok, false);
    const required = stepOf(report, 'client_certificate_required');
    assert.equal(required.code, 'certificate_not_required');
    assert.deepEqual(required.params, { status: '200', ca: '"Varco Test Platform CA"' });
    assert.equal(required.message, "The station does not require Varco's client certificate: the same signed request without it was answered HTTP 200.");
    assert.match(required.fix ?? '', /require a client certificate issued by "Varco Test Platform CA"/);
    assert.deepEqual(
      peer.requests.map((request) => request.clientCertificatePem === undefined),
      [true, true],
      'no certificate was asked for, none was seen',
    );
  });

  it('fails client_certificate_required for a server that asks for a certificate but serves requests without one', async () => {
    const peer = await goodPeer(world, { rejectUnauthorized: false });
    const report = await verify(endpointOf(peer));
    assert.equal(stepOf(report, 'client_certificate_accepted').status, 'passed');
    assert.equal(stepOf(report, 'client_certificate_required').status, 'failed');
    assert.equal(report.ok, false);
    assert.deepEqual(
      peer.requests.map((request) => request.clientCertificatePem !== undefined),
      [true, false],
    );
  });

  it('passes client_certificate_required when the application answers 4xx to a request without the certificate', async () => {
    const peer = await goodPeer(world, {
      rejectUnauthorized: false,
      reply: (request) => (request.clientCertificatePem ? { status: 200 } : { status: 403, body: 'certificate required' }),
    });
    const report = await verify(endpointOf(peer));
    const required = stepOf(report, 'client_certificate_required');
    assert.equal(required.status, 'passed');
    assert.equal(required.code, 'certificate_demanded_status');
    assert.deepEqual(required.params, { status: '403', ca: '"Varco Test Platform CA"' });
    assert.equal(report.ok, true);
  });

  it('connects to nothing when the registered address is not an allowed destination', async () => {
    const peer = await goodPeer(world);
    const report = await verifyEndpoint('test', endpointOf(peer), {
      identity: world.identity,
      trust: world.trust,
      destinations: createDestinationPolicy({ allowCidrs: [] }),
    });
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'failed',
      tls_version: 'skipped',
      server_certificate: 'skipped',
      client_certificate_accepted: 'skipped',
      probe: 'skipped',
      client_certificate_required: 'skipped',
    });
    assert.match(stepOf(report, 'tcp').message, /Varco did not connect to localhost at 127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/);
    assert.equal(peer.secureConnections, 0);
  });
});
