import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { ThrottleState } from './throttle.policy.ts';

export type Surface = 'admin' | 'portal';
export const SURFACE_USER_KIND = { admin: 'admin', portal: 'referent' } as const;

export function findUserByEmail(db: Kysely<Database>, kind: 'admin' | 'referent', email: string) {
  return db.selectFrom('users').selectAll().where('kind', '=', kind)
    .where((eb) => eb.fn('lower', ['email']), '=', email.toLowerCase()).executeTakeFirst();
}

export function countAdmins(db: Kysely<Database>): Promise<number> {
  return db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'admin')
    .executeTakeFirstOrThrow().then((r) => Number(r.n));
}

export async function readThrottle(db: Kysely<Database>, keys: string[]): Promise<Map<string, ThrottleState>> {
  const rows = await db.selectFrom('signin_throttle').selectAll().where('key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.key, { failures: r.failures, windowStartedAt: r.window_started_at, lockedUntil: r.locked_until }]));
}

export async function writeThrottle(db: Kysely<Database>, key: string, state: ThrottleState): Promise<void> {
  const values = { failures: state.failures, window_started_at: state.windowStartedAt, locked_until: state.lockedUntil };
  await db.insertInto('signin_throttle').values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values)).execute();
}

export async function clearThrottle(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('signin_throttle').where('key', '=', key).execute();
}
