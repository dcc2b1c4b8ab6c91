// Pure decisions of reachability verification: what state a check puts a station in, whether that
// change must flag the station (and e-mail its organisation), and which certificate expiry warning
// is due. The service applies each verdict with one guarded SQL statement.

export type ConnectionState = 'unverified' | 'verified' | 'failing';

export interface ConnectionVerdict {
  state: ConnectionState;
  /** The station stopped answering: set flagged_at and e-mail the organisation (once). */
  flag: boolean;
  /** It answers again: clear flagged_at, so the next failure is reported again. */
  unflag: boolean;
}

/**
 * Connection verified only when both directions succeeded: every registered endpoint answered
 * Varco's checks (outbound) and the organisation has called `GET /api/v1/ping` in that
 * environment (inbound). Only a verified → failing change flags: a station that never worked is
 * the organisation's work in progress, not an outage.
 */
export function connectionVerdict(previous: ConnectionState, outboundOk: boolean, inboundOk: boolean, flagged: boolean): ConnectionVerdict {
  const state: ConnectionState = outboundOk && inboundOk ? 'verified' : 'failing';
  return { state, flag: previous === 'verified' && state === 'failing' && !flagged, unflag: state === 'verified' && flagged };
}

export const EXPIRY_WARNING_DAYS = [30, 14, 7] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExpiryWarning {
  /** The threshold this warning stands for (30, 14 or 7); one row per certificate and threshold. */
  daysBefore: number;
  /** Whole days left, for the message. */
  daysLeft: number;
}

/**
 * The warning due for a certificate now, if any: the most urgent threshold already reached and
 * not sent yet. A certificate first seen 5 days before expiry gets the 7-day warning only, not
 * three e-mails at once; an expired certificate gets none (its checks fail loudly instead).
 */
export function expiryWarningDue(notAfter: Date, now: Date, alreadySent: readonly number[]): ExpiryWarning | undefined {
  const leftMs = notAfter.getTime() - now.getTime();
  if (leftMs <= 0) return undefined;
  const reached = EXPIRY_WARNING_DAYS.filter((days) => leftMs <= days * DAY_MS);
  const mostUrgent = reached.at(-1);
  if (mostUrgent === undefined || alreadySent.includes(mostUrgent)) return undefined;
  return { daysBefore: mostUrgent, daysLeft: Math.floor(leftMs / DAY_MS) };
}

/** Verifications a referent may start from the portal per station, within PORTAL_VERIFY_WINDOW_MS. */
export const PORTAL_VERIFY_LIMIT = 3;
export const PORTAL_VERIFY_WINDOW_MS = 60_000;

export type PortalVerifyVerdict =
  /** `times`: what to store (the recent starts, this one included). */
  { allowed: true; times: Date[] } | { allowed: false; retryAfterSeconds: number };

/**
 * Sliding window over the last starts of a station's portal verification: at most `limit` in any
 * `windowMs`. Each one makes outbound connections to the organisation's servers on the referent's
 * say-so, so a page reloaded in a loop must not turn Varco into a load generator.
 */
export function portalVerifyVerdict(
  previous: readonly Date[],
  now: Date,
  limit = PORTAL_VERIFY_LIMIT,
  windowMs = PORTAL_VERIFY_WINDOW_MS,
): PortalVerifyVerdict {
  const recent = previous.filter((at) => now.getTime() - at.getTime() < windowMs).sort((a, b) => a.getTime() - b.getTime());
  if (recent.length < limit) return { allowed: true, times: [...recent, now] };
  const oldest = recent[recent.length - limit] ?? now;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest.getTime() + windowMs - now.getTime()) / 1000)) };
}
