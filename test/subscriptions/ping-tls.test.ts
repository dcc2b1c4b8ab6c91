import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from '../support/app.ts';
import { httpsGet, tempDevPki } from '../support/tls.ts';
import { createOrganisation, issueKeys } from '../support/subscriptions.ts';

// GET /api/v1/ping over a real HTTPS connection reports the TLS protocol that was negotiated.

const pki = await tempDevPki();
const { app, services, database } = await buildTestApp({ tls: { cert: pki.server.chainPem, key: pki.server.keyPem } });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;
const keys = await issueKeys(services, await createOrganisation(database.db));

for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  test(`ping over ${version} answers tlsProtocol "${version}"`, async () => {
    const response = await httpsGet(port, `/api/v1/ping?subscription-key=${keys.primary}`, {
      ca: pki.envs.test.caCertPem,
      minVersion: version,
      maxVersion: version,
    });
    assert.equal(response.status, 200, response.body);
    assert.equal(response.protocol, version);
    assert.equal((JSON.parse(response.body) as { tlsProtocol: string }).tlsProtocol, version);
  });
}
