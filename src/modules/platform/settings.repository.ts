import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/index.ts';

// platform_settings: name/value pairs of the installation as a whole (not of an organisation).
// Known names: `master_key_id` (the key id of the master key the database was set up with) and
// `pki_version` (bumped by every change of the platform PKI, read by instances to refresh their cache).

/**
 * Records `kid` as the master key id unless one is recorded already, and returns the recorded one:
 * the caller refuses to run when it differs from its own key's.
 */
export async function claimMasterKeyId(db: Kysely<Database>, kid: string): Promise<string> {
  await db
    .insertInto('platform_settings')
    .values({ name: 'master_key_id', value: kid })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('platform_settings').select('value').where('name', '=', 'master_key_id').executeTakeFirstOrThrow();
  return row.value;
}

/** The master key id recorded by the first instance, without recording one (read-only: `varco doctor`); undefined before any start. */
export async function recordedMasterKeyId(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('platform_settings').select('value').where('name', '=', 'master_key_id').executeTakeFirst();
  return row?.value;
}

/** The PKI's version: any change of CAs or client certificates gives a new one. */
export async function pkiVersion(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('platform_settings').select('value').where('name', '=', 'pki_version').executeTakeFirst();
  return row?.value ?? '0';
}

/** In the transaction that changes the PKI, so the new version and the change commit together. */
export async function bumpPkiVersion(trx: Transaction<Database>): Promise<void> {
  await sql`INSERT INTO platform_settings (name, value) VALUES ('pki_version', '1')
    ON CONFLICT (name) DO UPDATE SET value = (platform_settings.value::bigint + 1)::text, updated_at = now()`.execute(trx);
}
