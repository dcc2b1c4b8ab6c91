import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fixedClock } from '../../src/kernel/clock.ts';
import type { RequestOf } from '../../src/protocols/pagopa/index.ts';
import { CLI } from '../support/subscriptions.ts';
import { sendRtRequest, snapshotOf } from '../../src/modules/pagopa-receipts/index.ts';
import { activateOk, ecWithStation, faultOf, nodeTestApp, noticeNumber, OK_DETAILS, qr, registerPsp, soap } from '../support/pagopa-node.ts';

// The node's state rules against PostgreSQL and a real mutual-TLS EC station, on an injected clock:
// idempotent activations and outcomes (the station counts the paGetPayment calls), and the token's
// expiry with the late-outcome rules of outcome.policy.ts.

const clock = fixedClock(new Date());
const t = await nodeTestApp({ clock });
const psp = await registerPsp(t.services, t, 'Banca Stato');
const { ec, station } = await ecWithStation(t, 'Comune Stato');

/** The simulator's default answer: 100.00 €. */
const AMOUNT = 10_000;
const newKey = (): string => `${randomBytes(4).toString('hex')}_${randomBytes(5).toString('hex')}`;
const getPayments = (): number => station.calls('paGetPaymentV2').length;
const activation = (notice: string, extra: Partial<RequestOf<'activatePaymentNoticeV2'>> = {}): RequestOf<'activatePaymentNoticeV2'> => ({
  ...psp.head,
  qrCode: qr(ec, notice),
  amount: AMOUNT,
  ...extra,
});
const outcome = (token: string, extra: Partial<RequestOf<'sendPaymentOutcome'>> = {}): RequestOf<'sendPaymentOutcome'> => ({
  ...psp.head,
  paymentToken: token,
  outcome: 'OK',
  details: OK_DETAILS,
  ...extra,
});
const rowsOf = (notice: string) =>
  t.database.db.selectFrom('pagopa_payments').select(['token', 'state']).where('notice_number', '=', notice).orderBy('activated_at').execute();
const scheduledFor = (token: string): number => t.receipts.scheduled.filter((s) => s.paid.token === token).length;

test('an activation replayed with its idempotencyKey gets the same answer and token without a second paGetPayment; another request with that key is PPT_ERRORE_IDEMPOTENZA', async () => {
  const notice = noticeNumber();
  const key = newKey();
  const first = await soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(notice, { idempotencyKey: key }));
  assert.equal(faultOf(first.value), 'OK');
  const asked = getPayments();
  const again = await soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(notice, { idempotencyKey: key }));
  assert.equal(again.body, first.body, 'the same answer, byte for byte');
  assert.equal(getPayments(), asked, 'no second paGetPayment');
  const other = await soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(notice, { idempotencyKey: key, paymentNote: 'un altro' }));
  assert.equal(faultOf(other.value), 'PPT_ERRORE_IDEMPOTENZA');
  assert.equal(getPayments(), asked);
  assert.deepEqual(
    (await rowsOf(notice)).map((r) => [r.token, r.state]),
    [[first.value.paymentToken, 'active']],
    'one activation only',
  );
});

test('a replay whose notice no longer routes (its EC disabled since) still gets the stored answer; a new activation gets the routing fault', async () => {
  const notice = noticeNumber();
  const key = newKey();
  const first = await soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(notice, { idempotencyKey: key }));
  assert.equal(faultOf(first.value), 'OK');
  assert.ok((await t.services.pagopaRegistry.ecs.setEcEnabled(ec.organisationId, 'test', false, CLI)).ok);
  try {
    const again = await soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(notice, { idempotencyKey: key }));
    assert.equal(again.body, first.body, 'the answer the key stored');
    const fresh = await soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(noticeNumber(), { idempotencyKey: newKey() }));
    assert.equal(faultOf(fresh.value), 'PPT_DOMINIO_DISABILITATO');
  } finally {
    assert.ok((await t.services.pagopaRegistry.ecs.setEcEnabled(ec.organisationId, 'test', true, CLI)).ok);
  }
});

test('two requests with one idempotencyKey at the same time: one activation, both get its token', async () => {
  const notice = noticeNumber();
  const key = newKey();
  const asked = getPayments();
  station.inject({ kind: 'slow', delayMs: 300 }, 1);
  const [a, b] = await Promise.all([1, 2].map(() => soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(notice, { idempotencyKey: key }))));
  assert.deepEqual([faultOf(a!.value), faultOf(b!.value)], ['OK', 'OK']);
  assert.equal(a!.value.paymentToken, b!.value.paymentToken);
  assert.equal(getPayments(), asked + 1);
});

