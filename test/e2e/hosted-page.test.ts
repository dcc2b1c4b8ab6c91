import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildTestApp } from '../support/app.ts';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { SHA_IN, SHA_OUT, createMerchant, ownSha, queryPairs, verifyFeedback } from '../support/ecommerce.ts';
import { makeCa, makeLeaf, startPeer } from '../support/tls-peers.ts';
import { createContainer, type ContainerDeps } from '../../src/app/container.ts';
import { tempDevPki } from '../support/tls.ts';
import { escapeHtml } from '../../src/views/html.ts';

// Issue 5's browser test: the production app listening over HTTPS with the development PKI and
// its outbox workers; a shop served by the test on another origin (plain http on 127.0.0.1) posts
// a signed form; Chromium pays with 4111111111111111 on the payment page (its CSP, SRI and script
// in force) and lands on the shop's ACCEPTURL, whose SHASIGN the test checks with its own
// implementation of the rule; the server-to-server feedback reaches an HTTPS receiver. A tampered
// AMOUNT gives the generic error page and an `unknown order/1/s` row in the error log.

const dataDir = await mkdtemp(join(tmpdir(), 'varco-e2e-ncol-'));
after(() => rm(dataDir, { recursive: true, force: true }));
const devPki = await tempDevPki(['localhost']);
const t = await buildTestApp({ env: { VARCO_DATA_DIR: dataDir }, tls: { cert: devPki.server.chainPem, key: devPki.server.keyPem } });
const { app, services } = t;
await app.listen({ host: '127.0.0.1', port: 0 });
const varco = `https://localhost:${(app.server.address() as AddressInfo).port}`;
const container = createContainer({
  config: t.config,
  db: t.database.db,
  databaseUrl: t.database.url,
  logger: app.log as ContainerDeps['logger'],
  clock: { now: () => new Date() },
  audit: t.audit,
  masterKey: t.masterKey,
});
const workers = container.workers();
await workers.start();
after(async () => {
  await workers.stop();
  await container.close();
});

// The merchant's feedback receiver: HTTPS with a certificate from the shop's own CA, which an
// administrator authorised for `test` (for every organisation: the merchant is created later).
const receiverCa = await makeCa({ name: 'Shop Receiver CA' });
const receiver = await startPeer({ leaf: await makeLeaf({ issuer: receiverCa, commonName: 'localhost', altNames: ['localhost'] }), requestCert: false });
assert.ok((await services.trust.add('test', receiverCa.certPem, { allOrganisations: true }, { type: 'admin', id: null, ip: null })).ok);

