import { expressionBuilder, sql, type AliasableExpression, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database, Environment, SubscriptionState } from '../../db/schema.ts';
import { organisationFields } from '../organisations/index.ts';
import { queueCount, type QueueCount } from '../../kernel/home.ts';
import { likeContains } from '../../kernel/like.ts';

// SQL of products, subscriptions and their keys. Every change that can alter what a key authorises
// also sends a NOTIFY on KEYS_CHANNEL inside its transaction: PostgreSQL delivers it at commit (and
// never for a rollback), so every instance drops its cached verdicts for that subscription.

export const KEYS_CHANNEL = 'varco_api_keys';

export async function notifyKeysChanged(trx: Kysely<Database>, subject: string): Promise<void> {
  await sql`SELECT pg_notify(${KEYS_CHANNEL}, ${subject})`.execute(trx);
}

const SUBSCRIPTION_COLUMNS = [
  'subscriptions.id',
  'subscriptions.organisation_id',
  'subscriptions.product_id',
  'subscriptions.environment',
  'subscriptions.name',
  'subscriptions.state',
  'subscriptions.state_comment',
  'subscriptions.created_by',
  'subscriptions.created_at',
  'subscriptions.state_changed_at',
  'subscriptions.expires_at',
  'subscriptions.inbound_verified_at',
] as const;

// The organisation's name comes from the organisations module as a scalar subquery: still one query (docs/adr/0011).
const organisation = organisationFields(sql.ref<string>('subscriptions.organisation_id'));

function subscriptionQuery(db: Kysely<Database>) {
  return db
    .selectFrom('subscriptions')
    .innerJoin('products', 'products.id', 'subscriptions.product_id')
    .select(SUBSCRIPTION_COLUMNS)
    .select(['products.code as product_code', 'products.name as product_name', organisation.name.as('organisation_name')]);
}

export type SubscriptionRow = NonNullable<Awaited<ReturnType<typeof findSubscription>>>;

/** One subscription; with `organisationId`, only if it belongs to that organisation (portal scoping). */
export function findSubscription(db: Kysely<Database>, id: string, organisationId?: string) {
  let query = subscriptionQuery(db).where('subscriptions.id', '=', id);
  if (organisationId !== undefined) query = query.where('subscriptions.organisation_id', '=', organisationId);
  return query.executeTakeFirst();
}

export interface SubscriptionFilter {
  organisationId?: string;
  state?: SubscriptionState;
  environment?: 'test' | 'prod';
  /** Part of the subscription's name or id, or of its organisation's name (case-insensitive, taken literally). */
  text?: string;
  /** Older than this subscription, in (created_at, id) order: the back office's next page. */
  beforeId?: string;
  limit?: number;
}

export function listSubscriptions(db: Kysely<Database>, filter: SubscriptionFilter) {
  let query = subscriptionQuery(db);
  if (filter.organisationId !== undefined) query = query.where('subscriptions.organisation_id', '=', filter.organisationId);
  if (filter.state !== undefined) query = query.where('subscriptions.state', '=', filter.state);
  if (filter.environment !== undefined) query = query.where('subscriptions.environment', '=', filter.environment);
  if (filter.text !== undefined) {
    const text = filter.text;
    // Both sides folded by PostgreSQL, so they fold alike.
    query = query.where((eb) => {
      const pattern = eb.fn<string>('lower', [eb.val(likeContains(text))]);
      return eb.or([
        eb(eb.fn('lower', ['subscriptions.name']), 'like', pattern),
        eb(eb.fn('lower', ['subscriptions.id']), 'like', pattern),
        eb(eb.fn('lower', [organisation.name]), 'like', pattern),
      ]);
    });
  }
  if (filter.beforeId !== undefined) {
    // Created in the same millisecond: the id breaks the tie, so a page starts exactly after the previous one.
    query = query.where(
      sql<boolean>`(subscriptions.created_at, subscriptions.id) < (SELECT b.created_at, b.id FROM subscriptions b WHERE b.id = ${filter.beforeId})`,
    );
  }
  return query
    .orderBy('subscriptions.created_at', 'desc')
    .orderBy('subscriptions.id', 'desc')
    .limit(filter.limit ?? 500)
    .execute();
}

export async function insertSubscription(
  trx: Kysely<Database>,
  row: {
    id: string;
    organisationId: string;
    productId: string;
    environment: Environment;
    name: string;
    state: SubscriptionState;
    createdBy: string | null;
    now: Date;
  },
): Promise<void> {
  await trx
    .insertInto('subscriptions')
    .values({
      id: row.id,
      organisation_id: row.organisationId,
      product_id: row.productId,
      environment: row.environment,
      name: row.name,
      state: row.state,
      created_by: row.createdBy,
      created_at: row.now,
      state_changed_at: row.now,
    })
    .execute();
}

