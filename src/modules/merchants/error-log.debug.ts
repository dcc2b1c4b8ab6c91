// The signature debugger of the error log: what a row's `debug` column holds and how the page reads it back.

/**
 * `ecommerce_errors.debug`: the signature debugger of one rejected request. The hosted page
 * writes the `SignatureDebug` of entry.debug.ts; `{}` or `{ page, problem }` for rejections that
 * happened before a signature could be judged. The read side (`debugView`) accepts:
 *
 *     {
 *       included:  string[]                 // names hashed, upper-case, in the order hashed
 *               | Array<[name, value]>,     //   or with their values as received
 *       candidates?: Array<{ order, masked }>,   // the string hashed per sort order, passphrase as ********
 *       maskedString?: string,                    //   or one string (the ascii order)…
 *       orders?: Array<{ order, maskedString }>,  //   …and the other orders when they differ
 *       algorithm: 'sha1'|'sha256'|'sha512', hashingMethod?, encoding?: 'utf8'|'latin1', page?,
 *       passphraseSet?: boolean, shasign?: 'missing'|'given', received?: string[] (names as sent),
 *       shasignDigits?: number (hex digits of the SHASIGN received: its length, never its value),
 *       duplicate?: string (a signed parameter sent twice), problem?: { code, name? }
 *     }
 *
 * Never stored: the passphrase (strings are composed with the mask, not masked afterwards) and
 * the digest Varco expected (anyone reading the log could then sign with the data shown). Card
 * data never reaches the table either: `recordEntryError` runs every column through the card-data
 * sanitiser (verification fields dropped, PANs masked to first six / last four, sizes bounded),
 * whichever shape the caller used.
 */
export type StoredDebug = object;

/** What the Error logs page shows for one row, whichever shape was stored. */
export interface DebugView {
  included: Array<{ name: string; value: string | null }>;
  /** The string hashed (passphrase masked), per sort order; the first is the one clients use most. */
  strings: Array<{ order: string; masked: string }>;
  algorithm: string | null;
  hashingMethod: string | null;
  encoding: string | null;
  page: string | null;
  passphraseSet: boolean | null;
  shasign: 'missing' | 'given' | null;
  /** Hex digits of the SHASIGN received (40, 64, 128: SHA-1, SHA-256, SHA-512). */
  shasignDigits: number | null;
  duplicate: string | null;
  problem: string | null;
}

export interface ErrorLogEntry {
  id: string;
  at: Date;
  env: string;
  pspid: string | null;
  orderRef: string | null;
  code: string;
  message: string;
  clientIp: string | null;
  referrer: string | null;
  debug: DebugView | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function includedOf(v: unknown): DebugView['included'] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((item: unknown): DebugView['included'] => {
    if (typeof item === 'string') return [{ name: item, value: null }];
    if (Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'string') return [{ name: item[0], value: item[1] }];
    return [];
  });
}

function stringsOf(v: Record<string, unknown>): DebugView['strings'] {
  const out: DebugView['strings'] = [];
  const push = (order: unknown, masked: unknown): void => {
    if (typeof order === 'string' && typeof masked === 'string' && !out.some((s) => s.masked === masked)) out.push({ order, masked });
  };
  if (Array.isArray(v.candidates))
    for (const c of v.candidates as unknown[])
      if (c && typeof c === 'object') push((c as Record<string, unknown>).order, (c as Record<string, unknown>).masked);
  if (typeof v.maskedString === 'string') push('ascii', v.maskedString);
  if (Array.isArray(v.orders))
    for (const o of v.orders as unknown[])
      if (o && typeof o === 'object') push((o as Record<string, unknown>).order, (o as Record<string, unknown>).maskedString);
  return out;
}

/** Reads a stored `debug` back for the page; null when it holds nothing to show. */
export function debugView(value: unknown): DebugView | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const problem = v.problem && typeof v.problem === 'object' ? (v.problem as Record<string, unknown>) : null;
  const view: DebugView = {
    included: includedOf(v.included),
    strings: stringsOf(v),
    algorithm: str(v.algorithm),
    hashingMethod: str(v.hashingMethod),
    encoding: str(v.encoding),
    page: str(v.page),
    passphraseSet: typeof v.passphraseSet === 'boolean' ? v.passphraseSet : null,
    shasign: v.shasign === 'missing' || v.shasign === 'given' ? v.shasign : null,
    shasignDigits: typeof v.shasignDigits === 'number' && Number.isInteger(v.shasignDigits) ? v.shasignDigits : null,
    duplicate: str(v.duplicate),
    problem: problem ? [str(problem.code), str(problem.name)].filter(Boolean).join(' ') || null : null,
  };
  const empty = view.included.length === 0 && view.strings.length === 0 && view.algorithm === null && view.problem === null && view.page === null;
  return empty ? null : view;
}

/** A row of ecommerce_errors as the pages and the CLI read it. */
export function entryOf(row: {
  id: string;
  created_at: Date;
  environment: string;
  pspid: string | null;
  order_ref: string | null;
  code: string;
  message: string;
  client_ip: string | null;
  referrer: string | null;
  debug: unknown;
}): ErrorLogEntry {
  return {
    id: row.id,
    at: row.created_at,
    env: row.environment,
    pspid: row.pspid,
    orderRef: row.order_ref,
    code: row.code,
    message: row.message,
    clientIp: row.client_ip,
    referrer: row.referrer,
    debug: debugView(row.debug),
  };
}
