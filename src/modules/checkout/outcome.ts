/**
 * From an acquirer's answer (or the customer's cancel) to the platform's STATUS and NCERROR, and
 * to the URL the customer is sent to (docs/reference/ogone/hosted-page.md, "Outcome").
 * Feedback parameters and the redirect URL itself are in feedback.ts.
 */
import { ACCEPTED_STATUSES, DECLINED_STATUSES, OGONE_STATUS, UNCERTAIN_STATUSES } from '../../protocols/ogone/index.ts';
import type { Operation } from './acquirer.ts';
import type { OrderUrls } from './order-fields.ts';

/** The end of a payment attempt. `cancelled`: the customer cancelled on the page. */
export type FinalOutcome = 'authorised' | 'refused' | 'uncertain' | 'technical_error' | 'cancelled';

/** STATUS values (the protocol library's names; kept under this name for existing callers). */
export const STATUS = OGONE_STATUS;

/**
 * STATUS by outcome and operation: RES authorises only (5, or 52 when unknown), SAL also
 * requests the payment (9, or 92). A technical error is a refusal; for a sale it is the
 * platform's 93 "payment refused (technical problem)", for an authorisation there is only 2.
 */
export function paymentStatus(outcome: FinalOutcome, operation: Operation): number {
  switch (outcome) {
    case 'authorised':
      return operation === 'SAL' ? STATUS.PAYMENT_REQUESTED : STATUS.AUTHORISED;
    case 'uncertain':
      return operation === 'SAL' ? STATUS.PAYMENT_UNCERTAIN : STATUS.AUTHORISATION_NOT_KNOWN;
    case 'refused':
      return STATUS.AUTHORISATION_REFUSED;
    case 'technical_error':
      return operation === 'SAL' ? STATUS.PAYMENT_REFUSED_TECHNICAL : STATUS.AUTHORISATION_REFUSED;
    case 'cancelled':
      return STATUS.CANCELLED_BY_CUSTOMER;
  }
}

/** NCERROR when the acquirer gave none (and for the customer's cancel), from the platform's list. */
export const DEFAULT_NC_ERROR: Readonly<Record<FinalOutcome, string>> = Object.freeze({
  authorised: '0',
  refused: '30051001', // Authorization declined
  uncertain: '20001001', // unknown status for the transaction
  technical_error: '30001998', // A technical problem occurred, please try again
  cancelled: '30171001', // Payment method cancelled by the buyer
});

/** NCSTATUS is the first digit of NCERROR. */
export function ncStatus(ncError: string): string {
  return ncError === '' ? '' : ncError.charAt(0);
}

/**
 * After an attempt: may the customer try another card on the page? Only after a refusal, and
 * only while the *payment retry* setting allows (`maxAttempts` counts every attempt, the first
 * included). An uncertain payment is never retried: the money may have moved.
 */
export function mayRetry(outcome: FinalOutcome, attempts: number, maxAttempts: number): boolean {
  return (outcome === 'refused' || outcome === 'technical_error') && attempts < maxAttempts;
}

export type RedirectParam = 'ACCEPTURL' | 'DECLINEURL' | 'EXCEPTIONURL' | 'CANCELURL';

export interface RedirectTarget {
  /** The URL the customer goes to, and which parameter it came from (after fallbacks). */
  readonly param: RedirectParam;
  readonly url: string;
}

/**
 * ACCEPTURL for accepted and pending statuses; DECLINEURL for 2 and 93; EXCEPTIONURL for 52
 * and 92, falling back to ACCEPTURL; CANCELURL for 1, falling back to DECLINEURL. `null`: no URL
 * applies, show Varco's own result page.
 */
export function redirectTarget(status: number, urls: OrderUrls): RedirectTarget | null {
  const pick = (...candidates: Array<readonly [RedirectParam, string | undefined]>): RedirectTarget | null => {
    for (const [param, url] of candidates) if (url !== undefined && url !== '') return { param, url };
    return null;
  };
  if (ACCEPTED_STATUSES.has(status)) return pick(['ACCEPTURL', urls.accept]);
  if (DECLINED_STATUSES.has(status)) return pick(['DECLINEURL', urls.decline]);
  if (UNCERTAIN_STATUSES.has(status)) return pick(['EXCEPTIONURL', urls.exception], ['ACCEPTURL', urls.accept]);
  if (status === STATUS.CANCELLED_BY_CUSTOMER) return pick(['CANCELURL', urls.cancel], ['DECLINEURL', urls.decline]);
  return null;
}

/** URLs of the request override those of the *Transaction feedback* settings, one by one. */
export function effectiveUrls(request: OrderUrls, settings: OrderUrls): OrderUrls {
  const merged: { -readonly [K in keyof OrderUrls]: OrderUrls[K] } = { ...settings };
  for (const [key, value] of Object.entries(request) as Array<[keyof OrderUrls, string | undefined]>) {
    if (value !== undefined && value !== '') merged[key] = value;
  }
  return merged;
}
