// Server-to-server feedback to real HTTPS receivers: deferred through the outbox and the worker,
// retried when the receiver is down, online before the redirect (with and without fallback), GET,
// mutual TLS with failover when the URL is an approved station of the organisation; the portal
// page with every attempt and *resend*; GET /api/v1/orders/{orderId}.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { apiSecuritySuite } from '../support/api-security.ts';
import { SHA_OUT, createMerchant, payLocation, postCard, postEntry, queryPairs, signedOrder, verifyFeedback, type TestMerchant } from '../support/ecommerce.ts';
import { Browser, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { makeCa, makeLeaf, startPeer, type Peer, type TestCertificate } from '../support/tls-peers.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createOutboxWorker, RETRY_SCHEDULES } from '../../src/modules/delivery/index.ts';
import type { SettingsInput } from '../../src/modules/ecommerce/index.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const ADMIN = { type: 'admin' as const, id: null, ip: null };

let ca: TestCertificate;
let leaf: TestCertificate;
before(async () => {
  ca = await makeCa({ name: 'Shop Test CA' });
  leaf = await makeLeaf({ issuer: ca, commonName: 'localhost', altNames: ['localhost'] });
  // The receivers' CA is authorised for `test` by an administrator, as a merchant's private CA would be.
  const added = await services.trust.add('test', ca.certPem, ADMIN);
  assert.ok(added.ok);
});

/** Delivers due `http` messages once; `aheadMs` moves the worker's clock forward (a retry coming due). */
async function runWorker(aheadMs = 0): Promise<number> {
  const worker = createOutboxWorker({ db, clock: { now: () => new Date(Date.now() + aheadMs) }, workerId: `test-${Date.now()}`,
    logger: createLogger('warn', new Writable({ write(_c, _e, cb) { cb(); } })), handlers: { http: services.hostedPage.feedback.deliver } });
  return worker.runOnce();
}

const message = (id: string) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const tries = (id: string) => db.selectFrom('outbox_attempts').selectAll().where('message_id', '=', id).orderBy('id').execute();
const order = (id: string) => db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function merchantWith(receiverUrl: string, settings: SettingsInput = {}): Promise<TestMerchant> {
  return createMerchant(t, { settings: { acceptUrl: 'https://shop.example/ok', shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
    s2sTiming: 'deferred', s2sUrlAccepted: receiverUrl, s2sMethod: 'POST', ...settings } });
}

/** Pays an order with 4111…; returns its id and feedback message id. */
async function paidOrder(m: TestMerchant, ref: string): Promise<{ orderId: string; messageId: string }> {
  const pay = payLocation(await postEntry(app, signedOrder(m, ref)));
  assert.equal((await postCard(app, pay)).statusCode, 303);
  const row = await order(pay.orderId);
  assert.ok(row.feedback_message_id, 'the outcome enqueued a feedback message');
  return { orderId: pay.orderId, messageId: row.feedback_message_id };
}

function receivedFeedback(peer: Peer, index = 0): Map<string, string> {
  const request = peer.requests[index];
  assert.ok(request, 'the receiver got the request');
  const pairs = request.method === 'GET' ? queryPairs(new URL(request.url, 'https://x').search, 'utf8') : queryPairs(request.body.toString('ascii'), 'utf8');
  return verifyFeedback(pairs.filter(([n]) => n !== 'shop'));
}

describe('deferred feedback', () => {
  it('is enqueued with the outcome and delivered by the worker: same parameters and SHASIGN, the event id in a header', async () => {
    const peer = await startPeer({ leaf, requestCert: false });
    const m = await merchantWith(peer.url('/feedback?shop=7'));
    const { orderId, messageId } = await paidOrder(m, 's2s-1');
    assert.equal(peer.requests.length, 0, 'deferred: nothing before the worker runs');
    const queued = await message(messageId);
    assert.equal(queued.channel, 'http');
    assert.equal(queued.subject_id, orderId);
    await runWorker();
    const request = peer.requests[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/feedback?shop=7');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8');
    assert.equal(request.headers['varco-event-id'], messageId);
    const f = receivedFeedback(peer);
    assert.equal(f.get('orderID'), 's2s-1');
    assert.equal(f.get('STATUS'), '9');
    assert.equal(f.get('PAYID'), String((await order(orderId)).pay_id));
    assert.equal((await message(messageId)).state, 'delivered');
  });

  it('is retried with back-off while the receiver is down, for at least 3 days', async () => {
    assert.ok(RETRY_SCHEDULES.http.giveUpAfterMs >= 72 * 3600 * 1000);
    const peer = await startPeer({ leaf, requestCert: false });
    const m = await merchantWith(peer.url('/feedback'));
    await peer.stop();
    const { messageId } = await paidOrder(m, 's2s-down');
    await runWorker();
    const failed = await message(messageId);
    assert.equal(failed.state, 'pending');
    assert.match(failed.last_error ?? '', /unreachable\/connection_refused/);
    const delay = failed.next_attempt_at.getTime() - Date.now();
    assert.ok(delay > 5_000 && delay < 15_000, `first retry in about 10 s, got ${delay}`);
    await runWorker();
    assert.equal((await message(messageId)).attempts, 1, 'not due yet');
    await peer.start();
    await runWorker(20_000);
    assert.equal((await message(messageId)).state, 'delivered');
    assert.deepEqual((await tries(messageId)).map((a) => a.ok), [false, true]);
    assert.equal(peer.requests[0]?.headers['varco-event-id'], messageId);
  });

  it('a non-2xx answer is a failed attempt', async () => {
    const peer = await startPeer({ leaf, requestCert: false, reply: () => ({ status: 500, body: 'oops' }) });
    const m = await merchantWith(peer.url('/feedback'));
    const { messageId } = await paidOrder(m, 's2s-500');
    await runWorker();
    const [attempt] = await tries(messageId);
    assert.equal(attempt?.ok, false);
    assert.equal(attempt?.status_code, 500);
  });

  it('GET sends the parameters in the query string, after the merchant\u2019s own', async () => {
    const peer = await startPeer({ leaf, requestCert: false });
    const m = await merchantWith(peer.url('/feedback?shop=9'), { s2sMethod: 'GET' });
    await paidOrder(m, 's2s-get');
    await runWorker();
    const request = peer.requests[0]!;
    assert.equal(request.method, 'GET');
    assert.match(request.url, /^\/feedback\?shop=9&orderID=s2s-get&/);
    assert.equal(receivedFeedback(peer).get('STATUS'), '9');
  });
});

describe('online feedback', () => {
  it('is delivered before the customer is redirected', async () => {
    const peer = await startPeer({ leaf, requestCert: false });
    const m = await merchantWith(peer.url('/feedback'), { s2sTiming: 'online' });
    const { messageId } = await paidOrder(m, 'online-1');
    assert.equal(peer.requests.length, 1, 'the receiver had it when the redirect came back');
    assert.equal(receivedFeedback(peer).get('orderID'), 'online-1');
    const row = await message(messageId);
    assert.equal(row.state, 'delivered');
    assert.equal(row.attempts, 1);
    await runWorker();
    assert.equal((await message(messageId)).attempts, 1, 'nothing left for the worker');
  });

  it('with deferred fallback a failed online attempt is retried by the outbox; without it, it is given up', async () => {
    const peer = await startPeer({ leaf, requestCert: false });
    await peer.stop();
    const fallback = await merchantWith(peer.url('/feedback'), { s2sTiming: 'online_deferred_fallback' });
    const a = await paidOrder(fallback, 'online-fallback');
    const pending = await message(a.messageId);
    assert.equal(pending.state, 'pending');
    assert.equal(pending.attempts, 1);
    assert.equal(pending.lease_owner, null);
    const only = await merchantWith(peer.url('/feedback'), { s2sTiming: 'online' });
    const b = await paidOrder(only, 'online-only');
    assert.equal((await message(b.messageId)).state, 'dead');
    await peer.start();
    await runWorker(20_000);
    assert.equal((await message(a.messageId)).state, 'delivered');
    assert.equal((await message(b.messageId)).attempts, 1, 'a message given up is not retried');
  });
});

describe('mutual TLS to an approved station', () => {
  it('the URL\u2019s host is the station\u2019s FQDN: Varco\u2019s client certificate is presented, and the secondary takes over', async () => {
    const platform = await services.platformCertificates.downloads('test');
    const strict = { leaf, clientCas: [platform.caPem], requestCert: true, rejectUnauthorized: true };
    const primary = await startPeer(strict);
    const secondary = await startPeer(strict);
    const m = await merchantWith(`https://localhost:${primary.port}/feedback`);
    const registered = await services.stations.register(m.organisationId, 'test', { code: `shop-${Date.now().toString(36)}`,
      primary: { url: `https://localhost:${primary.port}/feedback`, ip: '127.0.0.1', port: primary.port },
      secondary: { url: `https://localhost:${secondary.port}/feedback`, ip: '127.0.0.1', port: secondary.port } }, ADMIN);
    assert.ok(registered.ok, JSON.stringify(registered));
    assert.ok((await services.stations.reviewStation(registered.value.id, 'approve', '', ADMIN)).ok);

    await paidOrder(m, 'mtls-1');
    await runWorker();
    const seen = primary.requests[0];
    assert.ok(seen?.clientCertificatePem, 'client certificate presented');
    assert.equal(new X509Certificate(seen.clientCertificatePem).fingerprint256, new X509Certificate(platform.current.chainPem).fingerprint256);

    await primary.stop();
    await paidOrder(m, 'mtls-2');
    await runWorker();
    assert.equal(secondary.requests.length, 1, 'failover to the secondary');
    assert.equal(receivedFeedback(secondary).get('orderID'), 'mtls-2');
  });
});

describe('portal: orders, attempts, resend', () => {
  it('lists the organisation\u2019s orders, shows every delivery attempt, resends with the same event id; another organisation gets 404', async () => {
    const peer = await startPeer({ leaf, requestCert: false, reply: () => ({ status: 503 }) });
    const m = await merchantWith(peer.url('/feedback'));
    const { orderId, messageId } = await paidOrder(m, 'portal-1');
    await runWorker();
    const referent = await createReferent(db, m.organisationId, ['ecommerce']);
    const browser = await new Browser(app, 'portal').signIn(referent.email);
    const list = await browser.get('/portal/orders');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, new RegExp(`href="/portal/orders/${orderId}">portal-1<`));
    const detail = await browser.get(`/portal/orders/${orderId}`);
    assert.match(detail.body, /9 · Payment requested/);
    assert.match(detail.body, new RegExp(messageId));
    assert.match(detail.body, /failed \(HTTP 503\)/);
    const resent = await browser.post(`/portal/orders/${orderId}/resend`, { messageId });
    assert.equal(resent.statusCode, 303);
    const copies = await db.selectFrom('outbox').selectAll().where('subject_id', '=', orderId).orderBy('created_at').execute();
    assert.equal(copies.length, 2);
    assert.equal((copies[1]!.payload as { eventId: string }).eventId, messageId, 'same event id');
    assert.match((await browser.get(`/portal/orders/${orderId}?resent=1`)).body, /same event id/);

    const outsider = await createReferent(db, await createOrganisation(db), ['ecommerce']);
    const other = await new Browser(app, 'portal').signIn(outsider.email);
    assert.equal((await other.get(`/portal/orders/${orderId}`)).statusCode, 404);
    assert.equal((await other.post(`/portal/orders/${orderId}/resend`, { messageId })).statusCode, 404);
    assert.doesNotMatch((await other.get('/portal/orders')).body, /portal-1/);
  });
});

