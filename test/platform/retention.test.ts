import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createTestDatabase } from '../support/db.ts';
import { testAudit, testConfig } from '../support/app.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { createJobRunner, type PeriodicJob } from '../../src/app/jobs.ts';
import { RETENTION_EVERY_MS, retentionJobs } from '../../src/app/retention.ts';
import { createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createKysely, createPool, listJobLeases } from '../../src/db/index.ts';
import { fixedClock, systemClock } from '../../src/kernel/clock.ts';
import { newId } from '../../src/kernel/ids.ts';
import { createExchangeLog } from '../../src/modules/pagopa-exchanges/index.ts';

// Issue 10 item 7 (retention): the error log, finished outbox messages with their attempts, station
// verification history (each station's latest kept) and expired sessions are deleted by periodic
// jobs with the configured ages; each job runs under a lease, so two processes never run one at once
// and it runs once per interval across them. Before, nothing expired (only checks, after 90 days).
// Issue 11 adds the pagoPA exchange log (VARCO_RETENTION_EXCHANGES_DAYS), counted from each exchange.

const database = await createTestDatabase();
const { db } = database;
const silent = createLogger('warn', new Writable({ write: (_chunk, _enc, done) => done() }));
const NOW = new Date('2027-03-01T12:00:00Z');
const DAY = 24 * 3600_000;
const ago = (days: number): Date => new Date(NOW.getTime() - days * DAY);
const RETENTION = { errorLogDays: 30, outboxDays: 20, checksDays: 90, exchangesDays: 7 };

const ids = async (table: 'ecommerce_errors' | 'outbox' | 'station_checks' | 'password_resets', where?: (id: string) => boolean): Promise<string[]> =>
  (await db.selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id).filter(where ?? (() => true));

