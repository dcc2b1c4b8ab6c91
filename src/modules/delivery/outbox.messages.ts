import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { isId, newId } from '../../kernel/ids.ts';
import { insertOutbox, OUTBOX_CHANNEL, type Channel } from './outbox.repository.ts';

// Messages of channels whose payload belongs to another module (pagoPA receipts on `soap`): the
// delivery module stores, leases, retries and records them; the channel's handler (wired by the
// workers) knows what the payload means. Enqueued in the caller's transaction, like e-mail.

export interface OutboxMessageInput {
  channel: Exclude<Channel, 'email' | 'http'>;
  /** A small JSON object the channel's handler reads (e.g. the id of the row to deliver). */
  payload: Record<string, unknown>;
  organisationId?: string | null;
  subjectType: string;
  subjectId: string;
  /** The message's id when the caller recorded it before enqueueing (from newOutboxMessageId); a new one otherwise. */
  id?: string;
  /** A resend: the given-up message this one replaces (markSuperseded). */
  supersedes?: string;
}

/** An id for a message the caller enqueues later in the same transaction (enqueueOutboxMessage's `id`). */
export const newOutboxMessageId = (): string => newId('msg');

/** Enqueues a message inside the caller's transaction; workers wake at commit. Returns its id (msg_…). */
export async function enqueueOutboxMessage(trx: Kysely<Database>, input: OutboxMessageInput): Promise<string> {
  if (!trx.isTransaction) throw new Error('enqueueOutboxMessage must run inside the transaction of the change that causes the message');
  if (input.id !== undefined && !isId(input.id, 'msg')) throw new Error('an outbox message id comes from newOutboxMessageId');
  const id = input.id ?? newOutboxMessageId();
  await insertOutbox(trx, {
    id,
    channel: input.channel,
    payload: input.payload,
    organisationId: input.organisationId ?? null,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
  });
  if (input.supersedes !== undefined) await markSuperseded(trx, input.supersedes, id);
  return id;
}

/**
 * A given-up message (`exhausted` or `dead`) replaced by a resend names its replacement: it keeps its
 * final state and history, but the back office's given-up queue and the bulk resend (outbox.resend.ts)
 * skip it, so the same event (or receipt) is not delivered again by "resend all" (nineteenth session).
 */
export async function markSuperseded(trx: Kysely<Database>, id: string, by: string): Promise<void> {
  await trx.updateTable('outbox').set({ superseded_by: by }).where('id', '=', id).where('state', 'in', ['exhausted', 'dead']).execute();
}

export type OutboxMessageState = 'pending' | 'leased' | 'held' | 'delivered' | 'dead' | 'exhausted' | 'missing';

/** When a pending message is tried next; null once it is delivered or given up (or unknown). A worker may hold it now. */
export async function nextAttemptOf(db: Kysely<Database>, id: string): Promise<Date | null> {
  const row = await db.selectFrom('outbox').select(['state', 'next_attempt_at']).where('id', '=', id).executeTakeFirst();
  return row?.state === 'pending' ? row.next_attempt_at : null;
}

/**
 * Makes a pending message due now (an operator's "send now" instead of waiting for the back-off),
 * unless a worker holds it at this moment. Returns the message's state as seen: `pending` when it
 * was made due, `leased` when a delivery is in progress, or its final state.
 */
export async function retryOutboxMessageNow(trx: Kysely<Database>, id: string, now: Date): Promise<OutboxMessageState> {
  const row = await trx.selectFrom('outbox').select(['state', 'lease_expires_at']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) return 'missing';
  if (row.state !== 'pending') return row.state;
  if (row.lease_expires_at !== null && row.lease_expires_at > now) return 'leased';
  await trx.updateTable('outbox').set({ next_attempt_at: now }).where('id', '=', id).execute();
  await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, 'now')`.execute(trx);
  return 'pending';
}
