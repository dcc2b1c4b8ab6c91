import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { createApiUser, ncAnswer, signedDirect } from '../support/directlink.ts';
import { SHA_IN, SHA_OUT, createMerchant, ownSha, queryPairs, verifyFeedback } from '../support/ecommerce.ts';
import { buildHttpsApp } from '../support/https-app.ts';
import { makeCa, makeLeaf, startPeer } from '../support/tls-peers.ts';
import { escapeHtml } from '../../src/views/html.ts';

// Issue 13's browser test: a shop (served by the test on another origin) posts a signed hosted-page
// order with OPERATION=RES; the customer pays with a test card in Chromium and lands on ACCEPTURL
// authorised (STATUS 5); then the shop's server captures in two parts and refunds through DirectLink
// maintenancedirect over HTTPS (SHA-IN signed by the test). Every feedback — the redirect's and the
// server-to-server one of the authorisation and of each operation, delivered by the outbox workers to
// an HTTPS receiver — has its SHA-OUT checked by the test's own implementation of the rule over the
// published parameter list (test/support/ecommerce.ts ownSha, docs/reference/ogone/shaout-params.txt).

const t = await buildHttpsApp();
const workers = t.container.workers();
await workers.start();
after(() => workers.stop());

// The merchant's feedback receiver: HTTPS with a certificate from the shop's own CA, trusted for `test`.
const receiverCa = await makeCa({ name: 'Shop Receiver CA' });
const receiver = await startPeer({ leaf: await makeLeaf({ issuer: receiverCa, commonName: 'localhost', altNames: ['localhost'] }), requestCert: false });
assert.ok((await t.services.trust.add('test', receiverCa.certPem, { allOrganisations: true }, { type: 'admin', id: null, ip: null })).ok);

let shopOrigin = '';
let pspid = '';
const landings: string[] = [];
function shopPage(orderId: string): string {
  const fields: Array<[string, string]> = [
    ['PSPID', pspid],
    ['ORDERID', orderId],
    ['AMOUNT', '2000'],
    ['CURRENCY', 'EUR'],
    ['LANGUAGE', 'en_US'],
    ['OPERATION', 'RES'],
    ['ACCEPTURL', `${shopOrigin}/accept`],
  ];
  const inputs = [...fields, ['SHASIGN', ownSha(fields, SHA_IN, 'in')]]
    .map(([n, v]) => `<input type="hidden" name="${n}" value="${escapeHtml(v ?? '')}">`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Checkout</h1>
<form method="post" action="${t.base}/ncol/test/orderstandard_utf8.asp">${inputs}<button type="submit">Pay now</button></form></body></html>`;
}
const shop: Server = createServer((req: IncomingMessage, res) => {
  const url = new URL(req.url ?? '/', shopOrigin);
  if (url.pathname === '/accept') {
    landings.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Thanks</title><h1>Thank you for your order</h1>');
  } else if (url.pathname === '/shop')
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(shopPage(url.searchParams.get('order') ?? 'res-1'));
  else res.writeHead(404).end();
});
await new Promise<void>((done) => shop.listen(0, '127.0.0.1', () => done()));
after(() => new Promise<void>((done) => shop.close(() => done())));
shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;

const merchant = await createMerchant(t, {
  settings: {
    referrers: `${shopOrigin}/shop`,
    shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
    s2sTiming: 'deferred',
    s2sUrlAccepted: receiver.url('/feedback'),
    s2sMethod: 'POST',
  },
});
pspid = merchant.pspid;
const user = await createApiUser(t, merchant);

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function maintenance(payId: string, operation: string, amount?: string) {
  const fields: Array<[string, string]> = [['PAYID', payId], ['OPERATION', operation], ...(amount ? [['AMOUNT', amount] as [string, string]] : [])];
  return ncAnswer(await t.postForm('/ncol/test/maintenancedirect.asp', signedDirect(merchant, user, fields))).attributes;
}

test('in Chromium: RES on the hosted page → STATUS 5; capture in two parts and refund through maintenancedirect; every feedback’s SHA-OUT verified', async () => {
  const context = await launchBrowser({ serverCertificate: t.serverCertPem });
  const page = await context.newPage();
  await screenshotOnFailure(page, 'hosted-res-capture', async () => {
    await page.goto(`${shopOrigin}/shop?order=res-1`);
    await page.getByRole('button', { name: 'Pay now' }).click();
    await page.waitForURL(new RegExp(`^${t.base}/ncol/test/pay/ord_`));
    await page.getByText('€20.00').first().waitFor();
    await page.getByLabel('Card holder name').fill('Ada Lovelace');
    await page.getByLabel('Card number').fill('5399999999999999');
    await page.getByLabel('Expiry date').fill('12/34');
    await page.getByLabel('Card verification code').fill('123');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(new RegExp(`^${shopOrigin}/accept\\?`));
    await page.getByText('Thank you for your order').waitFor();
  });
  const redirect = verifyFeedback(queryPairs(new URL(landings.at(-1) ?? '', shopOrigin).search, 'utf8'));
  assert.deepEqual([redirect.get('orderID'), redirect.get('STATUS'), redirect.get('NCERROR'), redirect.get('BRAND')], ['res-1', '5', '0', 'MasterCard']);
  const payId = redirect.get('PAYID') ?? '';
  assert.match(payId, /^[0-9]+$/);

  const captured = await maintenance(payId, 'SAL', '1200');
  assert.deepEqual([captured.get('PAYIDSUB'), captured.get('STATUS'), captured.get('NCERROR')], ['1', '9', '0']);
  const last = await maintenance(payId, 'SAS');
  assert.deepEqual([last.get('PAYIDSUB'), last.get('STATUS'), last.get('amount')], ['2', '9', '8']);
  const refunded = await maintenance(payId, 'RFD', '500');
  assert.deepEqual([refunded.get('PAYIDSUB'), refunded.get('STATUS'), refunded.get('amount')], ['3', '8', '5']);

  // The authorisation's feedback, then one per operation, each delivered to the receiver and signed.
  await until(() => receiver.requests.length >= 4, 'four server-to-server feedbacks');
  const delivered = receiver.requests.map((r) => verifyFeedback(queryPairs(r.body.toString('ascii'), 'utf8')));
  const seen = delivered.map((f) => [f.get('PAYID'), f.get('PAYIDSUB') ?? '', f.get('STATUS'), f.get('amount')]).sort((a, b) => (a[1]! < b[1]! ? -1 : 1));
  assert.deepEqual(seen, [
    [payId, '', '5', '20'],
    [payId, '1', '9', '12'],
    [payId, '2', '9', '8'],
    [payId, '3', '8', '5'],
  ]);
});