async function seed(): Promise<void> {
  for (const [slot, [id, days]] of (
    [
      ['err_old', 31],
      ['err_edge', 29.9],
      ['err_new', 1],
    ] as const
  ).entries()) {
    await db
      .insertInto('ecommerce_errors')
      .values({ id, merchant_id: null, environment: 'test', pspid: 'shop', code: 'x', message: 'm', created_at: ago(days), bucket: 'retention-test', slot })
      .execute();
  }
  const messages: Array<[string, 'pending' | 'held' | 'delivered' | 'dead', number, number | null, number?]> = [
    ['msg_delivered_old', 'delivered', 40, 21],
    ['msg_delivered_recent', 'delivered', 40, 19],
    ['msg_dead_old', 'dead', 40, null, 25],
    ['msg_dead_recent', 'dead', 40, null, 10],
    ['msg_pending_old', 'pending', 100, null],
    ['msg_held_old', 'held', 100, null],
    // Password reset requests as typed (address, IP): a day after they were carried out.
    ['msg_reset_old', 'delivered', 3, 1.1],
    ['msg_reset_recent', 'delivered', 3, 0.9],
  ];
  for (const [id, state, created, delivered, lastAttempt] of messages) {
    await db
      .insertInto('outbox')
      .values({
        id,
        channel: id.startsWith('msg_reset') ? 'reset' : 'email',
        payload: '{}',
        created_at: ago(created),
        next_attempt_at: ago(lastAttempt ?? created),
        delivered_at: delivered === null ? null : ago(delivered),
      })
      .execute();
    await db.updateTable('outbox').set({ state }).where('id', '=', id).execute();
  }
  for (const id of ['msg_delivered_old', 'msg_dead_old', 'msg_delivered_recent']) {
    await db
      .insertInto('outbox_attempts')
      .values({ message_id: id, attempt: 1, started_at: ago(30), duration_ms: 5, ok: id.includes('delivered'), status_code: null, error: null, worker: 'w' })
      .execute();
  }
  const organisation = await createOrganisation(db);
  for (const code of ['A', 'B']) {
    await db
      .insertInto('stations')
      .values({ id: `stn_${code}`, organisation_id: organisation, environment: 'test', code: `RET_${code}` })
      .execute();
  }
  const check = (id: string, station: string, days: number) => ({
    id,
    station_id: station,
    version_id: null,
    trigger: 'schedule' as const,
    ok: true,
    result: '{}',
    started_at: ago(days),
    duration_ms: 1,
  });
  // A: one old check and a recent one; B: only old checks, the latest of which stays.
  await db
    .insertInto('station_checks')
    .values([check('chk_A_old', 'stn_A', 91), check('chk_A_new', 'stn_A', 1), check('chk_B_older', 'stn_B', 200), check('chk_B_latest', 'stn_B', 120)])
    .execute();
  const user = newId('usr');
  await db.insertInto('users').values({ id: user, kind: 'admin', email: 'ops@varco.test', password_hash: null, first_name: null, last_name: null }).execute();
  for (const [hash, expires] of [
    ['expired', -1],
    ['live', 1],
  ] as const) {
    await db
      .insertInto('sessions')
      .values({
        token_hash: hash,
        id: newId('ses'),
        user_id: user,
        surface: 'admin',
        csrf_token: 'c',
        ip: null,
        user_agent: null,
        expires_at: new Date(NOW.getTime() + expires * 60_000),
      })
      .execute();
  }
  // Password reset requests go a week after their link expired.
  for (const [id, days] of [
    ['pwr_old', 7.1],
    ['pwr_recent', 6.9],
  ] as const) {
    await db
      .insertInto('password_resets')
      .values({ id, user_id: user, surface: 'admin', requested_at: ago(days), expires_at: ago(days), ip: null })
      .execute();
  }
  // Sign-in and reset-request counters go a day after their window started, unless they still lock.
  for (const [key, windowDays, lockedUntil] of [
    ['ip:admin:old', 1.1, null],
    ['reset:old-lock-over', 1.1, ago(1)],
    ['account:admin:old-still-locked', 2, new Date(NOW.getTime() + 60_000)],
    ['reset:recent', 0.9, null],
  ] as const) {
    await db
      .insertInto('signin_throttle')
      .values({ key, failures: 1, window_started_at: ago(windowDays), locked_until: lockedUntil })
      .execute();
  }
  const exchanges = createExchangeLog({ db, clock: fixedClock(NOW) });
  for (const days of [8, 6.9]) {
    await exchanges.record({ env: 'test', direction: 'in', operation: 'verifyPaymentNotice', at: ago(days), durationMs: 3, request: `<old days="${days}"/>` });
  }
  // The test acquirer's answers go a week after they were given (TEST_LEDGER_RETENTION_DAYS).
  for (const [ref, days] of [
    ['old', 7.1],
    ['recent', 6.9],
  ] as const) {
    await db
      .insertInto('test_acquirer_transactions')
      .values({ order_ref: `ord_${ref}`, state: 'unknown', updated_at: ago(days) })
      .execute();
    await db
      .insertInto('test_acquirer_operations')
      .values({ operation_ref: `pop_${ref}`, outcome: 'done', reference: `capture-pop_${ref}`, updated_at: ago(days) })
      .execute();
  }
}

await seed();

