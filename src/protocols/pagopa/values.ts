// Values of the pagoPA protocol: amounts, notice numbers, fiscal codes, tokens, idempotency keys.
// Amounts are integer euro cents everywhere inside Varco; only the wire carries `\d+\.\d{2}`.
import { randomBytes } from 'node:crypto';

/** 999999999.99 €, the stAmount maximum. */
export const MAX_AMOUNT_CENTS = 99_999_999_999;
/** activatePaymentNotice's expirationTime bound (ms) and the node's default token life. */
export const MAX_EXPIRATION_MS = 1_800_000;
export const DEFAULT_EXPIRATION_MS = 1_800_000;

const AMOUNT_WIRE = /^(\d+)\.(\d{2})$/;

/** Integer cents → `123.45`. Throws RangeError for values the XSD cannot carry. */
export function amountToWire(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0 || cents > MAX_AMOUNT_CENTS) {
    throw new RangeError(`amount in cents must be an integer 0…${MAX_AMOUNT_CENTS}, got ${cents}`);
  }
  const euros = Math.floor(cents / 100);
  const rest = cents % 100;
  return `${euros}.${rest < 10 ? '0' : ''}${rest}`;
}

/** `123.45` → 12345; undefined unless the text matches `\d+\.\d{2}` and is ≤ 999999999.99. */
export function parseAmount(wire: string): number | undefined {
  const m = AMOUNT_WIRE.exec(wire);
  if (!m) return undefined;
  const [, whole = '', decimals = ''] = m;
  const euros = whole.replace(/^0+(?=\d)/, '');
  if (euros.length > 9) return undefined; // leading zeros allowed, ten significant digits are not
  return Number(euros) * 100 + Number(decimals);
}

// ---- notice number ----

interface NoticeCommon {
  /** The 18 digits as received. */
  readonly noticeNumber: string;
  /** The IUV the EC knows the payment by (creditorReferenceId). */
  readonly iuv: string;
}
interface WithCheckDigits {
  readonly iuvBase: string;
  readonly checkDigits: string;
  /** Informational only: the node routes and must not reject a notice on its check digits. */
  readonly checkDigitsValid: boolean;
}

export type ParsedNoticeNumber =
  | (NoticeCommon & WithCheckDigits & { readonly auxDigit: 0; readonly applicationCode: string })
  | (NoticeCommon & { readonly auxDigit: 1 })
  | (NoticeCommon & WithCheckDigits & { readonly auxDigit: 2 })
  | (NoticeCommon & WithCheckDigits & { readonly auxDigit: 3; readonly segregationCode: string })
  /** Aux digits 4–9 are valid for the XSD but assigned to no scheme: no station can serve them. */
  | (NoticeCommon & { readonly auxDigit: 4 | 5 | 6 | 7 | 8 | 9 });

/** (first 16 digits of the notice number) mod 93, two digits — pagoPA's IUV check digits. */
export function noticeCheckDigits(first16: string): string {
  if (!/^\d{16}$/.test(first16)) throw new RangeError('check digits need the first 16 digits of the notice number');
  const rest = Number(BigInt(first16) % 93n);
  return rest < 10 ? `0${rest}` : String(rest);
}

/** Splits an 18-digit notice number by its aux digit; undefined if it is not 18 ASCII digits. */
export function parseNoticeNumber(noticeNumber: string): ParsedNoticeNumber | undefined {
  if (!/^\d{18}$/.test(noticeNumber)) return undefined;
  const aux = Number(noticeNumber[0]);
  const checked = (): WithCheckDigits & { iuvBase: string } => ({
    iuvBase: aux === 2 ? noticeNumber.slice(1, 16) : noticeNumber.slice(3, 16),
    checkDigits: noticeNumber.slice(16),
    checkDigitsValid: noticeCheckDigits(noticeNumber.slice(0, 16)) === noticeNumber.slice(16),
  });
  switch (aux) {
    case 0:
      return { auxDigit: 0, noticeNumber, applicationCode: noticeNumber.slice(1, 3), iuv: noticeNumber.slice(3), ...checked() };
    case 1:
      return { auxDigit: 1, noticeNumber, iuv: noticeNumber.slice(1) };
    case 2:
      return { auxDigit: 2, noticeNumber, iuv: noticeNumber.slice(1), ...checked() };
    case 3:
      return { auxDigit: 3, noticeNumber, segregationCode: noticeNumber.slice(1, 3), iuv: noticeNumber.slice(1), ...checked() };
    default:
      return { auxDigit: aux as 4 | 5 | 6 | 7 | 8 | 9, noticeNumber, iuv: noticeNumber.slice(1) };
  }
}

export type NoticeNumberParts =
  | { auxDigit: 0; applicationCode: string; iuvBase: string; checkDigits?: string }
  | { auxDigit: 1; iuv: string }
  | { auxDigit: 2; iuvBase: string; checkDigits?: string }
  | { auxDigit: 3; segregationCode: string; iuvBase: string; checkDigits?: string };

