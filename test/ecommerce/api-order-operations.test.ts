// POST /api/v1/orders/{orderId}/captures | refunds | cancellation and GET …/operations (issue 13),
// under an `ecommerce` key, over real HTTPS: a hosted-page RES order captured in parts, refunded and
// cancelled in JSON, each operation a PAYIDSUB that querydirect shows with the same STATUS; every
// refusal with its stable code (docs/errors.md) and nothing recorded; another organisation's key
// and ids answer 404; the routes are in the OpenAPI document.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiSecuritySuite } from '../support/api-security.ts';
import { createApiUser, ncAnswer, signedDirect } from '../support/directlink.ts';
import { createMerchant, payLocation, postCard, postEntry, signedOrder, type TestMerchant } from '../support/ecommerce.ts';
import { buildHttpsApp } from '../support/https-app.ts';
import { issueKeys } from '../support/subscriptions.ts';

const t = await buildHttpsApp();
const { app, services } = t;
const db = t.database.db;
const m = await createMerchant(t, { settings: { acceptUrl: 'https://shop.example/ok' } });
const key = (await issueKeys(services, m.organisationId, 'ecommerce', 'test')).primary;
const user = await createApiUser(t, m);
const other = await createMerchant(t, { settings: { acceptUrl: 'https://other.example/ok' } });
const otherKey = (await issueKeys(services, other.organisationId, 'ecommerce', 'test')).primary;

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

/** A hosted-page order paid with a test card; its ord_ id. */
async function paidOrder(merchant: TestMerchant, orderRef: string, operation: 'RES' | 'SAL' = 'RES'): Promise<string> {
  const pay = payLocation(await postEntry(app, signedOrder(merchant, orderRef, [['OPERATION', operation]])));
  assert.equal((await postCard(app, pay)).statusCode, 303);
  return pay.orderId;
}

