import { expressionBuilder, sql, type AliasableExpression, type Expression, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Database, MerchantSettingsTable } from '../../db/schema.ts';
import { activeEnvironments as activeEnvironmentsOf, activeSubscription } from '../subscriptions/index.ts';
import type { EcommerceEnv } from './merchant.types.ts';
import type { SettingsPatch, TechnicalSettings } from './settings.policy.ts';

// SQL of merchants and their two configurations (test, prod). Passphrases arrive here sealed and
// leave sealed: this file never sees a passphrase in clear.

/** The subscriptions module's product whose active subscription lets a merchant take payments. */
export const ECOMMERCE_PRODUCT = 'ecommerce';

export type MerchantRow = Selectable<Database['merchants']>;
export type SettingsRow = Selectable<MerchantSettingsTable>;

/** The sealed passphrases of one configuration, as stored. */
export interface SealedPassphrases {
  shaIn: string | null;
  shaOut: string | null;
}

export function findMerchant(db: Kysely<Database>, id: string, organisationId?: string) {
  let query = db.selectFrom('merchants').selectAll().where('id', '=', id);
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  return query.executeTakeFirst();
}

export function findMerchantOfOrganisation(db: Kysely<Database>, organisationId: string) {
  return db.selectFrom('merchants').selectAll().where('organisation_id', '=', organisationId).executeTakeFirst();
}

/**
 * The merchant holding a PSPID (any case): in `env` when given, else in either environment, else the
 * merchant that asked for that name when opening its account (operators' lookups; never the entry).
 */
export async function findMerchantByPspid(db: Kysely<Database>, pspid: string, env?: EcommerceEnv) {
  let claimed = db
    .selectFrom('pspid_claims')
    .innerJoin('merchants', 'merchants.id', 'pspid_claims.merchant_id')
    .selectAll('merchants')
    .where(sql<string>`upper(pspid_claims.pspid)`, '=', pspid.toUpperCase());
  if (env !== undefined) claimed = claimed.where('pspid_claims.environment', '=', env);
  const found = await claimed.orderBy('pspid_claims.environment', 'desc').executeTakeFirst();
  if (found || env !== undefined) return found;
  return db
    .selectFrom('merchants')
    .selectAll()
    .where(sql<string>`upper(pspid)`, '=', pspid.toUpperCase())
    .orderBy('created_at')
    .executeTakeFirst();
}