/** Builds a notice number; check digits are computed when not given. Throws on wrong lengths. */
export function formatNoticeNumber(parts: NoticeNumberParts): string {
  const digits = (value: string, length: number, what: string): string => {
    if (!new RegExp(`^\\d{${length}}$`).test(value)) throw new RangeError(`${what} must be ${length} digits`);
    return value;
  };
  let first16: string;
  switch (parts.auxDigit) {
    case 1:
      return `1${digits(parts.iuv, 17, 'IUV')}`;
    case 0:
      first16 = `0${digits(parts.applicationCode, 2, 'application code')}${digits(parts.iuvBase, 13, 'IUV base')}`;
      break;
    case 2:
      first16 = `2${digits(parts.iuvBase, 15, 'IUV base')}`;
      break;
    case 3:
      first16 = `3${digits(parts.segregationCode, 2, 'segregation code')}${digits(parts.iuvBase, 13, 'IUV base')}`;
      break;
  }
  return first16 + (parts.checkDigits === undefined ? noticeCheckDigits(first16) : digits(parts.checkDigits, 2, 'check digits'));
}

/**
 * What routes a notice to a station: aux digit plus the segregation code (aux 3) or the
 * application code (aux 0); aux 1 and 2 route by the digit alone. Undefined for 4–9.
 */
export function noticeRoutingKey(notice: ParsedNoticeNumber): { auxDigit: 0 | 1 | 2 | 3; code?: string } | undefined {
  switch (notice.auxDigit) {
    case 0:
      return { auxDigit: 0, code: notice.applicationCode };
    case 3:
      return { auxDigit: 3, code: notice.segregationCode };
    case 1:
    case 2:
      return { auxDigit: notice.auxDigit };
    default:
      return undefined;
  }
}

// ---- identifiers ----

/** An EC's fiscal code as the XSD wants it (stFiscalCodePA): 11 digits. */
export function isEcFiscalCode(value: string): boolean {
  return /^\d{11}$/.test(value);
}

/** Italian VAT number (partita IVA) check digit; test ECs like 77777777777 need not pass it. */
export function partitaIvaValid(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(value[i]);
    if (i % 2 === 0) sum += d;
    else sum += d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return (10 - (sum % 10)) % 10 === Number(value[10]);
}

const CF_ODD: Record<string, number> = Object.fromEntries(
  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23].flatMap((v, i) => [
    [String.fromCharCode(65 + i), v],
    ...(i < 10 ? [[String(i), v]] : []),
  ]),
);

/** A person's codice fiscale (16 characters, omocodia letters allowed) with its check letter. */
export function codiceFiscaleValid(value: string): boolean {
  const cf = value.toUpperCase();
  if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(cf)) return false;
  let sum = 0;
  [...cf.slice(0, 15)].forEach((c, i) => {
    // Odd positions (1-based) use the conversion table, even ones the plain value.
    sum += i % 2 === 0 ? (CF_ODD[c] ?? 0) : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
  });
  return String.fromCharCode(65 + (sum % 26)) === cf[15];
}

/** stPaymentToken: 1–35 characters. */
export function isPaymentToken(value: string): boolean {
  const length = [...value].length;
  return length >= 1 && length <= 35;
}

/** A fresh payment token: 32 lowercase hex characters from 128 random bits (as pagoPA's look). */
export function newPaymentToken(): string {
  return randomBytes(16).toString('hex');
}

const IDEMPOTENCY_KEY = /^([a-zA-Z0-9]{2,18})_([a-zA-Z0-9]{10})$/;

/** stIdempotencyKey `<prefix>_<10 alphanumerics>`; the prefix is meant to be the idPSP. */
export function parseIdempotencyKey(value: string): { prefix: string; random: string } | undefined {
  const m = IDEMPOTENCY_KEY.exec(value);
  if (!m) return undefined;
  const [, prefix = '', random = ''] = m;
  return { prefix, random };
}

/** The token life an activation asks for: expirationTime when given (1…1,800,000 ms), else 30 min. */
export function tokenLifetimeMs(expirationTime: number | undefined): number {
  if (expirationTime === undefined) return DEFAULT_EXPIRATION_MS;
  if (!Number.isSafeInteger(expirationTime) || expirationTime < 1 || expirationTime > MAX_EXPIRATION_MS) {
    throw new RangeError(`expirationTime must be 1…${MAX_EXPIRATION_MS} ms`);
  }
  return expirationTime;
}

/** `YYYY-MM-DD` of a Date in UTC (xsd:date). */
export function toXsdDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `YYYY-MM-DDThh:mm:ss` in UTC with a Z (xsd:dateTime), without milliseconds. */
export function toXsdDateTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
