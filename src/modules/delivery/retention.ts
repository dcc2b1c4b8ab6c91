import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Channel } from './outbox.repository.ts';

// Retention of the outbox (VARCO_RETENTION_OUTBOX_DAYS): a message that was delivered, or given up (dead or exhausted),
// longer ago than the cut-off goes, with its delivery attempts. Pending and held messages stay
// whatever their age. A given-up message's age counts from its last attempt (next_attempt_at is the
// time that attempt was due). Deleted in batches, so no statement holds many locks for long.
// `channel` narrows it to one channel: password reset requests (`reset`) hold the address a visitor
// typed and their IP, and go a day after they finished (src/app/retention.ts), not with the rest.

const BATCH = 2000;

/** Deletes finished messages older than `before` (of `channel` only, when given); returns how many. */
export async function pruneFinishedMessages(db: Kysely<Database>, before: Date, batch = BATCH, channel?: Channel): Promise<number> {
  const ofChannel = channel === undefined ? sql`` : sql`AND channel = ${channel}`;
  let total = 0;
  for (;;) {
    // Rows a resend is turning back to pending are locked by it: skipped, and no longer finished after.
    const result = await sql`
      WITH doomed AS (
        SELECT id FROM outbox
        WHERE state IN ('delivered', 'dead', 'exhausted') AND COALESCE(delivered_at, next_attempt_at) < ${before} ${ofChannel}
        LIMIT ${batch} FOR UPDATE SKIP LOCKED
      ), attempts AS (
        DELETE FROM outbox_attempts WHERE message_id IN (SELECT id FROM doomed)
      )
      DELETE FROM outbox WHERE id IN (SELECT id FROM doomed)`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < batch) return total;
  }
}
