import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Environment } from './node.types.ts';
import type { PaymentState } from './outcome.policy.ts';

// SQL of the node's own tables (migration 0016): pagopa_payments and pagopa_idempotency. Every time
// comes from the caller (the injected clock), never from the database's now().

type Db = Kysely<Database>;
export type PaymentRow = Selectable<Database['pagopa_payments']>;

export interface NoticeKey {
  env: Environment;
  fiscalCode: string;
  noticeNumber: string;
}

const notice = (q: NoticeKey) => ({ environment: q.env, fiscal_code: q.fiscalCode, notice_number: q.noticeNumber });

/** Whether the node has recorded an OK outcome for the notice. */
export async function noticePaid(db: Db, key: NoticeKey): Promise<boolean> {
  const { environment, fiscal_code, notice_number } = notice(key);
  const row = await db
    .selectFrom('pagopa_payments')
    .select('token')
    .where('environment', '=', environment)
    .where('fiscal_code', '=', fiscal_code)
    .where('notice_number', '=', notice_number)
    .where('state', '=', 'paid')
    .executeTakeFirst();
  return row !== undefined;
}

/** The state of the token currently holding the notice (activating, active or paid), if any. */
export async function liveHolder(db: Db, key: NoticeKey): Promise<PaymentState | undefined> {
  const { environment, fiscal_code, notice_number } = notice(key);
  const row = await db
    .selectFrom('pagopa_payments')
    .select('state')
    .where('environment', '=', environment)
    .where('fiscal_code', '=', fiscal_code)
    .where('notice_number', '=', notice_number)
    .where('state', 'in', ['activating', 'active', 'paid'])
    .executeTakeFirst();
  return row?.state;
}

/**
 * A token as an activation starts it. Without the jsonb columns: they are written as JSON text
 * elsewhere, which the record conversion below would store as a jsonb string.
 */
export type StartedPayment = Omit<Insertable<Database['pagopa_payments']>, 'payment' | 'outcome_details'>;

/**
 * Starts an activation in ONE statement (issue 15: a transaction of five round trips before): the
 * idempotency key is claimed (when the request has one), the notice's tokens still held past their
 * expiry become `expired`, and the new token is inserted `activating`. All or nothing, as the
 * transaction was. The order is the transaction's, forced by what each part's condition needs (the
 * order of unrelated CTEs is left to PostgreSQL): the expiry's WHERE needs the claim's result, the
 * insert's WHERE needs both, so each runs once the other is complete (one-time filters in the plan).
 * So a request whose key another request holds claims nothing and changes nothing
 * ('key_taken'), and a same-key race is still decided by the key before the notice's index. A second
 * live token for the notice fails the statement on `pagopa_payments_live_notice` (isLiveNoticeConflict).
 * The idempotency record's reference to its token is checked at commit (deferred), i.e. at the end of
 * this statement, when the token exists.
 */
