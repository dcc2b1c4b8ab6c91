import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import { merchantOwner, type EcommerceEnv } from '../merchants/index.ts';

// SQL of the card token vault (migrations 0024, 0028). The PAN arrives and leaves sealed: this file
// never sees a card number. Every read names the merchant and the environment: an alias is the
// token of one merchant in one environment, and nobody else's query can reach it.

export type AliasRow = Selectable<Database['card_aliases']>;

export interface AliasKey {
  merchantId: string;
  env: EcommerceEnv;
  alias: string;
}

export interface AliasWrite extends AliasKey {
  id: string;
  usage: string | null;
  panSealed: string;
  brand: string;
  masked: string;
  bin: string;
  expiry: string;
  holder: string;
  orderId: string;
  now: Date;
}

export function findAlias(db: Kysely<Database>, key: AliasKey): Promise<AliasRow | undefined> {
  return db
    .selectFrom('card_aliases')
    .selectAll()
    .where('merchant_id', '=', key.merchantId)
    .where('environment', '=', key.env)
    .where('alias', '=', key.alias)
    .executeTakeFirst();
}

/** Creates the alias, or gives an existing one its new card (the platform's "alias updated"). */
export async function upsertAlias(db: Kysely<Database>, a: AliasWrite): Promise<void> {
  const card = {
    pan_sealed: a.panSealed,
    card_brand: a.brand,
    card_masked: a.masked,
    card_bin: a.bin,
    card_expiry: a.expiry,
    card_holder: a.holder,
  };
  await db
    .insertInto('card_aliases')
    .values({
      id: a.id,
      merchant_id: a.merchantId,
      environment: a.env,
      alias: a.alias,
      usage: a.usage,
      ...card,
      created_order_id: a.orderId,
      created_at: a.now,
      updated_at: a.now,
      last_used_at: a.now,
    })
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'environment', 'alias']).doUpdateSet({
        ...card,
        // A later order without ALIASUSAGE keeps the text the customer was shown first.
        ...(a.usage !== null ? { usage: a.usage } : {}),
        updated_at: a.now,
        last_used_at: a.now,
      }),
    )
    .execute();
}

/** The token was used again as it is (no new card). */
export async function touchAlias(db: Kysely<Database>, key: AliasKey, now: Date): Promise<void> {
  await db
    .updateTable('card_aliases')
    .set({ last_used_at: now })
    .where('merchant_id', '=', key.merchantId)
    .where('environment', '=', key.env)
    .where('alias', '=', key.alias)
    .execute();
}

/** Records on the order the token it created or used (feedback and `<ncresponse/>` send it as ALIAS). */
export async function setOrderAlias(db: Kysely<Database>, orderId: string, alias: string, now: Date): Promise<void> {
  await db.updateTable('orders').set({ alias, updated_at: now }).where('id', '=', orderId).execute();
}

/** The aliases of an organisation's merchant, asked of the merchants module (docs/adr/0011). */
const owner = merchantOwner(sql.ref<string>('card_aliases.merchant_id'));

export interface AliasPage {
  limit: number;
  /** The (created_at, id) of the last alias of the previous page: the page starts after it, whether or not it still exists. */
  after?: { createdAt: Date; id: string };
}

/** An organisation's aliases in one environment, newest first. */
export function listAliases(db: Kysely<Database>, organisationId: string, env: EcommerceEnv, page: AliasPage): Promise<AliasRow[]> {
  let query = db.selectFrom('card_aliases').selectAll().where(owner.belongsTo(organisationId)).where('environment', '=', env);
  const after = page.after;
  if (after)
    query = query.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
}

export function findAliasOf(db: Kysely<Database>, organisationId: string, env: EcommerceEnv, alias: string): Promise<AliasRow | undefined> {
  return db
    .selectFrom('card_aliases')
    .selectAll()
    .where(owner.belongsTo(organisationId))
    .where('environment', '=', env)
    .where('alias', '=', alias)
    .executeTakeFirst();
}

export async function deleteAlias(db: Kysely<Database>, id: string): Promise<boolean> {
  const done = await db.deleteFrom('card_aliases').where('id', '=', id).executeTakeFirst();
  return done.numDeletedRows > 0n;
}
