import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, OrdersTable } from '../../db/schema.ts';
import { OGONE_STATUS, type PageCharset } from '../../protocols/ogone/index.ts';
import type { CardBrand, CardSummary } from './card.ts';
import { merchantOwner, type EcommerceEnv } from '../merchants/index.ts';
import type { OrderRequest } from './order-request.ts';
import { likeContains } from '../../kernel/like.ts';

// SQL of orders and payment attempts. Every state change of an order is one guarded UPDATE (the
// status it may leave is in the WHERE clause), so a double-clicked button, two tabs or two
// instances never record two outcomes for one payment.

/** What the entry stored about the request, besides the columns: read back by the payment page. */
export interface StoredRequest {
  readonly version: 1;
  readonly page: PageCharset;
  readonly order: OrderRequest;
  /** PARAMVAR, substituted into the server-to-server URL's `<PARAMVAR>`. */
  readonly paramvar?: string;
  /**
   * SHA-IN signed every parameter of the request (DirectLink always hashes each parameter), whatever
   * the merchant's hosted-page hashing: its redirect URLs, TP and ALIAS count even with legacy
   * hashing. Absent on the hosted page, where the merchant's method decides.
   */
  readonly signedInFull?: true;
}

/** A 3-D Secure challenge waiting for the customer: acquirer references only. */
export interface StoredChallenge {
  readonly acquirerRef: string;
  readonly reference: string;
  readonly kind: 'simulated-3ds';
}

/**
 * Statuses from which an order may be entered again with the same ORDERID (nothing was paid). A
 * challenge nobody answered (46) too, unless it is spent (`challengeSpent`).
 */
export const REUSABLE_STATUSES: readonly number[] = Object.freeze([OGONE_STATUS.INCOMPLETE, OGONE_STATUS.CANCELLED_BY_CUSTOMER]);
/**
 * How many times an order's attempt is given back for a 3-D Secure challenge nobody answered (upsertOrder).
 * Three: a customer who leaves the challenge and is sent back by the shop once or twice can still pay, with
 * one round to spare; one captured entry request, replayed, reaches the acquirer with at most three cards
 * more than the *payment retry* setting allows, instead of without end (docs/security.md 46).
 */
export const CHALLENGE_GIVE_BACKS = 3;
/** A fresh order, or one refused while retries remain (a sale's technical refusal is 93, not 2): an attempt may start. */
export const PAYABLE_STATUSES = [OGONE_STATUS.INCOMPLETE, OGONE_STATUS.AUTHORISATION_REFUSED, OGONE_STATUS.PAYMENT_REFUSED_TECHNICAL] as const;
/** Refusals after which the customer may try again while the *payment retry* setting allows. */
export const RETRYABLE_STATUSES: readonly number[] = Object.freeze([OGONE_STATUS.AUTHORISATION_REFUSED, OGONE_STATUS.PAYMENT_REFUSED_TECHNICAL]);
/** "Being processed": an attempt was claimed and its outcome is not recorded yet (or was interrupted). */
export const STATUS_PROCESSING = OGONE_STATUS.BEING_PROCESSED;
export const STATUS_WAITING_AUTHENTICATION = OGONE_STATUS.WAITING_AUTHENTICATION;

export interface OrderRecord {
  id: string;
  merchantId: string;
  organisationId: string;
  merchantName: string;
  env: EcommerceEnv;
  orderRef: string;
  amount: number;
  currency: string;
  language: string;
  operation: 'RES' | 'SAL';
  status: number;
  payId: number;
  attempts: number;
  card: CardSummary | undefined;
  acceptance: string | null;
  ncError: string | null;
  paidAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  tokenHash: string | null;
  challenge: StoredChallenge | null;
  feedbackMessageId: string | null;
  stored: StoredRequest;
  /** How the order came: the hosted page, or DirectLink's orderdirect (never payable on a page). */
  channel: 'hosted' | 'directlink';
  /** Maintenance totals (docs/reference/ogone/directlink.md, `maintenancedirect.asp`): captured by SAL/SAS (a sale counts as captured), refunded by RFD/RFS. */
  captured: number;
  refunded: number;
  captureClosed: boolean;
  refundClosed: boolean;
  /** The newest maintenance operation's PAYIDSUB (0: none yet). */
  lastPayIdSub: number;
  /** The card alias the order used or created, if any. */
  alias: string | null;
}

