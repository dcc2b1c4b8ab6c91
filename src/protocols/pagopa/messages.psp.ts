// nodeForPsp.xsd (PSP → node): the five operations Varco offers, request and response bodies,
// element by element in the XSD's order. Responses extend ctResponse (outcome, fault).
import { bool, complex, el, enumStr, int, list, opt, optChoice, str, type Infer } from './schema.ts';
import {
  ctMetadata,
  ctQrCode,
  ctRichiestaMarcaDaBollo,
  ctSubject,
  responseHead,
  stAmount,
  stAmountNotZero,
  stFiscalCodePA,
  stIdTransfer,
  stISODate,
  stPassword,
  stPaymentToken,
  stText140,
  stText210,
  stText35,
  stText70,
  xsBase64,
} from './xsd.common.ts';

const stIBAN = str('stIBAN', { pattern: '[a-zA-Z]{2,2}[0-9]{2,2}[a-zA-Z0-9]{1,30}' });
const stPaymentMethodFee = enumStr('stPaymentMethodFee', ['BBT', 'BP', 'AD', 'CP', 'PO', 'OBEP', 'JIF', 'MYBK', 'PPAL'], { maxLength: 4 });
const stTouchpointFee = enumStr('stTouchpointFee', ['IO', 'WISP', 'CHECKOUT', 'PSP', 'ATM', 'BETTING', 'TS', 'HB', 'POS'], { maxLength: 10 });
const stIdPSP = str('stIdPSP', { minLength: 1, maxLength: 35 });
const stIdBroker = str('stIdBroker', { minLength: 1, maxLength: 35 });
const stIdChannel = str('stIdChannel', { minLength: 1, maxLength: 35 });
export const stIdempotencyKey = str('stIdempotencyKey', { pattern: '[a-zA-Z0-9]{2,18}_[a-zA-Z0-9]{10}' });
const stExpirationTime = int('stExpirationTime', { base: 'integer', max: 1_800_000 });
const stPaymentMethod = enumStr('stPaymentMethod', ['cash', 'creditCard', 'bancomat', 'other']);
const stPaymentChannel = enumStr('stPaymentChannel', ['frontOffice', 'atm', 'onLine', 'app', 'other']);
const stAmountOptionPSP = enumStr('stAmountOptionPSP', ['EQ', 'LS', 'GT', 'ANY']);

/** The PSP's identity, first in every nodeForPsp request. */
const pspHead = [el('idPSP', stIdPSP), el('idBrokerPSP', stIdBroker), el('idChannel', stIdChannel), el('password', stPassword)] as const;

const ctPaymentOptionDescription = complex('ctPaymentOptionDescription', [
  el('amount', stAmountNotZero),
  el('options', stAmountOptionPSP),
  opt('dueDate', stISODate),
  opt('paymentNote', stText210),
]);
const ctPaymentOptionsDescriptionList = complex('ctPaymentOptionsDescriptionList', [list('paymentOptionDescription', ctPaymentOptionDescription, 5)]);

const ctTransferPSP = complex('ctTransferPSP', [
  el('idTransfer', stIdTransfer),
  el('transferAmount', stAmount),
  el('fiscalCodePA', stFiscalCodePA),
  el('IBAN', stIBAN),
  el('remittanceInformation', stText140),
  opt('metadata', ctMetadata),
]);
const ctTransferListPSP = complex('ctTransferListPSP', [list('transfer', ctTransferPSP, 5)]);

const ctTransferPSPV2 = complex('ctTransferPSPV2', [
  el('idTransfer', stIdTransfer),
  el('transferAmount', stAmount),
  el('fiscalCodePA', stFiscalCodePA),
  opt('companyName', stText140),
  optChoice([el('IBAN', stIBAN), el('richiestaMarcaDaBollo', ctRichiestaMarcaDaBollo)]),
  el('remittanceInformation', stText140),
  opt('transferCategory', stText140),
  opt('metadata', ctMetadata),
]);
const ctTransferListPSPV2 = complex('ctTransferListPSPV2', [list('transfer', ctTransferPSPV2, 5)]);

const ctOutcomeDetails = complex('ctOutcomeDetails', [
  el('paymentMethod', stPaymentMethod),
  opt('paymentChannel', stPaymentChannel),
  el('fee', stAmount),
  opt('payer', ctSubject),
  el('applicationDate', stISODate),
  el('transferDate', stISODate),
]);

const ctMarcaDaBollo = complex('ctMarcaDaBollo', [el('paymentToken', stPaymentToken), el('idTransfer', stIdTransfer), el('MBDAttachment', xsBase64)]);
const ctListaMarcheDaBollo = complex('ctListaMarcheDaBollo', [list('marcaDaBollo', ctMarcaDaBollo, 25)]);

