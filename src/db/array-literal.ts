// PostgreSQL's text form of a one-dimensional array, for statements that take a column of values per
// parameter (`unnest($1::text[], …)`, the outbox's record function). pg turns a JavaScript array into
// the same text itself, but element by element through its generic value conversion, and each Date
// field by field in local time: ~3 KB of garbage per recorded outbox attempt, the largest item of a
// delivery's allocation after undici's (issue 15, docs/benchmarks.md). The parameter's cast in the
// statement (`$1::timestamptz[]`) reads the text.

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
  // toISOString throws a RangeError for an invalid date; outside years 1–9999 it writes a sign and six
  // digits, which PostgreSQL does not read.
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) throw new RangeError(`${year} is outside the years 1–9999 this array text carries`);
  return value.toISOString();
}
