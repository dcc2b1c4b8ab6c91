import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { RATE_WINDOW_MS, rateVerdict, windowStartOf, type RateVerdict } from './rate-limit.policy.ts';

// Per-subscription counting for the rate limit. The decision never waits for the database: each
// instance counts locally, and about once a second adds its new requests to the shared row of the
// window (api_rate_windows) and reads back the total of all instances. Between two syncs an instance
// does not see the others' latest requests, so N instances can overshoot by at most
// (N - 1) x one second of traffic; in exchange the hot path costs a Map lookup. See docs/adr/0005.

interface Counter {
  /** All instances' count as of the last sync (this instance's synced requests included). */
  shared: number;
  /** This instance's requests not yet added to the shared row. */
  pending: number;
}

export function createRateLimiter(options: { db: Kysely<Database> }) {
  // subscription id -> window start -> counter. Nested rather than one "id|start" key: the hot path
  // builds no string, and the subscription id string (the cached key's) hashes once (issue 15).
  const counters = new Map<string, Map<number, Counter>>();
  const total = (c: Counter | undefined): number => (c ? c.shared + c.pending : 0);
  const counterOf = (subscriptionId: string, windowStart: number): Counter | undefined => counters.get(subscriptionId)?.get(windowStart);

  /** Counts the request if allowed; a refused request is not counted, so a client that waits recovers. */
  function take(subscriptionId: string, limit: number, now: number): RateVerdict {
    const windowStart = windowStartOf(now);
    let windows = counters.get(subscriptionId);
    const current = windows?.get(windowStart);
    const verdict = rateVerdict({
      limit,
      now,
      windowStart,
      current: total(current),
      previous: total(windows?.get(windowStart - RATE_WINDOW_MS)),
    });
    if (verdict.allowed) {
      if (current) current.pending++;
      else {
        if (!windows) counters.set(subscriptionId, (windows = new Map()));
        windows.set(windowStart, { shared: 0, pending: 1 });
      }
    }
    return verdict;
  }

  /** Pushes local counts to the shared rows and reads back the totals; drops windows too old to matter. */
  async function sync(now: number): Promise<void> {
    const oldest = windowStartOf(now) - RATE_WINDOW_MS;
    const batch: Array<{ id: string; windowStart: number; add: number; counter: Counter }> = [];
    for (const [id, windows] of counters) {
      for (const [windowStart, counter] of windows) {
        if (windowStart < oldest) windows.delete(windowStart);
        else if (counter.pending > 0) batch.push({ id, windowStart, add: counter.pending, counter });
      }
      if (windows.size === 0) counters.delete(id);
    }
    if (batch.length === 0) return;
    for (const item of batch) item.counter.pending -= item.add;
    const values = sql.join(batch.map((b) => sql`(${b.id}, ${new Date(b.windowStart).toISOString()}::timestamptz, ${b.add}::integer)`));
    try {
      const { rows } = await sql<{ subscription_id: string; window_start: Date; count: number }>`
        INSERT INTO api_rate_windows AS w (subscription_id, window_start, count) VALUES ${values}
        ON CONFLICT (subscription_id, window_start) DO UPDATE SET count = w.count + EXCLUDED.count
        RETURNING subscription_id, window_start, count`.execute(options.db);
      for (const row of rows) {
        const counter = counterOf(row.subscription_id, row.window_start.getTime());
        // Requests counted while the statement ran stay pending for the next sync.
        if (counter) counter.shared = row.count;
      }
    } catch (error) {
      // Nothing was added: keep the counts pending so the next sync adds them.
      for (const item of batch) item.counter.pending += item.add;
      throw error;
    }
  }

  /** Old shared rows are useless after two windows; any instance may delete them. */
  async function prune(now: number): Promise<void> {
    await options.db
      .deleteFrom('api_rate_windows')
      .where('window_start', '<', new Date(windowStartOf(now) - 2 * RATE_WINDOW_MS))
      .execute();
  }

  return { take, sync, prune, reset: () => counters.clear() };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
