import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect } from 'kysely';
import { createTestDatabase } from '../support/db.ts';
import { createPool, type Database } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { createOutboxWorker, enqueueHttpMessage, type DeliveryHandler } from '../../src/modules/delivery/index.ts';

// Issue 15 (the outbox benchmark): a busy worker leased again each time one delivery ended, so it ran
// one lease statement (a round trip and a commit) per message. Now it leases a batch ahead while
// deliveries are in flight and starts the next leased message as soon as a slot frees; a stopping
// worker gives the leases it took ahead back at once instead of leaving them to expire.

const database = await createTestDatabase();
const { db } = database;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function enqueue(count: number, tag: string): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const { id } = await enqueueHttpMessage(trx, {
        env: 'test',
        method: 'POST',
        url: `https://shop.example/${tag}?n=${n}`,
        organisationId: null,
        subjectType: 'order',
        subjectId: `${tag}-${n}`,
      });
      ids.push(id);
    }
    return ids;
  });
}

/** A Kysely on its own pool that counts the lease statements it runs. */
function countingDb(): { db: Kysely<Database>; leases: () => number; close: () => Promise<void> } {
  const pool = createPool(database.url, 5);
  let leases = 0;
  const counted = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.query.sql.includes('varco_outbox_lease(')) leases++;
    },
  });
  return { db: counted, leases: () => leases, close: () => counted.destroy() };
}

test('a busy worker leases a batch at a time (not one message per freed slot) and never runs more than its concurrency', async () => {
  const ids = await enqueue(300, 'busy');
  let running = 0;
  let most = 0;
  const seen = new Map<string, number>();
  const handler: DeliveryHandler = async (message) => {
    running++;
    most = Math.max(most, running);
    seen.set(message.id, (seen.get(message.id) ?? 0) + 1);
    // Spread out, as real endpoints answer: slots free one at a time.
    await sleep(2 + Math.random() * 30);
    running--;
    return { ok: true, statusCode: 200 };
  };
  const counting = countingDb();
  const worker = createOutboxWorker({
    db: counting.db,
    clock: systemClock,
    logger: silent,
    workerId: 'busy',
    handlers: { http: handler },
    batchSize: 10,
    concurrency: 20,
    pollMs: 50,
  });
  await worker.start();
  try {
    const deadline = Date.now() + 20_000;
    const delivered = async () => (await db.selectFrom('outbox').select('id').where('id', 'in', ids).where('state', '=', 'delivered').execute()).length;
    while ((await delivered()) < ids.length && Date.now() < deadline) await sleep(50);
    assert.equal(await delivered(), ids.length, 'every message delivered');
  } finally {
    await worker.stop();
    await counting.close();
  }
  assert.equal(seen.size, 300);
  assert.ok(
    [...seen.values()].every((n) => n === 1),
    'each message delivered once',
  );
  assert.ok(most <= 20, `at most 20 deliveries at once (saw ${most})`);
  // 300 messages in batches of 10 are 30 full leases; the rounds that find the outbox empty (polls, wake-ups) add a few.
  assert.ok(counting.leases() <= 60, `lease statements: ${counting.leases()} for 300 messages in batches of 10`);
});

test('stop() gives back the leases taken ahead and never started; the deliveries in flight finish', async () => {
  const ids = await enqueue(10, 'stop');
  let release: () => void = () => undefined;
  const hung = new Promise<void>((done) => {
    release = done;
  });
  const handler: DeliveryHandler = async () => {
    await hung;
    return { ok: true, statusCode: 200 };
  };
  const worker = createOutboxWorker({
    db,
    clock: systemClock,
    logger: silent,
    workerId: 'stopping',
    handlers: { http: handler },
    batchSize: 4,
    concurrency: 4,
    pollMs: 50,
  });
  await worker.start();
  const leased = async () => (await db.selectFrom('outbox').select('id').where('id', 'in', ids).where('lease_owner', '=', 'stopping').execute()).length;
  const deadline = Date.now() + 10_000;
  // 4 in flight and 4 leased ahead.
  while ((await leased()) < 8 && Date.now() < deadline) await sleep(25);
  assert.equal(await leased(), 8);
  const stopped = worker.stop();
  await sleep(100);
  release();
  await stopped;
  const rows = await db.selectFrom('outbox').select(['state', 'lease_owner', 'attempts']).where('id', 'in', ids).execute();
  assert.equal(rows.filter((r) => r.state === 'delivered').length, 4, 'the deliveries in flight finished');
  const pending = rows.filter((r) => r.state === 'pending');
  assert.equal(pending.length, 6);
  assert.ok(
    pending.every((r) => r.lease_owner === null && r.attempts === 0),
    'no lease left behind, no attempt counted for a message never tried',
  );
});
