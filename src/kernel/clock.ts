/** The clock is a dependency so policies (expiry, locks, retries) can be tested at chosen instants. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(start: Date): Clock & { advance(ms: number): void; set(d: Date): void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
    set: (d: Date) => {
      current = d.getTime();
    },
  };
}

// Date.prototype.toISOString formats every field on each call (~0.65 µs here, issue 15), and a busy
// API stamps a log line per request. Within one second only the milliseconds change: the rest of the
// text is kept from the previous call.
let keptSecond = Number.NaN;
let keptPrefix = '';

/** `new Date(ms).toISOString()`, formatted once per second: "2026-12-06T08:31:05.123Z". */
export function isoTime(ms: number = Date.now()): string {
  // A Date keeps whole milliseconds (cut toward zero); beyond its range, or NaN, toISOString throws.
  if (!Number.isInteger(ms) || Math.abs(ms) > 8.64e15) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== keptSecond) {
    // Everything but the milliseconds and the Z ("000Z"), whatever the year's width.
    keptPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    keptSecond = second;
  }
  const milli = ms - second * 1000;
  return `${keptPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
