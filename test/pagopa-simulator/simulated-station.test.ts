import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createKysely, createPool } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { createPagopaSimulator, type PagopaSimulator, type ScenarioInput } from '../../src/modules/pagopa-simulator/index.ts';
import type { OutboundResult } from '../../src/modules/outbound/index.ts';
import { decodeEcResponse, type EcOperation } from '../../src/protocols/pagopa/index.ts';
import { buildTestApp } from '../support/app.ts';
import { paRequest } from '../support/ec-station.ts';
import { validateEnvelopes } from '../support/pagopa-xsd.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { createEc, scenarioForm, transferRow } from './support.ts';
import { padTransfers } from '../../src/modules/pagopa-simulator/index.ts';

// The built-in simulated station as the node will call it: the stored scenarios answer each of the
// five paForNode operations with what the outbound client would return for a real station.

const { services, database, audit } = await buildTestApp();
const sim = services.pagopaSimulator;
const db = database.db;
const CLI = { type: 'cli', id: null, ip: null } as const;
const ec = await createEc(db, 'Comune di Simulazione');

async function configure(target: PagopaSimulator, organisationId: string, version: 1 | 2, forms: ScenarioInput[]): Promise<void> {
  assert.ok((await target.settings.updateSettings(organisationId, { enabled: true, primitiveVersion: version }, CLI)).ok);
  for (const form of forms) {
    const added = await target.settings.addScenario(organisationId, form, undefined, CLI);
    assert.ok(added.ok, JSON.stringify(added));
  }
}

const call = (
  op: EcOperation,
  noticeNumber: string,
  options: { timeoutMs?: number; receiptId?: string; via?: PagopaSimulator; env?: 'test' | 'prod' } = {},
): Promise<OutboundResult> =>
  (options.via ?? sim).send(
    { env: options.env ?? 'test', ecOrganisationId: ec.id, responseTimeoutMs: options.timeoutMs ?? 5000 },
    paRequest(op, { ec: ec.fiscalCode, noticeNumber, ...(options.receiptId ? { receiptId: options.receiptId } : {}) }),
  );

const bodyOf = (r: OutboundResult): string => {
  assert.equal(r.kind, 'response', JSON.stringify(r));
  return r.kind === 'response' ? r.body : '';
};

test('switched off, in production, or for an organisation that is not an institution, nothing answers', async () => {
  assert.equal(await sim.isEnabled('test', ec.id), undefined);
  const off = await call('paVerifyPaymentNotice', '301000000000000001');
  assert.deepEqual(off.kind === 'failure' && [off.category, off.code], ['unreachable', 'simulator_not_enabled']);
  const psp = await createOrganisation(db, 'Banca non ente');
  assert.deepEqual(await sim.settings.updateSettings(psp, { enabled: true, primitiveVersion: 2 }, CLI), { ok: false, reason: 'not_eligible' });
  await configure(sim, ec.id, 2, []);
  assert.deepEqual(await sim.isEnabled('test', ec.id), { primitiveVersion: 2 });
  assert.equal(await sim.isEnabled('prod', ec.id), undefined);
  const prod = await call('paVerifyPaymentNotice', '301000000000000001', { env: 'prod' });
  assert.deepEqual(prod.kind === 'failure' && [prod.category, prod.code], ['unreachable', 'simulator_test_only']);
  await assert.rejects(database.owner.query("INSERT INTO pagopa_simulators (organisation_id, environment) VALUES ($1, 'prod')", [ec.id]), { code: '23514' });
  await assert.rejects(
    sim.send(
      { env: 'test', ecOrganisationId: ec.id, responseTimeoutMs: 0 },
      paRequest('paGetPayment', { ec: ec.fiscalCode, noticeNumber: '301000000000000001' }),
    ),
    { code: 'validation_failed' },
  );
});

