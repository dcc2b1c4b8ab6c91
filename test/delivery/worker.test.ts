import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { createTestDatabase } from '../support/db.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { createEmailHandler } from '../../src/app/mail.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { fixedClock, systemClock } from '../../src/kernel/clock.ts';
import {
  createOutboxWorker,
  createSmtpMailer,
  enqueueEmail,
  type DeliveryHandler,
  type EmailInput,
  type OutboxMessage,
} from '../../src/modules/delivery/index.ts';
import { recordAttempt } from '../../src/modules/delivery/outbox.repository.ts';

// The outbox worker: leases are exclusive across workers and processes (FOR UPDATE SKIP LOCKED), a
// crashed worker's lease expires and the message is delivered again, LISTEN wakes workers at once.

const database = await createTestDatabase(10);
const { db } = database;
const logger = createLogger(
  'warn',
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
);
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

const email = (n: number | string): EmailInput => ({
  to: `user${n}@bank.test`,
  template: 'subscription_cancelled',
  locale: n === 0 ? 'it' : 'en',
  params: {
    firstName: 'Ada',
    organisationName: 'Banca Uno',
    productName: 'E-commerce',
    environment: 'test',
    subscriptionName: `s${n}`,
    link: 'https://varco.test/portal',
  },
});
const enqueue = (input: EmailInput): Promise<string> => db.transaction().execute((trx) => enqueueEmail(trx, input));
const row = (id: string) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
/** Leaves the table to the next test: nothing due. */
const clearOutbox = async (): Promise<void> => {
  await db.deleteFrom('outbox_attempts').execute();
  await db.deleteFrom('outbox').execute();
};

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('two workers on one database, each with its own connections: 200 e-mails, each delivered exactly once', async () => {
  await clearOutbox();
  // The receiver answers slowly, so both workers hold leases at the same time.
  const receiver = await startSmtpReceiver({ delayMs: 5 });
  const instances = ['worker-a', 'worker-b'].map((workerId) => {
    const pool = createPool(database.url, 5);
    const mailer = createSmtpMailer({ url: receiver.url, from: 'Varco <no-reply@varco.localhost>', requireTls: false });
    const worker = createOutboxWorker({
      db: createKysely(pool),
      clock: systemClock,
      logger,
      workerId,
      batchSize: 10,
      pollMs: 200,
      handlers: { email: createEmailHandler(mailer, {}) },
      listenUrl: database.url,
    });
    return { worker, mailer, pool };
  });
  await Promise.all(instances.map((i) => i.worker.start()));
  try {
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      ids.push(
        ...(await db.transaction().execute(async (trx) => {
          const out: string[] = [];
          for (let n = 0; n < 20; n++) out.push(await enqueueEmail(trx, email(batch * 20 + n)));
          return out;
        })),
      );
    }
    await receiver.waitFor(200, () => true, 60_000);
    await until(async () => (await db.selectFrom('outbox').select('id').where('state', '=', 'pending').execute()).length === 0, 'outcomes recorded');
    await sleep(300); // a duplicate would arrive now
    const perId = new Map<string, number>();
    for (const m of receiver.messages) perId.set(m.varcoId, (perId.get(m.varcoId) ?? 0) + 1);
    assert.equal(perId.size, 200);
    assert.deepEqual([...perId.keys()].sort(), [...ids].sort());
    assert.ok(
      [...perId.values()].every((n) => n === 1),
      'an e-mail was delivered twice',
    );
    const attempts = await db.selectFrom('outbox_attempts').select(['message_id', 'worker', 'ok']).execute();
    assert.equal(attempts.length, 200);
    assert.ok(attempts.every((a) => a.ok));
    const byWorker = new Set(attempts.map((a) => a.worker));
    assert.deepEqual([...byWorker].sort(), ['worker-a', 'worker-b'], 'both workers took part');
  } finally {
    await Promise.all(instances.map((i) => i.worker.stop()));
    for (const i of instances) {
      i.mailer.close();
      await i.pool.end();
    }
  }
});

test('a lease left by a crashed worker is taken over once it expires, and the late worker cannot overwrite the outcome', async () => {
  await clearOutbox();
  const clock = fixedClock(new Date(Date.now() + 1000));
  const delivered: OutboxMessage[] = [];
  const handler: DeliveryHandler = async (message) => {
    delivered.push(message);
    return { ok: true };
  };
  const worker = createOutboxWorker({ db, clock, logger, workerId: 'survivor', handlers: { email: handler }, leaseMs: 60_000 });
  const id = await enqueue(email(1));
  // A worker leased it and died (SIGKILL) before recording anything.
  await db
    .updateTable('outbox')
    .set({ lease_owner: 'crashed', lease_expires_at: new Date(clock.now().getTime() + 60_000), attempts: 1 })
    .where('id', '=', id)
    .execute();

  assert.equal(await worker.runOnce(), 0, 'a live lease is respected');
  clock.advance(60_001);
  assert.equal(await worker.runOnce(), 1);
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0]!.id, id, 'the message id (event id) is the same on the new attempt');
  assert.equal(delivered[0]!.attempt, 2);
  let after = await row(id);
  assert.equal(after.state, 'delivered');
  assert.equal(after.lease_owner, null);

  // The crashed worker comes back to life and reports its old attempt: recorded, but the state stays.
  const held = await recordAttempt(db, {
    messageId: id,
    owner: 'crashed',
    attempt: 1,
    startedAt: clock.now(),
    durationMs: 5,
    ok: false,
    statusCode: null,
    error: 'late',
    nextAttemptAt: clock.now(),
    now: clock.now(),
  });
  assert.equal(held, false);
  after = await row(id);
  assert.equal(after.state, 'delivered');
  assert.equal(after.last_error, null);
  assert.deepEqual(await db.selectFrom('outbox_attempts').select(['attempt', 'worker', 'ok']).where('message_id', '=', id).orderBy('id').execute(), [
    { attempt: 2, worker: 'survivor', ok: true },
    { attempt: 1, worker: 'crashed', ok: false },
  ]);
});

