/**
 * Feedback parameters sent to the merchant, on the redirect URL and in the server-to-server
 * request, in the platform's names and formats, signed with SHA-OUT
 * (docs/reference/ogone/hosted-page.md, "Feedback").
 */
import { feedbackAmount } from './currencies.ts';
import type { PageCharset } from './form.ts';
import { normalizeParamName } from './params.ts';
import { signShaOut } from './sha.ts';
import type { HashingMethod, ShaAlgorithm, ShaEncoding, ShaParams, SortOrder } from './sha.ts';

/** Parameters Varco can send, in the order of the platform's documented example. */
export const FEEDBACK_FIELDS = Object.freeze([
  'orderID',
  'currency',
  'amount',
  'PM',
  'ACCEPTANCE',
  'STATUS',
  'CARDNO',
  'PAYID',
  'NCERROR',
  'BRAND',
  'ED',
  'TRXDATE',
  'CN',
  'IP',
  'EMAIL',
  // A maintenance operation's number (DirectLink; docs/reference/ogone/directlink.md).
  'PAYIDSUB',
] as const);
export type FeedbackField = (typeof FEEDBACK_FIELDS)[number];

/** The platform's default feedback set; IP and EMAIL are *dynamic e-Commerce parameters* to opt into. */
export const DEFAULT_FEEDBACK_FIELDS: readonly FeedbackField[] = Object.freeze(FEEDBACK_FIELDS.slice(0, 13));

/** What feedback reports of the order (a validated request has these fields). */
export interface FeedbackOrder {
  readonly orderId: string;
  /** Minor units of `currency`. */
  readonly amount: number;
  readonly currency: string;
  readonly paramplus: ShaParams;
  readonly complus?: string;
  readonly customer: { readonly name?: string; readonly email?: string };
}

/** The card of an attempt as feedback reports it: never the number or the CVC. */
export interface FeedbackCard {
  readonly brand: string;
  /** CARDNO as sent: `XXXXXXXXXXXX1111`. */
  readonly masked: string;
  readonly expiry: { readonly month: number; readonly year: number };
  readonly holder: string;
}

/** Feedback ED: `MMYY`. */
export function expiryED(expiry: FeedbackCard['expiry']): string {
  return `${String(expiry.month).padStart(2, '0')}${String(expiry.year % 100).padStart(2, '0')}`;
}

export interface FeedbackPayment {
  readonly status: number;
  readonly ncError: string;
  /** Numeric payment reference; empty if none was made (e.g. cancelled before any attempt). */
  readonly payId: string;
  readonly acceptance?: string;
  /** The card of the last attempt; absent when the customer never submitted one. */
  readonly card?: FeedbackCard;
  /** When the payment was decided; TRXDATE is its UTC date. */
  readonly date: Date;
  /** Customer's IP address, for the IP field. */
  readonly ip?: string;
  /** The maintenance operation reported (PAYIDSUB); absent for the payment itself. */
  readonly payIdSub?: string;
}

export interface ShaOutConfig {
  /** `null` or empty: no SHA-OUT passphrase is configured. */
  readonly passphrase: string | null;
  readonly alg: ShaAlgorithm;
  readonly method: HashingMethod;
  /** From shaEncodingFor(setting, page). */
  readonly encoding: ShaEncoding;
  readonly order?: SortOrder;
}

export interface FeedbackOptions {
  readonly channel: 'redirect' | 'server';
  /** Charset of the page the order came through: values are limited to what it can carry. */
  readonly charset: PageCharset;
  /**
   * *Dynamic e-Commerce parameters*, names in any casing (settings keep them upper-case, as in the
   * SHA-OUT list); default DEFAULT_FEEDBACK_FIELDS. Names Varco has no value for are skipped.
   * The order sent is always FEEDBACK_FIELDS' order. COMPLUS is sent whenever the request had it.
   */
  readonly fields?: readonly string[];
}

