// Issue 12: an acquirer that throws, hangs or loses its answer no longer strands an order at 99.
// The page tells the customer the payment is being processed (no 500); the periodic reconciliation
// job (jobs.ts runner, one lease) asks the acquirer's status query after the grace period and
// settles the payment through the normal path, feedback to the merchant included; past the maximum
// age without an answer it becomes uncertain (92) and the merchant is told. Real app, real
// PostgreSQL, the test acquirer twin made to fail.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { fixedClock } from '../../src/kernel/clock.ts';
import { createJobRunner, type JobOutcome } from '../../src/app/jobs.ts';
import { RECONCILIATION_JOB, reconciliationJob } from '../../src/app/container.ts';
import { listJobLeases } from '../../src/db/index.ts';
import {
  createPaymentService,
  createReconciliation,
  createTestAcquirer,
  RECONCILE_GRACE_MS,
  RECONCILE_MAX_AGE_MS,
  TEST_ACCEPTANCE,
  type TestAcquirerFaults,
} from '../../src/modules/checkout/index.ts';
import { OGONE_STATUS } from '../../src/protocols/ogone/index.ts';
import { buildTestApp, testContainer } from '../support/app.ts';
import { CLI } from '../support/subscriptions.ts';
import {
  CARD,
  SHA_OUT,
  createMerchant,
  payLocation,
  postCard,
  postEntry,
  queryPairs,
  signedOrder,
  verifyFeedback,
  type TestMerchant,
} from '../support/ecommerce.ts';

const clock = fixedClock(new Date('2026-11-23T10:00:00Z'));
const faults: TestAcquirerFaults = {};
const t = await buildTestApp({ clock, acquirers: (deps) => ({ test: createTestAcquirer({ ...deps, faults }) }) });
const { app, services } = t;
const db = t.database.db;
const acquirer = services.hostedPage.acquirers.test!;

const PROCESSING_TEXT = /Your payment is being processed\. Please do not pay again\./;
const MINUTE = 60_000;

const order = (id: string) => db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const attempts = (id: string) => db.selectFrom('payment_attempts').selectAll().where('order_id', '=', id).orderBy('attempt').execute();
const feedbacks = (id: string) => db.selectFrom('outbox').selectAll().where('subject_id', '=', id).execute();

const quiet = { info: () => undefined, warn: () => undefined };
const runner = (owner: string) =>
  createJobRunner({
    db,
    clock,
    logger: quiet,
    owner,
    jobs: [reconciliationJob({ db, clock, merchants: services.hostedPage.configs, acquirers: services.hostedPage.acquirers })],
  });

/** One run of the job as the worker runs it; past the previous run's interval. */
async function runJob(owner = 'test-worker'): Promise<JobOutcome> {
  const [outcome] = await runner(owner).runDue();
  assert.ok(outcome?.ran && outcome.error === undefined, JSON.stringify(outcome));
  clock.advance(MINUTE);
  return outcome;
}

async function merchant(settings: { paymentRetries?: string } = {}): Promise<TestMerchant> {
  return createMerchant(t, {
    settings: {
      acceptUrl: 'https://shop.example/ok',
      declineUrl: 'https://shop.example/ko',
      shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
      s2sTiming: 'deferred',
      s2sUrlAccepted: 'https://shop.example/s2s-ok',
      s2sUrlDeclined: 'https://shop.example/s2s-ko',
      s2sMethod: 'POST',
      ...settings,
    },
  });
}

/** Enters an order and pays it while the acquirer misbehaves as `fault`; the customer sees the "being processed" page. */
async function interruptedPayment(m: TestMerchant, ref: string, fault: TestAcquirerFaults['authorise'], number = CARD.number) {
  const pay = payLocation(await postEntry(app, signedOrder(m, ref)));
  faults.authorise = fault;
  try {
    const res = await postCard(app, pay, { number });
    assert.equal(res.statusCode, 200, res.body.slice(0, 400));
    assert.match(res.body, PROCESSING_TEXT);
  } finally {
    delete faults.authorise;
  }
  return pay;
}

