import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { EcommerceEnv } from './merchant.types.ts';

// The merchant's error log: the hosted page writes one row per rejected request (Ingenico's
// *Configuration > Error logs*), the portal and `npx varco errors list` read them.

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
 *       duplicate?: string (a signed parameter sent twice), problem?: { code, name? }
 *     }
 *
 * Never stored: the passphrase (strings are composed with the mask, not masked afterwards) and
 * the digest Varco expected (anyone reading the log could then sign with the data shown). Card
 * data never reaches the table either: `recordEntryError` masks CARDNO values to their last four
 * digits and replaces CVC values wherever they occur, whichever shape the caller used.
 */
export type StoredDebug = object;

export interface EntryErrorInput {
  merchantId: string | null;
  env: EcommerceEnv;
  pspid: string | null;
  orderRef: string | null;
  /** Stable code of the rejection: the NCERROR (e.g. 50001184). */
  code: string;
  /** The platform's text, e.g. `unknown order/1/s/`. */
  message: string;
  clientIp: string | null;
  referrer: string | null;
  debug?: StoredDebug | null;
}

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

const MAX_STRING = 100_000;
const MAX_ITEMS = 500;
const MAX_DEPTH = 6;
const clip = (s: string | null, max: number): string | null => (s === null ? null : s.length > max ? `${s.slice(0, max)}…` : s);

function maskCard(value: string): string {
  const digits = value.replace(/[^0-9]/g, '');
  return digits.length <= 4 ? 'X'.repeat(digits.length) : `${'X'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** Card data in a composed string (`CARDNO=4111…`, `CVC=123`, any case) masked in place. */
export function scrubCardData(text: string): string {
  return text.replace(/(CARDNO=)([0-9][0-9 -]*[0-9])/gi, (_m, name: string, value: string) => `${name}${maskCard(value)}`)
    .replace(/(CVC=)([0-9]+)/gi, (_m, name: string) => `${name}***`);
}

/** A deep copy safe to keep: card data masked, sizes bounded, only JSON values. */
export function sanitizeDebug(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clip(scrubCardData(value), MAX_STRING);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (depth >= MAX_DEPTH || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    // A [name, value] pair: the value is judged by the name, since a bare number carries no `CARDNO=`.
    if (value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const name = value[0].toUpperCase();
      if (name === 'CARDNO') return [value[0], maskCard(value[1])];
      if (name === 'CVC') return [value[0], value[1] === '' ? '' : '***'];
    }
    return value.slice(0, MAX_ITEMS).map((v: unknown) => sanitizeDebug(v, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, MAX_ITEMS)) out[k] = sanitizeDebug(v, depth + 1);
  return out;
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
  if (Array.isArray(v.candidates)) for (const c of v.candidates as unknown[]) if (c && typeof c === 'object') push((c as Record<string, unknown>).order, (c as Record<string, unknown>).masked);
  if (typeof v.maskedString === 'string') push('ascii', v.maskedString);
  if (Array.isArray(v.orders)) for (const o of v.orders as unknown[]) if (o && typeof o === 'object') push((o as Record<string, unknown>).order, (o as Record<string, unknown>).maskedString);
  return out;
}

/** Reads a stored `debug` back for the page; null when it holds nothing to show. */
export function debugView(value: unknown): DebugView | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const problem = v.problem && typeof v.problem === 'object' ? (v.problem as Record<string, unknown>) : null;
  const view: DebugView = {
    included: includedOf(v.included), strings: stringsOf(v), algorithm: str(v.algorithm), hashingMethod: str(v.hashingMethod),
    encoding: str(v.encoding), page: str(v.page), passphraseSet: typeof v.passphraseSet === 'boolean' ? v.passphraseSet : null,
    shasign: v.shasign === 'missing' || v.shasign === 'given' ? v.shasign : null, duplicate: str(v.duplicate),
    problem: problem ? [str(problem.code), str(problem.name)].filter(Boolean).join(' ') || null : null,
  };
  const empty = view.included.length === 0 && view.strings.length === 0 && view.algorithm === null && view.problem === null && view.page === null;
  return empty ? null : view;
}

export interface ErrorLogOptions {
  db: Kysely<Database>;
  clock: Clock;
}

export function createErrorLogService(options: ErrorLogOptions) {
  const { db, clock } = options;

  /** The hosted page's writer: one row per rejected request. Returns the row id (`err_…`). */
  async function recordEntryError(input: EntryErrorInput): Promise<string> {
    const id = newId('err');
    const debug = input.debug ? sanitizeDebug(input.debug) : {};
    await db.insertInto('ecommerce_errors').values({
      id, merchant_id: input.merchantId, environment: input.env, pspid: clip(input.pspid, 100), order_ref: clip(input.orderRef, 200),
      code: clip(input.code, 100) ?? '', message: clip(input.message, 1000) ?? '', client_ip: clip(input.clientIp, 100),
      referrer: clip(input.referrer, 2000), debug: JSON.stringify(debug ?? {}), created_at: clock.now(),
    }).execute();
    return id;
  }

  /**
   * A merchant's log, newest first: its own rows, plus rows naming its PSPID without a merchant
   * (written while its environment had no active subscription) since the merchant was created.
   */
  async function listForMerchant(merchant: { id: string; pspid: string; createdAt: Date }, filter: { env?: EcommerceEnv; limit?: number } = {}): Promise<ErrorLogEntry[]> {
    let query = db.selectFrom('ecommerce_errors').selectAll()
      .where((eb) => eb.or([eb('merchant_id', '=', merchant.id),
        eb.and([eb('merchant_id', 'is', null), eb(sql<string>`upper(pspid)`, '=', merchant.pspid.toUpperCase()), eb('created_at', '>=', merchant.createdAt)])]));
    if (filter.env) query = query.where('environment', '=', filter.env);
    return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 200).execute()).map(entry);
  }

  /** For operators: every row naming the PSPID (unknown PSPIDs too), newest first. */
  async function listForPspid(pspid: string, filter: { env?: EcommerceEnv; limit?: number } = {}): Promise<ErrorLogEntry[]> {
    let query = db.selectFrom('ecommerce_errors').selectAll().where(sql<string>`upper(pspid)`, '=', pspid.toUpperCase());
    if (filter.env) query = query.where('environment', '=', filter.env);
    return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 200).execute()).map(entry);
  }

  return { recordEntryError, listForMerchant, listForPspid };
}

function entry(row: { id: string; created_at: Date; environment: string; pspid: string | null; order_ref: string | null; code: string; message: string;
  client_ip: string | null; referrer: string | null; debug: unknown }): ErrorLogEntry {
  return { id: row.id, at: row.created_at, env: row.environment, pspid: row.pspid, orderRef: row.order_ref, code: row.code, message: row.message,
    clientIp: row.client_ip, referrer: row.referrer, debug: debugView(row.debug) };
}

export type ErrorLogService = ReturnType<typeof createErrorLogService>;
