import type { SendPaymentOutcomeReq, SendPaymentOutcomeV2Request } from '../../protocols/pagopa/index.ts';
import type { EcPayment } from './activate.policy.ts';
import type { PaymentState } from './outcome.policy.ts';
import type { PaymentRow } from './payments.repository.ts';

// What the payment pages (portal, back office) read of the node's tokens: plain values, pure. The
// EC's payment data and the PSP's outcome details are copied field by field from the stored jsonb,
// never passed whole: the debtor, the payer and the digital stamps' content are personal data the
// pages have no use for ("which token holds the notice, in what state, until when"), and a field a
// later primitive adds stays hidden until someone decides it may be shown.

export type PaymentViewer = { organisationId: string } | { admin: true };

/**
 * Where a token stands now, as the node would treat it (not only the stored state):
 * - `lapsed`: `active` past its expiry with no activation of the notice since. The node still
 *   accepts an OK outcome (the money moved and nobody else holds the notice) and refuses a KO
 *   (PPT_TOKEN_SCADUTO_KO); the next activation of the notice turns it `expired` (outcome.policy.ts).
 * - `stalled`: `activating` past its hold (the process asking the EC died); the token was never
 *   handed out and the next activation of the notice sweeps it (startActivation).
 */
export type PaymentStanding = PaymentState | 'lapsed' | 'stalled';

/** Past expiry as the outcome's judgement counts it (`expiresAt <= now`, outcome.policy.ts). */
export function standingOf(state: PaymentState, expiresAt: Date, now: Date): PaymentStanding {
  const past = expiresAt.getTime() <= now.getTime();
  if (state === 'active' && past) return 'lapsed';
  if (state === 'activating' && past) return 'stalled';
  return state;
}

export interface PaymentFilter {
  env?: 'test' | 'prod' | undefined;
  /** Where the token stands now, as the list shows it: `active` is before its expiry, `lapsed` after (stored `active` both). */
  state?: PaymentStanding | undefined;
  noticeNumber?: string | undefined;
  /** The notice's creditor institution (11 digits). */
  fiscalCode?: string | undefined;
  token?: string | undefined;
  /** Activated at or after `from`, before `until`. */
  from?: Date | undefined;
  until?: Date | undefined;
  /** The cursor of the previous page's last row (newest activation first). */
  before?: string | undefined;
  /** Default 50, at most 200. */
  limit?: number | undefined;
}

export interface PaymentSummary {
  token: string;
  /** Where the next (older) page starts when this row is a page's last. */
  cursor: string;
  env: 'test' | 'prod';
  fiscalCode: string;
  noticeNumber: string;
  state: PaymentState;
  standing: PaymentStanding;
  operation: 'activatePaymentNotice' | 'activatePaymentNoticeV2';
  /** The primitives' version the EC's station was called with. */
  primitiveVersion: 1 | 2;
  pspOrganisationId: string;
  pspCompanyName: string;
  idPsp: string;
  idBrokerPsp: string;
  idChannel: string;
  ecOrganisationId: string;
  stationCode: string;
  /** The station's owner; null when the test EC simulator answered. */
  stationOrganisationId: string | null;
  simulated: boolean;
  /** What the PSP activated (cents). */
  amountCents: number;
  activatedAt: Date;
  /** Activating: how long the notice is held while the EC is asked; then the token's expiry. */
  expiresAt: Date;
  outcome: 'OK' | 'KO' | null;
  outcomeAt: Date | null;
  failureFaultCode: string | null;
  updatedAt: Date;
}

export interface EcTransferView {
  idTransfer: number;
  fiscalCodePA: string;
  companyName: string | null;
  amountCents: number;
  iban: string | null;
  /** A digital stamp asked instead of an IBAN (V2): its type only (its province is the debtor's residence; the document's hash is not shown). */
  stamp: { type: string } | null;
  remittanceInformation: string;
  category: string | null;
}

/** The EC's paGetPayment[V2] answer without the debtor and the metadata. */
export interface EcPaymentView {
  version: 1 | 2;
  description: string;
  creditorReferenceId: string;
  companyName: string | null;
  officeName: string | null;
  amountCents: number;
  dueDate: string;
  transfers: EcTransferView[];
}

/** The PSP's sendPaymentOutcome[V2] details without the payer and the stamps' attachments. */
export interface OutcomeDetailsView {
  paymentMethod: string;
  paymentChannel: string | null;
  feeCents: number;
  primaryCiIncurredFeeCents: number | null;
  idBundle: string | null;
  idCiBundle: string | null;
  applicationDate: string;
  transferDate: string;
  /** How many digital stamps the PSP attached (their content is not shown). */
  stamps: number;
}

export interface PaymentDetail extends PaymentSummary {
  /** The PSP's idempotency keys: how it retried the activation and the outcome. */
  idempotencyKey: string | null;
  outcomeIdempotencyKey: string | null;
  /** Null until the EC answered (activating, or an activation that failed). */
  ecPayment: EcPaymentView | null;
  outcomeDetails: OutcomeDetailsView | null;
}

/** A page's cursor: the row's activation time (ms) and token, the list's order. */
export const cursorOf = (row: { activatedAt: Date; token: string }): string => `${row.activatedAt.getTime()}.${row.token}`;

const CURSOR = /^(\d{1,16})\.([0-9A-Za-z]{1,35})$/;

