// Server-to-server feedback whose retries run out (ADR 0025): the message becomes `exhausted` (not
// `dead`, which is for failures retrying cannot help), the merchant organisation's enabled
// referents are e-mailed once, each in their language, through the outbox and a real SMTP server;
// the portal's order page shows "exhausted"; a resend from the portal delivers it. Real wiring
// (the container's workers), real HTTPS receiver, real PostgreSQL.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { buildTestApp } from '../support/app.ts';
import { SHA_OUT, createMerchant, payLocation, postCard, postEntry, signedOrder } from '../support/ecommerce.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { Browser, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { makeCa, makeLeaf, startPeer } from '../support/tls-peers.ts';

const receiver = await startSmtpReceiver();
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
const ca = await makeCa({ name: 'Exhausted Feedback CA' });
const leaf = await makeLeaf({ issuer: ca, commonName: 'localhost', altNames: ['localhost'] });
assert.ok((await services.trust.add('test', ca.certPem, { allOrganisations: true }, { type: 'admin', id: null, ip: null })).ok);

const container = createContainer({
  config: { ...t.config, smtpUrl: receiver.url, smtpRequireTls: false },
  db,
  databaseUrl: t.database.url,
  logger: silent,
  clock: systemClock,
  audit: t.audit,
});

const workers = container.workers();
await workers.start();
after(async () => {
  await workers.stop();
  await container.close();
});

let status = 500;
const peer = await startPeer({ leaf, requestCert: false, reply: () => ({ status }) });

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const message = (id: string) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

test('exhausted feedback: state exhausted, each enabled referent e-mailed once in their language, shown on the portal, resendable', async () => {
  const m = await createMerchant(t, {
    settings: {
      acceptUrl: 'https://shop.example/ok',
      shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
      s2sTiming: 'deferred',
      s2sUrlAccepted: peer.url('/feedback?shop=s3cr3t'),
      s2sMethod: 'POST',
    },
  });
  const rita = await createReferent(db, m.organisationId, ['ecommerce'], 'it');
  const john = await createReferent(db, m.organisationId, ['ecommerce'], 'en');
  const gone = await createReferent(db, m.organisationId, ['ecommerce']);
  await db.updateTable('users').set({ disabled_at: new Date() }).where('id', '=', gone.id).execute();
  const stranger = await createReferent(db, await createOrganisation(db), ['ecommerce']);

  const pay = payLocation(await postEntry(app, signedOrder(m, 'exh-1')));
  assert.equal((await postCard(app, pay)).statusCode, 303);
  const { feedback_message_id: id } = await db.selectFrom('orders').select('feedback_message_id').where('id', '=', pay.orderId).executeTakeFirstOrThrow();
  assert.ok(id);
  // The worker (woken by NOTIFY) fails the first try; the retry is due in about 10 s.
  await until(async () => (await message(id)).attempts === 1 && (await message(id)).lease_owner === null, 'the first attempt recorded');
  assert.equal((await message(id)).state, 'pending');
  // Three days of failures later: the next failure is past the give-up point (the worker polls within 2 s).
  await db.updateTable('outbox').set({ attempts: 200, next_attempt_at: new Date() }).where('id', '=', id).execute();
  await until(async () => (await message(id)).state === 'exhausted', 'the message exhausted');
  const exhausted = await message(id);
  assert.equal(exhausted.attempts, 201);
  assert.match(exhausted.last_error ?? '', /HTTP 500/);

  const mails = await receiver.waitFor(2, (mail) => mail.text.includes('exh-1'));
  const to = (email: string) => mails.find((mail) => mail.envelopeTo.includes(email));
  const [it, en] = [to(rita.email), to(john.email)];
  assert.ok(it && en, `mailed: ${mails.map((mail) => mail.envelopeTo.join()).join(' ')}`);
  assert.equal(it.subject, 'Notifica di pagamento non consegnata: ordine exh-1 (collaudo)');
  assert.equal(en.subject, 'Payment feedback not delivered: order exh-1 (test)');
  for (const mail of [it, en]) {
    assert.ok(mail.text.includes(id), 'names the event id');
    assert.ok(mail.text.includes(`https://localhost:${peer.port}/feedback`), 'names the endpoint');
    assert.ok(!mail.text.includes('s3cr3t'), 'not the merchant\u2019s query string');
    assert.match(mail.text, /HTTP 500/);
    assert.match(mail.text, /201/);
    assert.ok(mail.text.includes(`/portal/orders/${pay.orderId}`), 'links the order page');
  }
  // Once, to enabled referents of this organisation only; another round of the worker changes nothing.
  await new Promise((done) => setTimeout(done, 2500));
  assert.equal(receiver.messages.filter((mail) => mail.text.includes('exh-1')).length, 2);
  assert.ok(!receiver.messages.some((mail) => mail.envelopeTo.includes(gone.email) || mail.envelopeTo.includes(stranger.email)));
  assert.equal((await message(id)).attempts, 201, 'an exhausted message is not tried again');

  // The portal shows the state; a resend (the endpoint fixed) delivers, with the same event id.
  const browser = await new Browser(app, 'portal').signIn(rita.email);
  const page = await browser.get(`/portal/orders/${pay.orderId}`);
  // Rita reads Italian: the state in her language, the code in the attribute.
  assert.match(page.body, /<strong data-state="exhausted">tentativi esauriti<\/strong>/);
  status = 200;
  const before = peer.requests.length;
  assert.equal((await browser.post(`/portal/orders/${pay.orderId}/resend`, { messageId: id })).statusCode, 303);
  const copies = await db.selectFrom('outbox').selectAll().where('channel', '=', 'http').where('subject_id', '=', pay.orderId).orderBy('created_at').execute();
  assert.equal(copies.length, 2);
  await until(async () => (await message(copies[1]!.id)).state === 'delivered', 'the resend delivered');
  assert.equal(peer.requests.length, before + 1);
  assert.equal(peer.requests.at(-1)?.headers['varco-event-id'], id, 'the same event id');
  assert.equal((await message(id)).state, 'exhausted', 'the exhausted message stays as it was');
});
