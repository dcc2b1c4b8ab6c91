// OPERATION=RES on the hosted page (issue 13), over real HTTPS: a signed order with OPERATION=RES,
// or none and the merchant's default operation RES, paid with a test card on the payment page, ends
// authorised (STATUS 5) with its PAYID, in the feedback (SHA-OUT checked with the test's own rule)
// and in the ledger exactly as an orderdirect RES order; then querydirect and maintenancedirect
// (SAL/SAS/RFD/RFS/DEL/DES) work on it as on a DirectLink authorisation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildHttpsApp } from '../support/https-app.ts';
import { SHA_OUT, configure, createMerchant, queryPairs, signedOrder, verifyFeedback } from '../support/ecommerce.ts';
import { createApiUser, ncAnswer, signedDirect } from '../support/directlink.ts';

const t = await buildHttpsApp();
const db = t.database.db;
const m = await createMerchant(t, {
  settings: {
    acceptUrl: 'https://shop.example/ok',
    declineUrl: 'https://shop.example/ko',
    shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
    s2sTiming: 'deferred',
    s2sUrlAccepted: 'https://shop.example/status',
  },
});
const user = await createApiUser(t, m);

type Pairs = Array<[string, string]>;

/** The shop's form over HTTPS, then the customer's card on the payment page; the feedback on ACCEPTURL. */
async function payOnPage(orderId: string, extra: Pairs, number = '4111111111111111'): Promise<Map<string, string>> {
  const entry = await t.postForm('/ncol/test/orderstandard_utf8.asp', signedOrder(m, orderId, extra), 'utf8');
  assert.equal(entry.statusCode, 303, entry.body.slice(0, 300));
  const location = String(entry.headers.location);
  const [path, query = ''] = location.split('?');
  const token = new URLSearchParams(query).get('token') ?? '';
  const page = await t.send('GET', location);
  assert.equal(page.statusCode, 200);
  const card = new URLSearchParams({ token, holder: 'Ada Lovelace', number, expiry: '12/34', cvc: '913' }).toString();
  const paid = await t.send('POST', path!, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: card });
  assert.equal(paid.statusCode, 303, paid.body.slice(0, 300));
  const landing = new URL(String(paid.headers.location));
  return verifyFeedback(queryPairs(landing.search, 'utf8'));
}

async function direct(page: 'querydirect.asp' | 'maintenancedirect.asp' | 'orderdirect.asp', fields: Pairs) {
  return ncAnswer(await t.postForm(`/ncol/test/${page}`, signedDirect(m, user, fields))).attributes;
}

const brief = (a: Map<string, string>) => ({ sub: a.get('PAYIDSUB'), status: a.get('STATUS'), ncError: a.get('NCERROR'), amount: a.get('amount') });
const ledger = (orderRef: string) =>
  db
    .selectFrom('orders')
    .select(['operation', 'status', 'captured', 'refunded', 'capture_closed', 'refund_closed', 'last_pay_id_sub', 'pay_id', 'channel'])
    .select((eb) => eb('paid_at', 'is not', null).as('authorised'))
    .where('merchant_id', '=', m.merchantId)
    .where('order_ref', '=', orderRef)
    .executeTakeFirstOrThrow();

