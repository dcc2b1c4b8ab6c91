// JSON text for a jsonb column. JSON.stringify writes half of a surrogate pair (a text cut inside a
// character, e.g. a typed value kept to its first N UTF-16 units) as an escape PostgreSQL's jsonb
// refuses (22P02), which failed the whole statement: a 500 for a sign-in, an e-mail never queued.
// Every text goes in well-formed (the half character becomes U+FFFD), as it would in a text column.

const wellFormed = (_name: string, value: unknown): unknown => (typeof value === 'string' ? value.toWellFormed() : value);

/** JSON.stringify with every string made well-formed. */
export function jsonbText(value: unknown): string {
  return JSON.stringify(value, wellFormed);
}