/**
 * The PSPID to look the order's merchant up by. Orders are stored with the merchant's own spelling
 * (the entry and DirectLink look the PSPID up trimmed); one stored before that may keep the spaces a
 * shop sent around it, which the PSPID pattern refuses.
 */
export function pspidOf(order: OrderRecord): string {
  return order.stored.order.pspid.trim();
}

type OrderRow = Selectable<OrdersTable> & { organisation_id: string; merchant_name: string };

/** `MMYY` (the feedback's ED) back to month and year. */
function cardOf(row: OrderRow): CardSummary | undefined {
  if (row.card_brand === null || row.card_masked === null || row.card_expiry === null) return undefined;
  const month = Number(row.card_expiry.slice(0, 2));
  const year = 2000 + Number(row.card_expiry.slice(2, 4));
  return {
    brand: row.card_brand as CardBrand,
    masked: row.card_masked,
    expiry: { month, year },
    holder: row.card_holder ?? '',
    ...(row.card_bin !== null ? { bin: row.card_bin } : {}),
  };
}

function toRecord(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    organisationId: row.organisation_id,
    merchantName: row.merchant_name,
    env: row.environment,
    orderRef: row.order_ref,
    amount: Number(row.amount),
    currency: row.currency,
    language: row.language,
    operation: row.operation,
    status: row.status,
    payId: Number(row.pay_id),
    attempts: row.attempts,
    card: cardOf(row),
    acceptance: row.acceptance,
    ncError: row.nc_error,
    paidAt: row.paid_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    tokenHash: row.page_token_hash,
    challenge: (row.challenge ?? null) as StoredChallenge | null,
    feedbackMessageId: row.feedback_message_id,
    stored: row.request as StoredRequest,
    channel: row.channel,
    captured: Number(row.captured),
    refunded: Number(row.refunded),
    captureClosed: row.capture_closed,
    refundClosed: row.refund_closed,
    lastPayIdSub: row.last_pay_id_sub,
    alias: row.alias,
  };
}

// The merchants table is the merchants module's: it builds the expressions, still one query.
const merchant = merchantOwner(sql.ref<string>('orders.merchant_id'));
const withMerchant = (db: Kysely<Database>) =>
  db
    .selectFrom('orders')
    .selectAll('orders')
    .select([merchant.organisationId.as('organisation_id'), merchant.name.as('merchant_name')]);

