// paForNode requests as the node sends them to a station (simulated or real), built with Varco's
// own codec: verify, get payment (V1/V2) and the receipts (V1/V2) for one notice of one EC.
import type { OutboundRequest } from '../../src/modules/outbound/index.ts';
import { encodeRequest, parseNoticeNumber, type EcOperation, type RequestOf } from '../../src/protocols/pagopa/index.ts';

export interface PaCallInput {
  /** idPA and qrCode/fiscalCode: the EC's fiscal code. */
  ec: string;
  noticeNumber: string;
  /** idBrokerPA; default: the EC itself. */
  broker?: string;
  /** idStation; default `<ec>_01`. */
  station?: string;
  /** paSendRT[V2]: the receipt's id (the token); default: a fixed one. */
  receiptId?: string;
  /** paSendRT[V2]: the amount paid, one transfer to the EC; default 100.00 €. */
  amountCents?: number;
  /** paGetPayment[V2]: the amount the PSP asks for (optional element). */
  requestedAmountCents?: number;
}

const DEBTOR = { uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RSSMRA80A01H501U' }, fullName: 'Mario Rossi' } as const;
const PSP = { idPSP: 'AGID_01', PSPCompanyName: 'AgID', idChannel: '97735020584_03', channelDescription: 'app' } as const;

function receiptOf(input: PaCallInput) {
  const amount = input.amountCents ?? 10_000;
  return {
    receiptId: input.receiptId ?? 'c110729d258c4ab1b765fe902aae41d6',
    noticeNumber: input.noticeNumber,
    fiscalCode: input.ec,
    outcome: 'OK' as const,
    creditorReferenceId: parseNoticeNumber(input.noticeNumber)?.iuv ?? input.noticeNumber.slice(1),
    paymentAmount: amount,
    description: 'Pagamento di prova',
    companyName: 'Ente di prova',
    debtor: DEBTOR,
    transferList: {
      transfer: [
        {
          idTransfer: 1,
          transferAmount: amount,
          fiscalCodePA: input.ec,
          IBAN: 'IT60X0542811101000000123456',
          remittanceInformation: 'Prova',
          transferCategory: '9/0101108TS/',
        },
      ],
    },
    ...PSP,
  };
}

/** The request's value for `op`, typed by the codec. */
function valueOf<O extends EcOperation>(op: O, input: PaCallInput): RequestOf<O> {
  const head = { idPA: input.ec, idBrokerPA: input.broker ?? input.ec, idStation: input.station ?? `${input.ec}_01` };
  const qrCode = { fiscalCode: input.ec, noticeNumber: input.noticeNumber };
  const asked = input.requestedAmountCents === undefined ? {} : { amount: input.requestedAmountCents };
  switch (op) {
    case 'paVerifyPaymentNotice':
      return { ...head, qrCode } as RequestOf<O>;
    case 'paGetPayment':
    case 'paGetPaymentV2':
      return { ...head, qrCode, ...asked } as RequestOf<O>;
    default:
      return { ...head, receipt: receiptOf(input) } as RequestOf<O>;
  }
}

/** The SOAP envelope the node sends for `op`. */
export function paRequestBody(op: EcOperation, input: PaCallInput): string {
  return encodeRequest(op, valueOf(op, input));
}

/** The whole outbound request, as the node gives it to the station caller or the simulator. */
export function paRequest(op: EcOperation, input: PaCallInput): OutboundRequest {
  return { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${op}"` }, body: paRequestBody(op, input) };
}
