import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/db.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { createOutboxWorker, enqueueHttpMessage, type DeliveryHandler } from '../../src/modules/delivery/index.ts';

// Issue 6 (found by the outbound benchmark): the worker leased a batch and waited for its slowest
// delivery before leasing again, so one hung merchant endpoint (up to its 5-second timeout) held up
// every other message of the batch and all the messages behind it. Now a slow delivery holds one
// slot of the worker's concurrency and the rest flow past it.

const database = await createTestDatabase();
const { db } = database;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

test('five hung deliveries do not hold up a hundred others', async () => {
  let release: () => void = () => undefined;
  const hung = new Promise<void>((done) => {
    release = done;
  });
  const handler: DeliveryHandler = async (message) => {
    if ((message.payload as { url: string }).url.includes('slow')) await hung;
    return { ok: true, statusCode: 200 };
  };
  const ids = await db.transaction().execute(async (trx) => {
    const out: { slow: string[]; fast: string[] } = { slow: [], fast: [] };
    // The hung ones first: they are leased in the first batch.
    for (let n = 0; n < 105; n++) {
      const slow = n < 5;
      const { id } = await enqueueHttpMessage(trx, {
        env: 'test',
        method: 'POST',
        url: `https://shop.example/${slow ? 'slow' : 'fast'}?n=${n}`,
        body: `n=${n}`,
        organisationId: null,
        subjectType: 'order',
        subjectId: `peer-${n}`,
      });
      out[slow ? 'slow' : 'fast'].push(id);
    }
    return out;
  });
  const worker = createOutboxWorker({
    db,
    clock: systemClock,
    logger: silent,
    workerId: 'slow-peer',
    handlers: { http: handler },
    pollMs: 100,
    leaseMs: 30_000,
  });
  await worker.start();
  try {
    const state = async (list: string[]) => (await db.selectFrom('outbox').select('state').where('id', 'in', list).execute()).map((r) => r.state);
    const deadline = Date.now() + 5000;
    while ((await state(ids.fast)).some((s) => s !== 'delivered') && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    assert.deepEqual(new Set(await state(ids.fast)), new Set(['delivered']), 'the fast messages went past the hung ones');
    assert.deepEqual(new Set(await state(ids.slow)), new Set(['pending']), 'the hung ones are still in flight');
  } finally {
    release();
    await worker.stop();
  }
  assert.deepEqual(
    new Set((await db.selectFrom('outbox').select('state').where('id', 'in', ids.slow).execute()).map((r) => r.state)),
    new Set(['delivered']),
    'stop() let the hung deliveries finish and record their outcome',
  );
});
