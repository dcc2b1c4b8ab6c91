// paForNode.xsd types shared by the payment (paGetPayment[V2]) and the receipt (paSendRT[V2]):
// the EC's transfers, with IBAN as free text up to 35 characters (stricter on the PSP side).
import { choice, complex, el, enumStr, list, opt, str } from './schema.ts';
import { ctMetadata, ctRichiestaMarcaDaBollo, stAmountNotZero, stFiscalCodePA, stIdTransfer, stText140, xsBase64 } from './xsd.common.ts';

export const stIBANPA = str('stIBAN', { minLength: 1, maxLength: 35 });
export const stAmountOption = enumStr('stAmountOption', ['EQ', 'LS', 'GT', 'ANY']);
export const stTransferType = enumStr('stTransferType', ['POSTAL', 'PAGOPA']);

export const ctTransferPA = complex('ctTransferPA', [
  el('idTransfer', stIdTransfer),
  el('transferAmount', stAmountNotZero),
  el('fiscalCodePA', stFiscalCodePA),
  el('IBAN', stIBANPA),
  el('remittanceInformation', stText140),
  el('transferCategory', stText140),
  opt('metadata', ctMetadata),
]);
export const ctTransferListPA = complex('ctTransferListPA', [list('transfer', ctTransferPA, 5)]);

export const ctTransferPAV2 = complex('ctTransferPAV2', [
  el('idTransfer', stIdTransfer),
  el('transferAmount', stAmountNotZero),
  el('fiscalCodePA', stFiscalCodePA),
  opt('companyName', stText140),
  choice([el('IBAN', stIBANPA), el('richiestaMarcaDaBollo', ctRichiestaMarcaDaBollo)]),
  el('remittanceInformation', stText140),
  el('transferCategory', stText140),
  opt('metadata', ctMetadata),
]);
export const ctTransferListPAV2 = complex('ctTransferListPAV2', [list('transfer', ctTransferPAV2, 5)]);

/** In the receipt the stamp-duty request is replaced by the stamp itself (MBDAttachment). */
export const ctTransferPAReceiptV2 = complex('ctTransferPAReceiptV2', [
  el('idTransfer', stIdTransfer),
  el('transferAmount', stAmountNotZero),
  el('fiscalCodePA', stFiscalCodePA),
  opt('companyName', stText140),
  choice([el('IBAN', stIBANPA), el('MBDAttachment', xsBase64)]),
  el('remittanceInformation', stText140),
  el('transferCategory', stText140),
  opt('metadata', ctMetadata),
]);
export const ctTransferListPAReceiptV2 = complex('ctTransferListPAReceiptV2', [list('transfer', ctTransferPAReceiptV2, 5)]);
