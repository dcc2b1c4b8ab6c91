import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, testContainer } from '../support/app.ts';
import { createMerchant, queryPairs, SHA_OUT, verifyFeedback } from '../support/ecommerce.ts';
import { CLI } from '../support/subscriptions.ts';
import { createApiUser, ncAnswer, postDirect, signedDirect } from '../support/directlink.ts';
import { createTestAcquirer, type Acquirer, type TestAcquirerFaults } from '../../src/modules/checkout/index.ts';

// maintenancedirect: partial and final captures, refunds, cancellations and renewals of an
// authorised payment, each a PAYIDSUB with its own status and server-to-server feedback; amounts
// checked against what was authorised, captured and refunded, also when captures race; Ingenico's
// NCERROR for each refusal; an acquirer that declines or does not answer.

const faults: TestAcquirerFaults = {};
// A capture can be held at the acquirer until the test lets it answer (`release`), as a slow processor would.
let held: { reached: () => void; release: Promise<void> } | undefined;
/** Operation status queries the acquirer was asked. */
let operationQueries = 0;
/** The twin, its captures held while `held` is set, its operation status queries counted. */
function holding(twin: Acquirer): Acquirer {
  return {
    name: twin.name,
    authorise: (r) => twin.authorise(r),
    completeChallenge: (r) => twin.completeChallenge(r),
    status: (ref) => twin.status(ref),
    operationStatus: (ref) => {
      operationQueries += 1;
      return twin.operationStatus(ref);
    },
    maintain: async (r) => {
      const hold = r.kind === 'capture' ? held : undefined;
      if (hold) {
        hold.reached();
        await hold.release;
      }
      return twin.maintain(r);
    },
  };
}
/** Holds the next captures; resolves `atAcquirer` once one is waiting there; `release()` lets them answer. */
function holdCaptures(): { atAcquirer: Promise<void>; release: () => void } {
  let reached = (): void => undefined;
  let release = (): void => undefined;
  const atAcquirer = new Promise<void>((done) => (reached = done));
  held = { reached: () => reached(), release: new Promise<void>((done) => (release = done)) };
  return {
    atAcquirer,
    release: () => {
      held = undefined;
      release();
    },
  };
}
// Many shops' worth of calls from one address within a minute: above the per-address limit (120), which has tests of its own.
const t = await buildTestApp({
  acquirers: ({ db, clock }) => ({ test: holding(createTestAcquirer({ db, clock, faults })) }),
  env: { VARCO_NCOL_RATE_LIMIT_PER_IP: '1000' },
});
const { app } = t;
const db = t.database.db;
const m = await createMerchant(t, {
  settings: { s2sTiming: 'deferred', s2sUrlAccepted: 'https://shop.example/status', shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT } },
});
const user = await createApiUser(t, m);
const other = await createMerchant(t);
const otherUser = await createApiUser(t, other);

type Attrs = Map<string, string>;

async function authorise(id: string, operation: 'RES' | 'SAL' = 'RES', amount = '1500', as = { m, user }): Promise<string> {
  const fields: Array<[string, string]> = [
    ['ORDERID', id],
    ['AMOUNT', amount],
    ['CURRENCY', 'EUR'],
    ['CARDNO', '4111111111111111'],
    ['ED', '1234'],
    ['CVC', '913'],
    ['OPERATION', operation],
  ];
  const a = ncAnswer(await postDirect(app, 'orderdirect.asp', signedDirect(as.m, as.user, fields))).attributes;
  assert.equal(a.get('STATUS'), operation === 'RES' ? '5' : '9');
  return a.get('PAYID')!;
}

async function maintain(payId: string, operation: string, amount?: string, extra: Array<[string, string]> = []): Promise<Attrs> {
  const fields: Array<[string, string]> = [
    ['PAYID', payId],
    ['OPERATION', operation],
    ...(amount !== undefined ? [['AMOUNT', amount] as [string, string]] : []),
    ...extra,
  ];
  return ncAnswer(await postDirect(app, 'maintenancedirect.asp', signedDirect(m, user, fields))).attributes;
}

