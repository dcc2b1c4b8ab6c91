// The simulated station's decision, pure: scenario list + decoded request + receipt delivery count
// → the HTTP answer (status, body, delay). The simulator (simulated-station.ts) and the test suite's
// real EC station (test/support/ec-station.ts) both answer with it, so they behave the same.
import { createHash } from 'node:crypto';
import {
  buildSoapFault,
  decodeEcRequest,
  EC_OPERATIONS,
  ecFault,
  encodeKo,
  encodeResponse,
  NS,
  parseNoticeNumber,
  responseElement,
  toXsdDate,
  type EcOperation,
  type FaultBean,
  type PaaFaultCode,
  type RequestFor,
  type ResponseOf,
} from '../../protocols/pagopa/index.ts';
import { firstMatch } from './pattern.ts';
import { isForbiddenCharacter } from './scenario.policy.ts';
import { ANSWER_FAULTS, defaultScenario, DUE_IN_DAYS, type PaymentSpec, type Primitive, type Scenario, type SimulatedEc } from './scenario.types.ts';

/** A decoded paForNode request, tagged with its operation. */
export type StationCall = RequestFor<EcOperation>;

export type AnswerOutcome = 'OK' | 'KO' | 'malformed' | 'http503' | 'soap_fault' | 'http_error';

export interface SimulatedAnswer {
  status: number;
  contentType: string;
  body: string;
  /** How long the station waits before answering. */
  delayMs: number;
  outcome: AnswerOutcome;
  faultCode?: string;
  /** Position (0-based) of the scenario that answered, `default`, or undefined when refused before matching. */
  scenario?: number | 'default';
  operation?: EcOperation;
}

const XML = 'text/xml; charset=utf-8';
const DAY_MS = 86_400_000;
const DEBTOR = { uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'ANONIMO' }, fullName: 'Debitore di prova' } as const;

export function primitiveOf(op: EcOperation): Primitive {
  switch (op) {
    case 'paVerifyPaymentNotice':
      return 'verify';
    case 'paGetPayment':
    case 'paGetPaymentV2':
      return 'getPayment';
    case 'paSendRT':
    case 'paSendRTV2':
      return 'receipt';
  }
}

/** Operations of each primitive version (paVerifyPaymentNotice has one version, spoken by both). */
export function offeredBy(version: 1 | 2, op: EcOperation): boolean {
  if (op === 'paVerifyPaymentNotice') return true;
  return op.endsWith('V2') === (version === 2);
}

/** The notice a call is about: qrCode for verify and get, the receipt's notice for paSendRT[V2]. */
export function noticeOf(call: StationCall): { noticeNumber: string; fiscalCode: string } {
  switch (call.operation) {
    case 'paSendRT':
    case 'paSendRTV2':
      return { noticeNumber: call.value.receipt.noticeNumber, fiscalCode: call.value.receipt.fiscalCode };
    default:
      return call.value.qrCode;
  }
}

/** What deliveries of a receipt are counted by: its receiptId, hashed when too long to be a key. */
export function receiptKey(receiptId: string): string {
  return receiptId.length <= 64 ? receiptId : `sha256:${createHash('sha256').update(receiptId).digest('hex')}`;
}

export function receiptKeyOf(call: StationCall): string | undefined {
  return call.operation === 'paSendRT' || call.operation === 'paSendRTV2' ? receiptKey(call.value.receipt.receiptId) : undefined;
}

/**
 * The key a delivery is counted under, only for a receipt a scenario will judge: one of the station's
 * version, for the EC it serves. A receipt refused before (wrong version, wrong idPA) is not counted.
 */
export function deliveryKey(call: StationCall, ec: SimulatedEc, primitiveVersion?: 1 | 2): string | undefined {
  if (primitiveVersion !== undefined && !offeredBy(primitiveVersion, call.operation)) return undefined;
  return call.value.idPA === ec.fiscalCode ? receiptKeyOf(call) : undefined;
}

const soap = (body: string, extra: Partial<SimulatedAnswer> & Pick<SimulatedAnswer, 'outcome'>): SimulatedAnswer => ({
  status: 200,
  contentType: XML,
  body,
  delayMs: 0,
  ...extra,
});

function ko(op: EcOperation, fault: FaultBean, extra: Partial<SimulatedAnswer> = {}): SimulatedAnswer {
  return soap(encodeKo(op, fault), { outcome: 'KO', faultCode: fault.faultCode, operation: op, ...extra });
}

/**
 * Decodes what the node sent. A request the station cannot read is answered as an EC would: the
 * operation's KO with PAA_SINTASSI_XSD / PAA_SINTASSI_EXTRAXSD, or a SOAP Client fault (HTTP 500)
 * when not even the operation can be named.
 */
export function readStationCall(
  body: string | Uint8Array,
  soapAction: string | readonly string[] | undefined,
  ec: SimulatedEc,
): { ok: true; call: StationCall } | { ok: false; answer: SimulatedAnswer } {
  const decoded = decodeEcRequest(body, soapAction);
  if (decoded.ok) return { ok: true, call: { operation: decoded.operation, value: decoded.value } as StationCall };
  const { problem } = decoded;
  const op = EC_OPERATIONS.find((o) => o === problem.operation);
  if (op === undefined) {
    return {
      ok: false,
      answer: {
        status: 500,
        contentType: XML,
        body: buildSoapFault('Client', 'Richiesta non riconosciuta', problem.description),
        delayMs: 0,
        outcome: 'soap_fault',
      },
    };
  }
  const code: PaaFaultCode = problem.kind === 'extra_schema' ? 'PAA_SINTASSI_EXTRAXSD' : 'PAA_SINTASSI_XSD';
  return { ok: false, answer: ko(op, ecFault(code, ec.fiscalCode, problem.description)) };
}

