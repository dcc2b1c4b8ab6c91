/**
 * Card data must never be stored or logged (PCI DSS 3.2–3.4): whatever a client sends, before
 * anything of it reaches a table or a log line, this module drops card-verification fields and
 * masks primary account numbers, then bounds the size. Pure functions, no I/O.
 *
 * - A **verification field** is judged by its name, in any case: CVC, CVV, CVN, CV2 (CVC2, CVV2…),
 *   anything with VERIFICATION, SECURITY_CODE, SEC_CODE or CARD_CODE, and the tokens CID, CSC, CVD.
 *   Such fields are dropped; in free text `NAME=value` keeps only `NAME=`, and a code written in
 *   prose after such a word ("CVC 123", "security code: 1234") loses its digits.
 * - A **PAN-like run** is 13 or more digits, possibly separated by up to three spaces or dashes
 *   between digits (how people type card numbers), in which some window of 13–19 consecutive
 *   digits passes Luhn. It is masked to its first six and last four digits, separators kept:
 *   `4111 1111 1111 1111` → `4111 11XX XXXX 1111`. Names are masked too (a name can be a number).
 * - **Sizes**: strings are cut (after masking, so a cut never leaves half a number unmasked) and a
 *   JSON value is shrunk until it fits a byte budget.
 */

export const PAN_MIN_DIGITS = 13;
export const PAN_MAX_DIGITS = 19;

const VERIFICATION_NAME = /CVC|CVV|CVN|CV2|VERIFICATION|SECURITY_?CODE|SEC_?CODE|CARD_?CODE|(?:^|[^A-Z])(?:CID|CSC|CVD)(?:[^A-Z]|$)/i;
/** Digits joined by at most three separators (spaces, dashes of any kind). Linear: each repetition consumes a digit. */
const DIGIT_RUN = /[0-9](?:[\s\u2010-\u2015\u2212-]{0,3}[0-9])*/gu;
/** A verification code written in prose: "CVC 123", "cvv2: 1234", "security code #123". */
const PROSE_CODE =
  /\b(CVC2?|CVV2?|CVN|CV2|CID|CSC|CVD|security[\s_-]?code|card[\s_-]?code|verification(?:[\s_-]?(?:code|value|number))?)([\s:=#.-]{1,3})[0-9]{3,4}\b/gi;
/** `NAME=value` in free text; the value ends at a delimiter. Starts only where a name starts, so it stays linear. */
const NAMED_VALUE = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,100})=[^&\s*;,"']*/g;

export function isVerificationName(name: string): boolean {
  return VERIFICATION_NAME.test(name);
}

export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 0x30;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

/**
 * True when a window of 13–19 consecutive digits passes Luhn. Prefix sums per parity make each
 * window O(1): in a window ending at `e`, the digits doubled are those at an odd distance from `e`.
 */
export function hasLuhnWindow(digits: string): boolean {
  const n = digits.length;
  if (n < PAN_MIN_DIGITS) return false;
  // sums[c][i]: sum over p < i of the digit, doubled when p % 2 === c.
  const sums = [new Int32Array(n + 1), new Int32Array(n + 1)] as const;
  for (let p = 0; p < n; p++) {
    const d = digits.charCodeAt(p) - 0x30;
    const dd = DOUBLED[d] ?? 0;
    sums[0][p + 1] = (sums[0][p] ?? 0) + (p % 2 === 0 ? dd : d);
    sums[1][p + 1] = (sums[1][p] ?? 0) + (p % 2 === 1 ? dd : d);
  }
  for (let e = PAN_MIN_DIGITS - 1; e < n; e++) {
    const table = sums[(e + 1) % 2 === 0 ? 0 : 1];
    for (let len = PAN_MIN_DIGITS; len <= PAN_MAX_DIGITS && len <= e + 1; len++) {
      if (((table[e + 1] ?? 0) - (table[e + 1 - len] ?? 0)) % 10 === 0) return true;
    }
  }
  return false;
}

/** Every digit but the first six and the last four becomes `X`; separators stay. */
function maskRun(run: string, digitCount: number): string {
  let seen = 0;
  let out = '';
  for (const ch of run) {
    if (ch >= '0' && ch <= '9') {
      out += seen < 6 || seen >= digitCount - 4 ? ch : 'X';
      seen++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** The text with every PAN-like run masked to first six / last four. */
export function maskPans(text: string): string {
  // Fast path: most values cannot hold 13 digits at all.
  let count = 0;
  for (let i = 0; i < text.length && count < PAN_MIN_DIGITS; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) count++;
  }
  if (count < PAN_MIN_DIGITS) return text;
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[^0-9]/g, '');
    return hasLuhnWindow(digits) ? maskRun(run, digits.length) : run;
  });
}