async function query(payId: string, payIdSub?: string): Promise<Attrs> {
  const fields: Array<[string, string]> = [['PAYID', payId], ...(payIdSub !== undefined ? [['PAYIDSUB', payIdSub] as [string, string]] : [])];
  return ncAnswer(await postDirect(app, 'querydirect.asp', signedDirect(m, user, fields))).attributes;
}

const brief = (a: Attrs) => ({ sub: a.get('PAYIDSUB'), status: a.get('STATUS'), ncError: a.get('NCERROR'), amount: a.get('amount') });

test('partial capture, last capture, partial refund: each a PAYIDSUB with its status; the query shows each one', async () => {
  const payId = await authorise('mt-1');
  const capture = await maintain(payId, 'SAL', '500');
  assert.deepEqual(
    [...capture.keys()],
    ['orderID', 'PAYID', 'PAYIDSUB', 'NCSTATUS', 'NCERROR', 'NCERRORPLUS', 'ACCEPTANCE', 'STATUS', 'amount', 'currency', 'PM', 'BRAND'],
  );
  assert.deepEqual(brief(capture), { sub: '1', status: '9', ncError: '0', amount: '5' });
  assert.equal(capture.get('NCERRORPLUS'), '!');
  assert.deepEqual(brief(await maintain(payId, 'SAS')), { sub: '2', status: '9', ncError: '0', amount: '10' }, 'SAS without AMOUNT takes the rest');
  assert.deepEqual(brief(await maintain(payId, 'RFD', '300')), { sub: '3', status: '8', ncError: '0', amount: '3' });
  assert.deepEqual(brief(await query(payId, '1')), { sub: '1', status: '9', ncError: '0', amount: '5' });
  assert.deepEqual(brief(await query(payId, '2')), { sub: '2', status: '9', ncError: '0', amount: '10' });
  assert.deepEqual(brief(await query(payId, '3')), { sub: '3', status: '8', ncError: '0', amount: '3' });
  const whole = await query(payId);
  assert.deepEqual(brief(whole), { sub: '3', status: '8', ncError: '0', amount: '15' }, 'the order, with its latest operation’s PAYIDSUB and STATUS');
  assert.equal(brief(await query(await authorise('mt-1b'))).sub, undefined, 'no operation yet: no PAYIDSUB');
  assert.equal((await query(payId, '4')).get('NCERROR'), '50001131');
  const row = await db.selectFrom('orders').selectAll().where('pay_id', '=', Number(payId)).executeTakeFirstOrThrow();
  assert.deepEqual([Number(row.captured), Number(row.refunded), row.capture_closed, row.refund_closed, row.last_pay_id_sub], [1500, 300, true, false, 3]);
});

test('every operation sends its own feedback to the status URL: PAYIDSUB, STATUS and the operation’s amount, signed with SHA-OUT', async () => {
  const payId = await authorise('mt-fb');
  await maintain(payId, 'SAL', '700');
  await maintain(payId, 'RFD', '200');
  const order = await db.selectFrom('orders').select('id').where('pay_id', '=', Number(payId)).executeTakeFirstOrThrow();
  const messages = await db.selectFrom('outbox').selectAll().where('subject_id', '=', order.id).orderBy('created_at').orderBy('id').execute();
  const bodies = messages.map((msg) => msg.payload as { url: string; method: string; body: string });
  assert.equal(bodies.length, 3, 'the authorisation, the capture, the refund');
  const [, captured, refunded] = bodies.map((b) => verifyFeedback(queryPairs(b.body, 'latin1'), SHA_OUT, 'sha512', 'latin1'));
  assert.equal(bodies[1]!.url, 'https://shop.example/status');
  assert.deepEqual([captured!.get('PAYIDSUB'), captured!.get('STATUS'), captured!.get('amount'), captured!.get('PAYID')], ['1', '9', '7', payId]);
  assert.deepEqual([refunded!.get('PAYIDSUB'), refunded!.get('STATUS'), refunded!.get('amount')], ['2', '8', '2']);
});

