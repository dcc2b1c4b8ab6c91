// Ogone STATUS values Varco reads or writes (docs/reference/ogone/hosted-page.md, "Outcome"; the
// platform's full list has more). Pure: names and groupings, no I/O. The second digit of a
// two-digit status follows the platform's rule: 1 = on hold, 2 = result unknown (communication
// error), 3 = refused after the fact.

export const OGONE_STATUS = Object.freeze({
  /** Incomplete or invalid; also a fresh order nobody has paid yet. */
  INCOMPLETE: 0,
  CANCELLED_BY_CUSTOMER: 1,
  AUTHORISATION_REFUSED: 2,
  /** Order stored (accepted family). */
  ORDER_STORED: 4,
  AUTHORISED: 5,
  PAYMENT_REQUESTED: 9,
  /** Waiting for client payment (accepted family). */
  WAITING_CLIENT_PAYMENT: 41,
  /** Waiting for the customer's 3-D Secure authentication. */
  WAITING_AUTHENTICATION: 46,
  /** Authorisation waiting (accepted family). */
  AUTHORISATION_WAITING: 51,
  /** Authorisation not known: the acquirer's answer was lost (RES). */
  AUTHORISATION_NOT_KNOWN: 52,
  /** Payment processing (accepted family). */
  PAYMENT_PROCESSING: 91,
  /** Payment uncertain: the acquirer's answer was lost (SAL). */
  PAYMENT_UNCERTAIN: 92,
  PAYMENT_REFUSED_TECHNICAL: 93,
  /** Being processed: an attempt is under way, or was interrupted and awaits reconciliation. */
  BEING_PROCESSED: 99,
});

export type OgoneStatus = (typeof OGONE_STATUS)[keyof typeof OGONE_STATUS];

const S = OGONE_STATUS;

/** Accepted and pending statuses: the customer goes to ACCEPTURL. */
export const ACCEPTED_STATUSES: ReadonlySet<number> = new Set([
  S.ORDER_STORED,
  S.AUTHORISED,
  S.PAYMENT_REQUESTED,
  S.WAITING_CLIENT_PAYMENT,
  S.AUTHORISATION_WAITING,
  S.PAYMENT_PROCESSING,
]);
/** Refused: DECLINEURL. */
export const DECLINED_STATUSES: ReadonlySet<number> = new Set([S.AUTHORISATION_REFUSED, S.PAYMENT_REFUSED_TECHNICAL]);
/** Result unknown: EXCEPTIONURL. */
export const UNCERTAIN_STATUSES: ReadonlySet<number> = new Set([S.AUTHORISATION_NOT_KNOWN, S.PAYMENT_UNCERTAIN]);
/**
 * The first server-to-server URL is for "accepted, on hold (pending) or uncertain" statuses; the
 * second for cancelled and refused ones.
 */
export const S2S_FIRST_URL_STATUSES: ReadonlySet<number> = new Set([...ACCEPTED_STATUSES, ...UNCERTAIN_STATUSES]);
