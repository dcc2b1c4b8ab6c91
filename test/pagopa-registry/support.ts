import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Services } from '../../src/app/container.ts';
import type { Database, OrganisationType } from '../../src/db/index.ts';
import { newId } from '../../src/kernel/ids.ts';
import { partitaIvaValid } from '../../src/protocols/pagopa/index.ts';
import { CLI } from '../support/subscriptions.ts';

// Factories of the registry tests: organisations of each type with real-looking tax codes, and
// approved stations made through the stations module (registered, then approved by the CLI actor).

/** A random 11-digit tax code with a valid check digit (partita IVA), so organisations look Italian. */
export function taxCode(): string {
  for (;;) {
    const base = Array.from(randomBytes(10), (b) => String(b % 10)).join('');
    for (let d = 0; d < 10; d++) if (partitaIvaValid(`${base}${d}`)) return `${base}${d}`;
  }
}

export async function organisation(
  db: Kysely<Database>,
  type: OrganisationType,
  options: { name?: string; taxCode?: string; foreign?: boolean } = {},
): Promise<{ id: string; taxCode: string; name: string }> {
  const id = newId('org');
  const code = options.taxCode ?? (options.foreign ? `X-${randomBytes(4).toString('hex')}` : taxCode());
  const name = options.name ?? `${type} ${randomBytes(3).toString('hex')}`;
  await db
    .insertInto('organisations')
    .values({ id, name, tax_code: code, tax_code_kind: options.foreign ? 'other' : 'it', type, contact_email: 'pagopa@org.test' })
    .execute();
  return { id, taxCode: code, name };
}

/** A station of the organisation, approved unless said otherwise; its host is its own. */
export async function station(
  services: Services,
  organisationId: string,
  code: string,
  options: { env?: 'test' | 'prod'; approved?: boolean } = {},
): Promise<string> {
  const env = options.env ?? 'test';
  const host = `${code.toLowerCase().replaceAll('_', '-')}-${randomBytes(3).toString('hex')}.example.it`;
  const registered = await services.stations.register(
    organisationId,
    env,
    { code, primary: { url: `https://${host}/node`, ip: '127.0.0.1', port: '443' } },
    CLI,
  );
  assert.ok(registered.ok, registered.ok ? '' : registered.reason);
  if (options.approved !== false) assert.ok((await services.stations.reviewStation(registered.value.id, 'approve', '', CLI)).ok);
  return registered.value.id;
}

/** The audit rows written about one subject, oldest first. */
export async function auditRows(db: Kysely<Database>, subjectId: string) {
  return db.selectFrom('audit_log').select(['action', 'actor_type', 'organisation_id', 'details']).where('subject_id', '=', subjectId).orderBy('seq').execute();
}

export const referentActor = (userId: string, organisationId: string) => ({ type: 'referent' as const, id: userId, ip: '192.0.2.7', organisationId });
