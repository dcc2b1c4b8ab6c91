// Server-to-server feedback to real HTTPS receivers: deferred through the outbox and the worker,
// retried when the receiver is down, online before the redirect (retried on failure, with or without fallback), GET,
// always plain HTTPS — never Varco's client certificate, even to a station's host — to an address
// the destination policy allows; the portal page with every attempt and *resend*;
// GET /api/v1/orders/{orderId}.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { apiSecuritySuite } from '../support/api-security.ts';
import { SHA_OUT, createMerchant, payLocation, postCard, postEntry, queryPairs, signedOrder, verifyFeedback, type TestMerchant } from '../support/ecommerce.ts';
import { Browser, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { makeCa, makeLeaf, startPeer, type Peer, type TestCertificate } from '../support/tls-peers.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createOutboxWorker, RETRY_SCHEDULES } from '../../src/modules/delivery/index.ts';
import { createDestinationPolicy, createOutboundClient, type DestinationPolicy } from '../../src/modules/outbound/index.ts';
import { createFeedbackSender, type FeedbackSenderDeps } from '../../src/modules/checkout/index.ts';
import { testDestinations } from '../support/outbound.ts';
import type { SettingsInput } from '../../src/modules/merchants/index.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const ADMIN = { type: 'admin' as const, id: null, ip: null };

let ca: TestCertificate;
let leaf: TestCertificate;
before(async () => {
  ca = await makeCa({ name: 'Shop Test CA' });
  leaf = await makeLeaf({ issuer: ca, commonName: 'localhost', altNames: ['localhost'] });
  // The receivers' CA is authorised for `test` by an administrator, for every organisation (each test makes its own merchant).
  const added = await services.trust.add('test', ca.certPem, { allOrganisations: true }, ADMIN);
  assert.ok(added.ok);
});

/** Delivers due `http` messages once; `aheadMs` moves the worker's clock forward (a retry coming due). */
async function runWorker(aheadMs = 0): Promise<number> {
  const worker = createOutboxWorker({
    db,
    clock: { now: () => new Date(Date.now() + aheadMs) },
    workerId: `test-${Date.now()}`,
    logger: createLogger(
      'warn',
      new Writable({
        write(_c, _e, cb) {
          cb();
        },
      }),
    ),
    handlers: { http: services.hostedPage.feedback.deliver },
  });
  return worker.runOnce();
}

const message = (id: string) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const tries = (id: string) => db.selectFrom('outbox_attempts').selectAll().where('message_id', '=', id).orderBy('id').execute();
const order = (id: string) => db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function merchantWith(receiverUrl: string, settings: SettingsInput = {}): Promise<TestMerchant> {
  return createMerchant(t, {
    settings: {
      acceptUrl: 'https://shop.example/ok',
      shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
      s2sTiming: 'deferred',
      s2sUrlAccepted: receiverUrl,
      s2sMethod: 'POST',
      ...settings,
    },
  });
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
    assert.deepEqual(
      (await tries(messageId)).map((a) => a.ok),
      [false, true],
    );
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

  it('a failed online attempt is retried by the outbox like a deferred message, with or without the deferred fallback (issue 13)', async () => {
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
    const retried = await message(b.messageId);
    assert.equal(retried.state, 'pending', '"online" is not given up');
    assert.equal(retried.lease_owner, null);
    const deferredDelay = RETRY_SCHEDULES.http.baseMs;
    for (const row of [pending, retried]) {
      const delay = row.next_attempt_at.getTime() - Date.now();
      assert.ok(delay > deferredDelay / 2 && delay <= deferredDelay * 1.25 + 1000, `retried on the deferred schedule, got ${delay} ms`);
    }
    await peer.start();
    await runWorker(20_000);
    assert.equal((await message(a.messageId)).state, 'delivered');
    assert.equal((await message(b.messageId)).state, 'delivered');
    assert.equal((await message(b.messageId)).attempts, 2);
  });
});

