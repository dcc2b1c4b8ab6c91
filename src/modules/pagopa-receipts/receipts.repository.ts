import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { PagopaReceiptAttemptsTable, PagopaReceiptsTable } from '../../db/schema.ts';
import type { AttemptVerdict, ReceiptViewer } from './receipts.policy.ts';

// SQL of the receipts module's two tables (migration 0017). Reads take the viewer so tenancy is in
// the query: an organisation's condition names the four party columns; administrators see all.

export type ReceiptRow = Selectable<PagopaReceiptsTable>;
export type AttemptRow = Selectable<PagopaReceiptAttemptsTable>;

export interface NewReceipt {
  id: string;
  environment: 'test' | 'prod';
  token: string;
  noticeNumber: string;
  fiscalCode: string;
  ecOrganisationId: string;
  recipientFiscalCode: string;
  recipientOrganisationId: string | null;
  position: number;
  pspOrganisationId: string;
  amountCents: number;
  payload: unknown;
  outboxMessageId: string;
}

/**
 * Inserts a receipt. A second one of the token for the same institution violates the unique key,
 * unless `ifNew`: then nothing is written and false is returned (the token's receipts were scheduled).
 */
export async function insertReceipt(trx: Kysely<Database>, r: NewReceipt, options: { ifNew?: boolean } = {}): Promise<boolean> {
  const inserted = await trx
    .insertInto('pagopa_receipts')
    .values({
      id: r.id,
      environment: r.environment,
      token: r.token,
      notice_number: r.noticeNumber,
      fiscal_code: r.fiscalCode,
      ec_organisation_id: r.ecOrganisationId,
      recipient_fiscal_code: r.recipientFiscalCode,
      recipient_organisation_id: r.recipientOrganisationId,
      position: r.position,
      psp_organisation_id: r.pspOrganisationId,
      amount_cents: r.amountCents,
      payload: JSON.stringify(r.payload),
      outbox_message_id: r.outboxMessageId,
    })
    .$if(options.ifNew === true, (q) => q.onConflict((oc) => oc.columns(['environment', 'token', 'recipient_fiscal_code']).doNothing()))
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function receiptIdsOfToken(db: Kysely<Database>, env: 'test' | 'prod', token: string): Promise<string[]> {
  const rows = await db.selectFrom('pagopa_receipts').select('id').where('environment', '=', env).where('token', '=', token).orderBy('position').execute();
  return rows.map((r) => r.id);
}

export function findReceipt(db: Kysely<Database>, id: string): Promise<ReceiptRow | undefined> {
  return db.selectFrom('pagopa_receipts').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockReceipt(trx: Kysely<Database>, id: string): Promise<ReceiptRow | undefined> {
  return trx.selectFrom('pagopa_receipts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * What a delivery of `outboxMessageId` needs, in one round trip (issue 15): the receipt, and whether an
 * earlier attempt of this message already delivered it (its worker died before recording that).
 */
export async function receiptForDelivery(
  db: Kysely<Database>,
  receiptId: string,
  outboxMessageId: string,
): Promise<{ deliveredBefore: boolean; row: ReceiptRow | undefined }> {
  const row = await db
    .selectFrom(sql<{ one: number }>`(SELECT 1 AS one)`.as('one'))
    .leftJoin('pagopa_receipts', (join) => join.on('pagopa_receipts.id', '=', receiptId))
    .selectAll('pagopa_receipts')
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('pagopa_receipt_attempts')
            .select('pagopa_receipt_attempts.id')
            .where('pagopa_receipt_attempts.outbox_message_id', '=', outboxMessageId)
            .where('pagopa_receipt_attempts.result', 'in', ['delivered', 'duplicate']),
        )
        .as('delivered_before'),
    )
    .executeTakeFirstOrThrow();
  const { delivered_before: deliveredBefore, ...receipt } = row;
  return { deliveredBefore: deliveredBefore === true, row: receipt.id === null ? undefined : (receipt as ReceiptRow) };
}

export interface AttemptRecord {
  receiptId: string;
  outboxMessageId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  verdict: AttemptVerdict;
  destination: 'station' | 'simulator' | null;
  station: { id: string | null; code: string; organisationId: string | null } | null;
  primitiveVersion: 1 | 2 | null;
  recipientOrganisationId: string | null;
  exchangeId: string | null;
  /** A failure that ends the message: the receipt becomes `failed`. */
  last: boolean;
  now: Date;
}

/**
 * Writes the attempt and moves the receipt, in one statement (a data-modifying CTE: both or neither,
 * in the caller's transaction when it passes one). The state moves only when the message is the
 * receipt's current one (a message superseded by a resend still records its attempt). Returns the
 * receipt when this call turned it `failed` (so the caller e-mails once), else undefined.
 */
export async function recordAttempt(trx: Kysely<Database>, a: AttemptRecord): Promise<ReceiptRow | undefined> {
  const v = a.verdict;
  const delivered = v.result !== 'retry';
  const state = delivered ? ('delivered' as const) : a.last ? ('failed' as const) : ('pending' as const);
  const updated = await trx
    .with('attempt', (d) =>
      d
        .insertInto('pagopa_receipt_attempts')
        .values({
          receipt_id: a.receiptId,
          outbox_message_id: a.outboxMessageId,
          attempt: a.attempt,
          started_at: a.startedAt,
          duration_ms: Math.max(0, Math.round(a.durationMs)),
          result: v.result,
          destination: a.destination,
          station_code: a.station?.code ?? null,
          primitive_version: a.primitiveVersion,
          http_status: v.httpStatus,
          ec_outcome: v.ecOutcome,
          fault_code: v.faultCode,
          error: v.error,
          exchange_id: a.exchangeId,
        })
        .returning('receipt_id'),
    )
    .updateTable('pagopa_receipts')
    .set({
      attempts: sql<number>`attempts + 1`,
      last_attempt_at: a.startedAt,
      last_error: v.error,
      ...(a.station ? { station_id: a.station.id, station_code: a.station.code, station_organisation_id: a.station.organisationId } : {}),
      ...(a.primitiveVersion ? { primitive_version: a.primitiveVersion } : {}),
      ...(a.recipientOrganisationId ? { recipient_organisation_id: a.recipientOrganisationId } : {}),
      state: sql<'pending' | 'delivered' | 'failed'>`CASE WHEN outbox_message_id = ${a.outboxMessageId} THEN ${state} ELSE state END`,
      ...(delivered ? { delivered_at: a.now, first_delivered_at: sql<Date>`COALESCE(first_delivered_at, ${a.now})` } : {}),
    })
    .where('id', 'in', (eb) => eb.selectFrom('attempt').select('attempt.receipt_id'))
    .returningAll('pagopa_receipts')
    .executeTakeFirst();
  return updated && state === 'failed' && updated.outbox_message_id === a.outboxMessageId ? updated : undefined;
}

/** A resend: the receipt is pending again on a new outbox message. */
export async function restart(trx: Kysely<Database>, id: string, outboxMessageId: string): Promise<void> {
  await trx.updateTable('pagopa_receipts').set({ state: 'pending', outbox_message_id: outboxMessageId }).where('id', '=', id).execute();
}

export interface ListFilter {
  env?: 'test' | 'prod' | undefined;
  state?: 'pending' | 'delivered' | 'failed' | undefined;
  noticeNumber?: string | undefined;
  token?: string | undefined;
  /** Only receipts older than this id (ids are time-ordered). */
  before?: string | undefined;
  limit: number;
}

export function listReceipts(db: Kysely<Database>, viewer: ReceiptViewer, f: ListFilter): Promise<ReceiptRow[]> {
  let q = db.selectFrom('pagopa_receipts').selectAll();
  if (!('admin' in viewer)) {
    const org = viewer.organisationId;
    q = q.where((eb) =>
      eb.or([
        eb('ec_organisation_id', '=', org),
        eb('recipient_organisation_id', '=', org),
        eb('psp_organisation_id', '=', org),
        eb('station_organisation_id', '=', org),
      ]),
    );
  }
  if (f.env) q = q.where('environment', '=', f.env);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.noticeNumber) q = q.where('notice_number', '=', f.noticeNumber);
  if (f.token) q = q.where('token', '=', f.token);
  if (f.before) q = q.where('id', '<', f.before);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

export function attemptsOf(db: Kysely<Database>, receiptId: string): Promise<AttemptRow[]> {
  return db.selectFrom('pagopa_receipt_attempts').selectAll().where('receipt_id', '=', receiptId).orderBy('id').execute();
}
