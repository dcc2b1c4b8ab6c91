// Server-to-server feedback to real HTTPS receivers that ask to be called later (ADR 0025): 429 or
// 503 with Retry-After in seconds or as an HTTP date schedules the next attempt at that time
// (bounded by the channel's cap, never earlier than the back-off); a missing or malformed header
// leaves the back-off in charge; a receiver that never answers is cut off at 80 % of the lease, its
// connection closed, and retried on the back-off. The worker's clock is injected: nothing waits
// for a retry to come due.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { SHA_OUT, createMerchant, payLocation, postCard, postEntry, signedOrder, type TestMerchant } from '../support/ecommerce.ts';
import { makeCa, makeLeaf, startPeer, type PeerReply, type TestCertificate } from '../support/tls-peers.ts';
import { createLogger } from '../../src/app/logger.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { createOutboxWorker, RETRY_SCHEDULES } from '../../src/modules/delivery/index.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const silent = createLogger(
  'warn',
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
);
// Whole seconds: an HTTP date has no milliseconds.
const clock = fixedClock(new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000));
const { baseMs, capMs } = RETRY_SCHEDULES.http;

let leaf: TestCertificate;
before(async () => {
  const ca = await makeCa({ name: 'Retry-After Test CA' });
  leaf = await makeLeaf({ issuer: ca, commonName: 'localhost', altNames: ['localhost'] });
  assert.ok((await services.trust.add('test', ca.certPem, { allOrganisations: true }, { type: 'admin', id: null, ip: null })).ok);
});

/** One round of a worker on the injected clock; no jitter, so the back-off is exact. */
function runWorker(leaseMs = 60_000): Promise<number> {
  return createOutboxWorker({
    db,
    clock,
    logger: silent,
    workerId: `w-${Date.now()}`,
    leaseMs,
    random: () => 0,
    handlers: { http: services.hostedPage.feedback.deliver },
  }).runOnce();
}

const message = (id: string) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const tries = (id: string) => db.selectFrom('outbox_attempts').selectAll().where('message_id', '=', id).orderBy('id').execute();

async function paidOrderTo(url: string, ref: string): Promise<string> {
  const m: TestMerchant = await createMerchant(t, {
    settings: {
      acceptUrl: 'https://shop.example/ok',
      shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
      s2sTiming: 'deferred',
      s2sUrlAccepted: url,
      s2sMethod: 'POST',
    },
  });
  const pay = payLocation(await postEntry(app, signedOrder(m, ref)));
  assert.equal((await postCard(app, pay)).statusCode, 303);
  const row = await db.selectFrom('orders').select('feedback_message_id').where('id', '=', pay.orderId).executeTakeFirstOrThrow();
  assert.ok(row.feedback_message_id);
  return row.feedback_message_id;
}

/** Pays an order whose feedback goes to a receiver answering `reply`, runs the worker once; returns the delay until the next attempt. */
async function firstRetryAfter(ref: string, reply: () => PeerReply): Promise<{ delayMs: number; id: string }> {
  const peer = await startPeer({ leaf, requestCert: false, reply });
  const id = await paidOrderTo(peer.url('/feedback'), ref);
  assert.equal(await runWorker(), 1);
  assert.equal(peer.requests.length, 1);
  const row = await message(id);
  assert.equal(row.state, 'pending');
  return { delayMs: row.next_attempt_at.getTime() - clock.now().getTime(), id };
}

describe('Retry-After from a real HTTPS receiver', () => {
  it('429 with Retry-After in seconds: the next attempt is that many seconds later, and not before', async () => {
    const { delayMs, id } = await firstRetryAfter('ra-seconds', () => ({ status: 429, headers: { 'retry-after': '120' } }));
    assert.equal(delayMs, 120_000);
    const [attempt] = await tries(id);
    assert.equal(attempt?.status_code, 429);
    assert.match(attempt?.error ?? '', /HTTP 429 .*Retry-After: 120/);
    clock.advance(119_000);
    assert.equal(await runWorker(), 0, 'not due before the receiver asked');
    clock.advance(1_000);
    assert.equal(await runWorker(), 1, 'due when the receiver asked');
    assert.equal((await tries(id)).length, 2);
  });

  it('429 with Retry-After as an HTTP date: the next attempt is at that date', async () => {
    const at = new Date(clock.now().getTime() + 300_000);
    const { delayMs } = await firstRetryAfter('ra-date', () => ({ status: 429, headers: { 'retry-after': at.toUTCString() } }));
    assert.equal(delayMs, 300_000);
  });

  it('503 asking for a day is bounded by the channel\u2019s cap', async () => {
    const { delayMs } = await firstRetryAfter('ra-cap', () => ({ status: 503, headers: { 'retry-after': '86400' } }));
    assert.equal(delayMs, capMs);
  });

  it('a malformed, a too-short or a missing Retry-After leaves the back-off in charge', async () => {
    assert.equal((await firstRetryAfter('ra-bad', () => ({ status: 429, headers: { 'retry-after': 'in a while' } }))).delayMs, baseMs);
    assert.equal((await firstRetryAfter('ra-short', () => ({ status: 429, headers: { 'retry-after': '1' } }))).delayMs, baseMs);
    assert.equal((await firstRetryAfter('ra-none', () => ({ status: 429 }))).delayMs, baseMs);
  });

  it('Retry-After on another status (500) is not read: the back-off applies', async () => {
    assert.equal((await firstRetryAfter('ra-500', () => ({ status: 500, headers: { 'retry-after': '600' } }))).delayMs, baseMs);
  });
});

describe('a receiver that never answers', () => {
  it('is cut off at 80 % of the lease: its connection is closed at once, the attempt is a failure retried on the back-off', async () => {
    const peer = await startPeer({ leaf, requestCert: false, reply: () => undefined });
    const id = await paidOrderTo(peer.url('/feedback'), 'hung-1');
    assert.equal(peer.closedConnections, 0);
    const started = performance.now();
    // A 1 s lease: cut off after 800 ms, well before the feedback's own 5 s response timeout.
    assert.equal(await runWorker(1000), 1);
    const took = performance.now() - started;
    assert.ok(took >= 750 && took < 3000, `recorded after ${Math.round(took)} ms`);
    assert.equal(peer.requests.length, 1, 'the receiver had the request');
    // Without the abort the connection would stay open until the feedback's 5 s response timeout.
    const deadline = performance.now() + 1000;
    while (peer.closedConnections === 0 && performance.now() < deadline) await new Promise((done) => setTimeout(done, 20));
    assert.equal(peer.closedConnections, 1, 'the aborted request closed its connection');
    const row = await message(id);
    assert.equal(row.state, 'pending');
    assert.equal(row.lease_owner, null);
    assert.equal(row.next_attempt_at.getTime() - clock.now().getTime(), baseMs, 'a timeout is retried on the back-off');
    const [attempt] = await tries(id);
    assert.equal(attempt?.ok, false);
    assert.match(attempt?.error ?? '', /longer than 800 ms \(80 % of the lease\): cut off/);
    assert.equal((await tries(id)).length, 1, 'one attempt, recorded once');
  });
});
