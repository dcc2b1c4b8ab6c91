import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { AuditLog, AuditEntry } from '../audit/index.ts';
import { OUTBOX_CHANNEL, type Channel } from './outbox.repository.ts';
import { queueCount, type QueueCount } from '../../kernel/home.ts';

// Bulk resend (issue 17): after a receiver's outage, an operator gives every message that was given up
// one more try at once. The message itself goes back to `pending`, due now, so its history (attempts,
// the receipt or order that points at it) stays one story. One run revives each message at most once:
// it pages through the selection by id (keyset), so a revived message that fails again and is given up
// again during the run (its retries ran out before, and its owner is told again) lies behind the
// cursor and is not picked again; before, a receiver still failing kept the run going round, sending
// to it and telling the owners each round (nineteenth session). A second run gives what is given up at
// that moment one more try: nothing the first one revived and that has not failed again since.

export const RESENDABLE_STATES = ['exhausted', 'dead'] as const;
export type ResendableState = (typeof RESENDABLE_STATES)[number];
export const OUTBOX_CHANNELS: readonly Channel[] = ['email', 'http', 'soap', 'reset'];

export interface ResendFilter {
  state: ResendableState;
  channel?: Channel | undefined;
  organisationId?: string | undefined;
  /** Only messages created at or after this instant (the outage's start). */
  since?: Date | undefined;
}

export interface ResendActor {
  type: AuditEntry['actorType'];
  id: string | null;
}

/** How many messages the filter selects now (a dry run). */
export async function countResendable(db: Kysely<Database>, filter: ResendFilter): Promise<number> {
  const row = await selected(db, filter)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function selected(db: Kysely<Database>, filter: ResendFilter) {
  // A message replaced by a resend from the portal or the receipts page is not given up any more.
  let query = db.selectFrom('outbox').where('state', '=', filter.state).where('superseded_by', 'is', null);
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  if (filter.organisationId) query = query.where('organisation_id', '=', filter.organisationId);
  if (filter.since) query = query.where('created_at', '>=', filter.since);
  return query;
}

/**
 * Revives the selected messages in batches, each batch one transaction with its audit row (the ids it
 * revived) and one wake-up of the workers. `onBatch` hears each batch's size (progress). Returns the total.
 */
export async function resendGivenUp(
  db: Kysely<Database>,
  audit: AuditLog,
  filter: ResendFilter,
  actor: ResendActor,
  options: { now: () => Date; batchSize?: number; onBatch?: (revived: number) => void | Promise<void> },
): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  let total = 0;
  // The last id looked at: each batch reads only beyond it, so no message is revived twice in one run.
  let after: string | null = null;
  for (;;) {
    const batch: { ids: { id: string }[]; last: string | null } = await db.transaction().execute(async (trx) => {
      const now = options.now();
      // SKIP LOCKED: a message another transaction holds (another resend's batch, a resend from the portal)
      // is left to it.
      let query = selected(trx, filter).select('id');
      if (after !== null) query = query.where('id', '>', after);
      const chosen = await query.orderBy('id').limit(batchSize).forUpdate().skipLocked().execute();
      const last = chosen.at(-1)?.id ?? null;
      if (last === null) return { ids: [], last };
      const revived = await trx
        .updateTable('outbox')
        .set({ state: 'pending', next_attempt_at: now, lease_owner: null, lease_expires_at: null })
        .where(
          'id',
          'in',
          chosen.map((r) => r.id),
        )
        .where('state', '=', filter.state)
        .returning('id')
        .execute();
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        action: 'outbox.resent',
        subjectType: 'outbox',
        organisationId: filter.organisationId ?? null,
        details: {
          state: filter.state,
          channel: filter.channel ?? null,
          since: filter.since?.toISOString() ?? null,
          count: revived.length,
          messageIds: revived.map((r) => r.id).join(','),
        },
      });
      await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, 'now')`.execute(trx);
      return { ids: revived, last };
    });
    if (batch.last === null) return total;
    after = batch.last;
    total += batch.ids.length;
    await options.onBatch?.(batch.ids.length);
  }
}

/** The back office queue of deliveries given up (exhausted), since the oldest one's creation (issue 14). */
export async function givenUpQueue(db: Kysely<Database>): Promise<QueueCount> {
  const row = await selected(db, { state: 'exhausted' })
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('created_at').as('oldest')])
    .executeTakeFirst();
  return queueCount(row);
}

/** The given-up messages a filter selects, newest first, for the back office list. */
export function listGivenUp(db: Kysely<Database>, filter: ResendFilter, limit: number) {
  return selected(db, filter)
    .select(['id', 'channel', 'organisation_id', 'subject_type', 'subject_id', 'attempts', 'last_error', 'created_at', 'next_attempt_at'])
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/** Given-up deliveries for the back office: the list, a count and the bulk resend, as one administrator. */
export interface GivenUpDeliveries {
  list(filter: ResendFilter, limit: number): ReturnType<typeof listGivenUp>;
  count(filter: ResendFilter): Promise<number>;
  /** `onBatch` hears each batch's size (the CLI's progress lines). */
  resend(filter: ResendFilter, actor: ResendActor, onBatch?: (revived: number) => void): Promise<number>;
}

export function createGivenUpDeliveries(deps: { db: Kysely<Database>; audit: AuditLog; clock: { now(): Date } }): GivenUpDeliveries {
  const { db, audit, clock } = deps;
  return {
    list: (filter, limit) => listGivenUp(db, filter, limit),
    count: (filter) => countResendable(db, filter),
    resend: (filter, actor, onBatch) => resendGivenUp(db, audit, filter, actor, { now: () => clock.now(), ...(onBatch ? { onBatch } : {}) }),
  };
}
