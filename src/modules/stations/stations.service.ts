import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { fail, ok, VarcoError, type Result } from '../../kernel/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { enqueueEmail, enqueueEmailToAdmins } from '../delivery/index.ts';
import { isStationCode, reviewTransition, validateEndpoint, type EndpointInput, type EndpointProblem, type Environment, type ValidEndpoint } from './station.policy.ts';
import * as repo from './stations.repository.ts';

// Stations: registration and edits by referents, review by administrators. Every change is a new
// version; the approved version keeps serving until another one is approved.

export interface StationActor {
  type: 'admin' | 'referent' | 'cli';
  id: string | null;
  ip: string | null;
  /** Set for referents: they act only on their organisation's stations. */
  organisationId?: string | null;
}

export interface StationInput {
  code?: string;
  primary: EndpointInput;
  secondary?: EndpointInput | undefined;
}

export type StationProblem = EndpointProblem | 'code_invalid' | 'code_taken' | 'not_found' | 'invalid_state_transition' | 'note_required';

export const STATION_PROBLEM_TEXT: Record<Exclude<StationProblem, EndpointProblem>, string> = {
  code_invalid: 'The station code must be 2–40 letters, digits, dashes or underscores.',
  code_taken: 'A station with this code already exists in this environment.',
  not_found: 'No such station.',
  invalid_state_transition: 'This version is not waiting for a review.',
  note_required: 'Say what must be changed.',
};

export interface StationsOptions {
  db: Kysely<Database>;
  clock: Clock;
  publicUrl: string;
}

interface Validated { primary: ValidEndpoint; secondary: ValidEndpoint | undefined }

function validate(input: StationInput, env: Environment, allowPrivateIp: boolean): Result<Validated, EndpointProblem> & { problems?: EndpointProblem[] } {
  const primary = validateEndpoint(input.primary, env, allowPrivateIp);
  const hasSecondary = input.secondary !== undefined && [input.secondary.url, input.secondary.ip, String(input.secondary.port)].some((v) => v.trim() !== '');
  const secondary = hasSecondary && input.secondary ? validateEndpoint(input.secondary, env, allowPrivateIp) : undefined;
  const problems = [...(primary.ok ? [] : primary.problems), ...(secondary && !secondary.ok ? secondary.problems : [])];
  if (!primary.ok || (secondary && !secondary.ok)) return { ...fail(problems[0] ?? 'url_invalid'), problems };
  return ok({ primary: primary.value, secondary: secondary?.ok ? secondary.value : undefined });
}

