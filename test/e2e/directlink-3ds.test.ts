import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { SHA_OUT, createMerchant, queryPairs, verifyFeedback } from '../support/ecommerce.ts';
import { createApiUser, ncAnswer, postDirect, signedDirect } from '../support/directlink.ts';
import { freePort } from '../support/processes.ts';
import { tempDevPki } from '../support/tls.ts';

// Issue 13, 3-D Secure through DirectLink in Chromium: the shop's server calls orderdirect with the
// 3-D test card and FLAG3D=Y, writes the HTML_ANSWER it receives into its page; the browser runs it,
// lands on Varco's challenge page (its CSP in force, no violation), authenticates, and arrives at the
// shop's ACCEPTURL with the feedback whose SHA-OUT the test checks.

const devPki = await tempDevPki(['localhost']);
const port = await freePort();
const varco = `https://localhost:${port}`;
const t = await buildTestApp({ env: { VARCO_PUBLIC_URL: varco }, tls: { cert: devPki.server.chainPem, key: devPki.server.keyPem } });
await t.app.listen({ host: '127.0.0.1', port });
const merchant = await createMerchant(t, { settings: { shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT }, feedbackOnRedirect: true } });
const user = await createApiUser(t, merchant);

const landings: string[] = [];
let shopOrigin = '';
/** The shop's checkout page: it pays server-side, then shows the customer what HTML_ANSWER says. */
async function checkout(orderId: string): Promise<string> {
  const fields: Array<[string, string]> = [
    ['ORDERID', orderId],
    ['AMOUNT', '4200'],
    ['CURRENCY', 'EUR'],
    ['CARDNO', '4000000000000002'],
    ['ED', '1234'],
    ['CVC', '123'],
    ['FLAG3D', 'Y'],
    ['WIN3DS', 'MAINW'],
    ['LANGUAGE', 'en_US'],
    ['ACCEPTURL', `${shopOrigin}/accept`],
    ['DECLINEURL', `${shopOrigin}/decline`],
  ];
  const answer = ncAnswer(await postDirect(t.app, 'orderdirect.asp', signedDirect(merchant, user, fields)));
  assert.equal(answer.attributes.get('STATUS'), '46');
  const html = Buffer.from(answer.htmlAnswer ?? '', 'base64').toString('utf8');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Securing your payment</h1>${html}</body></html>`;
}
const shop: Server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', shopOrigin);
  if (url.pathname === '/accept' || url.pathname === '/decline') {
    landings.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Done</title><h1>Done</h1>');
    return;
  }
  checkout(url.searchParams.get('order') ?? 'e2e-3ds').then(
    (page) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page),
    () => res.writeHead(500).end(),
  );
});
await new Promise<void>((done) => shop.listen(0, '127.0.0.1', () => done()));
after(() => new Promise<void>((done) => shop.close(() => done())));
shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;

test('in Chromium: HTML_ANSWER opens the challenge, Authenticate leads to ACCEPTURL with a valid SHASIGN, no CSP violation', async () => {
  const context = await launchBrowser({ serverCertificate: devPki.server.certPem });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|integrity/i.test(message.text())) violations.push(message.text());
  });
  try {
    await screenshotOnFailure(page, 'directlink-3ds', async () => {
      await page.goto(`${shopOrigin}/checkout?order=e2e-3ds-1`);
      await page.waitForURL(new RegExp(`^${varco}/ncol/test/pay/ord_[0-9a-z]{26}/3ds\\?token=`));
      await page.getByText('€42.00').first().waitFor();
      await page.getByRole('button', { name: 'Authenticate' }).click();
      await page.waitForURL(new RegExp(`^${shopOrigin}/accept\\?`));
    });
  } finally {
    await context.close();
  }
  assert.deepEqual(violations, []);
  const landed = landings.at(-1) ?? '';
  const feedback = verifyFeedback(queryPairs(landed.slice(landed.indexOf('?') + 1), 'latin1'), SHA_OUT, 'sha512', 'latin1');
  assert.deepEqual([feedback.get('orderID'), feedback.get('STATUS'), feedback.get('NCERROR')], ['e2e-3ds-1', '9', '0']);
});
