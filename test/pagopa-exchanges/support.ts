import { encodeRequest, encodeResponse, nodeFault, type ActivatePaymentNoticeReq } from '../../src/protocols/pagopa/index.ts';
import type { ExchangeEntry } from '../../src/modules/pagopa-exchanges/index.ts';
import { EC, requestSamples, responseSamples, STATION } from '../support/pagopa-samples.ts';

// Realistic exchanges to seed the log through `record` (there is no node yet): a PSP's
// activatePaymentNotice with its answer (OK with a token, or KO with a fault), and Varco's
// paGetPayment to the EC's station with the station's answer. Envelopes come from the codec.

/** The channel password every seeded PSP request carries: no column may hold it afterwards. */
export const CHANNEL_PASSWORD = 'Ch4nnelS3cret!';

export interface Parties {
  psp?: string;
  ec?: string;
  stationOwner?: string;
  stationId?: string;
}

const sample = <T>(list: ReadonlyArray<{ name: string; value: unknown }>, name: string): T => {
  const found = list.find((s) => s.name === name);
  if (!found) throw new Error(`no sample ${name}`);
  return found.value as T;
};

/** An 18-digit notice number (aux digit 3, segregation code 11) whose last digits are `n`. */
export const noticeNumber = (n: number): string => `3111111111${String(n).padStart(8, '0')}`;
export const tokenOf = (n: number): string => `${n.toString(16).padStart(8, '0')}${'ab'.repeat(12)}`;

export function activateExchange(
  parties: Parties,
  options: { n: number; at: Date; env?: 'test' | 'prod'; fault?: 'PPT_PAGAMENTO_IN_CORSO' | 'PPT_DOMINIO_SCONOSCIUTO' },
): ExchangeEntry {
  const request = encodeRequest('activatePaymentNotice', {
    ...sample<ActivatePaymentNoticeReq>(requestSamples, 'activatePaymentNotice full'),
    password: CHANNEL_PASSWORD,
    qrCode: { fiscalCode: EC, noticeNumber: noticeNumber(options.n) },
  });
  const token = tokenOf(options.n);
  const response = options.fault
    ? encodeResponse('activatePaymentNotice', { outcome: 'KO', fault: nodeFault(options.fault) })
    : encodeResponse('activatePaymentNotice', { ...sample<object>(responseSamples, 'activatePaymentNotice OK full'), paymentToken: token } as never);
  return {
    env: options.env ?? 'test',
    direction: 'in',
    operation: 'activatePaymentNotice',
    at: options.at,
    durationMs: 40 + options.n,
    pspOrganisationId: parties.psp ?? null,
    ecOrganisationId: parties.ec ?? null,
    stationId: parties.stationId ?? null,
    stationCode: STATION,
    stationOrganisationId: parties.stationOwner ?? null,
    noticeNumber: noticeNumber(options.n),
    fiscalCode: EC,
    token: options.fault ? null : token,
    outcome: options.fault ? 'KO' : 'OK',
    faultCode: options.fault ?? null,
    httpStatus: 200,
    request,
    response,
  };
}

export function getPaymentExchange(parties: Parties, options: { n: number; at: Date; env?: 'test' | 'prod' }): ExchangeEntry {
  const request = encodeRequest('paGetPayment', {
    ...sample<object>(requestSamples, 'paGetPayment full'),
    qrCode: { fiscalCode: EC, noticeNumber: noticeNumber(options.n) },
  } as never);
  const response = encodeResponse('paGetPayment', sample(responseSamples, 'paGetPayment OK full'));
  return {
    env: options.env ?? 'test',
    direction: 'out',
    operation: 'paGetPayment',
    at: options.at,
    durationMs: 120,
    pspOrganisationId: parties.psp ?? null,
    ecOrganisationId: parties.ec ?? null,
    stationId: parties.stationId ?? null,
    stationCode: STATION,
    stationOrganisationId: parties.stationOwner ?? null,
    noticeNumber: noticeNumber(options.n),
    fiscalCode: EC,
    token: tokenOf(options.n),
    outcome: 'OK',
    httpStatus: 200,
    request,
    response,
  };
}
