// The portal's orders list (issue 14): search by ORDERID, environment and STATUS, pages of 50 with a
// cursor, and the search as CSV; scoped to the referent's organisation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, payLocation, postCard, postEntry, signedOrder } from '../support/ecommerce.ts';
import { Browser, createReferent, issueKeys } from '../support/subscriptions.ts';
import { OPERATION_STATUSES } from '../../src/modules/checkout/operations.policy.ts';

const t = await buildTestApp();
const { app } = t;
const db = t.database.db;
const shop = await createMerchant(t, { settings: { enabledCurrencies: ['EUR', 'JPY', 'HUF', 'IQD'] } });
const other = await createMerchant(t);
const portal = await new Browser(app, 'portal').signIn((await createReferent(db, shop.organisationId, ['ecommerce'])).email);

for (let i = 0; i < 55; i++) assert.equal((await postEntry(app, signedOrder(shop, `bulk-${String(i).padStart(2, '0')}`))).statusCode, 303);
const paid = payLocation(await postEntry(app, signedOrder(shop, 'special_1')));
assert.ok((await postCard(app, paid)).statusCode < 400);
assert.equal((await postEntry(app, signedOrder(other, 'bulk-theirs'))).statusCode, 303);

const refs = (body: string): string[] => [...body.matchAll(/<a href="\/portal\/orders\/ord_[0-9a-z]+">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');

test('the list pages 50 at a time, newest first, with a link to the older ones', async () => {
  const first = await portal.get('/portal/orders');
  assert.equal(first.statusCode, 200);
  const page1 = refs(first.body);
  assert.equal(page1.length, 50);
  assert.equal(page1[0], 'special_1');
  const older = /<a href="([^"]+)" rel="next">/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(older);
  const page2 = refs((await portal.get(older)).body);
  assert.equal(page2.length, 6);
  assert.equal(new Set([...page1, ...page2]).size, 56, 'every order once');
  assert.ok(![...page1, ...page2].includes('bulk-theirs'), "another organisation's order is not listed");
});

test('filters: part of the ORDERID (LIKE characters taken literally), STATUS; a bad filter is a clear 400', async () => {
  assert.deepEqual(refs((await portal.get('/portal/orders?ref=special')).body), ['special_1']);
  assert.deepEqual(refs((await portal.get('/portal/orders?ref=l_1')).body), ['special_1'], '_ is not a wildcard');
  assert.deepEqual(refs((await portal.get('/portal/orders?ref=%25')).body), [], '% is not a wildcard');
  const status = (await db.selectFrom('orders').select('status').where('order_ref', '=', 'special_1').executeTakeFirstOrThrow()).status;
  assert.deepEqual(refs((await portal.get(`/portal/orders?status=${status}`)).body), ['special_1']);
  assert.equal((await portal.get('/portal/orders?env=staging')).statusCode, 400);
  assert.equal((await portal.get('/portal/orders?before=yesterday')).statusCode, 400);
});

test('the search downloads as CSV, spreadsheet-safe and scoped', async () => {
  const csv = await portal.get('/portal/orders.csv?ref=bulk');
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  const lines = csv.body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  assert.match(lines[0] ?? '', /^created_at,environment,orderid,payid,status,amount,currency/);
  assert.equal(lines.length, 56, 'the header and 55 orders, beyond one page');
  assert.ok(!csv.body.includes('bulk-theirs'));
  // Amounts in each currency's own decimals: 15.00 EUR, and yen have none.
  assert.match(lines[1] ?? '', /,bulk-\d+,\d+,\d+,15\.00,EUR,/);
  assert.equal(
    (
      await postEntry(
        app,
        signedOrder(shop, 'yen-1', [
          ['CURRENCY', 'JPY'],
          ['AMOUNT', '150000'],
        ]),
      )
    ).statusCode,
    303,
  );
  const yen = (await portal.get('/portal/orders.csv?ref=yen-1')).body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  assert.match(yen[1] ?? '', /,yen-1,\d+,\d+,1500,JPY,/);
});

