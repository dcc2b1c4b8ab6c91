// The receipts the node builds and delivers with paSendRT / paSendRTV2 (paForNode.xsd ctReceipt,
// ctReceiptV2). Note the XSD spells the last element `standIn` (the spec pages show `standin`).
import { complex, el, opt, type Infer } from './schema.ts';
import {
  ctMetadata,
  ctSubject,
  stAmount,
  stFiscalCodePA,
  stISODate,
  stISODateTime,
  stNoticeNumber,
  stOutcome,
  stText140,
  stText20,
  stText210,
  stText35,
  stText70,
  xsBoolean,
  xsString,
} from './xsd.common.ts';
import { ctTransferListPA, ctTransferListPAReceiptV2 } from './messages.pa-types.ts';

const receiptHead = [
  el('receiptId', xsString),
  el('noticeNumber', stNoticeNumber),
  el('fiscalCode', stFiscalCodePA),
  el('outcome', stOutcome),
  el('creditorReferenceId', stText35),
  el('paymentAmount', stAmount),
  el('description', stText140),
  el('companyName', stText140),
  opt('officeName', stText140),
  el('debtor', ctSubject),
] as const;

const pspPart = [
  el('idPSP', stText35),
  opt('pspFiscalCode', stText70),
  opt('pspPartitaIVA', stText20),
  el('PSPCompanyName', stText70),
  el('idChannel', stText35),
  el('channelDescription', stText35),
  opt('payer', ctSubject),
  opt('paymentMethod', stText35),
] as const;

export const ctReceipt = complex('ctReceipt', [
  ...receiptHead,
  el('transferList', ctTransferListPA),
  ...pspPart,
  opt('fee', stAmount),
  opt('paymentDateTime', stISODateTime),
  opt('applicationDate', stISODate),
  opt('transferDate', stISODate),
  opt('metadata', ctMetadata),
  opt('standIn', xsBoolean),
]);

export const ctReceiptV2 = complex('ctReceiptV2', [
  ...receiptHead,
  el('transferList', ctTransferListPAReceiptV2),
  ...pspPart,
  opt('paymentNote', stText210),
  opt('fee', stAmount),
  opt('primaryCiIncurredFee', stAmount),
  opt('idBundle', stText70),
  opt('idCiBundle', stText70),
  opt('paymentDateTime', stISODateTime),
  opt('applicationDate', stISODate),
  opt('transferDate', stISODate),
  opt('metadata', ctMetadata),
  opt('standIn', xsBoolean),
]);

export type Receipt = Infer<typeof ctReceipt>;
export type ReceiptV2 = Infer<typeof ctReceiptV2>;
