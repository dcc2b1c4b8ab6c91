import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from '../support/app.ts';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { tempDevPki } from '../support/tls.ts';
import { createOrganisation, issueKeys } from '../support/subscriptions.ts';

// The browsable API reference in Chromium: it renders under Varco's CSP (no violation reported),
// lists ping, and "Try it out" with a key reaches the API from the page.

const pki = await tempDevPki();
const { app, services, database } = await buildTestApp({ tls: { cert: pki.server.chainPem, key: pki.server.keyPem } });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `https://localhost:${(app.server.address() as AddressInfo).port}`;
const keys = await issueKeys(services, await createOrganisation(database.db, 'Docs Org'));
const browser = await launchBrowser({ serverCertificate: pki.server.chainPem });

test('/api/docs renders the reference without CSP violations and documents GET /api/v1/ping', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await screenshotOnFailure(page, 'api-docs', async () => {
    const response = await page.goto(`${base}/api/docs`);
    assert.equal(response?.status(), 200);
    await page.getByText('/api/v1/ping').first().waitFor({ timeout: 15_000 });
    await page.getByText('Varco API').first().waitFor();
    // The page fetched the document itself (connect-src 'self').
    const fetched = await page.evaluate(async () => (await fetch('/api/docs/json')).status);
    assert.equal(fetched, 200);
    // Calling the API from the page with a key, as "Try it out" does.
    const answered = await page.evaluate(async (key) => {
      const r = await fetch('/api/v1/ping', { headers: { 'Ocp-Apim-Subscription-Key': key } });
      return { status: r.status, body: (await r.json()) as { organisation: { name: string } } };
    }, keys.primary);
    assert.deepEqual([answered.status, answered.body.organisation.name], [200, 'Docs Org']);
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused to/i.test(p)),
      [],
    );
  });
  await page.close();
});