// The shop, on another origin. Its pages are signed server-side, as a shop plugin does.
const landings: string[] = [];
let shopOrigin = '';
let merchantPspid = '';
const fields = (orderId: string, amount: string): Array<[string, string]> => [
  ['PSPID', merchantPspid],
  ['ORDERID', orderId],
  ['AMOUNT', amount],
  ['CURRENCY', 'EUR'],
  ['LANGUAGE', 'en_US'],
  ['CN', 'Zoë Café'],
  ['ACCEPTURL', `${shopOrigin}/accept?shop=1`],
];
function shopPage(orderId: string, tamperedAmount?: string): string {
  const signed = fields(orderId, '1500');
  const shasign = ownSha(signed, SHA_IN, 'in');
  const sent = signed.map(([n, v]): [string, string] => [n, n === 'AMOUNT' && tamperedAmount ? tamperedAmount : v]);
  const inputs = [...sent, ['SHASIGN', shasign]].map(([n, v]) => `<input type="hidden" name="${n}" value="${escapeHtml(v ?? '')}">`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Checkout</h1>
<form method="post" action="${varco}/ncol/test/orderstandard_utf8.asp">${inputs}<button type="submit">Pay now</button></form></body></html>`;
}
const shop: Server = createServer((req: IncomingMessage, res) => {
  const url = new URL(req.url ?? '/', shopOrigin);
  if (url.pathname === '/accept') {
    landings.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Thanks</title><h1>Thank you for your order</h1>');
    return;
  }
  const page =
    url.pathname === '/shop'
      ? shopPage(url.searchParams.get('order') ?? 'e2e-1')
      : url.pathname === '/shop/tampered'
        ? shopPage('e2e-tampered', '1')
        : undefined;
  if (page === undefined) res.writeHead(404).end();
  else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
});
await new Promise<void>((done) => shop.listen(0, '127.0.0.1', () => done()));
after(() => new Promise<void>((done) => shop.close(() => done())));
shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;

// A full page URL as the referrer setting: Chromium sends only the origin cross-site, which must match it.
const merchant = await createMerchant(t, {
  settings: {
    referrers: `${shopOrigin}/shop`,
    shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
    s2sTiming: 'deferred',
    s2sUrlAccepted: receiver.url('/feedback'),
    s2sMethod: 'POST',
  },
});
merchantPspid = merchant.pspid;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|integrity/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test('in Chromium: shop → payment page → 4111111111111111 → ACCEPTURL with a valid SHASIGN; the feedback reaches the receiver', async () => {
  const context = await launchBrowser({ serverCertificate: devPki.server.certPem });
  const page = await context.newPage();
  const violations = watchCsp(page);
  await screenshotOnFailure(page, 'hosted-page-pay', async () => {
    await page.goto(`${shopOrigin}/shop?order=e2e-1`);
    await page.getByRole('button', { name: 'Pay now' }).click();
    await page.waitForURL(new RegExp(`^${varco}/ncol/test/pay/ord_`));
    await page.getByText('€15.00').first().waitFor();
    assert.equal(await page.getByLabel('Card holder name').inputValue(), 'Zoë Café');
    // The page's own script (SRI, CSP 'self') checks the number as it is typed.
    await page.getByLabel('Card number').fill('4111111111111112');
    assert.notEqual(await page.getByLabel('Card number').evaluate((el) => (el as { validationMessage: string }).validationMessage), '');
    await page.getByLabel('Card number').fill('4111111111111111');
    await page.getByLabel('Expiry date').fill('12/34');
    await page.getByLabel('Card verification code').fill('123');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(new RegExp(`^${shopOrigin}/accept\\?shop=1&`));
    await page.getByText('Thank you for your order').waitFor();
  });
  assert.deepEqual(violations, []);
  const landing = new URL(landings.at(-1) ?? '', shopOrigin);
  const pairs = queryPairs(landing.search, 'utf8');
  assert.deepEqual(pairs[0], ['shop', '1']);
  const f = verifyFeedback(pairs.slice(1));
  assert.equal(f.get('orderID'), 'e2e-1');
  assert.equal(f.get('STATUS'), '9');
  assert.equal(f.get('CARDNO'), 'XXXXXXXXXXXX1111');
  assert.equal(f.get('CN'), 'Zoë Café');

  await until(() => receiver.requests.length > 0, 'the server-to-server feedback');
  const delivered = receiver.requests[0]!;
  const s2s = verifyFeedback(queryPairs(delivered.body.toString('ascii'), 'utf8'));
  assert.equal(s2s.get('PAYID'), f.get('PAYID'));
  const order = await t.database.db.selectFrom('orders').select(['feedback_message_id']).where('order_ref', '=', 'e2e-1').executeTakeFirstOrThrow();
  assert.equal(delivered.headers['varco-event-id'], order.feedback_message_id);
});

test('in Chromium: a tampered AMOUNT gives the generic error page and an unknown order/1/s row in the error log', async () => {
  const context = await launchBrowser({ serverCertificate: devPki.server.certPem });
  const page = await context.newPage();
  await screenshotOnFailure(page, 'hosted-page-tampered', async () => {
    await page.goto(`${shopOrigin}/shop/tampered`);
    await page.getByRole('button', { name: 'Pay now' }).click();
    await page.getByRole('heading', { name: 'An error has occurred' }).waitFor();
    assert.equal(await page.getByLabel('Card number').count(), 0);
  });
  const [row] = await services.errorLog.listForPspid(merchant.pspid, { env: 'test' });
  assert.equal(row?.message, 'unknown order/1/s/');
  assert.equal(row?.orderRef, 'e2e-tampered');
  assert.equal(row?.referrer, `${shopOrigin}/`, 'Chromium sent the origin only');
  assert.ok(row?.debug?.strings[0]?.masked.startsWith('ACCEPTURL='), JSON.stringify(row?.debug));
});
