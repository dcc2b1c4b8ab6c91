/**
 * The feedback fields Varco sends, their values and formats (docs/reference/ogone/hosted-page.md,
 * "Feedback"). Names keep the platform's casing (`orderID`, `CVCCheck`); values Varco cannot know
 * are what the platform sends when it does not know them either.
 */
import { feedbackAmount } from './currencies.ts';
import { ncErrorPlus } from './hosted-errors.ts';

/**
 * Parameters Varco can send: the default set in the order of the platform's documented example,
 * then the *dynamic e-Commerce parameters* a merchant may add, in the order of a captured feedback.
 */
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
  'NCERRORPLUS',
  'IPCTY',
  'CCCTY',
  'ECI',
  'CVCCheck',
  'AAVCheck',
  'IP',
  'BIN',
  'SUBBRAND',
  'SCORING',
  'SCO_CATEGORY',
  'ALIAS',
  'EMAIL',
  // A maintenance operation's number (DirectLink; docs/reference/ogone/directlink.md).
  'PAYIDSUB',
] as const);
export type FeedbackField = (typeof FEEDBACK_FIELDS)[number];

/** The platform's default feedback set [ADV §9.2.3.1]; the others are dynamic parameters to opt into. */
export const DEFAULT_FEEDBACK_FIELDS: readonly FeedbackField[] = Object.freeze(FEEDBACK_FIELDS.slice(0, FEEDBACK_FIELDS.indexOf('CN') + 1));

/** IPCTY / CCCTY when the country is not known: the platform's `99` (captured feedback and DirectLink answers). */
export const UNKNOWN_COUNTRY = '99';
/** CVCCheck / AAVCheck when no check result came back: `NO`, "all other cases" [Parameter Cookbook]. */
export const CHECK_NOT_PERFORMED = 'NO';
/** The platform's ECI values Varco produces: 7 e-commerce over TLS, 5 cardholder authenticated (3-D Secure). */
export const ECI = Object.freeze({ ECOMMERCE: '7', AUTHENTICATED: '5' });

/** What feedback reports of the order (a validated request has these fields). */
export interface FeedbackOrder {
  readonly orderId: string;
  /** Minor units of `currency`. */
  readonly amount: number;
  readonly currency: string;
  readonly paramplus: ReadonlyArray<readonly [string, string]>;
  readonly complus?: string;
  readonly customer: { readonly name?: string; readonly email?: string };
  /** The card token the order created or used (Alias Manager); absent until the token vault sets it. */
  readonly alias?: string;
}

/** The card of an attempt as feedback reports it: never the number or the CVC. */
export interface FeedbackCard {
  readonly brand: string;
  /** CARDNO as sent: `XXXXXXXXXXXX1111`. */
  readonly masked: string;
  readonly expiry: { readonly month: number; readonly year: number };
  readonly holder: string;
  /** BIN: the first six digits of the number (kept with the masked number; a card stored before had none). */
  readonly bin?: string;
  /** Issuing country (ISO 3166 alpha-2) when an acquirer or BIN table tells it; else CCCTY is `99`. */
  readonly country?: string;
  /** The brand's sub-brand when an acquirer tells it (`Visa Purchasing`); else SUBBRAND is empty. */
  readonly subbrand?: string;
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
  /** Country of the customer's IP address, when a GeoIP source tells it; else IPCTY is `99`. */
  readonly ipCountry?: string;
  /** The card holder passed 3-D Secure: ECI 5 instead of 7. */
  readonly authenticated?: boolean;
  /** CVC and address check results an acquirer returned (`OK`/`KO`/`NO`); default `NO`. */
  readonly cvcCheck?: string;
  readonly aavCheck?: string;
  /** Fraud scoring, when a fraud module scored the payment; empty otherwise. */
  readonly scoring?: string;
  readonly scoreCategory?: string;
  /** The maintenance operation reported (PAYIDSUB); absent for the payment itself. */
  readonly payIdSub?: string;
}

/** Feedback ED: `MMYY`. */
export function expiryED(expiry: FeedbackCard['expiry']): string {
  return `${String(expiry.month).padStart(2, '0')}${String(expiry.year % 100).padStart(2, '0')}`;
}

/** `MM/DD/YY`, as in the platform's TRXDATE. */
export function trxDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCMonth() + 1)}/${two(date.getUTCDate())}/${two(date.getUTCFullYear() % 100)}`;
}

type Values = Readonly<Record<FeedbackField, () => string>>;

/** Fields about the order and its outcome. */
function orderValues(order: FeedbackOrder, payment: FeedbackPayment): Omit<Values, CardField> {
  return {
    orderID: () => order.orderId,
    currency: () => order.currency,
    amount: () => feedbackAmount(order.amount, order.currency),
    PM: () => 'CreditCard',
    ACCEPTANCE: () => payment.acceptance ?? '',
    STATUS: () => String(payment.status),
    PAYID: () => payment.payId,
    NCERROR: () => payment.ncError,
    NCERRORPLUS: () => ncErrorPlus(payment.ncError),
    TRXDATE: () => trxDate(payment.date),
    CN: () => payment.card?.holder ?? order.customer.name ?? '',
    IP: () => payment.ip ?? '',
    // Varco has no GeoIP database; the platform writes 99 for a country it cannot tell.
    IPCTY: () => payment.ipCountry ?? UNKNOWN_COUNTRY,
    SCORING: () => payment.scoring ?? '',
    SCO_CATEGORY: () => payment.scoreCategory ?? '',
    ALIAS: () => order.alias ?? '',
    EMAIL: () => order.customer.email ?? '',
    PAYIDSUB: () => payment.payIdSub ?? '',
  };
}

type CardField = 'CARDNO' | 'BRAND' | 'ED' | 'BIN' | 'CCCTY' | 'ECI' | 'CVCCheck' | 'AAVCheck' | 'SUBBRAND';

/** Fields about the card: empty when the customer never submitted one (a cancel on the first page). */
function cardValues(payment: FeedbackPayment): Pick<Values, CardField> {
  const card = payment.card;
  const ifCard = (value: () => string) => () => (card === undefined ? '' : value());
  return {
    CARDNO: ifCard(() => card?.masked ?? ''),
    BRAND: ifCard(() => card?.brand ?? ''),
    ED: ifCard(() => (card ? expiryED(card.expiry) : '')),
    BIN: ifCard(() => card?.bin ?? ''),
    CCCTY: ifCard(() => card?.country ?? UNKNOWN_COUNTRY),
    ECI: ifCard(() => (payment.authenticated === true ? ECI.AUTHENTICATED : ECI.ECOMMERCE)),
    CVCCheck: ifCard(() => payment.cvcCheck ?? CHECK_NOT_PERFORMED),
    AAVCheck: ifCard(() => payment.aavCheck ?? CHECK_NOT_PERFORMED),
    SUBBRAND: ifCard(() => card?.subbrand ?? ''),
  };
}

/** The value of each field, in FEEDBACK_FIELDS order. */
export function fieldValues(order: FeedbackOrder, payment: FeedbackPayment): ReadonlyMap<FeedbackField, string> {
  const values: Values = { ...orderValues(order, payment), ...cardValues(payment) };
  return new Map(FEEDBACK_FIELDS.map((field) => [field, values[field]()]));
}
