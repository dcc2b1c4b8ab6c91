import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createTestDatabase } from '../support/db.ts';
import { testAudit, testConfig } from '../support/app.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { createContainer } from '../../src/app/container.ts';
import { createEmailHandler } from '../../src/app/mail.ts';
import { createLogger } from '../../src/app/logger.ts';
import { fixedClock, systemClock } from '../../src/kernel/clock.ts';
import { createOutboxWorker, createSmtpMailer, enqueueEmail, type EmailInput } from '../../src/modules/delivery/index.ts';

// E-mail over a real SMTP server (smtp-server on loopback): what arrives is what the templates say,
// in the recipient's language; an SMTP outage loses nothing.

const database = await createTestDatabase();
const { db } = database;
const logLines: string[] = [];
// debug: a delivered message's line is at that level.
const logger = createLogger(
  'debug',
  new Writable({
    write(chunk: Buffer, _e, cb) {
      logLines.push(chunk.toString('utf8'));
      cb();
    },
  }),
);

/** The receiver has the message before the worker records the outcome: wait for the row. */
async function settled(id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const row = await db.selectFrom('outbox').select('state').where('id', '=', id).executeTakeFirstOrThrow();
    if (row.state !== 'pending') return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`${id} still pending`);
}

const enqueue = (input: EmailInput): Promise<string> => db.transaction().execute((trx) => enqueueEmail(trx, input));
const SUBSCRIPTION = {
  firstName: 'John',
  organisationName: 'Pay & Co <Ltd>',
  productName: 'Node connection',
  environment: 'prod',
  subscriptionName: 'main',
  link: 'https://varco.test/portal/subscriptions/sub_1',
};

test('the worker sends each e-mail to its recipient with the subject and body of its template, in Italian and in English', async () => {
  const receiver = await startSmtpReceiver();
  const config = await testConfig({ DATABASE_URL: database.url, ...receiver.env, VARCO_MAIL_FROM: 'Varco Test <noreply@varco.test>' });
  const container = createContainer({ config, db, databaseUrl: database.url, logger, clock: systemClock, audit: testAudit() });
  const workers = container.workers();
  // E-mail because SMTP is configured; reset (password reset requests), http (server-to-server feedback) and soap (pagoPA receipts) are always handled.
  assert.deepEqual(workers.channels, ['email', 'reset', 'http', 'soap']);
  await workers.start();
  try {
    const link = 'https://varco.test/portal/subscriptions/sub_1?x=1&y=2';
    const itId = await enqueue({
      to: 'anna@bank.test',
      template: 'subscription_rejected',
      locale: 'it',
      params: { ...SUBSCRIPTION, firstName: 'Anna', organisationName: 'Banca Uno', comment: 'Manca il contratto.', link },
    });
    const enId = await enqueue({ to: 'john@pay.test', template: 'subscription_approved', locale: 'en', params: SUBSCRIPTION });
    const [it] = await receiver.waitFor(1, (m) => m.varcoId === itId);
    const [en] = await receiver.waitFor(1, (m) => m.varcoId === enId);
    assert.ok(it && en);

    assert.deepEqual(it.envelopeTo, ['anna@bank.test']);
    assert.equal(it.envelopeFrom, 'noreply@varco.test');
    assert.match(it.headers.get('from') ?? '', /Varco Test <noreply@varco\.test>/);
    assert.equal(it.subject, 'Sottoscrizione rifiutata: main');
    assert.equal(it.messageId, `<${itId}@varco.test>`);
    assert.match(it.text, /^Ciao Anna,/);
    assert.match(it.text, /Commento dell'amministratore: Manca il contratto\./);
    assert.ok(it.text.includes(link), 'text part carries the link');
    assert.ok(it.html.includes('href="https://varco.test/portal/subscriptions/sub_1?x=1&amp;y=2"'), 'HTML part links to it');
    assert.match(it.html, /<html lang="it">/);

    assert.deepEqual(en.envelopeTo, ['john@pay.test']);
    assert.equal(en.subject, 'Subscription approved: main');
    assert.match(en.text, /^Hello John,/);
    assert.match(en.text, /The subscription "main" of Pay & Co <Ltd> to Node connection \(production\) has been approved/);
    // Parameters are escaped in the HTML part.
    assert.ok(en.html.includes('Pay &amp; Co &lt;Ltd&gt;'));
    assert.ok(!en.html.includes('<Ltd>'));

    for (const id of [itId, enId]) {
      await settled(id);
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'delivered');
      assert.equal(row.attempts, 1);
      assert.equal(row.lease_owner, null);
      assert.ok(row.delivered_at);
      const attempts = await db.selectFrom('outbox_attempts').selectAll().where('message_id', '=', id).execute();
      assert.equal(attempts.length, 1);
      assert.equal(attempts[0]!.ok, true);
    }
  } finally {
    await workers.stop();
    await container.close();
  }
  // Log lines name messages, never their parameters.
  assert.ok(logLines.some((l) => l.includes('outbox message delivered')));
  assert.ok(!logLines.join('').includes('Manca il contratto'));
});