/** The feedback the outbox will deliver: URL and its SHA-OUT-checked parameters. */
function feedbackOf(row: { payload: unknown }): { url: string; fields: Map<string, string> } {
  const payload = row.payload as { url: string; body: string };
  return { url: payload.url, fields: verifyFeedback(queryPairs(payload.body, 'utf8')) };
}

describe('an acquirer call that fails', () => {
  it('leaves the order at 99 with an interrupted attempt; the customer gets the "being processed" page, never a 500', async () => {
    const m = await merchant();
    const pay = await interruptedPayment(m, 'rc-throw', 'throw');
    const row = await order(pay.orderId);
    assert.equal(row.status, OGONE_STATUS.BEING_PROCESSED);
    assert.equal(row.card_masked, 'XXXXXXXXXXXX1111', 'the card summary is kept for the feedback to come');
    const rows = await attempts(pay.orderId);
    assert.deepEqual(
      rows.map((a) => [a.outcome, a.status]),
      [['interrupted', OGONE_STATUS.BEING_PROCESSED]],
    );
    assert.equal((await feedbacks(pay.orderId)).length, 0, 'nothing is known yet: the merchant is not told anything');

    const again = await app.inject({ url: pay.path });
    assert.equal(again.statusCode, 200);
    assert.match(again.body, PROCESSING_TEXT, 'a reload shows the same page');
    const second = await postCard(app, pay);
    assert.match(second.body, PROCESSING_TEXT, 'a second card attempt is not taken while the first is unresolved');
    assert.equal((await order(pay.orderId)).attempts, 1);
    assert.ok(
      t.logs.some((l) => l.orderId === pay.orderId && String(l.msg).includes('reconciliation')),
      'the interruption is logged',
    );
    assert.ok(!t.rawLogs().includes(CARD.number), 'no card number in the logs');
  });

  it('a call that does not answer in time is interrupted the same way', async () => {
    const m = await merchant();
    const pay = payLocation(await postEntry(app, signedOrder(m, 'rc-hang')));
    const hanging = createTestAcquirer({ db, clock, faults: { authorise: 'hang' } });
    const payment = createPaymentService({ db, clock, merchants: services.hostedPage.configs, acquirers: { test: hanging }, acquirerTimeoutMs: 100 });
    const result = await payment.pay(
      'test',
      pay.orderId,
      pay.token,
      { holder: CARD.holder, number: CARD.number, expiry: CARD.expiry, cvc: CARD.cvc },
      '192.0.2.1',
    );
    assert.deepEqual(result.kind === 'page' ? result.state.kind : result.kind, 'processing');
    assert.equal((await order(pay.orderId)).status, OGONE_STATUS.BEING_PROCESSED);
    assert.deepEqual(
      (await attempts(pay.orderId)).map((a) => a.outcome),
      ['interrupted'],
    );
  });
});

