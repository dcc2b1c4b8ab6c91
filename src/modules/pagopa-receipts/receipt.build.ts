import {
  encodeRequest,
  toXsdDateTime,
  type PaSendRTReq,
  type PaSendRTV2Request,
  type PaymentPA,
  type PaymentPAV2,
  type Receipt,
  type ReceiptV2,
  type SendPaymentOutcomeV2Request,
} from '../../protocols/pagopa/index.ts';
import type { PaidPayment } from './receipts.types.ts';

// Building a receipt, pure: the paid payment's snapshot (what the EC answered to paGetPayment[V2],
// what the PSP reported in sendPaymentOutcome[V2], who the PSP is) → ctReceipt (paSendRT, V1) or
// ctReceiptV2 (paSendRTV2), for the primitive version the destination station speaks when the
// receipt is SENT, not when it was scheduled: a station relinked meanwhile gets its own version.
// Every EC of the transfer list gets the same receipt (receipt/fiscalCode is the notice's EC); only
// the header (idPA, idBrokerPA, idStation) names the recipient.

/** What a receipt row stores (jsonb): the PaidPayment without its routing fields, dates as text. */
export interface ReceiptSnapshot {
  v: 1;
  token: string;
  noticeNumber: string;
  fiscalCode: string;
  /** ctReceipt/companyName is mandatory: the EC's own (paGetPayment) or, for V1 answers without it, the EC's name in Varco. */
  companyName: string;
  payment: PaidPayment['payment'];
  psp: PaidPayment['psp'];
  details?: PaidPayment['details'];
  /** ISO instant of the outcome. */
  paidAt: string;
}

/** Why a receipt cannot be expressed for a version (the delivery is failed and retried: a relinked station may take it). */
export class ReceiptBuildError extends Error {
  override readonly name = 'ReceiptBuildError';
}

type Details = NonNullable<PaidPayment['details']>;
/** The V2 details' extra fields; a V1 details value simply has none of them. */
type V2Extras = Partial<NonNullable<SendPaymentOutcomeV2Request['details']>>;
type PaymentTransfer = PaymentPA['transferList']['transfer'][number] | PaymentPAV2['transferList']['transfer'][number];
type TransferV1 = Receipt['transferList']['transfer'][number];
type TransferV2 = ReceiptV2['transferList']['transfer'][number];

/** At most `max` characters (XSD lengths count characters), never empty. */
export function clip(text: string, max: number, fallback: string): string {
  const trimmed = [...text.trim()].slice(0, max).join('').trim();
  return trimmed === '' ? fallback : trimmed;
}

/** The institutions that get a copy: the notice's EC first, then each other transfer beneficiary once, in order. */
export function recipientsOf(paid: Pick<PaidPayment, 'fiscalCode' | 'payment'>): string[] {
  const codes = [paid.fiscalCode, ...paid.payment.data.transferList.transfer.map((t) => t.fiscalCodePA)];
  return [...new Set(codes)];
}

export function snapshotOf(paid: PaidPayment, ecName: string | undefined): ReceiptSnapshot {
  const company = paid.payment.data.companyName ?? ecName ?? paid.fiscalCode;
  return {
    v: 1,
    token: paid.token,
    noticeNumber: paid.noticeNumber,
    fiscalCode: paid.fiscalCode,
    companyName: clip(company, 140, paid.fiscalCode),
    payment: paid.payment,
    psp: paid.psp,
    ...(paid.details ? { details: paid.details } : {}),
    paidAt: paid.paidAt.toISOString(),
  };
}

/** A stored snapshot read back; undefined for anything this version did not write. */
export function parseSnapshot(value: unknown): ReceiptSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Partial<ReceiptSnapshot>;
  const payment = s.payment as { version?: unknown; data?: { transferList?: { transfer?: unknown } } } | undefined;
  const ok =
    s.v === 1 &&
    typeof s.token === 'string' &&
    typeof s.noticeNumber === 'string' &&
    typeof s.fiscalCode === 'string' &&
    typeof s.companyName === 'string' &&
    typeof s.paidAt === 'string' &&
    !Number.isNaN(Date.parse(s.paidAt)) &&
    (payment?.version === 1 || payment?.version === 2) &&
    Array.isArray(payment.data?.transferList?.transfer) &&
    typeof s.psp === 'object' &&
    s.psp !== null;
  return ok ? (s as ReceiptSnapshot) : undefined;
}

/** The stamp the PSP delivered for a transfer that asked for one (sendPaymentOutcomeV2 marcheDaBollo). */
function stampFor(s: ReceiptSnapshot, idTransfer: number): string {
  const stamps = (s.details as V2Extras | undefined)?.marcheDaBollo?.marcaDaBollo ?? [];
  const found = stamps.find((m) => m.paymentToken === s.token && m.idTransfer === idTransfer);
  if (!found)
    throw new ReceiptBuildError(`transfer ${idTransfer} asks for a stamp duty (richiestaMarcaDaBollo) but the PSP's outcome carries no MBDAttachment for it`);
  return found.MBDAttachment;
}