describe('no client certificate on feedback', () => {
  it('a receiver that asks for a client certificate gets none: feedback is authenticated by SHA-OUT', async () => {
    const asking = await startPeer({ leaf, requestCert: true, rejectUnauthorized: false });
    const m = await merchantWith(asking.url('/feedback'));
    await paidOrder(m, 'plain-1');
    await runWorker();
    assert.equal(asking.requests.length, 1);
    assert.equal(asking.requests[0]?.clientCertificatePem, undefined, 'the receiver asked and none came');
    assert.equal(receivedFeedback(asking).get('orderID'), 'plain-1');
  });

  it('a feedback URL naming a station\u2019s host — the merchant\u2019s own or another organisation\u2019s — is not sent with a client certificate, and Resend does not change that', async () => {
    const platform = await services.platformCertificates.downloads('test');
    // Another organisation's station, requiring Varco's client certificate, approved at this host.
    const victim = await startPeer({ leaf, clientCas: [platform.caPem], requestCert: true, rejectUnauthorized: true });
    const victimOrg = await createOrganisation(db);
    const CLI = { type: 'cli' as const, id: null, ip: null };
    const station = await services.stations.register(
      victimOrg,
      'test',
      { code: `victim-${Date.now().toString(36)}`, primary: { url: victim.url('/node'), ip: '127.0.0.1', port: victim.port } },
      CLI,
      { allowSharedHost: true },
    );
    assert.ok(station.ok, JSON.stringify(station));
    assert.ok((await services.stations.reviewStation(station.value.id, 'approve', '', CLI)).ok);
    const m = await merchantWith(victim.url('/node'));
    // The merchant's own approved station at the same host changes nothing either.
    const own = await services.stations.register(
      m.organisationId,
      'test',
      { code: `own-${Date.now().toString(36)}`, primary: { url: victim.url('/node'), ip: '127.0.0.1', port: victim.port } },
      CLI,
      { allowSharedHost: true },
    );
    assert.ok(own.ok && (await services.stations.reviewStation(own.value.id, 'approve', '', CLI)).ok);
    const { orderId, messageId } = await paidOrder(m, 'cross-1');
    await runWorker();
    const [attempt] = await tries(messageId);
    assert.equal(attempt?.ok, false);
    assert.match(attempt?.error ?? '', /^tls\/client_certificate_rejected/, 'the station refused a connection without Varco\u2019s certificate');
    assert.equal(victim.requests.length, 0, 'nothing reached the station');

    const referent = await createReferent(db, m.organisationId, ['ecommerce']);
    const browser = await new Browser(app, 'portal').signIn(referent.email);
    assert.equal((await browser.post(`/portal/orders/${orderId}/resend`, { messageId })).statusCode, 303);
    await runWorker();
    const copies = await db.selectFrom('outbox').select('id').where('subject_id', '=', orderId).orderBy('created_at').execute();
    assert.equal(copies.length, 2);
    assert.equal((await tries(copies[1]!.id))[0]?.ok, false, 'the resent copy went out without a certificate too');
    assert.equal(victim.requests.length, 0);
  });
});