test('failures are retried on the back-off schedule; a failure after the give-up point is exhausted; a throwing handler is a failure', async () => {
  await clearOutbox();
  const clock = fixedClock(new Date(Date.now() + 1000));
  let answer: 'fail' | 'throw' | 'throw at once' = 'fail';
  // Not an async function: it can also throw before handing back a promise.
  const handler: DeliveryHandler = () => {
    if (answer === 'throw at once') throw Object.assign(new Error('a bug in the handler'), { code: 'EBUG' });
    if (answer === 'throw') return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    return Promise.resolve({ ok: false, error: 'HTTP 503', statusCode: 503 });
  };
  const worker = createOutboxWorker({ db, clock, logger, workerId: 'w', handlers: { email: handler }, random: () => 0 });
  const id = await enqueue(email(2));
  assert.equal(await worker.runOnce(), 1);
  let r = await row(id);
  assert.equal(r.state, 'pending');
  assert.equal(r.last_error, 'HTTP 503');
  assert.equal(r.next_attempt_at.getTime() - clock.now().getTime(), 30_000);

  clock.advance(30_000);
  answer = 'throw';
  assert.equal(await worker.runOnce(), 1);
  r = await row(id);
  assert.equal(r.attempts, 2);
  assert.equal(r.last_error, 'ECONNRESET: socket hang up');
  assert.equal(r.next_attempt_at.getTime() - clock.now().getTime(), 60_000, 'the delay doubled');

  clock.advance(60_000);
  answer = 'throw at once';
  assert.equal(await worker.runOnce(), 1);
  r = await row(id);
  assert.deepEqual([r.state, r.attempts, r.lease_owner], ['pending', 3, null], 'recorded as a failed attempt, not left to its lease');
  assert.equal(r.last_error, 'EBUG: a bug in the handler');

  // Two days of attempts later.
  await db.updateTable('outbox').set({ attempts: 80, next_attempt_at: clock.now() }).where('id', '=', id).execute();
  assert.equal(await worker.runOnce(), 1);
  r = await row(id);
  assert.equal(r.state, 'exhausted', 'retries ran out: exhausted, not dead (dead is for failures retrying cannot help)');
  assert.equal(r.lease_owner, null);
  assert.equal(await worker.runOnce(), 0, 'an exhausted message is not leased again');
});

test('an error text with NUL in it (a receiver answer quoted) is recorded, and so are the outcomes recorded with it', async () => {
  await clearOutbox();
  const ids = [await enqueue(email('nul-1')), await enqueue(email('nul-2'))];
  const worker = createOutboxWorker({
    db,
    clock: fixedClock(new Date(Date.now() + 1000)),
    logger,
    workerId: 'w-nul',
    handlers: { email: async (msg) => (msg.id === ids[0] ? { ok: false, error: 'HTTP 500: bad\u0000answer', statusCode: 500 } : { ok: true }) },
  });
  assert.equal(await worker.runOnce(), 2);
  const [failed, delivered] = [await row(ids[0] ?? ''), await row(ids[1] ?? '')];
  assert.deepEqual([failed.state, failed.lease_owner, failed.last_error], ['pending', null, 'HTTP 500: bad\uFFFDanswer']);
  assert.deepEqual([delivered.state, delivered.lease_owner], ['delivered', null]);
});

test('only channels with a handler are leased: without SMTP e-mails stay pending, untouched', async () => {
  await clearOutbox();
  const id = await enqueue(email(3));
  const worker = createOutboxWorker({
    db,
    clock: fixedClock(new Date(Date.now() + 1000)),
    logger,
    workerId: 'http-only',
    handlers: { http: async () => ({ ok: true }) },
  });
  assert.equal(await worker.runOnce(), 0);
  const idle = createOutboxWorker({ db, clock: systemClock, logger, workerId: 'none', handlers: {} });
  assert.equal(await idle.runOnce(), 0);
  await idle.start();
  await idle.stop();
  const r = await row(id);
  assert.deepEqual([r.state, r.attempts, r.lease_owner], ['pending', 0, null]);
});

