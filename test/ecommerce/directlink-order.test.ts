import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { createMerchant } from '../support/ecommerce.ts';
import { createApiUser, ncAnswer, postDirect, signedDirect } from '../support/directlink.ts';

// orderdirect and querydirect: a payment by the shop's server with the card it collected, answered
// in `<ncresponse/>` with the platform's attributes in its order; ORDERID already processed,
// refused cards, card problems with their NCERRORs; the query by ORDERID or PAYID, within the
// caller's PSPID and environment only. No card number or CVC is stored or logged.

const t = await buildTestApp();
const { app } = t;
const db = t.database.db;
const m = await createMerchant(t);
const user = await createApiUser(t, m);
const other = await createMerchant(t);
const otherUser = await createApiUser(t, other);

const card = (overrides: Record<string, string> = {}): Array<[string, string]> =>
  Object.entries({ CARDNO: '4111111111111111', ED: '12/34', CVC: '913', CN: 'Ada Lovelace', ...overrides });
const order = (id: string, extra: Array<[string, string]> = [], cardOverrides: Record<string, string> = {}): Array<[string, string]> => [
  ['ORDERID', id],
  ['AMOUNT', '1500'],
  ['CURRENCY', 'EUR'],
  ...card(cardOverrides),
  ...extra,
];
const pay = (id: string, extra: Array<[string, string]> = [], cardOverrides: Record<string, string> = {}) =>
  postDirect(app, 'orderdirect.asp', signedDirect(m, user, order(id, extra, cardOverrides)));

test('OPERATION=RES authorises: STATUS 5, the platform’s attributes in its order, NCERRORPLUS "!"', async () => {
  const res = await pay('dl-1', [['OPERATION', 'RES']]);
  assert.equal(res.headers['content-type'], 'text/xml; charset=iso-8859-1');
  assert.match(res.body, /^<\?xml version="1\.0"\?><ncresponse\norderID="dl-1"\nPAYID="\d+"\n/);
  const a = ncAnswer(res);
  assert.deepEqual(a.names, ['orderID', 'PAYID', 'NCSTATUS', 'NCERROR', 'NCERRORPLUS', 'ACCEPTANCE', 'STATUS', 'amount', 'currency', 'PM', 'BRAND']);
  const row = await db.selectFrom('orders').selectAll().where('order_ref', '=', 'dl-1').executeTakeFirstOrThrow();
  assert.deepEqual(Object.fromEntries(a.attributes), {
    orderID: 'dl-1',
    PAYID: String(row.pay_id),
    NCSTATUS: '0',
    NCERROR: '0',
    NCERRORPLUS: '!',
    ACCEPTANCE: 'test123',
    STATUS: '5',
    amount: '15',
    currency: 'EUR',
    PM: 'CreditCard',
    BRAND: 'VISA',
  });
  assert.equal(row.channel, 'directlink');
  assert.equal(row.card_masked, 'XXXXXXXXXXXX1111');
  assert.equal(row.operation, 'RES');
});

test('OPERATION=SAL is a sale (STATUS 9); without OPERATION the merchant’s default operation applies', async () => {
  assert.equal(ncAnswer(await pay('dl-2', [['OPERATION', 'SAL']])).attributes.get('STATUS'), '9');
  assert.equal(ncAnswer(await pay('dl-3')).attributes.get('STATUS'), '9', 'default operation SAL');
  const bad = ncAnswer(await pay('dl-4', [['OPERATION', 'XYZ']])).attributes;
  assert.equal(bad.get('NCERROR'), '50001007');
});

test('an ORDERID already processed is 50001113, whatever is sent the second time', async () => {
  const changed = order('dl-1', [['OPERATION', 'RES']]).map(([n, v]): [string, string] => (n === 'AMOUNT' ? [n, '100'] : [n, v]));
  const again = ncAnswer(await postDirect(app, 'orderdirect.asp', signedDirect(m, user, changed))).attributes;
  assert.equal(again.get('NCERROR'), '50001113');
  assert.equal(again.get('NCERRORPLUS'), 'This order has already been processed');
  assert.equal(again.get('PAYID'), '0');
  const row = await db.selectFrom('orders').selectAll().where('order_ref', '=', 'dl-1').executeTakeFirstOrThrow();
  assert.equal(Number(row.amount), 1500, 'the paid order is untouched');
});

test('a refused card is STATUS 2 / 30051001; the same ORDERID may be paid again with another card', async () => {
  const refused = ncAnswer(await pay('dl-5', [], { CARDNO: '4000000000000010' })).attributes;
  assert.equal(refused.get('STATUS'), '2');
  assert.equal(refused.get('NCERROR'), '30051001');
  assert.equal(refused.get('NCSTATUS'), '3');
  assert.equal(refused.get('NCERRORPLUS'), 'Authorization declined');
  const retried = ncAnswer(await pay('dl-5')).attributes;
  assert.equal(retried.get('STATUS'), '9');
  assert.equal(retried.get('PAYID'), refused.get('PAYID'), 'one order, one PAYID');
});

