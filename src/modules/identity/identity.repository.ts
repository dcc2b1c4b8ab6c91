import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

export type Surface = 'admin' | 'portal';
export const SURFACE_USER_KIND = { admin: 'admin', portal: 'referent' } as const;

export function findUserByEmail(db: Kysely<Database>, kind: 'admin' | 'referent', email: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where('kind', '=', kind)
    .where((eb) => eb.fn('lower', ['email']), '=', email.toLowerCase())
    .executeTakeFirst();
}

export type UserRow = NonNullable<Awaited<ReturnType<typeof findUserByEmail>>>;

export function findUserById(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * True while the user is enabled and still has the password that was just verified. The row stays
 * share-locked to the end of the caller's transaction, so a password change either waits for the
 * session being created (and then ends it) or has committed before, and this answers false.
 */
export async function passwordStillIs(trx: Kysely<Database>, id: string, passwordHash: string | null): Promise<boolean> {
  const row = await trx.selectFrom('users').select(['password_hash', 'disabled_at']).where('id', '=', id).forShare().executeTakeFirst();
  return !!row && row.disabled_at === null && passwordHash !== null && row.password_hash === passwordHash;
}

/** Replaces the hash only if it is still the one verified, so two concurrent changes cannot both win. */
export async function replacePassword(trx: Kysely<Database>, id: string, verifiedHash: string, newHash: string): Promise<boolean> {
  const result = await trx
    .updateTable('users')
    .set({ password_hash: newHash })
    .where('id', '=', id)
    .where('password_hash', '=', verifiedHash)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Administrators, disabled ones too unless `enabledOnly` (whether the first one exists counts them all). */
export function countAdmins(db: Kysely<Database>, options: { enabledOnly?: boolean } = {}): Promise<number> {
  let query = db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'admin');
  if (options.enabledOnly === true) query = query.where('disabled_at', 'is', null);
  return query.executeTakeFirstOrThrow().then((r) => Number(r.n));
}