/** The guarded apply of a policy verdict: changes nothing unless the state is still `from`. */
export async function applyTransition(
  trx: Kysely<Database>,
  change: { id: string; from: SubscriptionState; to: SubscriptionState; comment: string | null; now: Date },
): Promise<boolean> {
  const result = await trx
    .updateTable('subscriptions')
    .set({ state: change.to, state_comment: change.comment, state_changed_at: change.now })
    .where('id', '=', change.id)
    .where('state', '=', change.from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Whether the organisation has an active subscription to `productCode` in `environment`, as an
 * expression other modules put in their own query (the hosted page reads it on every cache fill:
 * one round trip, docs/adr/0011). `organisationId` is a column reference or a value.
 */
export function activeSubscription(organisationId: Expression<string>, productCode: string, environment: Environment): AliasableExpression<SqlBool> {
  const eb = expressionBuilder<Database, never>();
  return eb.exists(
    eb
      .selectFrom('subscriptions')
      .innerJoin('products', 'products.id', 'subscriptions.product_id')
      .select(sql`1`.as('one'))
      .where('subscriptions.organisation_id', '=', organisationId)
      .where('products.code', '=', productCode)
      .where('subscriptions.state', '=', 'active')
      .where('subscriptions.environment', '=', environment),
  );
}

/** Environments in which the organisation has an active subscription to `productCode`, test first. */
export async function activeEnvironments(db: Kysely<Database>, organisationId: string, productCode: string): Promise<Environment[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .innerJoin('products', 'products.id', 'subscriptions.product_id')
    .select('subscriptions.environment')
    .distinct()
    .where('subscriptions.organisation_id', '=', organisationId)
    .where('products.code', '=', productCode)
    .where('subscriptions.state', '=', 'active')
    .execute();
  return rows.map((r) => r.environment).sort((a, b) => (a === b ? 0 : a === 'test' ? -1 : 1));
}

export function dueForExpiry(db: Kysely<Database>, now: Date) {
  return db
    .selectFrom('subscriptions')
    .select(['id', 'state', 'organisation_id'])
    .where('expires_at', '<=', now)
    .where('state', 'in', ['submitted', 'active', 'suspended'])
    .limit(500)
    .execute();
}

// Products

export function listProducts(db: Kysely<Database>) {
  return db.selectFrom('products').selectAll().orderBy('code').execute();
}

export function findProduct(db: Kysely<Database>, id: string) {
  return db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Which of these product ids exist (an invitation may name only real products). */
export async function existingProductIds(db: Kysely<Database>, productIds: readonly string[]): Promise<string[]> {
  if (productIds.length === 0) return [];
  return (await db.selectFrom('products').select('id').where('id', 'in', productIds).execute()).map((r) => r.id);
}

/** Products by code, in the caller's transaction or not (the CLI's `--products node,ecommerce`). */
export function productsByCode(db: Kysely<Database>, codes: readonly string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return db.selectFrom('products').select(['id', 'code']).where('code', 'in', codes).execute();
}

/** Lets a referent use these products, in the caller's transaction (an accepted invitation). */
export async function grantProducts(trx: Kysely<Database>, userId: string, productIds: readonly string[]): Promise<void> {
  if (productIds.length === 0) return;
  await trx
    .insertInto('user_products')
    .values(productIds.map((productId) => ({ user_id: userId, product_id: productId })))
    .execute();
}

export function productsOfUser(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('products')
    .innerJoin('user_products', 'user_products.product_id', 'products.id')
    .selectAll('products')
    .where('user_products.user_id', '=', userId)
    .orderBy('products.code')
    .execute();
}

// Keys

export interface NewKeyRow {
  id: string;
  subscriptionId: string;
  slot: 'primary' | 'secondary';
  hash: string;
  prefix: string;
  last4: string;
  now: Date;
  revealedAt: Date | null;
}

export async function insertKey(trx: Kysely<Database>, row: NewKeyRow): Promise<void> {
  await trx
    .insertInto('api_keys')
    .values({
      id: row.id,
      subscription_id: row.subscriptionId,
      slot: row.slot,
      key_hash: row.hash,
      prefix: row.prefix,
      last4: row.last4,
      created_at: row.now,
      revealed_at: row.revealedAt,
    })
    .execute();
}

/** Current keys and retired keys still inside their overlap window. */
export function keysOf(db: Kysely<Database>, subscriptionId: string, now: Date) {
  return (
    db
      .selectFrom('api_keys')
      .select(['id', 'slot', 'prefix', 'last4', 'created_at', 'revealed_at', 'retired_at', 'valid_until', 'last_used_at'])
      .where('subscription_id', '=', subscriptionId)
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('valid_until', '>', now)]))
      // Per slot: the current key first, then retired ones, newest first.
      .orderBy('slot')
      .orderBy(sql`retired_at IS NULL`, 'desc')
      .orderBy('retired_at', 'desc')
      .execute()
  );
}