describe('the reconciliation job', () => {
  // Each test starts with no order at 99 (an earlier test's are settled), so the job's counts are its own.
  beforeEach(async () => {
    clock.advance(RECONCILE_MAX_AGE_MS);
    await runJob();
    assert.equal((await db.selectFrom('orders').select('id').where('status', '=', OGONE_STATUS.BEING_PROCESSED).execute()).length, 0);
  });

  it('after the grace period settles a payment the acquirer reports paid: STATUS 9, the merchant\u2019s feedback enqueued, the customer\u2019s page shows it', async () => {
    const m = await merchant();
    const pay = await interruptedPayment(m, 'rc-paid', 'lose_answer');
    await runJob();
    assert.equal((await order(pay.orderId)).status, OGONE_STATUS.BEING_PROCESSED, 'within the grace period the attempt is left alone');

    clock.advance(RECONCILE_GRACE_MS);
    const outcome = await runJob();
    assert.deepEqual(outcome.report, { settled: 1, uncertain: 0, waiting: 0, skipped: 0, operationsUncertain: 0, operationsSettled: 0 });
    const row = await order(pay.orderId);
    assert.equal(row.status, OGONE_STATUS.PAYMENT_REQUESTED);
    assert.equal(row.acceptance, TEST_ACCEPTANCE);
    assert.ok(row.paid_at);
    const [message, ...more] = await feedbacks(pay.orderId);
    assert.ok(message && more.length === 0, 'one feedback message');
    assert.equal(row.feedback_message_id, message.id);
    const { url, fields } = feedbackOf(message);
    assert.equal(url, 'https://shop.example/s2s-ok');
    assert.equal(fields.get('orderID'), 'rc-paid');
    assert.equal(fields.get('STATUS'), '9');
    assert.equal(fields.get('CARDNO'), 'XXXXXXXXXXXX1111');
    assert.deepEqual(
      (await attempts(pay.orderId)).map((a) => [a.outcome, a.status]),
      [
        ['interrupted', 99],
        ['authorised', 9],
      ],
    );

    const page = await app.inject({ url: pay.path });
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, PROCESSING_TEXT);
  });

  it('a payment the acquirer refused is declined (STATUS 2) and, on the last allowed attempt, the merchant is told', async () => {
    const m = await merchant({ paymentRetries: '1' });
    const pay = await interruptedPayment(m, 'rc-refused', 'lose_answer', '4000000000000010');
    clock.advance(RECONCILE_GRACE_MS);
    await runJob();
    assert.equal((await order(pay.orderId)).status, OGONE_STATUS.AUTHORISATION_REFUSED);
    const [message] = await feedbacks(pay.orderId);
    assert.ok(message);
    const { url, fields } = feedbackOf(message);
    assert.equal(url, 'https://shop.example/s2s-ko');
    assert.equal(fields.get('STATUS'), '2');
  });

  it('a payment the acquirer never registered is refused (93 for a sale) and the customer may try again when retries remain', async () => {
    const m = await merchant({ paymentRetries: '3' });
    const pay = await interruptedPayment(m, 'rc-none', 'throw');
    clock.advance(RECONCILE_GRACE_MS);
    await runJob();
    assert.equal((await order(pay.orderId)).status, OGONE_STATUS.PAYMENT_REFUSED_TECHNICAL);
    assert.equal((await feedbacks(pay.orderId)).length, 0, 'not final yet: as after any refusal with retries left');
    const page = await app.inject({ url: pay.path });
    assert.match(page.body, /<input id="card-number"/, 'the card form is back');
    assert.equal((await postCard(app, pay)).statusCode, 303, 'and the next card goes through');
    assert.equal((await order(pay.orderId)).status, OGONE_STATUS.PAYMENT_REQUESTED);
  });

  it('while the acquirer cannot answer, the order waits; past the maximum age it is uncertain (92) and the merchant is told', async () => {
    const m = await merchant();
    const pay = await interruptedPayment(m, 'rc-silent', 'throw');
    faults.status = 'throw';
    try {
      clock.advance(RECONCILE_GRACE_MS);
      assert.deepEqual((await runJob()).report, { settled: 0, uncertain: 0, waiting: 1, skipped: 0, operationsUncertain: 0, operationsSettled: 0 });
      assert.equal((await order(pay.orderId)).status, OGONE_STATUS.BEING_PROCESSED);
      clock.advance(RECONCILE_MAX_AGE_MS - RECONCILE_GRACE_MS);
      assert.deepEqual((await runJob()).report, { settled: 0, uncertain: 1, waiting: 0, skipped: 0, operationsUncertain: 0, operationsSettled: 0 });
    } finally {
      delete faults.status;
    }
    const row = await order(pay.orderId);
    assert.equal(row.status, OGONE_STATUS.PAYMENT_UNCERTAIN);
    assert.equal(row.paid_at, null);
    const [message, ...more] = await feedbacks(pay.orderId);
    assert.ok(message && more.length === 0);
    const { url, fields } = feedbackOf(message);
    assert.equal(url, 'https://shop.example/s2s-ok', 'uncertain goes to the first URL, as on the platform');
    assert.equal(fields.get('STATUS'), '92');
    assert.equal(fields.get('NCERROR'), '20001001');
    assert.equal((await runJob()).report?.uncertain, 0, 'settled once: later runs leave it alone');
  });

  it('an acquirer whose status query does not answer is asked only while a query fits in the run\u2019s budget; the other orders wait for the next run', async () => {
    // The budget was looked at only between pages: 100 orders a page, each asked for up to 10 s, kept a run
    // going past the job's lease, and another instance took the job and asked the same orders again.
    const m = await merchant();
    const stranded: string[] = [];
    for (const ref of ['rc-budget-1', 'rc-budget-2', 'rc-budget-3']) stranded.push((await interruptedPayment(m, ref, 'lose_answer')).orderId);
    clock.advance(RECONCILE_GRACE_MS);
    const asked: string[] = [];
    const counting = { ...acquirer, status: (orderId: string) => (asked.push(orderId), acquirer.status(orderId)) };
    // A query's deadline of 500 ms in a budget of 900 ms: the first query fits, a second would end past it.
    const reconciliation = createReconciliation({
      db,
      clock,
      merchants: services.hostedPage.configs,
      acquirers: { test: counting },
      queryTimeoutMs: 500,
      runBudgetMs: 900,
    });
    faults.status = 'hang';
    try {
      assert.deepEqual(await reconciliation.run(clock.now()), {
        settled: 0,
        uncertain: 0,
        waiting: 1,
        skipped: 0,
        operationsUncertain: 0,
        operationsSettled: 0,
      });
    } finally {
      delete faults.status;
    }
    assert.deepEqual(asked, [stranded[0]], 'the oldest asked once; the other two left for the next run');
    assert.equal((await reconciliation.run(clock.now())).settled, 3, 'the next run asks all three');
  });

  it('two instances running the job at once settle a payment once, with one feedback', async () => {
    const m = await merchant();
    const pay = await interruptedPayment(m, 'rc-twice', 'lose_answer');
    clock.advance(RECONCILE_GRACE_MS);
    const outcomes = (await Promise.all([runner('instance-a').runDue(), runner('instance-b').runDue()])).flat();
    assert.equal(outcomes.filter((o) => o.ran).length, 1, 'the lease lets one instance run it');
    assert.equal((await feedbacks(pay.orderId)).length, 1);

    // Without the lease (an instance whose lease expired mid-run): the guarded settle still records one outcome.
    clock.advance(MINUTE);
    const other = await interruptedPayment(m, 'rc-twice-2', 'lose_answer');
    clock.advance(RECONCILE_GRACE_MS);
    const reconcile = () =>
      createReconciliation({ db, clock, merchants: services.hostedPage.configs, acquirers: services.hostedPage.acquirers }).run(clock.now());
    const reports = await Promise.all([reconcile(), reconcile(), reconcile()]);
    assert.equal(
      reports.reduce((n, r) => n + r.settled, 0),
      1,
      JSON.stringify(reports),
    );
    // Whether the other runs saw the order at 99 and were skipped under the lock, or did not see it at
    // all, depends on the interleaving; either way exactly one outcome and one feedback are recorded.
    assert.equal((await feedbacks(other.orderId)).length, 1);
    assert.deepEqual(
      (await attempts(other.orderId)).map((a) => a.outcome),
      ['interrupted', 'authorised'],
    );
  });
});

