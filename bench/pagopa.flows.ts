import { randomBytes } from 'node:crypto';
import type { Dispatcher, Pool } from 'undici';
import { DEFAULT_AMOUNT_CENTS, DEFAULT_CATEGORY, DEFAULT_IBAN } from '../src/modules/pagopa-simulator/index.ts';
import { encodeRequest, formatNoticeNumber, toXsdDate, toXsdDateTime, type EcOperation, type PspOperation } from '../src/protocols/pagopa/index.ts';
import { EC_PATH, SEGREGATION_CODE, type BenchEc, type BenchPsp } from './pagopa.seed.ts';

// One payment flow of benchmark 5, both ways: through Varco as a PSP (activatePaymentNoticeV2 →
// sendPaymentOutcomeV2, Varco calling the EC's paGetPaymentV2 and, later, delivering paSendRTV2),
// and raw to the EC station (paGetPaymentV2 → paSendRTV2, the bodies Varco would send). Requests
// are encoded with Varco's codec; answers are only checked for their outcome (and the token), so
// the load generator spends little on them.

const XML = 'text/xml; charset=utf-8';
const TIMEOUT_MS = 30_000;
const run = Date.now().toString().slice(-6);
let serial = 0;

/** A fresh aux-3 notice number of the linked segregation code, unique in this bench process. */
export function freshNotice(): string {
  serial++;
  return formatNoticeNumber({ auxDigit: 3, segregationCode: SEGREGATION_CODE, iuvBase: `${run}${String(serial).padStart(7, '0')}` });
}

/** `PREFIX_` + 10 letters or digits, the pattern of pagoPA's idempotency keys. */
function idempotencyKey(): string {
  return `BENCH01_${randomBytes(5).toString('hex')}`;
}

export interface Step {
  ok: boolean;
  /** The fault code (or HTTP status, or error) when not OK. */
  fault?: string;
  body: string;
}

async function post(pool: Pool, path: string, op: PspOperation | EcOperation, body: string, headers: Record<string, string> = {}): Promise<Step> {
  try {
    const answer: Dispatcher.ResponseData = await pool.request({
      path,
      method: 'POST',
      body,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
      headers: { 'content-type': XML, soapaction: `"${op}"`, ...headers },
    });
    const text = await answer.body.text();
    if (answer.statusCode !== 200) return { ok: false, fault: `HTTP ${answer.statusCode}`, body: text };
    if (text.includes('<outcome>OK</outcome>')) return { ok: true, body: text };
    return { ok: false, fault: /<faultCode>([^<]*)<\/faultCode>/.exec(text)?.[1] ?? 'KO without fault', body: text };
  } catch (error) {
    return { ok: false, fault: (error as Error).message, body: '' };
  }
}

const today = (): string => toXsdDate(new Date());
const details = () => ({ paymentMethod: 'creditCard' as const, paymentChannel: 'app' as const, fee: 150, applicationDate: today(), transferDate: today() });

/** Through Varco: activate (Varco asks the EC paGetPaymentV2) then outcome OK; the token, or the failing step. */
export async function varcoFlow(
  varco: Pool,
  psp: BenchPsp,
  ec: BenchEc,
  timing: { activateMs: number[]; outcomeMs: number[] },
): Promise<{ token?: string; fault?: string }> {
  const path = '/nodo/node-for-psp/v1';
  const key = { 'ocp-apim-subscription-key': psp.key };
  const t0 = performance.now();
  const activated = await post(
    varco,
    path,
    'activatePaymentNoticeV2',
    encodeRequest('activatePaymentNoticeV2', {
      ...psp.head,
      idempotencyKey: idempotencyKey(),
      qrCode: { fiscalCode: ec.fiscalCode, noticeNumber: freshNotice() },
      amount: DEFAULT_AMOUNT_CENTS,
    }),
    key,
  );
  const token = /<paymentToken>([^<]+)<\/paymentToken>/.exec(activated.body)?.[1];
  if (!activated.ok || token === undefined) return { fault: `activate: ${activated.fault ?? 'no token'}` };
  const t1 = performance.now();
  const outcome = await post(
    varco,
    path,
    'sendPaymentOutcomeV2',
    encodeRequest('sendPaymentOutcomeV2', {
      ...psp.head,
      idempotencyKey: idempotencyKey(),
      paymentTokens: { paymentToken: [token] },
      outcome: 'OK',
      details: details(),
    }),
    key,
  );
  timing.activateMs.push(t1 - t0);
  timing.outcomeMs.push(performance.now() - t1);
  return outcome.ok ? { token } : { fault: `outcome: ${outcome.fault ?? ''}` };
}

/** The receipt Varco builds for that payment (src/modules/pagopa-receipts/receipt.build.ts), field for field. */
function receipt(psp: BenchPsp, ec: BenchEc, noticeNumber: string) {
  const d = details();
  return {
    receiptId: randomBytes(16).toString('hex'),
    noticeNumber,
    fiscalCode: ec.fiscalCode,
    outcome: 'OK' as const,
    creditorReferenceId: noticeNumber.slice(1),
    paymentAmount: DEFAULT_AMOUNT_CENTS,
    description: 'Avviso di prova (stazione simulata Varco)',
    companyName: ec.name,
    debtor: { uniqueIdentifier: { entityUniqueIdentifierType: 'F' as const, entityUniqueIdentifierValue: 'ANONIMO' }, fullName: 'Debitore di prova' },
    idPSP: psp.head.idPSP,
    PSPCompanyName: 'Bench PSP',
    idChannel: psp.head.idChannel,
    channelDescription: d.paymentChannel,
    paymentMethod: d.paymentMethod,
    fee: d.fee,
    applicationDate: d.applicationDate,
    transferDate: d.transferDate,
    paymentDateTime: toXsdDateTime(new Date()),
    transferList: {
      transfer: [
        {
          idTransfer: 1,
          transferAmount: DEFAULT_AMOUNT_CENTS,
          fiscalCodePA: ec.fiscalCode,
          IBAN: DEFAULT_IBAN,
          remittanceInformation: 'Pagamento di prova',
          transferCategory: DEFAULT_CATEGORY,
        },
      ],
    },
  };
}

/** Raw to the EC station: paGetPaymentV2 then paSendRTV2, as Varco's station caller would send them. */
export async function rawFlow(station: Pool, psp: BenchPsp, ec: BenchEc): Promise<{ fault?: string }> {
  const head = { idPA: ec.fiscalCode, idBrokerPA: ec.fiscalCode, idStation: ec.stationCode };
  const noticeNumber = freshNotice();
  const got = await post(
    station,
    EC_PATH,
    'paGetPaymentV2',
    encodeRequest('paGetPaymentV2', { ...head, qrCode: { fiscalCode: ec.fiscalCode, noticeNumber }, amount: DEFAULT_AMOUNT_CENTS }),
  );
  if (!got.ok) return { fault: `paGetPaymentV2: ${got.fault ?? ''}` };
  const sent = await post(station, EC_PATH, 'paSendRTV2', encodeRequest('paSendRTV2', { ...head, receipt: receipt(psp, ec, noticeNumber) }));
  return sent.ok ? {} : { fault: `paSendRTV2: ${sent.fault ?? ''}` };
}
