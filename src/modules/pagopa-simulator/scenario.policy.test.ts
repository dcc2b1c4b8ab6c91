import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatEuros, padTransfers, parseEuros, scenarioToInput, validateScenario, type ScenarioInput, type TransferInput } from './scenario.policy.ts';

// Validation of a scenario typed in the portal: every problem at once, each on its field.

const transfer = (amount: string, fiscalCode = '77777777777'): TransferInput => ({
  amount,
  fiscalCode,
  iban: 'IT60 X054 2811 1010 0000 0123 456',
  remittance: 'TARI 2026',
  category: '9/0101108TS/',
});

const payable = (extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
  pattern: '3020*',
  answer: 'payable',
  amount: '150,50',
  description: 'TARI 2026 – rata unica',
  companyName: '',
  dueDate: '2026-12-31',
  transfers: padTransfers([transfer('100'), transfer('50.5', '77777777778')]),
  delayMs: '',
  delayOn: [],
  malformedOn: [],
  refuseReceipts: '',
  refuseWith: 'ko',
  ...extra,
});

test('a payable scenario: amounts in euros with a comma or a dot, IBAN spaces dropped, empty transfer rows ignored', () => {
  const checked = validateScenario(payable(), 'scn_x', []);
  assert.ok(checked.ok, JSON.stringify(checked));
  const s = checked.scenario;
  assert.equal(s.pattern, '3020*');
  assert.equal(s.payment?.amountCents, 15050);
  assert.deepEqual(
    s.payment?.transfers.map((t) => [t.amountCents, t.iban]),
    [
      [10000, 'IT60X0542811101000000123456'],
      [5050, 'IT60X0542811101000000123456'],
    ],
  );
  assert.equal(s.payment?.companyName, undefined, 'empty: the organisation\u2019s name is used');
  assert.deepEqual([s.delayMs, s.delayOn, s.refuseReceipts], [0, [], 0]);
});

test('every invalid field is reported at once, on its own field', () => {
  const checked = validateScenario(
    payable({
      pattern: '3020',
      amount: 'cento',
      description: '',
      companyName: 'x'.repeat(141),
      dueDate: '2026-02-30',
      transfers: padTransfers([{ amount: '0', fiscalCode: '123', iban: 'not an iban', remittance: '', category: 'a\u0001b' }]),
      delayMs: '500',
      delayOn: [],
      malformedOn: ['verify', 'everything'],
      refuseReceipts: '101',
      refuseWith: 'sometimes',
    }),
    'scn_x',
    [],
  );
  assert.ok(!checked.ok);
  const got = checked.problems.map((p) => `${p.field}:${p.code}`).sort();
  assert.deepEqual(
    got,
    [
      'amount:amount_invalid',
      'companyName:company_name_invalid',
      'delayOn:delay_on_required',
      'description:description_invalid',
      'dueDate:due_date_invalid',
      'malformedOn:primitive_invalid',
      'pattern:pattern_invalid',
      'refuseReceipts:refusals_invalid',
      'refuseWith:refuse_with_invalid',
      't1Amount:transfer_amount_invalid',
      't1Category:transfer_category_invalid',
      't1FiscalCode:transfer_fiscal_code_invalid',
      't1Iban:transfer_iban_invalid',
      't1Remittance:transfer_remittance_invalid',
    ].sort(),
  );
});

test('transfers must exist, be at most five and add up to the amount', () => {
  const none = validateScenario(payable({ transfers: padTransfers([]) }), 'scn_x', []);
  assert.ok(!none.ok && none.problems.some((p) => p.code === 'transfers_missing'));
  const six = validateScenario(payable({ amount: '6', transfers: Array.from({ length: 6 }, () => transfer('1')) }), 'scn_x', []);
  assert.ok(!six.ok && six.problems.some((p) => p.code === 'transfers_too_many'));
  const off = validateScenario(payable({ amount: '150.49' }), 'scn_x', []);
  assert.ok(!off.ok);
  assert.deepEqual(off.problems, [{ field: 'transfers', code: 'transfers_sum', params: { sumCents: '15050', amountCents: '15049' } }]);
});

test('a KO answer needs no payment; the same pattern twice is refused', () => {
  const ko = validateScenario(payable({ answer: 'expired', amount: '', transfers: padTransfers([]) }), 'scn_x', []);
  assert.ok(ko.ok);
  assert.equal(ko.scenario.payment, undefined);
  const twice = validateScenario(payable({ pattern: '3020 *' }), 'scn_x', ['3020*']);
  assert.ok(!twice.ok);
  assert.deepEqual(
    twice.problems.map((p) => p.code),
    ['pattern_duplicate'],
  );
  const unknownAnswer = validateScenario(payable({ answer: 'maybe' }), 'scn_x', []);
  assert.ok(!unknownAnswer.ok && unknownAnswer.problems.some((p) => p.field === 'answer'));
});

test('a valid scenario shown in the edit form validates back to itself', () => {
  const amounts = fc.array(fc.integer({ min: 1, max: 99_999_999 }), { minLength: 1, maxLength: 5 });
  fc.assert(
    fc.property(
      amounts,
      fc.integer({ min: 0, max: 120_000 }),
      fc.subarray(['verify', 'getPayment', 'receipt']),
      fc.integer({ min: 0, max: 100 }),
      (cents, delay, on, refusals) => {
        const input = payable({
          amount: formatEuros(cents.reduce((a, b) => a + b, 0)),
          transfers: padTransfers(cents.map((c) => transfer(formatEuros(c)))),
          delayMs: String(delay),
          delayOn: delay > 0 && on.length === 0 ? ['verify'] : on,
          malformedOn: on,
          refuseReceipts: String(refusals),
          refuseWith: 'http503',
        });
        const first = validateScenario(input, 'scn_x', []);
        assert.ok(first.ok, JSON.stringify(first));
        const again = validateScenario(scenarioToInput(first.scenario), 'scn_x', []);
        assert.ok(again.ok);
        assert.deepEqual(again.scenario, first.scenario);
      },
    ),
  );
});

test('euros: parse and format agree', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (cents) => assert.equal(parseEuros(formatEuros(cents)), cents)));
  for (const bad of ['1.234', '1e3', '-1', '1.', '.5', '1 000']) assert.equal(parseEuros(bad), undefined, bad);
  assert.equal(parseEuros('7,5'), 750);
});
