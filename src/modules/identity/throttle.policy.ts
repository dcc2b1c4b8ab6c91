// Pure decision for sign-in throttling; the repository applies it with one upsert.

export interface ThrottleState {
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

export function checkThrottle(state: ThrottleState | undefined, now: Date): ThrottleVerdict {
  if (state?.lockedUntil && state.lockedUntil.getTime() > now.getTime()) {
    return { allowed: false, retryAfterMs: state.lockedUntil.getTime() - now.getTime() };
  }
  return { allowed: true };
}

/** State after one more failure: counts within a window, locks when the limit is reached. */
export function recordFailure(state: ThrottleState | undefined, now: Date, limits: ThrottleLimits): ThrottleState {
  const fresh = !state || now.getTime() - state.windowStartedAt.getTime() > limits.windowMs ||
    (state.lockedUntil !== null && state.lockedUntil.getTime() <= now.getTime());
  const failures = fresh ? 1 : state.failures + 1;
  const windowStartedAt = fresh ? now : state.windowStartedAt;
  const lockedUntil = failures >= limits.maxFailures ? new Date(now.getTime() + limits.lockMs) : null;
  return { failures, windowStartedAt, lockedUntil };
}
