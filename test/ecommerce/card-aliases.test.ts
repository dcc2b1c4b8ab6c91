import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { tempDevPki } from '../support/tls.ts';
import { httpsRequest } from '../support/server-process.ts';
import { createHash } from 'node:crypto';
import { SHA_IN, SHA_OUT, configure, createMerchant, formBytes, queryPairs, signedOrder, verifyFeedback, type TestMerchant } from '../support/ecommerce.ts';
import { createApiUser, readNcResponse, signedDirect, type DirectLinkUser } from '../support/directlink.ts';
import { open } from '../../src/kernel/secretbox.ts';
import { createTestAcquirer, type Acquirer } from '../../src/modules/checkout/index.ts';

// The card token vault (ALIAS/ALIASUSAGE, issue 13) over real HTTPS: orderdirect keeps a typed card
// under ALIAS and pays later with ALIAS alone; the hosted page keeps the card of an order with ALIAS
// and offers it, masked, to the next order naming it; ALIASOPERATION=BYPSP names the token; another
// merchant's alias is unknown (50001111 "unknown alias"); the PAN is stored only sealed, the CVC never.

const pki = await tempDevPki();
const ca = pki.envs.test.caCertPem;
/** Card numbers the acquirer was asked to authorise: the stored card must reach it in full. */
const seen: string[] = [];
const recording = (base: Acquirer): Acquirer => ({ ...base, authorise: (request) => (seen.push(request.card.number), base.authorise(request)) });
const t = await buildTestApp({
  tls: { cert: pki.server.chainPem, key: pki.server.keyPem },
  acquirers: (deps) => ({ test: recording(createTestAcquirer(deps)) }),
});
await t.app.listen({ host: '127.0.0.1', port: 0 });
const port = (t.app.server.address() as AddressInfo).port;
after(() => t.app.close());
const db = t.database.db;

const settings = {
  shaOut: { action: 'set' as const, value: SHA_OUT, confirm: SHA_OUT },
  feedbackParams: ['ALIAS'],
  s2sTiming: 'deferred' as const,
  s2sUrlAccepted: 'https://shop.example/feedback',
};
const m = await createMerchant(t, { settings });
const user = await createApiUser(t, m);
const other = await createMerchant(t, { settings });
const otherUser = await createApiUser(t, other);

type Pairs = Array<[string, string]>;
const CARD: Pairs = [
  ['CARDNO', '4111111111111111'],
  ['ED', '12/34'],
  ['CVC', '913'],
  ['CN', 'Ada Lovelace'],
];

async function post(path: string, body: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return httpsRequest(port, ca, path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
  });
}

async function direct(who: TestMerchant, as: DirectLinkUser, orderId: string, fields: Pairs): Promise<Map<string, string>> {
  const pairs = signedDirect(who, as, [['ORDERID', orderId], ['AMOUNT', '1500'], ['CURRENCY', 'EUR'], ...fields]);
  const res = await post('/ncol/test/orderdirect.asp', formBytes(pairs, 'latin1').toString('ascii'));
  assert.equal(res.status, 200, res.body);
  return readNcResponse(res.body).attributes;
}

const aliasRow = (merchantId: string, alias: string) =>
  db.selectFrom('card_aliases').selectAll().where('merchant_id', '=', merchantId).where('alias', '=', alias).executeTakeFirst();

