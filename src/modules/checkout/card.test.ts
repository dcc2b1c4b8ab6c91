import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { cvcValid, detectBrand, luhnValid, maskCardNumber, normaliseCardNumber, parseExpiry, validateCard } from './card.ts';
import type { CardInput } from './card.ts';
import { expiryED } from '../../protocols/ogone/index.ts';

const NOW = new Date('2026-11-23T10:00:00Z');

/** Appends the Luhn check digit. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

describe('luhn', () => {
  it('accepts published test numbers and rejects one-digit changes', () => {
    for (const n of ['4111111111111111', '4000000000000002', '5399999999999999', '374111111111111', '2223000048400011', '36000000000008', '3528000000000007']) {
      assert.ok(luhnValid(n), n);
    }
    assert.ok(!luhnValid('4111111111111112'));
    assert.ok(!luhnValid('4111 1111 1111 1111'));
    assert.ok(!luhnValid(''));
  });

  it('detects every single-digit error (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{11,18}$/), fc.nat(), fc.integer({ min: 1, max: 9 }), (body, at, delta) => {
        const n = withCheckDigit(body);
        const i = at % n.length;
        const changed = n.slice(0, i) + String((Number(n[i]) + delta) % 10) + n.slice(i + 1);
        assert.ok(luhnValid(n));
        assert.ok(!luhnValid(changed), `${n} → ${changed}`);
      }),
    );
  });
});

describe('brand', () => {
  it('recognises each brand by prefix, including the MasterCard 2-series edges', () => {
    const cases: Array<[string, string | undefined]> = [
      ['4111111111111111', 'VISA'],
      ['5100000000000016', 'MasterCard'],
      ['5599999999999999', 'MasterCard'],
      ['2221000000000009', 'MasterCard'],
      ['2720990000000007', 'MasterCard'],
      ['2220990000000000', undefined],
      ['2721000000000000', undefined],
      ['340000000000009', 'American Express'],
      ['374111111111111', 'American Express'],
      ['350000000000000', undefined],
      ['6759000000000000', 'Maestro'],
      ['5018000000000009', 'Maestro'],
      ['6304000000000000', 'Maestro'],
      ['36000000000008', 'Diners Club'],
      ['3000000000000004', 'Diners Club'],
      ['3528000000000007', 'JCB'],
      ['3589000000000003', 'JCB'],
      ['6011000000000004', undefined],
      ['9999999999999995', undefined],
      ['', undefined],
    ];
    for (const [n, brand] of cases) assert.equal(detectBrand(n), brand, n);
  });

  it('CVC shape per brand', () => {
    assert.ok(cvcValid('1234', 'American Express') && !cvcValid('123', 'American Express'));
    assert.ok(cvcValid('123', 'VISA') && !cvcValid('1234', 'VISA') && !cvcValid('', 'VISA') && !cvcValid('12a', 'VISA'));
    assert.ok(cvcValid('', 'Maestro') && cvcValid('123', 'Maestro') && !cvcValid('12', 'Maestro'));
  });
});

describe('number input and mask', () => {
  it('drops spaces and dashes only', () => {
    assert.equal(normaliseCardNumber('4111 1111-1111 1111'), '4111111111111111');
    assert.equal(normaliseCardNumber('4111.1111.1111.1111'), undefined);
    assert.equal(normaliseCardNumber('４１１１'), undefined);
    assert.equal(normaliseCardNumber('1'.repeat(20)), undefined);
  });

  it('masks all but the last four digits with X', () => {
    assert.equal(maskCardNumber('4111111111111111'), 'XXXXXXXXXXXX1111');
    assert.equal(maskCardNumber('374111111111111'), 'XXXXXXXXXXX1111');
    assert.equal(maskCardNumber('123'), '123');
  });
});

describe('expiry', () => {
  it('reads the usual spellings', () => {
    for (const input of ['12/30', '12 / 30', '12/2030', '1230', '12-30', ' 12/30 ']) {
      assert.deepEqual(parseExpiry(input, NOW), { ok: true, expiry: { month: 12, year: 2030 } }, input);
    }
    assert.deepEqual(parseExpiry('1/27', NOW), { ok: true, expiry: { month: 1, year: 2027 } });
  });

  it('is valid through the end of its month, in UTC', () => {
    assert.equal(parseExpiry('11/26', NOW).ok, true);
    assert.equal(parseExpiry('11/26', new Date('2026-11-30T23:59:59Z')).ok, true);
    assert.deepEqual(parseExpiry('11/26', new Date('2026-12-01T00:00:00Z')), { ok: false, problem: 'expired' });
    assert.deepEqual(parseExpiry('10/26', NOW), { ok: false, problem: 'expired' });
  });

  it('names the problem', () => {
    assert.deepEqual(parseExpiry('13/30', NOW), { ok: false, problem: 'month' });
    assert.deepEqual(parseExpiry('00/30', NOW), { ok: false, problem: 'month' });
    assert.deepEqual(parseExpiry('12/99', NOW), { ok: false, problem: 'too_far' });
    for (const bad of ['', '1230x', '12/3', '123', '12//30', 'MM/YY', '12/300']) assert.deepEqual(parseExpiry(bad, NOW), { ok: false, problem: 'format' }, bad);
  });

  it('ED is MMYY', () => {
    assert.equal(expiryED({ month: 5, year: 2014 }), '0514');
    assert.equal(expiryED({ month: 12, year: 2030 }), '1230');
  });
});

describe('validateCard', () => {
  const good: CardInput = { holder: ' John Doe ', number: '4111 1111 1111 1111', expiry: '12/30', cvc: '987' };

  it('returns a PaymentCard whose summary carries no full number or CVC: the BIN and the last four only', () => {
    const r = validateCard(good, NOW);
    assert.ok(r.ok);
    assert.equal(r.card.number, '4111111111111111');
    assert.equal(r.card.cvc, '987');
    assert.deepEqual(r.card.summary, { brand: 'VISA', masked: 'XXXXXXXXXXXX1111', expiry: { month: 12, year: 2030 }, holder: 'John Doe', bin: '411111' });
    const exposed = [
      JSON.stringify(r.card),
      JSON.stringify({ nested: [r.card] }),
      inspect(r.card),
      inspect({ card: r.card }, { depth: 5 }),
      String(Object.keys(r.card)),
    ];
    for (const text of exposed) {
      assert.ok(!text.includes('4111111111111111'), text);
      assert.ok(!text.includes('987'), text);
    }
  });

  it('reports one problem per field', () => {
    const r = validateCard({ holder: '', number: '4111111111111112', expiry: '01/20', cvc: '12' }, NOW);
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, [
      { field: 'holder', code: 'required' },
      { field: 'number', code: 'luhn' },
      { field: 'expiry', code: 'expired' },
      { field: 'cvc', code: 'invalid' },
    ]);
  });

  it('checks number shape, brand and length', () => {
    const code = (number: string, allowed?: Parameters<typeof validateCard>[2]) => {
      const r = validateCard({ ...good, number }, NOW, allowed);
      return r.ok ? 'ok' : r.problems.map((p) => `${p.field}:${p.code}`).join(',');
    };
    assert.equal(code(''), 'number:required');
    assert.equal(code('4111x111'), 'number:invalid');
    assert.equal(code('6011000000000004'), 'number:brand_unsupported');
    assert.equal(code('411111111111116'), 'number:length');
    assert.equal(code('4111111111111111', ['MasterCard']), 'number:brand_not_allowed');
    assert.equal(code('374111111111111'), 'cvc:invalid');
    assert.equal(validateCard({ ...good, number: '374111111111111', cvc: '1234' }, NOW).ok, true);
    assert.equal(validateCard({ ...good, number: '6759000000000000', cvc: '' }, NOW).ok, true);
  });

  it('holder: trimmed, at most 35 characters, no control characters', () => {
    const problem = (holder: string) => {
      const r = validateCard({ ...good, holder }, NOW);
      return r.ok ? 'ok' : r.problems[0]?.code;
    };
    assert.equal(problem('Zoë Ångström-Ñúñez'), 'ok');
    assert.equal(problem('x'.repeat(35)), 'ok');
    assert.equal(problem('x'.repeat(36)), 'too_long');
    assert.equal(problem('   '), 'required');
    assert.equal(problem('a\u0007b'), 'invalid');
  });
});