/** `path`: ORDERID (may hold a slash) / action. */
async function call(path: string, body: unknown, apiKey = key): Promise<{ status: number; json: Json }> {
  const cut = path.lastIndexOf('/');
  const res = await t.send('POST', `/api/v1/orders/${encodeURIComponent(path.slice(0, cut))}/${path.slice(cut + 1)}`, {
    headers: { 'content-type': 'application/json', 'ocp-apim-subscription-key': apiKey },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, json: JSON.parse(res.body) as Json };
}

const op = (r: { json: Json }) => {
  const o = r.json.operation as Record<string, unknown>;
  return { payIdSub: o.payIdSub, operation: o.operation, status: o.status, amount: o.amount };
};

async function query(payId: string, payIdSub: string) {
  const a = ncAnswer(
    await t.postForm(
      '/ncol/test/querydirect.asp',
      signedDirect(m, user, [
        ['PAYID', payId],
        ['PAYIDSUB', payIdSub],
      ]),
    ),
  ).attributes;
  return { sub: a.get('PAYIDSUB'), status: a.get('STATUS'), amount: a.get('amount') };
}

const ledger = (orderRef: string, merchantId = m.merchantId) =>
  db
    .selectFrom('orders')
    .select(['captured', 'refunded', 'last_pay_id_sub'])
    .where('merchant_id', '=', merchantId)
    .where('order_ref', '=', orderRef)
    .executeTakeFirstOrThrow();

describe('POST /api/v1/orders/{orderId}/captures', () => {
  apiSecuritySuite({
    app,
    services,
    db,
    method: 'POST',
    url: '/api/v1/orders/no-such-order/captures',
    payload: {},
    group: 'orders',
    productCode: 'ecommerce',
    okStatus: 404,
    otherOrganisation: (response) => assert.equal(response.statusCode, 404),
  });
});

describe('capture, refund and cancel in JSON', () => {
  it('partial capture, final capture, partial refund: each a PAYIDSUB that querydirect shows alike; GET …/operations lists them', async () => {
    const id = await paidOrder(m, 'api-op/1');
    const first = await call('api-op/1/captures', { amount: 500 });
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assert.deepEqual(op(first), { payIdSub: 1, operation: 'SAL', status: 9, amount: 500 });
    const order = first.json.order as Record<string, unknown>;
    assert.deepEqual([order.id, order.orderId, order.captured, order.refunded, order.amount], [id, 'api-op/1', 500, 0, 1500]);
    const payId = String(order.payId);
    assert.deepEqual(op(await call(`${id}/captures`, { final: true })), { payIdSub: 2, operation: 'SAS', status: 9, amount: 1000 }, 'by ord_ id, the rest');
    assert.deepEqual(op(await call('api-op/1/refunds', { amount: 300 })), { payIdSub: 3, operation: 'RFD', status: 8, amount: 300 });
    assert.deepEqual(await query(payId, '1'), { sub: '1', status: '9', amount: '5' });
    assert.deepEqual(await query(payId, '2'), { sub: '2', status: '9', amount: '10' });
    assert.deepEqual(await query(payId, '3'), { sub: '3', status: '8', amount: '3' });
    const listed = await t.send('GET', `/api/v1/orders/${encodeURIComponent('api-op/1')}/operations`, { headers: { 'ocp-apim-subscription-key': key } });
    assert.equal(listed.statusCode, 200);
    const body = JSON.parse(listed.body) as { payId: number; operations: Array<Record<string, unknown>> };
    assert.equal(String(body.payId), payId);
    assert.deepEqual(
      body.operations.map((o) => [o.payIdSub, o.operation, o.status, o.amount, o.amountDecimal]),
      [
        [1, 'SAL', 9, 500, '5'],
        [2, 'SAS', 9, 1000, '10'],
        [3, 'RFD', 8, 300, '3'],
      ],
    );
    const row = await db
      .selectFrom('payment_operations')
      .select(['actor_type', 'actor_id'])
      .where('order_id', '=', id)
      .where('pay_id_sub', '=', 1)
      .executeTakeFirstOrThrow();
    assert.equal(row.actor_type, 'subscription');
    assert.match(row.actor_id ?? '', /^sub_/, 'the key\u2019s subscription asked');
  });

  it('capture beyond the authorisation, refund beyond the capture, capture after cancel: stable codes, nothing recorded', async () => {
    await paidOrder(m, 'api-op/2');
    const over = await call('api-op/2/captures', { amount: 1501 });
    assert.deepEqual([over.status, over.json.error?.code], [409, 'capture_exceeds_authorisation']);
    assert.match(over.json.error?.message ?? '', /at most 1500 .*50001126/);
    const early = await call('api-op/2/refunds', {});
    assert.deepEqual([early.status, early.json.error?.code], [409, 'refund_exceeds_capture']);
    assert.equal(op(await call('api-op/2/captures', { amount: 400 })).status, 9);
    const refund = await call('api-op/2/refunds', { amount: 401 });
    assert.deepEqual([refund.status, refund.json.error?.code], [409, 'refund_exceeds_capture']);
    assert.deepEqual(op(await call('api-op/2/cancellation', {})), { payIdSub: 2, operation: 'DEL', status: 6, amount: 1100 });
    const after = await call('api-op/2/captures', { amount: 1 });
    assert.deepEqual([after.status, after.json.error?.code], [409, 'operation_not_allowed']);
    assert.match(after.json.error?.message ?? '', /closed.*50001127/);
    assert.deepEqual(await ledger('api-op/2'), { captured: 400, refunded: 0, last_pay_id_sub: 2 });
  });

  it('a sale cannot be captured (operation_not_allowed) but is refunded in full; the final cancellation of a captured payment deletes it (7)', async () => {
    await paidOrder(m, 'api-op/3', 'SAL');
    assert.equal((await call('api-op/3/captures', {})).json.error?.code, 'operation_not_allowed');
    assert.deepEqual(op(await call('api-op/3/refunds', { final: true })), { payIdSub: 1, operation: 'RFS', status: 8, amount: 1500 });
    await paidOrder(m, 'api-op/4');
    assert.equal(op(await call('api-op/4/captures', { final: true })).status, 9);
    assert.deepEqual(op(await call('api-op/4/cancellation', { final: true })), { payIdSub: 2, operation: 'DES', status: 7, amount: 1500 });
  });

  it('bad bodies are 400 validation_failed; an unknown order is 404', async () => {
    await paidOrder(m, 'api-op/5');
    for (const body of [{ amount: 0 }, { amount: 12.5 }, { amount: 'all' }, { amount: -5 }, { amount: 1e13 }, [], { final: 'yes' }]) {
      const res = await call('api-op/5/captures', body);
      assert.deepEqual([res.status, res.json.error?.code], [400, 'validation_failed'], JSON.stringify(body));
    }
    const notJson = await t.send('POST', '/api/v1/orders/api-op%2F5/captures', {
      headers: { 'content-type': 'application/json', 'ocp-apim-subscription-key': key },
      body: '{"amount":',
    });
    assert.deepEqual([notJson.statusCode, (JSON.parse(notJson.body) as Json).error?.code], [400, 'bad_request']);
    const text = await t.send('POST', '/api/v1/orders/api-op%2F5/captures', {
      headers: { 'content-type': 'text/plain', 'ocp-apim-subscription-key': key },
      body: 'amount=1',
    });
    assert.deepEqual([text.statusCode, (JSON.parse(text.body) as Json).error?.code], [400, 'validation_failed']);
    const partial = await call('api-op/5/cancellation', { amount: 100 });
    assert.deepEqual([partial.status, partial.json.error?.code], [400, 'validation_failed'], 'a cancellation releases the whole rest');
    assert.match(partial.json.error?.message ?? '', /whole remaining authorisation \(1500\)/);
    const unknown = await call('no-such-order/captures', {});
    assert.deepEqual([unknown.status, unknown.json.error?.code], [404, 'not_found']);
    assert.deepEqual(await ledger('api-op/5'), { captured: 0, refunded: 0, last_pay_id_sub: 0 });
  });

  it('a misspelt or mistyped field is refused on every route, never dropped or converted; nothing is recorded', async () => {
    // Before: {"Amount":100} lost its field and captured (or refunded) the whole amount; true ran as 1.
    await paidOrder(m, 'api-op/7');
    const unknown: [Json, string][] = [
      [{ Amount: 100 }, 'Amount'],
      [{ amount_minor: 100 }, 'amount_minor'],
      [{ amount: 100, finale: true }, 'finale'],
    ];
    const mistyped: [Json, string][] = [
      [{ amount: true }, 'amount'],
      [{ amount: '100' }, 'amount'],
      [{ final: 'true' }, 'final'],
      [{ final: 1 }, 'final'],
    ];
    for (const action of ['captures', 'refunds', 'cancellation']) {
      for (const [body, field] of [...unknown, ...mistyped]) {
        const res = await call(`api-op/7/${action}`, body);
        const issues = (res.json.error as { details?: { issues?: { in: string; field: string }[] } } | undefined)?.details?.issues;
        const what = `${action} ${JSON.stringify(body)}`;
        assert.deepEqual([res.status, res.json.error?.code], [400, 'validation_failed'], what);
        assert.deepEqual(
          issues?.map((i) => [i.in, i.field]),
          [['body', field]],
          what,
        );
      }
    }
    assert.deepEqual(await ledger('api-op/7'), { captured: 0, refunded: 0, last_pay_id_sub: 0 });
    // The bodies clients send keep working.
    assert.deepEqual(op(await call('api-op/7/captures', { amount: 400, final: false })), { payIdSub: 1, operation: 'SAL', status: 9, amount: 400 });
    assert.deepEqual(op(await call('api-op/7/refunds', { amount: 100 })), { payIdSub: 2, operation: 'RFD', status: 8, amount: 100 });
  });

  it('another organisation\u2019s key gets 404 for this organisation\u2019s ORDERID and ord_ id, on every route; nothing is captured', async () => {
    const id = await paidOrder(m, 'api-op/6');
    for (const path of ['api-op/6/captures', `${id}/captures`, `${id}/refunds`, `${id}/cancellation`]) {
      const res = await call(path, {}, otherKey);
      assert.deepEqual([res.status, res.json.error?.code], [404, 'not_found'], path);
    }
    const listed = await t.send('GET', `/api/v1/orders/${id}/operations`, { headers: { 'ocp-apim-subscription-key': otherKey } });
    assert.equal(listed.statusCode, 404);
    // The other organisation's own order of the same ORDERID is its own: capturing it leaves this one alone.
    await paidOrder(other, 'api-op/6');
    assert.equal((await call('api-op/6/captures', { amount: 100 }, otherKey)).status, 201);
    assert.deepEqual(await ledger('api-op/6'), { captured: 0, refunded: 0, last_pay_id_sub: 0 });
    assert.deepEqual(await ledger('api-op/6', other.merchantId), { captured: 100, refunded: 0, last_pay_id_sub: 1 });
  });

  it('the routes, their bodies and error statuses are in the OpenAPI document', async () => {
    const res = await t.send('GET', '/api/docs/json');
    assert.equal(res.statusCode, 200);
    const doc = JSON.parse(res.body) as { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> };
    for (const path of ['captures', 'refunds', 'cancellation']) {
      const post = doc.paths[`/api/v1/orders/{orderId}/${path}`]?.post;
      assert.ok(post?.requestBody, path);
      assert.deepEqual(
        ['201', '404', '409'].filter((s) => s in post.responses),
        ['201', '404', '409'],
        path,
      );
    }
    assert.ok(doc.paths['/api/v1/orders/{orderId}/operations']?.get);
  });
});
