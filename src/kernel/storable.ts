// Text as PostgreSQL stores it. A `text` column refuses NUL, and jsonb refuses half of a surrogate pair
// (a value cut to its first N UTF-16 units inside a character, which JSON.stringify writes as an escape
// jsonb cannot read): either failed the whole statement, a 500 for a sign-in or an e-mail never queued.
// Both become U+FFFD, as a browser shows them.

/** `text` with lone surrogates and NUL as U+FFFD: storable in a `text` column. */
export function storableText(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

const wellFormed = (_name: string, value: unknown): unknown => (typeof value === 'string' ? value.toWellFormed() : value);

/** JSON.stringify with every string made well-formed: storable in a jsonb column. */
export function jsonbText(value: unknown): string {
  return JSON.stringify(value, wellFormed);
}
