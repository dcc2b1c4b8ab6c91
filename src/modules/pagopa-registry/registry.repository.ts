import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { organisationFields, organisationWithTaxCode } from '../organisations/index.ts';
import { stationFields } from '../stations/index.ts';
import type { DisabledBy, Environment } from './registry.types.ts';

// SQL of the registry's own tables (pagopa_psp_brokers, pagopa_psps, pagopa_channels, pagopa_ecs,
// pagopa_ec_links). What a query needs of an organisation (an EC's fiscal code is its tax code; a
// station's owner gives idBrokerPA) or of a station (code, owner) comes as expressions from the
// organisations and stations modules (docs/adr/0011): still one query each, and only those modules
// name their tables. A link's station is of the link's environment by foreign key (migration 0022).

const ecOrganisation = organisationFields(sql.ref<string>('pagopa_ecs.organisation_id'));
const linkStation = stationFields(sql.ref<string>('pagopa_ec_links.station_id'));
const linkStationOwner = organisationFields(linkStation.organisationId);

// ---- the node's lookups (one query each, on every SOAP request) ----

export interface PspRowsRaw {
  psp_id: string | null;
  psp_org: string | null;
  psp_broker: string | null;
  psp_enabled: boolean | null;
  broker_org: string | null;
  broker_enabled: boolean | null;
  channel_id: string | null;
  channel_psp: string | null;
  channel_org: string | null;
  channel_enabled: boolean | null;
  channel_hash: string | null;
}

/** The PSP, the broker and the channel a request names, each looked up on its own id. */
export async function pspRows(db: Kysely<Database>, key: { env: Environment; idPSP: string; idBrokerPSP: string; idChannel: string }): Promise<PspRowsRaw> {
  const { rows } = await sql<PspRowsRaw>`
    SELECT p.id AS psp_id, p.organisation_id AS psp_org, p.id_broker_psp AS psp_broker, p.enabled AS psp_enabled,
           b.organisation_id AS broker_org, b.enabled AS broker_enabled,
           c.id AS channel_id, c.psp_id AS channel_psp, cp.organisation_id AS channel_org, c.enabled AS channel_enabled, c.password_hash AS channel_hash
    FROM (SELECT 1) AS one
    LEFT JOIN pagopa_psps p ON p.environment = ${key.env} AND p.id_psp = ${key.idPSP}
    LEFT JOIN pagopa_psp_brokers b ON b.environment = ${key.env} AND b.id_broker_psp = ${key.idBrokerPSP}
    LEFT JOIN pagopa_channels c ON c.environment = ${key.env} AND c.id_channel = ${key.idChannel}
    LEFT JOIN pagopa_psps cp ON cp.id = c.psp_id`.execute(db);
  return (
    rows[0] ?? {
      psp_id: null,
      psp_org: null,
      psp_broker: null,
      psp_enabled: null,
      broker_org: null,
      broker_enabled: null,
      channel_id: null,
      channel_psp: null,
      channel_org: null,
      channel_enabled: null,
      channel_hash: null,
    }
  );
}

/** An EC (by fiscal code) with its name and enable flag, or undefined when it has no record in `env`. */
export function findEcByFiscalCode(db: Kysely<Database>, env: Environment, fiscalCode: string) {
  return db
    .selectFrom('pagopa_ecs')
    .select(['pagopa_ecs.organisation_id', 'pagopa_ecs.enabled', ecOrganisation.name.as('name'), ecOrganisation.taxCode.as('tax_code')])
    .where('pagopa_ecs.environment', '=', env)
    .where('pagopa_ecs.organisation_id', 'in', organisationWithTaxCode(fiscalCode, 'creditor_institution'))
    .executeTakeFirst();
}

/** An EC's links with what a route needs of each station (code, owner, owner's tax code). */
export function routeLinks(db: Kysely<Database>, env: Environment, organisationId: string) {
  return db
    .selectFrom('pagopa_ec_links')
    .select([
      'pagopa_ec_links.id',
      'pagopa_ec_links.aux_digit',
      'pagopa_ec_links.segregation_code',
      'pagopa_ec_links.application_code',
      'pagopa_ec_links.primitive_version',
      'pagopa_ec_links.enabled',
      'pagopa_ec_links.station_id',
      linkStation.code.as('station_code'),
      linkStation.organisationId.as('station_organisation_id'),
      linkStationOwner.taxCode.as('broker_fiscal_code'),
    ])
    .where('pagopa_ec_links.environment', '=', env)
    .where('pagopa_ec_links.organisation_id', '=', organisationId)
    .execute();
}

