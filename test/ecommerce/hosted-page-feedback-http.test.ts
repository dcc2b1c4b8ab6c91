// http:// server-to-server URLs (issue 13): the platform's test environment accepts them, so Varco's
// test environment accepts them in the settings AND delivers to them (plain HTTP, through the same
// outbound client and destination policy); production refuses them in the settings and the sender
// refuses any that was stored, connecting to nothing. One rule: s2sUrlProblem.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { SHA_OUT, createMerchant, payLocation, postCard, postEntry, queryPairs, signedOrder, verifyFeedback, type TestMerchant } from '../support/ecommerce.ts';
import { CLI } from '../support/subscriptions.ts';
import { testDestinations } from '../support/outbound.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createOutboxWorker, enqueueHttpMessage } from '../../src/modules/delivery/index.ts';
import { createDestinationPolicy, createOutboundClient, type DestinationPolicy } from '../../src/modules/outbound/index.ts';
import { createFeedbackSender } from '../../src/modules/checkout/index.ts';
import { createFeedbackDispatch } from '../../src/modules/checkout/payment.dispatch.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import type { SettingsInput } from '../../src/modules/merchants/index.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;

interface HttpReceiver {
  url(path: string): string;
  requests: Array<{ method: string; url: string; body: string; headers: IncomingMessage['headers'] }>;
  connections: number;
}

/** A plain HTTP receiver on loopback (a shop's test server), closed after the file. */
async function httpReceiver(status = 200): Promise<HttpReceiver> {
  const receiver: HttpReceiver = { url: () => '', requests: [], connections: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('ascii'), headers: req.headers });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('OK');
    });
  });
  server.on('connection', (socket: Socket) => {
    receiver.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  receiver.url = (path) => `http://localhost:${port}${path}`;
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return receiver;
}

async function runWorker(): Promise<void> {
  const quiet = new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
  await createOutboxWorker({
    db,
    clock: { now: () => new Date() },
    workerId: `http-${Date.now()}`,
    logger: createLogger('warn', quiet),
    handlers: { http: services.hostedPage.feedback.deliver },
  }).runOnce();
}

async function merchantWith(url: string, settings: SettingsInput = {}): Promise<TestMerchant> {
  return createMerchant(t, {
    settings: {
      acceptUrl: 'https://shop.example/ok',
      shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
      s2sTiming: 'deferred',
      s2sUrlAccepted: url,
      s2sMethod: 'POST',
      ...settings,
    },
  });
}

const feedbackMessage = async (orderId: string) => {
  const row = await db.selectFrom('orders').select('feedback_message_id').where('id', '=', orderId).executeTakeFirstOrThrow();
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('id', '=', row.feedback_message_id ?? '')
    .executeTakeFirstOrThrow();
};

describe('test: an http:// server-to-server URL is accepted and delivered', () => {
  it('deferred: the worker delivers it over plain HTTP, signed, with the event id', async () => {
    const receiver = await httpReceiver();
    const m = await merchantWith(receiver.url('/feedback?shop=1'));
    const pay = payLocation(await postEntry(app, signedOrder(m, 'http-deferred')));
    assert.equal((await postCard(app, pay)).statusCode, 303);
    await runWorker();
    const message = await feedbackMessage(pay.orderId);
    assert.equal(message.state, 'delivered', message.last_error ?? '');
    const request = receiver.requests[0];
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/feedback?shop=1');
    assert.equal(request.headers['varco-event-id'], message.id);
    const f = verifyFeedback(queryPairs(request.body, 'utf8'));
    assert.equal(f.get('orderID'), 'http-deferred');
    assert.equal(f.get('STATUS'), '9');
  });

  it('online: delivered before the customer is redirected', async () => {
    const receiver = await httpReceiver();
    const m = await merchantWith(receiver.url('/feedback'), { s2sTiming: 'online' });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'http-online')));
    assert.equal((await postCard(app, pay)).statusCode, 303);
    assert.equal(receiver.requests.length, 1, 'the receiver had it when the redirect came back');
    assert.equal((await feedbackMessage(pay.orderId)).state, 'delivered');
  });

  it('the destination policy applies to http as to https: without VARCO_OUTBOUND_ALLOW_CIDRS loopback gets nothing', async () => {
    const receiver = await httpReceiver();
    const strict: DestinationPolicy = createDestinationPolicy({ allowCidrs: [] });
    const sender = createFeedbackSender({
      trust: services.trust,
      destinations: strict,
      client: createOutboundClient({ mode: { kind: 'plain' }, destinations: strict }),
    });
    after(() => sender.close());
    const outcome = await sender.deliver(message('test', receiver.url('/feedback')));
    assert.match(outcome.ok ? '' : outcome.error, /^unreachable\/destination_forbidden: localhost resolves to 127\.0\.0\.1/);
    assert.equal(receiver.connections, 0);
  });
});

