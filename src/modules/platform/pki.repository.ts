import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { PkiEnvironment } from '../../pki/index.ts';

// SQL of the platform PKI tables (migration 0018). Keys arrive and leave sealed: this file never sees
// a private key in clear.

export type Origin = 'created' | 'imported';
export type ClientState = 'current' | 'next' | 'retired';

export interface CaRow {
  environment: PkiEnvironment;
  cert_pem: string;
  key_sealed: string;
}

export interface ClientRow {
  fingerprint_sha256: string;
  environment: PkiEnvironment;
  state: ClientState;
  cert_pem: string;
  key_sealed: string;
}

type Db = Kysely<Database> | Transaction<Database>;

export function listCas(db: Db): Promise<CaRow[]> {
  return db.selectFrom('platform_cas').select(['environment', 'cert_pem', 'key_sealed']).execute();
}

export function findCa(db: Db, env: PkiEnvironment): Promise<CaRow | undefined> {
  return db.selectFrom('platform_cas').select(['environment', 'cert_pem', 'key_sealed']).where('environment', '=', env).executeTakeFirst();
}

export async function insertCa(trx: Transaction<Database>, row: CaRow & { origin: Origin }): Promise<void> {
  await trx.insertInto('platform_cas').values(row).execute();
}

/** Current and next client certificates of every environment. */
export function liveClients(db: Db): Promise<ClientRow[]> {
  return db
    .selectFrom('platform_client_certificates')
    .select(['fingerprint_sha256', 'environment', 'state', 'cert_pem', 'key_sealed'])
    .where('state', 'in', ['current', 'next'])
    .execute();
}

export function findClient(db: Db, env: PkiEnvironment, state: 'current' | 'next'): Promise<ClientRow | undefined> {
  return db
    .selectFrom('platform_client_certificates')
    .select(['fingerprint_sha256', 'environment', 'state', 'cert_pem', 'key_sealed'])
    .where('environment', '=', env)
    .where('state', '=', state)
    .executeTakeFirst();
}

export async function insertClient(trx: Transaction<Database>, row: ClientRow & { origin: Origin; now: Date }): Promise<void> {
  const { now, ...values } = row;
  await trx
    .insertInto('platform_client_certificates')
    .values({ ...values, created_at: now, activated_at: row.state === 'current' ? now : null, retired_at: row.state === 'retired' ? now : null })
    .execute();
}

/** The next certificate becomes current; the current one is retired. One statement each, same transaction. */
export async function promoteNext(trx: Transaction<Database>, env: PkiEnvironment, now: Date): Promise<void> {
  await trx
    .updateTable('platform_client_certificates')
    .set({ state: 'retired', retired_at: now })
    .where('environment', '=', env)
    .where('state', '=', 'current')
    .execute();
  await trx
    .updateTable('platform_client_certificates')
    .set({ state: 'current', activated_at: now })
    .where('environment', '=', env)
    .where('state', '=', 'next')
    .execute();
}