describe('feedback destinations', () => {
  // A sender of its own, with its own plain client, as the container wires one (closed with the sender).
  const senderWith = (destinations: DestinationPolicy, resolve?: FeedbackSenderDeps['resolve']) =>
    createFeedbackSender({
      trust: services.trust,
      destinations,
      client: createOutboundClient({ mode: { kind: 'plain' }, destinations }),
      ...(resolve ? { resolve } : {}),
    });
  const message = (url: string, organisationId: string | null = null) => ({
    id: 'msg_test',
    channel: 'http' as const,
    attempt: 1,
    createdAt: new Date(),
    organisationId,
    subjectType: 'order',
    subjectId: 'ord_test',
    payload: { version: 1, env: 'test', method: 'POST', url, headers: {}, body: 'orderID=1', eventId: 'msg_test' },
  });

  it('without VARCO_OUTBOUND_ALLOW_CIDRS a receiver on a loopback address gets nothing', async () => {
    const peer = await startPeer({ leaf, requestCert: false });
    const strict = senderWith(createDestinationPolicy({ allowCidrs: [] }));
    after(() => strict.close());
    const outcome = await strict.deliver(message(peer.url('/feedback')));
    assert.equal(outcome.ok, false);
    assert.match(
      outcome.ok ? '' : outcome.error,
      /^unreachable\/destination_forbidden: localhost resolves to 127\.0\.0\.1, which is a loopback address: Varco connects only to public addresses/,
    );
    assert.equal(peer.secureConnections, 0);
  });

  it('connects to the resolved address it checked, with the certificate checked against the URL\u2019s host (DNS rebinding gains nothing)', async () => {
    const named = await makeLeaf({ issuer: ca, commonName: 'shop.rebind.example', altNames: ['shop.rebind.example'] });
    const peer = await startPeer({ leaf: named, requestCert: false });
    const answers = [['10.0.0.7', '127.0.0.1'], ['127.0.0.1'], ['10.0.0.7']];
    const sender = senderWith(testDestinations(), async () => answers.shift() ?? []);
    after(() => sender.close());
    const url = `https://shop.rebind.example:${peer.port}/feedback`;
    assert.equal((await sender.deliver(message(url))).ok, true, 'the private answer was skipped, the allowed one used');
    assert.equal(peer.requests[0]?.headers.host, `shop.rebind.example:${peer.port}`);
    assert.equal((await sender.deliver(message(url))).ok, true);
    const rebound = await sender.deliver(message(url));
    assert.match(rebound.ok ? '' : rebound.error, /destination_forbidden: shop\.rebind\.example resolves to 10\.0\.0\.7, which is a private/);
    assert.equal(peer.requests.length, 2);
  });

  it('trusts the merchant organisation\u2019s own CA, never another organisation\u2019s', async () => {
    const privateCa = await makeCa({ name: 'Merchant Private CA' });
    const peer = await startPeer({ leaf: await makeLeaf({ issuer: privateCa, commonName: 'localhost', altNames: ['localhost'] }), requestCert: false });
    const [mine, theirs] = [await createOrganisation(db), await createOrganisation(db)];
    assert.ok((await services.trust.add('test', privateCa.certPem, { organisationId: theirs }, ADMIN)).ok);
    const refused = await services.hostedPage.feedback.deliver(message(peer.url('/feedback'), mine));
    assert.match(refused.ok ? '' : refused.error, /^certificate\//);
    assert.ok((await services.trust.add('test', privateCa.certPem, { organisationId: mine }, ADMIN)).ok);
    const fresh = senderWith(testDestinations());
    after(() => fresh.close());
    assert.equal((await fresh.deliver(message(peer.url('/feedback'), mine))).ok, true);
    assert.equal(peer.requests.length, 1);
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
  apiSecuritySuite({
    app,
    services,
    db,
    method: 'GET',
    url: '/api/v1/orders/no-such-order',
    group: 'orders',
    productCode: 'ecommerce',
    okStatus: 404,
    otherOrganisation: (response) => assert.equal(response.statusCode, 404),
  });

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
    assert.deepEqual(
      { ...body, createdAt: '', updatedAt: '', paidAt: '' },
      {
        id: pay.orderId,
        orderId: 'api/1 é',
        environment: 'test',
        payId: row.pay_id,
        status: 9,
        ncError: '0',
        acceptance: 'test123',
        amount: 1500,
        amountDecimal: '15',
        currency: 'EUR',
        operation: 'SAL',
        attempts: 1,
        card: { brand: 'VISA', number: 'XXXXXXXXXXXX1111', expiry: '1234', holder: 'Ada Lovelace' },
        createdAt: '',
        updatedAt: '',
        paidAt: '',
      },
    );
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
