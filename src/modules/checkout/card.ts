/**
 * Card data checks for the payment form: Luhn, brand, masked number, expiry, CVC shape.
 *
 * The full number and the CVC never leave a `PaymentCard` except through its `number` and `cvc`
 * getters, which only the acquirer calls. Serialising or inspecting a PaymentCard (a logger, an
 * error report, JSON in a test failure) shows the masked number only.
 */
import { inspect } from 'node:util';
import { luhnValid, maskPans } from '../../kernel/card-data.ts';

/** Brand names as the platform writes them in BRAND. */
export type CardBrand = 'VISA' | 'MasterCard' | 'American Express' | 'Maestro' | 'Diners Club' | 'JCB';
export const CARD_BRANDS: readonly CardBrand[] = Object.freeze(['VISA', 'MasterCard', 'American Express', 'Maestro', 'Diners Club', 'JCB']);

interface BrandRule {
  readonly brand: CardBrand;
  /** Inclusive prefix ranges, compared on the first `from.length` digits. */
  readonly ranges: ReadonlyArray<readonly [from: string, to: string]>;
  readonly lengths: readonly number[];
  /** Accepted CVC lengths; 0 = may be left empty. */
  readonly cvc: readonly number[];
}

// Order matters: the first rule whose range matches wins, so narrower ranges come first.
const RULES: readonly BrandRule[] = [
  {
    brand: 'American Express',
    ranges: [
      ['34', '34'],
      ['37', '37'],
    ],
    lengths: [15],
    cvc: [4],
  },
  {
    brand: 'Diners Club',
    ranges: [
      ['300', '305'],
      ['36', '36'],
      ['38', '39'],
    ],
    lengths: [14, 15, 16, 17, 18, 19],
    cvc: [3],
  },
  { brand: 'JCB', ranges: [['3528', '3589']], lengths: [16, 17, 18, 19], cvc: [3] },
  { brand: 'VISA', ranges: [['4', '4']], lengths: [13, 16, 19], cvc: [3] },
  // The 2-series (2221–2720) was added to MasterCard's 51–55 in 2017.
  {
    brand: 'MasterCard',
    ranges: [
      ['51', '55'],
      ['2221', '2720'],
    ],
    lengths: [16],
    cvc: [3],
  },
  // Some Maestro cards carry no CVC at all.
  {
    brand: 'Maestro',
    ranges: [
      ['50', '50'],
      ['56', '58'],
      ['639', '639'],
      ['6304', '6304'],
      ['67', '67'],
    ],
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
    cvc: [0, 3],
  },
];

/** Digits of a typed card number (spaces and dashes dropped), or undefined if anything else is in it. */
export function normaliseCardNumber(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  return /^[0-9]{1,19}$/.test(digits) ? digits : undefined;
}

// One Luhn for the card form and for the sanitiser that keeps card numbers out of storage.
export { luhnValid } from '../../kernel/card-data.ts';

function ruleFor(digits: string): BrandRule | undefined {
  return RULES.find((r) =>
    r.ranges.some(([from, to]) => {
      const head = digits.slice(0, from.length);
      return head.length === from.length && head >= from && head <= to;
    }),
  );
}

/** Brand by number prefix; undefined when no supported brand issues that prefix. */
export function detectBrand(digits: string): CardBrand | undefined {
  return ruleFor(digits)?.brand;
}

/** `XXXXXXXXXXXX1111`: every digit but the last four replaced by X, as in the platform's CARDNO. */
export function maskCardNumber(digits: string): string {
  return 'X'.repeat(Math.max(0, digits.length - 4)) + digits.slice(-4);
}

export interface CardExpiry {
  readonly month: number;
  /** Four digits. */
  readonly year: number;
}

export type ExpiryProblem = 'format' | 'month' | 'expired' | 'too_far';

/** Latest accepted expiry, in years from now: cards are issued for at most a few years. */
const MAX_YEARS_AHEAD = 20;

/**
 * Parses what a customer (or the browser's `cc-exp` autofill) types: `MM/YY`, `MM / YY`,
 * `MM/YYYY`, `MMYY`, `M/YY`. A card is valid through the last day of its month; months are
 * compared in UTC.
 */
export function parseExpiry(
  input: string,
  now: Date,
): { readonly ok: true; readonly expiry: CardExpiry } | { readonly ok: false; readonly problem: ExpiryProblem } {
  const m = /^\s*([0-9]{1,2})\s*[/-]?\s*([0-9]{2}|[0-9]{4})\s*$/.exec(input);
  if (!m || (m[1]?.length === 1 && !/[/-]/.test(input))) return { ok: false, problem: 'format' };
  const month = Number(m[1]);
  const yearText = m[2] ?? '';
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  if (month < 1 || month > 12) return { ok: false, problem: 'month' };
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const given = year * 12 + (month - 1);
  if (given < current) return { ok: false, problem: 'expired' };
  if (given > current + MAX_YEARS_AHEAD * 12) return { ok: false, problem: 'too_far' };
  return { ok: true, expiry: { month, year } };
}

