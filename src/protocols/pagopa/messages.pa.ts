// paForNode.xsd (node → EC station): verify, get payment (V1/V2), send receipt (V1/V2).
import { complex, el, opt, type Infer } from './schema.ts';
import {
  ctMetadata,
  ctQrCode,
  ctSubject,
  responseHead,
  stAmount,
  stAmountNotZero,
  stFiscalCodePA,
  stISODate,
  stText140,
  stText210,
  stText35,
  xsBoolean,
  xsDateTime,
} from './xsd.common.ts';
import { ctTransferListPA, ctTransferListPAV2, stAmountOption, stTransferType } from './messages.pa-types.ts';
import { ctReceipt, ctReceiptV2 } from './messages.receipt.ts';

/** The EC's station identity, first in every paForNode request. */
const paHead = [el('idPA', stText35), el('idBrokerPA', stText35), el('idStation', stText35)] as const;

const ctPaymentOptionDescriptionPA = complex('ctPaymentOptionDescriptionPA', [
  el('amount', stAmountNotZero),
  el('options', stAmountOption),
  opt('dueDate', stISODate),
  opt('detailDescription', stText140),
  el('allCCP', xsBoolean),
]);
// maxOccurs="1": the EC offers exactly one payment option.
const ctPaymentOptionsDescriptionListPA = complex('ctPaymentOptionsDescriptionListPA', [el('paymentOptionDescription', ctPaymentOptionDescriptionPA)]);

const paymentHead = [
  el('creditorReferenceId', stText35),
  el('paymentAmount', stAmountNotZero),
  el('dueDate', stISODate),
  opt('retentionDate', xsDateTime),
  opt('lastPayment', xsBoolean),
  el('description', stText140),
] as const;

const ctPaymentPA = complex('ctPaymentPA', [
  ...paymentHead,
  opt('companyName', stText140),
  opt('officeName', stText140),
  el('debtor', ctSubject),
  el('transferList', ctTransferListPA),
  opt('metadata', ctMetadata),
]);

// V2 makes companyName mandatory and allows a stamp-duty request instead of an IBAN.
const ctPaymentPAV2 = complex('ctPaymentPAV2', [
  ...paymentHead,
  el('companyName', stText140),
  opt('officeName', stText140),
  el('debtor', ctSubject),
  el('transferList', ctTransferListPAV2),
  opt('metadata', ctMetadata),
]);

const getPaymentRequest = [
  ...paHead,
  el('qrCode', ctQrCode),
  opt('amount', stAmount),
  opt('paymentNote', stText210),
  opt('transferType', stTransferType),
  opt('dueDate', stISODate),
] as const;

export const paVerifyPaymentNoticeReq = complex('paVerifyPaymentNoticeReq', [...paHead, el('qrCode', ctQrCode)]);
export const paVerifyPaymentNoticeRes = complex('paVerifyPaymentNoticeRes', [
  ...responseHead,
  opt('paymentList', ctPaymentOptionsDescriptionListPA),
  opt('paymentDescription', stText140),
  opt('fiscalCodePA', stFiscalCodePA),
  opt('companyName', stText140),
  opt('officeName', stText140),
]);

export const paGetPaymentReq = complex('paGetPaymentReq', getPaymentRequest);
export const paGetPaymentRes = complex('paGetPaymentRes', [...responseHead, opt('data', ctPaymentPA)]);
export const paGetPaymentV2Request = complex('paGetPaymentV2Request', getPaymentRequest);
export const paGetPaymentV2Response = complex('paGetPaymentV2Response', [...responseHead, opt('data', ctPaymentPAV2)]);

export const paSendRTReq = complex('paSendRTReq', [...paHead, el('receipt', ctReceipt)]);
export const paSendRTRes = complex('paSendRTRes', [...responseHead]);
export const paSendRTV2Request = complex('paSendRTV2Request', [...paHead, el('receipt', ctReceiptV2)]);
export const paSendRTV2Response = complex('paSendRTV2Response', [...responseHead]);

export type PaVerifyPaymentNoticeReq = Infer<typeof paVerifyPaymentNoticeReq>;
export type PaVerifyPaymentNoticeRes = Infer<typeof paVerifyPaymentNoticeRes>;
export type PaGetPaymentReq = Infer<typeof paGetPaymentReq>;
export type PaGetPaymentRes = Infer<typeof paGetPaymentRes>;
export type PaGetPaymentV2Request = Infer<typeof paGetPaymentV2Request>;
export type PaGetPaymentV2Response = Infer<typeof paGetPaymentV2Response>;
export type PaSendRTReq = Infer<typeof paSendRTReq>;
export type PaSendRTRes = Infer<typeof paSendRTRes>;
export type PaSendRTV2Request = Infer<typeof paSendRTV2Request>;
export type PaSendRTV2Response = Infer<typeof paSendRTV2Response>;
/** The payment an EC returns in paGetPayment (V1) / paGetPaymentV2. */
export type PaymentPA = Infer<typeof ctPaymentPA>;
export type PaymentPAV2 = Infer<typeof ctPaymentPAV2>;
