import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { slotBounds, takeSlot, type ThrottleLimits, type ThrottleState } from './throttle.policy.ts';

// The atomic side of throttle.policy.ts: each statement is the policy's transition written as one
// guarded SQL statement, so concurrent attempts (in one process or many) are counted one by one
// under the row's lock and none can read a count another is about to raise.

export interface SlotRequest {
  key: string;
  limits: ThrottleLimits;
}

export type SlotsOutcome = { taken: true; windows: Map<string, Date> } | { taken: false; retryAfterMs: number };

/** Carries a refusal out of the transaction, which rolls back the slots already taken for the attempt. */
class SlotRefused extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('sign-in slot refused');
    this.retryAfterMs = retryAfterMs;
  }
}

/** takeSlot as one upsert: returns the slot's window when taken, nothing when refused (the row is then locked by us, unchanged). */
async function upsertSlot(db: Kysely<Database>, key: string, limits: ThrottleLimits, now: Date): Promise<Date | undefined> {
  const b = slotBounds(now, limits);
  const max = sql`${b.maxFailures}::integer`;
  const fresh = sql`(t.window_started_at < ${b.staleBefore}::timestamptz OR t.locked_until IS NOT NULL)`;
  const counted = sql`CASE WHEN ${fresh} THEN 1 ELSE t.failures + 1 END`;
  const result = await sql<{ window_started_at: Date }>`
    INSERT INTO signin_throttle AS t (key, failures, window_started_at, locked_until)
    VALUES (${key}, 1, ${b.now}::timestamptz, CASE WHEN 1 >= ${max} THEN ${b.lockUntil}::timestamptz END)
    ON CONFLICT (key) DO UPDATE SET
      failures = ${counted},
      window_started_at = CASE WHEN ${fresh} THEN ${b.now}::timestamptz ELSE t.window_started_at END,
      locked_until = CASE WHEN ${counted} >= ${max} THEN ${b.lockUntil}::timestamptz END
    WHERE (t.locked_until IS NULL OR t.locked_until <= ${b.now}::timestamptz) AND (${fresh} OR t.failures < ${max})
    RETURNING window_started_at`.execute(db);
  return result.rows[0]?.window_started_at;
}

export async function readThrottle(db: Kysely<Database>, key: string): Promise<ThrottleState | undefined> {
  const row = await db.selectFrom('signin_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  return row && { failures: row.failures, windowStartedAt: row.window_started_at, lockedUntil: row.locked_until };
}

/**
 * One attempt takes a slot on every key, or on none: a refusal by any key rolls back the others,
 * so an attempt that was never checked does not count. Keys are taken in the caller's order (always
 * account, then address), so two attempts cannot wait on each other's rows.
 */
export async function takeSlots(db: Kysely<Database>, requests: SlotRequest[], now: Date): Promise<SlotsOutcome> {
  try {
    return await db.transaction().execute(async (trx) => {
      const windows = new Map<string, Date>();
      for (const { key, limits } of requests) {
        const window = await upsertSlot(trx, key, limits, now);
        if (window === undefined) {
          const verdict = takeSlot(await readThrottle(trx, key), now, limits).verdict;
          // The row is locked by the refused upsert, so it is as the statement saw it; allowed cannot happen.
          throw new SlotRefused(verdict.allowed ? limits.lockMs : verdict.retryAfterMs);
        }
        windows.set(key, window);
      }
      return { taken: true as const, windows };
    });
  } catch (error) {
    if (error instanceof SlotRefused) return { taken: false, retryAfterMs: error.retryAfterMs };
    throw error;
  }
}

/** releaseSlot (throttle.policy.ts) as one guarded update. */
export async function giveBackSlot(db: Kysely<Database>, key: string, slotWindow: Date, limits: ThrottleLimits): Promise<void> {
  await sql`
    UPDATE signin_throttle SET failures = failures - 1,
      locked_until = CASE WHEN failures - 1 >= ${limits.maxFailures}::integer THEN locked_until END
    WHERE key = ${key} AND window_started_at = ${slotWindow}::timestamptz AND failures > 0`.execute(db);
}

export async function clearThrottle(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('signin_throttle').where('key', '=', key).execute();
}

/** Windows are an hour at most (sign-in 15 minutes, reset requests an hour): a day-old row whose lock has ended counts nothing. */
const THROTTLE_KEPT_MS = 24 * 3600_000;

/**
 * Retention: rows whose window started more than a day ago and that lock nothing (a missing row and
 * such a row are the same to takeSlot: the next attempt starts a new window). Every sign-in address,
 * typed account and reset-asking address makes one, so they must not stay for ever.
 */
export async function pruneThrottles(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('signin_throttle')
    .where('window_started_at', '<', new Date(now.getTime() - THROTTLE_KEPT_MS))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