test('each retention rule deletes what is older than its setting, and nothing else', async () => {
  const clock = fixedClock(NOW);
  const runner = createJobRunner({ db, clock, logger: silent, owner: 'one', jobs: retentionJobs({ db, retention: RETENTION }) });
  const outcomes = await runner.runDue();
  assert.deepEqual(
    outcomes.map((o) => [o.name, o.ran, o.report?.deleted]),
    [
      ['retention.error_log', true, 1],
      ['retention.outbox', true, 2],
      ['retention.reset_requests', true, 1],
      ['retention.station_checks', true, 2],
      ['retention.sessions', true, 1],
      ['retention.password_resets', true, 1],
      ['retention.throttles', true, 2],
      ['retention.pagopa_exchanges', true, 1],
      ['retention.pagopa_idempotency', true, 0],
      ['retention.test_acquirer', true, 2],
    ],
  );
  assert.deepEqual(await ids('ecommerce_errors'), ['err_edge', 'err_new']);
  // Finished messages go when delivered (or last tried, if given up) more than 20 days ago; pending and held ones stay.
  assert.deepEqual(await ids('outbox'), ['msg_dead_recent', 'msg_delivered_recent', 'msg_held_old', 'msg_pending_old', 'msg_reset_recent']);
  const attempts = await db.selectFrom('outbox_attempts').select('message_id').execute();
  assert.deepEqual(
    attempts.map((a) => a.message_id),
    ['msg_delivered_recent'],
    'attempts go with their message',
  );
  assert.deepEqual(await ids('station_checks'), ['chk_A_new', 'chk_B_latest'], 'each station keeps its latest check');
  assert.deepEqual(
    (await db.selectFrom('sessions').select('token_hash').execute()).map((s) => s.token_hash),
    ['live'],
  );
  assert.deepEqual(await ids('password_resets'), ['pwr_recent']);
  assert.deepEqual(
    (await db.selectFrom('signin_throttle').select('key').orderBy('key').execute()).map((r) => r.key),
    ['account:admin:old-still-locked', 'reset:recent'],
  );
  assert.deepEqual(
    (await db.selectFrom('pagopa_exchanges').select('request').execute()).map((e) => e.request),
    ['<old days="6.9"/>'],
    'exchanges older than 7 days went',
  );
  assert.deepEqual(
    [
      (await db.selectFrom('test_acquirer_transactions').select('order_ref').execute()).map((r) => r.order_ref),
      (await db.selectFrom('test_acquirer_operations').select('operation_ref').execute()).map((r) => r.operation_ref),
    ],
    [['ord_recent'], ['pop_recent']],
    'the test acquirer forgets answers older than a week',
  );
  const leases = await listJobLeases(db);
  assert.ok(leases.every((l) => l.owner === null && l.last_error === null && l.next_run_at.getTime() === NOW.getTime() + RETENTION_EVERY_MS));
});

test('a job runs once per interval, whichever instance asks; the settings say the ages', async () => {
  const clock = fixedClock(NOW);
  await db
    .insertInto('ecommerce_errors')
    .values({
      id: 'err_later',
      merchant_id: null,
      environment: 'test',
      pspid: 'shop',
      code: 'x',
      message: 'm',
      created_at: ago(3),
      bucket: 'retention-test',
      slot: 100,
    })
    .execute();
  const other = createJobRunner({ db, clock, logger: silent, owner: 'two', jobs: retentionJobs({ db, retention: { ...RETENTION, errorLogDays: 2 } }) });
  assert.ok(
    (await other.runDue()).every((o) => !o.ran),
    'not due again within the hour, on any instance',
  );
  clock.advance(RETENTION_EVERY_MS);
  const next = await other.runDue();
  assert.ok(next.every((o) => o.ran));
  assert.deepEqual(await ids('ecommerce_errors'), ['err_new'], 'two days: the rows of 3 and 29.9 days went');
});