test('a refused orderdirect sends its feedback (STATUS 2) at once, retries left or not; paying the ORDERID again sends the authorisation’s', async () => {
  const declined = (id: string) =>
    postDirect(
      app,
      'orderdirect.asp',
      signedDirect(m, user, [
        ['ORDERID', id],
        ['AMOUNT', '1500'],
        ['CURRENCY', 'EUR'],
        ['CARDNO', '4000000000000010'],
        ['ED', '1234'],
        ['CVC', '913'],
      ]),
    );
  const refused = ncAnswer(await declined('mt-declined')).attributes;
  assert.equal(refused.get('STATUS'), '2');
  await authorise('mt-declined');
  const order = await db.selectFrom('orders').select(['id', 'attempts']).where('order_ref', '=', 'mt-declined').executeTakeFirstOrThrow();
  assert.equal(order.attempts, 2, 'the merchant allows more attempts: the refusal was not the last one');
  const messages = await db.selectFrom('outbox').selectAll().where('subject_id', '=', order.id).orderBy('created_at').orderBy('id').execute();
  const sent = messages.map((msg) => verifyFeedback(queryPairs((msg.payload as { body: string }).body, 'latin1'), SHA_OUT, 'sha512', 'latin1'));
  assert.deepEqual(
    sent.map((f) => [f.get('STATUS'), f.get('NCERROR'), f.get('PAYID')]),
    [
      ['2', '30051001', refused.get('PAYID')],
      ['5', '0', refused.get('PAYID')],
    ],
  );
});

test('refund beyond capture is 50001129; capture beyond the authorisation is 50001126; nothing is recorded for them', async () => {
  const payId = await authorise('mt-2');
  assert.equal((await maintain(payId, 'RFD', '100')).get('NCERROR'), '50001129', 'nothing captured yet');
  assert.equal((await maintain(payId, 'SAL', '1501')).get('NCERROR'), '50001126');
  await maintain(payId, 'SAL', '500');
  const refund = await maintain(payId, 'RFD', '501');
  assert.equal(refund.get('NCERROR'), '50001129');
  assert.equal(refund.get('NCERRORPLUS'), 'at most 500 may still be refunded');
  assert.equal(refund.get('NCSTATUS'), '5');
  // As the platform answers every refusal: STATUS 0 and no amount, not the order's STATUS 9 (a plugin would read a capture).
  assert.deepEqual([refund.get('STATUS'), refund.get('amount'), refund.get('PAYID'), refund.get('orderID')], ['0', '', payId, 'mt-2']);
  assert.equal((await maintain(payId, 'SAL', '1001')).get('NCERROR'), '50001126');
  assert.deepEqual(brief(await maintain(payId, 'RFS')), { sub: '2', status: '8', ncError: '0', amount: '5' });
  assert.equal((await maintain(payId, 'RFD', '1')).get('NCERROR'), '50001127', 'RFS closed refunds');
});

test('capture after cancel is 50001127; DEL releases the rest of the authorisation (STATUS 6)', async () => {
  const payId = await authorise('mt-3');
  assert.deepEqual(brief(await maintain(payId, 'DEL')), { sub: '1', status: '6', ncError: '0', amount: '15' });
  const capture = await maintain(payId, 'SAL', '100');
  assert.equal(capture.get('NCERROR'), '50001127');
  assert.equal(capture.get('NCERRORPLUS'), 'the authorisation is closed (cancelled, or its last capture was made)');
  assert.equal((await maintain(payId, 'DES')).get('NCERROR'), '50001127');
  assert.equal((await maintain(payId, 'REN')).get('NCERROR'), '50001127');

  // After a partial capture, DEL releases the rest; the order stays paid (9) for what was captured.
  const part = await authorise('mt-3b');
  assert.equal((await maintain(part, 'SAL', '500')).get('STATUS'), '9');
  assert.deepEqual(brief(await maintain(part, 'DEL')), { sub: '2', status: '6', ncError: '0', amount: '10' }, 'the operation: the remaining 10.00 released');
  const order = await query(part);
  assert.equal(order.get('STATUS'), '9', 'the order: 5.00 captured, not cancelled');
  assert.equal(order.get('PAYIDSUB'), undefined, 'no PAYIDSUB beside a STATUS not its own');
  assert.deepEqual(brief(await query(part, '2')), { sub: '2', status: '6', ncError: '0', amount: '10' });
});