export type RouteLinkRow = Awaited<ReturnType<typeof routeLinks>>[number];

// ---- administration ----

export function findBroker(db: Kysely<Database>, env: Environment, idBrokerPsp: string) {
  return db.selectFrom('pagopa_psp_brokers').selectAll().where('environment', '=', env).where('id_broker_psp', '=', idBrokerPsp).executeTakeFirst();
}

export function findPspByCode(db: Kysely<Database>, env: Environment, idPsp: string) {
  return db.selectFrom('pagopa_psps').selectAll().where('environment', '=', env).where('id_psp', '=', idPsp).executeTakeFirst();
}

export function findPsp(db: Kysely<Database>, id: string) {
  return db.selectFrom('pagopa_psps').selectAll().where('id', '=', id).executeTakeFirst();
}

function channelQuery(db: Kysely<Database>) {
  return db
    .selectFrom('pagopa_channels')
    .innerJoin('pagopa_psps', 'pagopa_psps.id', 'pagopa_channels.psp_id')
    .select([
      'pagopa_channels.id',
      'pagopa_channels.id_channel',
      'pagopa_channels.environment',
      'pagopa_channels.enabled',
      'pagopa_channels.psp_id',
      'pagopa_psps.organisation_id',
      'pagopa_psps.id_psp',
    ]);
}

/** A channel with its PSP's owner and ids (never its hash). */
export function findChannel(db: Kysely<Database>, id: string) {
  return channelQuery(db).where('pagopa_channels.id', '=', id).executeTakeFirst();
}

export function findChannelByCode(db: Kysely<Database>, env: Environment, idChannel: string) {
  return channelQuery(db).where('pagopa_channels.environment', '=', env).where('pagopa_channels.id_channel', '=', idChannel).executeTakeFirst();
}

