// Pure decisions for sign-in throttling. A password is checked only after the attempt has taken a
// slot: the repository applies takeSlot with one guarded upsert (throttle.repository.ts), so the
// number of passwords checked per window is bounded whatever the concurrency or number of instances.
// A test applies both this policy and the statement to the same states and compares them.
import ipaddr from 'ipaddr.js';

/**
 * The address a client's attempts are counted under: an IPv4 address (also when written as
 * IPv4-mapped IPv6), or the /64 of an IPv6 address — one subscriber's network, of which it may use
 * any of 2^64 addresses, so counting each would give it a fresh allowance per address.
 */
export function addressBucket(ip: string | null): string {
  if (ip === null || !ipaddr.isValid(ip)) return ip ?? 'unknown';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}

export interface ThrottleState {
  /** Slots taken in the window: attempts whose password was (or is being) checked, minus slots given back. */
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

export interface ThrottleLimits {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/** The instants and limit of one decision, as the repository's statement takes them. */
export interface SlotBounds {
  now: Date;
  /** A window that started before this instant is over: the next attempt starts a new one. */
  staleBefore: Date;
  /** The lock set by the attempt that takes the last slot. */
  lockUntil: Date;
  maxFailures: number;
}

export function slotBounds(now: Date, limits: ThrottleLimits): SlotBounds {
  return { now, staleBefore: new Date(now.getTime() - limits.windowMs), lockUntil: new Date(now.getTime() + limits.lockMs), maxFailures: limits.maxFailures };
}

/** One more attempt: refused while locked or while the window's slots are used, otherwise counted first. */
export function takeSlot(state: ThrottleState | undefined, now: Date, limits: ThrottleLimits): { verdict: ThrottleVerdict; next: ThrottleState | undefined } {
  const b = slotBounds(now, limits);
  if (state?.lockedUntil && state.lockedUntil.getTime() > now.getTime()) {
    return { verdict: { allowed: false, retryAfterMs: state.lockedUntil.getTime() - now.getTime() }, next: state };
  }
  // A lock that has ended, or a window that is over, starts counting afresh.
  const fresh = !state || state.windowStartedAt.getTime() < b.staleBefore.getTime() || state.lockedUntil !== null;
  if (!fresh && state.failures >= limits.maxFailures) {
    // Only reachable when VARCO_SIGNIN_MAX_FAILURES was lowered: wait for the window to end.
    return { verdict: { allowed: false, retryAfterMs: Math.max(1000, state.windowStartedAt.getTime() + limits.windowMs - now.getTime()) }, next: state };
  }
  const failures = fresh ? 1 : state.failures + 1;
  const next = { failures, windowStartedAt: fresh ? now : state.windowStartedAt, lockedUntil: failures >= limits.maxFailures ? b.lockUntil : null };
  return { verdict: { allowed: true }, next };
}

/**
 * A slot given back because the password was right: an address behind a shared NAT must not be
 * locked by its users' successful sign-ins. Only within the window the slot was taken in; the lock
 * stays only while the slots are all used.
 */
export function releaseSlot(state: ThrottleState | undefined, slotWindow: Date, limits: ThrottleLimits): ThrottleState | undefined {
  if (!state || state.windowStartedAt.getTime() !== slotWindow.getTime() || state.failures <= 0) return state;
  const failures = state.failures - 1;
  return { failures, windowStartedAt: state.windowStartedAt, lockedUntil: failures >= limits.maxFailures ? state.lockedUntil : null };
}
