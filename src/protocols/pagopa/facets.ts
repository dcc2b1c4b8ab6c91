// Simple-type checks, shared by the decoder (wire text → value) and the encoder (value → wire
// text, checked again so every emitted value satisfies the XSD facets). Messages never quote the
// value itself: passwords travel in these messages and problems end up in logs and fault beans.
import type { SimpleType, StringType } from './schema.ts';
import { amountToWire, parseAmount } from './values.ts';
import { FORBIDDEN_CHAR } from './xml.ts';

export type SimpleValue = string | number | boolean;
export type FacetResult = { ok: true; value: SimpleValue } | { ok: false; message: string };

const patternCache = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    // XSD patterns are implicitly anchored; `u` makes `.` and lengths work on code points.
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

/** XSD whiteSpace="collapse" (every type here except xsd:string and its restrictions). */
const collapse = (text: string): string => text.replace(/[\t\n\r ]+/g, ' ').trim();

function checkString(text: string, t: StringType): FacetResult {
  if (FORBIDDEN_CHAR.test(text)) return { ok: false, message: 'contains characters XML does not allow' };
  const length = [...text].length;
  if (t.length !== undefined && length !== t.length) return { ok: false, message: `must be exactly ${t.length} characters long` };
  if (t.minLength !== undefined && length < t.minLength)
    return { ok: false, message: t.minLength === 1 ? 'must not be empty' : `must be at least ${t.minLength} characters long` };
  if (t.maxLength !== undefined && length > t.maxLength) return { ok: false, message: `must be at most ${t.maxLength} characters long` };
  if (t.pattern !== undefined && !compiled(t.pattern).test(text)) return { ok: false, message: `does not match the pattern ${t.pattern}` };
  if (t.enumeration !== undefined && !t.enumeration.includes(text)) return { ok: false, message: `must be one of ${t.enumeration.join(', ')}` };
  return { ok: true, value: text };
}

const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };

function checkInteger(text: string, t: Extract<SimpleType, { kind: 'int' }>): FacetResult {
  if (!/^[+-]?\d+$/.test(text)) return { ok: false, message: 'must be an integer' };
  const value = Number(text);
  if (t.base === 'int' && (value < INT32.min || value > INT32.max)) return { ok: false, message: 'is out of the range of xsd:int' };
  if (t.min !== undefined && value < t.min) return { ok: false, message: `must be at least ${t.min}` };
  if (t.max !== undefined && value > t.max) return { ok: false, message: `must be at most ${t.max}` };
  if (t.enumeration !== undefined && !t.enumeration.includes(value)) return { ok: false, message: `must be one of ${t.enumeration.join(', ')}` };
  return { ok: true, value: value === 0 ? 0 : value }; // no -0
}

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

function validTimezone(tz: string | undefined): boolean {
  if (tz === undefined || tz === 'Z') return true;
  const [h, m] = tz.slice(1).split(':').map(Number) as [number, number];
  return (h < 14 && m < 60) || (h === 14 && m === 0);
}

const DATE = /^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;
const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function checkDate(text: string, withTime: boolean): FacetResult {
  const m = (withTime ? DATE_TIME : DATE).exec(text);
  const what = withTime ? 'a date-time (YYYY-MM-DDThh:mm:ss)' : 'a date (YYYY-MM-DD)';
  if (!m) return { ok: false, message: `must be ${what}` };
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let ok = year !== 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
  if (withTime) {
    const [h, min, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
    const endOfDay = h === 24 && min === 0 && s === 0 && !/[1-9]/.test(m[7] ?? '');
    ok &&= (h < 24 || endOfDay) && min < 60 && s < 60 && validTimezone(m[8]);
  } else {
    ok &&= validTimezone(m[4]);
  }
  return ok ? { ok: true, value: text } : { ok: false, message: `must be ${what} that exists` };
}

// Canonical base64 (XSD): the last character before padding carries no stray bits.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;

/** Wire text → value for a simple type (the text as it appears between the tags). */
export function readSimple(raw: string, t: SimpleType): FacetResult {
  if (t.kind === 'string') return checkString(raw, t);
  const text = collapse(raw);
  switch (t.kind) {
    case 'amount': {
      const cents = parseAmount(text);
      if (cents === undefined) return { ok: false, message: 'must be an amount with two decimals (e.g. 10.00), at most 999999999.99' };
      if (cents < t.minCents) return { ok: false, message: 'must be greater than zero' };
      return { ok: true, value: cents };
    }
    case 'int':
      return checkInteger(text, t);
    case 'boolean':
      if (text === 'true' || text === '1') return { ok: true, value: true };
      if (text === 'false' || text === '0') return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    case 'date':
      return checkDate(text, false);
    case 'dateTime':
      return checkDate(text, true);
    case 'base64': {
      if (t.pattern !== undefined && !compiled(t.pattern).test(text)) return { ok: false, message: `does not match the pattern ${t.pattern}` };
      return BASE64.test(text.replace(/ /g, '')) ? { ok: true, value: text } : { ok: false, message: 'must be base64' };
    }
  }
}

/** Value → wire text; the text is then read back, so only XSD-valid text is ever written. */
export function writeSimple(value: unknown, t: SimpleType): FacetResult {
  let text: string;
  if (t.kind === 'amount') {
    if (typeof value !== 'number') return { ok: false, message: 'must be a number of cents' };
    try {
      text = amountToWire(value);
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  } else if (t.kind === 'int') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return { ok: false, message: 'must be an integer' };
    text = String(value);
  } else if (t.kind === 'boolean') {
    if (typeof value !== 'boolean') return { ok: false, message: 'must be a boolean' };
    text = String(value);
  } else {
    if (typeof value !== 'string') return { ok: false, message: 'must be a string' };
    text = value;
  }
  const read = readSimple(text, t);
  if (!read.ok) return read;
  // A collapsing type must be written already collapsed, or the round trip would not be exact.
  if ((t.kind === 'date' || t.kind === 'dateTime' || t.kind === 'base64') && read.value !== value) {
    return { ok: false, message: 'must not have surrounding or repeated whitespace' };
  }
  return { ok: true, value: text };
}