test('orderdirect with ALIAS and a card keeps the card under the alias: PAN sealed, masked view, no CVC; ALIAS answered', async () => {
  const a = await direct(m, user, 'al-1', [['ALIAS', 'CUST-42'], ['ALIASUSAGE', 'Monthly box'], ...CARD]);
  assert.equal(a.get('STATUS'), '9');
  assert.equal(a.get('ALIAS'), 'CUST-42');
  const row = await aliasRow(m.merchantId, 'CUST-42');
  assert.ok(row, 'stored');
  assert.deepEqual(
    [row.card_masked, row.card_bin, row.card_brand, row.card_expiry, row.card_holder, row.usage],
    ['XXXXXXXXXXXX1111', '411111', 'VISA', '1234', 'Ada Lovelace', 'Monthly box'],
  );
  assert.match(row.pan_sealed, /^sb1\./);
  assert.equal(open(t.masterKey, row.pan_sealed, `card-alias:${m.merchantId}:test:CUST-42`), '4111111111111111', 'sealed, not hashed');
  assert.throws(() => open(t.masterKey, row.pan_sealed, `card-alias:${other.merchantId}:test:CUST-42`), 'bound to its merchant');
  const json = JSON.stringify(row);
  // The CVC as a value: ids, the sealed PAN and the timestamps' milliseconds hold "913" by chance.
  assert.ok(!json.includes('4111111111111111') && !/(?<![\w.-])913(?![\w.-])/.test(json), json);
  const order = await db.selectFrom('orders').select('alias').where('order_ref', '=', 'al-1').executeTakeFirstOrThrow();
  assert.equal(order.alias, 'CUST-42');
});

test('orderdirect keeps ALIASUSAGE scrubbed of card data, as the hosted page does: no verification code, no card number', async () => {
  const a = await direct(m, user, 'al-usage', [['ALIAS', 'CUST-U'], ['ALIASUSAGE', 'Monthly box CVC=913, card 5555 5555 5555 4444'], ...CARD]);
  assert.equal(a.get('STATUS'), '9');
  assert.equal((await aliasRow(m.merchantId, 'CUST-U'))?.usage, 'Monthly box CVC=, card 5555 55XX XXXX 4444');
});

test('orderdirect with ALIAS alone pays with the stored card; the feedback carries ALIAS, signed', async () => {
  await direct(m, user, 'al-2a', [['ALIAS', 'CUST-7'], ...CARD.map(([n, v]): [string, string] => (n === 'CARDNO' ? [n, '5399999999999999'] : [n, v]))]);
  seen.length = 0;
  const a = await direct(m, user, 'al-2', [['ALIAS', 'CUST-7']]);
  assert.deepEqual([a.get('STATUS'), a.get('BRAND'), a.get('ALIAS'), a.get('NCERROR')], ['9', 'MasterCard', 'CUST-7', '0']);
  assert.deepEqual(seen, ['5399999999999999'], 'the stored number went to the acquirer');
  const order = await db.selectFrom('orders').select(['id', 'card_masked']).where('order_ref', '=', 'al-2').executeTakeFirstOrThrow();
  assert.equal(order.card_masked, 'XXXXXXXXXXXX9999');
  const message = await db.selectFrom('outbox').select('payload').where('subject_id', '=', order.id).executeTakeFirstOrThrow();
  const body = (message.payload as { body: string }).body;
  assert.equal(verifyFeedback(queryPairs(body, 'latin1'), SHA_OUT, 'sha512', 'latin1').get('ALIAS'), 'CUST-7');
});

test('BRAND restricts the stored card of an ALIAS as it restricts a typed one: 50001054, nothing is paid', async () => {
  assert.equal((await direct(m, user, 'al-br-1', [['ALIAS', 'CUST-BR'], ...CARD])).get('STATUS'), '9');
  const typed = await direct(m, user, 'al-br-2', [['BRAND', 'MasterCard'], ...CARD]);
  assert.equal(typed.get('NCERROR'), '50001054', 'a typed VISA under BRAND=MasterCard');
  seen.length = 0;
  const stored = await direct(m, user, 'al-br-3', [
    ['BRAND', 'MasterCard'],
    ['ALIAS', 'CUST-BR'],
  ]);
  assert.deepEqual([stored.get('STATUS'), stored.get('NCERROR'), stored.get('NCERRORPLUS')], ['0', '50001054', 'Card number incorrect or incompatible']);
  assert.deepEqual(seen, [], 'the stored VISA did not reach the acquirer');
  assert.equal(
    (
      await direct(m, user, 'al-br-4', [
        ['BRAND', 'VISA'],
        ['ALIAS', 'CUST-BR'],
      ])
    ).get('STATUS'),
    '9',
    'its own brand is paid',
  );
});

