import { expressionBuilder, sql, type Expression, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Environment } from './station.policy.ts';
import { queueCount, type QueueCount } from '../../kernel/home.ts';

// SQL of the stations module's own tables: stations, station_versions, station_checks,
// trusted_cas and certificate_warnings. Organisations and referents are read through the
// organisations module.

export function findStation(db: Kysely<Database>, id: string, organisationId?: string) {
  let q = db.selectFrom('stations').selectAll().where('id', '=', id);
  if (organisationId !== undefined) q = q.where('organisation_id', '=', organisationId);
  return q.executeTakeFirst();
}

export type StationRow = NonNullable<Awaited<ReturnType<typeof findStation>>>;

export function findStationByCode(db: Kysely<Database>, env: Environment, code: string) {
  return db
    .selectFrom('stations')
    .selectAll()
    .where('environment', '=', env)
    .where((eb) => eb.fn('upper', ['code']), '=', code.toUpperCase())
    .executeTakeFirst();
}

/**
 * A station's code and owner as scalar subqueries for another module's query (the pagoPA registry's
 * routes and link lists): still one query, and only this module names its table (docs/adr/0011).
 * `stationId` is a column reference such as `pagopa_ec_links.station_id`, a foreign key to stations.
 */
export function stationFields(stationId: Expression<string>) {
  const eb = expressionBuilder<Database, never>();
  const of = eb.selectFrom('stations').where('stations.id', '=', stationId);
  return {
    code: of.select('stations.code').$asScalar().$notNull(),
    organisationId: of.select('stations.organisation_id').$asScalar().$notNull(),
  };
}

export interface ListFilter {
  organisationId?: string;
  /** Only stations with a version waiting for an administrator. */
  pendingOnly?: boolean;
  /** Only stations whose latest verification failed. */
  failingOnly?: boolean;
  environment?: Environment;
}

export function listStations(db: Kysely<Database>, filter: ListFilter = {}) {
  let q = db
    .selectFrom('stations')
    .leftJoin('station_versions as pending', (join) => join.onRef('pending.station_id', '=', 'stations.id').on('pending.state', 'in', ['to_check', 'to_fix']))
    .leftJoin('station_versions as approved', 'approved.id', 'stations.approved_version_id')
    .selectAll('stations')
    .select([
      'pending.id as pending_version_id',
      'pending.state as pending_state',
      'pending.submitted_at as pending_submitted_at',
      'approved.primary_url as approved_primary_url',
      'approved.secondary_url as approved_secondary_url',
    ]);
  if (filter.organisationId !== undefined) q = q.where('stations.organisation_id', '=', filter.organisationId);
  if (filter.environment !== undefined) q = q.where('stations.environment', '=', filter.environment);
  if (filter.pendingOnly) q = q.where('pending.state', '=', 'to_check');
  if (filter.failingOnly) q = q.where('stations.connection_state', '=', 'failing');
  return q.orderBy('stations.environment').orderBy('stations.code').execute();
}

export type StationListRow = Awaited<ReturnType<typeof listStations>>[number];

export function listVersions(db: Kysely<Database>, stationId: string) {
  return db.selectFrom('station_versions').selectAll().where('station_id', '=', stationId).orderBy('version', 'desc').execute();
}

export type VersionRow = Awaited<ReturnType<typeof listVersions>>[number];

export function findVersion(db: Kysely<Database>, versionId: string) {
  return db
    .selectFrom('station_versions')
    .innerJoin('stations', 'stations.id', 'station_versions.station_id')
    .selectAll('station_versions')
    .select(['stations.organisation_id', 'stations.environment', 'stations.code', 'stations.approved_version_id'])
    .where('station_versions.id', '=', versionId)
    .executeTakeFirst();
}

export function findPendingVersion(db: Kysely<Database>, stationId: string) {
  return db.selectFrom('station_versions').selectAll().where('station_id', '=', stationId).where('state', 'in', ['to_check', 'to_fix']).executeTakeFirst();
}

export function listChecks(db: Kysely<Database>, stationId: string, limit = 20) {
  return db.selectFrom('station_checks').selectAll().where('station_id', '=', stationId).orderBy('started_at', 'desc').limit(limit).execute();
}

export type CheckRow = Awaited<ReturnType<typeof listChecks>>[number];

export async function insertCheck(
  trx: Kysely<Database>,
  row: {
    id: string;
    stationId: string;
    versionId: string;
    trigger: 'portal' | 'admin' | 'cli' | 'schedule';
    ok: boolean;
    result: unknown;
    startedAt: Date;
    durationMs: number;
  },
): Promise<void> {
  await trx
    .insertInto('station_checks')
    .values({
      id: row.id,
      station_id: row.stationId,
      version_id: row.versionId,
      trigger: row.trigger,
      ok: row.ok,
      result: JSON.stringify(row.result),
      started_at: row.startedAt,
      duration_ms: row.durationMs,
    })
    .execute();
}

/** Approved stations whose last check is older than `before` (or that were never checked), oldest first. */
export function dueForCheck(db: Kysely<Database>, before: Date, limit: number) {
  return db
    .selectFrom('stations')
    .select(['id', 'code', 'environment'])
    .where('approved_version_id', 'is not', null)
    .where((eb) => eb.or([eb('last_check_at', 'is', null), eb('last_check_at', '<', before)]))
    .orderBy(sql`last_check_at NULLS FIRST`)
    .limit(limit)
    .execute();
}

/**
 * A station of `organisationId` in `env` with its approved version's reviewed endpoints (the only
 * addresses the station caller connects to); `approved` is undefined when none is approved yet.
 * Another organisation's station, or one of another environment, is not found.
 */