export async function startActivation(
  db: Db,
  input: {
    payment: StartedPayment;
    notice: NoticeKey;
    now: Date;
    claim?: { key: IdempotencyKey; digest: string; validUntil: Date } | undefined;
  },
): Promise<'started' | 'key_taken'> {
  const { payment, notice: key, now, claim } = input;
  const { environment, fiscal_code, notice_number } = notice(key);
  // The columns given a value, as an INSERT of the object would name them (the others keep their defaults).
  const columns = sql.join(
    Object.entries(payment)
      .filter(([, value]) => value !== undefined)
      .map(([column]) => sql.ref(column)),
  );
  // One parameter for the row: the table's own record type gives each value its column's type.
  const record = JSON.stringify(payment);
  const claimed = claim ? sql`EXISTS (SELECT 1 FROM claim)` : sql`true`;
  const claimPart = claim
    ? sql`claim AS (
        INSERT INTO pagopa_idempotency (environment, id_psp, idempotency_key, request_digest, token, valid_until, created_at)
        VALUES (${claim.key.env}, ${claim.key.idPsp}, ${claim.key.key}, ${claim.digest}, ${payment.token}, ${claim.validUntil}, ${now})
        ON CONFLICT DO NOTHING
        RETURNING token
      ),`
    : sql``;
  const { rows } = await sql<{ inserted: number }>`
    WITH ${claimPart}
    stale AS (
      UPDATE pagopa_payments SET state = 'expired', superseded_by = ${payment.token}, updated_at = ${now}
      WHERE environment = ${environment} AND fiscal_code = ${fiscal_code} AND notice_number = ${notice_number}
        AND state IN ('activating', 'active') AND expires_at <= ${now} AND ${claimed}
      RETURNING token, payment IS NULL AS never_active
    ),
    -- A token swept by an activation this one sweeps before it ever became active: its claim to be given
    -- back (markFailed) passes to this activation, as nobody activated the notice since that token.
    passed AS (
      UPDATE pagopa_payments SET superseded_by = ${payment.token}
      WHERE environment = ${environment} AND fiscal_code = ${fiscal_code} AND notice_number = ${notice_number}
        AND state = 'expired' AND superseded_by IN (SELECT token FROM stale WHERE never_active)
    ),
    inserted AS (
      INSERT INTO pagopa_payments (${columns})
      SELECT ${columns} FROM jsonb_populate_record(NULL::pagopa_payments, ${record}::jsonb)
      WHERE ${claimed} AND (SELECT count(*) FROM stale) >= 0
      RETURNING token
    )
    SELECT count(*)::int AS inserted FROM inserted`.execute(db);
  return rows[0]?.inserted === 1 ? 'started' : 'key_taken';
}

/** True when the error is the live-token index refusing a second holder of the notice. */
export function isLiveNoticeConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'pagopa_payments_live_notice';
}

/**
 * activating → active with the EC's data, and the answer stored for the idempotency key (if the
 * activation has one), in one statement (issue 15: one round trip instead of a transaction of two
 * updates). False, and nothing written, when the row is no longer activating (it was swept).
 */
export async function markActiveWithAnswer(db: Db, a: { token: string; payment: unknown; expiresAt: Date; now: Date; response: string }): Promise<boolean> {
  const row = await db
    .with('activated', (d) =>
      d
        .updateTable('pagopa_payments')
        .set({ state: 'active', payment: JSON.stringify(a.payment), expires_at: a.expiresAt, updated_at: a.now })
        .where('token', '=', a.token)
        .where('state', '=', 'activating')
        .returning('token'),
    )
    .with('answered', (d) =>
      d
        .updateTable('pagopa_idempotency')
        .set({ response: a.response, valid_until: a.expiresAt })
        .where('token', 'in', (eb) => eb.selectFrom('activated').select('activated.token'))
        .returning('token'),
    )
    .selectFrom('activated')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0) === 1;
}

/**
 * activating → failed, and the token this activation swept (held past its expiry) given back: nobody
 * activated the notice since, so its late OK outcome is still accepted. Only a token that had been
 * active is given back (one swept while activating never answered its PSP; what that one had swept was
 * passed on to this activation by startActivation, so it is given back instead). Nothing when the
 * activation was swept itself meanwhile: the one that swept it decides.
 */
export async function markFailed(db: Db, token: string, faultCode: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const failed = await trx
      .updateTable('pagopa_payments')
      .set({ state: 'failed', failure_fault_code: faultCode, updated_at: now })
      .where('token', '=', token)
      .where('state', '=', 'activating')
      .returning(['environment', 'fiscal_code', 'notice_number'])
      .executeTakeFirst();
    if (!failed) return;
    await trx
      .updateTable('pagopa_payments')
      .set({ state: 'active', superseded_by: null, updated_at: now })
      .where('environment', '=', failed.environment)
      .where('fiscal_code', '=', failed.fiscal_code)
      .where('notice_number', '=', failed.notice_number)
      .where('superseded_by', '=', token)
      .where('state', '=', 'expired')
      .where('payment', 'is not', null)
      .execute();
  });
}

