import { expressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { likeContains } from '../../kernel/like.ts';

// What other modules need of the `users` table (docs/adr/0011). Each function takes the caller's
// Kysely instance, a transaction when the answer must hold for the rest of it (recipients chosen in
// the transaction that queues their e-mails, a referent created with its invitation marked used).

export interface Recipient {
  email: string;
  locale: 'en' | 'it';
}

/** Enabled administrators, oldest first: they receive the platform's notices. */
export function adminRecipients(trx: Kysely<Database>): Promise<Recipient[]> {
  return trx.selectFrom('users').select(['email', 'locale']).where('kind', '=', 'admin').where('disabled_at', 'is', null).orderBy('created_at').execute();
}

/** Every referent of an organisation, enabled or not, oldest first (the back office lists them all). */
export function referentsOf(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'last_name', 'locale', 'created_at', 'disabled_at'])
    .where('kind', '=', 'referent')
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at')
    .execute();
}

/** Enabled referents of an organisation: who may act for it and receives its e-mails. */
export function enabledReferentsOf(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'locale', 'organisation_id'])
    .where('organisation_id', '=', organisationId)
    .where('kind', '=', 'referent')
    .where('disabled_at', 'is', null)
    .execute();
}

/** The referent, if still enabled. */
export function findEnabledReferent(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'locale', 'organisation_id'])
    .where('id', '=', userId)
    .where('kind', '=', 'referent')
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
}

/** Whether a referent account (enabled or not) already uses this e-mail address, whatever its case. */
export async function referentEmailTaken(db: Kysely<Database>, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('kind', '=', 'referent')
    .where((eb) => eb.fn('lower', ['email']), '=', email.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

export interface NewReferent {
  id: string;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  locale: 'en' | 'it';
  organisationId: string;
  now: Date;
}

/** Creates a referent account in the caller's transaction (an accepted invitation). */
export async function createReferent(trx: Kysely<Database>, referent: NewReferent): Promise<void> {
  await trx
    .insertInto('users')
    .values({
      id: referent.id,
      kind: 'referent',
      email: referent.email,
      password_hash: referent.passwordHash,
      first_name: referent.firstName,
      last_name: referent.lastName,
      locale: referent.locale,
      organisation_id: referent.organisationId,
      created_at: referent.now,
    })
    .execute();
}

/** An enabled administrator by e-mail (case-insensitive): whom the CLI acts as for four-eyes (`--as`). */
export function findEnabledAdmin(db: Kysely<Database>, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('kind', '=', 'admin')
    .where('disabled_at', 'is', null)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
}

/** E-mail and kind of these users, for pages that name who did what (timelines, issue 14). */
export async function userLabels(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, { email: string; kind: 'admin' | 'referent'; organisationId: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'kind', 'organisation_id'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, { email: r.email, kind: r.kind, organisationId: r.organisation_id }]));
}

/**
 * The ids of the accounts whose e-mail contains `fragment` (case-insensitive, literally), as a subquery
 * for `actor_id IN (…)` in another module's query (the audit viewer's "who"): every match, however many,
 * and only this module names its table (docs/adr/0011).
 */
export function accountsWithEmailContaining(fragment: string) {
  const eb = expressionBuilder<Database, never>();
  return eb
    .selectFrom('users')
    .select('users.id')
    .where((inner) => inner(inner.fn('lower', ['users.email']), 'like', inner.fn('lower', [inner.val(likeContains(fragment))])));
}