export async function stationForCall(db: Kysely<Database>, key: { stationId: string; organisationId: string; env: Environment }) {
  // One round trip (issue 15): the station and, when it has one, its approved version, joined on the
  // same conditions the two lookups had (the version belongs to the station and is still approved).
  const row = await db
    .selectFrom('stations')
    .leftJoin('station_versions as approved', (join) =>
      join.onRef('approved.id', '=', 'stations.approved_version_id').onRef('approved.station_id', '=', 'stations.id').on('approved.state', '=', 'approved'),
    )
    .select([
      'stations.id',
      'stations.code',
      'stations.approved_version_id',
      'stations.connect_timeout_ms',
      'stations.response_timeout_ms',
      'approved.id as version_id',
      'approved.primary_url',
      'approved.primary_ip',
      'approved.primary_port',
      'approved.secondary_url',
      'approved.secondary_ip',
      'approved.secondary_port',
    ])
    .where('stations.id', '=', key.stationId)
    .where('stations.organisation_id', '=', key.organisationId)
    .where('stations.environment', '=', key.env)
    .executeTakeFirst();
  if (!row) return undefined;
  const station = {
    id: row.id,
    code: row.code,
    approved_version_id: row.approved_version_id,
    connect_timeout_ms: row.connect_timeout_ms,
    response_timeout_ms: row.response_timeout_ms,
  };
  const approved =
    row.version_id === null || row.primary_url === null || row.primary_ip === null || row.primary_port === null
      ? undefined
      : {
          id: row.version_id,
          primary_url: row.primary_url,
          primary_ip: row.primary_ip,
          primary_port: row.primary_port,
          secondary_url: row.secondary_url,
          secondary_ip: row.secondary_ip,
          secondary_port: row.secondary_port,
        };
  return { station, approved };
}

/** The latest check of each approved station (what expiry warnings read server certificates from). */
export function latestChecks(db: Kysely<Database>) {
  return db
    .selectFrom('stations')
    .innerJoin('station_checks', 'station_checks.station_id', 'stations.id')
    .select(['stations.id as station_id', 'stations.code', 'stations.environment', 'stations.organisation_id', 'station_checks.result'])
    .where('stations.approved_version_id', 'is not', null)
    .distinctOn('stations.id')
    .orderBy('stations.id')
    .orderBy('station_checks.started_at', 'desc')
    .execute();
}

/** Whom an expiry warning is for: an organisation's referents (its id), or the administrators (''). */
export const ADMINISTRATORS_WARNED = '';

export function sentWarnings(db: Kysely<Database>, fingerprint: string, organisationId: string) {
  return db
    .selectFrom('certificate_warnings')
    .select('days_before')
    .where('organisation_id', '=', organisationId)
    .where('fingerprint_sha256', '=', fingerprint)
    .execute();
}

/** Records a warning to `organisationId` as sent; false when another instance (or an earlier run) sent it already. */
export async function claimWarning(
  trx: Kysely<Database>,
  warning: { organisationId: string; fingerprint: string; daysBefore: number },
  now: Date,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('certificate_warnings')
    .values({ organisation_id: warning.organisationId, fingerprint_sha256: warning.fingerprint, days_before: warning.daysBefore, sent_at: now })
    .onConflict((oc) => oc.doNothing())
    .returning('days_before')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Drops checks older than `before`, keeping each station's latest (expiry warnings and pages read it). */
export async function pruneChecks(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('station_checks')
    .where('started_at', '<', before)
    .where('id', 'not in', (eb) =>
      eb
        .selectFrom('station_checks as latest')
        .select('latest.id')
        .distinctOn('latest.station_id')
        .orderBy('latest.station_id')
        .orderBy('latest.started_at', 'desc'),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Back office queues (issue 14): station versions waiting for review. */
export async function reviewQueue(db: Kysely<Database>): Promise<QueueCount> {
  const row = await db
    .selectFrom('station_versions')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('submitted_at').as('oldest')])
    .where('state', '=', 'to_check')
    .executeTakeFirst();
  return queueCount(row);
}

/** Approved stations whose latest verification failed, oldest first by that check. */
export async function failingQueue(db: Kysely<Database>): Promise<QueueCount> {
  const row = await db
    .selectFrom('stations')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('last_check_at').as('oldest')])
    .where('connection_state', '=', 'failing')
    .executeTakeFirst();
  return queueCount(row);
}

/** Trusted CAs in use that expire within `days` ("oldest" is the soonest expiry). */
export async function expiringTrustQueue(db: Kysely<Database>, now: Date, days: number): Promise<QueueCount> {
  const row = await db
    .selectFrom('trusted_cas')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('not_after').as('oldest')])
    .where('removed_at', 'is', null)
    .where('not_after', '<', new Date(now.getTime() + days * 86_400_000))
    .executeTakeFirst();
  return queueCount(row);
}

/** What an organisation's onboarding checklist needs of its stations (issue 14). */
export async function stationProgress(db: Kysely<Database>, organisationId: string): Promise<{ registered: boolean; approved: boolean; verified: boolean }> {
  const row = await db
    .selectFrom('stations')
    .select((eb) => [
      eb.fn.countAll<string>().as('n'),
      eb.fn.count<string>('approved_version_id').as('approved'),
      eb.fn.count<string>(eb.case().when('connection_state', '=', 'verified').then(1).end()).as('verified'),
    ])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return { registered: Number(row.n) > 0, approved: Number(row.approved) > 0, verified: Number(row.verified) > 0 };
}
