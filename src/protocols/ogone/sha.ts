/**
 * Ogone e-Commerce SHA signatures (SHA-IN on incoming payment requests, SHA-OUT on feedback).
 * Pure functions: no I/O. Rules and sources: docs/reference/ogone/README.md.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { LEGACY_SHA_IN_FIELDS, LEGACY_SHA_OUT_FIELDS, isListedName, normalizeParamName, shaParamList } from './params.ts';
import type { ShaList } from './params.ts';
import { SORT_ORDERS, compareFor } from './sort-order.ts';
import type { SortOrder } from './sort-order.ts';

export { SORT_ORDERS, compareFor as compareShaNames } from './sort-order.ts';
export type { SortOrder } from './sort-order.ts';

export type ShaAlgorithm = 'sha1' | 'sha256' | 'sha512';
/** Back-office "Hashing method": all listed parameters, or the legacy fixed "main parameters". */
export type HashingMethod = 'each-parameter' | 'main-parameters';
/** Character encoding the composed string is turned into before hashing. */
export type ShaEncoding = 'utf8' | 'latin1';

/** Received parameters as ordered pairs, names in any case, values exactly as decoded. */
export type ShaParams = ReadonlyArray<readonly [name: string, value: string]>;

export const SHA_PASSPHRASE_MASK = '********';

export interface ComposeOptions {
  readonly list: ShaList;
  readonly method: HashingMethod;
  /** Ignored by the legacy method, whose field order is fixed. Default `ascii`. */
  readonly order?: SortOrder;
}

export interface ShaOptions {
  readonly alg: ShaAlgorithm;
  readonly method: HashingMethod;
  readonly encoding: ShaEncoding;
}

export interface SignOptions extends ShaOptions {
  /** Default `ascii`, the order the official worked examples use. */
  readonly order?: SortOrder;
}

/** One way of reading the request, with the passphrase masked, for the signature debugger. */
export interface ShaCandidate {
  readonly order: SortOrder;
  readonly masked: string;
}

export type ShaVerifyResult =
  | { readonly ok: true; readonly order: SortOrder }
  | { readonly ok: false; readonly reason: 'missing' | 'mismatch'; readonly candidates: readonly ShaCandidate[] }
  | { readonly ok: false; readonly reason: 'duplicate'; readonly param: string; readonly candidates: readonly ShaCandidate[] };

/**
 * A signed parameter occurs more than once (names compare case-insensitively). The reference is
 * silent on this; we refuse rather than guess, because whichever copy we hashed, the rest of the
 * system might read the other one.
 */
export class DuplicateShaParameterError extends Error {
  readonly param: string;
  constructor(param: string) {
    super(`Parameter ${param} occurs more than once`);
    this.name = 'DuplicateShaParameterError';
    this.param = param;
  }
}

type Entry = readonly [name: string, value: string];

/** Listed parameters with normalized names, in input order; empty values already dropped. */
function collect(params: ShaParams, list: ShaList): Entry[] {
  const listed = shaParamList(list);
  const seen = new Set<string>();
  const kept: Entry[] = [];
  for (const [rawName, value] of params) {
    const name = normalizeParamName(rawName);
    if (!isListedName(listed, name)) continue;
    // Checked before the empty-value skip: `BRAND=` next to `brand=VISA` is just as ambiguous.
    if (seen.has(name)) throw new DuplicateShaParameterError(name);
    seen.add(name);
    // Only the empty string counts as absent; "0" is a value (Ogone hashes NCERROR=0).
    if (value !== '') kept.push([name, value]);
  }
  return kept;
}

function sortedEntries(entries: readonly Entry[], order: SortOrder): Entry[] {
  const compare = compareFor(order);
  return [...entries].sort((x, y) => compare(x[0], y[0]));
}

function renderSorted(sorted: readonly Entry[], passphrase: string): string {
  // The passphrase follows every pair, the last one included.
  let out = '';
  for (const [name, value] of sorted) out += `${name}=${value}${passphrase}`;
  return out;
}

function renderEachParameter(entries: readonly Entry[], passphrase: string, order: SortOrder): string {
  return renderSorted(sortedEntries(entries, order), passphrase);
}

const sameSequence = (a: readonly Entry[], b: readonly Entry[]): boolean => a.every((entry, i) => entry === b[i]);

