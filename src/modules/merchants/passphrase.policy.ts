/**
 * SHA-IN / SHA-OUT passphrase rules (docs/reference/ogone/hosted-page.md, "Passphrases"): at least
 * 16 characters, at least 4 different ones, a letter, and a digit or symbol; none of
 * ^ { } [ ] " ' | < >. These are the platform's published rules (the Barclaycard ePDQ white label).
 */
import { randomInt } from 'node:crypto';

export const PASSPHRASE_MIN_LENGTH = 16;
/** Not a platform rule: a bound so a pasted file cannot become a megabyte secret. */
export const PASSPHRASE_MAX_LENGTH = 128;
export const PASSPHRASE_FORBIDDEN = Object.freeze(['^', '{', '}', '[', ']', '"', "'", '|', '<', '>']);

export type PassphraseProblem =
  'too_short' | 'too_long' | 'too_few_distinct' | 'needs_letter' | 'needs_digit_or_symbol' | 'forbidden_character' | 'invalid_character';

const FORBIDDEN = new Set(PASSPHRASE_FORBIDDEN);
const LETTER = /[A-Za-z]/;
const DIGIT_OR_SYMBOL = /[^A-Za-z]/;

/**
 * The first rule the passphrase breaks, or undefined when it is acceptable.
 *
 * Only printable ASCII without spaces is allowed (`invalid_character`), our rule: the passphrase
 * is hashed as UTF-8 or ISO-8859-1 depending on the settings, so a non-ASCII character would be a
 * different secret on each page; and spaces or control characters vanish when copied or trimmed.
 */
export function checkPassphrase(passphrase: string): PassphraseProblem | undefined {
  if (passphrase.length < PASSPHRASE_MIN_LENGTH) return 'too_short';
  if (passphrase.length > PASSPHRASE_MAX_LENGTH) return 'too_long';
  for (const ch of passphrase) {
    if (FORBIDDEN.has(ch)) return 'forbidden_character';
    const code = ch.codePointAt(0) ?? 0;
    if (code <= 0x20 || code >= 0x7f) return 'invalid_character';
  }
  if (new Set(passphrase).size < 4) return 'too_few_distinct';
  if (!LETTER.test(passphrase)) return 'needs_letter';
  if (!DIGIT_OR_SYMBOL.test(passphrase)) return 'needs_digit_or_symbol';
  return undefined;
}

// Letters and digits minus look-alikes (0/O, 1/l/I) plus symbols no shell, URL or CSV quoting mangles.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!?*+=@#%';

/**
 * A random compliant passphrase. The default of 32 characters (about 195 bits) is also the
 * longest some shop plugins store (Odoo's field holds 32).
 */
export function generatePassphrase(length = 32): string {
  if (!Number.isInteger(length) || length < PASSPHRASE_MIN_LENGTH || length > PASSPHRASE_MAX_LENGTH) {
    throw new RangeError(`passphrase length must be ${PASSPHRASE_MIN_LENGTH}..${PASSPHRASE_MAX_LENGTH}`);
  }
  for (;;) {
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
    // Rejection keeps the distribution uniform over compliant strings; a retry is rare (< 1e-6).
    if (checkPassphrase(out) === undefined) return out;
  }
}
