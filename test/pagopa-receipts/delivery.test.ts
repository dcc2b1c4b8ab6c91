import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { receiptTimeouts } from '../../src/app/container.ts';
import type { ReceiptDetail } from '../../src/modules/pagopa-receipts/index.ts';
import { buildTestApp, startTestWorkers } from '../support/app.ts';
import { validateEnvelopes } from '../support/pagopa-xsd.ts';
import { connectEcStation, scenario, startEcStation } from '../support/ec-station.ts';
import { Browser, CLI, createAdmin, createOrganisation } from '../support/subscriptions.ts';
import { formatNoticeNumber } from '../../src/protocols/pagopa/index.ts';
import { createEc, scenarioForm } from '../pagopa-simulator/support.ts';
import { ecWithStation, noticeNumber, paidPayment, schedule, until, type EcWithStation } from './support.ts';

// Issue 11, receipt delivery through the outbox worker to the suite's REAL EC station (Node https
// demanding Varco's client certificate) and to the built-in simulated station: delivered on OK,
// retried after an HTTP 503 or a KO (attempts visible), PAA_RECEIPT_DUPLICATA counting as delivered,
// one copy per institution in the version each station speaks, and "refuse the first N receipts".

const t = await buildTestApp();
const { services, database } = t;
const db = database.db;
// A short schedule so retries happen within the test (the default waits 20 s, then longer).
const RETRY = { baseMs: 300, capMs: 1000, giveUpAfterMs: 600_000 };
await startTestWorkers(t, { config: { ...t.config, pagopaRtRetry: RETRY } });

const psp = await createOrganisation(db, 'Banca Pagatrice');
const ecV2 = await ecWithStation(services, db, { version: 2, name: 'Comune V2' });
const ecV1 = await ecWithStation(services, db, { version: 1, name: 'Provincia V1' });
const admin = { admin: true } as const;

async function delivered(id: string, what = id): Promise<ReceiptDetail> {
  let last: ReceiptDetail | undefined;
  await until(
    async () => (last = await services.receipts.get(admin, id))?.state === 'delivered',
    () => `${what} delivered (now ${JSON.stringify(last?.attemptLog)})`,
  );
  assert.ok(last);
  return last;
}

const receiptsAt = (ec: EcWithStation, token: string) =>
  ec.station.calls().filter((c) => (c.call?.operation === 'paSendRT' || c.call?.operation === 'paSendRTV2') && c.call.value.receipt.receiptId === token);

test('a receipt reaches the real EC station over mutual TLS through the worker: paSendRTV2, both messages in the exchange log', async () => {
  const paid = paidPayment({ version: 2, fiscalCode: ecV2.fiscalCode, ecOrganisationId: ecV2.id, pspOrganisationId: psp });
  const [id, ...more] = await schedule(services, db, paid);
  assert.ok(id?.startsWith('rct_') && more.length === 0, 'one institution, one receipt');
  const receipt = await delivered(id ?? '');
  const calls = receiptsAt(ecV2, paid.token);
  assert.equal(calls.length, 1, 'delivered once');
  const call = calls[0];
  assert.ok(call?.clientCertificatePem, 'Varco presented its client certificate');
  assert.equal(call.headers.soapaction, '"paSendRTV2"');
  assert.ok(call.call?.operation === 'paSendRTV2');
  assert.deepEqual([call.call.value.idPA, call.call.value.idStation, call.call.value.receipt.paymentAmount], [ecV2.fiscalCode, ecV2.code, 3000]);
  assert.deepEqual([receipt.attempts, receipt.stationCode, receipt.primitiveVersion, receipt.recipientOrganisationId], [1, ecV2.code, 2, ecV2.id]);
  const [attempt] = receipt.attemptLog;
  assert.deepEqual([attempt?.result, attempt?.httpStatus, attempt?.ecOutcome, attempt?.destination], ['delivered', 200, 'OK', 'station']);
  const exchange = await services.exchanges.get(admin, attempt?.exchangeId ?? '');
  assert.ok(exchange, 'the attempt names its exchange-log message');
  assert.deepEqual(
    [exchange.direction, exchange.operation, exchange.outcome, exchange.token, exchange.ecOrganisationId, exchange.pspOrganisationId, exchange.stationId],
    ['out', 'paSendRTV2', 'OK', paid.token, ecV2.id, psp, ecV2.stationId],
  );
  assert.match(exchange.request, new RegExp(`<receiptId>${paid.token}</receiptId>`));
  assert.match(exchange.response ?? '', /<outcome>OK<\/outcome>/);
});

