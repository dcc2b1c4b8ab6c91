/**
 * ISO 4217 currencies with their minor-unit exponents, amount conversions and formatting.
 * Facts and sources: docs/reference/ogone/hosted-page.md, "Amounts and currencies".
 *
 * Three representations of one amount:
 * - minor units (ISO exponent): what Varco stores and passes around (integers, `amount` below);
 * - the request's AMOUNT: always "amount × 100", whatever the currency's exponent;
 * - the feedback's `amount`: major units with a `.` and no trailing zeros (`15`, `15.5`, `15.01`).
 */

// Current ISO 4217 codes with exponent 2, then the exceptions. Kept as text: one line per row of
// the standard is easier to compare with the published list than 180 object literals.
const EXPONENT_2 = `
  AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
  CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
  GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL
  MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK
  PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
  TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
`;
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_4 = 'CLF UYW';
/**
 * Withdrawn codes that the platform's currency list still carried (euro changeovers, redenominations).
 * Known so a request naming one is "not accepted by the merchant" rather than "not a valid currency",
 * as on the platform; a merchant could still enable one, at his own risk.
 */
const HISTORIC_2 = 'CUC EEK HRK LTL LVL SKK SLL ZWL';
const HISTORIC_0 = 'BYR';

export interface Currency {
  readonly code: string;
  /** ISO 4217 minor unit: digits after the decimal separator. */
  readonly exponent: number;
  readonly historic: boolean;
}

function rows(text: string, exponent: number, historic = false): Array<[string, Currency]> {
  return text
    .trim()
    .split(/\s+/)
    .map((code) => [code, Object.freeze({ code, exponent, historic })]);
}

const TABLE: ReadonlyMap<string, Currency> = new Map([
  ...rows(EXPONENT_2, 2),
  ...rows(EXPONENT_0, 0),
  ...rows(EXPONENT_3, 3),
  ...rows(EXPONENT_4, 4),
  ...rows(HISTORIC_2, 2, true),
  ...rows(HISTORIC_0, 0, true),
]);

/** Every known code, sorted. */
export const CURRENCY_CODES: readonly string[] = Object.freeze([...TABLE.keys()].sort());

/** Exact, upper-case code: the request field is matched as sent (`eur` is not a currency). */
export function currency(code: string): Currency | undefined {
  return TABLE.get(code);
}

/** Largest request AMOUNT accepted (a bound, not a platform rule): 9,999,999,999.99 major units. */
export const MAX_WIRE_AMOUNT = 999_999_999_999;

export type WireAmountResult =
  { readonly ok: true; readonly amount: number } | { readonly ok: false; readonly reason: 'not_numeric' | 'too_large' | 'zero' | 'decimals' };

/**
 * The request's AMOUNT (amount × 100, digits only) as minor units of `cur`.
 * For a 0-exponent currency the last two digits must be 00 (`decimals`: the platform's
 * "Invalid number of decimals for the currency"); for exponent 3 or 4 the value is scaled up.
 */
export function wireAmountToMinor(wire: string, cur: Currency): WireAmountResult {
  if (!/^[0-9]+$/.test(wire)) return { ok: false, reason: 'not_numeric' };
  // Digits only, so leading zeros are the one way a long string can still be a small number.
  const digits = wire.replace(/^0+(?=.)/, '');
  if (digits.length > 15) return { ok: false, reason: 'too_large' };
  const value = Number(digits);
  if (value > MAX_WIRE_AMOUNT) return { ok: false, reason: 'too_large' };
  if (value === 0) return { ok: false, reason: 'zero' };
  if (cur.exponent >= 2) return { ok: true, amount: value * 10 ** (cur.exponent - 2) };
  const divisor = 10 ** (2 - cur.exponent);
  if (value % divisor !== 0) return { ok: false, reason: 'decimals' };
  return { ok: true, amount: value / divisor };
}

function requireMinor(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`amount must be a non-negative integer of minor units, got ${amount}`);
}

/**
 * The request AMOUNT for `amount` minor units (what a shop sends). Throws RangeError when the
 * amount has more precision than AMOUNT can carry (a 3-exponent amount not ending in 0).
 */
export function minorToWireAmount(amount: number, cur: Currency): string {
  requireMinor(amount);
  if (cur.exponent <= 2) return String(amount * 10 ** (2 - cur.exponent));
  const divisor = 10 ** (cur.exponent - 2);
  if (amount % divisor !== 0) throw new RangeError(`${amount} ${cur.code} minor units cannot be sent as AMOUNT`);
  return String(amount / divisor);
}

/** Exact decimal string of `amount` minor units in major units, e.g. 1501 EUR → "15.01". */
function decimalString(amount: number, exponent: number): { readonly int: string; readonly frac: string } {
  const digits = String(amount).padStart(exponent + 1, '0');
  return { int: digits.slice(0, digits.length - exponent), frac: digits.slice(digits.length - exponent) };
}

/** Feedback `amount`: major units, `.` separator, no trailing zeros: 1500 → "15", 1550 → "15.5". */
export function feedbackAmount(amount: number, code: string): string {
  requireMinor(amount);
  const cur = requireCurrency(code);
  const { int, frac } = decimalString(amount, cur.exponent);
  const trimmed = frac.replace(/0+$/, '');
  return trimmed === '' ? int : `${int}.${trimmed}`;
}

function requireCurrency(code: string): Currency {
  const cur = currency(code);
  if (cur === undefined) throw new RangeError(`unknown currency ${code}`);
  return cur;
}

/** Page languages Varco has formats for; other LANGUAGE values are formatted as en_US. */
export const FORMAT_LOCALES = Object.freeze(['en_US', 'it_IT', 'fr_FR', 'de_DE', 'nl_NL'] as const);

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: string, cur: Currency): Intl.NumberFormat {
  const tag = locale.replace('_', '-');
  const key = `${tag}|${cur.code}`;
  let f = formatters.get(key);
  if (f === undefined) {
    let resolved = 'en-US';
    try {
      resolved = Intl.getCanonicalLocales(tag)[0] ?? 'en-US';
    } catch {
      // Not a BCP 47 tag (LANGUAGE is merchant input): fall back to the default language.
    }
    f = new Intl.NumberFormat(resolved, {
      style: 'currency',
      currency: cur.code,
      // ISO exponent, not CLDR's (which has 0 digits for HUF cash, 2 for ISK in some data).
      minimumFractionDigits: cur.exponent,
      maximumFractionDigits: cur.exponent,
    });
    formatters.set(key, f);
  }
  return f;
}

/**
 * Amount for the customer, e.g. 123456 EUR → "€1,234.56" (en_US), "1.234,56 €" (de_DE).
 * `locale` is Ingenico's LANGUAGE form (`fr_FR`) or a BCP 47 tag.
 */
export function formatAmount(amount: number, code: string, locale: string): string {
  requireMinor(amount);
  const cur = requireCurrency(code);
  const { int, frac } = decimalString(amount, cur.exponent);
  // A decimal string, not a float: Intl formats it exactly, however many digits.
  const exact = frac === '' ? int : `${int}.${frac}`;
  return formatter(locale, cur).format(exact as Intl.StringNumericLiteral);
}
