import type { AttemptRow, ReceiptRow } from './receipts.repository.ts';

// What the receipts module gives its readers (portal, back office, CLI): plain values, no payload
// (the debtor's and payer's personal data stay in the row; the pages show the receipt's identity,
// its delivery and the exchange-log messages, where the full SOAP text is).

export type ReceiptState = 'pending' | 'delivered' | 'failed';

export interface ReceiptFilter {
  env?: 'test' | 'prod' | undefined;
  state?: ReceiptState | undefined;
  noticeNumber?: string | undefined;
  /** The payment token (= receiptId). */
  token?: string | undefined;
  /** The last id of the previous page (newest first). */
  before?: string | undefined;
  /** Default 50, at most 200. */
  limit?: number | undefined;
}

export interface ReceiptSummary {
  id: string;
  env: 'test' | 'prod';
  /** The receiptId on the wire: the payment token. */
  token: string;
  noticeNumber: string;
  /** The notice's creditor institution and the one this copy goes to (the same for the first copy). */
  fiscalCode: string;
  recipientFiscalCode: string;
  position: number;
  ecOrganisationId: string;
  recipientOrganisationId: string | null;
  pspOrganisationId: string;
  stationOrganisationId: string | null;
  amountCents: number;
  state: ReceiptState;
  attempts: number;
  stationCode: string | null;
  primitiveVersion: 1 | 2 | null;
  lastAttemptAt: Date | null;
  /** The last failure in the node's words; null when there was none or it is withheld from this viewer. */
  lastError: string | null;
  /**
   * A delivery failure names the station's host and address: only the station's operators (the
   * receiving institution, the station's owner) and administrators read it; the PSP and the notice's
   * EC (for another institution's copy) see that there was one (ReceiptsService.list and get).
   */
  lastErrorWithheld: boolean;
  firstDeliveredAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface ReceiptAttempt {
  outboxMessageId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  result: 'delivered' | 'duplicate' | 'retry';
  destination: 'station' | 'simulator' | null;
  stationCode: string | null;
  primitiveVersion: 1 | 2 | null;
  httpStatus: number | null;
  ecOutcome: 'OK' | 'KO' | null;
  faultCode: string | null;
  /** Null when there was none or it is withheld from this viewer (as ReceiptSummary.lastError). */
  error: string | null;
  errorWithheld: boolean;
  /** The exchange-log message with both SOAP messages (msg_…), when it was recorded. */
  exchangeId: string | null;
}

export interface ReceiptDetail extends ReceiptSummary {
  attemptLog: ReceiptAttempt[];
  /** Whether this viewer may press Resend (the receiving institution, its station's owner, administrators). */
  mayResend: boolean;
  /** A pending receipt: when the workers try it next (a delivery may be under way now); null otherwise. */
  nextAttemptAt: Date | null;
}

export type ResendOutcome =
  | { ok: true; mode: 'now' | 'queued' }
  /** not_found: unknown or not visible; forbidden: visible but not this viewer's to resend; in_progress: a delivery is under way. */
  | { ok: false; reason: 'not_found' | 'forbidden' | 'in_progress' };

const version = (v: number | null): 1 | 2 | null => (v === 1 || v === 2 ? v : null);

export function receiptView(r: ReceiptRow): ReceiptSummary {
  return {
    id: r.id,
    env: r.environment,
    token: r.token,
    noticeNumber: r.notice_number,
    fiscalCode: r.fiscal_code,
    recipientFiscalCode: r.recipient_fiscal_code,
    position: r.position,
    ecOrganisationId: r.ec_organisation_id,
    recipientOrganisationId: r.recipient_organisation_id,
    pspOrganisationId: r.psp_organisation_id,
    stationOrganisationId: r.station_organisation_id,
    amountCents: Number(r.amount_cents),
    state: r.state,
    attempts: r.attempts,
    stationCode: r.station_code,
    primitiveVersion: version(r.primitive_version),
    lastAttemptAt: r.last_attempt_at,
    lastError: r.last_error,
    lastErrorWithheld: false,
    firstDeliveredAt: r.first_delivered_at,
    deliveredAt: r.delivered_at,
    createdAt: r.created_at,
  };
}

export function attemptView(a: AttemptRow): ReceiptAttempt {
  return {
    outboxMessageId: a.outbox_message_id,
    attempt: a.attempt,
    startedAt: a.started_at,
    durationMs: a.duration_ms,
    result: a.result,
    destination: a.destination,
    stationCode: a.station_code,
    primitiveVersion: version(a.primitive_version),
    httpStatus: a.http_status,
    ecOutcome: a.ec_outcome,
    faultCode: a.fault_code,
    error: a.error,
    errorWithheld: false,
    exchangeId: a.exchange_id,
  };
}