function transferV1(t: PaymentTransfer): TransferV1 {
  if (t.IBAN === undefined) {
    throw new ReceiptBuildError(
      `transfer ${t.idTransfer} is a stamp duty: paSendRT (primitive version 1) cannot carry it; link a station that speaks version 2`,
    );
  }
  return {
    idTransfer: t.idTransfer,
    transferAmount: t.transferAmount,
    fiscalCodePA: t.fiscalCodePA,
    IBAN: t.IBAN,
    remittanceInformation: t.remittanceInformation,
    transferCategory: t.transferCategory,
    ...(t.metadata ? { metadata: t.metadata } : {}),
  };
}

function transferV2(s: ReceiptSnapshot, t: PaymentTransfer): TransferV2 {
  const common = {
    idTransfer: t.idTransfer,
    transferAmount: t.transferAmount,
    fiscalCodePA: t.fiscalCodePA,
    ...('companyName' in t && t.companyName !== undefined ? { companyName: t.companyName } : {}),
    remittanceInformation: t.remittanceInformation,
    transferCategory: t.transferCategory,
    ...(t.metadata ? { metadata: t.metadata } : {}),
  };
  return t.IBAN !== undefined ? { ...common, IBAN: t.IBAN } : { ...common, MBDAttachment: stampFor(s, t.idTransfer) };
}

/** The fields both receipt versions share, in no particular order (the encoder writes the XSD's). */
function commonPart(s: ReceiptSnapshot) {
  const p = s.payment.data;
  const d: Details | undefined = s.details;
  return {
    receiptId: s.token,
    noticeNumber: s.noticeNumber,
    fiscalCode: s.fiscalCode,
    outcome: 'OK' as const,
    creditorReferenceId: p.creditorReferenceId,
    paymentAmount: p.paymentAmount,
    description: p.description,
    companyName: s.companyName,
    ...(p.officeName ? { officeName: p.officeName } : {}),
    debtor: p.debtor,
    idPSP: s.psp.idPSP,
    PSPCompanyName: clip(s.psp.companyName, 70, s.psp.idPSP),
    idChannel: s.psp.idChannel,
    // pagoPA's node writes the channel's description; Varco knows the PSP's reported channel kind, if any.
    channelDescription: d?.paymentChannel ?? 'NA',
    ...(d?.payer ? { payer: d.payer } : {}),
    ...(d ? { paymentMethod: d.paymentMethod, fee: d.fee, applicationDate: d.applicationDate, transferDate: d.transferDate } : {}),
    paymentDateTime: toXsdDateTime(new Date(s.paidAt)),
    ...(p.metadata ? { metadata: p.metadata } : {}),
  };
}

export function buildReceiptV1(s: ReceiptSnapshot): Receipt {
  return { ...commonPart(s), transferList: { transfer: s.payment.data.transferList.transfer.map(transferV1) } };
}

export function buildReceiptV2(s: ReceiptSnapshot): ReceiptV2 {
  const extras = s.details as V2Extras | undefined;
  return {
    ...commonPart(s),
    transferList: { transfer: s.payment.data.transferList.transfer.map((t) => transferV2(s, t)) },
    ...(s.payment.paymentNote !== undefined ? { paymentNote: s.payment.paymentNote } : {}),
    ...(extras?.primaryCiIncurredFee !== undefined ? { primaryCiIncurredFee: extras.primaryCiIncurredFee } : {}),
    ...(extras?.idBundle !== undefined ? { idBundle: extras.idBundle } : {}),
    ...(extras?.idCiBundle !== undefined ? { idCiBundle: extras.idCiBundle } : {}),
  };
}

/** The station header of paForNode requests: the recipient EC, its broker (the station owner's tax code) and the station's code. */
export interface StationHeader {
  idPA: string;
  idBrokerPA: string;
  idStation: string;
}

/**
 * The SOAP request delivering the receipt to one station: paSendRT (version 1) or paSendRTV2.
 * Throws ReceiptBuildError, or the codec's EncodeError when a value breaks the XSD.
 */
export function sendRtRequest(s: ReceiptSnapshot, version: 1 | 2, header: StationHeader): { operation: 'paSendRT' | 'paSendRTV2'; body: string } {
  if (version === 1) {
    const value: PaSendRTReq = { ...header, receipt: buildReceiptV1(s) };
    return { operation: 'paSendRT', body: encodeRequest('paSendRT', value) };
  }
  const value: PaSendRTV2Request = { ...header, receipt: buildReceiptV2(s) };
  return { operation: 'paSendRTV2', body: encodeRequest('paSendRTV2', value) };
}
