// Per-subscription rate limit verdict (pure). A sliding window approximated from two fixed windows
// (the current minute and the previous one, weighted by how much of it still overlaps the last 60 s):
// it needs two counters per subscription, which is what instances can share cheaply, and it does not
// allow the double burst a plain fixed window allows at the minute boundary.

export const RATE_WINDOW_MS = 60_000;

export interface RateInput {
  limit: number;
  now: number;
  /** Start of the current fixed window (a multiple of RATE_WINDOW_MS). */
  windowStart: number;
  /** Requests counted in the current window, all instances (as far as known) plus this instance's unsynced ones. */
  current: number;
  /** Requests counted in the previous window. */
  previous: number;
}

export type RateVerdict = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export function windowStartOf(now: number): number {
  return now - (now % RATE_WINDOW_MS);
}

function estimate(input: RateInput, at: number): number {
  const elapsed = (at - input.windowStart) / RATE_WINDOW_MS;
  return input.previous * Math.max(0, 1 - elapsed) + input.current;
}

/** Whether one more request is allowed now; when not, how many whole seconds until it would be. */
export function rateVerdict(input: RateInput): RateVerdict {
  const used = estimate(input, input.now);
  if (used + 1 <= input.limit) return { allowed: true, remaining: Math.max(0, Math.floor(input.limit - used - 1)) };
  const windowEnd = input.windowStart + RATE_WINDOW_MS;
  let waitMs: number;
  if (input.current + 1 > input.limit || input.previous === 0) {
    // The current window alone is full: the next window starts with it as "previous", so wait until
    // enough of it has slid out: current * (1 - t/W) + 1 <= limit.
    const fraction = input.current === 0 ? 0 : Math.max(0, 1 - (input.limit - 1) / input.current);
    waitMs = windowEnd - input.now + fraction * RATE_WINDOW_MS;
  } else {
    // The previous window's share must decay: previous * (1 - (t - start)/W) + current + 1 <= limit.
    const at = input.windowStart + RATE_WINDOW_MS * (1 - (input.limit - 1 - input.current) / input.previous);
    waitMs = at - input.now;
  }
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}
