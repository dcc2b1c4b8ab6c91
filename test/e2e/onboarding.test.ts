import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { createTestDatabase } from '../support/db.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { runCliInProcess } from '../support/cli.ts';
import { httpsRequest, startServer } from '../support/server-process.ts';

// Issue 3's "done when", end to end in Chromium against the real server process, with e-mail
// through a real SMTP receiver: invite → open the e-mailed link → set a password → subscribe →
// approve → reveal the primary key → /api/v1/ping works → regenerate the primary with no overlap →
// the old key gets 401 while the secondary still works.

const ADMIN = { email: 'ops@varco.example', password: 'sturdy-lantern-harbour-7' };
const REFERENT = { email: 'anna.rossi@comune.example', password: 'Anna-picks-a-long-passphrase' };

const smtp = await startSmtpReceiver();
const database = await createTestDatabase(2);
const server = await startServer({ env: { DATABASE_URL: database.url, ...smtp.env } });
const env = { DATABASE_URL: database.url, VARCO_DATA_DIR: server.dataDir };
const serverCert = await readFile(join(server.dataDir, 'pki', 'server.crt'), 'utf8');
const context = await launchBrowser({ serverCertificate: serverCert });
const url = (path: string): string => `${server.baseUrl}${path}`;

async function ping(key: string): Promise<{ status: number; body: string }> {
  const res = await httpsRequest(server.port, server.ca, '/api/v1/ping', { headers: { 'ocp-apim-subscription-key': key } });
  return { status: res.status, body: res.body };
}

async function signIn(page: Page, surface: 'admin' | 'portal', email: string, password: string): Promise<void> {
  await page.goto(url(`/${surface}`));
  await page.getByLabel(/E-mail/).fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: /Sign in|Accedi/ }).click();
  await page.waitForURL(new RegExp(`/${surface}$`));
}

async function shownKey(page: Page, slot: 'primary' | 'secondary'): Promise<string> {
  const key = (await page.locator(`code.key[data-key="${slot}"]`).textContent())?.trim() ?? '';
  assert.match(key, /^vk_test_[A-Za-z0-9]+$/, `${slot} key shown once`);
  return key;
}

test('invite → e-mail → password → subscribe → approve → reveal → ping → regenerate', { timeout: 120_000 }, async () => {
  const passwordFile = join(server.dataDir, 'admin-password');
  await writeFile(passwordFile, ADMIN.password);
  const created = await runCliInProcess(['admin', 'create', '--email', ADMIN.email, '--password-file', passwordFile], env);
  assert.equal(created.code, 0, created.stderr);

  const admin = await context.newPage();
  const referent = await context.newPage();
  await screenshotOnFailure(admin, 'onboarding-admin', async () => {
    await signIn(admin, 'admin', ADMIN.email, ADMIN.password);
    await admin.goto(url('/admin/organisations'));
    await admin.getByLabel('Name', { exact: true }).fill('Comune di Esempio');
    await admin.getByLabel('Tax code / VAT number').fill('00950501007');
    await admin.getByLabel('Type').selectOption('creditor_institution');
    await admin.getByLabel('Contact e-mail').fill('protocollo@comune.example');
    await admin.getByRole('button', { name: 'Create organisation' }).click();
    await admin.waitForURL(/\/admin\/organisations\/org_/);
    await admin.getByLabel('First name').fill('Anna');
    await admin.getByLabel('Last name').fill('Rossi');
    await admin.getByLabel('E-mail', { exact: true }).fill(REFERENT.email);
    await admin.getByLabel(/Node connection/).check();
    await admin.getByRole('button', { name: 'Send invitation' }).click();
    await admin.getByText('Invitation sent.').waitFor();
  });

  const [invitation] = await smtp.waitFor(1, (m) => m.envelopeTo.includes(REFERENT.email), 20_000);
  assert.ok(invitation);
  const link = /https:\/\/\S+\/portal\/invitation\?token=[A-Za-z0-9_-]+/.exec(invitation.text)?.[0];
  assert.ok(link, `invitation link in the e-mail text:\n${invitation.text}`);

  let subscriptionUrl = '';
  await screenshotOnFailure(referent, 'onboarding-referent', async () => {
    // The link names the public URL (localhost:<port>); open it as received.
    await referent.goto(link);
    await referent.getByLabel(/^Password/).fill(REFERENT.password);
    await referent.getByLabel(/Repeat the password/).fill(REFERENT.password);
    await referent.getByRole('button', { name: /Confirm/ }).click();
    await referent.waitForURL(/\/portal\/sign-in\?welcome=1/);
    await signIn(referent, 'portal', REFERENT.email, REFERENT.password);
    await referent.goto(url('/portal/products'));
    const form = referent.locator('form[action="/portal/subscriptions"]').first();
    await form.getByLabel(/Environment/).selectOption('test');
    await form.getByLabel(/name/i).fill('Gestionale tributi');
    await form.getByRole('button').click();
    await referent.waitForURL(/\/portal\/subscriptions\/sub_/);
    subscriptionUrl = referent.url().split('?')[0] ?? '';
    assert.match(await referent.content(), /[Ss]ubmitted/);
  });

  await smtp.waitFor(1, (m) => m.envelopeTo.includes(ADMIN.email), 20_000);
  await screenshotOnFailure(admin, 'onboarding-approve', async () => {
    const id = subscriptionUrl.split('/').pop() ?? '';
    await admin.goto(url(`/admin/subscriptions/${id}`));
    await admin.locator(`form[action="/admin/subscriptions/${id}/approve"] button`).click();
    await admin.waitForLoadState();
    assert.match(await admin.content(), /[Aa]ctive/);
  });
  await smtp.waitFor(1, (m) => m.envelopeTo.includes(REFERENT.email) && m !== invitation, 20_000);

  await screenshotOnFailure(referent, 'onboarding-keys', async () => {
    await referent.goto(subscriptionUrl);
    await referent.locator('form[action$="/keys/primary/reveal"] button').click();
    const primary = await shownKey(referent, 'primary');
    const first = await ping(primary);
    assert.equal(first.status, 200, first.body);
    assert.equal(JSON.parse(first.body).environment, 'test');

    await referent.goto(subscriptionUrl);
    assert.equal(await referent.locator('code.key[data-key="primary"]').count(), 0, 'the full key is shown only once');
    await referent.locator('form[action$="/keys/secondary/reveal"] button').click();
    const secondary = await shownKey(referent, 'secondary');

    await referent.goto(subscriptionUrl);
    // Asked first: the button leads to a page that says what happens; the overlap is chosen there (default 24 h).
    await referent.locator('a[href$="/keys/primary/regenerate"]').click();
    const regenerate = referent.locator('form[action$="/keys/primary/regenerate"]');
    assert.equal(await regenerate.getByLabel(/hours/i).inputValue(), '24');
    await regenerate.getByLabel(/hours/i).fill('0');
    await regenerate.getByRole('button').click();
    const renewed = await shownKey(referent, 'primary');
    assert.notEqual(renewed, primary);

    assert.equal((await ping(primary)).status, 401, 'the regenerated key stops working at once');
    assert.equal((await ping(secondary)).status, 200, 'the secondary still works');
    assert.equal((await ping(renewed)).status, 200, 'the new primary works');
  });
  assert.equal(await server.stop('SIGTERM'), 0);
});
