import { decodeEcResponse, type PptFaultCode } from '../../protocols/pagopa/index.ts';
import type { OutboundResult } from '../outbound/index.ts';
import { nextAttemptDelayMs, type RetrySchedule } from '../delivery/index.ts';

// Pure decisions of receipt delivery: what a station's answer to paSendRT[V2] means, whether a failed
// attempt was the last one of the schedule, and who may read or re-send a receipt.

export type AttemptResult = 'delivered' | 'duplicate' | 'retry';

export interface AttemptVerdict {
  result: AttemptResult;
  httpStatus: number | null;
  /** The EC's outcome when it answered a readable paSendRT[V2] response. */
  ecOutcome: 'OK' | 'KO' | null;
  /** The EC's fault code (KO), or the node's code for a transport or response failure. */
  faultCode: string | null;
  /** For people: why the attempt did not deliver (never the message itself). */
  error: string | null;
}

const TRANSPORT: Record<string, PptFaultCode> = {
  unreachable: 'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE',
  tls: 'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE',
  certificate: 'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE',
  timeout: 'PPT_STAZIONE_INT_PA_TIMEOUT',
};

const retry = (fields: Partial<AttemptVerdict> & Pick<AttemptVerdict, 'error'>): AttemptVerdict => ({
  result: 'retry',
  httpStatus: null,
  ecOutcome: null,
  faultCode: null,
  ...fields,
});

/**
 * The station's answer → delivered (EC OK), duplicate (PAA_RECEIPT_DUPLICATA: the EC has it, which
 * counts as delivered) or retry: an EC KO, a non-2xx status, a body that is not the operation's
 * response, a timeout, an unreachable or refusing station.
 */
export function judgeAnswer(operation: 'paSendRT' | 'paSendRTV2', result: OutboundResult): AttemptVerdict {
  if (result.kind === 'failure') {
    return retry({
      faultCode: TRANSPORT[result.category] ?? 'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE',
      error: `${result.category} (${result.code}): ${result.message}`,
    });
  }
  const httpStatus = result.status;
  if (httpStatus < 200 || httpStatus > 299) {
    return retry({ httpStatus, faultCode: 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE', error: `the station answered HTTP ${httpStatus}` });
  }
  const answer = decodeEcResponse(operation, result.body);
  switch (answer.kind) {
    case 'ok':
      return { result: 'delivered', httpStatus, ecOutcome: 'OK', faultCode: null, error: null };
    case 'malformed':
      return retry({ httpStatus, faultCode: answer.faultCode, error: `the station's answer is not a ${operation} response: ${answer.problem.description}` });
    case 'ko': {
      const { faultCode, description } = answer.fault;
      if (faultCode === 'PAA_RECEIPT_DUPLICATA') return { result: 'duplicate', httpStatus, ecOutcome: 'KO', faultCode, error: null };
      return retry({ httpStatus, ecOutcome: 'KO', faultCode, error: `the institution answered KO ${faultCode}${description ? `: ${description}` : ''}` });
    }
  }
}

/** Whether a failure of this attempt ends the message (the worker will give it up): time to tell the EC's referents. */
export function isLastAttempt(attempt: number, schedule: RetrySchedule): boolean {
  return nextAttemptDelayMs(attempt, schedule, () => 0) === null;
}

export type ReceiptViewer = { organisationId: string } | { admin: true };

export interface ReceiptParties {
  ecOrganisationId: string;
  recipientOrganisationId: string | null;
  pspOrganisationId: string;
  stationOrganisationId: string | null;
}

/** Readers: the notice's EC, the EC receiving this copy, the PSP that was paid, the owner of the station it goes to; administrators. */
export function mayRead(viewer: ReceiptViewer, r: ReceiptParties): boolean {
  if ('admin' in viewer) return true;
  const id = viewer.organisationId;
  return id === r.ecOrganisationId || id === r.recipientOrganisationId || id === r.pspOrganisationId || id === r.stationOrganisationId;
}

/**
 * Who may send it again: the institution receiving it and the owner of its station (they operate the
 * station that must take it), and administrators. The PSP and the notice's EC only read another
 * institution's copy: a resend knocks on that institution's station.
 */
export function mayResend(viewer: ReceiptViewer, r: ReceiptParties): boolean {
  if ('admin' in viewer) return true;
  return viewer.organisationId === r.recipientOrganisationId || viewer.organisationId === r.stationOrganisationId;
}
