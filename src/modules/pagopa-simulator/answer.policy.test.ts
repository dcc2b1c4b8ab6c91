import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEcResponse, EC_OPERATIONS, type EcOperation } from '../../protocols/pagopa/index.ts';
import { paRequestBody } from '../../../test/support/pagopa-requests.ts';
import { validateEnvelopes } from '../../../test/support/pagopa-xsd.ts';
import { decide, deliveryKey, readStationCall, type SimulatedAnswer, type StationCall } from './answer.policy.ts';
import { ANSWER_FAULTS, DEFAULT_AMOUNT_CENTS, type Scenario, type SimulatedEc } from './scenario.types.ts';

// The pure decision of a simulated station: every scenario kind for the five paForNode operations,
// answers valid against the official XSD, coherent amounts across primitives, receipt refusals.

const EC: SimulatedEc = { fiscalCode: '77777777777', name: 'Comune di Prova' };
const NOW = new Date('2026-06-01T10:00:00Z');
const NOTICE = '302000100000009424';

const base = (id: string, fields: Partial<Scenario>): Scenario => ({
  id,
  pattern: '*',
  answer: 'payable',
  delayMs: 0,
  delayOn: [],
  malformedOn: [],
  refuseReceipts: 0,
  refuseWith: 'ko',
  ...fields,
});
const fivePayment = {
  amountCents: 15_000,
  description: 'Cinque quote',
  companyName: 'Unione dei Comuni',
  dueDate: '2026-12-31',
  transfers: [1000, 2000, 3000, 4000, 5000].map((amountCents, i) => ({
    amountCents,
    fiscalCode: `7777777777${i}`,
    iban: 'IT60X0542811101000000123456',
    remittance: `quota ${i + 1}`,
    category: '9/0101108TS/',
  })),
};

const KINDS: Record<string, Scenario> = {
  default: base('d', { pattern: '9*' }),
  payable5: base('p5', { payment: fivePayment }),
  unknown: base('u', { answer: 'unknown' }),
  expired: base('e', { answer: 'expired' }),
  cancelled: base('c', { answer: 'cancelled' }),
  duplicate: base('dup', { answer: 'duplicate' }),
  slow: base('s', { payment: fivePayment, delayMs: 2500, delayOn: ['getPayment'] }),
  malformed: base('m', { payment: fivePayment, malformedOn: ['verify', 'getPayment', 'receipt'] }),
  refuseKo: base('rk', { payment: fivePayment, refuseReceipts: 2, refuseWith: 'ko' }),
  refuse503: base('r5', { payment: fivePayment, refuseReceipts: 2, refuseWith: 'http503' }),
};

function call(op: EcOperation, noticeNumber = NOTICE, ec = EC.fiscalCode): StationCall {
  const read = readStationCall(paRequestBody(op, { ec, noticeNumber }), `"${op}"`, EC);
  assert.ok(read.ok, JSON.stringify(read));
  return read.call;
}

const answer = (s: Scenario | undefined, op: EcOperation, receiptDelivery?: number): SimulatedAnswer =>
  decide({ scenarios: s ? [s] : [], ec: EC, call: call(op), now: NOW, ...(receiptDelivery ? { receiptDelivery } : {}) });

test('every scenario kind answers each operation as documented', () => {
  for (const [kind, s] of Object.entries(KINDS)) {
    for (const op of EC_OPERATIONS) {
      const a = answer(s, op);
      const decoded = decodeEcResponse(op, a.body);
      const receipt = op === 'paSendRT' || op === 'paSendRTV2';
      const label = `${kind} ${op}`;
      if (kind === 'malformed') {
        assert.equal(decoded.kind, 'malformed', label);
        continue;
      }
      if (receipt) {
        assert.equal(a.outcome, kind.startsWith('refuse') ? (kind === 'refuse503' ? 'http503' : 'KO') : 'OK', label);
        continue;
      }
      const fault = ANSWER_FAULTS[s.answer as keyof typeof ANSWER_FAULTS];
      if (fault) assert.ok(decoded.kind === 'ko' && decoded.fault.faultCode === fault && decoded.fault.id === EC.fiscalCode, label);
      else assert.equal(decoded.kind, 'ok', label);
      assert.equal(a.delayMs, kind === 'slow' && op.startsWith('paGetPayment') ? 2500 : 0, label);
      assert.equal(a.scenario, kind === 'default' ? 'default' : 0, label);
    }
  }
});

test('the default scenario: payable 100.00 euro, one transfer to the institution, due in 30 days', () => {
  const verify = decodeEcResponse('paVerifyPaymentNotice', answer(undefined, 'paVerifyPaymentNotice').body);
  assert.ok(verify.kind === 'ok');
  assert.equal(verify.value.paymentList?.paymentOptionDescription.amount, DEFAULT_AMOUNT_CENTS);
  assert.equal(verify.value.paymentList?.paymentOptionDescription.dueDate, '2026-07-01');
  assert.equal(verify.value.companyName, EC.name);
  const get = decodeEcResponse('paGetPaymentV2', answer(undefined, 'paGetPaymentV2').body);
  assert.ok(get.kind === 'ok');
  assert.deepEqual(
    get.value.data?.transferList.transfer.map((t) => [t.transferAmount, t.fiscalCodePA]),
    [[DEFAULT_AMOUNT_CENTS, EC.fiscalCode]],
  );
  assert.equal(get.value.data?.creditorReferenceId, NOTICE.slice(1), 'aux digit 3: the IUV is the notice without its aux digit');
});