/** `MM/DD/YY`, as in the platform's TRXDATE. */
export function trxDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCMonth() + 1)}/${two(date.getUTCDate())}/${two(date.getUTCFullYear() % 100)}`;
}

function fieldValue(field: FeedbackField, order: FeedbackOrder, payment: FeedbackPayment): string {
  const card = payment.card;
  switch (field) {
    case 'orderID':
      return order.orderId;
    case 'currency':
      return order.currency;
    case 'amount':
      return feedbackAmount(order.amount, order.currency);
    case 'PM':
      return 'CreditCard';
    case 'ACCEPTANCE':
      return payment.acceptance ?? '';
    case 'STATUS':
      return String(payment.status);
    case 'CARDNO':
      return card?.masked ?? '';
    case 'PAYID':
      return payment.payId;
    case 'NCERROR':
      return payment.ncError;
    case 'BRAND':
      return card?.brand ?? '';
    case 'ED':
      return card === undefined ? '' : expiryED(card.expiry);
    case 'TRXDATE':
      return trxDate(payment.date);
    case 'CN':
      return card?.holder ?? order.customer.name ?? '';
    case 'IP':
      return payment.ip ?? '';
    case 'EMAIL':
      return order.customer.email ?? '';
    case 'PAYIDSUB':
      return payment.payIdSub ?? '';
  }
}

/**
 * On the ISO page a character above U+00FF cannot travel: it becomes `?`, before signing, so
 * the merchant hashes exactly what he receives (the SHA module hashes it as `?` too).
 */
function forCharset(value: string, charset: PageCharset): string {
  if (charset === 'utf8') return value;
  let out = '';
  for (const ch of value) out += (ch.codePointAt(0) ?? 0) > 0xff ? '?' : ch;
  return out;
}

/**
 * The feedback parameters, SHASIGN last. Empty values are sent (the platform sends `ACCEPTANCE=`
 * on a refusal) but, by the SHA-OUT rules, not hashed. COMPLUS is sent and signed when the
 * request had it. PARAMPLUS pairs follow, unsigned; a pair whose name would shadow a genuine
 * parameter (same spelling) or SHASIGN (any casing) is dropped.
 *
 * On the redirect, no parameters at all are sent when no SHA-OUT passphrase is set (the
 * platform's rule: unsigned feedback in a URL invites forgery). Server-to-server feedback is
 * then sent without SHASIGN. Whether the redirect carries parameters at all (*send feedback
 * parameters on redirection*) is the caller's setting to apply.
 */
export function feedbackParameters(order: FeedbackOrder, payment: FeedbackPayment, shaOut: ShaOutConfig, options: FeedbackOptions): ShaParams {
  const passphrase = shaOut.passphrase === null || shaOut.passphrase === '' ? null : shaOut.passphrase;
  if (passphrase === null && options.channel === 'redirect') return [];
  const selected = new Set((options.fields ?? DEFAULT_FEEDBACK_FIELDS).map(normalizeParamName));
  const genuine: Array<readonly [string, string]> = FEEDBACK_FIELDS.filter((f) => selected.has(normalizeParamName(f))).map((f) => [
    f,
    forCharset(fieldValue(f, order, payment), options.charset),
  ]);
  if (order.complus !== undefined && order.complus !== '') genuine.push(['COMPLUS', forCharset(order.complus, options.charset)]);
  const names = new Set(genuine.map(([n]) => n));
  const extra = order.paramplus
    .filter(([name]) => !names.has(name) && normalizeParamName(name) !== 'SHASIGN')
    .map(([name, value]): readonly [string, string] => [forCharset(name, options.charset), forCharset(value, options.charset)]);
  const params = [...genuine, ...extra];
  if (passphrase === null) return params;
  const shasign = signShaOut(genuine, passphrase, { alg: shaOut.alg, method: shaOut.method, encoding: shaOut.encoding, order: shaOut.order ?? 'ascii' });
  return [...params, ['SHASIGN', shasign]];
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function encodeComponent(text: string, charset: PageCharset): string {
  let out = '';
  for (const ch of text) {
    if (UNRESERVED.test(ch)) {
      out += ch;
      continue;
    }
    const code = ch.codePointAt(0) ?? 0x3f;
    const bytes = charset === 'utf8' ? [...Buffer.from(ch, 'utf8')] : [code <= 0xff ? code : 0x3f];
    for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * `base` with `params` appended to its query string. The merchant's own query string is kept as
 * it is (shops put their own routing there, e.g. `?action=accept`) and a fragment stays last.
 * Values are percent-encoded in the page's charset; spaces as `%20`, which every server decodes.
 */
export function redirectUrl(base: string, params: ShaParams, charset: PageCharset): string {
  if (params.length === 0) return base;
  const hashAt = base.indexOf('#');
  const head = hashAt < 0 ? base : base.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : base.slice(hashAt);
  const query = params.map(([n, v]) => `${encodeComponent(n, charset)}=${encodeComponent(v, charset)}`).join('&');
  const separator = !head.includes('?') ? '?' : head.endsWith('?') || head.endsWith('&') ? '' : '&';
  return `${head}${separator}${query}${fragment}`;
}