/** The (activatedAt, token) a cursor names, or undefined when it is not one. */
export function parseCursor(cursor: string): { activatedAt: Date; token: string } | undefined {
  const match = CURSOR.exec(cursor);
  if (!match?.[1] || !match[2]) return undefined;
  const activatedAt = new Date(Number(match[1]));
  return Number.isNaN(activatedAt.getTime()) ? undefined : { activatedAt, token: match[2] };
}

/** True when `cursor` is one `list` can continue from. */
export const isPaymentCursor = (cursor: string): boolean => parseCursor(cursor) !== undefined;

/** A payment token as pagoPA's schema allows (1–35 characters; the node's own are 32 hex digits). */
export const isPaymentToken = (text: string): boolean => /^[0-9A-Za-z]{1,35}$/.test(text);

/** The columns a list row needs: no jsonb, no digests. */
export const SUMMARY_COLUMNS = [
  'token',
  'environment',
  'fiscal_code',
  'notice_number',
  'state',
  'operation',
  'psp_organisation_id',
  'psp_company_name',
  'id_psp',
  'id_broker_psp',
  'id_channel',
  'amount_cents',
  'ec_organisation_id',
  'station_id',
  'station_code',
  'station_organisation_id',
  'primitive_version',
  'activated_at',
  'expires_at',
  'outcome',
  'outcome_at',
  'failure_fault_code',
  'updated_at',
] as const;
export type SummaryRow = Pick<PaymentRow, (typeof SUMMARY_COLUMNS)[number]>;

export function paymentSummary(r: SummaryRow, now: Date): PaymentSummary {
  return {
    token: r.token,
    cursor: cursorOf({ activatedAt: r.activated_at, token: r.token }),
    env: r.environment,
    fiscalCode: r.fiscal_code,
    noticeNumber: r.notice_number,
    state: r.state,
    standing: standingOf(r.state, r.expires_at, now),
    operation: r.operation,
    primitiveVersion: r.primitive_version,
    pspOrganisationId: r.psp_organisation_id,
    pspCompanyName: r.psp_company_name,
    idPsp: r.id_psp,
    idBrokerPsp: r.id_broker_psp,
    idChannel: r.id_channel,
    ecOrganisationId: r.ec_organisation_id,
    stationCode: r.station_code,
    stationOrganisationId: r.station_organisation_id,
    simulated: r.station_id === null,
    amountCents: r.amount_cents,
    activatedAt: r.activated_at,
    expiresAt: r.expires_at,
    outcome: r.outcome,
    outcomeAt: r.outcome_at,
    failureFaultCode: r.failure_fault_code,
    updatedAt: r.updated_at,
  };
}

type Transfer = EcPayment['data']['transferList']['transfer'][number];

function transferView(t: Transfer): EcTransferView {
  const stamp = 'richiestaMarcaDaBollo' in t ? t.richiestaMarcaDaBollo : undefined;
  return {
    idTransfer: t.idTransfer,
    fiscalCodePA: t.fiscalCodePA,
    companyName: 'companyName' in t ? (t.companyName ?? null) : null,
    amountCents: t.transferAmount,
    iban: t.IBAN ?? null,
    stamp: stamp ? { type: stamp.tipoBollo } : null,
    remittanceInformation: t.remittanceInformation,
    category: t.transferCategory ?? null,
  };
}

/** The stored paGetPayment[V2] data (as the codec decoded it, amounts in cents), without the debtor. */
export function ecPaymentView(stored: unknown): EcPaymentView | null {
  if (stored === null || stored === undefined) return null;
  // Written by the node itself (markActiveWithAnswer) from the codec's decoded answer, as the outcome reads it.
  const { version, data } = stored as EcPayment;
  return {
    version,
    description: data.description,
    creditorReferenceId: data.creditorReferenceId,
    companyName: data.companyName ?? null,
    officeName: data.officeName ?? null,
    amountCents: data.paymentAmount,
    dueDate: data.dueDate,
    transfers: data.transferList.transfer.map(transferView),
  };
}

type OutcomeDetails = NonNullable<SendPaymentOutcomeReq['details'] | SendPaymentOutcomeV2Request['details']>;

/** The stored outcome details (the PSP's request as decoded), without the payer and the stamps' attachments. */
export function outcomeDetailsView(stored: unknown): OutcomeDetailsView | null {
  if (stored === null || stored === undefined) return null;
  // Written by the node itself (recordOutcome) from the decoded request; V1 lacks the V2-only fields.
  const d = stored as OutcomeDetails;
  const v2 =
    'primaryCiIncurredFee' in d || 'idBundle' in d || 'idCiBundle' in d || 'marcheDaBollo' in d ? (d as SendPaymentOutcomeV2Request['details']) : undefined;
  return {
    paymentMethod: d.paymentMethod,
    paymentChannel: d.paymentChannel ?? null,
    feeCents: d.fee,
    primaryCiIncurredFeeCents: v2?.primaryCiIncurredFee ?? null,
    idBundle: v2?.idBundle ?? null,
    idCiBundle: v2?.idCiBundle ?? null,
    applicationDate: d.applicationDate,
    transferDate: d.transferDate,
    stamps: v2?.marcheDaBollo?.marcaDaBollo.length ?? 0,
  };
}

export function paymentDetail(r: PaymentRow, now: Date): PaymentDetail {
  return {
    ...paymentSummary(r, now),
    idempotencyKey: r.idempotency_key,
    outcomeIdempotencyKey: r.outcome_idempotency_key,
    ecPayment: ecPaymentView(r.payment),
    outcomeDetails: outcomeDetailsView(r.outcome_details),
  };
}