test('every answer that is meant to be valid validates against the official XSD', async () => {
  const messages = Object.entries(KINDS)
    .flatMap(([kind, s]) => EC_OPERATIONS.flatMap((op) => [1, 3].map((delivery) => ({ kind, a: answer(s, op, delivery), name: `${kind} ${op} #${delivery}` }))))
    .filter(({ a }) => a.outcome === 'OK' || a.outcome === 'KO');
  assert.ok(messages.length >= 80);
  const errors = await validateEnvelopes(messages.map(({ name, a }) => ({ name, xml: a.body })));
  assert.deepEqual(
    [...errors].filter(([, e]) => e.length > 0),
    [],
  );
  const broken = await validateEnvelopes([{ name: 'malformed', xml: answer(KINDS.malformed, 'paGetPayment').body }]);
  assert.ok((broken.get('malformed') ?? []).length > 0, 'the malformed answer is not valid');
});

test('receipts are refused the first N deliveries, then accepted', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 6 }),
      fc.constantFrom('ko', 'http503'),
      fc.constantFrom<EcOperation>('paSendRT', 'paSendRTV2'),
      fc.integer({ min: 1, max: 9 }),
      (n, refuseWith, op, delivery) => {
        const a = answer(base('r', { refuseReceipts: n, refuseWith: refuseWith as 'ko' | 'http503' }), op, delivery);
        if (delivery > n) assert.equal(a.outcome, 'OK');
        else if (refuseWith === 'ko') assert.ok(a.status === 200 && a.faultCode === 'PAA_SYSTEM_ERROR');
        else assert.equal(a.status, 503);
      },
    ),
  );
});

const amounts = fc.array(fc.integer({ min: 1, max: 9_999_999 }), { minLength: 1, maxLength: 5 });
const scenarioArb = fc
  .record({ prefix: fc.stringMatching(/^[0-9]{0,4}$/), cents: amounts, answer: fc.constantFrom('payable', 'unknown', 'expired', 'cancelled', 'duplicate') })
  .map(({ prefix, cents, answer: kind }) =>
    base(`scn_${prefix}`, {
      pattern: `${prefix}*`,
      answer: kind as Scenario['answer'],
      ...(kind === 'payable'
        ? {
            payment: {
              amountCents: cents.reduce((x, y) => x + y, 0),
              description: 'd',
              transfers: cents.map((c) => ({ amountCents: c, fiscalCode: EC.fiscalCode, iban: 'IT60X0542811101000000123456', remittance: 'r', category: 'c' })),
            },
          }
        : {}),
    }),
  );

test('verify, paGetPayment and paGetPaymentV2 of one notice agree on the amount and the outcome; the first matching scenario answers', () => {
  fc.assert(
    fc.property(fc.array(scenarioArb, { maxLength: 6 }), fc.stringMatching(/^[0-9]{18}$/), (scenarios, noticeNumber) => {
      const results = (['paVerifyPaymentNotice', 'paGetPayment', 'paGetPaymentV2'] as const).map((op) => {
        const a = decide({ scenarios, ec: EC, call: call(op, noticeNumber), now: NOW });
        const d = decodeEcResponse(op, a.body);
        assert.notEqual(d.kind, 'malformed');
        const value =
          d.kind === 'ok' ? (d.value as { data?: { paymentAmount: number }; paymentList?: { paymentOptionDescription: { amount: number } } }) : undefined;
        const amount = value?.data?.paymentAmount ?? value?.paymentList?.paymentOptionDescription.amount;
        return { scenario: a.scenario, kind: d.kind, amount };
      });
      assert.equal(new Set(results.map((r) => JSON.stringify(r))).size, 1, JSON.stringify(results));
      const expected = scenarios.findIndex((s) => noticeNumber.startsWith(s.pattern.slice(0, -1)));
      assert.equal(results[0]?.scenario, expected === -1 ? 'default' : expected);
    }),
  );
});

test('a call for another institution, another primitive version, or that does not decode is answered like an EC would', () => {
  const other = decide({ scenarios: [], ec: EC, call: call('paGetPayment', NOTICE, '77777777778'), now: NOW });
  assert.equal(other.faultCode, 'PAA_ID_DOMINIO_ERRATO');
  const v1 = decide({ scenarios: [], ec: EC, call: call('paGetPaymentV2'), now: NOW, primitiveVersion: 1 });
  assert.deepEqual([v1.status, v1.outcome], [500, 'soap_fault']);
  assert.equal(decide({ scenarios: [], ec: EC, call: call('paVerifyPaymentNotice'), now: NOW, primitiveVersion: 1 }).outcome, 'OK');
  assert.equal(decide({ scenarios: [], ec: EC, call: call('paSendRT'), now: NOW, primitiveVersion: 2 }).outcome, 'soap_fault');
  assert.equal(deliveryKey(call('paSendRTV2'), EC, 1), undefined, 'a receipt of the other version is not counted');
  assert.equal(deliveryKey(call('paSendRT', NOTICE, '77777777778'), EC), undefined, 'nor one for another institution');
  assert.equal(deliveryKey(call('paSendRT'), EC, 1), 'c110729d258c4ab1b765fe902aae41d6');
  assert.equal(deliveryKey(call('paGetPayment'), EC), undefined);
  const broken = readStationCall(
    paRequestBody('paGetPayment', { ec: EC.fiscalCode, noticeNumber: NOTICE }).replace('<idStation>', '<idStazione>'),
    '"paGetPayment"',
    EC,
  );
  assert.ok(!broken.ok);
  const ko = decodeEcResponse('paGetPayment', broken.answer.body);
  assert.ok(ko.kind === 'ko' && ko.fault.faultCode === 'PAA_SINTASSI_XSD');
  const unknown = readStationCall('<x/>', '"paSomethingElse"', EC);
  assert.ok(!unknown.ok && unknown.answer.status === 500 && unknown.answer.outcome === 'soap_fault');
});