test('a sale is refunded, not captured; DES deletes a sale never refunded (STATUS 7); REN renews an authorisation (STATUS 5)', async () => {
  const sale = await authorise('mt-4', 'SAL');
  assert.equal((await maintain(sale, 'SAL')).get('NCERROR'), '50001127');
  assert.deepEqual(brief(await maintain(sale, 'DES')), { sub: '1', status: '7', ncError: '0', amount: '15' });
  assert.equal((await maintain(sale, 'RFD', '100')).get('NCERROR'), '50001127');
  const res = await authorise('mt-5');
  assert.deepEqual(brief(await maintain(res, 'REN')), { sub: '1', status: '5', ncError: '0', amount: '15' });
  assert.deepEqual(brief(await maintain(res, 'SAS', '1000')), { sub: '2', status: '9', ncError: '0', amount: '10' });
  assert.equal((await maintain(res, 'DEL', '100')).get('NCERROR'), '50001111', 'a deletion takes the whole amount');
});

test('unknown or foreign PAYID (50001130), operation not allowed (50001007), amount not a number (50001006), another currency (50001120)', async () => {
  const payId = await authorise('mt-6');
  assert.equal((await maintain('123456789012', 'SAL')).get('NCERROR'), '50001130');
  const foreign = ncAnswer(
    await postDirect(
      app,
      'maintenancedirect.asp',
      signedDirect(other, otherUser, [
        ['PAYID', payId],
        ['OPERATION', 'SAL'],
      ]),
    ),
  ).attributes;
  assert.equal(foreign.get('NCERROR'), '50001130');
  assert.equal((await maintain(payId, 'RES')).get('NCERROR'), '50001007');
  assert.equal((await maintain(payId, 'SAL', '1,5')).get('NCERROR'), '50001006');
  assert.equal((await maintain(payId, 'SAL', '0')).get('NCERROR'), '50001111');
  assert.equal((await maintain(payId, 'SAL', '100', [['CURRENCY', 'USD']])).get('NCERROR'), '50001120');
  const row = await db.selectFrom('orders').selectAll().where('pay_id', '=', Number(payId)).executeTakeFirstOrThrow();
  assert.equal(Number(row.captured), 0, 'the other merchant captured nothing');
});

test('ten captures racing on one authorisation never capture more than it', async () => {
  const payId = await authorise('mt-7');
  const answers = await Promise.all(Array.from({ length: 10 }, () => maintain(payId, 'SAL', '400')));
  const ok = answers.filter((a) => a.get('NCERROR') === '0');
  assert.equal(ok.length, 3, 'three captures of 4.00 fit in 15.00');
  assert.ok(answers.filter((a) => a.get('NCERROR') !== '0').every((a) => a.get('NCERROR') === '50001126'));
  assert.deepEqual(ok.map((a) => a.get('PAYIDSUB')).sort(), ['1', '2', '3']);
  const row = await db.selectFrom('orders').selectAll().where('pay_id', '=', Number(payId)).executeTakeFirstOrThrow();
  assert.equal(Number(row.captured), 1200);
});

test('the database refuses a total beyond the authorisation even if the code above it did not', async () => {
  const payId = await authorise('mt-8');
  await assert.rejects(db.updateTable('orders').set({ captured: 1501 }).where('pay_id', '=', Number(payId)).execute(), /orders_captured_within/);
  await assert.rejects(db.updateTable('orders').set({ refunded: 1 }).where('pay_id', '=', Number(payId)).execute(), /orders_refunded_within/);
});