/** A body cut in the middle of the answer: not well-formed XML, whatever the operation. */
export function malformedBody(op: EcOperation): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>` +
    `<pafn:${responseElement(op)} xmlns:pafn="${NS.paForNode}"><outcome>OK</outcome><data><creditorRef`
  );
}

const clip = (text: string): string => {
  const clean = [...text]
    .map((c) => (isForbiddenCharacter(c) ? ' ' : c))
    .join('')
    .trim();
  return [...(clean === '' ? 'Ente creditore' : clean)].slice(0, 140).join('');
};

function dueDateOf(payment: PaymentSpec, now: Date): string {
  return payment.dueDate ?? toXsdDate(new Date(now.getTime() + DUE_IN_DAYS * DAY_MS));
}

function verifyAnswer(ec: SimulatedEc, payment: PaymentSpec, now: Date): ResponseOf<'paVerifyPaymentNotice'> {
  return {
    outcome: 'OK',
    paymentList: {
      paymentOptionDescription: {
        amount: payment.amountCents,
        options: 'EQ',
        dueDate: dueDateOf(payment, now),
        detailDescription: payment.description,
        allCCP: false,
      },
    },
    paymentDescription: payment.description,
    fiscalCodePA: ec.fiscalCode,
    companyName: clip(payment.companyName ?? ec.name),
  };
}

function paymentData(ec: SimulatedEc, payment: PaymentSpec, noticeNumber: string, now: Date) {
  return {
    creditorReferenceId: parseNoticeNumber(noticeNumber)?.iuv ?? noticeNumber.slice(1),
    paymentAmount: payment.amountCents,
    dueDate: dueDateOf(payment, now),
    description: payment.description,
    companyName: clip(payment.companyName ?? ec.name),
    debtor: DEBTOR,
    transferList: {
      transfer: payment.transfers.map((t, i) => ({
        idTransfer: i + 1,
        transferAmount: t.amountCents,
        fiscalCodePA: t.fiscalCode,
        IBAN: t.iban,
        remittanceInformation: t.remittance,
        transferCategory: t.category,
      })),
    },
  };
}

export interface DecideInput {
  scenarios: readonly Scenario[];
  ec: SimulatedEc;
  call: StationCall;
  /** The station's primitive version: an operation of the other version is refused. Undefined: both. */
  primitiveVersion?: 1 | 2;
  /** For paSendRT[V2]: which delivery of this receipt this is (1 for the first). */
  receiptDelivery?: number;
  /** Due dates default to 30 days after this. */
  now: Date;
}

/** The answer to one call. Never throws for a decoded call and a valid scenario list. */
export function decide(input: DecideInput): SimulatedAnswer {
  const { call, ec } = input;
  const op = call.operation;
  if (input.primitiveVersion !== undefined && !offeredBy(input.primitiveVersion, op)) {
    return {
      status: 500,
      contentType: XML,
      body: buildSoapFault('Client', 'Operazione non offerta', `the station speaks primitive version ${input.primitiveVersion}: ${op} is not offered`),
      delayMs: 0,
      outcome: 'soap_fault',
      operation: op,
    };
  }
  if (call.value.idPA !== ec.fiscalCode) return ko(op, ecFault('PAA_ID_DOMINIO_ERRATO', ec.fiscalCode, 'idPA is not the institution this station serves'));
  const notice = noticeOf(call);
  const index = firstMatch(
    input.scenarios.map((s) => s.pattern),
    notice.noticeNumber,
  );
  const scenario = index === -1 ? defaultScenario(ec) : (input.scenarios[index] as Scenario);
  const primitive = primitiveOf(op);
  const seen = { scenario: index === -1 ? ('default' as const) : index, operation: op, delayMs: scenario.delayOn.includes(primitive) ? scenario.delayMs : 0 };
  if (scenario.malformedOn.includes(primitive)) return soap(malformedBody(op), { ...seen, outcome: 'malformed' });
  if (op === 'paSendRT' || op === 'paSendRTV2') {
    const delivery = input.receiptDelivery ?? 1;
    if (delivery > scenario.refuseReceipts) return soap(encodeResponse(op, { outcome: 'OK' }), { ...seen, outcome: 'OK' });
    const why = `simulated refusal ${delivery} of ${scenario.refuseReceipts}`;
    if (scenario.refuseWith === 'http503')
      return { ...seen, status: 503, contentType: 'text/plain; charset=utf-8', body: `Service Unavailable (${why})`, outcome: 'http503' };
    return ko(op, ecFault('PAA_SYSTEM_ERROR', ec.fiscalCode, why), seen);
  }
  if (scenario.answer !== 'payable' || scenario.payment === undefined) {
    const code = scenario.answer === 'payable' ? 'PAA_SYSTEM_ERROR' : ANSWER_FAULTS[scenario.answer];
    return ko(op, ecFault(code, ec.fiscalCode), seen);
  }
  return soap(encodePayable(op, ec, scenario.payment, notice.noticeNumber, input.now), { ...seen, outcome: 'OK' });
}

function encodePayable(
  op: 'paVerifyPaymentNotice' | 'paGetPayment' | 'paGetPaymentV2',
  ec: SimulatedEc,
  payment: PaymentSpec,
  noticeNumber: string,
  now: Date,
): string {
  switch (op) {
    case 'paVerifyPaymentNotice':
      return encodeResponse(op, verifyAnswer(ec, payment, now));
    case 'paGetPayment':
      return encodeResponse(op, { outcome: 'OK', data: paymentData(ec, payment, noticeNumber, now) });
    case 'paGetPaymentV2':
      return encodeResponse(op, { outcome: 'OK', data: paymentData(ec, payment, noticeNumber, now) });
  }
}
