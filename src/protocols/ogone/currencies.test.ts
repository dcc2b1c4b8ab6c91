import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CURRENCY_CODES, FORMAT_LOCALES, currency, feedbackAmount, formatAmount, minorToWireAmount, wireAmountToMinor } from './currencies.ts';
import type { Currency } from './currencies.ts';

const cur = (code: string): Currency => {
  const c = currency(code);
  assert.ok(c, code);
  return c;
};

/** Intl uses no-break and narrow no-break spaces; compare with plain spaces. */
const plain = (s: string): string => s.replace(/[\u00A0\u202F]/g, ' ');

describe('currency table', () => {
  it('has the ISO exponents, including 0, 3 and 4', () => {
    const expected: Record<string, number> = {
      EUR: 2,
      USD: 2,
      GBP: 2,
      CHF: 2,
      HUF: 2,
      JPY: 0,
      KRW: 0,
      ISK: 0,
      CLP: 0,
      VND: 0,
      XAF: 0,
      XOF: 0,
      XPF: 0,
      BHD: 3,
      KWD: 3,
      JOD: 3,
      OMR: 3,
      TND: 3,
      IQD: 3,
      LYD: 3,
      CLF: 4,
      UYW: 4,
    };
    for (const [code, exponent] of Object.entries(expected)) assert.equal(cur(code).exponent, exponent, code);
  });

  it("knows every currency of the platform's list, historic ones marked", () => {
    const platform =
      'AED ANG ARS AUD AWG BGN BRL BYR CAD CHF CNY CZK DKK EEK EGP EUR GBP GEL HKD HRK HUF ILS ISK JPY KRW LTL LVL MAD MXN NOK NZD PLN RON RUB SEK SGD SKK THB TRY UAH USD XAF XOF XPF ZAR';
    for (const code of platform.split(' ')) assert.ok(currency(code), code);
    assert.equal(cur('LTL').historic, true);
    assert.equal(cur('BYR').exponent, 0);
    assert.equal(cur('EUR').historic, false);
  });

  it('matches codes exactly and has no duplicates', () => {
    assert.equal(currency('eur'), undefined);
    assert.equal(currency('EURO'), undefined);
    assert.equal(currency('XXX'), undefined);
    assert.equal(new Set(CURRENCY_CODES).size, CURRENCY_CODES.length);
    assert.ok(CURRENCY_CODES.length > 150);
    for (const code of CURRENCY_CODES) assert.match(code, /^[A-Z]{3}$/);
  });
});

describe('request AMOUNT (× 100)', () => {
  it('is minor units for 2-exponent currencies', () => {
    assert.deepEqual(wireAmountToMinor('1500', cur('EUR')), { ok: true, amount: 1500 });
    assert.deepEqual(wireAmountToMinor('0001', cur('EUR')), { ok: true, amount: 1 });
  });

  it('must end in 00 for 0-exponent currencies, and is scaled for 3 and 4', () => {
    assert.deepEqual(wireAmountToMinor('150000', cur('JPY')), { ok: true, amount: 1500 });
    assert.deepEqual(wireAmountToMinor('150050', cur('JPY')), { ok: false, reason: 'decimals' });
    assert.deepEqual(wireAmountToMinor('1234', cur('KWD')), { ok: true, amount: 12340 });
    assert.deepEqual(wireAmountToMinor('1', cur('CLF')), { ok: true, amount: 100 });
  });

  it('refuses non-digits, zero and huge values', () => {
    for (const bad of ['', '15.00', '15,00', '-1500', '+1500', ' 1500', '1500 ', '1e3', '١٥٠٠', '0x10']) {
      assert.deepEqual(wireAmountToMinor(bad, cur('EUR')), { ok: false, reason: 'not_numeric' }, bad);
    }
    assert.deepEqual(wireAmountToMinor('0', cur('EUR')), { ok: false, reason: 'zero' });
    assert.deepEqual(wireAmountToMinor('000', cur('EUR')), { ok: false, reason: 'zero' });
    assert.deepEqual(wireAmountToMinor('999999999999', cur('EUR')), { ok: true, amount: 999999999999 });
    assert.deepEqual(wireAmountToMinor('1000000000000', cur('EUR')), { ok: false, reason: 'too_large' });
    assert.deepEqual(wireAmountToMinor('9'.repeat(400), cur('EUR')), { ok: false, reason: 'too_large' });
    assert.deepEqual(wireAmountToMinor(`${'0'.repeat(30)}5`, cur('EUR')), { ok: true, amount: 5 });
  });

  it('minorToWireAmount is its inverse', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CURRENCY_CODES), fc.integer({ min: 1, max: 9_999_999 }), (code, n) => {
        const c = cur(code);
        const amount = c.exponent > 2 ? n * 10 ** (c.exponent - 2) : n;
        assert.deepEqual(wireAmountToMinor(minorToWireAmount(amount, c), c), { ok: true, amount });
      }),
    );
    assert.equal(minorToWireAmount(1500, cur('JPY')), '150000');
    assert.throws(() => minorToWireAmount(12345, cur('KWD')), RangeError);
  });
});