test('an outcome replayed with its idempotencyKey is answered OK again and schedules nothing twice; another outcome with that key is PPT_ERRORE_IDEMPOTENZA, without it PPT_ESITO_GIA_ACQUISITO', async () => {
  const token = await activateOk(t.app, psp, ec, noticeNumber(), AMOUNT);
  const key = newKey();
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token, { idempotencyKey: key }))).value), 'OK');
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token, { idempotencyKey: key }))).value), 'OK');
  assert.equal(scheduledFor(token), 1, 'the receipt is scheduled once');
  const changed = outcome(token, { idempotencyKey: key, details: { ...OK_DETAILS, fee: 99 } });
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', changed)).value), 'PPT_ERRORE_IDEMPOTENZA');
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token))).value), 'PPT_ESITO_GIA_ACQUISITO');
  assert.equal(scheduledFor(token), 1);
});

test('one idempotencyKey, one outcome: the key of a recorded outcome sent with another token is PPT_ERRORE_IDEMPOTENZA and records nothing, also when both are sent at once', async () => {
  const key = newKey();
  const first = await activateOk(t.app, psp, ec, noticeNumber(), AMOUNT);
  const second = await activateOk(t.app, psp, ec, noticeNumber(), AMOUNT);
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(first, { idempotencyKey: key }))).value), 'OK');
  const reused = await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(second, { idempotencyKey: key }));
  assert.equal(faultOf(reused.value), 'PPT_ERRORE_IDEMPOTENZA');
  assert.match(reused.body, /already used for another token/);
  assert.equal(scheduledFor(second), 0, 'no receipt for the refused outcome');
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(second, { idempotencyKey: newKey() }))).value), 'OK', 'a key of its own');

  // Two outcomes racing with one new key for two tokens: exactly one is recorded. The race is made
  // sure of: the key's lock (the one outcomeKeyTakenElsewhere takes) is held here until both requests,
  // each holding its own token's row, wait for it; then both go on at once.
  const [a, b] = [await activateOk(t.app, psp, ec, noticeNumber(), AMOUNT), await activateOk(t.app, psp, ec, noticeNumber(), AMOUNT)];
  const raced = newKey();
  const holder = await t.database.pool.connect();
  const lockName = `pagopa-outcome:test:${psp.head.idPSP}:${raced}`;
  await holder.query('BEGIN');
  await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockName]);
  const racing = Promise.all([a, b].map((token) => soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token, { idempotencyKey: raced }))));
  const waiting = async (): Promise<number> =>
    Number(
      (
        await holder.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
      ).rows[0]?.n,
    );
  for (let i = 0; (await waiting()) < 2; i++) {
    assert.ok(i < 500, 'both outcomes reach the key check while the other is in flight');
    await new Promise((done) => setTimeout(done, 10));
  }
  await holder.query('COMMIT');
  holder.release();
  const answers = await racing;
  assert.deepEqual(answers.map((r) => faultOf(r.value)).sort(), ['OK', 'PPT_ERRORE_IDEMPOTENZA']);
  assert.equal(scheduledFor(a) + scheduledFor(b), 1);
});

test('expired token, notice not activated since: outcome KO is PPT_TOKEN_SCADUTO_KO, outcome OK is still accepted (the money moved)', async () => {
  const notice = noticeNumber();
  const token = await activateOk(t.app, psp, ec, notice, AMOUNT, { expirationTime: 60_000 });
  clock.advance(61_000);
  assert.equal(
    faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token, { outcome: 'KO', details: undefined }))).value),
    'PPT_TOKEN_SCADUTO_KO',
  );
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token))).value), 'OK');
  assert.deepEqual(
    (await rowsOf(notice)).map((r) => r.state),
    ['paid'],
  );
  assert.equal(scheduledFor(token), 1);
});

