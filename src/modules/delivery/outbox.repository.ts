import { sql, type Kysely, type Selectable } from 'kysely';
import { arrayLiteral, type ArrayElement, type Database } from '../../db/index.ts';
import type { OutboxTable } from '../../db/schema.ts';
import { likeContains } from '../../kernel/like.ts';
import { jsonbText } from '../../kernel/storable.ts';

// SQL of the outbox and its attempts. Leasing is one statement: the due rows are locked with
// FOR UPDATE SKIP LOCKED inside the UPDATE that stamps the lease, so two workers (in one process or
// in two instances) never lease the same row, and a lease is committed before any delivery starts.

export const OUTBOX_CHANNEL = 'varco_outbox';

/**
 * email: SMTP; http: server-to-server HTTPS (hosted-page feedback); soap: pagoPA receipts (paSendRT[V2], mutual TLS);
 * reset: password reset requests, fulfilled by the worker after the page answered (src/app/mail.ts).
 */
export type Channel = 'email' | 'http' | 'soap' | 'reset';
export type OutboxRow = Selectable<OutboxTable>;

export interface NewOutboxRow {
  id: string;
  channel: Channel;
  payload: unknown;
  organisationId?: string | null | undefined;
  subjectType?: string | null | undefined;
  subjectId?: string | null | undefined;
}

export async function insertOutbox(trx: Kysely<Database>, row: NewOutboxRow): Promise<void> {
  // NOTIFY is transactional: workers wake at commit, and never for a rolled-back message. The insert
  // and the notification are one statement (a data-modifying CTE): one round trip per message (issue 15).
  await trx
    .with('inserted', (db) =>
      db
        .insertInto('outbox')
        .values({
          id: row.id,
          channel: row.channel,
          // Well-formed texts: a parameter cut inside a character would make jsonb refuse the message.
          payload: jsonbText(row.payload),
          organisation_id: row.organisationId ?? null,
          subject_type: row.subjectType ?? null,
          subject_id: row.subjectId ?? null,
        })
        .returning('channel'),
    )
    .selectFrom('inserted')
    .select(sql<string>`pg_notify(${OUTBOX_CHANNEL}, inserted.channel)`.as('notified'))
    .execute();
}

/**
 * Due pending rows of these channels whose lease is free or expired, leased to `owner`; attempts counts
 * this try. The statement is the function `varco_outbox_lease` (migration 0031): it reads the partial
 * index outbox_due in next_attempt_at order and stops after `limit` rows, whatever PostgreSQL's
 * statistics of the table say (planned freely, a backlog was read and sorted whole on every lease), and
 * updates each row by primary key even with a plan kept from when the table was small (migration 0034).
 */
export async function leaseDue(
  db: Kysely<Database>,
  options: { owner: string; channels: readonly Channel[]; now: Date; leaseMs: number; limit: number },
): Promise<LeasedRow[]> {
  const { owner, channels, now, leaseMs, limit } = options;
  if (channels.length === 0 || limit <= 0) return [];
  const until = new Date(now.getTime() + leaseMs);
  // The columns a delivery reads, not the whole row: every timestamp of every leased row was parsed
  // into a Date for nothing (issue 15).
  const result = await sql<LeasedRow>`
    SELECT id, channel, payload, attempts, created_at, organisation_id, subject_type, subject_id
    FROM varco_outbox_lease(${owner}, ${sql.val([...channels])}::text[], ${now}, ${until}, ${limit})`.execute(db);
  return result.rows;
}

/** What a lease hands the worker of each message (attempts counts this try). */
export type LeasedRow = Pick<OutboxRow, 'id' | 'channel' | 'payload' | 'attempts' | 'created_at' | 'organisation_id' | 'subject_type' | 'subject_id'>;

export interface AttemptRecord {
  messageId: string;
  owner: string;
  /** The attempt number the lease gave (outbox.attempts after leasing): guards against a lease taken over since. */
  attempt: number;
  startedAt: Date;
  durationMs: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** After a failure: the next try, or null when the message is given up ('exhausted', or 'dead' when `permanent`). */
  nextAttemptAt: Date | null;
  /** A failure given up without running out of retries (retrying cannot help, or none was wanted): 'dead', not 'exhausted'. */
  permanent?: boolean;
  now: Date;
}

/** The state a recorded attempt leaves its message in. */
export function stateAfter(r: Pick<AttemptRecord, 'ok' | 'nextAttemptAt' | 'permanent'>): 'delivered' | 'pending' | 'dead' | 'exhausted' {
  if (r.ok) return 'delivered';
  if (r.nextAttemptAt !== null) return 'pending';
  return r.permanent ? 'dead' : 'exhausted';
}

/**
 * Records the attempt and applies its verdict in one transaction. The state change is guarded by the
 * lease (owner and attempt number): a worker whose lease expired and was taken over must not
 * overwrite the newer attempt's result. The attempt row is written either way, because it happened.
 * Returns whether this worker still held the lease. `onExhausted` runs in the same transaction when
 * this attempt exhausted the message (and the lease was still held): a notice it enqueues is sent
 * exactly once per exhaustion, and if it fails nothing is recorded (the lease expires, the message
 * is tried again and exhausted again).
 */