describe('feedbackAmount', () => {
  it('drops trailing zeros, as the platform does', () => {
    assert.equal(feedbackAmount(1500, 'EUR'), '15');
    assert.equal(feedbackAmount(1550, 'EUR'), '15.5');
    assert.equal(feedbackAmount(1501, 'EUR'), '15.01');
    assert.equal(feedbackAmount(1908, 'EUR'), '19.08');
    assert.equal(feedbackAmount(5, 'EUR'), '0.05');
    assert.equal(feedbackAmount(1500, 'JPY'), '1500');
    assert.equal(feedbackAmount(12340, 'KWD'), '12.34');
    assert.equal(feedbackAmount(12345, 'KWD'), '12.345');
    assert.equal(feedbackAmount(999999999999, 'EUR'), '9999999999.99');
  });

  it('parses back to the same number for every currency', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CURRENCY_CODES), fc.integer({ min: 0, max: 2 ** 40 }), (code, amount) => {
        const s = feedbackAmount(amount, code);
        assert.match(s, /^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/);
        const [int, frac = ''] = s.split('.');
        const e = cur(code).exponent;
        assert.equal(Number(int) * 10 ** e + Number(frac.padEnd(e, '0') || '0'), amount);
      }),
    );
  });

  it('refuses non-integers, negatives and unknown currencies', () => {
    assert.throws(() => feedbackAmount(15.5, 'EUR'), RangeError);
    assert.throws(() => feedbackAmount(-1, 'EUR'), RangeError);
    assert.throws(() => feedbackAmount(1, 'ZZZ'), RangeError);
  });
});

describe('formatAmount', () => {
  it('formats for each supported page language', () => {
    const expected: Record<string, string> = {
      en_US: '€1,234,567.89',
      it_IT: '1.234.567,89 €',
      fr_FR: '1 234 567,89 €',
      de_DE: '1.234.567,89 €',
      nl_NL: '€ 1.234.567,89',
    };
    for (const locale of FORMAT_LOCALES) assert.equal(plain(formatAmount(123456789, 'EUR', locale)), expected[locale], locale);
    // CLDR: Italian groups only from five integer digits on.
    assert.equal(plain(formatAmount(123456, 'EUR', 'it_IT')), '1234,56 €');
  });

  it('uses the ISO exponent: no decimals for JPY, three for KWD', () => {
    assert.equal(plain(formatAmount(1500, 'JPY', 'en_US')), '¥1,500');
    assert.equal(plain(formatAmount(1500, 'JPY', 'de_DE')), '1.500 ¥');
    assert.equal(plain(formatAmount(12345, 'KWD', 'en_US')), 'KWD 12.345');
    assert.equal(plain(formatAmount(100, 'HUF', 'en_US')), 'HUF 1.00');
    assert.equal(plain(formatAmount(5, 'EUR', 'fr_FR')), '0,05 €');
  });

  it('is exact beyond float precision and falls back to en_US for a bad LANGUAGE', () => {
    assert.equal(plain(formatAmount(999999999999, 'EUR', 'en_US')), '€9,999,999,999.99');
    assert.equal(plain(formatAmount(100, 'USD', 'not a locale!')), '$1.00');
  });
});