export function cvcValid(cvc: string, brand: CardBrand): boolean {
  const rule = RULES.find((r) => r.brand === brand);
  if (rule === undefined || !/^[0-9]*$/.test(cvc)) return false;
  return rule.cvc.includes(cvc.length);
}

/** What may be stored and shown: never the full number or the CVC. */
export interface CardSummary {
  readonly brand: CardBrand;
  readonly masked: string;
  readonly expiry: CardExpiry;
  readonly holder: string;
  /** The first six digits (BIN), which feedback reports; absent on cards recorded before it was kept. */
  readonly bin?: string;
}

/** First six digits: the issuer's identification, storable with the last four (PCI DSS 3.4). */
export const BIN_LENGTH = 6;

/** Card data for one authorisation; only the acquirer reads `number` and `cvc`. */
export class PaymentCard {
  readonly #number: string;
  readonly #cvc: string;
  readonly summary: CardSummary;

  constructor(number: string, cvc: string, summary: CardSummary) {
    this.#number = number;
    this.#cvc = cvc;
    this.summary = Object.freeze({ ...summary });
  }

  get number(): string {
    return this.#number;
  }

  get cvc(): string {
    return this.#cvc;
  }

  toJSON(): CardSummary {
    return this.summary;
  }

  [inspect.custom](): string {
    return `PaymentCard(${this.summary.brand} ${this.summary.masked})`;
  }
}

export interface CardInput {
  readonly holder: string;
  readonly number: string;
  readonly expiry: string;
  readonly cvc: string;
}

export type CardField = keyof CardInput;
export type CardProblemCode = 'required' | 'too_long' | 'invalid' | 'luhn' | 'brand_unsupported' | 'brand_not_allowed' | 'length' | ExpiryProblem;
export interface CardProblem {
  readonly field: CardField;
  readonly code: CardProblemCode;
}

/** Holder names longer than the platform's CN field (35) could not be returned in feedback. */
export const CARD_HOLDER_MAX_LENGTH = 35;

function holderProblem(holder: string): CardProblemCode | undefined {
  const name = holder.trim();
  if (name === '') return 'required';
  if (name.length > CARD_HOLDER_MAX_LENGTH) return 'too_long';
  // Control characters cannot be typed into the field; if present, the request was forged.
  if (/\p{Cc}/u.test(name)) return 'invalid';
  return undefined;
}

function numberProblem(digits: string | undefined, raw: string, allowed: readonly CardBrand[] | undefined): CardProblemCode | undefined {
  if (raw.trim() === '') return 'required';
  if (digits === undefined) return 'invalid';
  const rule = ruleFor(digits);
  if (rule === undefined) return 'brand_unsupported';
  if (!rule.lengths.includes(digits.length)) return 'length';
  if (!luhnValid(digits)) return 'luhn';
  if (allowed !== undefined && !allowed.includes(rule.brand)) return 'brand_not_allowed';
  return undefined;
}

/**
 * Checks the card form. `allowedBrands` narrows the brands (a request's BRAND, or the merchant's
 * active brands). Every problem is reported, one per field, so the form can mark each field.
 */
export function validateCard(
  input: CardInput,
  now: Date,
  allowedBrands?: readonly CardBrand[],
  /** DirectLink: CN and CVC may be left out (recurring payments, MOTO); when sent they are checked. */
  optional: { holder?: boolean; cvc?: boolean } = {},
): { readonly ok: true; readonly card: PaymentCard } | { readonly ok: false; readonly problems: readonly CardProblem[] } {
  const problems: CardProblem[] = [];
  const holder = optional.holder === true && input.holder.trim() === '' ? undefined : holderProblem(input.holder);
  if (holder !== undefined) problems.push({ field: 'holder', code: holder });
  const digits = normaliseCardNumber(input.number);
  const number = numberProblem(digits, input.number, allowedBrands);
  if (number !== undefined) problems.push({ field: 'number', code: number });
  const expiry = input.expiry.trim() === '' ? { ok: false as const, problem: 'required' as const } : parseExpiry(input.expiry, now);
  if (!expiry.ok) problems.push({ field: 'expiry', code: expiry.problem });
  const brand = digits === undefined ? undefined : detectBrand(digits);
  const cvc = input.cvc.trim();
  if (brand !== undefined && !(optional.cvc === true && cvc === '') && !cvcValid(cvc, brand))
    problems.push({ field: 'cvc', code: cvc === '' ? 'required' : 'invalid' });
  if (problems.length > 0 || digits === undefined || brand === undefined || !expiry.ok) return { ok: false, problems };
  // The holder is stored and sent back as CN: a number typed into it is masked like any other.
  const summary: CardSummary = {
    brand,
    masked: maskCardNumber(digits),
    expiry: expiry.expiry,
    holder: maskPans(input.holder.trim()),
    bin: digits.slice(0, BIN_LENGTH),
  };
  return { ok: true, card: new PaymentCard(digits, cvc, summary) };
}
