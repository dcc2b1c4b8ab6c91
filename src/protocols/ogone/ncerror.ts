/**
 * NCERROR values Varco answers with, and the platform's text for each (the texts shop plugins show
 * and match on; Ingenico's own code list, as published with client libraries —
 * docs/reference/ogone/directlink.md, "NCERROR"). NCSTATUS is the first digit of NCERROR.
 * Pure data: no I/O.
 */

export const NC_ERROR = Object.freeze({
  OK: '0',
  /** The acquirer's result is unknown: query the status later. */
  STATUS_UNKNOWN: '20001001',
  ACQUIRER_DECLINED: '30051001',
  /** An acquirer declined a maintenance operation (capture, refund…). */
  ACQUIRER_REFUSED: '30001001',
  TECHNICAL_RETRY: '30001998',
  CANCELLED_BY_BUYER: '30171001',
  AUTHENTICATION_FAILED: '40001134',
  EXPIRY_DATE: '50001005',
  AMOUNT_NOT_NUMBER: '50001006',
  OPERATION_NOT_ALLOWED: '50001007',
  CARD_NUMBER: '50001054',
  CVC_FORMAT: '50001066',
  DATA_VALIDATION: '50001111',
  ALREADY_PROCESSED: '50001113',
  PSPID_NOT_FOUND: '50001118',
  PASSWORD: '50001119',
  INVALID_CURRENCY: '50001120',
  CURRENCY_DECIMALS: '50001121',
  CURRENCY_NOT_ACCEPTED: '50001122',
  CAPTURE_OVERFLOW: '50001126',
  ORIGINAL_STATUS: '50001127',
  REFUND_OVERFLOW: '50001129',
  ORIGINAL_ORDER: '50001130',
  ORIGINAL_HISTORY_ITEM: '50001131',
  HOLDER_TOO_LONG: '50001174',
  CARD_NUMBER_EMPTY: '50001178',
  EXPIRY_MONTH: '50001182',
  EXPIRY_PAST: '50001183',
  SHA_MISMATCH: '50001184',
  /** ALIAS holds a card number (the Alias Manager's code). */
  ALIAS_CARD_NUMBER: '50001216',
});

export type NcError = (typeof NC_ERROR)[keyof typeof NC_ERROR];

/** The platform's texts, word for word (including its capitalisation). */
export const NC_ERROR_TEXT: Readonly<Record<NcError, string>> = Object.freeze({
  '0': '!',
  '20001001':
    'We received an unknown status for the transaction. We will contact your acquirer and update the status of the transaction within one working day. Please check the status later.',
  '30051001': 'Authorization declined',
  '30001001': 'Payment refused by the acquirer',
  '30001998': 'A technical problem occurred, please try again.',
  '30171001': 'Payment method cancelled by the buyer',
  '40001134': 'Authentication failed, please retry or cancel.',
  '50001005': 'Expiration Date error',
  '50001006': 'Amount is not a number',
  '50001007': 'Requested Operation code not allowed',
  '50001054': 'Card number incorrect or incompatible',
  '50001066': 'Format of CVC code invalid',
  '50001111': 'Data validation error',
  '50001113': 'This order has already been processed',
  '50001118': 'Pspid not found or not correct',
  '50001119': 'Password incorrect or disabled due to numbers of errors',
  '50001120': 'Invalid currency',
  '50001121': 'Invalid number of decimals for the currency',
  '50001122': 'Currency not accepted by the merchant',
  '50001126': 'Overflow in data capture requests for the original order',
  '50001127': 'The original order is not in a correct status',
  '50001129': 'Overflow in refunds requests',
  '50001130': 'Error access to original order',
  '50001131': 'Error access to original history item',
  '50001174': 'Card Holder Name is too long',
  '50001178': 'Card Number Empty',
  '50001182': 'Invalid expiration month',
  '50001183': 'Expiration date must be in the future',
  '50001184': 'SHA Mismatch',
  '50001216': 'The alias must be different than the card number',
});

/** The platform's text of a code, or undefined for a code outside this catalogue (an acquirer's). */
export function ncErrorText(code: string): string | undefined {
  return (NC_ERROR_TEXT as Readonly<Record<string, string>>)[code];
}

/** NCSTATUS: the first digit of NCERROR (`0` when it is `0`). */
export function ncStatusOf(ncError: string): string {
  return ncError === '' ? '' : ncError.charAt(0);
}
