import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.ts';
import type { Config } from '../../src/config/index.ts';
import { ConfigError } from '../../src/config/index.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { createOutboxWorker } from '../../src/modules/delivery/index.ts';
import { buildTestApp, testConfig, testContainer } from '../support/app.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { ecWithStation, paidPayment, schedule } from './support.ts';

// Issue 11, the retry schedule of receipts, walked with an injected clock instead of 48 real hours:
// an EC station that answers 503 forever gets the first retry within 30 s (even with the largest
// jitter), then retries backing off to hourly, until 48 h have passed; then the receipt is failed
// (exhausted.test.ts covers the e-mail). The VARCO_PAGOPA_RT_RETRY_* settings change the schedule.

const t = await buildTestApp();
const { services, database } = t;
const db = database.db;
const silent = createLogger('warn', new Writable({ write: (_chunk, _enc, done) => done() }));
const psp = await createOrganisation(db, 'Banca Pagatrice');
const ec = await ecWithStation(services, db, { version: 1, name: 'Comune Spento' });
ec.station.inject({ kind: 'http503' });
const HOUR = 3_600_000;
const JITTER = 1.25;

/** Delivers one receipt with the worker and handler wired from `config`, moving the clock to each retry, until the outbox gives it up. */
async function exhaust(config: Config): Promise<{ id: string; gaps: number[] }> {
  const clock = fixedClock(new Date(Date.now() + 1000));
  const delivery = { handler: testContainer(t, { config, clock, logger: silent }).deliveryHandlers().soap ?? assert.fail('no soap handler') };
  // random = 1: the largest jitter, so the bounds below hold for every run.
  const worker = createOutboxWorker({
    db,
    clock,
    logger: silent,
    workerId: 'schedule-test',
    handlers: { soap: delivery.handler },
    leaseMs: config.outboxLeaseMs,
    schedules: { soap: config.pagopaRtRetry },
    random: () => 1,
  });
  const [id] = await schedule(services, db, paidPayment({ version: 1, fiscalCode: ec.fiscalCode, ecOrganisationId: ec.id, pspOrganisationId: psp }));
  assert.ok(id);
  const gaps: number[] = [];
  for (let n = 0; n < 500; n++) {
    assert.equal(await worker.runOnce(), 1, `attempt ${n + 1} was due`);
    const message = await db.selectFrom('outbox').select(['state', 'next_attempt_at']).where('subject_id', '=', id).executeTakeFirstOrThrow();
    if (message.state === 'exhausted') return { id, gaps };
    assert.equal(message.state, 'pending');
    gaps.push(message.next_attempt_at.getTime() - clock.now().getTime());
    clock.set(message.next_attempt_at);
  }
  throw new Error('never given up');
}

async function assertFailedAfter(id: string, attempts: number): Promise<void> {
  const receipt = await services.receipts.get({ admin: true }, id);
  assert.equal(receipt?.state, 'failed');
  assert.equal(receipt.attempts, attempts);
  assert.equal(receipt.attemptLog.length, attempts, 'every attempt is shown');
  assert.ok(
    receipt.attemptLog.every((a) => a.result === 'retry' && a.httpStatus === 503),
    JSON.stringify(receipt.attemptLog[0]),
  );
}

test('default schedule: first retry within 30 s, backing off to hourly, given up after 48 hours', async () => {
  const before = ec.station.calls('paSendRT').length;
  const { id, gaps } = await exhaust(t.config);
  assert.ok(gaps[0] !== undefined && gaps[0] <= 30_000, `first retry after ${gaps[0]} ms`);
  for (let i = 1; i < gaps.length; i++) assert.ok((gaps[i] ?? 0) >= (gaps[i - 1] ?? 0), `retry ${i + 1} came sooner than retry ${i}`);
  assert.equal(Math.max(...gaps), HOUR * JITTER, 'backs off to hourly (plus jitter), never longer');
  assert.ok(gaps.filter((g) => g === HOUR * JITTER).length >= 40, 'then hourly');
  const nominalSpan = gaps.reduce((sum, g) => sum + g / JITTER, 0);
  assert.ok(nominalSpan >= 48 * HOUR && nominalSpan < 49 * HOUR, `retried for ${nominalSpan / HOUR} h of the nominal schedule`);
  await assertFailedAfter(id, gaps.length + 1);
  assert.equal(ec.station.calls('paSendRT').length - before, gaps.length + 1, 'each attempt reached the station');
});

test('the VARCO_PAGOPA_RT_RETRY_* settings change the schedule', async () => {
  // The same data directory: Varco's client certificate, which the station demands.
  const config = await testConfig({
    DATABASE_URL: database.url,
    VARCO_DATA_DIR: t.config.dataDir,
    VARCO_PAGOPA_RT_RETRY_FIRST_SECONDS: '5',
    VARCO_PAGOPA_RT_RETRY_MAX_SECONDS: '60',
    VARCO_PAGOPA_RT_RETRY_HOURS: '1',
  });
  assert.deepEqual(config.pagopaRtRetry, { baseMs: 5000, capMs: 60_000, giveUpAfterMs: HOUR });
  const { id, gaps } = await exhaust(config);
  assert.equal(gaps[0], 5000 * JITTER);
  assert.equal(Math.max(...gaps), 60_000 * JITTER);
  const nominalSpan = gaps.reduce((sum, g) => sum + g / JITTER, 0);
  assert.ok(nominalSpan >= HOUR && nominalSpan < HOUR + 60_000, `retried for ${nominalSpan / 60_000} min`);
  await assertFailedAfter(id, gaps.length + 1);
  await assert.rejects(
    testConfig({ VARCO_PAGOPA_RT_RETRY_FIRST_SECONDS: '120', VARCO_PAGOPA_RT_RETRY_MAX_SECONDS: '60' }),
    (error: unknown) => error instanceof ConfigError && /VARCO_PAGOPA_RT_RETRY_FIRST_SECONDS/.test(error.message),
  );
});

test('a token scheduled a second time writes nothing and answers its receipts; each receipt names its own outbox message', async () => {
  const other = await ecWithStation(services, db, { version: 2, name: 'Comune Cointestatario' });
  const paid = paidPayment({ version: 2, fiscalCode: ec.fiscalCode, ecOrganisationId: ec.id, pspOrganisationId: psp, other: other.fiscalCode });
  const first = await schedule(services, db, paid);
  assert.equal(first.length, 2, 'one receipt per institution of the transfers');
  const again = await schedule(services, db, paid);
  assert.deepEqual(again, first);
  const receipts = await db.selectFrom('pagopa_receipts').select(['id', 'outbox_message_id']).where('token', '=', paid.token).orderBy('position').execute();
  assert.deepEqual(
    receipts.map((r) => r.id),
    first,
  );
  for (const receipt of receipts) {
    const messages = await db.selectFrom('outbox').select(['id', 'payload']).where('subject_id', '=', receipt.id).execute();
    assert.deepEqual(
      messages.map((m) => m.id),
      [receipt.outbox_message_id],
      'one message per receipt, the one it names',
    );
    assert.deepEqual(messages[0]?.payload, { kind: 'pagopa_receipt', receiptId: receipt.id });
  }
});
