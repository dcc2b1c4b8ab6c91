/**
 * NCERROR codes of the hosted payment page, with the platform's texts: what the error log shows,
 * what feedback carries as NCERRORPLUS, and the family (NCSTATUS, the first digit) of each.
 * Only the codes Varco's hosted page emits (entry, validation, outcomes; an acquirer may also answer
 * 30001001) are here, which a test checks; DirectLink's catalogue is ncerror.ts (the two
 * meet when merged). Texts as the platform's code list words them [ODOO `data/ogone.py`, PERL
 * Status.pm, ADV §13]; docs/reference/ogone/hosted-page.md, "NCERROR".
 */

export const HOSTED_NC_ERROR = Object.freeze({
  OK: '0',
  /** Uncertain: the acquirer's answer was lost. */
  UNKNOWN_STATUS: '20001001',
  PAYMENT_REFUSED: '30001001',
  TECHNICAL_PROBLEM: '30001998',
  AUTHORISATION_DECLINED: '30051001',
  CANCELLED_BY_BUYER: '30171001',
  AUTHENTICATION_FAILED: '40001134',
  AMOUNT_NOT_NUMBER: '50001006',
  OPERATION_NOT_ALLOWED: '50001007',
  DATA_VALIDATION: '50001111',
  ALREADY_PROCESSED: '50001113',
  PSPID_NOT_FOUND: '50001118',
  INVALID_CURRENCY: '50001120',
  CURRENCY_DECIMALS: '50001121',
  CURRENCY_NOT_ACCEPTED: '50001122',
  SHA_MISMATCH: '50001184',
  ALIAS_CARD_NUMBER: '50001216',
});

export type HostedNcError = (typeof HOSTED_NC_ERROR)[keyof typeof HOSTED_NC_ERROR];

const E = HOSTED_NC_ERROR;

/** The platform's text of each code, as its code list writes it (capitals and full stops included). */
export const HOSTED_NC_ERROR_TEXT: Readonly<Record<HostedNcError, string>> = Object.freeze({
  [E.OK]: 'OK',
  [E.UNKNOWN_STATUS]:
    'We received an unknown status for the transaction. We will contact your acquirer and update the status of the transaction within one working day. Please check the status later.',
  [E.PAYMENT_REFUSED]: 'Payment refused by the acquirer',
  [E.TECHNICAL_PROBLEM]: 'A technical problem occurred, please try again.',
  [E.AUTHORISATION_DECLINED]: 'Authorization declined',
  [E.CANCELLED_BY_BUYER]: 'Payment method cancelled by the buyer',
  [E.AUTHENTICATION_FAILED]: 'Authentication failed, please retry or cancel.',
  [E.AMOUNT_NOT_NUMBER]: 'Amount is not a number',
  [E.OPERATION_NOT_ALLOWED]: 'Requested Operation code not allowed',
  [E.DATA_VALIDATION]: 'Data validation error',
  [E.ALREADY_PROCESSED]: 'This order has already been processed',
  [E.PSPID_NOT_FOUND]: 'Pspid not found or not correct',
  [E.INVALID_CURRENCY]: 'Invalid currency',
  [E.CURRENCY_DECIMALS]: 'Invalid number of decimals for the currency',
  [E.CURRENCY_NOT_ACCEPTED]: 'Currency not accepted by the merchant',
  [E.SHA_MISMATCH]: 'SHA Mismatch',
  [E.ALIAS_CARD_NUMBER]: 'The alias must be different than the card number',
});

/** The platform's text of an NCERROR, or undefined for a code outside the hosted page's list. */
export function hostedNcErrorText(code: string): string | undefined {
  return Object.hasOwn(HOSTED_NC_ERROR_TEXT, code) ? HOSTED_NC_ERROR_TEXT[code as HostedNcError] : undefined;
}

/**
 * NCERRORPLUS as feedback and DirectLink carry it: `!` when there is no error (NCERROR 0, as in
 * every captured platform answer), otherwise the detail of the error, which for a payment's
 * outcome is the code's text. Empty when the code is not one the page knows.
 */
export function ncErrorPlus(code: string): string {
  if (code === E.OK) return '!';
  return hostedNcErrorText(code) ?? '';
}

/** NCSTATUS: the first digit of NCERROR (`0` for 0) [DL]. */
export function ncStatus(code: string): string {
  return code === E.OK || code === '' ? '0' : code.charAt(0);
}