test('another merchant’s alias, or one never made, is "unknown alias" (50001111); nothing is paid', async () => {
  for (const [who, as, alias] of [
    [other, otherUser, 'CUST-42'],
    [m, user, 'NEVER-MADE'],
  ] as const) {
    seen.length = 0;
    const a = await direct(who, as, `al-unknown-${who.pspid}-${alias}`, [['ALIAS', alias]]);
    assert.deepEqual([a.get('NCERROR'), a.get('NCERRORPLUS'), a.get('STATUS'), a.get('PAYID')], ['50001111', 'unknown alias', '0', '0'], alias);
    assert.deepEqual(seen, []);
  }
});

test('ALIASOPERATION=BYPSP names the token; an alias that is a card number is 50001216; a refused card keeps nothing', async () => {
  const named = await direct(m, user, 'al-3', [['ALIASOPERATION', 'BYPSP'], ...CARD]);
  assert.match(named.get('ALIAS') ?? '', /^[0-9A-F]{32}$/);
  assert.ok(await aliasRow(m.merchantId, named.get('ALIAS')!));
  const pan = await direct(m, user, 'al-4', [['ALIAS', '4111111111111111'], ...CARD]);
  assert.deepEqual([pan.get('NCERROR'), pan.get('NCERRORPLUS')], ['50001216', 'The alias must be different than the card number']);
  const shape = await direct(m, user, 'al-5', [['ALIAS', 'two words'], ...CARD]);
  assert.equal(shape.get('NCERROR'), '50001111');
  const refused = await direct(m, user, 'al-6', [
    ['ALIAS', 'REFUSED-1'],
    ...CARD.map(([n, v]): [string, string] => (n === 'CARDNO' ? [n, '4000000000000010'] : [n, v])),
  ]);
  assert.equal(refused.get('STATUS'), '2');
  assert.equal(await aliasRow(m.merchantId, 'REFUSED-1'), undefined);
});

/** The payment page of a hosted order: its path and token. */
async function hosted(who: TestMerchant, orderId: string, extra: Pairs): Promise<{ path: string; token: string; page: string }> {
  const entry = await post('/ncol/test/orderstandard_utf8.asp', formBytes(signedOrder(who, orderId, extra), 'utf8').toString('ascii'));
  assert.equal(entry.status, 303, entry.body.slice(0, 300));
  const location = String(entry.headers.location);
  const page = await httpsRequest(port, ca, location);
  assert.equal(page.status, 200);
  return { path: location.split('?')[0]!, token: new URL(location, 'https://x').searchParams.get('token')!, page: page.body };
}

test('the hosted page keeps the card of an order with ALIAS (ALIASUSAGE shown), then offers it masked; the CVC is typed again', async () => {
  const first = await hosted(m, 'hp-al-1', [
    ['ALIAS', 'SHOP-1'],
    ['ALIASUSAGE', 'Your weekly flowers'],
  ]);
  assert.match(first.page, /Your weekly flowers/);
  assert.doesNotMatch(first.page, /data-stored-card/);
  const paid = await post(
    first.path,
    new URLSearchParams({ token: first.token, holder: 'Ada', number: '4111 1111 1111 1111', expiry: '12/34', cvc: '913' }).toString(),
  );
  assert.ok(paid.status === 303 || paid.status === 200, String(paid.status));
  const row = await aliasRow(m.merchantId, 'SHOP-1');
  assert.equal(row?.card_masked, 'XXXXXXXXXXXX1111');
  assert.equal(row?.usage, 'Your weekly flowers');

  const second = await hosted(m, 'hp-al-2', [['ALIAS', 'SHOP-1']]);
  assert.match(second.page, /data-stored-card>VISA XXXXXXXXXXXX1111 · [^<]* 12\/34</);
  assert.doesNotMatch(second.page, /4111111111111111|4111 1111/);
  const missing = await post(second.path, new URLSearchParams({ token: second.token, stored: '1', cvc: '' }).toString());
  assert.equal(missing.status, 400, 'the CVC is asked for');
  seen.length = 0;
  const reused = await post(second.path, new URLSearchParams({ token: second.token, stored: '1', cvc: '123' }).toString());
  assert.ok(reused.status === 303 || reused.status === 200, String(reused.status));
  assert.deepEqual(seen, ['4111111111111111']);
  const order = await db.selectFrom('orders').select(['status', 'alias', 'card_masked']).where('order_ref', '=', 'hp-al-2').executeTakeFirstOrThrow();
  assert.deepEqual([order.status, order.alias, order.card_masked], [9, 'SHOP-1', 'XXXXXXXXXXXX1111']);

  // Another merchant naming the same alias is offered nothing, and a stored form posted anyway pays nothing.
  const foreign = await hosted(other, 'hp-al-3', [['ALIAS', 'SHOP-1']]);
  assert.doesNotMatch(foreign.page, /data-stored-card/);
  seen.length = 0;
  const forced = await post(foreign.path, new URLSearchParams({ token: foreign.token, stored: '1', cvc: '123' }).toString());
  assert.equal(forced.status, 400);
  assert.deepEqual(seen, []);
});