test('an acquirer that declines gives the amount back (93); one that does not answer leaves the operation uncertain (92)', async () => {
  const payId = await authorise('mt-9');
  faults.maintain = 'refuse';
  const declined = await maintain(payId, 'SAL', '1000');
  assert.deepEqual(brief(declined), { sub: '1', status: '93', ncError: '30001001', amount: '10' });
  assert.equal(declined.get('NCERRORPLUS'), 'Payment refused by the acquirer', 'the platform’s text, which plugins show');
  // The order is still authorised (5): the declined operation's PAYIDSUB is not paired with that STATUS.
  assert.deepEqual(brief(await query(payId)), { sub: undefined, status: '5', ncError: '0', amount: '15' }, 'no PAYIDSUB beside a STATUS not its own');
  assert.deepEqual(brief(await query(payId, '1')), { sub: '1', status: '93', ncError: '30001001', amount: '10' });
  faults.maintain = 'throw';
  const unknown = await maintain(payId, 'SAL', '1000');
  assert.deepEqual(brief(unknown), { sub: '2', status: '92', ncError: '20001001', amount: '10' });
  delete faults.maintain;
  assert.equal((await maintain(payId, 'SAL', '501')).get('NCERROR'), '50001126', 'the uncertain capture keeps its amount reserved');
  assert.deepEqual(brief(await maintain(payId, 'SAL', '500')), { sub: '3', status: '9', ncError: '0', amount: '5' });
});

test('money whose capture is still at the acquirer, or of unknown outcome, is neither refunded nor deleted; a declined capture then leaves the ledger whole', async () => {
  // RES 15.00, SAL 10.00 held at the acquirer: a refund of it meanwhile is refused (50001127), not counted.
  const payId = await authorise('mt-unsettled');
  const hold = holdCaptures();
  const capture = maintain(payId, 'SAL', '1000');
  await hold.atAcquirer;
  const early = await maintain(payId, 'RFD', '1000');
  assert.deepEqual([early.get('STATUS'), early.get('NCERROR')], ['0', '50001127'], 'refused while the capture is pending');
  assert.match(early.get('NCERRORPLUS') ?? '', /still being processed or its outcome is unknown/);
  faults.maintain = 'refuse';
  hold.release();
  assert.deepEqual(brief(await capture), { sub: '1', status: '93', ncError: '30001001', amount: '10' }, 'the declined capture answers, no 500');
  delete faults.maintain;
  const order = await db.selectFrom('orders').select(['captured', 'refunded']).where('pay_id', '=', Number(payId)).executeTakeFirstOrThrow();
  assert.deepEqual([Number(order.captured), Number(order.refunded)], [0, 0]);

  // SAS 15.00 held, then DEL (which would delete the captured payment): refused; once confirmed, it deletes.
  const hold2 = holdCaptures();
  const last = maintain(payId, 'SAS');
  await hold2.atAcquirer;
  assert.equal((await maintain(payId, 'DEL')).get('NCERROR'), '50001127', 'no deletion of a capture not confirmed');
  hold2.release();
  assert.equal((await last).get('STATUS'), '9');
  assert.equal((await maintain(payId, 'DEL')).get('STATUS'), '7', 'confirmed: the payment can be deleted');

  // A capture of unknown outcome (92) keeps its amount out of reach of refunds; the confirmed part stays refundable.
  const other = await authorise('mt-uncertain');
  assert.equal((await maintain(other, 'SAL', '500')).get('STATUS'), '9');
  faults.maintain = 'throw';
  assert.equal((await maintain(other, 'SAL', '1000')).get('STATUS'), '92');
  delete faults.maintain;
  assert.equal((await maintain(other, 'RFD', '600')).get('NCERROR'), '50001127', 'more than the confirmed 5.00');
  assert.deepEqual(brief(await maintain(other, 'RFD')), { sub: '3', status: '8', ncError: '0', amount: '5' }, 'RFD without AMOUNT takes the confirmed part');
});