test('with the SMTP server down the e-mail stays pending with the failed attempt recorded, and is delivered once it is back', async () => {
  const receiver = await startSmtpReceiver({ listen: false });
  const clock = fixedClock(new Date(Date.now() + 1000));
  const mailer = createSmtpMailer({ url: receiver.url, from: 'Varco <no-reply@varco.localhost>', requireTls: false, timeoutMs: 2000 });
  const worker = createOutboxWorker({ db, clock, logger, workerId: 'w-outage', handlers: { email: createEmailHandler(mailer, {}) }, random: () => 0 });
  try {
    const id = await enqueue({
      to: 'anna@bank.test',
      template: 'subscription_rejected',
      locale: 'it',
      params: { ...SUBSCRIPTION, comment: 'Manca il contratto.' },
    });
    // Other tests' messages are delivered already; only this one is due.
    assert.equal(await worker.runOnce(), 1);
    let row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.state, 'pending');
    assert.equal(row.attempts, 1);
    assert.equal(row.lease_owner, null);
    assert.match(row.last_error ?? '', /ECONNREFUSED|ESOCKET|connect/i);
    assert.equal(row.next_attempt_at.getTime(), clock.now().getTime() + 30_000, 'retried after the first back-off step');
    const failed = await db.selectFrom('outbox_attempts').selectAll().where('message_id', '=', id).execute();
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.ok, false);
    assert.equal(failed[0]!.worker, 'w-outage');
    assert.match(failed[0]!.error ?? '', /ECONNREFUSED|ESOCKET|connect/i);

    // Not due yet: the worker does not hammer a server that is down.
    assert.equal(await worker.runOnce(), 0);

    await receiver.start();
    clock.advance(31_000);
    assert.equal(await worker.runOnce(), 1);
    const [mail] = await receiver.waitFor(1, (m) => m.varcoId === id);
    assert.equal(mail!.subject, 'Sottoscrizione rifiutata: main');
    assert.match(mail!.text, /Commento dell'amministratore: Manca il contratto\./);
    row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.state, 'delivered');
    assert.equal(row.attempts, 2);
    assert.equal(receiver.messages.filter((m) => m.varcoId === id).length, 1);
  } finally {
    mailer.close();
  }
});