test('with legacy hashing ALIAS is not signed, so it is ignored: the page offers no stored card and keeps none', async () => {
  const legacy = await createMerchant(t);
  const legacyUser = await createApiUser(t, legacy);
  await direct(legacy, legacyUser, 'leg-0', [
    ['ALIAS', 'LEG-1'],
    ...CARD.map(([n, v]): [string, string] => (n === 'CARDNO' ? [n, '5399999999999999'] : [n, v])),
  ]);
  await configure(t, legacy, { hashingMethod: 'main-parameters', hashAlgorithm: 'sha1', acceptLegacyHashing: true });
  // The legacy rule: ORDERID AMOUNT CURRENCY PSPID, then the passphrase; ALIAS is not in it.
  const digest = createHash('sha1')
    .update(`leg-1` + `1500EUR${legacy.pspid}${SHA_IN}`)
    .digest('hex')
    .toUpperCase();
  const pairs: Pairs = [
    ['PSPID', legacy.pspid],
    ['ORDERID', 'leg-1'],
    ['AMOUNT', '1500'],
    ['CURRENCY', 'EUR'],
    ['ALIAS', 'LEG-1'],
    ['SHASIGN', digest],
  ];
  const entry = await post('/ncol/test/orderstandard_utf8.asp', formBytes(pairs, 'utf8').toString('ascii'));
  assert.equal(entry.status, 303, entry.body.slice(0, 300));
  const location = String(entry.headers.location);
  const page = await httpsRequest(port, ca, location);
  assert.doesNotMatch(page.body, /data-stored-card|XXXXXXXXXXXX9999/);
  const token = new URL(location, 'https://x').searchParams.get('token')!;
  const stored = await post(location.split('?')[0]!, new URLSearchParams({ token, stored: '1', cvc: '123' }).toString());
  assert.equal(stored.status, 400, 'no stored card to pay with');
  await post(location.split('?')[0]!, new URLSearchParams({ token, holder: 'Eve', number: '4111111111111111', expiry: '12/34', cvc: '913' }).toString());
  assert.equal((await aliasRow(legacy.merchantId, 'LEG-1'))?.card_masked, 'XXXXXXXXXXXX9999', 'the stored card is untouched');
  const order = await db.selectFrom('orders').select(['status', 'alias']).where('order_ref', '=', 'leg-1').executeTakeFirstOrThrow();
  assert.deepEqual([order.status, order.alias], [9, null]);
});

test('no card number or CVC in any column of the vault or the orders', async () => {
  const dump = await sql<{ t: string }>`SELECT string_agg(row_to_json(x)::text, ' ') AS t FROM (SELECT * FROM card_aliases) x`.execute(db);
  const orders = await sql<{ t: string }>`SELECT string_agg(row_to_json(x)::text, ' ') AS t FROM (SELECT * FROM orders) x`.execute(db);
  const text = `${dump.rows[0]?.t} ${orders.rows[0]?.t} ${t.rawLogs()}`;
  for (const secret of ['4111111111111111', '5399999999999999', '"913"', 'CVC=913']) assert.ok(!text.includes(secret), secret);
});
