// The portal's capture / refund / cancel buttons on an order (issue 13): each leads to a page saying
// in words what will happen (amounts in the page's language), confirming posts with the CSRF token
// and records a PAYIDSUB (shown on the order page, and to querydirect) with an audit row naming the
// referent; refusals are explained; another organisation's referent gets 404 on every step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { createApiUser, ncAnswer, postDirect, signedDirect } from '../support/directlink.ts';
import { createMerchant, payLocation, postCard, postEntry, signedOrder } from '../support/ecommerce.ts';
import { Browser, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { confirmPage } from '../../src/views/shared/confirm.ts';

const t = await buildTestApp();
const { app } = t;
const db = t.database.db;
const m = await createMerchant(t, {
  settings: { enabledCurrencies: ['EUR', 'HUF'], acceptUrl: 'https://shop.example/ok', s2sTiming: 'deferred', s2sUrlAccepted: 'https://shop.example/status' },
});
const user = await createApiUser(t, m);
const referent = await createReferent(db, m.organisationId, ['ecommerce']);
const browser = await new Browser(app, 'portal').signIn(referent.email);
const italian = await new Browser(app, 'portal').signIn((await createReferent(db, m.organisationId, ['ecommerce'], 'it')).email);

async function authorised(orderRef: string, amount = '2000', operation = 'RES', currency = 'EUR'): Promise<{ id: string; payId: string }> {
  const pay = payLocation(
    await postEntry(
      app,
      signedOrder(m, orderRef, [
        ['AMOUNT', amount],
        ['OPERATION', operation],
        ['CURRENCY', currency],
      ]),
    ),
  );
  assert.equal((await postCard(app, pay)).statusCode, 303);
  const row = await db.selectFrom('orders').select('pay_id').where('id', '=', pay.orderId).executeTakeFirstOrThrow();
  return { id: pay.orderId, payId: String(row.pay_id) };
}

/** The confirmation page's form: its action and hidden fields. */
function confirmForm(body: string): { action: string; fields: Record<string, string> } {
  const form = /<form method="post" action="(\/portal\/orders\/[^"]+)">([\s\S]*?)<\/form>/.exec(body);
  assert.ok(form, body.slice(0, 600));
  const fields = Object.fromEntries([...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((f) => [f[1]!, f[2]!]));
  return { action: form[1]!, fields };
}

const ops = (orderId: string) =>
  db
    .selectFrom('payment_operations')
    .select(['pay_id_sub', 'operation', 'amount', 'status', 'actor_type', 'actor_id'])
    .where('order_id', '=', orderId)
    .orderBy('pay_id_sub')
    .execute();