test('card and request problems carry the platform’s NCERROR', async () => {
  const cases: Array<[Record<string, string>, Array<[string, string]>, string]> = [
    [{ CARDNO: '4111111111111112' }, [], '50001054'],
    [{ CARDNO: '' }, [], '50001178'],
    [{ ED: '13/30' }, [], '50001182'],
    [{ ED: '01/20' }, [], '50001183'],
    [{ ED: 'soon' }, [], '50001005'],
    [{ CVC: '12a' }, [], '50001066'],
    [{ CN: 'x'.repeat(40) }, [], '50001174'],
    [{}, [['CURRENCY', 'XXX']], '50001120'],
    [{}, [['CURRENCY', 'USD']], '50001122'],
    [{}, [['AMOUNT', '12.5']], '50001006'],
  ];
  for (const [overrides, extra, code] of cases) {
    const fields = order('dl-bad', [], overrides).filter(([n]) => !extra.some(([e]) => e === n));
    const a = ncAnswer(await postDirect(app, 'orderdirect.asp', signedDirect(m, user, [...fields, ...extra]))).attributes;
    assert.equal(a.get('NCERROR'), code, JSON.stringify(overrides) + JSON.stringify(extra));
    assert.equal(a.get('STATUS'), '0');
  }
  // Without CN and CVC (a recurring payment) the card is accepted.
  const bare = order('dl-6').filter(([n]) => n !== 'CN' && n !== 'CVC');
  assert.equal(ncAnswer(await postDirect(app, 'orderdirect.asp', signedDirect(m, user, bare))).attributes.get('STATUS'), '9');
});

test('querydirect by ORDERID or PAYID answers the order’s status; another PSPID’s order is unknown (50001130)', async () => {
  const paid = ncAnswer(await pay('dl-7', [['OPERATION', 'RES']])).attributes;
  const byRef = ncAnswer(await postDirect(app, 'querydirect.asp', signedDirect(m, user, [['ORDERID', 'dl-7']]))).attributes;
  assert.equal(byRef.get('STATUS'), '5');
  assert.equal(byRef.get('PAYID'), paid.get('PAYID'));
  assert.equal(byRef.get('CARDNO'), 'XXXXXXXXXXXX1111');
  assert.equal(byRef.get('ACCEPTANCE'), 'test123');
  const byPayId = ncAnswer(await postDirect(app, 'querydirect.asp', signedDirect(m, user, [['PAYID', paid.get('PAYID')!]]))).attributes;
  assert.equal(byPayId.get('orderID'), 'dl-7');
  const unknown: Array<Array<[string, string]>> = [
    [['PAYID', '999999999']],
    [['ORDERID', 'never-sent']],
    [['PAYID', 'abc']],
    [
      ['PAYID', paid.get('PAYID')!],
      ['ORDERID', 'dl-1'],
    ],
  ];
  for (const fields of unknown) {
    const a = ncAnswer(await postDirect(app, 'querydirect.asp', signedDirect(m, user, fields))).attributes;
    assert.equal(a.get('NCERROR'), '50001130', JSON.stringify(fields));
  }
  const foreign = ncAnswer(await postDirect(app, 'querydirect.asp', signedDirect(other, otherUser, [['PAYID', paid.get('PAYID')!]]))).attributes;
  assert.equal(foreign.get('NCERROR'), '50001130');
  assert.equal(foreign.get('STATUS'), '0');
});

test('the UTF-8 pages read and sign UTF-8; the answer stays ASCII with character references', async () => {
  const res = await postDirect(app, 'orderdirect_utf8.asp', signedDirect(m, user, order('dl-ü'), { charset: 'utf8' }));
  assert.equal(res.headers['content-type'], 'text/xml; charset=utf-8');
  assert.match(res.body, /orderID="dl-&#252;"/);
  assert.equal(ncAnswer(res).attributes.get('orderID'), 'dl-ü');
});

test('PARAMVAR is scrubbed of card data as on the hosted page: masked in orders.request and in the queued feedback URL', async () => {
  const pv = await createMerchant(t, { settings: { s2sTiming: 'deferred', s2sUrlAccepted: 'https://shop.example/feedback?v=<PARAMVAR>' } });
  const pvUser = await createApiUser(t, pv);
  const a = ncAnswer(await postDirect(app, 'orderdirect.asp', signedDirect(pv, pvUser, order('dl-pv', [['PARAMVAR', 'x-5555555555554444 cvc 777']]))));
  assert.equal(a.attributes.get('STATUS'), '9');
  const row = await db.selectFrom('orders').select(['id', 'request']).where('order_ref', '=', 'dl-pv').executeTakeFirstOrThrow();
  assert.equal((row.request as { paramvar?: string }).paramvar, 'x-555555XXXXXX4444 cvc ');
  const queued = await db.selectFrom('outbox').select('payload').where('subject_id', '=', row.id).execute();
  assert.equal(queued.length, 1);
  const payload = JSON.stringify(queued[0]?.payload);
  assert.ok(payload.includes('x-555555XXXXXX4444'), payload);
  assert.ok(!payload.includes('5555555555554444') && !payload.includes('777'), payload);
});

test('no card number or CVC in any table or log line', async () => {
  const dump = await sql<{ t: string }>`SELECT string_agg(row_to_json(x)::text, ' ') AS t FROM (SELECT * FROM orders) x`.execute(db);
  const attempts = await sql<{ t: string }>`SELECT string_agg(row_to_json(x)::text, ' ') AS t FROM (SELECT * FROM payment_attempts) x`.execute(db);
  const errors = await sql<{ t: string }>`SELECT string_agg(row_to_json(x)::text, ' ') AS t FROM (SELECT * FROM ecommerce_errors) x`.execute(db);
  const text = [dump.rows[0]?.t, attempts.rows[0]?.t, errors.rows[0]?.t, t.rawLogs()].join(' ');
  for (const secret of ['4111111111111111', '4000000000000010', '"913"', 'CVC=913']) assert.ok(!text.includes(secret), secret);
});
