import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

export function findStation(db: Kysely<Database>, id: string, organisationId?: string) {
  let q = db.selectFrom('stations').selectAll().where('id', '=', id);
  if (organisationId !== undefined) q = q.where('organisation_id', '=', organisationId);
  return q.executeTakeFirst();
}

export function findStationByCode(db: Kysely<Database>, env: 'test' | 'prod', code: string) {
  return db.selectFrom('stations').selectAll().where('environment', '=', env).where((eb) => eb.fn('upper', ['code']), '=', code.toUpperCase()).executeTakeFirst();
}

export function listStations(db: Kysely<Database>, filter: { organisationId?: string; pendingOnly?: boolean } = {}) {
  let q = db.selectFrom('stations').innerJoin('organisations', 'organisations.id', 'stations.organisation_id')
    .leftJoin('station_versions as pending', (join) => join.onRef('pending.station_id', '=', 'stations.id').on('pending.state', 'in', ['to_check', 'to_fix']))
    .selectAll('stations').select(['organisations.name as organisation_name', 'pending.id as pending_version_id', 'pending.state as pending_state']);
  if (filter.organisationId !== undefined) q = q.where('stations.organisation_id', '=', filter.organisationId);
  if (filter.pendingOnly) q = q.where('pending.state', '=', 'to_check');
  return q.orderBy('stations.environment').orderBy('stations.code').execute();
}

export function listVersions(db: Kysely<Database>, stationId: string) {
  return db.selectFrom('station_versions').selectAll().where('station_id', '=', stationId).orderBy('version', 'desc').execute();
}

export function findVersion(db: Kysely<Database>, versionId: string) {
  return db.selectFrom('station_versions').innerJoin('stations', 'stations.id', 'station_versions.station_id')
    .selectAll('station_versions').select(['stations.organisation_id', 'stations.environment', 'stations.code', 'stations.approved_version_id'])
    .where('station_versions.id', '=', versionId).executeTakeFirst();
}

export function listChecks(db: Kysely<Database>, stationId: string, limit = 20) {
  return db.selectFrom('station_checks').selectAll().where('station_id', '=', stationId).orderBy('started_at', 'desc').limit(limit).execute();
}

export async function referentEmails(db: Kysely<Database>, organisationId: string): Promise<Array<{ email: string; locale: 'en' | 'it'; firstName: string }>> {
  const rows = await db.selectFrom('users').select(['email', 'locale', 'first_name']).where('kind', '=', 'referent')
    .where('organisation_id', '=', organisationId).where('disabled_at', 'is', null).execute();
  return rows.map((r) => ({ email: r.email, locale: r.locale, firstName: r.first_name ?? '' }));
}