export async function recordAttempt(db: Kysely<Database>, r: AttemptRecord, onExhausted?: (trx: Kysely<Database>) => Promise<void>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const held = (await recordAttempts(trx, r.owner, [r])).has(r.messageId);
    if (held && stateAfter(r) === 'exhausted') await onExhausted?.(trx);
    return held;
  });
}

/**
 * Records several attempts of one worker in one statement, hence one commit: the attempt rows, and
 * each verdict guarded by the lease as recordAttempt describes. A busy worker records its outcomes in
 * groups (worker.ts); one transaction per delivery made the database the bottleneck of
 * server-to-server delivery (issue 6, docs/benchmarks.md). The statement is the function
 * `varco_outbox_record` (migration 0033), parsed once per connection and usually not planned again
 * (migration 0034: its kept plan finds messages by primary key whatever the table's size when it was made);
 * one statement is atomic on its own, with no BEGIN/COMMIT round trips around it. Returns the ids
 * whose lease it still held.
 */
export async function recordAttempts(db: Kysely<Database>, owner: string, records: readonly AttemptRecord[]): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  // Each column as PostgreSQL's array text (db/array-literal.ts), read by the casts below.
  const column = (pick: (r: AttemptRecord) => ArrayElement): string => arrayLiteral(records.map(pick));
  const result = await sql<{ id: string }>`
    SELECT id FROM varco_outbox_record(${owner}, ${column((r) => r.messageId)}::text[], ${column((r) => r.attempt)}::int[],
      ${column((r) => r.startedAt)}::timestamptz[], ${column((r) => Math.max(0, Math.round(r.durationMs)))}::int[], ${column((r) => r.ok)}::bool[],
      ${column((r) => r.statusCode)}::int[], ${column((r) => r.error)}::text[], ${column((r) => r.nextAttemptAt)}::timestamptz[],
      ${column((r) => r.permanent === true)}::bool[], ${column((r) => r.now)}::timestamptz[]) AS id`.execute(db);
  return new Set(result.rows.map((r) => r.id));
}

/**
 * Gives back leases taken ahead and never started (a stopping worker's prefetch): the attempt the
 * lease counted is taken back, guarded by owner and attempt number like an outcome.
 */
export async function releaseLeases(db: Kysely<Database>, owner: string, rows: ReadonlyArray<Pick<OutboxRow, 'id' | 'attempts'>>): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    UPDATE outbox AS o SET lease_owner = NULL, lease_expires_at = NULL, attempts = o.attempts - 1
    FROM unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.attempts)}::int[]) AS i(id, attempt)
    WHERE o.id = i.id AND o.lease_owner = ${owner} AND o.attempts = i.attempt AND o.state = 'pending'`.execute(db);
}

export interface EmailListRow {
  id: string;
  state: OutboxRow['state'];
  attempts: number;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
  lastError: string | null;
  payload: unknown;
}

const toListRow = (
  r: Pick<OutboxRow, 'id' | 'state' | 'attempts' | 'created_at' | 'delivered_at' | 'next_attempt_at' | 'last_error' | 'payload'>,
): EmailListRow => ({
  id: r.id,
  state: r.state,
  attempts: r.attempts,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  payload: r.payload,
});

export interface EmailSearch {
  /** Part of the recipient's address (case-insensitive, taken literally). */
  to?: string;
  state?: OutboxRow['state'];
  /** Older than this message, in (created_at, id) order: the next page. */
  beforeId?: string;
}

export async function selectEmails(db: Kysely<Database>, limit: number, search: EmailSearch = {}): Promise<EmailListRow[]> {
  let query = db
    .selectFrom('outbox')
    .select(['id', 'state', 'attempts', 'created_at', 'delivered_at', 'next_attempt_at', 'last_error', 'payload'])
    .where('channel', '=', 'email');
  if (search.to !== undefined) query = query.where(sql<boolean>`lower(payload->>'to') LIKE lower(${likeContains(search.to)})`);
  if (search.state !== undefined) query = query.where('state', '=', search.state);
  if (search.beforeId !== undefined) {
    query = query.where(sql<boolean>`(created_at, id) < (SELECT b.created_at, b.id FROM outbox b WHERE b.id = ${search.beforeId})`);
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toListRow);
}

export interface AttemptRow {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  ok: boolean;
  error: string | null;
  worker: string | null;
}

export async function selectEmail(db: Kysely<Database>, id: string): Promise<(EmailListRow & { attemptLog: AttemptRow[] }) | undefined> {
  const row = await db
    .selectFrom('outbox')
    .select(['id', 'state', 'attempts', 'created_at', 'delivered_at', 'next_attempt_at', 'last_error', 'payload'])
    .where('channel', '=', 'email')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const attempts = await db
    .selectFrom('outbox_attempts')
    .select(['attempt', 'started_at', 'duration_ms', 'ok', 'error', 'worker'])
    .where('message_id', '=', id)
    .orderBy('id')
    .execute();
  return {
    ...toListRow(row),
    attemptLog: attempts.map((a) => ({ attempt: a.attempt, startedAt: a.started_at, durationMs: a.duration_ms, ok: a.ok, error: a.error, worker: a.worker })),
  };
}