test('every scenario kind answers the five operations through the stored settings, valid against the official XSD', async () => {
  const two = padTransfers([transferRow('70.00', ec.fiscalCode), transferRow('30.00', '77777777777')]);
  await configure(sim, ec.id, 2, [
    scenarioForm('301*', ec.fiscalCode, { amount: '100.00', transfers: two }),
    scenarioForm('302*', ec.fiscalCode, { answer: 'unknown' }),
    scenarioForm('303*', ec.fiscalCode, { answer: 'expired' }),
    scenarioForm('304*', ec.fiscalCode, { answer: 'cancelled' }),
    scenarioForm('305*', ec.fiscalCode, { answer: 'duplicate' }),
    scenarioForm('306*', ec.fiscalCode, { malformedOn: ['verify', 'getPayment', 'receipt'] }),
  ]);
  const bodies: Array<{ name: string; xml: string }> = [];
  for (const version of [2, 1] as const) {
    assert.ok((await sim.settings.updateSettings(ec.id, { enabled: true, primitiveVersion: version }, CLI)).ok);
    const ops: EcOperation[] = version === 2 ? ['paVerifyPaymentNotice', 'paGetPaymentV2', 'paSendRTV2'] : ['paGetPayment', 'paSendRT'];
    for (const op of ops) {
      const payable = decodeEcResponse(op, bodyOf(await call(op, '301000000000000001', { receiptId: `r-${op}` })));
      assert.equal(payable.kind, 'ok', op);
      if (payable.kind === 'ok' && 'data' in payable.value)
        assert.deepEqual(
          payable.value.data?.transferList.transfer.map((t) => t.transferAmount),
          [7000, 3000],
        );
      for (const [prefix, fault] of [
        ['302', 'PAA_PAGAMENTO_SCONOSCIUTO'],
        ['303', 'PAA_PAGAMENTO_SCADUTO'],
        ['304', 'PAA_PAGAMENTO_ANNULLATO'],
        ['305', 'PAA_PAGAMENTO_DUPLICATO'],
      ] as const) {
        const r = await call(op, `${prefix}000000000000001`, { receiptId: `r-${op}-${prefix}` });
        const decoded = decodeEcResponse(op, bodyOf(r));
        bodies.push({ name: `${op} ${prefix}`, xml: bodyOf(r) });
        // A receipt is accepted whatever the notice's answer: verify and get carry the KO.
        if (op.startsWith('paSendRT')) assert.equal(decoded.kind, 'ok', `${op} ${prefix}`);
        else assert.ok(decoded.kind === 'ko' && decoded.fault.faultCode === fault && decoded.fault.id === ec.fiscalCode, `${op} ${prefix}`);
      }
      assert.equal(decodeEcResponse(op, bodyOf(await call(op, '306000000000000001', { receiptId: `m-${op}` }))).kind, 'malformed', op);
      bodies.push({ name: `${op} payable`, xml: bodyOf(await call(op, '301000000000000002', { receiptId: `p-${op}` })) });
    }
  }
  const errors = await validateEnvelopes(bodies);
  assert.deepEqual(
    [...errors].filter(([, e]) => e.length > 0),
    [],
  );
  const v1 = await call('paGetPaymentV2', '301000000000000001');
  assert.equal(v1.kind === 'response' && v1.status, 500, 'a version 1 station does not offer paGetPaymentV2');
});

test('verify and get payment of one notice give the same amount', async () => {
  const verify = decodeEcResponse('paVerifyPaymentNotice', bodyOf(await call('paVerifyPaymentNotice', '301000000000000009')));
  const get = decodeEcResponse('paGetPayment', bodyOf(await call('paGetPayment', '301000000000000009')));
  assert.ok(verify.kind === 'ok' && get.kind === 'ok');
  assert.equal(verify.value.paymentList?.paymentOptionDescription.amount, 10_000);
  assert.equal(get.value.data?.paymentAmount, 10_000);
});

test('a slow scenario answers after its delay, or fails as a timeout at the call\u2019s timeout without waiting longer', async () => {
  await configure(sim, ec.id, 1, [scenarioForm('309*', ec.fiscalCode, { delayMs: '600', delayOn: ['getPayment'] })]);
  let started = performance.now();
  const fastVerify = await call('paVerifyPaymentNotice', '309000000000000001', { timeoutMs: 300 });
  assert.equal(fastVerify.kind, 'response', 'the delay applies to paGetPayment only');
  assert.ok(performance.now() - started < 300);
  started = performance.now();
  const slow = await call('paGetPayment', '309000000000000001', { timeoutMs: 2000 });
  assert.equal(slow.kind === 'response' && slow.status, 200);
  assert.ok(slow.durationMs >= 600 && performance.now() - started >= 600, `${slow.durationMs}`);
  started = performance.now();
  const late = await call('paGetPayment', '309000000000000001', { timeoutMs: 250 });
  const waited = performance.now() - started;
  assert.deepEqual(late.kind === 'failure' && [late.category, late.code], ['timeout', 'response_timeout']);
  assert.ok(waited >= 245 && waited < 550, `waited ${waited} ms`);
});