test('receipt retried after an EC 503: delivered on the retry, both attempts visible', async () => {
  ecV2.station.inject({ kind: 'http503' }, 1);
  const paid = paidPayment({ version: 1, fiscalCode: ecV2.fiscalCode, ecOrganisationId: ecV2.id, pspOrganisationId: psp });
  const [id] = await schedule(services, db, paid);
  const receipt = await delivered(id ?? '');
  assert.deepEqual(
    receipt.attemptLog.map((a) => [a.result, a.httpStatus, a.faultCode]),
    [
      ['retry', 503, 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE'],
      ['delivered', 200, null],
    ],
  );
  assert.match(receipt.attemptLog[0]?.error ?? '', /HTTP 503/);
  const [first, second] = receipt.attemptLog;
  assert.ok(first && second && second.startedAt.getTime() - first.startedAt.getTime() >= RETRY.baseMs, 'the retry waited for the schedule');
  assert.equal(receiptsAt(ecV2, paid.token).length, 2);
  assert.equal(receipt.attempts, 2);
});

test('an EC KO is retried until the EC answers OK', async () => {
  const notice = `3119${String(Date.now()).padStart(14, '0')}`;
  ecV1.station.scenarios = [scenario({ pattern: notice, refuseReceipts: 2, refuseWith: 'ko' })];
  const paid = paidPayment({ version: 1, fiscalCode: ecV1.fiscalCode, ecOrganisationId: ecV1.id, pspOrganisationId: psp, noticeNumber: notice });
  const [id] = await schedule(services, db, paid);
  const receipt = await delivered(id ?? '');
  assert.deepEqual(
    receipt.attemptLog.map((a) => [a.result, a.ecOutcome, a.faultCode, a.primitiveVersion]),
    [
      ['retry', 'KO', 'PAA_SYSTEM_ERROR', 1],
      ['retry', 'KO', 'PAA_SYSTEM_ERROR', 1],
      ['delivered', 'OK', null, 1],
    ],
  );
  assert.match(receipt.attemptLog[0]?.error ?? '', /KO PAA_SYSTEM_ERROR/);
  assert.deepEqual(
    receiptsAt(ecV1, paid.token).map((c) => c.call?.operation),
    ['paSendRT', 'paSendRT', 'paSendRT'],
    'the V1 station gets paSendRT',
  );
  ecV1.station.scenarios = [];
});

test('PAA_RECEIPT_DUPLICATA counts as delivered: no retry follows', async () => {
  ecV2.station.inject({ kind: 'ko', faultCode: 'PAA_RECEIPT_DUPLICATA' }, 1);
  const paid = paidPayment({ version: 2, fiscalCode: ecV2.fiscalCode, ecOrganisationId: ecV2.id, pspOrganisationId: psp });
  const [id] = await schedule(services, db, paid);
  const receipt = await delivered(id ?? '');
  assert.deepEqual(
    receipt.attemptLog.map((a) => [a.result, a.ecOutcome, a.faultCode]),
    [['duplicate', 'KO', 'PAA_RECEIPT_DUPLICATA']],
  );
  await new Promise((done) => setTimeout(done, RETRY.baseMs * 3));
  assert.equal(receiptsAt(ecV2, paid.token).length, 1, 'nothing sent after the EC said it has the receipt');
  const message = await db
    .selectFrom('outbox')
    .select(['state', 'attempts'])
    .where('subject_id', '=', id ?? '')
    .executeTakeFirstOrThrow();
  assert.deepEqual(message, { state: 'delivered', attempts: 1 });
});

test('several institutions: one copy each, in the version of each one\u2019s station, the notice\u2019s EC first', async () => {
  const paid = paidPayment({ version: 1, fiscalCode: ecV2.fiscalCode, ecOrganisationId: ecV2.id, pspOrganisationId: psp, other: ecV1.fiscalCode });
  const ids = await schedule(services, db, paid);
  assert.equal(ids.length, 2);
  assert.deepEqual(await schedule(services, db, paid), ids, 'scheduling the same token again adds nothing');
  const [home, other] = [await delivered(ids[0] ?? '', 'the notice EC\u2019s copy'), await delivered(ids[1] ?? '', 'the other EC\u2019s copy')];
  assert.deepEqual([home.recipientFiscalCode, home.position, home.recipientOrganisationId], [ecV2.fiscalCode, 0, ecV2.id]);
  assert.deepEqual([other.recipientFiscalCode, other.position, other.recipientOrganisationId], [ecV1.fiscalCode, 1, ecV1.id]);
  const [toV2] = receiptsAt(ecV2, paid.token);
  const [toV1] = receiptsAt(ecV1, paid.token);
  assert.ok(toV2?.call?.operation === 'paSendRTV2' && toV1?.call?.operation === 'paSendRT');
  assert.deepEqual([toV2.call.value.idPA, toV1.call.value.idPA], [ecV2.fiscalCode, ecV1.fiscalCode]);
  assert.deepEqual(
    [toV2.call.value.receipt.fiscalCode, toV1.call.value.receipt.fiscalCode],
    [ecV2.fiscalCode, ecV2.fiscalCode],
    'the same receipt: the notice\u2019s EC',
  );
  assert.equal(receiptsAt(ecV2, paid.token).length + receiptsAt(ecV1, paid.token).length, 2);
  // The notice's EC reads the other institution's copy, and so the message that delivered it (the other
  // institution's station is the other's business: its failures stay withheld from the notice's EC).
  const copy = other.attemptLog[0]?.exchangeId ?? '';
  assert.equal((await services.exchanges.get({ organisationId: ecV2.id }, copy))?.operation, 'paSendRT');
  assert.equal((await services.exchanges.get({ organisationId: ecV1.id }, copy))?.id, copy);
  assert.equal(await services.exchanges.get({ organisationId: await createOrganisation(db, 'Comune Estraneo') }, copy), undefined);
  // What the stations received, byte for byte, validates against the official XSD.
  const errors = await validateEnvelopes([
    { name: 'paSendRTV2', xml: toV2.body },
    { name: 'paSendRT', xml: toV1.body },
  ]);
  for (const [name, problems] of errors) assert.deepEqual(problems, [], name);
});

test('a copy the destination cannot take (a stamp duty to a V1 station) is retried with the reason, nothing sent', async () => {
  const paid = paidPayment({ version: 2, fiscalCode: ecV2.fiscalCode, ecOrganisationId: ecV2.id, pspOrganisationId: psp, other: ecV1.fiscalCode });
  const [, id] = await schedule(services, db, paid);
  let detail: ReceiptDetail | undefined;
  await until(async () => ((detail = await services.receipts.get(admin, id ?? ''))?.attempts ?? 0) >= 1, 'a first attempt');
  assert.equal(detail?.state, 'pending');
  assert.match(detail?.attemptLog[0]?.error ?? '', /stamp duty.*version 2/);
  assert.equal(detail?.attemptLog[0]?.exchangeId, null);
  assert.equal(receiptsAt(ecV1, paid.token).length, 0);
});

test('the simulated station refusing the first 2 receipts: delivered on the third attempt, recorded like a station', async () => {
  const ec = await createEc(db, 'Comune Simulato');
  assert.ok((await services.pagopaRegistry.ecs.addEc(ec.id, 'test', CLI)).ok);
  assert.ok((await services.pagopaSimulator.settings.updateSettings(ec.id, { enabled: true, primitiveVersion: 1 }, CLI)).ok);
  assert.ok(
    (await services.pagopaSimulator.settings.addScenario(ec.id, scenarioForm('3*', ec.fiscalCode, { refuseReceipts: '2', refuseWith: 'ko' }), undefined, CLI))
      .ok,
  );
  const paid = paidPayment({ version: 1, fiscalCode: ec.fiscalCode, ecOrganisationId: ec.id, pspOrganisationId: psp, noticeNumber: noticeNumber() });
  const [id] = await schedule(services, db, paid);
  const receipt = await delivered(id ?? '');
  assert.deepEqual(
    receipt.attemptLog.map((a) => [a.result, a.destination, a.faultCode, a.primitiveVersion]),
    [
      ['retry', 'simulator', 'PAA_SYSTEM_ERROR', 1],
      ['retry', 'simulator', 'PAA_SYSTEM_ERROR', 1],
      ['delivered', 'simulator', null, 1],
    ],
  );
  assert.equal(receipt.stationCode, `${ec.fiscalCode}_SIM`);
  const log = await services.exchanges.search(admin, { token: paid.token });
  assert.deepEqual(log.map((e) => [e.operation, e.outcome, e.faultCode]).reverse(), [
    ['paSendRT', 'KO', 'PAA_SYSTEM_ERROR'],
    ['paSendRT', 'KO', 'PAA_SYSTEM_ERROR'],
    ['paSendRT', 'OK', null],
  ]);
});

test('a receipt goes only to the receiving EC\u2019s reviewed station: an edit awaiting review does not redirect it; an EC without a link gets none', async () => {
  const ec = await ecWithStation(services, db, { version: 2, name: 'Comune Prudente' });
  // A second server, trusted for the EC and demanding Varco's certificate: it WOULD answer if it were called.
  const platform = await services.platformCertificates.downloads('test');
  const unreviewed = await startEcStation({ ecs: ec, clientCas: [platform.caPem], primitiveVersion: 2 });
  after(() => unreviewed.stop());
  const trusted = await services.trust.add('test', unreviewed.serverRootPem, { organisationId: ec.id }, CLI);
  assert.ok(trusted.ok || trusted.reason === 'already_trusted');
  const edited = await services.stations.edit(ec.stationId, { primary: { url: unreviewed.url, ip: unreviewed.host, port: String(unreviewed.port) } }, CLI);
  assert.ok(edited.ok, JSON.stringify(edited));
  const unlinked = await createEc(db, 'Comune Senza Stazione');
  assert.ok((await services.pagopaRegistry.ecs.addEc(unlinked.id, 'test', CLI)).ok);

  const paid = paidPayment({ version: 1, fiscalCode: ec.fiscalCode, ecOrganisationId: ec.id, pspOrganisationId: psp, other: unlinked.fiscalCode });
  const [mine, theirs] = await schedule(services, db, paid);
  await delivered(mine ?? '');
  assert.equal(receiptsAt(ec, paid.token).length, 1, 'delivered at the reviewed address');
  assert.equal(unreviewed.requests.length, 0, 'the address awaiting review was never called');
  let copy: ReceiptDetail | undefined;
  await until(async () => ((copy = await services.receipts.get(admin, theirs ?? ''))?.attempts ?? 0) >= 1, 'an attempt of the unlinked EC\u2019s copy');
  assert.deepEqual(
    [copy?.state, copy?.attemptLog[0]?.faultCode, copy?.attemptLog[0]?.destination, copy?.stationCode],
    ['pending', 'PPT_STAZIONE_INT_PA_SCONOSCIUTA', null, null],
  );
  // A pending receipt says when it is tried next, on its page too; a delivered one does not.
  const next = (await services.receipts.get(admin, theirs ?? ''))?.nextAttemptAt;
  assert.ok(next instanceof Date, 'the pending copy has a next attempt');
  assert.equal((await services.receipts.get(admin, mine ?? ''))?.nextAttemptAt, null);
  const backOffice = await new Browser(t.app, 'admin').signIn((await createAdmin(services)).email);
  const page = await backOffice.get(`/admin/pagopa/receipts/${theirs ?? ''}`);
  assert.match(page.body, /<th>Next attempt \(UTC\)<\/th><td>[^<]*\d\d:\d\d:\d\d[^<]*<\/td>/);
  assert.doesNotMatch((await backOffice.get(`/admin/pagopa/receipts/${mine ?? ''}`)).body, /Next attempt/);
  const everywhere = [ecV1, ecV2, ec].flatMap((e) => receiptsAt(e, paid.token)).filter((c) => c.call?.value.idPA === unlinked.fiscalCode);
  assert.deepEqual(everywhere, [], 'no other station received the unlinked EC\u2019s copy');
});

test('the notice\u2019s EC gets its receipt on the station its notice routes to (where paGetPayment went), in that link\u2019s version; another EC of the transfers on its first link', async () => {
  const ec = await ecWithStation(services, db, { version: 2, name: 'Comune a Due Stazioni' });
  // A second station of the same EC, for segregation code 12, speaking version 1: the first link (code 11) is not it.
  const platform = await services.platformCertificates.downloads('test');
  const second = await startEcStation({ ecs: ec, clientCas: [platform.caPem], primitiveVersion: 1 });
  after(() => second.stop());
  const secondCode = `${ec.fiscalCode}_02`;
  await connectEcStation(services, { organisationId: ec.id, station: second, code: secondCode });
  const linked = await services.pagopaRegistry.ecs.link(
    { organisationId: ec.id, env: 'test', stationCode: secondCode, auxDigit: '3', segregationCode: '12', version: '1' },
    CLI,
  );
  assert.ok(linked.ok, JSON.stringify(linked));

  const notice = formatNoticeNumber({ auxDigit: 3, segregationCode: '12', iuvBase: '4242424242424' });
  const paid = paidPayment({
    version: 1,
    fiscalCode: ec.fiscalCode,
    ecOrganisationId: ec.id,
    pspOrganisationId: psp,
    other: ecV2.fiscalCode,
    noticeNumber: notice,
  });
  const [own = '', copy = ''] = await schedule(services, db, paid);
  const receipt = await delivered(own, 'the notice\u2019s EC\u2019s receipt');
  assert.deepEqual([receipt.stationCode, receipt.primitiveVersion], [secondCode, 1]);
  const calls = second.calls().filter((c) => c.call?.operation === 'paSendRT' && c.call.value.receipt.receiptId === paid.token);
  assert.equal(calls.length, 1, 'delivered once, to the segregation code\u2019s station, as paSendRT');
  assert.equal(calls[0]?.call?.value.idStation, secondCode);
  assert.deepEqual(receiptsAt(ec, paid.token), [], 'the EC\u2019s first link got nothing');
  // The other institution of the transfer list: its own first link, in its version.
  const other = await delivered(copy, 'the other EC\u2019s copy');
  assert.deepEqual([other.stationCode, other.primitiveVersion], [ecV2.code, 2]);
});

test('a receipt attempt, primary then DR site, each connecting and waiting its longest, ends before the worker would abandon it (80 % of the lease)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 5, max: 3600 }), fc.integer({ min: 1000, max: 120_000 }), (leaseSeconds, pagopaRtTimeoutMs) => {
      const outboxLeaseMs = leaseSeconds * 1000;
      const t = receiptTimeouts({ outboxLeaseMs, pagopaRtTimeoutMs });
      assert.ok(2 * (t.connectTimeoutMs + t.responseTimeoutMs) <= 0.8 * outboxLeaseMs, JSON.stringify(t));
      assert.ok(t.responseTimeoutMs <= pagopaRtTimeoutMs || t.responseTimeoutMs === 1000, 'never longer than the setting');
      // What the station caller accepts as a call's timeouts.
      assert.ok(t.connectTimeoutMs >= 100 && t.connectTimeoutMs <= 60_000 && t.responseTimeoutMs >= 100 && t.responseTimeoutMs <= 120_000);
    }),
  );
  assert.deepEqual(
    receiptTimeouts({ outboxLeaseMs: 60_000, pagopaRtTimeoutMs: 15_000 }),
    { connectTimeoutMs: 6000, responseTimeoutMs: 15_000 },
    'the defaults',
  );
});
