import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { Browser, createReferent } from '../support/subscriptions.ts';
import { organisation } from '../pagopa-registry/support.ts';

// The portal's menu offers what the organisation can use: a merchant is no party to the pagoPA node,
// so its menu leaves out the stations, the registry, its payments, messages, receipts and simulator, and the
// client certificates; a PSP (or an EC, a partner) sees both products.

const { app, database } = await buildTestApp();
const db = database.db;
const NODE_PAGES = [
  '/portal/stations',
  '/portal/pagopa',
  '/portal/pagopa/payments',
  '/portal/pagopa/exchanges',
  '/portal/pagopa/receipts',
  '/portal/pagopa/simulator',
  '/portal/certificates',
];

const menuOf = (body: string): string[] =>
  [...(/<nav aria-label="[^"]*">(.*?)<\/nav>/s.exec(body)?.[1] ?? '').matchAll(/href="([^"]+)"/g)].map((m) => m[1] ?? '');

async function signedIn(type: 'merchant' | 'psp'): Promise<Browser> {
  const org = await organisation(db, type);
  return new Browser(app, 'portal').signIn((await createReferent(db, org.id, ['ecommerce', 'node'])).email);
}

test('a merchant’s menu has no pagoPA node pages, on every page; a PSP’s has both products', async () => {
  const merchant = await signedIn('merchant');
  for (const path of ['/portal', '/portal/orders', '/portal/password', '/portal/pagopa']) {
    const menu = menuOf((await merchant.get(path)).body);
    assert.ok(menu.includes('/portal/orders') && menu.includes('/portal/merchant'), `${path}: ${menu.join(' ')}`);
    assert.deepEqual(
      menu.filter((href) => NODE_PAGES.includes(href)),
      [],
      path,
    );
  }
  const psp = await signedIn('psp');
  const menu = menuOf((await psp.get('/portal')).body);
  for (const href of [...NODE_PAGES, '/portal/orders']) assert.ok(menu.includes(href), href);
});