/** Inserts the merchant and its two configurations; false when the organisation has one already. */
export async function insertMerchant(
  trx: Kysely<Database>,
  row: { id: string; organisationId: string; pspid: string; name: string; now: Date; defaults: Pick<TechnicalSettings, 'feedbackParams'> },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('merchants')
    .values({ id: row.id, organisation_id: row.organisationId, pspid: row.pspid, name: row.name, created_at: row.now })
    .onConflict((oc) => oc.column('organisation_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  await trx
    .insertInto('merchant_settings')
    .values(
      (['test', 'prod'] as const).map((environment) => ({
        merchant_id: row.id,
        environment,
        feedback_params: [...row.defaults.feedbackParams],
        updated_at: row.now,
      })),
    )
    .execute();
  return true;
}

/** The PSPID each environment of a merchant holds. */
export async function claimsOf(db: Kysely<Database>, merchantId: string): Promise<Partial<Record<EcommerceEnv, string>>> {
  const rows = await db.selectFrom('pspid_claims').select(['environment', 'pspid']).where('merchant_id', '=', merchantId).execute();
  return Object.fromEntries(rows.map((r) => [r.environment, r.pspid]));
}

/**
 * Reserves `pspid` for the merchant in `env`. False when the merchant holds a PSPID there already
 * or another merchant holds this one (any case): the unique index decides, so two concurrent
 * claims cannot both win.
 */
export async function insertClaim(trx: Kysely<Database>, claim: { merchantId: string; env: EcommerceEnv; pspid: string; now: Date }): Promise<boolean> {
  const inserted = await trx
    .insertInto('pspid_claims')
    .values({ merchant_id: claim.merchantId, environment: claim.env, pspid: claim.pspid, claimed_at: claim.now })
    .onConflict((oc) => oc.doNothing())
    .returning('merchant_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Whether another merchant holds `pspid` (any case) in `env`. */
export async function claimedByOther(db: Kysely<Database>, merchantId: string, env: EcommerceEnv, pspid: string): Promise<boolean> {
  const row = await db
    .selectFrom('pspid_claims')
    .select('merchant_id')
    .where('environment', '=', env)
    .where(sql<string>`upper(pspid)`, '=', pspid.toUpperCase())
    .where('merchant_id', '<>', merchantId)
    .executeTakeFirst();
  return row !== undefined;
}

export function findSettings(db: Kysely<Database>, merchantId: string, env: EcommerceEnv) {
  return db.selectFrom('merchant_settings').selectAll().where('merchant_id', '=', merchantId).where('environment', '=', env).executeTakeFirst();
}

/**
 * Both configurations locked, in a fixed order (test, then prod) so two changes never deadlock:
 * the test ≠ prod rule compares them, so they must not change under us.
 */
export function lockBothSettings(trx: Kysely<Database>, merchantId: string): Promise<{ test: SettingsRow; prod: SettingsRow }> {
  return bothSettings(trx, merchantId, true);
}

/** Both configurations as they are now, without locking (a preview that changes nothing). */
export function readBothSettings(db: Kysely<Database>, merchantId: string): Promise<{ test: SettingsRow; prod: SettingsRow }> {
  return bothSettings(db, merchantId, false);
}

async function bothSettings(db: Kysely<Database>, merchantId: string, lock: boolean): Promise<{ test: SettingsRow; prod: SettingsRow }> {
  const query = db.selectFrom('merchant_settings').selectAll().where('merchant_id', '=', merchantId).orderBy('environment', 'desc');
  const rows = await (lock ? query.forUpdate() : query).execute();
  const test = rows.find((r) => r.environment === 'test');
  const prod = rows.find((r) => r.environment === 'prod');
  if (!test || !prod) throw new Error(`merchant ${merchantId} lacks a configuration`);
  return { test, prod };
}

export function settingsOf(row: SettingsRow): TechnicalSettings {
  return {
    hashingMethod: row.hashing_method,
    hashAlgorithm: row.hash_algorithm,
    charset: row.charset,
    referrers: row.referrers,
    acceptUrl: row.accept_url,
    declineUrl: row.decline_url,
    exceptionUrl: row.exception_url,
    cancelUrl: row.cancel_url,
    feedbackOnRedirect: row.feedback_on_redirect,
    s2sTiming: row.s2s_timing,
    s2sUrlAccepted: row.s2s_url_accepted,
    s2sUrlDeclined: row.s2s_url_declined,
    s2sMethod: row.s2s_method,
    feedbackParams: row.feedback_params,
    defaultOperation: row.default_operation,
    paymentRetries: row.payment_retries,
    enabledCurrencies: row.enabled_currencies,
    legacyHashingAcceptedAt: row.legacy_hashing_accepted_at,
  };
}

/** Writes the non-secret settings of a patch and, when given, sealed passphrases (null removes one). */
export async function updateSettings(
  trx: Kysely<Database>,
  merchantId: string,
  env: EcommerceEnv,
  patch: Omit<SettingsPatch, 'shaIn' | 'shaOut'>,
  sealed: Partial<SealedPassphrases>,
  now: Date,
): Promise<void> {
  const values = {
    ...(patch.hashingMethod !== undefined ? { hashing_method: patch.hashingMethod } : {}),
    ...(patch.hashAlgorithm !== undefined ? { hash_algorithm: patch.hashAlgorithm } : {}),
    ...(patch.charset !== undefined ? { charset: patch.charset } : {}),
    ...(patch.referrers !== undefined ? { referrers: patch.referrers } : {}),
    ...(patch.acceptUrl !== undefined ? { accept_url: patch.acceptUrl } : {}),
    ...(patch.declineUrl !== undefined ? { decline_url: patch.declineUrl } : {}),
    ...(patch.exceptionUrl !== undefined ? { exception_url: patch.exceptionUrl } : {}),
    ...(patch.cancelUrl !== undefined ? { cancel_url: patch.cancelUrl } : {}),
    ...(patch.feedbackOnRedirect !== undefined ? { feedback_on_redirect: patch.feedbackOnRedirect } : {}),
    ...(patch.s2sTiming !== undefined ? { s2s_timing: patch.s2sTiming } : {}),
    ...(patch.s2sUrlAccepted !== undefined ? { s2s_url_accepted: patch.s2sUrlAccepted } : {}),
    ...(patch.s2sUrlDeclined !== undefined ? { s2s_url_declined: patch.s2sUrlDeclined } : {}),
    ...(patch.s2sMethod !== undefined ? { s2s_method: patch.s2sMethod } : {}),
    ...(patch.feedbackParams !== undefined ? { feedback_params: [...patch.feedbackParams] } : {}),
    ...(patch.defaultOperation !== undefined ? { default_operation: patch.defaultOperation } : {}),
    ...(patch.paymentRetries !== undefined ? { payment_retries: patch.paymentRetries } : {}),
    ...(patch.enabledCurrencies !== undefined ? { enabled_currencies: [...patch.enabledCurrencies] } : {}),
    ...(patch.legacyHashingAcceptedAt !== undefined ? { legacy_hashing_accepted_at: patch.legacyHashingAcceptedAt } : {}),
    ...(sealed.shaIn !== undefined ? { sha_in_sealed: sealed.shaIn } : {}),
    ...(sealed.shaOut !== undefined ? { sha_out_sealed: sealed.shaOut } : {}),
  };
  await trx
    .updateTable('merchant_settings')
    .set({ ...values, updated_at: now })
    .where('merchant_id', '=', merchantId)
    .where('environment', '=', env)
    .execute();
}

/**
 * The hosted page's lookup: the configuration of the merchant holding `pspid` in `env`, with
 * whether that environment may take payments. A PSPID names a merchant only where it is claimed.
 */
export function findConfig(db: Kysely<Database>, pspid: string, env: EcommerceEnv) {
  return (
    db
      .selectFrom('pspid_claims')
      .innerJoin('merchants', 'merchants.id', 'pspid_claims.merchant_id')
      .innerJoin('merchant_settings', (join) =>
        join.onRef('merchant_settings.merchant_id', '=', 'pspid_claims.merchant_id').onRef('merchant_settings.environment', '=', 'pspid_claims.environment'),
      )
      .selectAll('merchant_settings')
      .select(['merchants.organisation_id', 'pspid_claims.pspid', 'merchants.name'])
      // Whether the environment may take payments, asked of the subscriptions module as an expression
      // of this same query: the hosted page asks on every cache fill, and one round trip beats two.
      .select(activeSubscription(sql.ref<string>('merchants.organisation_id'), ECOMMERCE_PRODUCT, env).as('active'))
      .where(sql<string>`upper(pspid_claims.pspid)`, '=', pspid.toUpperCase())
      .where('pspid_claims.environment', '=', env)
      .executeTakeFirst()
  );
}

/** Environments in which the organisation has an active `ecommerce` subscription, test first. */
export function activeEnvironments(db: Kysely<Database>, organisationId: string): Promise<EcommerceEnv[]> {
  return activeEnvironmentsOf(db, organisationId, ECOMMERCE_PRODUCT);
}

/**
 * The moment an `ecommerce` subscription becomes active, the organisation's merchant claims the
 * PSPID it asked for in that environment, unless another merchant holds it there (then it chooses
 * another one: portal, CLI). Runs inside the approval's transaction (subscriptions' hook).
 */
export async function claimOnActivation(trx: Kysely<Database>, organisationId: string, env: EcommerceEnv, now: Date): Promise<void> {
  await trx
    .insertInto('pspid_claims')
    .columns(['merchant_id', 'environment', 'pspid', 'claimed_at'])
    .expression((eb) =>
      eb
        .selectFrom('merchants')
        .select(['merchants.id', eb.val(env).as('environment'), 'merchants.pspid', eb.val(now).as('claimed_at')])
        .where('merchants.organisation_id', '=', organisationId),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * A merchant's organisation and name as expressions for another module's query (checkout's orders,
 * one query per read; docs/adr/0011). `merchantId` is a column reference such as `orders.merchant_id`.
 */
export function merchantOwner(merchantId: Expression<string>) {
  const eb = expressionBuilder<Database, never>();
  const of = eb.selectFrom('merchants').where('merchants.id', '=', merchantId);
  return {
    organisationId: of.select('merchants.organisation_id').$asScalar().$notNull(),
    name: of.select('merchants.name').$asScalar().$notNull(),
    /** True for merchants of this organisation: `merchant_id IN (…)`, a semi-join on the organisation's index. */
    belongsTo: (organisationId: string): AliasableExpression<SqlBool> =>
      eb(merchantId, 'in', eb.selectFrom('merchants').select('merchants.id').where('merchants.organisation_id', '=', organisationId)),
  };
}

/** Onboarding checklist (issue 14): whether a merchant of the organisation has saved a SHA-IN passphrase in some environment. */
export async function merchantConfigured(db: Kysely<Database>, organisationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('merchant_settings')
    .innerJoin('merchants', 'merchants.id', 'merchant_settings.merchant_id')
    .select('merchant_settings.merchant_id')
    .where('merchants.organisation_id', '=', organisationId)
    .where('merchant_settings.sha_in_sealed', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