test('expired token, the notice activated again since: outcome OK is PPT_TOKEN_SCADUTO, KO PPT_TOKEN_SCADUTO_KO; the new token pays', async () => {
  const notice = noticeNumber();
  const old = await activateOk(t.app, psp, ec, notice, AMOUNT, { expirationTime: 60_000 });
  clock.advance(30_000);
  assert.equal(faultOf((await soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(notice))).value), 'PPT_PAGAMENTO_IN_CORSO', 'still live');
  clock.advance(31_000);
  const fresh = await activateOk(t.app, psp, ec, notice, AMOUNT);
  assert.notEqual(fresh, old);
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(old))).value), 'PPT_TOKEN_SCADUTO');
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(old, { outcome: 'KO', details: undefined }))).value), 'PPT_TOKEN_SCADUTO_KO');
  assert.equal(scheduledFor(old), 0, 'no receipt for the expired token');
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(fresh))).value), 'OK');
  assert.deepEqual(
    (await rowsOf(notice)).map((r) => [r.token, r.state]),
    [
      [old, 'expired'],
      [fresh, 'paid'],
    ],
  );
});

test('at the very instant its token expires, the notice is free: a KO is PPT_TOKEN_SCADUTO_KO and a new activation takes the notice (not PPT_PAGAMENTO_IN_CORSO)', async () => {
  const notice = noticeNumber();
  const old = await activateOk(t.app, psp, ec, notice, AMOUNT, { expirationTime: 60_000 });
  clock.advance(60_000);
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(old, { outcome: 'KO', details: undefined }))).value), 'PPT_TOKEN_SCADUTO_KO');
  const fresh = await soap(t.app, psp.key, 'activatePaymentNoticeV2', activation(notice));
  assert.equal(faultOf(fresh.value), 'OK', 'the token the outcome judged expired no longer holds the notice');
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(old))).value), 'PPT_TOKEN_SCADUTO');
  assert.deepEqual(
    (await rowsOf(notice)).map((r) => [r.token, r.state]),
    [
      [old, 'expired'],
      [fresh.value.paymentToken, 'active'],
    ],
  );
});

test('an outcome KO in time frees the notice at once: the next activation gets a new token', async () => {
  const notice = noticeNumber();
  const first = await activateOk(t.app, psp, ec, notice, AMOUNT);
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(first, { outcome: 'KO', details: undefined }))).value), 'OK');
  const second = await activateOk(t.app, psp, ec, notice, AMOUNT);
  assert.notEqual(second, first);
  // Both activations happen at the same instant of the test clock: compared by token, not by order.
  const states = Object.fromEntries((await rowsOf(notice)).map((r) => [r.token, r.state]));
  assert.deepEqual(states, { [first]: 'ko', [second]: 'active' });
});

test('another PSP’s activation that fails gives the expired token back: its late OK outcome is still accepted, its receipt scheduled', async () => {
  const other = await registerPsp(t.services, t, 'Banca Altra');
  const notice = noticeNumber();
  const token = await activateOk(t.app, psp, ec, notice, AMOUNT, { expirationTime: 60_000 });
  clock.advance(61_000);
  // The other PSP activates the notice with an amount the EC does not ask: refused after the EC's answer.
  const refused = await soap(t.app, other.key, 'activatePaymentNoticeV2', { ...other.head, qrCode: qr(ec, notice), amount: AMOUNT + 1 });
  assert.notEqual(faultOf(refused.value), 'OK');
  assert.deepEqual(
    (await rowsOf(notice)).map((r) => r.state),
    ['active', 'failed'],
    'the swept token is given back: nobody activated the notice since',
  );
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token))).value), 'OK', 'the money moved: the late OK is accepted');
  assert.equal(scheduledFor(token), 1);

  // A successful activation by the other PSP does supersede it: then the late OK is PPT_TOKEN_SCADUTO.
  const second = noticeNumber();
  const late = await activateOk(t.app, psp, ec, second, AMOUNT, { expirationTime: 60_000 });
  clock.advance(61_000);
  await activateOk(t.app, other, ec, second, AMOUNT);
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(late))).value), 'PPT_TOKEN_SCADUTO');
  assert.equal(scheduledFor(late), 0);
});