test('a recipient the SMTP server refuses for good is given up at once; other messages are unaffected', async () => {
  const receiver = await startSmtpReceiver({ refuse: (address) => address.startsWith('nobody@') });
  const clock = fixedClock(new Date(Date.now() + 1000));
  const mailer = createSmtpMailer({ url: receiver.url, from: 'Varco <no-reply@varco.localhost>', requireTls: false });
  const worker = createOutboxWorker({ db, clock, logger, workerId: 'w-refused', handlers: { email: createEmailHandler(mailer, {}) } });
  try {
    const bad = await enqueue({ to: 'nobody@bank.test', template: 'subscription_reactivated', locale: 'en', params: SUBSCRIPTION });
    const good = await enqueue({ to: 'john@pay.test', template: 'subscription_reactivated', locale: 'en', params: SUBSCRIPTION });
    assert.equal(await worker.runOnce(), 2);
    const rows = new Map((await db.selectFrom('outbox').selectAll().where('id', 'in', [bad, good]).execute()).map((r) => [r.id, r]));
    assert.equal(rows.get(bad)!.state, 'dead');
    assert.match(rows.get(bad)!.last_error ?? '', /550|rejected/i);
    assert.equal(rows.get(good)!.state, 'delivered');
    const attempts = await db.selectFrom('outbox_attempts').select(['ok', 'status_code']).where('message_id', '=', bad).execute();
    assert.deepEqual(attempts, [{ ok: false, status_code: 550 }]);
  } finally {
    mailer.close();
  }
});

test('a sender the relay refuses at MAIL FROM with a 5xx (its configuration) is retried, not given up', async () => {
  for (const [code, text] of [
    [530, '5.7.0 Authentication required'],
    [550, '5.7.1 Sender address rejected: not owned by user'],
    [553, '5.7.1 Sender not allowed to relay'],
  ] as const) {
    const receiver = await startSmtpReceiver({ refuseSender: { code, text } });
    const mailer = createSmtpMailer({ url: receiver.url, from: 'Varco <no-reply@varco.localhost>', requireTls: false });
    const worker = createOutboxWorker({ db, clock: systemClock, logger, workerId: `w-sender-${code}`, handlers: { email: createEmailHandler(mailer, {}) } });
    try {
      const id = await enqueue({ to: 'john@pay.test', template: 'subscription_reactivated', locale: 'en', params: SUBSCRIPTION });
      assert.equal(await worker.runOnce(), 1);
      const row = await db.selectFrom('outbox').select(['state', 'attempts', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'pending', `${code} at MAIL FROM`);
      assert.equal(row.attempts, 1);
      assert.match(row.last_error ?? '', new RegExp(String(code)));
    } finally {
      mailer.close();
      await receiver.stop();
    }
  }
});

test('e-mails still waiting for a pool connection at the cut-off are never sent (no second copy after the retry)', async () => {
  // Five pool connections held by a slow relay (1.5 s per message) and a 500 ms lease (cut-off at 400 ms):
  // the three e-mails queued behind them are cut off and must not reach the relay afterwards.
  const receiver = await startSmtpReceiver({ delayMs: 1500 });
  const mailer = createSmtpMailer({ url: receiver.url, from: 'Varco <no-reply@varco.localhost>', requireTls: false });
  const worker = createOutboxWorker({
    db,
    clock: systemClock,
    logger,
    workerId: 'w-queued',
    leaseMs: 500,
    handlers: { email: createEmailHandler(mailer, {}) },
  });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++)
      ids.push(await enqueue({ to: `queued${i}@bank.test`, template: 'subscription_reactivated', locale: 'en', params: SUBSCRIPTION }));
    assert.equal(await worker.runOnce(), 8);
    const attempts = await db.selectFrom('outbox_attempts').select(['ok', 'error']).where('message_id', 'in', ids).execute();
    assert.equal(attempts.length, 8);
    assert.ok(
      attempts.every((a) => !a.ok),
      'none answered within the cut-off',
    );
    assert.ok(attempts.filter((a) => /cut off/.test(a.error ?? '')).length >= 3, 'the queued ones at least cut off at 400 ms');
    // Long enough for the held connections to be answered and the queue to go out, were it still there.
    await new Promise((done) => setTimeout(done, 2000));
    const arrived = receiver.messages.filter((m) => ids.includes(m.varcoId));
    assert.ok(arrived.length <= 5, `${arrived.length} e-mails reached the relay after their attempt was recorded failed, beyond the 5 under way`);
  } finally {
    mailer.close();
    await receiver.stop();
  }
});