/** Legacy: values of the fixed fields (absent = empty), no names, passphrase once at the end. */
function renderMainParameters(params: ShaParams, list: ShaList, passphrase: string): string {
  const fields = list === 'in' ? LEGACY_SHA_IN_FIELDS : LEGACY_SHA_OUT_FIELDS;
  const wanted = new Set(fields);
  const values = new Map<string, string>();
  for (const [rawName, value] of params) {
    const name = normalizeParamName(rawName);
    if (!wanted.has(name)) continue;
    if (values.has(name)) throw new DuplicateShaParameterError(name);
    values.set(name, value);
  }
  return fields.map((f) => values.get(f) ?? '').join('') + passphrase;
}

/** The exact string that gets hashed. Throws DuplicateShaParameterError on a repeated listed name. */
export function composeShaString(params: ShaParams, passphrase: string, options: ComposeOptions): string {
  if (options.method === 'main-parameters') return renderMainParameters(params, options.list, passphrase);
  return renderEachParameter(collect(params, options.list), passphrase, options.order ?? 'ascii');
}

/** Same string with the passphrase replaced by a fixed mask: safe to show in the signature debugger. */
export function maskedShaString(params: ShaParams, options: ComposeOptions): string {
  // Composed with the mask in place of the secret, so a value that happens to contain the
  // passphrase is shown as sent and the secret never passes through a search-and-replace.
  return composeShaString(params, SHA_PASSPHRASE_MASK, options);
}

/**
 * ISO-8859-1 bytes. Node's 'latin1' would silently keep the low byte of characters above U+00FF
 * (U+012C would hash as ','); we substitute '?' per code point instead, as Windows/.NET encoders
 * do by default [inference: the platform runs on IIS]. Such characters cannot arrive through an
 * ISO-8859-1 decoded request anyway; only a UTF-8 page hashed as Latin-1 can produce them.
 */
function encodeLatin1(str: string): Buffer {
  const bytes: number[] = [];
  for (const ch of str) {
    const code = ch.codePointAt(0) ?? 0x3f;
    bytes.push(code <= 0xff ? code : 0x3f);
  }
  return Buffer.from(bytes);
}

/** Digest as uppercase hex, the form Ogone emits. */
export function shaDigest(str: string, alg: ShaAlgorithm, encoding: ShaEncoding): string {
  // One-shot (crypto.hash, a string is hashed as UTF-8): no Hash object per digest (issue 15).
  return hash(alg, encoding === 'utf8' ? str : encodeLatin1(str), 'hex').toUpperCase();
}

function requirePassphrase(passphrase: string): void {
  // An empty passphrase makes the signature computable by anyone: a configuration error.
  if (passphrase === '') throw new RangeError('SHA passphrase must not be empty');
}

/** Generic signer; also what a test client or merchant simulator uses to build SHA-IN requests. */
export function signSha(params: ShaParams, passphrase: string, list: ShaList, options: SignOptions): string {
  requirePassphrase(passphrase);
  const composed = composeShaString(params, passphrase, { list, method: options.method, order: options.order ?? 'ascii' });
  return shaDigest(composed, options.alg, options.encoding);
}

export function signShaIn(params: ShaParams, passphrase: string, options: SignOptions): string {
  return signSha(params, passphrase, 'in', options);
}

/**
 * The order SHA-OUT strings are composed in: the official SHA-OUT list's own order, which puts
 * SCO_CATEGORY before SCORING as the platform was reported to do (underscore before letters).
 * Over the 65 listed names `underscore-first` and the list's order are the same (a test keeps it
 * so); it differs from plain ASCII only when both SCORING and SCO_CATEGORY have a value.
 */
export const SHA_OUT_ORDER: SortOrder = 'underscore-first';

/**
 * SHA-OUT for feedback we send (in SHA_OUT_ORDER unless told). Pass only the genuine feedback
 * fields: PARAMPLUS-expanded keys are not signed by Ogone and may even collide with listed names
 * (a PARAMPLUS key `orderid`).
 */
export function signShaOut(params: ShaParams, passphrase: string, options: SignOptions): string {
  return signSha(params, passphrase, 'out', { ...options, order: options.order ?? SHA_OUT_ORDER });
}

