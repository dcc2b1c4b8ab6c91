import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { isId, newId } from '../../kernel/ids.ts';
import { jsonbText } from '../../kernel/storable.ts';
import { OUTBOX_CHANNEL, recordAttempt } from './outbox.repository.ts';
import { markSuperseded } from './outbox.messages.ts';
import { decideRetry } from './retry.policy.ts';
import type { DeliveryOutcome } from './worker.ts';

// Server-to-server messages (the `http` channel): enqueued in the transaction of the change that
// causes them, like e-mail. The message id is the event id the receiver de-duplicates on; a
// resend is a new message carrying the same event id (the same event, told again).
//
// "Online" delivery (the hosted page's feedback before the customer is redirected) is one attempt
// made by the request itself: the message is inserted already leased to that request, so no worker
// takes it meanwhile, and the attempt is recorded like a worker's. A request that dies before
// recording leaves a lease that expires; a worker then delivers the message (at least once).

export interface HttpMessage {
  version: 1;
  env: 'test' | 'prod';
  method: 'POST' | 'GET';
  /** Absolute https URL, query included. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The event id: this message's id, or the original message's for a resend. */
  eventId: string;
}

export interface HttpMessageInput {
  env: 'test' | 'prod';
  method: 'POST' | 'GET';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  organisationId: string | null;
  subjectType: string;
  subjectId: string;
  /** Lease the message to the caller (online delivery) until this instant. */
  hold?: { owner: string; until: Date };
}

export function isHttpMessage(value: unknown): value is HttpMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.version === 1 &&
    (v.env === 'test' || v.env === 'prod') &&
    (v.method === 'POST' || v.method === 'GET') &&
    typeof v.url === 'string' &&
    typeof v.eventId === 'string' &&
    typeof v.headers === 'object' &&
    v.headers !== null &&
    (v.body === undefined || typeof v.body === 'string')
  );
}