test('receipt refusals are counted in PostgreSQL, across two Varco instances and concurrent deliveries', async () => {
  const pool = createPool(database.url, 3);
  const second = createPagopaSimulator({ db: createKysely(pool), clock: systemClock, audit });
  after(() => pool.end());
  await configure(sim, ec.id, 2, [
    scenarioForm('310*', ec.fiscalCode, { refuseReceipts: '3', refuseWith: 'ko' }),
    scenarioForm('311*', ec.fiscalCode, { refuseReceipts: '2', refuseWith: 'http503' }),
  ]);
  const outcomes: string[] = [];
  for (const via of [sim, second, sim, second]) {
    const decoded = decodeEcResponse('paSendRTV2', bodyOf(await call('paSendRTV2', '310000000000000001', { receiptId: 'alternating', via })));
    outcomes.push(decoded.kind === 'ko' ? decoded.fault.faultCode : decoded.kind);
  }
  assert.deepEqual(outcomes, ['PAA_SYSTEM_ERROR', 'PAA_SYSTEM_ERROR', 'PAA_SYSTEM_ERROR', 'ok']);
  const parallel = await Promise.all(
    Array.from({ length: 6 }, (_, i) => call('paSendRTV2', '311000000000000001', { receiptId: 'parallel', via: i % 2 ? sim : second })),
  );
  assert.deepEqual(parallel.map((r) => (r.kind === 'response' ? r.status : 0)).sort(), [200, 200, 200, 200, 503, 503]);
  const row = await db
    .selectFrom('pagopa_simulator_receipts')
    .select(['deliveries', 'notice_number'])
    .where('receipt_key', '=', 'parallel')
    .executeTakeFirstOrThrow();
  assert.deepEqual(row, { deliveries: 6, notice_number: '311000000000000001' });
  const other = decodeEcResponse('paSendRTV2', bodyOf(await call('paSendRTV2', '310000000000000001', { receiptId: 'another' })));
  assert.equal(other.kind, 'ko', 'each receipt has its own count');
});

test('another institution cannot change or reach an EC\u2019s scenarios, and every change is audited', async () => {
  const intruder = await createEc(db, 'Comune Intruso');
  const mine = (await sim.settings.view(ec.id))?.scenarios[0];
  assert.ok(mine);
  assert.deepEqual(await sim.settings.updateScenario(intruder.id, mine.id, scenarioForm('399*', intruder.fiscalCode), undefined, CLI), {
    ok: false,
    reason: 'not_found',
  });
  assert.deepEqual(await sim.settings.deleteScenario(intruder.id, mine.id, undefined, CLI), { ok: false, reason: 'not_found' });
  assert.deepEqual(await sim.settings.moveScenario(intruder.id, mine.id, 'down', undefined, CLI), { ok: false, reason: 'not_found' });
  assert.deepEqual((await sim.settings.view(intruder.id))?.scenarios, []);
  const off = await sim.send(
    { env: 'test', ecOrganisationId: intruder.id, responseTimeoutMs: 1000 },
    paRequest('paGetPayment', { ec: ec.fiscalCode, noticeNumber: '310000000000000001' }),
  );
  assert.equal(off.kind === 'failure' && off.code, 'simulator_not_enabled', 'the intruder has no simulator of its own, and gets nothing of the EC\u2019s');
  const actions = await db.selectFrom('audit_log').select('action').where('organisation_id', '=', ec.id).execute();
  for (const action of ['pagopa_simulator.settings_changed', 'pagopa_simulator.scenario_added'])
    assert.ok(
      actions.some((a) => a.action === action),
      action,
    );
});

test('a stored scenario that no longer encodes makes the simulated station answer HTTP 500, never throw', async () => {
  const broken = [
    {
      id: 'scn_broken',
      pattern: '*',
      answer: 'payable',
      delayMs: 0,
      delayOn: [],
      malformedOn: [],
      refuseReceipts: 0,
      refuseWith: 'ko',
      payment: {
        amountCents: -5,
        description: 'x',
        transfers: [{ amountCents: -5, fiscalCode: ec.fiscalCode, iban: 'IT60X0542811101000000123456', remittance: 'r', category: 'c' }],
      },
    },
  ];
  await database.owner.query('UPDATE pagopa_simulators SET scenarios = $1 WHERE organisation_id = $2', [JSON.stringify(broken), ec.id]);
  const result = await call('paVerifyPaymentNotice', '301000000000000001');
  assert.equal(result.kind === 'response' && result.status, 500);
  assert.equal(decodeEcResponse('paVerifyPaymentNotice', bodyOf(result)).kind, 'malformed');
});
