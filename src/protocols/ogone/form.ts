/**
 * Decoding of the hosted page's request: an `application/x-www-form-urlencoded` body (POST) or
 * query string (GET), from raw bytes.
 *
 * `orderstandard.asp` reads the bytes as ISO-8859-1, `orderstandard_utf8.asp` as UTF-8
 * (docs/reference/ogone/hosted-page.md, "Request"). Percent escapes are decoded to bytes first and
 * the charset applied after, so `%E9` is é on the ISO page and an encoding error on the UTF-8 page,
 * while `%C3%A9` is é on the UTF-8 page and "Ã©" on the ISO page. That is how the platform behaves,
 * and it keeps SHA-IN working for a merchant who hashed the same bytes he sent.
 *
 * Values are kept exactly as decoded (no trimming, no Unicode normalisation): SHA-IN hashes them.
 */
import { normalizeParamName } from './params.ts';
import type { ShaEncoding, ShaParams } from './sha.ts';

/** How the page called decodes bytes: `latin1` = ISO-8859-1 (orderstandard.asp), `utf8` (…_utf8.asp). */
export type PageCharset = 'latin1' | 'utf8';

export interface FormLimits {
  /** Whole body or query string, in bytes. */
  readonly maxBytes: number;
  readonly maxParameters: number;
  readonly maxNameLength: number;
  /** Per value, in UTF-16 code units after decoding. Field-specific limits come later. */
  readonly maxValueLength: number;
}

/**
 * Generous on purpose: line items come in families (ITEMNAME1…n, a dozen fields per line), and a
 * request the platform accepts must not be refused here. The field rules (checkout's
 * order-request.ts) are the strict ones; these only bound memory and time.
 */
export const DEFAULT_FORM_LIMITS: FormLimits = Object.freeze({
  maxBytes: 256 * 1024,
  maxParameters: 2000,
  maxNameLength: 100,
  maxValueLength: 4000,
});

export interface DecodedForm {
  /** Every named parameter in the order received: names as sent, values exactly as decoded. */
  readonly pairs: ShaParams;
  /** The same values by normalised (ASCII upper-case) name. */
  readonly values: ReadonlyMap<string, string>;
}

/** `name` is for the error log: decoded leniently and cut to 100 characters. */
export type FormProblem =
  | { readonly code: 'too_large'; readonly limit: number }
  | { readonly code: 'too_many_parameters'; readonly limit: number }
  | { readonly code: 'name_too_long'; readonly name: string; readonly limit: number }
  | { readonly code: 'value_too_long'; readonly name: string; readonly limit: number }
  | { readonly code: 'invalid_encoding'; readonly name: string }
  | { readonly code: 'nul_character'; readonly name: string }
  | { readonly code: 'duplicate'; readonly name: string };

export type FormResult = { readonly ok: true; readonly form: DecodedForm } | { readonly ok: false; readonly problem: FormProblem };

const PLUS = 0x2b;
const PERCENT = 0x25;
const EQUALS = 0x3d;

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** `+` is a space; `%XX` a byte; a `%` not followed by two hex digits stays as it is (WHATWG). */
function percentDecode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b === PLUS) {
      out[n++] = 0x20;
    } else if (b === PERCENT) {
      const hi = hexValue(bytes[i + 1]);
      const lo = hexValue(bytes[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
      } else {
        out[n++] = b;
      }
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}

// ignoreBOM keeps a leading U+FEFF in the value instead of silently dropping it: exact values.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LENIENT_UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function decodeText(bytes: Uint8Array, charset: PageCharset): string | null {
  if (charset === 'latin1') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * A body as bytes and as text read one byte per character (ISO-8859-1). Segments, names and values
 * are found and cut on the text; a part's bytes are decoded only when it needs it (issue 15: cutting
 * typed arrays, a view and an allocation per part, made a ten-field form cost ~20 µs to decode).
 */
interface Source {
  readonly bytes: Uint8Array;
  readonly text: string;
}

function source(body: Uint8Array): Source {
  // A plain Uint8Array view even of a Buffer: a Buffer's subarray is a Buffer, made more slowly.
  const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return { bytes, text: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1') };
}

/**
 * The part [from, to) of the body decoded in `charset` (null: not valid UTF-8). Without `%` or `+`
 * it is its own text on the ISO page, and on the UTF-8 page when it is all ASCII; otherwise its bytes
 * are percent-decoded and read in the charset.
 */
function partText(src: Source, from: number, to: number, charset: PageCharset): string | null {
  const { text } = src;
  let plain = true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === PERCENT || c === PLUS || (c >= 0x80 && charset === 'utf8')) {
      plain = false;
      break;
    }
  }
  return plain ? text.slice(from, to) : decodeText(percentDecode(src.bytes.subarray(from, to)), charset);
}

function displayName(bytes: Uint8Array, charset: PageCharset): string {
  const text = charset === 'latin1' ? (decodeText(bytes, charset) ?? '') : LENIENT_UTF8.decode(bytes);
  return text.replaceAll('\u0000', '\uFFFD').slice(0, 100);
}

/** The first `=` in [from, to), or `to`: bounded by the segment, so a body of segments without `=` stays linear. */
function equalsIn(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === EQUALS) return i;
  return to;
}

/** The non-empty `&`-separated segments of the body, as [start, end) offsets. */
function segmentsOf(text: string): number[] {
  const bounds: number[] = [];
  let start = 0;
  for (;;) {
    const amp = text.indexOf('&', start);
    const end = amp < 0 ? text.length : amp;
    if (end > start) bounds.push(start, end);
    if (amp < 0) return bounds;
    start = amp + 1;
  }
}

type Pair = readonly [name: string, value: string];

type Decoded = { readonly pair: Pair } | { readonly problem: FormProblem } | null;

