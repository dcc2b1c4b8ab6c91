import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { runCliInProcess } from '../support/cli.ts';
import { httpsRequest } from '../support/server-process.ts';
import { createAdmin, createOrganisation, createReferent, issueKeys, PASSWORD } from '../support/subscriptions.ts';
import { makeServerPki, startPeer } from '../support/tls-peers.ts';
import { tempDevPki } from '../support/tls.ts';

// Issue 4's browser test: the production app listening over HTTPS with the development PKI, an
// organisation's service played by real local HTTPS peers that require a client certificate from
// Varco's test client CA. Their server certificate comes from the organisation's own CA, which an
// operator authorises with `npx varco trust add --env test`. In Chromium a referent registers a
// station with a primary and a secondary endpoint, an administrator approves it, and the referent
// presses Verify and sees every step green.

// Runs in the page: the colour the verdict is actually drawn in (the CSP drops inline styles, so
// only the stylesheet's classes can make it green). Typed loosely: the tests compile without DOM types.
const colourOf = (element: unknown): string => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(element).color;

const dataDir = await mkdtemp(join(tmpdir(), 'varco-e2e-stations-'));
after(() => rm(dataDir, { recursive: true, force: true }));
const devPki = await tempDevPki(['localhost']);
const { app, services, database } = await buildTestApp({ env: { VARCO_DATA_DIR: dataDir }, tls: { cert: devPki.server.chainPem, key: devPki.server.keyPem } });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;
const base = `https://localhost:${port}`;

const admin = await createAdmin(services);
const org = await createOrganisation(database.db, 'Banca E2E');
const referent = await createReferent(database.db, org, ['node']);
const orgPki = await makeServerPki({
  commonName: 'localhost',
  altNames: ['localhost'],
  rootName: 'Banca E2E Root CA',
  intermediateName: 'Banca E2E Issuing CA',
});
const peerOptions = {
  leaf: orgPki.leaf,
  chain: [orgPki.intermediate!],
  clientCas: [(await services.platformCertificates.downloads('test')).caPem],
  requestCert: true,
  rejectUnauthorized: true,
};
const primary = await startPeer(peerOptions);
const secondary = await startPeer(peerOptions);

test('the operator authorises the organisation\u2019s CA for test with the CLI', async () => {
  const file = join(dataDir, 'banca-root.pem');
  await writeFile(file, orgPki.root.certPem);
  const result = await runCliInProcess(['trust', 'add', '--env', 'test', '--file', file, '--org', org], {
    DATABASE_URL: database.url,
    VARCO_DATA_DIR: dataDir,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`Trusted in test for organisation ${org}: CN=Banca E2E Root CA`));
});

test('in Chromium: register, approve, Verify; every step is green for the primary and the secondary', async () => {
  const context = await launchBrowser({ serverCertificate: devPki.server.certPem });
  const page = await context.newPage();
  await screenshotOnFailure(page, 'stations-verify', async () => {
    // The referent registers the station.
    await page.goto(`${base}/portal/sign-in`);
    await page.getByLabel('E-mail').fill(referent.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/portal`);
    await page.getByRole('link', { name: 'Stations' }).first().click();
    await page.getByRole('link', { name: 'Register a station' }).click();
    await page.locator('#code').fill('E2E_01');
    await page.locator('#environment').selectOption('test');
    await page.locator('#primaryUrl').fill(primary.url('/node'));
    await page.locator('#primaryIp').fill('127.0.0.1');
    await page.locator('#primaryPort').fill(String(primary.port));
    await page.locator('#secondaryUrl').fill(secondary.url('/node'));
    await page.locator('#secondaryIp').fill('127.0.0.1');
    await page.locator('#secondaryPort').fill(String(secondary.port));
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.waitForURL(/\/portal\/stations\/sta_[0-9a-z]+\?submitted=1$/);
    const stationUrl = page.url().split('?')[0] ?? '';
    assert.equal((await page.locator('[data-review]').first().textContent())?.trim(), 'To check');

    // An administrator approves it.
    const adminPage = await context.newPage();
    await adminPage.goto(`${base}/admin/sign-in`);
    await adminPage.getByLabel('E-mail').fill(admin.email);
    await adminPage.getByLabel('Password').fill(PASSWORD);
    await adminPage.getByRole('button', { name: 'Sign in' }).click();
    await adminPage.waitForURL(`${base}/admin`);
    await adminPage.goto(`${base}/admin/stations?filter=to_check`);
    await adminPage.getByRole('link', { name: 'E2E_01' }).click();
    await adminPage.getByRole('button', { name: 'Approve' }).click();
    await adminPage.waitForURL(/\?saved=1$/);
    assert.equal((await adminPage.locator('[data-review]').first().textContent())?.trim(), 'Approved');

    // The organisation calls GET /api/v1/ping with its key (the inbound direction).
    const keys = await issueKeys(services, org, 'node', 'test');
    const ping = await httpsRequest(port, devPki.envs.test.caCertPem, '/api/v1/ping', { headers: { 'ocp-apim-subscription-key': keys.primary } });
    assert.equal(ping.status, 200, ping.body);
    await services.keyVerifier.flush();

    // The referent presses Verify.
    await page.goto(stationUrl);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\?verified=1#check$/);
    for (const role of ['primary', 'secondary']) {
      const section = page.locator(`section.endpoint-check[data-role="${role}"]`);
      const rows = section.locator('tbody tr');
      assert.equal(await rows.count(), 7, `${role}: seven steps, the last proving the station requires Varco\u2019s client certificate`);
      for (let i = 0; i < 7; i++) {
        const verdict = rows.nth(i).locator('.verdict');
        assert.equal((await verdict.textContent())?.trim(), '\u2714 passed', `${role} step ${await rows.nth(i).getAttribute('data-step')}`);
        assert.equal(await verdict.evaluate(colourOf), 'rgb(27, 122, 58)', 'green');
        assert.match((await rows.nth(i).locator('td').nth(2).textContent()) ?? '', /^\d+ ms$/);
      }
    }
    assert.equal(await page.locator('section.inbound-check').getAttribute('data-ok'), 'true');
    assert.equal(await page.locator('section.inbound-check .verdict').evaluate(colourOf), 'rgb(27, 122, 58)');
    assert.equal((await page.locator('strong[data-connection]').textContent())?.trim(), 'Connection verified');
  });
  // Nothing when the version was submitted; the probe of Verify, with Varco's client certificate (the
  // same request without it was refused during the handshake, so it never became a request).
  assert.equal(primary.requests.length, 1, 'the signed probe reached the primary');
  assert.equal(secondary.requests.length, 1, 'and the secondary');
  assert.ok(primary.requests[0]?.clientCertificatePem, 'with Varco\u2019s client certificate');
});