test('an amount is the same money on the list, the order page, the CSV and the JSON API, by the ISO 4217 exponent (HUF 2 digits, IQD 3)', async () => {
  // Intl (CLDR) writes HUF and IQD with no decimals: formatted by it, 12.50 HUF showed as 1,250 and
  // 12.500 IQD as 12,500, a hundred and a thousand times the API's amountDecimal.
  const key = (await issueKeys(t.services, shop.organisationId, 'ecommerce', 'test')).primary;
  const cases = [
    { ref: 'huf-1', currency: 'HUF', wire: '1250', minor: 1250, api: '12.5', csv: '12.50', shown: 'HUF 12.50' },
    { ref: 'iqd-1', currency: 'IQD', wire: '1250', minor: 12500, api: '12.5', csv: '12.500', shown: 'IQD 12.500' },
  ];
  for (const c of cases) {
    const entry = await postEntry(
      app,
      signedOrder(shop, c.ref, [
        ['CURRENCY', c.currency],
        ['AMOUNT', c.wire],
      ]),
    );
    assert.equal(entry.statusCode, 303);
    const api = await app.inject({ method: 'GET', url: `/api/v1/orders/${c.ref}`, headers: { 'ocp-apim-subscription-key': key } });
    assert.equal(api.statusCode, 200, api.body);
    assert.deepEqual([api.json<{ amount: number }>().amount, api.json<{ amountDecimal: string }>().amountDecimal], [c.minor, c.api]);
    const csv = (await portal.get(`/portal/orders.csv?ref=${c.ref}`)).body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.deepEqual(csv[1]?.split(',').slice(5, 7), [c.csv, c.currency], `CSV amount and currency: ${csv[1]}`);
    const list = await portal.get(`/portal/orders?ref=${c.ref}`);
    assert.deepEqual(refs(list.body), [c.ref]);
    const plain = (body: string): string => body.replace(/\u00a0/g, ' ');
    assert.ok(plain(list.body).includes(c.shown), `the list shows ${c.shown}`);
    const id = /<a href="\/portal\/orders\/(ord_[0-9a-z]+)">/.exec(list.body)?.[1];
    assert.ok(id);
    assert.ok(plain((await portal.get(`/portal/orders/${id}`)).body).includes(c.shown), `the order page shows ${c.shown}`);
  }
});

test('the STATUS filter offers every status an order can have, 46 included, and finds the order by it', async () => {
  const page = await portal.get('/portal/orders');
  const offered = [...page.body.matchAll(/<option value="(\d+)"(?: selected)?>(\d+) · [^<]+<\/option>/g)].map((m) => Number(m[1]));
  // What a payment leaves on an order, and what a maintenance operation leaves when done or uncertain.
  const payment = [0, 1, 2, 5, 9, 46, 52, 92, 93, 99];
  const operations = Object.values(OPERATION_STATUSES).flatMap((s) => [s.done, s.uncertain]);
  for (const status of [...payment, ...operations]) assert.ok(offered.includes(status), `STATUS ${status} is offered`);
  assert.ok(!offered.includes(91) && !offered.includes(81), 'an operation’s pending status is its own, never an order’s');
  const ref = 'waiting-3ds';
  assert.equal((await postEntry(app, signedOrder(shop, ref))).statusCode, 303);
  await db.updateTable('orders').set({ status: 46 }).where('order_ref', '=', ref).execute();
  const filtered = await portal.get('/portal/orders?status=46');
  assert.deepEqual(refs(filtered.body), [ref]);
  assert.match(filtered.body, /<option value="46" selected>46 · Waiting for authentication \(3-D Secure\)<\/option>/);
  // The environment as every other page writes it.
  assert.match(filtered.body, /<td[^>]*>Test<\/td><td[^>]*><a href="\/portal\/orders\/ord_[0-9a-z]+">waiting-3ds<\/a>/);
});