test("two processes never run one job at once; a dead instance's lease expires", async () => {
  const clock = fixedClock(new Date(NOW.getTime() + 10 * RETENTION_EVERY_MS));
  // Two processes: separate connection pools to the same database.
  const pools = [createPool(database.url, 2), createPool(database.url, 2)];
  const [dbA, dbB] = pools.map((pool) => createKysely(pool));
  let release: () => void = () => undefined;
  const gate = new Promise<void>((done) => {
    release = done;
  });
  let running = 0;
  let most = 0;
  let runs = 0;
  const slow: PeriodicJob = {
    name: 'test.slow',
    everyMs: 60_000,
    run: async () => {
      running++;
      runs++;
      most = Math.max(most, running);
      await gate;
      running--;
      return { done: 1 };
    },
  };
  try {
    const a = createJobRunner({ db: dbA!, clock, logger: silent, owner: 'process-a', jobs: [slow] });
    const b = createJobRunner({ db: dbB!, clock, logger: silent, owner: 'process-b', jobs: [slow] });
    const first = a.runDue();
    // Wait until A holds the lease and runs the job (a fixed sleep is too short on a loaded machine).
    for (let i = 0; running === 0 && i < 600; i++) await new Promise((done) => setTimeout(done, 50));
    assert.equal(running, 1, 'process A started the job');
    const second = await Promise.all([b.runDue(), b.runDue()]);
    assert.ok(
      second.flat().every((o) => !o.ran),
      'process B skipped the job process A is running',
    );
    release();
    assert.equal((await first)[0]?.ran, true);
    assert.equal((await b.runDue())[0]?.ran, false, 'not due again right after A finished');
    assert.deepEqual([runs, most], [1, 1]);

    // A process that died holding the lease: the job is claimed again once the lease has passed.
    clock.advance(60_000);
    await db
      .updateTable('job_leases')
      .set({ owner: 'dead-process', leased_until: new Date(clock.now().getTime() + 5 * 60_000) })
      .where('name', '=', 'test.slow')
      .execute();
    assert.equal((await b.runDue())[0]?.ran, false);
    clock.advance(5 * 60_000);
    assert.equal((await b.runDue())[0]?.ran, true);
    assert.equal(runs, 2);
  } finally {
    release();
    for (const k of [dbA, dbB]) await k?.destroy();
  }
});

test('a failing job is recorded and tried again after the retry delay, not the whole interval', async () => {
  const clock = fixedClock(NOW);
  let calls = 0;
  const flaky: PeriodicJob = {
    name: 'test.flaky',
    everyMs: 24 * RETENTION_EVERY_MS,
    run: async () => {
      calls++;
      if (calls === 1) throw new Error('database went away');
      return { deleted: 0 };
    },
  };
  const runner = createJobRunner({ db, clock, logger: silent, owner: 'one', jobs: [flaky], retryMs: 5 * 60_000 });
  assert.equal((await runner.runDue())[0]?.error, 'database went away');
  const lease = (await listJobLeases(db)).find((l) => l.name === 'test.flaky');
  assert.equal(lease?.last_error, 'database went away');
  assert.equal(lease?.owner, null);
  clock.advance(5 * 60_000);
  assert.equal((await runner.runDue())[0]?.error, undefined);
  assert.equal(calls, 2);
});

test('the workers of a process run the retention jobs', async () => {
  const config = await testConfig({ DATABASE_URL: database.url });
  await db.deleteFrom('job_leases').where('name', 'like', 'retention.%').execute();
  const container = createContainer({ config, db, databaseUrl: database.url, logger: silent, clock: systemClock, audit: testAudit() });
  const workers = container.workers();
  await workers.start();
  try {
    for (let i = 0; i < 100; i++) {
      const done = (await listJobLeases(db)).filter((l) => l.name.startsWith('retention.') && l.last_finished_at !== null);
      // Every retention job (the wait used to stop at 6 of them, so the names below could race).
      if (done.length === retentionJobs({ db, retention: RETENTION }).length) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await workers.stop();
    await container.close();
  }
  const names = (await listJobLeases(db)).filter((l) => l.last_finished_at !== null).map((l) => l.name);
  assert.deepEqual(
    names.filter((n) => n.startsWith('retention.')),
    [
      'retention.error_log',
      'retention.outbox',
      'retention.pagopa_exchanges',
      'retention.pagopa_idempotency',
      'retention.password_resets',
      'retention.reset_requests',
      'retention.sessions',
      'retention.station_checks',
      'retention.test_acquirer',
      'retention.throttles',
    ],
  );
});