describe('OPERATION=RES on the hosted page', () => {
  it('ends authorised (STATUS 5) with a PAYID in the signed feedback, and in the ledger as an orderdirect RES order', async () => {
    const feedback = await payOnPage('hp-res-1', [['OPERATION', 'RES']]);
    assert.equal(feedback.get('STATUS'), '5');
    assert.equal(feedback.get('NCERROR'), '0');
    assert.match(feedback.get('PAYID') ?? '', /^[0-9]+$/);
    const hosted = await ledger('hp-res-1');
    assert.equal(String(hosted.pay_id), feedback.get('PAYID'));
    const viaDirect = await direct('orderdirect.asp', [
      ['ORDERID', 'dl-res-1'],
      ['AMOUNT', '1500'],
      ['CURRENCY', 'EUR'],
      ['CARDNO', '4111111111111111'],
      ['ED', '1234'],
      ['CVC', '913'],
      ['OPERATION', 'RES'],
    ]);
    assert.equal(viaDirect.get('STATUS'), '5');
    const { pay_id: _a, channel: hostedChannel, ...hostedLedger } = hosted;
    const { pay_id: _b, channel: directChannel, ...directLedger } = await ledger('dl-res-1');
    assert.deepEqual([hostedChannel, directChannel], ['hosted', 'directlink']);
    assert.deepEqual(hostedLedger, directLedger, 'the same authorisation in the ledger');
    // The server-to-server feedback of the authorisation says 5 too.
    const order = await db.selectFrom('orders').select(['id', 'feedback_message_id']).where('order_ref', '=', 'hp-res-1').executeTakeFirstOrThrow();
    const message = await db.selectFrom('outbox').select('payload').where('id', '=', order.feedback_message_id!).executeTakeFirstOrThrow();
    const s2s = verifyFeedback(queryPairs((message.payload as { body: string }).body, 'utf8'));
    assert.deepEqual([s2s.get('STATUS'), s2s.get('PAYID')], ['5', feedback.get('PAYID')]);
  });

  it('the merchant’s default operation RES applies when the form sends none', async () => {
    await configure(t, m, { defaultOperation: 'RES' });
    try {
      const feedback = await payOnPage('hp-res-default', []);
      assert.equal(feedback.get('STATUS'), '5');
      assert.equal((await ledger('hp-res-default')).operation, 'RES');
    } finally {
      await configure(t, m, { defaultOperation: 'SAL' });
    }
  });

  it('querydirect shows STATUS 5; partial and final capture, partial and final refund over maintenancedirect', async () => {
    const payId = (await payOnPage('hp-res-2', [['OPERATION', 'RES']])).get('PAYID')!;
    const q = await direct('querydirect.asp', [['ORDERID', 'hp-res-2']]);
    assert.deepEqual([q.get('STATUS'), q.get('PAYID'), q.get('amount'), q.get('CARDNO')], ['5', payId, '15', 'XXXXXXXXXXXX1111']);
    assert.deepEqual(
      brief(
        await direct('maintenancedirect.asp', [
          ['PAYID', payId],
          ['OPERATION', 'SAL'],
          ['AMOUNT', '500'],
        ]),
      ),
      { sub: '1', status: '9', ncError: '0', amount: '5' },
    );
    assert.deepEqual(
      brief(
        await direct('maintenancedirect.asp', [
          ['PAYID', payId],
          ['OPERATION', 'SAS'],
        ]),
      ),
      { sub: '2', status: '9', ncError: '0', amount: '10' },
    );
    assert.equal(
      (
        await direct('maintenancedirect.asp', [
          ['PAYID', payId],
          ['OPERATION', 'SAL'],
          ['AMOUNT', '1'],
        ])
      ).get('NCERROR'),
      '50001127',
    );
    assert.deepEqual(
      brief(
        await direct('maintenancedirect.asp', [
          ['ORDERID', 'hp-res-2'],
          ['OPERATION', 'RFD'],
          ['AMOUNT', '300'],
        ]),
      ),
      { sub: '3', status: '8', ncError: '0', amount: '3' },
    );
    assert.equal(
      (
        await direct('maintenancedirect.asp', [
          ['PAYID', payId],
          ['OPERATION', 'RFD'],
          ['AMOUNT', '1201'],
        ])
      ).get('NCERROR'),
      '50001129',
    );
    assert.deepEqual(
      brief(
        await direct('maintenancedirect.asp', [
          ['PAYID', payId],
          ['OPERATION', 'RFS'],
        ]),
      ),
      { sub: '4', status: '8', ncError: '0', amount: '12' },
    );
    for (const sub of ['1', '2', '3', '4'])
      assert.equal(
        (
          await direct('querydirect.asp', [
            ['PAYID', payId],
            ['PAYIDSUB', sub],
          ])
        ).get('PAYIDSUB'),
        sub,
      );
  });

  it('DEL releases a hosted authorisation (STATUS 6) and a capture after it is refused; DES deletes a captured one (STATUS 7)', async () => {
    const payId = (await payOnPage('hp-res-3', [['OPERATION', 'RES']])).get('PAYID')!;
    assert.deepEqual(
      brief(
        await direct('maintenancedirect.asp', [
          ['PAYID', payId],
          ['OPERATION', 'DEL'],
        ]),
      ),
      { sub: '1', status: '6', ncError: '0', amount: '15' },
    );
    assert.equal(
      (
        await direct('maintenancedirect.asp', [
          ['PAYID', payId],
          ['OPERATION', 'SAL'],
        ])
      ).get('NCERROR'),
      '50001127',
    );
    const other = (await payOnPage('hp-res-4', [['OPERATION', 'RES']])).get('PAYID')!;
    assert.deepEqual(
      brief(
        await direct('maintenancedirect.asp', [
          ['PAYID', other],
          ['OPERATION', 'SAS'],
        ]),
      ),
      { sub: '1', status: '9', ncError: '0', amount: '15' },
    );
    assert.deepEqual(
      brief(
        await direct('maintenancedirect.asp', [
          ['PAYID', other],
          ['OPERATION', 'DES'],
        ]),
      ),
      { sub: '2', status: '7', ncError: '0', amount: '15' },
    );
  });

  it('through a 3-D Secure challenge (4000000000000002) a RES order also ends at 5 and is captured', async () => {
    const entry = await t.postForm('/ncol/test/orderstandard_utf8.asp', signedOrder(m, 'hp-res-3ds', [['OPERATION', 'RES']]), 'utf8');
    const location = String(entry.headers.location);
    const [path, query = ''] = location.split('?');
    const token = new URLSearchParams(query).get('token') ?? '';
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const card = new URLSearchParams({ token, holder: 'Ada Lovelace', number: '4000000000000002', expiry: '12/34', cvc: '913' }).toString();
    const challenged = await t.send('POST', path!, { headers: form, body: card });
    assert.equal(challenged.headers.location, `${path}/3ds?token=${token}`);
    const approved = await t.send('POST', `${path}/3ds`, { headers: form, body: new URLSearchParams({ token, decision: 'approve' }).toString() });
    const feedback = verifyFeedback(queryPairs(new URL(String(approved.headers.location)).search, 'utf8'));
    assert.deepEqual([feedback.get('STATUS'), feedback.get('NCERROR')], ['5', '0']);
    const captured = await direct('maintenancedirect.asp', [
      ['ORDERID', 'hp-res-3ds'],
      ['OPERATION', 'SAS'],
    ]);
    assert.deepEqual(brief(captured), { sub: '1', status: '9', ncError: '0', amount: '15' });
  });

  it('a refused card leaves nothing to capture (50001127 on the declined order)', async () => {
    await configure(t, m, { paymentRetries: '1' });
    try {
      const feedback = await payOnPage('hp-res-5', [['OPERATION', 'RES']], '4000000000000010');
      assert.equal(feedback.get('STATUS'), '2');
      assert.equal(
        (
          await direct('maintenancedirect.asp', [
            ['ORDERID', 'hp-res-5'],
            ['OPERATION', 'SAL'],
          ])
        ).get('NCERROR'),
        '50001127',
      );
    } finally {
      await configure(t, m, { paymentRetries: '3' });
    }
  });
});
