import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { decodeResponse, encodeRequest, formatNoticeNumber, type PspOperation, type RequestOf, type ResponseOf } from '../../src/protocols/pagopa/index.ts';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { createTestDatabase } from '../support/db.ts';
import { startEcStation } from '../support/ec-station.ts';
import { assertEmittedValid } from '../support/pagopa-emitted.ts';
import { validateEnvelopes } from '../support/pagopa-xsd.ts';
import { taxCode } from '../pagopa-registry/support.ts';
import { runCliInProcess } from '../support/cli.ts';
import { httpsRequest, runCli, startServer } from '../support/server-process.ts';
import { startSmtpReceiver } from '../support/smtp.ts';

// Issue 11's "done when", as docs/pagopa.md tells a newcomer: the real server process with its
// workers, e-mail through a real SMTP receiver, the operator's steps with `npx varco`, the referents'
// steps in Chromium. A PSP and a creditor institution are onboarded through the existing flows
// (organisation → invitation → password → subscription → approval → key), the EC's own station —
// a real HTTPS server that demands Varco's client certificate — is registered, trusted, approved and
// linked, the PSP registers its channel; then the PSP pays a notice: verify → activate → outcome, and
// the receipt reaches the station. Both referents see the messages and the receipt in the portal, and
// every message Varco emitted validates against the official XSD.

const smtp = await startSmtpReceiver();
const database = await createTestDatabase(2);
const server = await startServer({ env: { DATABASE_URL: database.url, ...smtp.env } });
const cliEnv = { DATABASE_URL: database.url, VARCO_DATA_DIR: server.dataDir };
const context = await launchBrowser({ serverCertificate: server.ca });
const url = (path: string): string => `${server.baseUrl}${path}`;

const PSP = { email: 'paola.verdi@banca.example', password: 'Paola-keeps-a-long-passphrase', taxCode: taxCode() };
const EC = { email: 'marco.neri@comune.example', password: 'Marco-keeps-a-long-passphrase', taxCode: taxCode() };
const CHANNEL_PASSWORD = 'ch4nnelPW9';
const head = { idPSP: 'BANCAEX1XXX', idBrokerPSP: PSP.taxCode, idChannel: `${PSP.taxCode}_01`, password: CHANNEL_PASSWORD };

/** An operator's `npx varco` step: in-process through the CLI's dispatcher, or (`process`) as the real command. */
async function cli(args: string[], how: 'in-process' | 'process' = 'in-process'): Promise<string> {
  const result = how === 'process' ? await runCli(args, cliEnv, 60_000) : await runCliInProcess(args, cliEnv);
  assert.equal(result.code, 0, `npx varco ${args.join(' ')}\n${result.stderr}`);
  return result.stdout;
}

/** Opens the e-mailed invitation, sets the password, signs in, subscribes to the node product in test. */
async function onboardReferent(page: Page, who: { email: string; password: string }): Promise<string> {
  const [invitation] = await smtp.waitFor(1, (m) => m.envelopeTo.includes(who.email), 20_000);
  const link = /https:\/\/\S+\/portal\/invitation\?token=[A-Za-z0-9_-]+/.exec(invitation?.text ?? '')?.[0];
  assert.ok(link, 'the invitation e-mail carries its link');
  await context.clearCookies();
  await page.goto(link);
  await page.getByLabel(/^Password/).fill(who.password);
  await page.getByLabel(/Repeat the password/).fill(who.password);
  await page.getByRole('button', { name: /Confirm/ }).click();
  await page.waitForURL(/\/portal\/sign-in\?welcome=1/);
  await signIn(page, who);
  await page.goto(url('/portal/products'));
  const form = page.locator('form[action="/portal/subscriptions"]').first();
  await form.getByLabel(/Environment/).selectOption('test');
  await form.getByLabel(/name/i).fill('pagoPA');
  await form.getByRole('button').click();
  await page.waitForURL(/\/portal\/subscriptions\/sub_/);
  return page.url().split('?')[0] ?? '';
}

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await context.clearCookies();
  await page.goto(url('/portal/sign-in'));
  await page.getByLabel(/E-mail/).fill(who.email);
  await page.getByLabel(/^Password/).fill(who.password);
  await page.getByRole('button', { name: /Sign in/ }).click();
  await page.waitForURL(/\/portal$/);
}