export function currentKey(trx: Kysely<Database>, subscriptionId: string, slot: 'primary' | 'secondary') {
  return trx
    .selectFrom('api_keys')
    .select(['id', 'revealed_at'])
    .where('subscription_id', '=', subscriptionId)
    .where('slot', '=', slot)
    .where('retired_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

/** Puts the key material in a slot that was never revealed; false if someone revealed it first. */
export async function fillUnrevealed(
  trx: Kysely<Database>,
  keyId: string,
  material: { hash: string; prefix: string; last4: string; now: Date },
): Promise<boolean> {
  const result = await trx
    .updateTable('api_keys')
    .set({ key_hash: material.hash, prefix: material.prefix, last4: material.last4, created_at: material.now, revealed_at: material.now })
    .where('id', '=', keyId)
    .where('revealed_at', 'is', null)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Retires a slot's current key (valid until `validUntil`) and ends the overlap of any key retired
 * before it. That end is written as `valid_until = retired_at`, a window of nothing, which every
 * instance refuses whatever its clock (key-verifier.ts); `now` would be compared with each one's own.
 */
export async function retireSlot(
  trx: Kysely<Database>,
  change: { subscriptionId: string; slot: 'primary' | 'secondary'; keyId: string; now: Date; validUntil: Date },
): Promise<void> {
  await trx
    .updateTable('api_keys')
    .set((eb) => ({ valid_until: eb.ref('retired_at') }))
    .where('subscription_id', '=', change.subscriptionId)
    .where('slot', '=', change.slot)
    .where('retired_at', 'is not', null)
    // Not compared with `now` either: a window the acting clock thinks over may be open on another's.
    .whereRef('valid_until', '>', 'retired_at')
    .execute();
  await trx.updateTable('api_keys').set({ retired_at: change.now, valid_until: change.validUntil }).where('id', '=', change.keyId).execute();
}

/** Everything a verification needs about one key hash, in one query (the organisation's name a scalar subquery). */
export function findAuthByHash(db: Kysely<Database>, hash: string) {
  return db
    .selectFrom('api_keys')
    .innerJoin('subscriptions', 'subscriptions.id', 'api_keys.subscription_id')
    .innerJoin('products', 'products.id', 'subscriptions.product_id')
    .select([
      'api_keys.id as key_id',
      'api_keys.key_hash',
      'api_keys.slot',
      'api_keys.revealed_at',
      'api_keys.retired_at',
      'api_keys.valid_until',
      'subscriptions.id as subscription_id',
      'subscriptions.name as subscription_name',
      'subscriptions.state',
      'subscriptions.environment',
      'subscriptions.expires_at',
      'subscriptions.organisation_id',
      organisation.name.as('organisation_name'),
      'products.id as product_id',
      'products.code as product_code',
      'products.name as product_name',
      'products.route_groups',
      'products.rate_limit_per_minute',
    ])
    .where('api_keys.key_hash', '=', hash)
    .executeTakeFirst();
}

/** Batched `last used` and `inbound verified` stamps: one statement each, never moving a stamp backwards. */
export async function writeUsage(db: Kysely<Database>, keys: ReadonlyMap<string, Date>, pings: ReadonlyMap<string, Date>): Promise<void> {
  if (keys.size > 0) {
    const values = sql.join([...keys].map(([id, at]) => sql`(${id}, ${at.toISOString()}::timestamptz)`));
    await sql`UPDATE api_keys SET last_used_at = v.at FROM (VALUES ${values}) AS v(id, at)
      WHERE api_keys.id = v.id AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < v.at)`.execute(db);
  }
  if (pings.size > 0) {
    const values = sql.join([...pings].map(([id, at]) => sql`(${id}, ${at.toISOString()}::timestamptz)`));
    await sql`UPDATE subscriptions SET inbound_verified_at = v.at FROM (VALUES ${values}) AS v(id, at)
      WHERE subscriptions.id = v.id AND (subscriptions.inbound_verified_at IS NULL OR subscriptions.inbound_verified_at < v.at)`.execute(db);
  }
}

/** The back office queue of subscription requests waiting for a decision (issue 14). */
export async function submittedQueue(db: Kysely<Database>): Promise<QueueCount> {
  const row = await db
    .selectFrom('subscriptions')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('state_changed_at').as('oldest')])
    .where('state', '=', 'submitted')
    .executeTakeFirst();
  return queueCount(row);
}

/** What an organisation's onboarding checklist needs of its subscriptions (issue 14). */
export async function subscriptionProgress(
  db: Kysely<Database>,
  organisationId: string,
): Promise<{ requested: boolean; active: boolean; keyRevealed: boolean; called: boolean }> {
  const row = await db
    .selectFrom('subscriptions')
    .select((eb) => [
      eb.fn.countAll<string>().as('n'),
      eb.fn.count<string>(eb.case().when('state', '=', 'active').then(1).end()).as('active'),
      eb.fn.count<string>('inbound_verified_at').as('called'),
      eb
        .exists(
          eb
            .selectFrom('api_keys')
            .innerJoin('subscriptions as s', 's.id', 'api_keys.subscription_id')
            .select('api_keys.id')
            .where('s.organisation_id', '=', organisationId)
            .where('api_keys.revealed_at', 'is not', null),
        )
        .as('revealed'),
    ])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return { requested: Number(row.n) > 0, active: Number(row.active) > 0, keyRevealed: row.revealed === true, called: Number(row.called) > 0 };
}