async function insertHttp(
  trx: Kysely<Database>,
  id: string,
  payload: HttpMessage,
  input: Pick<HttpMessageInput, 'organisationId' | 'subjectType' | 'subjectId' | 'hold'>,
): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({
      id,
      channel: 'http',
      payload: jsonbText(payload),
      organisation_id: input.organisationId,
      subject_type: input.subjectType,
      subject_id: input.subjectId,
      // A held message counts its attempt now, as leasing does.
      ...(input.hold ? { attempts: 1, lease_owner: input.hold.owner, lease_expires_at: input.hold.until } : {}),
    })
    .execute();
  // Held messages are not for the workers yet; the others wake them at commit.
  if (!input.hold) await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, 'http')`.execute(trx);
}

/** Enqueues a server-to-server message inside the caller's transaction; returns its id (the event id). */
export async function enqueueHttpMessage(trx: Kysely<Database>, input: HttpMessageInput): Promise<{ id: string; message: HttpMessage }> {
  if (!trx.isTransaction) throw new Error('enqueueHttpMessage must run inside the transaction of the change that causes the message');
  const id = newId('msg');
  const message: HttpMessage = {
    version: 1,
    env: input.env,
    method: input.method,
    url: input.url,
    headers: { ...input.headers },
    eventId: id,
    ...(input.body !== undefined ? { body: input.body } : {}),
  };
  await insertHttp(trx, id, message, input);
  return { id, message };
}

/**
 * The outcome of an HTTP answer from a server-to-server receiver (ADR 0025): 2xx delivers; any other
 * status is a failure that is retried — 4xx included, because the receiver's state (its SHA-OUT
 * passphrase, a firewall, a deployment) changes while the same request is repeated. On 429 and 503
 * the receiver's Retry-After is passed on, so the next try is not before it.
 */
export function httpAnswerOutcome(status: number, headers: Readonly<Record<string, string | string[] | undefined>>, where: string): DeliveryOutcome {
  if (status >= 200 && status < 300) return { ok: true, statusCode: status };
  const header = headers['retry-after'];
  const retryAfter = status === 429 || status === 503 ? (Array.isArray(header) ? header[0] : header) : undefined;
  return {
    ok: false,
    statusCode: status,
    error: `HTTP ${status} from ${where}${retryAfter !== undefined ? ` (Retry-After: ${retryAfter.slice(0, 64)})` : ''}`,
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  };
}

/**
 * Records the held (online) attempt of a message and its verdict: delivered; or, after a failure,
 * retried on the http schedule (honouring Retry-After) when `fallback`; given up ('dead': the
 * merchant chose no retries, so nobody is told) otherwise. False when the lease was lost.
 */
export async function recordHeldAttempt(
  db: Kysely<Database>,
  r: { messageId: string; owner: string; outcome: DeliveryOutcome; fallback: boolean; startedAt: Date; durationMs: number; now: Date; random?: () => number },
): Promise<boolean> {
  const { outcome } = r;
  const verdict = decideRetry(r.fallback || outcome.ok ? outcome : { ...outcome, permanent: true }, 1, 'http', r.now, r.random);
  return recordAttempt(db, {
    messageId: r.messageId,
    owner: r.owner,
    attempt: 1,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    ok: outcome.ok,
    statusCode: outcome.statusCode ?? null,
    error: outcome.ok ? null : outcome.error.slice(0, 1000),
    nextAttemptAt: verdict.state === 'pending' ? new Date(r.now.getTime() + verdict.delayMs) : null,
    permanent: verdict.state === 'dead',
    now: r.now,
  });
}

export interface HttpMessageView {
  id: string;
  eventId: string;
  /** `exhausted`: every try of the schedule failed (the merchant's referents were told); `dead`: given up at once. */
  state: 'pending' | 'held' | 'delivered' | 'dead' | 'exhausted';
  method: string;
  url: string;
  attempts: number;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
  lastError: string | null;
  attemptLog: Array<{ attempt: number; startedAt: Date; durationMs: number; ok: boolean; statusCode: number | null; error: string | null }>;
}

/** Every server-to-server message about a subject (an order), oldest first, with each attempt. */
export async function httpMessagesFor(db: Kysely<Database>, subjectType: string, subjectId: string): Promise<HttpMessageView[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'state', 'attempts', 'created_at', 'delivered_at', 'next_attempt_at', 'last_error', 'payload'])
    .where('channel', '=', 'http')
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom('outbox_attempts')
    .select(['message_id', 'attempt', 'started_at', 'duration_ms', 'ok', 'status_code', 'error'])
    .where(
      'message_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('id')
    .execute();
  return rows.map((row) => {
    const payload = isHttpMessage(row.payload) ? row.payload : undefined;
    return {
      id: row.id,
      eventId: payload?.eventId ?? row.id,
      state: row.state,
      method: payload?.method ?? '',
      url: payload?.url ?? '',
      attempts: row.attempts,
      createdAt: row.created_at,
      deliveredAt: row.delivered_at,
      nextAttemptAt: row.next_attempt_at,
      lastError: row.last_error,
      attemptLog: attempts
        .filter((a) => a.message_id === row.id)
        .map((a) => ({ attempt: a.attempt, startedAt: a.started_at, durationMs: a.duration_ms, ok: a.ok, statusCode: a.status_code, error: a.error })),
    };
  });
}

/**
 * Sends a message about a subject again: a new message (its own attempts and retry schedule)
 * with the same payload and event id; the old one, if given up, is marked superseded (markSuperseded).
 * Undefined when no such message exists for that subject.
 */
export async function resendHttpMessage(db: Kysely<Database>, messageId: string, subject: { type: string; id: string }): Promise<string | undefined> {
  if (!isId(messageId, 'msg')) return undefined;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('outbox')
      .select(['payload', 'organisation_id'])
      .where('id', '=', messageId)
      .where('channel', '=', 'http')
      .where('subject_type', '=', subject.type)
      .where('subject_id', '=', subject.id)
      .executeTakeFirst();
    if (!row || !isHttpMessage(row.payload)) return undefined;
    const id = newId('msg');
    await insertHttp(trx, id, row.payload, { organisationId: row.organisation_id, subjectType: subject.type, subjectId: subject.id });
    await markSuperseded(trx, messageId, id);
    return id;
  });
}