/** What a capture's reservation leaves when its process dies during the acquirer's call: the row at 91, the amount counted. */
async function strandedCapture(payId: string, id: string, at: Date): Promise<string> {
  const order = await db.selectFrom('orders').select(['id']).where('pay_id', '=', Number(payId)).executeTakeFirstOrThrow();
  await db
    .insertInto('payment_operations')
    .values({
      id,
      order_id: order.id,
      pay_id_sub: 1,
      operation: 'SAL',
      amount: 600,
      status: 91,
      nc_error: '0',
      actor_type: 'api_user',
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db.updateTable('orders').set({ captured: 600, last_pay_id_sub: 1 }).where('id', '=', order.id).execute();
  return order.id;
}

test('a capture left waiting for the acquirer by a process that stopped becomes uncertain (92) once, with its feedback; its amount stays out of refunds', async () => {
  const payId = await authorise('mt-stranded');
  const orderId = await strandedCapture(payId, 'pop_stranded', new Date(Date.now() - 10 * 60_000));
  assert.equal((await maintain(payId, 'RFD', '100')).get('NCERROR'), '50001127', 'pending: not refundable');

  const operations = t.services.hostedPage.operations;
  assert.equal(await operations.settleStranded(new Date(Date.now() - 60_000)), 1);
  assert.equal(await operations.settleStranded(new Date(Date.now() - 60_000)), 0, 'once');
  assert.deepEqual(brief(await query(payId, '1')), { sub: '1', status: '92', ncError: '20001001', amount: '6' });
  const feedback = await db.selectFrom('outbox').select('payload').where('subject_id', '=', orderId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const told = verifyFeedback(queryPairs((feedback.payload as { body: string }).body, 'latin1'), SHA_OUT, 'sha512', 'latin1');
  assert.deepEqual([told.get('PAYIDSUB'), told.get('STATUS')], ['1', '92'], 'the merchant is told the result is unknown');
  assert.equal((await maintain(payId, 'RFD', '100')).get('NCERROR'), '50001127', 'uncertain: still not refundable');
  assert.deepEqual(brief(await maintain(payId, 'SAL', '900')), { sub: '2', status: '9', ncError: '0', amount: '9' }, 'the rest can still be captured');

  // A recent pending operation (its call may still be running) is left alone.
  await strandedCapture(await authorise('mt-fresh'), 'pop_fresh', new Date());
  assert.equal(await operations.settleStranded(new Date(Date.now() - 60_000)), 0);
  assert.equal((await db.selectFrom('payment_operations').select('status').where('id', '=', 'pop_fresh').executeTakeFirstOrThrow()).status, 91);
});

test('stranded operations that must stay pending (their merchant no longer active) do not hide the ones behind them', async () => {
  const idle = await createMerchant(t);
  const idleUser = await createApiUser(t, idle);
  const long = Date.now() - 30 * 60_000;
  for (const [i, ref] of ['mt-idle-1', 'mt-idle-2', 'mt-idle-3'].entries())
    await strandedCapture(await authorise(ref, 'RES', '1500', { m: idle, user: idleUser }), `pop_idle_${i}`, new Date(long + i * 1000));
  const subscription = await db.selectFrom('subscriptions').select('id').where('organisation_id', '=', idle.organisationId).executeTakeFirstOrThrow();
  assert.ok((await t.services.subscriptions.change(subscription.id, 'suspend', CLI)).ok);
  t.services.hostedPage.configs.invalidate();
  await strandedCapture(await authorise('mt-behind'), 'pop_behind', new Date(long + 60_000));

  // Pages of two: the first holds only the idle merchant's operations, which stay at 91.
  assert.equal(await t.services.hostedPage.operations.settleStranded(new Date(Date.now() - 60_000), 2), 1);
  const statuses = await db
    .selectFrom('payment_operations')
    .select(['id', 'status'])
    .where('id', 'in', ['pop_idle_0', 'pop_idle_1', 'pop_idle_2', 'pop_behind'])
    .orderBy('id')
    .execute();
  assert.deepEqual(
    statuses.map((r) => [r.id, r.status]),
    [
      ['pop_behind', 92],
      ['pop_idle_0', 91],
      ['pop_idle_1', 91],
      ['pop_idle_2', 91],
    ],
  );
});

test('the acquirer\u2019s operation status settles an operation of unknown outcome: processed → 9 with its feedback, then refundable; never received → 93, the reservation and the order\u2019s status given back', async () => {
  const operations = t.services.hostedPage.operations;
  // Only this test's operations: earlier tests leave others uncertain.
  const since = new Date();
  const window = () => ({ since, before: new Date(Date.now() + 1000) });

  const payId = await authorise('mt-late-done');
  faults.maintain = 'lose_answer_done';
  assert.equal((await maintain(payId, 'SAL', '600')).get('STATUS'), '92');
  delete faults.maintain;
  faults.operationStatus = 'unknown';
  assert.equal(await operations.settleUncertain(window()), 0, 'while the acquirer cannot tell, it waits');
  delete faults.operationStatus;
  assert.equal(await operations.settleUncertain(window()), 1);
  assert.equal(await operations.settleUncertain(window()), 0, 'settled once');
  assert.deepEqual(brief(await query(payId, '1')), { sub: '1', status: '9', ncError: '0', amount: '6' });
  assert.equal((await query(payId)).get('STATUS'), '9');
  const orderId = (await db.selectFrom('orders').select('id').where('pay_id', '=', Number(payId)).executeTakeFirstOrThrow()).id;
  const feedback = await db.selectFrom('outbox').select('payload').where('subject_id', '=', orderId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const told = verifyFeedback(queryPairs((feedback.payload as { body: string }).body, 'latin1'), SHA_OUT, 'sha512', 'latin1');
  assert.deepEqual([told.get('PAYIDSUB'), told.get('STATUS')], ['1', '9'], 'the merchant is told the capture went through');
  assert.deepEqual(brief(await maintain(payId, 'RFD', '600')), { sub: '2', status: '8', ncError: '0', amount: '6' }, 'confirmed: refundable');

  const other = await authorise('mt-late-none');
  faults.maintain = 'throw';
  assert.equal((await maintain(other, 'SAS', '600')).get('STATUS'), '92');
  delete faults.maintain;
  assert.equal((await query(other)).get('STATUS'), '92');
  assert.equal(await operations.settleUncertain(window()), 1);
  assert.deepEqual(brief(await query(other, '1')), { sub: '1', status: '93', ncError: '30001998', amount: '6' });
  assert.equal((await query(other)).get('STATUS'), '5', 'the order reads its authorisation again');
  assert.deepEqual(
    brief(await maintain(other, 'SAS')),
    { sub: '2', status: '9', ncError: '0', amount: '15' },
    'the last capture (SAS) closed nothing: all of it can be captured',
  );
});

test('another instance\u2019s reconciliation asks its own twin, which knows what this one processed: the capture is confirmed (9), not given back', async () => {
  // A worker process on the same database (its own container, its own test acquirer), as `varco worker` runs.
  const worker = testContainer(t).services.hostedPage.operations;
  const since = new Date();
  const window = () => ({ since, before: new Date(Date.now() + 1000) });
  const payId = await authorise('mt-other-instance');
  faults.maintain = 'lose_answer_done';
  assert.equal((await maintain(payId, 'SAL', '700')).get('STATUS'), '92');
  faults.maintain = 'lose_answer_refused';
  assert.equal((await maintain(payId, 'SAL', '300')).get('STATUS'), '92');
  delete faults.maintain;
  assert.equal(await worker.settleUncertain(window()), 2);
  assert.deepEqual(
    [brief(await query(payId, '1')), brief(await query(payId, '2'))],
    [
      { sub: '1', status: '9', ncError: '0', amount: '7' },
      { sub: '2', status: '93', ncError: '30001001', amount: '3' },
    ],
    'processed: confirmed; declined: given back with the acquirer\u2019s own NCERROR, not the never-received 30001998',
  );
  assert.equal((await query(payId)).get('STATUS'), '9');
  assert.equal((await maintain(payId, 'SAL', '801')).get('NCERROR'), '50001126', 'the confirmed 7.00 stays captured');
});

test('operations of unknown outcome settled later leave the order reading its standing operations: never a 92 with nothing uncertain, never a 5 while a capture still is', async () => {
  const operations = t.services.hostedPage.operations;
  const since = new Date();
  const window = () => ({ since, before: new Date(Date.now() + 1000) });
  // A confirmed capture, then a capture and a refund of unknown outcome, both declined later (never received).
  const payId = await authorise('mt-standing-1');
  assert.equal((await maintain(payId, 'SAL', '500')).get('STATUS'), '9');
  faults.maintain = 'throw';
  assert.equal((await maintain(payId, 'SAL', '400')).get('STATUS'), '92');
  assert.equal((await maintain(payId, 'RFD', '300')).get('STATUS'), '82');
  delete faults.maintain;
  assert.equal(await operations.settleUncertain(window()), 2);
  assert.deepEqual([(await query(payId, '2')).get('STATUS'), (await query(payId, '3')).get('STATUS')], ['93', '83']);
  assert.equal((await query(payId)).get('STATUS'), '9', 'the confirmed capture stands');

  // Two captures of unknown outcome; the older one declined first: the newer one is still unknown.
  const other = await authorise('mt-standing-2');
  faults.maintain = 'throw';
  assert.equal((await maintain(other, 'SAL', '400')).get('STATUS'), '92');
  faults.maintain = 'lose_answer_done';
  assert.equal((await maintain(other, 'SAL', '300')).get('STATUS'), '92');
  delete faults.maintain;
  faults.operationStatus = 'unknown';
  assert.equal(await operations.settleUncertain(window()), 0);
  delete faults.operationStatus;
  const newer = (
    await db
      .selectFrom('payment_operations')
      .select('id')
      .where('pay_id_sub', '=', 2)
      .where('order_id', 'in', (eb) => eb.selectFrom('orders').select('id').where('pay_id', '=', Number(other)))
      .executeTakeFirstOrThrow()
  ).id;
  await db
    .updateTable('payment_operations')
    .set({ updated_at: new Date(Date.now() + 60_000) })
    .where('id', '=', newer)
    .execute();
  assert.equal(await operations.settleUncertain(window()), 1, 'only the older one is in the window');
  assert.equal((await query(other, '1')).get('STATUS'), '93');
  assert.equal((await query(other)).get('STATUS'), '92', 'a capture is still of unknown outcome');
  assert.equal(await operations.settleUncertain({ since, before: new Date(Date.now() + 120_000) }), 1);
  assert.deepEqual([(await query(other, '2')).get('STATUS'), (await query(other)).get('STATUS')], ['9', '9']);
});

test('an acquirer that does not answer the operation status query is asked only while a query fits in the run\u2019s budget; the rest wait for the next run', async () => {
  // With 100 operations a page, each asked for up to 10 s, a run outlived the job's lease and another
  // instance asked the same operations again.
  const operations = t.services.hostedPage.operations;
  const since = new Date();
  const window = () => ({ since, before: new Date(Date.now() + 1000) });
  faults.maintain = 'throw';
  for (const id of ['mt-hang-0', 'mt-hang-1', 'mt-hang-2']) assert.equal((await maintain(await authorise(id), 'SAL', '600')).get('STATUS'), '92');
  delete faults.maintain;
  faults.operationStatus = 'hang';
  const before = operationQueries;
  try {
    // A query's deadline of 500 ms in a budget of 900 ms: the first query fits, a second would end past it.
    assert.equal(await operations.settleUncertain(window(), { queryTimeoutMs: 500, until: performance.now() + 900 }), 0);
  } finally {
    delete faults.operationStatus;
  }
  assert.equal(operationQueries - before, 1, 'asked once; the other two are left for the next run');
  assert.equal(await operations.settleUncertain(window()), 3, 'the next run asks all three (never received: declined)');
});

test('DEL while the only capture is still at the acquirer: the order reads cancelled (6) and stays so when the capture is declined; paid (9) when it goes through', async () => {
  for (const [declined, expected] of [
    [true, '6'],
    [false, '9'],
  ] as const) {
    const payId = await authorise(`mt-del-held-${expected}`);
    const hold = holdCaptures();
    const capture = maintain(payId, 'SAL', '500');
    await hold.atAcquirer;
    try {
      assert.deepEqual(brief(await maintain(payId, 'DEL')), { sub: '2', status: '6', ncError: '0', amount: '10' });
      assert.equal((await query(payId)).get('STATUS'), '6', 'nothing confirmed captured: the order reads cancelled');
      if (declined) faults.maintain = 'refuse';
    } finally {
      // Released whatever happened: a capture held for ever would keep the test process alive.
      hold.release();
      await capture;
      delete faults.maintain;
    }
    assert.equal((await query(payId)).get('STATUS'), expected);
  }
});
