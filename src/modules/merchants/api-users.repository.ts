import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { EcommerceEnv } from './merchant.types.ts';

// SQL of the merchants' API users (DirectLink's USERID + PSWD). Passwords arrive here as argon2id
// hashes only; a removed user keeps its row, marked disabled, so only live rows are ever matched.

export type ApiUserRow = Selectable<Database['merchant_api_users']>;

/** The live user with this USERID (any case) of a merchant in an environment. */
export function findLiveUser(db: Kysely<Database>, merchantId: string, env: EcommerceEnv, userid: string) {
  return db
    .selectFrom('merchant_api_users')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('environment', '=', env)
    .where(sql<string>`upper(userid)`, '=', userid.toUpperCase())
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
}

export function listLiveUsers(db: Kysely<Database>, merchantId: string) {
  return db
    .selectFrom('merchant_api_users')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('disabled_at', 'is', null)
    .orderBy('environment', 'desc')
    .orderBy('userid')
    .execute();
}

/**
 * Creates the user, or gives the live user of that USERID its new password: one statement on the
 * partial unique index, so two concurrent creations of one USERID end as one row.
 */
export async function upsertUser(
  trx: Kysely<Database>,
  u: { id: string; merchantId: string; env: EcommerceEnv; userid: string; passwordHash: string; now: Date },
): Promise<ApiUserRow & { created: boolean }> {
  const result = await sql<ApiUserRow & { created: boolean }>`
    INSERT INTO merchant_api_users (id, merchant_id, environment, userid, password_hash, created_at, password_changed_at)
    VALUES (${u.id}, ${u.merchantId}, ${u.env}, ${u.userid}, ${u.passwordHash}, ${u.now}, ${u.now})
    ON CONFLICT (merchant_id, environment, upper(userid)) WHERE disabled_at IS NULL
    DO UPDATE SET password_hash = excluded.password_hash, password_changed_at = excluded.password_changed_at
    RETURNING *, (xmax = 0) AS created`.execute(trx);
  const row = result.rows[0];
  if (!row) throw new Error('API user upsert returned no row');
  return row;
}

/** Disables a live user of the merchant; undefined when there is none with that id. */
export function disableUser(trx: Kysely<Database>, merchantId: string, id: string, now: Date) {
  return trx
    .updateTable('merchant_api_users')
    .set({ disabled_at: now })
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .where('disabled_at', 'is', null)
    .returning(['id', 'environment', 'userid'])
    .executeTakeFirst();
}
