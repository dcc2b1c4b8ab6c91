import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURRENCY_CODES, currency, feedbackAmount } from '../protocols/ogone/index.ts';
import { currencyDigits, formatMoney, minorToDecimal } from './format.ts';

// The portal's money (pages, confirmation pages, CSV) is the same money as the JSON API's
// amountDecimal: both read the minor units by the ISO 4217 exponent of the currency table. Intl's own
// digits (0 for HUF, IDR, COP, IQD… in CLDR) had shown 12.50 HUF as 1,250 and 12.500 IQD as 12,500.

/** The number inside a formatted amount, as a plain decimal: grouping removed, `.` as separator. */
function numberIn(locale: 'it' | 'en', text: string): string {
  const found = (locale === 'en' ? /\d[\d,]*(?:\.\d+)?/ : /\d[\d.]*(?:,\d+)?/).exec(text.replace(/\s/g, ' '))?.[0] ?? '';
  return locale === 'en' ? found.replace(/,/g, '') : found.replace(/\./g, '').replace(',', '.');
}

/** The same decimal with no trailing zeros, as the API writes it. */
const asApi = (decimal: string): string => (decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal);

test('for every supported currency the portal shows, in both languages, the amount the API gives', () => {
  assert.ok(CURRENCY_CODES.length > 150);
  for (const code of CURRENCY_CODES) {
    assert.equal(currencyDigits(code), currency(code)?.exponent, code);
    for (const minor of [1, 1250, 123_456_789]) {
      const api = feedbackAmount(minor, code);
      assert.equal(asApi(minorToDecimal(minor, code)), api, `${minor} ${code} in the CSV`);
      for (const locale of ['it', 'en'] as const) {
        const shown = numberIn(locale, formatMoney(locale, minor, code));
        assert.equal(asApi(shown), api, `${minor} ${code} on a ${locale} page: ${formatMoney(locale, minor, code)}`);
        assert.equal(shown.split('.')[1]?.length ?? 0, currency(code)?.exponent, `${code} shows its ISO digits in ${locale}`);
      }
    }
  }
});

test('the currencies where Intl and ISO disagree are shown by ISO: 12.50 HUF, 12.500 IQD, 1,250 JPY', () => {
  assert.equal(minorToDecimal(1250, 'HUF'), '12.50');
  assert.equal(minorToDecimal(12500, 'IQD'), '12.500');
  assert.equal(minorToDecimal(1250, 'JPY'), '1250');
  assert.match(formatMoney('en', 1250, 'HUF'), /^HUF\s12\.50$/);
  assert.match(formatMoney('it', 1250, 'HUF'), /^12,50\sHUF$/);
  assert.match(formatMoney('en', 12500, 'IQD'), /^IQD\s12\.500$/);
  assert.match(formatMoney('en', 1250, 'JPY'), /^JP¥1,250$|^¥1,250$/);
});