async function call<O extends PspOperation>(op: O, value: RequestOf<O>, key: string): Promise<ResponseOf<O>> {
  const res = await httpsRequest(server.port, server.ca, '/nodo/node-for-psp/v1', {
    method: 'POST',
    body: encodeRequest(op, value),
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${op}"`, 'ocp-apim-subscription-key': key },
  });
  assert.equal(res.status, 200, res.body);
  const decoded = decodeResponse(op, res.body);
  assert.ok(decoded.ok, res.body);
  assert.equal(decoded.value.outcome, 'OK', `${op}: ${res.body}`);
  return decoded.value;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test(
  'a PSP and an EC onboarded as the README says pay a notice: verify → activate → outcome → receipt at the EC\u2019s station',
  { timeout: 300_000 },
  async () => {
    // 1. The operator creates both organisations and invites their referents.
    // Smoke test: the first step through the real process, as the README runs it.
    const pspOrg = (
      JSON.parse(
        await cli(
          ['org', 'create', '--name', 'Banca Esempio', '--tax-code', PSP.taxCode, '--type', 'psp', '--email', 'pec@banca.example', '--json'],
          'process',
        ),
      ) as { id: string }
    ).id;
    const ecOrg = (
      JSON.parse(
        await cli([
          'org',
          'create',
          '--name',
          'Comune di Esempio',
          '--tax-code',
          EC.taxCode,
          '--type',
          'creditor_institution',
          '--email',
          'pec@comune.example',
          '--json',
        ]),
      ) as { id: string }
    ).id;
    await cli(['invite', '--org', pspOrg, '--first-name', 'Paola', '--last-name', 'Verdi', '--email', PSP.email, '--products', 'node', '--locale', 'en']);
    await cli(['invite', '--org', ecOrg, '--first-name', 'Marco', '--last-name', 'Neri', '--email', EC.email, '--products', 'node', '--locale', 'en']);

    // 2. Each referent accepts and subscribes to the node product in test; the operator approves; the PSP reveals its key.
    const page = await context.newPage();
    let key = '';
    await screenshotOnFailure(page, 'pagopa-onboarding', async () => {
      const pspSubscription = await onboardReferent(page, PSP);
      await onboardReferent(page, EC);
      const submitted = JSON.parse(await cli(['subscription', 'list', '--state', 'submitted', '--json'])) as Array<{ id: string; organisationId: string }>;
      for (const org of [pspOrg, ecOrg]) {
        const subscription = submitted.find((s) => s.organisationId === org);
        assert.ok(subscription, `a submitted subscription of ${org}`);
        await cli(['subscription', 'approve', subscription.id]);
      }
      await signIn(page, PSP);
      await page.goto(pspSubscription);
      await page.locator('form[action$="/keys/primary/reveal"] button').click();
      key = (await page.locator('code.key[data-key="primary"]').textContent())?.trim() ?? '';
      assert.match(key, /^vk_test_[A-Za-z0-9]+$/);
    });

    // 3. The EC's station (demands Varco's client certificate): trusted, registered, approved, linked.
    const station = await startEcStation({ ecs: { fiscalCode: EC.taxCode, name: 'Comune di Esempio' }, clientCas: [server.ca], primitiveVersion: 2 });
    const rootFile = join(server.dataDir, 'ec-root.pem');
    await writeFile(rootFile, station.serverRootPem);
    const code = `${EC.taxCode}_01`;
    await cli(['trust', 'add', '--env', 'test', '--file', rootFile, '--org', ecOrg]);
    await cli(['station', 'add', '--org', ecOrg, '--env', 'test', '--code', code, '--url', station.url, '--ip', '127.0.0.1', '--port', String(station.port)]);
    await cli(['station', 'approve', code, '--env', 'test']);
    await cli(['ec', 'link', '--org', ecOrg, '--env', 'test', '--station', code, '--aux-digit', '3', '--segregation-code', '01', '--version', '2']);

    // 4. The PSP's channel.
    const passwordFile = join(server.dataDir, 'channel-password.txt');
    await writeFile(passwordFile, `${CHANNEL_PASSWORD}\n`);
    await cli([
      'psp',
      'add',
      '--org',
      pspOrg,
      '--env',
      'test',
      '--psp-id',
      head.idPSP,
      '--broker-id',
      head.idBrokerPSP,
      '--channel-id',
      head.idChannel,
      '--channel-password-file',
      passwordFile,
    ]);

    // 5. The payment. The station's default answer: 100.00 € in one transfer to the EC.
    const noticeNumber = formatNoticeNumber({ auxDigit: 3, segregationCode: '01', iuvBase: String(Date.now()).slice(-13) });
    const qrCode = { fiscalCode: EC.taxCode, noticeNumber };
    const verified = await call('verifyPaymentNotice', { ...head, qrCode }, key);
    assert.deepEqual(
      verified.paymentList?.paymentOptionDescription.map((o) => o.amount),
      [10_000],
    );
    const activated = await call('activatePaymentNoticeV2', { ...head, qrCode, amount: 10_000, idempotencyKey: `${head.idPSP}_e2e0000001` }, key);
    const token = activated.paymentToken ?? '';
    assert.ok(token.length > 0 && token.length <= 35);
    await call(
      'sendPaymentOutcomeV2',
      {
        ...head,
        paymentTokens: { paymentToken: [token] },
        outcome: 'OK',
        details: { paymentMethod: 'creditCard', paymentChannel: 'app', fee: 100, applicationDate: '2026-12-04', transferDate: '2026-12-05' },
      },
      key,
    );

    // The server's own workers deliver the receipt through the outbox, over mutual TLS.
    await until(() => station.calls('paSendRTV2').length > 0, 'the receipt at the EC station');
    assert.deepEqual(
      station.calls().map((r) => r.operation),
      ['paVerifyPaymentNotice', 'paGetPaymentV2', 'paSendRTV2'],
    );
    assert.ok(
      station.calls().every((r) => r.clientCertificatePem !== undefined),
      'Varco presented its client certificate on every call',
    );
    const receipt = station.calls('paSendRTV2')[0]?.call;
    assert.ok(receipt && receipt.operation === 'paSendRTV2');
    assert.deepEqual(
      [receipt.value.receipt.noticeNumber, receipt.value.receipt.paymentAmount, receipt.value.receipt.idPSP],
      [noticeNumber, 10_000, head.idPSP],
    );
    const stationErrors = await validateEnvelopes(
      station.requests.map((r, i) => ({ name: `${i} ${r.operation ?? '?'} received by the station`, xml: r.body })),
    );
    assert.deepEqual(
      [...stationErrors].filter(([, e]) => e.length > 0),
      [],
      'what the station received validates against the official XSD',
    );
    const { names } = await assertEmittedValid(database.db);
    assert.equal(names.length, 6, `three answers to the PSP, three requests to the EC: ${names.join(', ')}`);

    // 6. The portal: the EC sees the receipt delivered with its attempt; the PSP sees its messages.
    await screenshotOnFailure(page, 'pagopa-portal', async () => {
      await signIn(page, EC);
      await page.goto(url('/portal/pagopa/receipts'));
      const row = page.locator('tr', { hasText: noticeNumber });
      await row.first().waitFor();
      assert.match(await row.first().innerText(), /[Dd]elivered/);
      await row.first().getByRole('link').first().click();
      const attempts = page.locator('tr[data-attempt]');
      assert.equal(await attempts.count(), 1, 'one delivery attempt');
      assert.equal(await attempts.first().getAttribute('data-attempt'), 'delivered');
      assert.match(await attempts.first().innerText(), /\b200\b/);
      await signIn(page, PSP);
      await page.goto(url(`/portal/pagopa/exchanges?notice=${noticeNumber}`));
      const text = await page.locator('main').innerText();
      for (const op of ['verifyPaymentNotice', 'activatePaymentNoticeV2', 'sendPaymentOutcomeV2']) assert.match(text, new RegExp(op));
      assert.doesNotMatch(text, new RegExp(CHANNEL_PASSWORD), 'the channel password is never shown');
    });
    assert.equal(await server.stop('SIGTERM'), 0);
  },
);