export function findLink(db: Kysely<Database>, id: string) {
  return db.selectFrom('pagopa_ec_links').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findEc(db: Kysely<Database>, organisationId: string, env: Environment) {
  return db.selectFrom('pagopa_ecs').selectAll().where('organisation_id', '=', organisationId).where('environment', '=', env).executeTakeFirst();
}

/** A record that is switched on and off, by the key that names its row; `kind` is the name its audit rows give it. */
export type SwitchKey =
  | { kind: 'psp' | 'channel' | 'ec_link'; id: string }
  | { kind: 'broker'; env: Environment; idBrokerPsp: string }
  | { kind: 'ec'; env: Environment; organisationId: string };

const TABLE_BY_ID = { psp: 'pagopa_psps', channel: 'pagopa_channels', ec_link: 'pagopa_ec_links' } as const;

/** The table of a switched record and the condition naming its row. */
function switchRow(key: SwitchKey) {
  const columns =
    key.kind === 'broker'
      ? { table: 'pagopa_psp_brokers', row: { environment: key.env, id_broker_psp: key.idBrokerPsp } }
      : key.kind === 'ec'
        ? { table: 'pagopa_ecs', row: { organisation_id: key.organisationId, environment: key.env } }
        : { table: TABLE_BY_ID[key.kind], row: { id: key.id } };
  const where = sql.join(
    Object.entries(columns.row).map(([column, value]) => sql`${sql.ref(column)} = ${value}`),
    sql` AND `,
  );
  return { table: sql.table(columns.table), where };
}

export interface SwitchState {
  enabled: boolean;
  disabled_by: DisabledBy | null;
}

/** A record's enable flag and who switched it off, locked until the transaction ends (undefined when it is gone). */
export async function lockSwitch(trx: Kysely<Database>, key: SwitchKey): Promise<SwitchState | undefined> {
  const { table, where } = switchRow(key);
  const { rows } = await sql<SwitchState>`SELECT enabled, disabled_by FROM ${table} WHERE ${where} FOR UPDATE`.execute(trx);
  return rows[0];
}

/** Switches a record on (`disabledBy` null) or off by `disabledBy`, and sets `updated_at`. */
export async function setEnabled(trx: Kysely<Database>, key: SwitchKey, disabledBy: DisabledBy | null, now: Date): Promise<void> {
  const { table, where } = switchRow(key);
  await sql`UPDATE ${table} SET enabled = ${disabledBy === null}, disabled_by = ${disabledBy}, updated_at = ${now} WHERE ${where}`.execute(trx);
}

/** Creates the EC record if missing; true when this call created it. */
export async function ensureEc(trx: Kysely<Database>, organisationId: string, env: Environment, now: Date): Promise<boolean> {
  const created = await trx
    .insertInto('pagopa_ecs')
    .values({ organisation_id: organisationId, environment: env, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['organisation_id', 'environment']).doNothing())
    .returning('organisation_id')
    .executeTakeFirst();
  return created !== undefined;
}

export interface ListFilter {
  organisationId?: string | undefined;
  env?: Environment | undefined;
}

export function listBrokers(db: Kysely<Database>, filter: ListFilter) {
  let q = db
    .selectFrom('pagopa_psp_brokers')
    .selectAll('pagopa_psp_brokers')
    .select(organisationFields(sql.ref<string>('pagopa_psp_brokers.organisation_id')).name.as('organisation_name'));
  if (filter.organisationId !== undefined) q = q.where('pagopa_psp_brokers.organisation_id', '=', filter.organisationId);
  if (filter.env !== undefined) q = q.where('pagopa_psp_brokers.environment', '=', filter.env);
  return q.orderBy('pagopa_psp_brokers.environment').orderBy('pagopa_psp_brokers.id_broker_psp').execute();
}

export function listPsps(db: Kysely<Database>, filter: ListFilter) {
  let q = db
    .selectFrom('pagopa_psps')
    .selectAll('pagopa_psps')
    .select(organisationFields(sql.ref<string>('pagopa_psps.organisation_id')).name.as('organisation_name'));
  if (filter.organisationId !== undefined) q = q.where('pagopa_psps.organisation_id', '=', filter.organisationId);
  if (filter.env !== undefined) q = q.where('pagopa_psps.environment', '=', filter.env);
  return q.orderBy('pagopa_psps.environment').orderBy('pagopa_psps.id_psp').execute();
}

/** Channels without their hashes: lists never carry them. */
export function listChannels(db: Kysely<Database>, pspIds: string[]) {
  if (pspIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('pagopa_channels')
    .select(['id', 'psp_id', 'environment', 'id_channel', 'enabled', 'disabled_by', 'password_set_at', 'created_at'])
    .where('psp_id', 'in', pspIds)
    .orderBy('id_channel')
    .execute();
}

export function listEcs(db: Kysely<Database>, filter: ListFilter) {
  let q = db
    .selectFrom('pagopa_ecs')
    .selectAll('pagopa_ecs')
    .select([ecOrganisation.name.as('organisation_name'), ecOrganisation.taxCode.as('fiscal_code')]);
  if (filter.organisationId !== undefined) q = q.where('pagopa_ecs.organisation_id', '=', filter.organisationId);
  if (filter.env !== undefined) q = q.where('pagopa_ecs.environment', '=', filter.env);
  return q.orderBy('pagopa_ecs.environment').orderBy(ecOrganisation.name).execute();
}

export function listLinks(db: Kysely<Database>, filter: ListFilter) {
  let q = db
    .selectFrom('pagopa_ec_links')
    .selectAll('pagopa_ec_links')
    .select([
      linkStation.code.as('station_code'),
      linkStation.organisationId.as('station_organisation_id'),
      linkStationOwner.name.as('station_organisation_name'),
    ]);
  if (filter.organisationId !== undefined) q = q.where('pagopa_ec_links.organisation_id', '=', filter.organisationId);
  if (filter.env !== undefined) q = q.where('pagopa_ec_links.environment', '=', filter.env);
  return q
    .orderBy('pagopa_ec_links.environment')
    .orderBy('pagopa_ec_links.organisation_id')
    .orderBy('pagopa_ec_links.aux_digit')
    .orderBy(sql`coalesce(pagopa_ec_links.segregation_code, pagopa_ec_links.application_code, '')`)
    .execute();
}

export type LinkListRow = Awaited<ReturnType<typeof listLinks>>[number];
