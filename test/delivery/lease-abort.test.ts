// ADR 0008's lease rule, as implemented (ADR 0025): a delivery still running at 80 % of its lease is
// cut off — its handler's signal aborts (the feedback sender closes its connection on it, see
// retry-after.test.ts), the attempt is recorded once as a failure and retried on the back-off, and
// whatever the handler returns afterwards is ignored: never a second record, never a late
// "delivered" over the recorded failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createTestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/app/logger.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { createOutboxWorker, enqueueEmail, RETRY_SCHEDULES, type DeliveryHandler } from '../../src/modules/delivery/index.ts';

const database = await createTestDatabase(4);
const { db } = database;
const logger = createLogger(
  'error',
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
);
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

test('a handler outliving 80 % of the lease is aborted, recorded once as a failure, and its late success is ignored', async () => {
  const id = await db.transaction().execute((trx) =>
    enqueueEmail(trx, {
      to: 'ada@bank.test',
      template: 'subscription_cancelled',
      locale: 'en',
      params: {
        firstName: 'Ada',
        organisationName: 'Banca',
        productName: 'E-commerce',
        environment: 'test',
        subscriptionName: 's',
        link: 'https://varco.test/',
      },
    }),
  );
  const clock = fixedClock(new Date(Date.now() + 1000));
  let seen: AbortSignal | undefined;
  let finished = false;
  // Ignores its signal on purpose: the worker must not wait for it, nor believe it afterwards.
  const stubborn: DeliveryHandler = async (_message, signal) => {
    seen = signal;
    await sleep(900);
    finished = true;
    return { ok: true };
  };
  const worker = createOutboxWorker({ db, clock, logger, workerId: 'cut', leaseMs: 500, random: () => 0, handlers: { email: stubborn } });
  const started = performance.now();
  assert.equal(await worker.runOnce(), 1);
  const took = performance.now() - started;
  assert.ok(took >= 380 && took < 850, `recorded after ${Math.round(took)} ms, at the cut-off (400 ms), not when the handler ended`);
  assert.equal(seen?.aborted, true, 'the handler was told to stop');
  assert.equal(finished, false);
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'pending');
  assert.equal(row.lease_owner, null, 'the lease is released with the failure: the next worker need not wait for it to expire');
  assert.equal(row.next_attempt_at.getTime() - clock.now().getTime(), RETRY_SCHEDULES.email.baseMs);
  assert.match(row.last_error ?? '', /longer than 400 ms \(80 % of the lease\): cut off/);

  await sleep(700);
  assert.equal(finished, true, 'the handler did end, late');
  const attempts = await db.selectFrom('outbox_attempts').select(['attempt', 'ok']).where('message_id', '=', id).execute();
  assert.deepEqual(attempts, [{ attempt: 1, ok: false }], 'one record; the late success changed nothing');
  assert.equal((await db.selectFrom('outbox').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state, 'pending');
});