test('LISTEN wakes the worker at once (no waiting for the poll), also after its connection was cut', async () => {
  await clearOutbox();
  const seen: string[] = [];
  const worker = createOutboxWorker({
    db,
    clock: systemClock,
    logger,
    workerId: 'listener',
    pollMs: 60_000,
    listenUrl: database.url,
    handlers: {
      email: async (m) => {
        seen.push(m.id);
        return { ok: true };
      },
    },
  });
  await worker.start();
  try {
    await sleep(200); // the worker's first round found nothing and sleeps for a minute
    const first = await enqueue(email(4));
    await until(async () => seen.includes(first), 'delivery woken by NOTIFY', 3000);

    // The database drops the LISTEN connection (restart, failover): the listener reconnects.
    const killed = await sql<{ n: number }>`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE application_name = 'varco-outbox-listener' AND datname = current_database()`.execute(db);
    assert.equal(killed.rows[0]!.n, 1);
    await until(
      async () =>
        (
          await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = 'varco-outbox-listener' AND datname = current_database()`.execute(db)
        ).rows[0]!.n === 1,
      'listener reconnected',
      5000,
    );
    const second = await enqueue(email(5));
    await until(async () => seen.includes(second), 'delivery woken after reconnecting', 3000);
  } finally {
    await worker.stop();
  }
  const listening = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'varco-outbox-listener' AND datname = current_database()`.execute(db);
  assert.equal(listening.rows[0]!.n, 0, 'stop() closes the LISTEN connection');
});

test('stop() lets deliveries in flight finish and record their outcome', async () => {
  await clearOutbox();
  const receiver = await startSmtpReceiver({ delayMs: 400 });
  const mailer = createSmtpMailer({ url: receiver.url, from: 'Varco <no-reply@varco.localhost>', requireTls: false });
  const worker = createOutboxWorker({ db, clock: systemClock, logger, workerId: 'stopping', pollMs: 50, handlers: { email: createEmailHandler(mailer, {}) } });
  const ids = await db.transaction().execute(async (trx) => Promise.all([6, 7, 8].map(async (n) => enqueueEmail(trx, email(n)))));
  await worker.start();
  try {
    await until(async () => (await db.selectFrom('outbox').select('id').where('lease_owner', '=', 'stopping').execute()).length === 3, 'leases taken');
  } finally {
    await worker.stop();
    mailer.close();
  }
  const rows = await db.selectFrom('outbox').select(['state', 'lease_owner']).where('id', 'in', ids).execute();
  assert.deepEqual(
    rows.map((r) => [r.state, r.lease_owner]),
    [
      ['delivered', null],
      ['delivered', null],
      ['delivered', null],
    ],
  );
  assert.equal(receiver.messages.length, 3);
});

/** A logger at info whose lines are kept, parsed, for a test to read. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string; reason?: string; error?: string; messageId?: string; channel?: string }> = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
        cb();
      },
    }),
  );
  return { logger, lines };
}

test('a message no longer needed (moot) is given up and logged as information, a permanent failure as an error', async () => {
  await clearOutbox();
  const { logger: recording, lines } = recordingLogger();
  const moot = await enqueue(email('moot'));
  const broken = await enqueue(email('broken'));
  const handler: DeliveryHandler = async (message) =>
    message.id === moot
      ? { ok: false, permanent: true, moot: true, error: 'invitation inv_x was accepted before this e-mail was sent: nothing to send' }
      : { ok: false, permanent: true, error: 'mailbox does not exist' };
  const worker = createOutboxWorker({
    db,
    clock: fixedClock(new Date(Date.now() + 1000)),
    logger: recording,
    workerId: 'w-moot',
    handlers: { email: handler },
  });
  await worker.runOnce();
  recording.flush();
  await until(async () => lines.length >= 2, 'two log lines');
  assert.deepEqual([(await row(moot)).state, (await row(broken)).state], ['dead', 'dead']);
  const about = (text: string) => lines.find((l) => (l.reason ?? l.error ?? '').includes(text));
  assert.deepEqual([about('nothing to send')?.level, about('nothing to send')?.msg], [30, 'outbox message not needed any more']);
  assert.deepEqual([about('mailbox')?.level, about('mailbox')?.msg], [50, 'outbox message given up']);
});

test('a delivered e-mail is logged at info with its id, not its address', async () => {
  await clearOutbox();
  const { logger: recording, lines } = recordingLogger();
  const id = await enqueue(email('logged'));
  const ok: DeliveryHandler = async () => ({ ok: true });
  const worker = createOutboxWorker({
    db,
    clock: fixedClock(new Date(Date.now() + 1000)),
    logger: recording,
    workerId: 'w-info',
    handlers: { email: ok, http: ok },
  });
  await worker.runOnce();
  recording.flush();
  await until(async () => lines.some((l) => l.msg === 'outbox message delivered'), 'the delivered line');
  const delivered = lines.filter((l) => l.msg === 'outbox message delivered');
  assert.deepEqual(
    delivered.map((l) => [l.level, l.messageId, l.channel]),
    [[30, id, 'email']],
  );
  assert.ok(!JSON.stringify(delivered).includes('userlogged@bank.test'), 'no address in the line');
});
