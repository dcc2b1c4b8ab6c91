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

/** A notice of a cart: `n` names its token and notice number; no parties for another PSP's token. */
export interface CartPart {
  n: number;
  fiscalCode?: string;
  parties?: Parties;
  stationCode?: string;
}

/**
 * A PSP's sendPaymentOutcomeV2 for a cart, as the node logs it: the row names the first notice, the
 * others' institutions and station owners as further parties, and every token with whose it is.
 */
export function cartOutcomeExchange(psp: string, parts: readonly CartPart[], options: { at: Date; fault?: 'PPT_TOKEN_SCONOSCIUTO' }): ExchangeEntry {
  const tokens = parts.map((p) => tokenOf(p.n));
  const request = encodeRequest('sendPaymentOutcomeV2', {
    ...sample<object>(requestSamples, 'sendPaymentOutcomeV2 OK full'),
    password: CHANNEL_PASSWORD,
    paymentTokens: { paymentToken: tokens },
    details: {
      ...sample<{ details: object }>(requestSamples, 'sendPaymentOutcomeV2 OK full').details,
      marcheDaBollo: {
        marcaDaBollo: parts.map((p, i) => ({ paymentToken: tokenOf(p.n), idTransfer: i + 1, MBDAttachment: Buffer.from(`stamp ${p.n}`).toString('base64') })),
      },
    },
  } as never);
  const last = tokens.at(-1) ?? '';
  const response = options.fault
    ? encodeResponse('sendPaymentOutcomeV2', {
        outcome: 'KO',
        fault: { ...nodeFault(options.fault, `Token ${last} matches no activation of this PSP.`), serial: tokens.length },
      })
    : encodeResponse('sendPaymentOutcomeV2', { outcome: 'OK' });
  const [first] = parts;
  const owners = (p: CartPart): string[] => [p.parties?.ec, p.parties?.stationOwner].filter((id): id is string => id !== undefined);
  return {
    env: 'test',
    direction: 'in',
    operation: 'sendPaymentOutcomeV2',
    at: options.at,
    durationMs: 25,
    pspOrganisationId: psp,
    ecOrganisationId: first?.parties?.ec ?? null,
    stationId: first?.parties?.stationId ?? null,
    stationCode: first?.parties ? (first.stationCode ?? STATION) : null,
    stationOrganisationId: first?.parties?.stationOwner ?? null,
    furtherOrganisationIds: parts.slice(1).flatMap(owners),
    cartNotices: parts.map((p) => ({
      token: tokenOf(p.n),
      noticeNumber: p.parties ? noticeNumber(p.n) : null,
      fiscalCode: p.parties ? (p.fiscalCode ?? EC) : null,
      ecOrganisationId: p.parties?.ec ?? null,
      stationId: p.parties?.stationId ?? null,
      stationCode: p.parties ? (p.stationCode ?? STATION) : null,
      stationOrganisationId: p.parties?.stationOwner ?? null,
    })),
    noticeNumber: first?.parties ? noticeNumber(first.n) : null,
    fiscalCode: first?.parties ? (first.fiscalCode ?? EC) : null,
    token: tokens[0] ?? null,
    outcome: options.fault ? 'KO' : 'OK',
    faultCode: options.fault ?? null,
    httpStatus: 200,
    request,
    response,
  };
}