export async function findOrder(db: Kysely<Database>, id: string): Promise<OrderRecord | undefined> {
  const row = await withMerchant(db).where('orders.id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** By the merchant's ORDERID, scoped to an organisation (the API key's) and an environment. */
export async function findOrderByRef(db: Kysely<Database>, organisationId: string, env: EcommerceEnv, orderRef: string): Promise<OrderRecord | undefined> {
  const row = await withMerchant(db)
    .where(merchant.belongsTo(organisationId))
    .where('orders.environment', '=', env)
    .where('orders.order_ref', '=', orderRef)
    .executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** By PAYID, within one merchant and environment (DirectLink's caller). */
export async function findOrderByPayId(db: Kysely<Database>, merchantId: string, env: EcommerceEnv, payId: string): Promise<OrderRecord | undefined> {
  const row = await withMerchant(db)
    .where('orders.merchant_id', '=', merchantId)
    .where('orders.environment', '=', env)
    .where('orders.pay_id', '=', Number(payId))
    .executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** By the merchant's ORDERID, within one merchant and environment (DirectLink's caller). */
export async function findOrderByRefIn(db: Kysely<Database>, merchantId: string, env: EcommerceEnv, orderRef: string): Promise<OrderRecord | undefined> {
  const row = await withMerchant(db)
    .where('orders.merchant_id', '=', merchantId)
    .where('orders.environment', '=', env)
    .where('orders.order_ref', '=', orderRef)
    .executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** The portal's order search (issue 14): environment, part of the ORDERID, STATUS, and a cursor (older than this order). */
export interface OrderSearch {
  env?: EcommerceEnv;
  ref?: string;
  status?: number;
  before?: { at: Date; id: string };
  limit: number;
}

export async function listOrders(db: Kysely<Database>, organisationId: string, options: OrderSearch): Promise<OrderRecord[]> {
  let query = withMerchant(db).where(merchant.belongsTo(organisationId));
  if (options.env !== undefined) query = query.where('orders.environment', '=', options.env);
  if (options.ref) query = query.where('orders.order_ref', 'ilike', likeContains(options.ref));
  if (options.status !== undefined) query = query.where('orders.status', '=', options.status);
  const before = options.before;
  if (before)
    query = query.where((eb) =>
      eb.or([eb('orders.created_at', '<', before.at), eb.and([eb('orders.created_at', '=', before.at), eb('orders.id', '<', before.id)])]),
    );
  const rows = await query.orderBy('orders.created_at', 'desc').orderBy('orders.id', 'desc').limit(options.limit).execute();
  return rows.map(toRecord);
}

export interface NewOrder {
  id: string;
  merchantId: string;
  env: EcommerceEnv;
  order: OrderRequest;
  stored: StoredRequest;
  tokenHash: string;
  /** *Payment retry*: an order refused this many times is finished, not reusable. */
  maxAttempts: number;
  now: Date;
  /** Default `hosted`. */
  channel?: 'hosted' | 'directlink';
}

/** An attempt ended in a challenge nobody answered, and the order still has one to give back. */
const giveBack = sql<boolean>`(orders.status = ${OGONE_STATUS.WAITING_AUTHENTICATION} AND orders.attempts > 0 AND orders.challenges_given_back < ${CHALLENGE_GIVE_BACKS})`;

/**
 * An order at 46 whose unanswered challenge ends it: nothing left to give back, and it was the last
 * allowed attempt. upsertOrder does not take it over; claimUnanswered claims it for its final refusal.
 */
const challengeSpent = (maxAttempts: number) => sql<boolean>`(orders.challenges_given_back >= ${CHALLENGE_GIVE_BACKS} AND orders.attempts >= ${maxAttempts})`;

/**
 * Creates the order, or takes over the one with the same ORDERID when nothing was paid on it (the
 * shop sends the customer back, maybe with a changed basket): one statement, so concurrent
 * duplicates cannot both create a row. The new token replaces the old one, so a stale tab stops
 * working. An attempt that ended in a challenge nobody answered (46) is given back: it had no
 * outcome, and on the last allowed attempt the order would stay at 0 with no card form and its
 * merchant never told. Only CHALLENGE_GIVE_BACKS times per order (`challenges_given_back`, counted in
 * this statement, so concurrent re-entries cannot give back more): the same signed request, captured and
 * sent again and again, would otherwise let anyone try card after card, each ending in a challenge left
 * unanswered, past the *payment retry* limit. Past the bound an unanswered challenge costs its attempt
 * like a refusal: the order is taken over while attempts remain, and on its last one it is not (undefined;
 * the caller ends it with settleUnanswered, payment.settle.ts). What the earlier attempt left (card,
 * NCERROR, acceptance, the alias its card was kept under) is cleared as on a new order: the new request
 * decides whether an alias is used. Returns undefined when the ORDERID exists and was paid (or is being
 * paid, or finally refused).
 */
export async function upsertOrder(db: Kysely<Database>, o: NewOrder): Promise<{ id: string; created: boolean } | undefined> {
  const { order } = o;
  const result = await sql<{ id: string; created: boolean }>`
    INSERT INTO orders (id, merchant_id, environment, order_ref, amount, currency, language, operation, request, page_token_hash, channel, created_at, updated_at)
    VALUES (${o.id}, ${o.merchantId}, ${o.env}, ${order.orderId}, ${order.amount}, ${order.currency}, ${order.language}, ${order.operation},
      ${JSON.stringify(o.stored)}::jsonb, ${o.tokenHash}, ${o.channel ?? 'hosted'}, ${o.now}, ${o.now})
    ON CONFLICT (merchant_id, environment, order_ref) DO UPDATE SET
      amount = excluded.amount, currency = excluded.currency, language = excluded.language, operation = excluded.operation, channel = excluded.channel,
      request = excluded.request, page_token_hash = excluded.page_token_hash, status = ${OGONE_STATUS.INCOMPLETE}, challenge = NULL,
      attempts = CASE WHEN ${giveBack} THEN orders.attempts - 1 ELSE orders.attempts END,
      challenges_given_back = CASE WHEN ${giveBack} THEN orders.challenges_given_back + 1 ELSE orders.challenges_given_back END,
      card_brand = NULL, card_masked = NULL, card_expiry = NULL, card_holder = NULL, card_bin = NULL,
      nc_error = NULL, acceptance = NULL, alias = NULL, updated_at = excluded.updated_at
    WHERE orders.status = ANY(${sql.val([...REUSABLE_STATUSES])}::int[])
      OR (orders.status = ${OGONE_STATUS.WAITING_AUTHENTICATION} AND NOT ${challengeSpent(o.maxAttempts)})
      OR (orders.status = ANY(${sql.val([...RETRYABLE_STATUSES])}::int[]) AND orders.attempts < ${o.maxAttempts})
    RETURNING id, (xmax = 0) AS created`.execute(db);
  return result.rows[0];
}

/**
 * Claims, for its final refusal, an order whose challenge nobody answered and which upsertOrder no
 * longer takes over (`challengeSpent`): 46 → 99. No page token: the merchant's signed request for the
 * ORDERID, sent again, is what ends it. Undefined when the order is no longer such (its challenge was
 * answered meanwhile, or a concurrent re-entry claimed it first).
 */
export async function claimUnanswered(db: Kysely<Database>, c: { id: string; maxAttempts: number; now: Date }): Promise<{ attempts: number } | undefined> {
  return db
    .updateTable('orders')
    .set({ status: STATUS_PROCESSING, updated_at: c.now })
    .where('id', '=', c.id)
    .where('status', '=', STATUS_WAITING_AUTHENTICATION)
    .where(challengeSpent(c.maxAttempts))
    .returning('attempts')
    .executeTakeFirst();
}

/**
 * Claims the order for one step (a card attempt, a challenge answer, a cancel): status → 99 from
 * one of `from`, only with the right token. `countAttempt` adds one to the acquirer attempts;
 * `maxAttempts`, when given, refuses once the payment retry limit is reached (a card attempt, and a
 * cancel of a payment form: an order refused on its last attempt is final, its merchant told).
 */
export async function claimOrder(
  db: Kysely<Database>,
  c: { id: string; tokenHash: string; from: readonly number[]; countAttempt: boolean; maxAttempts?: number; now: Date },
): Promise<{ attempts: number } | undefined> {
  let query = db
    .updateTable('orders')
    .set((eb) => ({ status: STATUS_PROCESSING, updated_at: c.now, attempts: c.countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts') }))
    .where('id', '=', c.id)
    .where('page_token_hash', '=', c.tokenHash)
    .where('status', 'in', [...c.from]);
  if (c.maxAttempts !== undefined) query = query.where('attempts', '<', c.maxAttempts);
  return query.returning('attempts').executeTakeFirst();
}

export interface AttemptRow {
  orderId: string;
  id: string;
  outcome: string;
  status: number;
  ncError: string | null;
  acceptance: string | null;
  card: CardSummary | undefined;
  acquirerRef: string | null;
  now: Date;
}

/** `MMYY` of a card summary. */
export function cardExpiryText(card: CardSummary): string {
  return `${String(card.expiry.month).padStart(2, '0')}${String(card.expiry.year % 100).padStart(2, '0')}`;
}

/** The order's card columns: what feedback reports of the card, never the number or the CVC. */
function cardColumns(card: CardSummary) {
  return { card_brand: card.brand, card_masked: card.masked, card_expiry: cardExpiryText(card), card_holder: card.holder, card_bin: card.bin ?? null };
}

/** Attempt rows are numbered per order; the claim (status 99) makes this the only writer. */
export async function insertAttempt(trx: Kysely<Database>, a: AttemptRow): Promise<void> {
  await trx
    .insertInto('payment_attempts')
    .values((eb) => ({
      id: a.id,
      order_id: a.orderId,
      attempt: eb
        .selectFrom('payment_attempts')
        .select(sql<number>`count(*) + 1`.as('n'))
        .where('order_id', '=', a.orderId),
      outcome: a.outcome,
      status: a.status,
      nc_error: a.ncError,
      acceptance: a.acceptance,
      card_brand: a.card?.brand ?? null,
      card_masked: a.card?.masked ?? null,
      card_expiry: a.card ? cardExpiryText(a.card) : null,
      acquirer_ref: a.acquirerRef,
      created_at: a.now,
    }))
    .execute();
}

export interface OutcomeUpdate {
  id: string;
  status: number;
  ncError: string;
  acceptance: string | null;
  card: CardSummary | undefined;
  challenge: StoredChallenge | null;
  paid: boolean;
  feedbackMessageId?: string;
  now: Date;
}

/**
 * An attempt whose acquirer call threw or timed out: the order stays at 99 (its `updated_at`, the
 * claim's time, is what the reconciliation's grace period and maximum age count from), keeps the
 * card summary for the feedback to come, and gets an `interrupted` attempt row. False when the
 * order already left 99.
 */
export async function markInterrupted(db: Kysely<Database>, i: { id: string; attemptId: string; card: CardSummary | undefined; now: Date }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const card = i.card;
    const result = await trx
      .updateTable('orders')
      .set(card ? cardColumns(card) : { status: STATUS_PROCESSING })
      .where('id', '=', i.id)
      .where('status', '=', STATUS_PROCESSING)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await insertAttempt(trx, {
      id: i.attemptId,
      orderId: i.id,
      outcome: 'interrupted',
      status: STATUS_PROCESSING,
      ncError: null,
      acceptance: null,
      card,
      acquirerRef: null,
      now: i.now,
    });
    return true;
  });
}

/**
 * Locks an order still at 99 for the rest of the transaction; false when it has left 99. A second
 * settler waits here for the first to commit, then finds the order settled.
 */
export async function lockProcessingOrder(trx: Kysely<Database>, id: string): Promise<boolean> {
  const row = await trx.selectFrom('orders').select('id').where('id', '=', id).where('status', '=', STATUS_PROCESSING).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/** Where a listing of stranded rows left off: the last row's (updated_at, id). */
export interface StrandedCursor {
  updatedAt: Date;
  id: string;
}

/**
 * Orders at 99 claimed at or before `before`: interrupted attempts (or a process that died mid-attempt),
 * oldest first; with `after`, those past that row, so a run can page beyond orders it has to leave waiting.
 */
export async function listStranded(db: Kysely<Database>, before: Date, limit: number, after?: StrandedCursor): Promise<OrderRecord[]> {
  let stranded = withMerchant(db).where('orders.status', '=', STATUS_PROCESSING).where('orders.updated_at', '<=', before);
  if (after) stranded = stranded.where((eb) => eb(eb.refTuple('orders.updated_at', 'orders.id'), '>', eb.tuple(after.updatedAt, after.id)));
  const rows = await stranded.orderBy('orders.updated_at').orderBy('orders.id').limit(limit).execute();
  return rows.map(toRecord);
}

/** Records an outcome on a claimed order (status 99 only); false when the claim was lost. */
export async function recordOutcome(trx: Kysely<Database>, u: OutcomeUpdate): Promise<boolean> {
  const card = u.card;
  const result = await trx
    .updateTable('orders')
    .set({
      status: u.status,
      nc_error: u.ncError,
      acceptance: u.acceptance,
      challenge: u.challenge === null ? null : JSON.stringify(u.challenge),
      ...(card ? cardColumns(card) : {}),
      ...(u.paid ? { paid_at: u.now } : {}),
      ...(u.feedbackMessageId !== undefined ? { feedback_message_id: u.feedbackMessageId } : {}),
      updated_at: u.now,
    })
    .where('id', '=', u.id)
    .where('status', '=', STATUS_PROCESSING)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function listAttempts(db: Kysely<Database>, orderId: string) {
  return db
    .selectFrom('payment_attempts')
    .select(['attempt', 'outcome', 'status', 'nc_error', 'acceptance', 'card_brand', 'card_masked', 'card_expiry', 'created_at'])
    .where('order_id', '=', orderId)
    .orderBy('attempt')
    .execute();
}

export type PaymentAttemptRow = Awaited<ReturnType<typeof listAttempts>>[number];

/** Onboarding checklist (issue 14): whether the organisation's shops have sent a first order. */
export async function hasOrders(db: Kysely<Database>, organisationId: string): Promise<boolean> {
  return (await listOrders(db, organisationId, { limit: 1 })).length > 0;
}