function problem(p: FormProblem): Decoded {
  return { problem: p };
}

function decodeSegment(src: Source, start: number, end: number, charset: PageCharset, limits: FormLimits): Decoded {
  const eq = equalsIn(src.text, start, end);
  // An unnamed value (`=x`) can be neither signed nor read: it is dropped, as browsers do nothing else with it.
  // (A name decodes to no bytes only when it has none: every byte or escape gives at least one.)
  if (eq === start) return null;
  const name = partText(src, start, eq, charset);
  const shown = (): string => displayName(percentDecode(src.bytes.subarray(start, eq)), charset);
  if (name === null) return problem({ code: 'invalid_encoding', name: shown() });
  if (name.length > limits.maxNameLength) return problem({ code: 'name_too_long', name: shown(), limit: limits.maxNameLength });
  const value = eq === end ? '' : partText(src, eq + 1, end, charset);
  if (value === null) return problem({ code: 'invalid_encoding', name: shown() });
  if (value.length > limits.maxValueLength) return problem({ code: 'value_too_long', name: shown(), limit: limits.maxValueLength });
  // PostgreSQL text cannot hold NUL, and no legitimate field contains one: refuse it here, once.
  if (name.includes('\u0000') || value.includes('\u0000')) return problem({ code: 'nul_character', name: shown() });
  return { pair: [name, value] };
}

/**
 * Decodes a body or query string. Never throws for any input bytes. A parameter given twice, in
 * any casing, is a `duplicate` problem: which copy the payment would use and which one SHA-IN
 * signed must not be a guess.
 */
export function decodeForm(bytes: Uint8Array, charset: PageCharset, limits: Partial<FormLimits> = {}): FormResult {
  const lim: FormLimits = { ...DEFAULT_FORM_LIMITS, ...limits };
  if (bytes.length > lim.maxBytes) return { ok: false, problem: { code: 'too_large', limit: lim.maxBytes } };
  const src = source(bytes);
  const bounds = segmentsOf(src.text);
  if (bounds.length / 2 > lim.maxParameters) return { ok: false, problem: { code: 'too_many_parameters', limit: lim.maxParameters } };
  const pairs: Pair[] = [];
  const values = new Map<string, string>();
  for (let k = 0; k < bounds.length; k += 2) {
    const decoded = decodeSegment(src, bounds[k] ?? 0, bounds[k + 1] ?? 0, charset, lim);
    if (decoded === null) continue;
    if ('problem' in decoded) return { ok: false, problem: decoded.problem };
    const [name, value] = decoded.pair;
    const key = normalizeParamName(name);
    if (values.has(key)) return { ok: false, problem: { code: 'duplicate', name: name.slice(0, 100) } };
    values.set(key, value);
    pairs.push([name, value]);
  }
  return { ok: true, form: { pairs, values } };
}

/**
 * The value of the first parameter named `name` (upper-case), matched and decoded exactly as
 * decodeForm does, in the page's charset; undefined when absent or not decodable. Other parameters
 * are skipped without decoding: the hosted page's per-PSPID rate limit keys on what the entry will
 * read (src/http/ncol/limits.ts), so no spelling the entry accepts can open another key.
 */
export function firstValue(bytes: Uint8Array, charset: PageCharset, name: string): string | undefined {
  const src = source(bytes);
  const bounds = segmentsOf(src.text);
  for (let k = 0; k < bounds.length; k += 2) {
    const [start, end] = [bounds[k] ?? 0, bounds[k + 1] ?? 0];
    const eq = equalsIn(src.text, start, end);
    // A percent-escape takes three bytes: a longer raw name cannot decode to `name`.
    if (eq === end || eq - start > 3 * name.length) continue;
    const decodedName = partText(src, start, eq, charset);
    if (decodedName === null || normalizeParamName(decodedName) !== name) continue;
    return partText(src, eq + 1, end, charset) ?? undefined;
  }
  return undefined;
}

/**
 * Bytes of the query string of a request target (`/ncol/test/orderstandard.asp?PSPID=…`).
 * Node's HTTP parser admits only ASCII in the request line, so each character is one byte.
 */
export function queryBytes(requestTarget: string): Buffer {
  const q = requestTarget.indexOf('?');
  if (q < 0) return Buffer.alloc(0);
  const hash = requestTarget.indexOf('#', q);
  return Buffer.from(requestTarget.slice(q + 1, hash < 0 ? undefined : hash), 'latin1');
}

const UNRESERVED = /[A-Za-z0-9*\-._]/;

function encodeComponent(text: string, charset: PageCharset): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (UNRESERVED.test(ch)) {
      out += ch;
    } else if (code === 0x20) {
      out += '+';
    } else {
      if (charset === 'latin1' && code > 0xff) throw new RangeError(`U+${code.toString(16).toUpperCase()} has no ISO-8859-1 byte`);
      const bytes = charset === 'latin1' ? [code] : [...Buffer.from(ch, 'utf8')];
      for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * The body a browser would send for these pairs from a page in `charset` (what a merchant
 * simulator, the SHASIGN tool's *Test transaction* or a test posts). Throws RangeError for a
 * character ISO-8859-1 cannot represent.
 */
export function encodeForm(pairs: ShaParams, charset: PageCharset): string {
  return pairs.map(([name, value]) => `${encodeComponent(name, charset)}=${encodeComponent(value, charset)}`).join('&');
}

/** Back-office *Character encoding* setting: follow the page called, or force one. */
export type ShaEncodingSetting = 'page' | 'latin1' | 'utf8';

/** The encoding SHA-IN and SHA-OUT hash with for a request that arrived on `page`. */
export function shaEncodingFor(setting: ShaEncodingSetting, page: PageCharset): ShaEncoding {
  return setting === 'page' ? page : setting;
}
