import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

export function findOrganisation(db: Kysely<Database>, id: string) {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findByTaxCode(db: Kysely<Database>, taxCode: string) {
  return db
    .selectFrom('organisations')
    .select('id')
    .where((eb) => eb.fn('upper', ['tax_code']), '=', taxCode.toUpperCase())
    .executeTakeFirst();
}

export function listOrganisations(db: Kysely<Database>) {
  return db.selectFrom('organisations').selectAll().orderBy('name').execute();
}

export function listInvitations(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('invitations')
    .select(['id', 'email', 'first_name', 'last_name', 'created_at', 'expires_at', 'accepted_at', 'superseded_at', 'product_ids'])
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .execute();
}