// ---- idempotency ----

export interface IdempotencyKey {
  env: Environment;
  idPsp: string;
  key: string;
}

const idem = (k: IdempotencyKey) => ({ environment: k.env, id_psp: k.idPsp, idempotency_key: k.key });

export async function findIdempotency(db: Db, k: IdempotencyKey) {
  const { environment, id_psp, idempotency_key } = idem(k);
  return db
    .selectFrom('pagopa_idempotency')
    .select(['request_digest', 'token', 'response', 'valid_until'])
    .where('environment', '=', environment)
    .where('id_psp', '=', id_psp)
    .where('idempotency_key', '=', idempotency_key)
    .executeTakeFirst();
}

/** Drops the key's record once its token's life is over: the key may then be used again. */
export async function deleteExpiredIdempotency(db: Db, k: IdempotencyKey, now: Date): Promise<void> {
  const { environment, id_psp, idempotency_key } = idem(k);
  await db
    .deleteFrom('pagopa_idempotency')
    .where('environment', '=', environment)
    .where('id_psp', '=', id_psp)
    .where('idempotency_key', '=', idempotency_key)
    .where('valid_until', '<=', now)
    .execute();
}

/** A failed activation leaves no record: the same key may retry (a timeout is worth retrying). */
export async function releaseIdempotency(db: Db, token: string): Promise<void> {
  await db.deleteFrom('pagopa_idempotency').where('token', '=', token).execute();
}

/** Retention: records whose token's life is over serve nothing. */
export async function pruneIdempotency(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('pagopa_idempotency').where('valid_until', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- outcome ----

/** The rows of the tokens, locked for the outcome's transaction (ordered, so two carts never deadlock). */
export async function lockTokens(trx: Db, env: Environment, tokens: readonly string[]) {
  if (tokens.length === 0) return [];
  return trx
    .selectFrom('pagopa_payments')
    .selectAll()
    .where('environment', '=', env)
    .where('token', 'in', [...tokens])
    .orderBy('token')
    .forUpdate()
    .execute();
}

/**
 * Whether another token's outcome of this PSP recorded the key (PPT_ERRORE_IDEMPOTENZA). Outcomes with
 * the same key wait for each other (a transaction-scoped advisory lock on the key), so two outcomes
 * sent at once for different tokens with one key cannot both be accepted.
 */
export async function outcomeKeyTakenElsewhere(trx: Db, k: IdempotencyKey, tokens: readonly string[]): Promise<boolean> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`pagopa-outcome:${k.env}:${k.idPsp}:${k.key}`}, 0))`.execute(trx);
  const other = await trx
    .selectFrom('pagopa_payments')
    .select('token')
    .where('environment', '=', k.env)
    .where('id_psp', '=', k.idPsp)
    .where('outcome_idempotency_key', '=', k.key)
    .where('token', 'not in', [...tokens])
    .limit(1)
    .executeTakeFirst();
  return other !== undefined;
}

export async function recordOutcome(
  trx: Db,
  token: string,
  fields: {
    state: 'paid' | 'ko';
    outcome: 'OK' | 'KO';
    at: Date;
    details: unknown;
    idempotencyKey: string | undefined;
    digest: string;
  },
): Promise<void> {
  await trx
    .updateTable('pagopa_payments')
    .set({
      state: fields.state,
      outcome: fields.outcome,
      outcome_at: fields.at,
      outcome_details: fields.details === undefined ? null : JSON.stringify(fields.details),
      outcome_idempotency_key: fields.idempotencyKey ?? null,
      outcome_digest: fields.digest,
      updated_at: fields.at,
    })
    .where('token', '=', token)
    .execute();
}

export async function findPayment(db: Db, env: Environment, token: string) {
  return db.selectFrom('pagopa_payments').selectAll().where('environment', '=', env).where('token', '=', token).executeTakeFirst();
}