/** Free text made safe to keep: verification values removed, PANs masked. */
export function scrubText(text: string): string {
  const named = text.includes('=') ? text.replace(NAMED_VALUE, (match, name: string) => (isVerificationName(name) ? `${name}=` : match)) : text;
  // A prose code ends in three or four digits in a row: without such a run the pattern cannot match,
  // and the scan is skipped (issue 15: every stored string of every order went through it).
  return maskPans(hasDigitRun(named, 3) ? named.replace(PROSE_CODE, '$1$2') : named);
}

/** True when `text` has `length` ASCII digits in a row. */
function hasDigitRun(text: string, length: number): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    run = c >= 0x30 && c <= 0x39 ? run + 1 : 0;
    if (run >= length) return true;
  }
  return false;
}

/** Cut to `max` UTF-16 units with `…`, never splitting a surrogate pair (PostgreSQL refuses half of one). */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Scrubbed, then cut: a margin beyond `max` is scrubbed first, so a cut never leaves part of a number unmasked. */
export function safeText(text: string, max: number): string {
  const margin = 4 * PAN_MAX_DIGITS;
  const head = text.length > max + margin ? text.slice(0, max + margin) : text;
  return clipText(scrubText(head), max);
}

export type Pairs = ReadonlyArray<readonly [name: string, value: string]>;

/** A password sent as a parameter (DirectLink's PSWD, signed by SHA-IN): kept masked, as the passphrase is. */
const PASSWORD_NAME = /^(?:PSWD|PASSWORD)$/i;

/** Request parameters safe to keep: verification fields dropped, passwords masked, names and values scrubbed and cut. */
export function safePairs(pairs: Pairs, limits: { maxName: number; maxValue: number } = { maxName: 100, maxValue: 4000 }): Array<[string, string]> {
  return pairs
    .filter(([name]) => !isVerificationName(name))
    .map(([name, value]) => [safeText(name, limits.maxName), PASSWORD_NAME.test(name) ? '********' : safeText(value, limits.maxValue)]);
}

export interface JsonBounds {
  /** Longest string kept (characters). */
  readonly maxString: number;
  /** Most items kept per array or object. */
  readonly maxItems: number;
  readonly maxDepth: number;
  /** The serialised result never exceeds this many UTF-8 bytes. */
  readonly maxBytes: number;
}

function isPair(value: unknown[]): value is [string, string] {
  return value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}

function safeValue(value: unknown, b: JsonBounds, depth: number): unknown {
  if (typeof value === 'string') return safeText(value, b.maxString);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object' || depth >= b.maxDepth) return null;
  if (Array.isArray(value)) {
    // A [name, value] pair of a verification field is dropped whole, like the field itself.
    if (isPair(value) && isVerificationName(value[0])) return null;
    const kept = value.filter((item: unknown) => !(Array.isArray(item) && isPair(item) && isVerificationName(item[0])));
    return kept.slice(0, b.maxItems).map((item: unknown) => safeValue(item, b, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, b.maxItems)) {
    if (!isVerificationName(key)) out[safeText(key, 100)] = safeValue(item, b, depth + 1);
  }
  return out;
}

/**
 * A JSON-safe copy of `value` with card data removed, within `bounds.maxBytes` once serialised:
 * strings and lists are halved until it fits; `{ truncated: true }` if nothing fits.
 */
export function safeJson(value: unknown, bounds: JsonBounds): unknown {
  let b = bounds;
  for (let round = 0; round < 8; round++) {
    const out = safeValue(value, b, 0);
    if (Buffer.byteLength(JSON.stringify(out) ?? 'null', 'utf8') <= bounds.maxBytes) return out;
    b = { ...b, maxString: Math.max(16, Math.floor(b.maxString / 2)), maxItems: Math.max(1, Math.floor(b.maxItems / 2)) };
  }
  return { truncated: true };
}

/**
 * A deep copy of a stored record with every string scrubbed, except the keys in `keep` (at the
 * top level), which the record needs exactly as sent (an order's ORDERID is its key and is signed
 * back in feedback). No size cut: the record's own validation bounds its fields.
 */
export function scrubRecord<T>(record: T, keep: ReadonlySet<string> = new Set()): T {
  const walk = (value: unknown, top: boolean): unknown => {
    if (typeof value === 'string') return scrubText(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      if (isPair(value) && isVerificationName(value[0])) return null;
      return value.filter((item: unknown) => !(Array.isArray(item) && isPair(item) && isVerificationName(item[0]))).map((item: unknown) => walk(item, false));
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (top && keep.has(key)) out[key] = item;
      else if (!isVerificationName(key)) out[key] = walk(item, false);
    }
    return out;
  };
  return walk(record, true) as T;
}