const HEX = /^[0-9A-Fa-f]+$/;

/**
 * Checks an incoming SHASIGN against every sort order (they coincide for everyday requests, so
 * this costs at most two extra hashes) with hex case ignored: clients in the field post
 * lowercase digests. `order` on success is the first order, in SORT_ORDERS sequence, that matches.
 */
export function verifyShaIn(params: ShaParams, passphrase: string, givenDigest: string | null | undefined, options: ShaOptions): ShaVerifyResult {
  requirePassphrase(passphrase);
  let tries: Attempt[];
  try {
    tries = attempts(params, passphrase, options.method);
  } catch (err) {
    if (err instanceof DuplicateShaParameterError) return { ok: false, reason: 'duplicate', param: err.param, candidates: [] };
    throw err;
  }
  return decide(tries, givenDigest, options);
}

/** One sort order's string; the masked one, for the diagnostics of a refusal, only when asked. */
interface Attempt {
  readonly order: SortOrder;
  readonly composed: string;
  masked(): string;
}

const candidatesOf = (tries: readonly Attempt[]): ShaCandidate[] => tries.map((t) => ({ order: t.order, masked: t.masked() }));

function attempts(params: ShaParams, passphrase: string, method: HashingMethod): Attempt[] {
  if (method === 'main-parameters') {
    // One fixed field order, hence one string, reported under the canonical order.
    return [
      {
        order: 'ascii',
        masked: () => renderMainParameters(params, 'in', SHA_PASSPHRASE_MASK),
        composed: renderMainParameters(params, 'in', passphrase),
      },
    ];
  }
  const entries = collect(params, 'in');
  // The orders mostly agree (names without `_` and digits): an order that sorts the entries as an
  // earlier one did shares its string instead of composing it again (issue 15).
  const tries: Array<Attempt & { sorted: Entry[] }> = [];
  for (const order of SORT_ORDERS) {
    const sorted = sortedEntries(entries, order);
    const same = tries.find((t) => sameSequence(t.sorted, sorted));
    tries.push({ order, sorted, composed: same ? same.composed : renderSorted(sorted, passphrase), masked: () => renderSorted(sorted, SHA_PASSPHRASE_MASK) });
  }
  return tries;
}

/**
 * The signature debugger's list: the SHA-IN string of each sort order with the passphrase masked,
 * an order whose string an earlier one already gave left out; none when a signed parameter is
 * repeated (no string can be composed). Composed with the mask in place of the secret, which is
 * never an input here: the passphrase can appear only where a value sent holds it.
 */
export function maskedShaInCandidates(params: ShaParams, method: HashingMethod): ShaCandidate[] {
  let tries: Attempt[];
  try {
    tries = attempts(params, SHA_PASSPHRASE_MASK, method);
  } catch (err) {
    if (err instanceof DuplicateShaParameterError) return [];
    throw err;
  }
  const out: ShaCandidate[] = [];
  for (const t of tries) if (!out.some((c) => c.masked === t.composed)) out.push({ order: t.order, masked: t.composed });
  return out;
}

function decide(tries: readonly Attempt[], givenDigest: string | null | undefined, options: ShaOptions): ShaVerifyResult {
  if (givenDigest === undefined || givenDigest === null || givenDigest === '') {
    return { ok: false, reason: 'missing', candidates: candidatesOf(tries) };
  }
  // Non-hex input can never match; checking it first also keeps toUpperCase length-preserving.
  const given = HEX.test(givenDigest) ? Buffer.from(givenDigest.toUpperCase(), 'latin1') : null;
  const digests = new Map<string, string>();
  let matched: SortOrder | null = null;
  // No early exit: every candidate is compared, so timing does not reveal which order matched.
  for (const attempt of tries) {
    let digest = digests.get(attempt.composed);
    if (digest === undefined) {
      digest = shaDigest(attempt.composed, options.alg, options.encoding);
      digests.set(attempt.composed, digest);
    }
    const expected = Buffer.from(digest, 'latin1');
    const equal = given !== null && given.length === expected.length && timingSafeEqual(given, expected);
    if (equal && matched === null) matched = attempt.order;
  }
  return matched === null ? { ok: false, reason: 'mismatch', candidates: candidatesOf(tries) } : { ok: true, order: matched };
}