it('the workers of a process run the reconciliation job with the server\u2019s acquirers', async () => {
  clock.advance(RECONCILE_MAX_AGE_MS);
  await runJob();
  const m = await merchant();
  const pay = await interruptedPayment(m, 'rc-workers', 'lose_answer');
  clock.advance(RECONCILE_GRACE_MS + MINUTE);
  // The workers of the app's own process: its container, its acquirers.
  const workers = t.container.workers();
  await workers.start();
  try {
    for (let i = 0; i < 100 && (await order(pay.orderId)).status === OGONE_STATUS.BEING_PROCESSED; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await workers.stop();
  }
  assert.equal((await order(pay.orderId)).status, OGONE_STATUS.PAYMENT_REQUESTED);
  assert.ok((await listJobLeases(db)).some((l) => l.name === RECONCILIATION_JOB && l.last_finished_at !== null));
});

it('a separate worker process (its own container and test acquirer) settles a payment the server\u2019s twin authorised as paid, not refused', async () => {
  clock.advance(RECONCILE_MAX_AGE_MS);
  await runJob();
  const m = await merchant();
  const pay = await interruptedPayment(m, 'rc-other-process', 'lose_answer');
  clock.advance(RECONCILE_GRACE_MS);
  const worker = testContainer(t, { clock });
  const report = await createReconciliation({ db, clock, merchants: services.hostedPage.configs, acquirers: worker.services.hostedPage.acquirers }).run(
    clock.now(),
  );
  assert.deepEqual(report, { settled: 1, uncertain: 0, waiting: 0, skipped: 0, operationsUncertain: 0, operationsSettled: 0 });
  assert.equal((await order(pay.orderId)).status, OGONE_STATUS.PAYMENT_REQUESTED);
  assert.deepEqual(
    (await attempts(pay.orderId)).map((a) => [a.outcome, a.status]),
    [
      ['interrupted', 99],
      ['authorised', 9],
    ],
  );
});

it('orders that must wait (their merchant no longer active) do not hide the orders behind them, and the acquirer is not asked about them', async () => {
  clock.advance(RECONCILE_MAX_AGE_MS);
  await runJob();
  const idle = await merchant();
  const waiting: string[] = [];
  for (const ref of ['rc-idle-1', 'rc-idle-2', 'rc-idle-3']) {
    waiting.push((await interruptedPayment(idle, ref, 'lose_answer')).orderId);
    clock.advance(1000);
  }
  const subscription = await db.selectFrom('subscriptions').select('id').where('organisation_id', '=', idle.organisationId).executeTakeFirstOrThrow();
  assert.ok((await services.subscriptions.change(subscription.id, 'suspend', CLI)).ok);
  services.hostedPage.configs.invalidate();
  const behind = await interruptedPayment(await merchant(), 'rc-behind', 'lose_answer');

  clock.advance(RECONCILE_GRACE_MS);
  const asked: string[] = [];
  const counting = { ...acquirer, status: (orderId: string) => (asked.push(orderId), acquirer.status(orderId)) };
  // Pages of two: the first holds only the idle merchant's orders, which stay at 99.
  const report = await createReconciliation({ db, clock, merchants: services.hostedPage.configs, acquirers: { test: counting }, batch: 2 }).run(clock.now());
  assert.deepEqual(report, { settled: 1, uncertain: 0, waiting: 3, skipped: 0, operationsUncertain: 0, operationsSettled: 0 });
  assert.equal((await order(behind.orderId)).status, OGONE_STATUS.PAYMENT_REQUESTED);
  for (const id of waiting) assert.equal((await order(id)).status, OGONE_STATUS.BEING_PROCESSED);
  assert.deepEqual(asked, [behind.orderId]);

  assert.ok((await services.subscriptions.change(subscription.id, 'reactivate', CLI)).ok, 'back for the next tests');
  services.hostedPage.configs.invalidate();
  clock.advance(RECONCILE_MAX_AGE_MS);
  await runJob();
});