describe('GET /api/v1/orders/{orderId}', () => {
  apiSecuritySuite({ app, services, db, method: 'GET', url: '/api/v1/orders/no-such-order', group: 'orders', productCode: 'ecommerce', okStatus: 404,
    otherOrganisation: (response) => assert.equal(response.statusCode, 404) });

  it('returns status and payment details for a key of the same organisation and environment only', async () => {
    const m = await createMerchant(t, { settings: { acceptUrl: 'https://shop.example/ok' } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'api/1 é')));
    await postCard(app, pay);
    const keys = await issueKeys(services, m.organisationId, 'ecommerce', 'test');
    const get = (key: string, id = 'api/1 é') => app.inject({ url: `/api/v1/orders/${encodeURIComponent(id)}`, headers: { 'ocp-apim-subscription-key': key } });
    const res = await get(keys.primary);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<Record<string, unknown>>();
    const row = await order(pay.orderId);
    assert.deepEqual({ ...body, createdAt: '', updatedAt: '', paidAt: '' }, {
      id: pay.orderId, orderId: 'api/1 é', environment: 'test', payId: row.pay_id, status: 9, ncError: '0', acceptance: 'test123', amount: 1500,
      amountDecimal: '15', currency: 'EUR', operation: 'SAL', attempts: 1, card: { brand: 'VISA', number: 'XXXXXXXXXXXX1111', expiry: '1234', holder: 'Ada Lovelace' },
      createdAt: '', updatedAt: '', paidAt: '' });
    assert.equal((await get(keys.primary, pay.orderId)).statusCode, 200, 'by Varco\u2019s id too');
    const prodKeys = await issueKeys(services, m.organisationId, 'ecommerce', 'prod');
    assert.equal((await get(prodKeys.primary)).statusCode, 404, 'another environment');
    const outsider = await issueKeys(services, await createOrganisation(db), 'ecommerce', 'test');
    assert.equal((await get(outsider.primary)).statusCode, 404, 'another organisation');
    assert.equal((await get(outsider.primary, pay.orderId)).statusCode, 404, 'another organisation, by id');
    const node = await issueKeys(services, m.organisationId, 'node', 'test');
    assert.equal((await get(node.primary)).statusCode, 403, 'the node product does not grant orders');
  });
});
