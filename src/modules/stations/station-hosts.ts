import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Environment } from './station.policy.ts';

// One organisation per station host (issue 10, item 1). A host (the FQDN of a primary or secondary
// URL) registered by one organisation's station may not be registered by another organisation in
// the same environment, or that organisation could have Varco call the first one's service, with
// Varco's client certificate, on its own behalf. An administrator may allow it: a station marked
// `shared_host_allowed` may share its hosts with other organisations' stations, both ways.
// "Registered" means a version that is approved or waiting for review; superseded ones are history.

/**
 * Serialises registrations naming the same hosts (until the caller's transaction ends), so two
 * organisations submitting one host at the same moment cannot both pass the check. Sorted, so two
 * transactions locking the same pair never wait for each other crosswise.
 */
export async function lockHosts(trx: Kysely<Database>, env: Environment, hosts: string[]): Promise<void> {
  if (!trx.isTransaction) throw new Error('lockHosts must run inside the transaction that saves the station');
  for (const host of [...new Set(hosts)].sort()) {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`varco.station-host:${env}:${host}`}))`.execute(trx);
  }
}

/** The hosts among `hosts` that another organisation's station holds without an administrator's permission. */
export async function hostsTakenElsewhere(trx: Kysely<Database>, input: { env: Environment; organisationId: string; hosts: string[] }): Promise<string[]> {
  const hosts = [...new Set(input.hosts)];
  if (hosts.length === 0) return [];
  const rows = await trx
    .selectFrom('station_versions as v')
    .innerJoin('stations as s', 's.id', 'v.station_id')
    .select(['v.primary_host', 'v.secondary_host'])
    .where('s.environment', '=', input.env)
    .where('s.organisation_id', '!=', input.organisationId)
    .where('v.state', '!=', 'superseded')
    .where('s.shared_host_allowed', '=', false)
    .where((eb) => eb.or([eb('v.primary_host', 'in', hosts), eb('v.secondary_host', 'in', hosts)]))
    .execute();
  return hosts.filter((host) => rows.some((row) => row.primary_host === host || row.secondary_host === host));
}