describe('portal: capture, refund, cancel', () => {
  it('capture: the button, the confirmation in words, the operation recorded with an audit row and shown; querydirect sees it', async () => {
    const o = await authorised('po-1');
    const detail = await browser.get(`/portal/orders/${o.id}`);
    assert.match(detail.body, /Capture, refund, cancel/);
    // Not "no capture yet" beside totals that may show a sale's capture at payment.
    assert.match(detail.body, /No capture, refund or cancellation since the payment\./);
    assert.match(detail.body, new RegExp(`<form method="get" action="/portal/orders/${o.id}/capture"`));
    assert.match(detail.body, new RegExp(`action="/portal/orders/${o.id}/cancel"`));
    assert.doesNotMatch(detail.body, /\/refund"/, 'nothing captured: nothing to refund');
    const confirm = await browser.get(`/portal/orders/${o.id}/capture?amount=12.50`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /€12\.50 of the €20\.00 authorised is captured: the customer is charged this amount\./);
    assert.match(confirm.body, /The remaining €7\.50 stays authorised/);
    const form = confirmForm(confirm.body);
    assert.deepEqual([form.action, form.fields.amount, form.fields.final], [`/portal/orders/${o.id}/capture`, '1250', '']);
    // Beside "Capture €12.50", the way out names where it leads: "Cancel" read as "Cancel the authorisation".
    assert.match(
      confirm.body,
      new RegExp(`<button type="submit" class="danger">Capture €12\\.50</button> <a href="/portal/orders/${o.id}">Back to the order</a>`),
    );
    assert.doesNotMatch(confirm.body, />Cancel<\/a>/);
    assert.deepEqual(await ops(o.id), [], 'nothing happens before the confirmation');
    const done = await browser.post(form.action, { amount: form.fields.amount!, final: form.fields.final! });
    assert.equal(done.statusCode, 303, done.body.slice(0, 400));
    assert.equal(done.headers.location, `/portal/orders/${o.id}?operation=1`);
    assert.deepEqual(await ops(o.id), [{ pay_id_sub: 1, operation: 'SAL', amount: 1250, status: 9, actor_type: 'referent', actor_id: referent.id }]);
    const page = (await browser.get(String(done.headers.location))).body;
    assert.match(page, /Capture recorded as PAYIDSUB 1: 9 · Captured\./);
    assert.match(page, /Authorised €20\.00 · captured €12\.50 · refunded €0\.00\./);
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor_type', 'actor_id', 'organisation_id', 'details'])
      .where('action', '=', 'order.maintenance_requested')
      .where('subject_id', '=', o.id)
      .execute();
    assert.equal(audit.length, 1);
    assert.deepEqual([audit[0]!.actor_type, audit[0]!.actor_id, audit[0]!.organisation_id], ['referent', referent.id, m.organisationId]);
    assert.deepEqual(audit[0]!.details, { operation: 'SAL', amount: '1250', payIdSub: '1' });
    const q = ncAnswer(
      await postDirect(
        app,
        'querydirect.asp',
        signedDirect(m, user, [
          ['PAYID', o.payId],
          ['PAYIDSUB', '1'],
        ]),
      ),
    ).attributes;
    assert.deepEqual([q.get('STATUS'), q.get('amount')], ['9', '12.5']);
  });

  it('last capture, then refund: each through its confirmation, in Italian too', async () => {
    const o = await authorised('po-2');
    const last = await italian.get(`/portal/orders/${o.id}/capture?final=1`);
    assert.match(last.body, /Vengono incassati 20,00\s€ dei 20,00\s€ autorizzati/);
    assert.match(last.body, /È l’ultimo incasso/);
    assert.match(last.body, new RegExp(`<a href="/portal/orders/${o.id}">Torna all’ordine</a>`));
    const f = confirmForm(last.body);
    assert.equal((await italian.post(f.action, { amount: f.fields.amount!, final: f.fields.final! })).statusCode, 303);
    const refund = await browser.get(`/portal/orders/${o.id}/refund?amount=5,00`);
    assert.match(refund.body, /€5\.00 of the €20\.00 captured is returned to the customer’s card\./);
    assert.match(refund.body, /€15\.00 can still be refunded afterwards\./);
    const r = confirmForm(refund.body);
    assert.equal((await browser.post(r.action, { amount: r.fields.amount!, final: r.fields.final! })).statusCode, 303);
    assert.deepEqual(
      (await ops(o.id)).map((x) => [x.pay_id_sub, x.operation, x.amount, x.status]),
      [
        [1, 'SAS', 2000, 9],
        [2, 'RFD', 500, 8],
      ],
    );
    const page = (await italian.get(`/portal/orders/${o.id}?operation=2`)).body;
    assert.match(page, /Rimborso registrato come PAYIDSUB 2: 8 · Rimborsato\./);
    assert.doesNotMatch(page, new RegExp(`action="/portal/orders/${o.id}/capture"`), 'the last capture closed captures');
    // The order's status is its newest operation's, named in the list and found by the status filter.
    const list = await browser.get('/portal/orders?status=8');
    assert.match(list.body, new RegExp(`href="/portal/orders/${o.id}">po-2<`));
    assert.match(list.body, /<td[^>]*>8 · Refund<\/td>/);
    assert.doesNotMatch((await browser.get('/portal/orders?status=8')).body, /po-1</, 'a captured order is not a refund');
  });

  it('cancel: the rest of the authorisation is released (6); a capture afterwards is refused in words', async () => {
    const o = await authorised('po-3');
    const confirm = await browser.get(`/portal/orders/${o.id}/cancel`);
    assert.match(confirm.body, /The remaining €20\.00 of the authorisation is released: the customer is not charged it/);
    const f = confirmForm(confirm.body);
    assert.equal((await browser.post(f.action, { amount: f.fields.amount! })).statusCode, 303);
    assert.deepEqual(
      (await ops(o.id)).map((x) => [x.operation, x.status]),
      [['DEL', 6]],
    );
    const capture = await browser.get(`/portal/orders/${o.id}/capture`);
    assert.equal(capture.statusCode, 409);
    assert.match(capture.body, /does not allow this operation any more/);
    const forced = await browser.post(`/portal/orders/${o.id}/capture`, { amount: '100' });
    assert.equal(forced.statusCode, 409);
    assert.equal((await ops(o.id)).length, 1);
  });

  it('a HUF order (ISO exponent 2, none in Intl) is confirmed and recorded in the money typed: 12.50 of 20.00, not 1,250 of 2,000', async () => {
    const o = await authorised('po-huf', '2000', 'RES', 'HUF');
    const confirm = await browser.get(`/portal/orders/${o.id}/capture?amount=12.50`);
    assert.equal(confirm.statusCode, 200, confirm.body.slice(0, 400));
    const plain = confirm.body.replace(/\u00a0/g, ' ');
    assert.match(plain, /HUF 12\.50 of the HUF 20\.00 authorised is captured/);
    assert.match(plain, /The remaining HUF 7\.50 stays authorised/);
    const f = confirmForm(confirm.body);
    assert.equal(f.fields.amount, '1250');
    assert.equal((await browser.post(f.action, { amount: f.fields.amount!, final: f.fields.final! })).statusCode, 303);
    assert.deepEqual(
      (await ops(o.id)).map((x) => [x.operation, x.amount]),
      [['SAL', 1250]],
    );
    const page = (await italian.get(`/portal/orders/${o.id}`)).body.replace(/\u00a0/g, ' ');
    assert.match(page, /12,50 HUF/);
    assert.doesNotMatch(page, /1\.250 HUF|2\.000 HUF/);
    const over = await browser.get(`/portal/orders/${o.id}/capture?amount=7.51`);
    assert.equal(over.statusCode, 409);
    assert.match(over.body.replace(/\u00a0/g, ' '), /At most HUF 7\.50 can still be captured\./);
  });

  it('refusals: an amount that is not one, beyond what is left, a cancellation whose rest changed since it was confirmed', async () => {
    const o = await authorised('po-4');
    assert.equal((await browser.get(`/portal/orders/${o.id}/capture?amount=12.505`)).statusCode, 400);
    assert.equal((await browser.get(`/portal/orders/${o.id}/capture?amount=abc`)).statusCode, 400);
    const over = await browser.get(`/portal/orders/${o.id}/capture?amount=20.01`);
    assert.equal(over.statusCode, 409);
    assert.match(over.body, /At most €20\.00 can still be captured\./);
    const cancel = confirmForm((await browser.get(`/portal/orders/${o.id}/cancel`)).body);
    await browser.post(`/portal/orders/${o.id}/capture`, { amount: '100' });
    assert.equal((await browser.post(cancel.action, { amount: cancel.fields.amount! })).statusCode, 409, 'the rest is 19.00 now, not the 20.00 confirmed');
    const refund = await browser.post(`/portal/orders/${o.id}/refund`, { amount: '101' });
    assert.equal(refund.statusCode, 409);
    assert.match(refund.body, /At most €1\.00 can still be refunded\./);
    assert.deepEqual(
      (await ops(o.id)).map((x) => x.operation),
      ['SAL'],
    );
  });

  it('a sale has a refund button but no capture or cancel; without the CSRF token nothing happens', async () => {
    const o = await authorised('po-5', '1500', 'SAL');
    const page = (await browser.get(`/portal/orders/${o.id}`)).body;
    assert.match(page, new RegExp(`action="/portal/orders/${o.id}/refund"`));
    assert.doesNotMatch(page, new RegExp(`action="/portal/orders/${o.id}/(capture|cancel)"`));
    const res = await app.inject({
      method: 'POST',
      url: `/portal/orders/${o.id}/refund`,
      headers: { cookie: browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'amount=100',
    });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(await ops(o.id), []);
  });

  it('another organisation\u2019s referent gets 404 on the confirmation and on the post; nothing is recorded', async () => {
    const o = await authorised('po-6');
    const outsider = await new Browser(app, 'portal').signIn((await createReferent(db, await createOrganisation(db), ['ecommerce'])).email);
    for (const action of ['capture', 'refund', 'cancel']) {
      assert.equal((await outsider.get(`/portal/orders/${o.id}/${action}`)).statusCode, 404, action);
      assert.equal((await outsider.post(`/portal/orders/${o.id}/${action}`, { amount: '100' })).statusCode, 404, action);
    }
    assert.deepEqual(await ops(o.id), []);
  });
});

describe('the shared confirmation page', () => {
  it('its way back is not called "Cancel" (beside "Cancel the subscription" it read as the action)', () => {
    const view = { consequences: ['x'], action: '/a', fields: {}, confirmLabel: 'Cancel the subscription', cancelHref: '/b' };
    assert.match(String(confirmPage('en', view)), /Cancel the subscription<\/button> <a href="\/b">Go back<\/a>/);
    assert.match(String(confirmPage('it', view)), /<a href="\/b">Torna indietro<\/a>/);
  });
});