const ctOutcomeDetailsV2 = complex('ctOutcomeDetailsV2', [
  el('paymentMethod', stPaymentMethod),
  opt('paymentChannel', stPaymentChannel),
  el('fee', stAmount),
  opt('primaryCiIncurredFee', stAmount),
  opt('idBundle', stText70),
  opt('idCiBundle', stText70),
  opt('payer', ctSubject),
  el('applicationDate', stISODate),
  el('transferDate', stISODate),
  opt('marcheDaBollo', ctListaMarcheDaBollo),
]);

const stPaymentTokens = complex('stPaymentTokens', [list('paymentToken', stPaymentToken, 5)]);

export const verifyPaymentNoticeReq = complex('verifyPaymentNoticeReq', [...pspHead, el('qrCode', ctQrCode)]);

export const verifyPaymentNoticeRes = complex('verifyPaymentNoticeRes', [
  ...responseHead,
  opt('paymentList', ctPaymentOptionsDescriptionList),
  opt('paymentDescription', stText210),
  opt('fiscalCodePA', stFiscalCodePA),
  opt('companyName', stText140),
  opt('officeName', stText140),
  opt('standin', bool),
]);

const activateHead = [
  ...pspHead,
  opt('idempotencyKey', stIdempotencyKey),
  el('qrCode', ctQrCode),
  opt('expirationTime', stExpirationTime),
  el('amount', stAmount),
  opt('dueDate', stISODate),
  opt('paymentNote', stText210),
] as const;

export const activatePaymentNoticeReq = complex('activatePaymentNoticeReq', activateHead);

export const activatePaymentNoticeRes = complex('activatePaymentNoticeRes', [
  ...responseHead,
  opt('totalAmount', stAmount),
  opt('paymentDescription', stText140),
  opt('fiscalCodePA', stFiscalCodePA),
  opt('companyName', stText140),
  opt('officeName', stText140),
  opt('paymentToken', stPaymentToken),
  opt('transferList', ctTransferListPSP),
  opt('creditorReferenceId', stText35),
  opt('standin', bool),
]);

export const activatePaymentNoticeV2Request = complex('activatePaymentNoticeV2Request', [
  ...activateHead,
  opt('paymentMethod', stPaymentMethodFee),
  opt('touchPoint', stTouchpointFee),
]);

export const activatePaymentNoticeV2Response = complex('activatePaymentNoticeV2Response', [
  ...responseHead,
  opt('totalAmount', stAmount),
  opt('paymentDescription', stText140),
  opt('fiscalCodePA', stFiscalCodePA),
  opt('companyName', stText140),
  opt('officeName', stText140),
  opt('paymentToken', stPaymentToken),
  opt('transferList', ctTransferListPSPV2),
  opt('metadata', ctMetadata),
  opt('creditorReferenceId', stText35),
  opt('suggestedUserFee', stAmount),
  opt('suggestedPaFee', stAmount),
  opt('suggestedIdBundle', stText70),
  opt('suggestedIdCiBundle', stText70),
  opt('allCCP', bool),
  opt('standin', bool),
]);

export const sendPaymentOutcomeReq = complex('sendPaymentOutcomeReq', [
  ...pspHead,
  opt('idempotencyKey', stIdempotencyKey),
  el('paymentToken', stPaymentToken),
  el('outcome', responseHead[0].type),
  opt('details', ctOutcomeDetails),
]);

export const sendPaymentOutcomeRes = complex('sendPaymentOutcomeRes', [...responseHead]);

export const sendPaymentOutcomeV2Request = complex('sendPaymentOutcomeV2Request', [
  ...pspHead,
  opt('idempotencyKey', stIdempotencyKey),
  el('paymentTokens', stPaymentTokens),
  el('outcome', responseHead[0].type),
  opt('details', ctOutcomeDetailsV2),
]);

export const sendPaymentOutcomeV2Response = complex('sendPaymentOutcomeV2Response', [...responseHead]);

export type VerifyPaymentNoticeReq = Infer<typeof verifyPaymentNoticeReq>;
export type VerifyPaymentNoticeRes = Infer<typeof verifyPaymentNoticeRes>;
export type ActivatePaymentNoticeReq = Infer<typeof activatePaymentNoticeReq>;
export type ActivatePaymentNoticeRes = Infer<typeof activatePaymentNoticeRes>;
export type ActivatePaymentNoticeV2Request = Infer<typeof activatePaymentNoticeV2Request>;
export type ActivatePaymentNoticeV2Response = Infer<typeof activatePaymentNoticeV2Response>;
export type SendPaymentOutcomeReq = Infer<typeof sendPaymentOutcomeReq>;
export type SendPaymentOutcomeRes = Infer<typeof sendPaymentOutcomeRes>;
export type SendPaymentOutcomeV2Request = Infer<typeof sendPaymentOutcomeV2Request>;
export type SendPaymentOutcomeV2Response = Infer<typeof sendPaymentOutcomeV2Response>;