function message(env: 'test' | 'prod', url: string) {
  return {
    id: 'msg_http',
    channel: 'http' as const,
    attempt: 1,
    createdAt: new Date(),
    organisationId: null,
    subjectType: 'order',
    subjectId: 'ord_http',
    payload: { version: 1, env, method: 'POST', url, headers: {}, body: 'orderID=1', eventId: 'msg_http' },
  };
}

describe('prod: http:// is refused in the settings and by the sender', () => {
  it('the settings refuse it in production (and accept it in test)', async () => {
    const m = await createMerchant(t, { prod: true });
    const prod = await services.merchants.updateSettings(m.merchantId, 'prod', { s2sTiming: 'deferred', s2sUrlAccepted: 'http://shop.example/s2s' }, CLI);
    assert.ok(!prod.ok);
    assert.deepEqual(
      prod.problems.map((p) => [p.field, p.code]),
      [['s2sUrlAccepted', 'https_required']],
    );
    const test = await services.merchants.updateSettings(m.merchantId, 'test', { s2sTiming: 'deferred', s2sUrlAccepted: 'http://shop.example/s2s' }, CLI);
    assert.ok(test.ok);
  });

  it('a production http message (stored before the rule, or forged) is given up at once and connects to nothing', async () => {
    const receiver = await httpReceiver();
    const sender = createFeedbackSender({
      trust: services.trust,
      destinations: testDestinations(),
      client: createOutboundClient({ mode: { kind: 'plain' }, destinations: testDestinations() }),
    });
    after(() => sender.close());
    const outcome = await sender.deliver(message('prod', receiver.url('/feedback')));
    assert.deepEqual(outcome, { ok: false, permanent: true, error: 'production server-to-server feedback is sent over https only' });
    assert.equal(receiver.connections, 0);
    const test = await sender.deliver(message('test', receiver.url('/feedback')));
    assert.equal(test.ok, true, 'the same message in test is delivered');
  });
});

it('online attempts cut off at their limit are aborted: a request still waiting for a connection is never sent', async () => {
  // A slow shop (1 s per answer) and twelve customers paying at once: ten requests take the endpoint's
  // ten connections, two wait for one. The online limit (here 300 ms) records all twelve failed.
  const arrivals: Array<{ eventId: string; at: number }> = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push({ eventId: String(req.headers['varco-event-id']), at: performance.now() });
      setTimeout(() => res.end('OK'), 1000);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `http://localhost:${(server.address() as AddressInfo).port}/feedback`;
  const organisationId = await createOrganisation(db);
  const dispatch = createFeedbackDispatch({ db, clock: { now: () => new Date() }, sendNow: services.hostedPage.feedback.online, onlineTimeoutMs: 300 });
  const queued = [];
  for (let i = 0; i < 12; i++) {
    const owner = `online:cut${i}`;
    const { id, message } = await db.transaction().execute((trx) =>
      enqueueHttpMessage(trx, {
        env: 'test',
        method: 'POST',
        url,
        body: `orderID=cut${i}`,
        organisationId,
        subjectType: 'order',
        subjectId: `ord_cut${i}`,
        hold: { owner, until: new Date(Date.now() + 60_000) },
      }),
    );
    queued.push({ id, message, organisationId, orderId: `ord_cut${i}`, owner });
  }
  await Promise.all(queued.map((q) => dispatch.deliverOnline(q)));
  const recordedAt = performance.now();
  const ids = queued.map((q) => q.id);
  const rows = await db.selectFrom('outbox').select(['state', 'last_error']).where('id', 'in', ids).execute();
  assert.ok(
    rows.every((r) => r.state === 'pending' && /no answer within 300 ms/.test(r.last_error ?? '')),
    'every attempt recorded failed, retried by the outbox',
  );
  // Long enough for the first answers to free connections, were the waiting requests still there.
  await new Promise((done) => setTimeout(done, 1500));
  const late = arrivals.filter((a) => a.at > recordedAt);
  assert.deepEqual(late, [], 'no request reached the shop after its attempt was recorded failed');
  assert.ok(arrivals.length <= 10);
});