test('a failed activation gives back a token swept by an activation it swept in turn (stalled at the EC past its hold): the first PSP’s late OK is accepted', async () => {
  const stalled = await registerPsp(t.services, t, 'Banca Lenta');
  const failing = await registerPsp(t.services, t, 'Banca Errata');
  const notice = noticeNumber();
  const token = await activateOk(t.app, psp, ec, notice, AMOUNT, { expirationTime: 60_000 });
  clock.advance(61_000);
  // The second PSP's activation sweeps the token, then waits at the EC...
  station.inject({ kind: 'slow', delayMs: 1500 }, 1);
  const waiting = soap(t.app, stalled.key, 'activatePaymentNoticeV2', { ...stalled.head, qrCode: qr(ec, notice), amount: AMOUNT });
  while ((await rowsOf(notice)).length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  // ...past its hold (the test clock), so a third PSP's activation sweeps it, and fails (wrong amount).
  clock.advance(10 * 60_000);
  const refused = await soap(t.app, failing.key, 'activatePaymentNoticeV2', { ...failing.head, qrCode: qr(ec, notice), amount: AMOUNT + 1 });
  assert.notEqual(faultOf(refused.value), 'OK');
  assert.notEqual(faultOf((await waiting).value), 'OK', 'the stalled activation was swept: its late EC answer activates nothing');
  assert.deepEqual(
    (await rowsOf(notice)).map((r) => r.state),
    ['active', 'expired', 'failed'],
    'nobody activated the notice since the first token: it is given back',
  );
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token))).value), 'OK', 'the money moved: the late OK is accepted');
  assert.equal(scheduledFor(token), 1);
});

test('the PSP’s paymentNote from its activation reaches the V2 receipt (ctReceiptV2 carries it; ctReceipt has no such field)', async () => {
  const notice = noticeNumber();
  const token = await activateOk(t.app, psp, ec, notice, AMOUNT, { paymentNote: 'Rata 2 di 3' });
  assert.equal(faultOf((await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token))).value), 'OK');
  const paid = t.receipts.scheduled.find((s) => s.paid.token === token)?.paid;
  assert.ok(paid);
  const head = { idPA: ec.fiscalCode, idBrokerPA: ec.fiscalCode, idStation: `${ec.fiscalCode}_01` };
  assert.match(sendRtRequest(snapshotOf(paid, ec.name), 2, head).body, /<paymentNote>Rata 2 di 3<\/paymentNote>/);
  assert.doesNotMatch(sendRtRequest(snapshotOf(paid, ec.name), 1, head).body, /paymentNote/);
});

test('an OK outcome for a payment that asks for a digital stamp must deliver it: without its MBDAttachment it is PPT_SEMANTICA, nothing recorded', async () => {
  const token = await activateOk(t.app, psp, ec, noticeNumber(), AMOUNT);
  // The EC's payment as stored, with a second transfer asking for a stamp (as an EC's paGetPaymentV2 may).
  const row = await t.database.db.selectFrom('pagopa_payments').select('payment').where('token', '=', token).executeTakeFirstOrThrow();
  const payment = row.payment as { data: { transferList: { transfer: Array<Record<string, unknown>> } } };
  const [first] = payment.data.transferList.transfer;
  payment.data.transferList.transfer.push({
    ...first,
    idTransfer: 2,
    IBAN: undefined,
    richiestaMarcaDaBollo: { hashDocumento: 'aGFzaGRlbGRvY3VtZW50bw==', tipoBollo: '01', provinciaResidenza: 'RM' },
  });
  await t.database.db
    .updateTable('pagopa_payments')
    .set({ payment: JSON.stringify(payment) })
    .where('token', '=', token)
    .execute();

  const v1 = await soap(t.app, psp.key, 'sendPaymentOutcome', outcome(token));
  assert.equal(faultOf(v1.value), 'PPT_SEMANTICA', 'version 1 cannot carry the stamp');
  assert.match(v1.body, /asks for a digital stamp for transfer 2/);
  const v2 = (details: Record<string, unknown>) =>
    soap(t.app, psp.key, 'sendPaymentOutcomeV2', {
      ...psp.head,
      paymentTokens: { paymentToken: [token] },
      outcome: 'OK',
      details: { ...OK_DETAILS, ...details },
    });
  assert.equal(faultOf((await v2({})).value), 'PPT_SEMANTICA', 'no marcheDaBollo');
  const elsewhere = { marcheDaBollo: { marcaDaBollo: [{ paymentToken: token, idTransfer: 1, MBDAttachment: 'PG1hcmNhPjwvbWFyY2E+' }] } };
  assert.equal(faultOf((await v2(elsewhere)).value), 'PPT_SEMANTICA', 'a stamp for another transfer');
  assert.equal(scheduledFor(token), 0);
  assert.deepEqual((await t.database.db.selectFrom('pagopa_payments').select('state').where('token', '=', token).executeTakeFirstOrThrow()).state, 'active');
  const delivered = { marcheDaBollo: { marcaDaBollo: [{ paymentToken: token, idTransfer: 2, MBDAttachment: 'PG1hcmNhPjwvbWFyY2E+' }] } };
  assert.equal(faultOf((await v2(delivered)).value), 'OK');
  assert.equal(scheduledFor(token), 1);
});
