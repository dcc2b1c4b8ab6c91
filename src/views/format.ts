import { currency } from '../protocols/ogone/index.ts';
import type { Locale } from './i18n.ts';

// Dates and money as each language writes them, through Intl, for every page and e-mail: one place,
// so the portal, the back office and the e-mails never disagree (`12,50 €` in Italian, `€12.50` in
// English). British English for the English pages: day before month and a 24-hour clock, as Italian
// readers of English pages expect. Times stay in UTC, named on every timestamp, as stored and logged
// (the logs, the audit and the pagoPA messages a reader compares them with are in UTC too).

const TAG: Readonly<Record<Locale, string>> = { it: 'it-IT', en: 'en-GB' };

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let found = cache.get(key);
  if (found === undefined) cache.set(key, (found = make()));
  return found as T;
}

type Precision = 'minutes' | 'seconds' | 'milliseconds';
const dateTimeFormat = (locale: Locale, precision: Precision): Intl.DateTimeFormat =>
  cached(
    `dt:${locale}:${precision}`,
    () =>
      new Intl.DateTimeFormat(TAG[locale], {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        ...(precision === 'minutes' ? {} : { second: '2-digit' }),
        ...(precision === 'milliseconds' ? { fractionalSecondDigits: 3 } : {}),
        hourCycle: 'h23',
        timeZone: 'UTC',
        timeZoneName: 'short',
      }),
  );

/**
 * `25 nov 2026, 14:03 UTC` / `25 Nov 2026, 14:03 UTC` (seconds and milliseconds where people compare
 * them with logs); '' for no date, an unparsable string as it came.
 */
export function formatDateTime(locale: Locale, value: Date | string | null | undefined, options: { seconds?: boolean; milliseconds?: boolean } = {}): string {
  if (value === null || value === undefined || value === '') return '';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return typeof value === 'string' ? value : '';
  return dateTimeFormat(locale, options.milliseconds === true ? 'milliseconds' : options.seconds === true ? 'seconds' : 'minutes').format(date);
}

/** A calendar day (no time): `25 nov 2026` / `25 Nov 2026`, of the UTC day. */
export function formatDate(locale: Locale, value: Date | null | undefined): string {
  if (!value || Number.isNaN(value.getTime())) return '';
  return cached(`d:${locale}`, () => new Intl.DateTimeFormat(TAG[locale], { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })).format(value);
}

/**
 * Decimal digits of a currency: its ISO 4217 exponent from the currency table orders are stored and
 * the API reads them by (src/protocols/ogone/currencies.ts), never Intl's (CLDR gives 0 for HUF, IDR,
 * COP, IQD… where ISO gives 2 or 3, which showed amounts 100 or 1000 times too large); undefined for
 * a code the table does not know.
 */
export function currencyDigits(code: string): number | undefined {
  return currency(code)?.exponent;
}

/** An amount in minor units as the plain decimal of its currency (`1250` EUR → `12.50`, `1500` JPY → `1500`, `1250` HUF → `12.50`), exact, for files and money formatting. */
export function minorToDecimal(minor: number | bigint, currency: string, exponent?: number): string {
  const digits = exponent ?? currencyDigits(currency) ?? 2;
  const negative = minor < 0;
  const whole = (negative ? -BigInt(minor) : BigInt(minor)).toString().padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${digits === 0 ? whole : `${whole.slice(0, -digits)}.${whole.slice(-digits)}`}`;
}

/**
 * An amount in minor units as money: `12,50 €` / `€12.50`. Exact for any size: the decimal string
 * goes to Intl, never a float. `exponent` defaults to the currency's ISO 4217 one (Intl only lays out
 * grouping and symbol, its digits forced to that exponent); an unknown currency code is shown after the
 * plain decimal amount.
 */
export function formatMoney(locale: Locale, minor: number | bigint, currency: string, exponent?: number): string {
  const digits = exponent ?? currencyDigits(currency) ?? 2;
  const decimal = minorToDecimal(minor, currency, digits);
  try {
    const format = cached(
      `m:${locale}:${currency}:${digits}`,
      () => new Intl.NumberFormat(TAG[locale], { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }),
    );
    return format.format(decimal as Intl.StringNumericLiteral);
  } catch {
    return `${decimal} ${currency}`;
  }
}

/** A whole number with the language's grouping (`1.234` / `1,234`). */
export function formatNumber(locale: Locale, value: number): string {
  return cached(`n:${locale}`, () => new Intl.NumberFormat(TAG[locale])).format(value);
}

/** A duration in the language's words, to the largest whole unit: `3 days` / `3 giorni`, `5 hours`, `1 minute` (at least one). */
export function formatAge(locale: Locale, ms: number): string {
  const abs = Math.abs(ms);
  const [value, unit] =
    abs >= 86_400_000
      ? [Math.floor(abs / 86_400_000), 'day']
      : abs >= 3_600_000
        ? [Math.floor(abs / 3_600_000), 'hour']
        : [Math.max(1, Math.floor(abs / 60_000)), 'minute'];
  return cached(`u:${locale}:${unit}`, () => new Intl.NumberFormat(TAG[locale], { style: 'unit', unit, unitDisplay: 'long' })).format(value);
}
