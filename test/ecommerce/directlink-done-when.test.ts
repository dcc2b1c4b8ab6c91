// Issue 13's "Done when", over real HTTPS with SHA-IN signed by the test's own rule
// (test/support/ecommerce.ts ownSha over docs/reference/ogone/shain-params.txt): orderdirect RES →
// querydirect STATUS 5 → partial capture → final capture → partial refund → querydirect shows each
// PAYIDSUB with its own STATUS and amount, and the order its newest status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiUser, ncAnswer, signedDirect } from '../support/directlink.ts';
import { createMerchant } from '../support/ecommerce.ts';
import { buildHttpsApp } from '../support/https-app.ts';

const t = await buildHttpsApp();
const m = await createMerchant(t);
const user = await createApiUser(t, m);

type Pairs = Array<[string, string]>;
const call = async (page: 'orderdirect.asp' | 'querydirect.asp' | 'maintenancedirect.asp', fields: Pairs) =>
  ncAnswer(await t.postForm(`/ncol/test/${page}`, signedDirect(m, user, fields))).attributes;
const pick = (a: Map<string, string>, ...names: string[]) => names.map((n) => a.get(n));

test('orderdirect RES → query 5 → partial capture → final capture → partial refund → query shows each PAYIDSUB', async () => {
  const order = await call('orderdirect.asp', [
    ['ORDERID', 'done-when-1'],
    ['AMOUNT', '2500'],
    ['CURRENCY', 'EUR'],
    ['CARDNO', '4111111111111111'],
    ['ED', '1230'],
    ['CVC', '123'],
    ['CN', 'Ada Lovelace'],
    ['OPERATION', 'RES'],
  ]);
  assert.deepEqual(pick(order, 'orderID', 'STATUS', 'NCERROR', 'ACCEPTANCE'), ['done-when-1', '5', '0', 'test123']);
  const payId = order.get('PAYID')!;
  assert.deepEqual(pick(await call('querydirect.asp', [['ORDERID', 'done-when-1']]), 'PAYID', 'STATUS', 'amount'), [payId, '5', '25']);

  const partial = await call('maintenancedirect.asp', [
    ['PAYID', payId],
    ['OPERATION', 'SAL'],
    ['AMOUNT', '1000'],
  ]);
  assert.deepEqual(pick(partial, 'PAYIDSUB', 'STATUS', 'NCERROR', 'amount'), ['1', '9', '0', '10']);
  const final = await call('maintenancedirect.asp', [
    ['PAYID', payId],
    ['OPERATION', 'SAS'],
    ['AMOUNT', '1500'],
  ]);
  assert.deepEqual(pick(final, 'PAYIDSUB', 'STATUS', 'NCERROR', 'amount'), ['2', '9', '0', '15']);
  const refund = await call('maintenancedirect.asp', [
    ['PAYID', payId],
    ['OPERATION', 'RFD'],
    ['AMOUNT', '400'],
  ]);
  assert.deepEqual(pick(refund, 'PAYIDSUB', 'STATUS', 'NCERROR', 'amount'), ['3', '8', '0', '4']);

  const expected = [
    ['1', '9', '10'],
    ['2', '9', '15'],
    ['3', '8', '4'],
  ];
  for (const [sub, status, amount] of expected) {
    const q = await call('querydirect.asp', [
      ['PAYID', payId],
      ['PAYIDSUB', sub!],
    ]);
    assert.deepEqual(pick(q, 'PAYID', 'PAYIDSUB', 'STATUS', 'NCERROR', 'amount'), [payId, sub, status, '0', amount], `PAYIDSUB ${sub}`);
  }
  assert.deepEqual(pick(await call('querydirect.asp', [['ORDERID', 'done-when-1']]), 'STATUS', 'amount'), ['8', '25'], 'the order: its newest status');
  assert.equal(
    (
      await call('querydirect.asp', [
        ['PAYID', payId],
        ['PAYIDSUB', '4'],
      ])
    ).get('NCERROR'),
    '50001131',
    'no PAYIDSUB 4',
  );
});
