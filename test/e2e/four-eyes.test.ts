import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { buildTestApp } from '../support/app.ts';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { createAdmin, createOrganisation, PASSWORD } from '../support/subscriptions.ts';
import { tempDevPki } from '../support/tls.ts';
import { stationToReview } from '../proposals/support.ts';

// Issue 16's "Done when", in Chromium over HTTPS: administrator A approves a production station,
// which becomes a proposal; A cannot approve it; administrator B approves it; the station is approved
// and the audit log (shown on the proposal page, and in the table) names both.

const dataDir = await mkdtemp(join(tmpdir(), 'varco-e2e-four-eyes-'));
after(() => rm(dataDir, { recursive: true, force: true }));
const devPki = await tempDevPki(['localhost']);
const { app, services, database } = await buildTestApp({
  env: { VARCO_DATA_DIR: dataDir, VARCO_FOUR_EYES: 'true' },
  tls: { cert: devPki.server.chainPem, key: devPki.server.keyPem },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `https://localhost:${(app.server.address() as AddressInfo).port}`;
const db = database.db;
const adminA = await createAdmin(services);
const adminB = await createAdmin(services);
const org = await createOrganisation(db, 'Banca Due Chiavi');
const stationId = await stationToReview(services, db, org, 'prod');

async function signedIn(context: BrowserContext, email: string) {
  const page = await context.newPage();
  await page.goto(`${base}/admin/sign-in`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/admin`);
  return page;
}

test('admin A proposes approving a production station, cannot approve it; admin B approves it; the audit log shows both', async () => {
  const contextA = await launchBrowser({ serverCertificate: devPki.server.certPem });
  const contextB = await launchBrowser({ serverCertificate: devPki.server.certPem });
  const pageA = await signedIn(contextA, adminA.email);
  let proposalUrl = '';
  await screenshotOnFailure(pageA, 'four-eyes-a', async () => {
    await pageA.goto(`${base}/admin/stations/${stationId}`);
    await pageA.getByRole('button', { name: 'Approve', exact: true }).click();
    await pageA.waitForURL(/\/admin\/proposals\/prp_/);
    proposalUrl = pageA.url().split('?')[0] ?? '';
    await pageA.getByText('This change is a proposal').waitFor();
    assert.equal(await pageA.locator('#proposal-state').textContent(), 'waiting for approval');
    assert.match((await pageA.locator('#own-proposal').textContent()) ?? '', /another administrator must approve/);
    assert.equal(await pageA.getByRole('button', { name: 'Approve and execute' }).count(), 0, 'no approve button for the proposer');
  });
  assert.equal((await services.stations.detail(stationId))?.station.approved_version_id, null, 'not approved by A alone');
  // Even a hand-made POST by A is refused.
  const csrf = (await pageA.locator('input[name="_csrf"]').first().getAttribute('value')) ?? '';
  const cookie = (await contextA.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
  const path = new URL(proposalUrl).pathname;
  const forged = (
    await app.inject({
      method: 'POST',
      url: `${path}/approve`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(csrf)}`,
    })
  ).statusCode;
  assert.equal(forged, 403);

  const pageB = await signedIn(contextB, adminB.email);
  await screenshotOnFailure(pageB, 'four-eyes-b', async () => {
    await pageB.goto(`${base}/admin/proposals`);
    await pageB
      .getByRole('link', { name: /Approve station/ })
      .first()
      .click();
    await pageB.getByRole('button', { name: 'Approve and execute' }).click();
    await pageB.getByText('Decision recorded.').waitFor();
    assert.equal(await pageB.locator('#proposal-state').textContent(), 'executed');
    const history = (await pageB.locator('#proposal-history').textContent()) ?? '';
    assert.match(history, new RegExp(`proposed · ${adminA.email}`));
    assert.match(history, new RegExp(`approved · ${adminB.email}`));
    assert.match(history, new RegExp(`executed · ${adminB.email}`));
  });
  assert.notEqual((await services.stations.detail(stationId))?.station.approved_version_id, null, 'approved after B');
  const ids = await db.selectFrom('users').select(['id', 'email']).where('email', 'in', [adminA.email, adminB.email]).execute();
  const idOf = (email: string) => ids.find((u) => u.email === email)?.id;
  const proposalId = proposalUrl.split('/').pop() ?? '';
  const rows = await db.selectFrom('audit_log').select(['action', 'actor_id']).where('subject_id', 'in', [proposalId, stationId]).orderBy('seq').execute();
  assert.ok(rows.some((r) => r.action === 'proposal.proposed' && r.actor_id === idOf(adminA.email)));
  assert.ok(rows.some((r) => r.action === 'proposal.approved' && r.actor_id === idOf(adminB.email)));
  assert.ok(rows.some((r) => r.action === 'station.approved' && r.actor_id === idOf(adminB.email)));
});
