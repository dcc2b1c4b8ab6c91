// PostgreSQL's text form of a one-dimensional array, for statements that take a column of values per
// parameter (`unnest($1::text[], …)`, the outbox's record function). pg turns a JavaScript array into
// the same text itself, but element by element through its generic value conversion, and each Date
// field by field in local time: ~3 KB of garbage per recorded outbox attempt, the largest item of a
// delivery's allocation after undici's (issue 15, docs/benchmarks.md). The parameter's cast in the
// statement (`$1::timestamptz[]`) reads the text.

import { isoTime } from '../kernel/clock.ts';

/** The first instant of year 1 and of year 10000. */
const FIRST_MS = Date.parse('0001-01-01T00:00:00Z');
const AFTER_LAST_MS = Date.parse('+010000-01-01T00:00:00Z');

export type ArrayElement = string | number | boolean | Date | null;

/**
 * `{…}`: strings in double quotes with `\` before `"` and `\`, `NULL` for null, numbers as written
 * (finite only), booleans as `t`/`f`, dates of years 1–9999 in UTC ISO-8601 (an invalid date or one
 * outside those years throws, as a non-finite number does: none has a text PostgreSQL would read as
 * the value meant).
 */
export function arrayLiteral(values: readonly ArrayElement[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ',';
    text += element(values[i] ?? null);
  }
  return `${text}}`;
}

function element(value: ArrayElement): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `"${value.replace(/[\\"]/g, '\\$&')}"`;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${value} has no PostgreSQL array text`);
    return String(value);
  }
  // Outside years 1–9999 ISO-8601 takes a sign and six digits, which PostgreSQL does not read; an
  // invalid date (NaN) makes isoTime throw a RangeError, as toISOString does.
  const ms = value.getTime();
  if (ms < FIRST_MS || ms >= AFTER_LAST_MS) throw new RangeError(`${value.toISOString()} is outside the years 1–9999 this array text carries`);
  // isoTime keeps the text of the last second it wrote: an outcome's instants mostly share one (toISOString
  // took ~0.85 µs each).
  return isoTime(ms);
}