export function createStationsService(options: StationsOptions) {
  const { db, clock, publicUrl } = options;

  async function notifyOrganisation(trx: Kysely<Database>, organisationId: string, template: 'station_changes_requested' | 'station_approved', params: Record<string, string>, stationId: string) {
    const organisation = await trx.selectFrom('organisations').select('name').where('id', '=', organisationId).executeTakeFirstOrThrow();
    for (const referent of await repo.referentEmails(trx, organisationId)) {
      await enqueueEmail(trx, { to: referent.email, locale: referent.locale, template, organisationId, subjectType: 'station', subjectId: stationId,
        params: { firstName: referent.firstName, organisationName: organisation.name, link: `${publicUrl}/portal/stations/${stationId}`, ...params } });
    }
  }

  async function insertVersion(trx: Kysely<Database>, stationId: string, v: Validated, actor: StationActor): Promise<string> {
    const last = await trx.selectFrom('station_versions').select((eb) => eb.fn.max('version').as('v')).where('station_id', '=', stationId).executeTakeFirst();
    // Only one version under review: a new edit replaces the one waiting.
    await trx.updateTable('station_versions').set({ state: 'superseded' }).where('station_id', '=', stationId).where('state', 'in', ['to_check', 'to_fix']).execute();
    const id = newId('ver');
    await trx.insertInto('station_versions').values({
      id, station_id: stationId, version: Number(last?.v ?? 0) + 1, state: 'to_check',
      primary_url: v.primary.url, primary_ip: v.primary.ip, primary_port: v.primary.port,
      secondary_url: v.secondary?.url ?? null, secondary_ip: v.secondary?.ip ?? null, secondary_port: v.secondary?.port ?? null,
      submitted_by: actor.type === 'cli' ? null : actor.id, submitted_at: clock.now(),
    }).execute();
    return id;
  }

  async function register(organisationId: string, env: Environment, input: StationInput, actor: StationActor): Promise<Result<{ id: string; versionId: string }, StationProblem> & { problems?: StationProblem[] }> {
    const code = (input.code ?? '').trim();
    if (!isStationCode(code)) return fail('code_invalid');
    const checked = validate(input, env, false);
    if (!checked.ok) return checked;
    if (await repo.findStationByCode(db, env, code)) return fail('code_taken');
    const id = newId('sta');
    try {
      const versionId = await db.transaction().execute(async (trx) => {
        await trx.insertInto('stations').values({ id, organisation_id: organisationId, environment: env, code, created_at: clock.now() }).execute();
        const versionId = await insertVersion(trx, id, checked.value, actor);
        const organisation = await trx.selectFrom('organisations').select('name').where('id', '=', organisationId).executeTakeFirstOrThrow();
        await enqueueEmailToAdmins(trx, { template: 'station_submitted', organisationId, subjectType: 'station', subjectId: id,
          params: { organisationName: organisation.name, stationCode: code, environment: env, link: `${publicUrl}/admin/stations/${id}` } });
        await appendAudit(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, action: 'station.registered', subjectType: 'station', subjectId: id,
          organisationId, details: { code, environment: env, primaryUrl: checked.value.primary.url } }, clock);
        return versionId;
      });
      return ok({ id, versionId });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return fail('code_taken');
      throw error;
    }
  }

  async function edit(stationId: string, input: StationInput, actor: StationActor): Promise<Result<{ versionId: string }, StationProblem> & { problems?: StationProblem[] }> {
    const station = await repo.findStation(db, stationId, actor.organisationId ?? undefined);
    if (!station) return fail('not_found');
    const checked = validate(input, station.environment, station.allow_private_ip);
    if (!checked.ok) return checked;
    const versionId = await db.transaction().execute(async (trx) => {
      const versionId = await insertVersion(trx, stationId, checked.value, actor);
      const organisation = await trx.selectFrom('organisations').select('name').where('id', '=', station.organisation_id).executeTakeFirstOrThrow();
      await enqueueEmailToAdmins(trx, { template: 'station_submitted', organisationId: station.organisation_id, subjectType: 'station', subjectId: stationId,
        params: { organisationName: organisation.name, stationCode: station.code, environment: station.environment, link: `${publicUrl}/admin/stations/${stationId}` } });
      await appendAudit(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, action: 'station.edited', subjectType: 'station', subjectId: stationId,
        organisationId: station.organisation_id, details: { versionId, primaryUrl: checked.value.primary.url } }, clock);
      return versionId;
    });
    return ok({ versionId });
  }

  async function review(versionId: string, action: 'approve' | 'request_changes', note: string, actor: StationActor): Promise<Result<{ stationId: string }, StationProblem>> {
    if (action === 'request_changes' && note.trim() === '') return fail('note_required');
    return db.transaction().execute(async (trx) => {
      const version = await repo.findVersion(trx, versionId);
      if (!version) return fail('not_found' as const);
      const next = reviewTransition(version.state, action);
      if (!next) return fail('invalid_state_transition' as const);
      const updated = await trx.updateTable('station_versions').set({ state: next, review_note: note.trim() || null, reviewed_by: actor.type === 'admin' ? actor.id : null, reviewed_at: clock.now() })
        .where('id', '=', versionId).where('state', '=', version.state).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return fail('invalid_state_transition' as const);
      if (next === 'approved') {
        if (version.approved_version_id) await trx.updateTable('station_versions').set({ state: 'superseded' }).where('id', '=', version.approved_version_id).execute();
        // A new approved endpoint has not been verified yet.
        await trx.updateTable('stations').set({ approved_version_id: versionId, connection_state: 'unverified', outbound_verified_at: null }).where('id', '=', version.station_id).execute();
      }
      await notifyOrganisation(trx, version.organisation_id, next === 'approved' ? 'station_approved' : 'station_changes_requested',
        { stationCode: version.code, environment: version.environment, note: note.trim() }, version.station_id);
      await appendAudit(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, action: next === 'approved' ? 'station.approved' : 'station.changes_requested',
        subjectType: 'station', subjectId: version.station_id, organisationId: version.organisation_id, details: { versionId, note: note.trim() } }, clock);
      return ok({ stationId: version.station_id });
    });
  }

  async function configure(stationId: string, settings: { connectTimeoutMs?: number; responseTimeoutMs?: number; allowPrivateIp?: boolean }, actor: StationActor): Promise<void> {
    const station = await repo.findStation(db, stationId);
    if (!station) throw new VarcoError('not_found', 'No such station.');
    const values = {
      connect_timeout_ms: settings.connectTimeoutMs ?? station.connect_timeout_ms,
      response_timeout_ms: settings.responseTimeoutMs ?? station.response_timeout_ms,
      allow_private_ip: settings.allowPrivateIp ?? station.allow_private_ip,
    };
    if (values.connect_timeout_ms < 100 || values.connect_timeout_ms > 60000 || values.response_timeout_ms < 100 || values.response_timeout_ms > 120000) {
      throw new VarcoError('validation_failed', 'Timeouts must be 100–60000 ms (connect) and 100–120000 ms (response).');
    }
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('stations').set(values).where('id', '=', stationId).execute();
      await appendAudit(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, action: 'station.configured', subjectType: 'station', subjectId: stationId,
        organisationId: station.organisation_id, details: { connectTimeoutMs: values.connect_timeout_ms, responseTimeoutMs: values.response_timeout_ms, allowPrivateIp: values.allow_private_ip } }, clock);
    });
  }

  async function detail(stationId: string, organisationId?: string) {
    const station = await repo.findStation(db, stationId, organisationId);
    if (!station) return undefined;
    const [versions, checks] = await Promise.all([repo.listVersions(db, stationId), repo.listChecks(db, stationId)]);
    return { station, versions, checks, approved: versions.find((v) => v.id === station.approved_version_id), pending: versions.find((v) => v.state === 'to_check' || v.state === 'to_fix') };
  }

  return {
    register, edit, review, configure, detail,
    list: (filter: { organisationId?: string; pendingOnly?: boolean } = {}) => repo.listStations(db, filter),
    byCode: (env: Environment, code: string) => repo.findStationByCode(db, env, code),
  };
}

export type StationsService = ReturnType<typeof createStationsService>;
