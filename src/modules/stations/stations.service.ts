import type { Kysely } from 'kysely';
import { changeInTransaction, type Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { fail, ok, VarcoError, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { enqueueEmailToAdmins } from '../delivery/index.ts';
import type { DestinationPolicy } from '../outbound/index.ts';
import {
  isStationCode,
  reviewTransition,
  validateEndpoint,
  type EndpointInput,
  type EndpointProblem,
  type Environment,
  type ValidEndpoint,
} from './station.policy.ts';
import { hostsTakenElsewhere, lockHosts } from './station-hosts.ts';
import type { StationMemo } from './station.memo.ts';
import { mailReferents, organisationName } from './stations.mail.ts';
import * as repo from './stations.repository.ts';

// Stations: registration and edits by referents, review by administrators. Every change is a new
// version; the approved version keeps serving until another one is approved. Addresses must be
// allowed destinations in every environment, and a host belongs to one organisation per environment
// unless an administrator allows sharing it (station-hosts.ts).

export interface StationActor {
  type: 'admin' | 'referent' | 'cli' | 'system';
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

export type StationProblem =
  EndpointProblem | 'code_invalid' | 'code_taken' | 'host_taken' | 'not_found' | 'invalid_state_transition' | 'note_required' | 'nothing_to_review';

/** Which part of the form a problem is about, so a page can show it beside the field. */
export interface FieldProblem {
  field: 'code' | 'primary' | 'secondary' | 'station';
  problem: StationProblem;
}

export type SaveOutcome<T> = { ok: true; value: T } | { ok: false; reason: StationProblem; problems: FieldProblem[] };

export const STATION_PROBLEM_TEXT: Record<Exclude<StationProblem, EndpointProblem>, string> = {
  code_invalid: 'The station code must be 2–40 letters, digits, dashes or underscores, starting with a letter or digit.',
  code_taken: 'A station with this code already exists in this environment.',
  host_taken:
    'Another organisation has registered a station at this host in this environment. Two organisations may share a host only when a Varco administrator allows it.',
  not_found: 'No such station.',
  invalid_state_transition: 'This version is no longer waiting for a review: the station was changed or reviewed since. Check the version waiting now.',
  note_required: 'Say what must be changed.',
  nothing_to_review: 'No version of this station is waiting for a review.',
};

export interface StationsOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  /** Registered addresses must be allowed destinations (VARCO_OUTBOUND_ALLOW_CIDRS aside, public ones). */
  destinations: DestinationPolicy;
  /** The station caller's memory (station.memo.ts): forgotten after each change here, without waiting for the notification. */
  memo?: Pick<StationMemo, 'changed'>;
}

interface Validated {
  primary: ValidEndpoint;
  secondary: ValidEndpoint | undefined;
}

/** A save either refused inside its transaction (hosts taken) or done. */
type Saved = { conflicts: FieldProblem[] } | { versionId: string };

const refused = <T>(problems: FieldProblem[]): SaveOutcome<T> => ({ ok: false, reason: problems[0]?.problem ?? 'url_invalid', problems });

function isBlank(input: EndpointInput | undefined): boolean {
  return input === undefined || [input.url, input.ip, String(input.port)].every((v) => v.trim() === '');
}

function validate(input: StationInput, env: Environment, destinations: DestinationPolicy): { value?: Validated; problems: FieldProblem[] } {
  const primary = validateEndpoint(input.primary, env, destinations);
  const secondary = isBlank(input.secondary) || input.secondary === undefined ? undefined : validateEndpoint(input.secondary, env, destinations);
  const problems: FieldProblem[] = [
    ...(primary.ok ? [] : primary.problems.map((problem) => ({ field: 'primary' as const, problem }))),
    ...(secondary === undefined || secondary.ok ? [] : secondary.problems.map((problem) => ({ field: 'secondary' as const, problem }))),
  ];
  if (!primary.ok || (secondary !== undefined && !secondary.ok)) return { problems };
  return { value: { primary: primary.value, secondary: secondary?.value }, problems };
}

/** Administrators (and operators at the CLI) may let organisations share a host; referents never. */
const mayAllowSharedHost = (actor: StationActor): boolean => actor.type === 'admin' || actor.type === 'cli';

/** `host_taken` beside each endpoint whose host another organisation holds; locks the hosts until the transaction ends. */
async function hostProblems(
  trx: Kysely<Database>,
  input: { env: Environment; organisationId: string; endpoints: Validated; sharedAllowed: boolean },
): Promise<FieldProblem[]> {
  const { primary, secondary } = input.endpoints;
  const hosts = [primary.fqdn, ...(secondary ? [secondary.fqdn] : [])];
  await lockHosts(trx, input.env, hosts);
  if (input.sharedAllowed) return [];
  const taken = await hostsTakenElsewhere(trx, { env: input.env, organisationId: input.organisationId, hosts });
  return [
    ...(taken.includes(primary.fqdn) ? [{ field: 'primary' as const, problem: 'host_taken' as const }] : []),
    ...(secondary && taken.includes(secondary.fqdn) ? [{ field: 'secondary' as const, problem: 'host_taken' as const }] : []),
  ];
}

/**
 * Holds the station's row until the transaction ends: edits and reviews of one station run one after
 * the other. FOR NO KEY UPDATE: it serialises them as FOR UPDATE would, without holding up the rows
 * that merely reference the station (its checks).
 */
async function lockStation(trx: Kysely<Database>, stationId: string): Promise<void> {
  await trx.selectFrom('stations').select('id').where('id', '=', stationId).forNoKeyUpdate().execute();
}

export function createStationsService(options: StationsOptions) {
  const { db, clock, publicUrl, audit, destinations } = options;
  /** A transaction that may change what a station call reads: this instance forgets its memory when it ends. */
  const changing = <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> => changeInTransaction(db, () => options.memo?.changed(), work);

  async function insertVersion(trx: Kysely<Database>, stationId: string, v: Validated, actor: StationActor): Promise<string> {
    const last = await trx
      .selectFrom('station_versions')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('station_id', '=', stationId)
      .executeTakeFirst();
    // Only one version under review: a new edit replaces the one waiting.
    await trx
      .updateTable('station_versions')
      .set({ state: 'superseded' })
      .where('station_id', '=', stationId)
      .where('state', 'in', ['to_check', 'to_fix'])
      .execute();
    const id = newId('ver');
    await trx
      .insertInto('station_versions')
      .values({
        id,
        station_id: stationId,
        version: Number(last?.v ?? 0) + 1,
        state: 'to_check',
        primary_url: v.primary.url,
        primary_host: v.primary.fqdn,
        primary_ip: v.primary.ip,
        primary_port: v.primary.port,
        secondary_url: v.secondary?.url ?? null,
        secondary_host: v.secondary?.fqdn ?? null,
        secondary_ip: v.secondary?.ip ?? null,
        secondary_port: v.secondary?.port ?? null,
        submitted_by: actor.type === 'admin' || actor.type === 'referent' ? actor.id : null,
        submitted_at: clock.now(),
      })
      .execute();
    return id;
  }

  async function tellAdmins(trx: Kysely<Database>, station: { id: string; organisation_id: string; code: string; environment: Environment }): Promise<void> {
    await enqueueEmailToAdmins(trx, {
      template: 'station_submitted',
      organisationId: station.organisation_id,
      subjectType: 'station',
      subjectId: station.id,
      params: {
        organisationName: await organisationName(trx, station.organisation_id),
        stationCode: station.code,
        environment: station.environment,
        link: `${publicUrl}/admin/stations/${station.id}`,
      },
    });
  }

  /**
   * A new station with its first version, waiting for review. `allowSharedHost` (administrators and
   * the CLI only) lets its hosts be shared with other organisations' stations.
   */
  async function register(
    organisationId: string,
    env: Environment,
    input: StationInput,
    actor: StationActor,
    settings: { allowSharedHost?: boolean } = {},
  ): Promise<SaveOutcome<{ id: string; versionId: string }>> {
    if (actor.type === 'referent' && actor.organisationId !== organisationId)
      throw new VarcoError('forbidden', 'Referents register stations of their own organisation only.');
    const code = (input.code ?? '').trim();
    const sharedAllowed = settings.allowSharedHost === true && mayAllowSharedHost(actor);
    const checked = validate(input, env, destinations);
    const problems: FieldProblem[] = [...(isStationCode(code) ? [] : [{ field: 'code' as const, problem: 'code_invalid' as const }]), ...checked.problems];
    if (problems.length > 0 || checked.value === undefined) return refused(problems);
    const endpoints = checked.value;
    if (await repo.findStationByCode(db, env, code)) return refused([{ field: 'code', problem: 'code_taken' }]);
    const id = newId('sta');
    try {
      const saved: Saved = await changing(async (trx): Promise<Saved> => {
        const conflicts = await hostProblems(trx, { env, organisationId, endpoints, sharedAllowed });
        if (conflicts.length > 0) return { conflicts };
        await trx
          .insertInto('stations')
          .values({ id, organisation_id: organisationId, environment: env, code, shared_host_allowed: sharedAllowed, created_at: clock.now() })
          .execute();
        const versionId = await insertVersion(trx, id, endpoints, actor);
        await tellAdmins(trx, { id, organisation_id: organisationId, code, environment: env });
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action: 'station.registered',
          subjectType: 'station',
          subjectId: id,
          organisationId,
          details: {
            code,
            environment: env,
            versionId,
            primaryUrl: endpoints.primary.url,
            secondaryUrl: endpoints.secondary?.url ?? null,
            ...(sharedAllowed ? { sharedHostAllowed: true } : {}),
          },
        });
        return { versionId };
      });
      if ('conflicts' in saved) return refused(saved.conflicts);
      return ok({ id, versionId: saved.versionId });
    } catch (error) {
      // Two registrations of the same code at once: the unique index decides.
      if ((error as { code?: string }).code === '23505') return refused([{ field: 'code', problem: 'code_taken' }]);
      throw error;
    }
  }

  /** A new version of the endpoints; the approved one keeps serving until this one is approved. */
  async function edit(stationId: string, input: StationInput, actor: StationActor): Promise<SaveOutcome<{ versionId: string }>> {
    const station = await repo.findStation(db, stationId, scopeOf(actor));
    if (!station) return refused([{ field: 'station', problem: 'not_found' }]);
    const checked = validate(input, station.environment, destinations);
    if (checked.value === undefined) return refused(checked.problems);
    const endpoints = checked.value;
    const saved: Saved = await changing(async (trx): Promise<Saved> => {
      // Edits of one station (two referents, two tabs) one after the other: each reads the versions the
      // previous one left, so it supersedes the waiting one and numbers its own after it. The host locks
      // alone do not serialise them (different hosts); the row lock does, before them, as in `review`.
      await lockStation(trx, stationId);
      const conflicts = await hostProblems(trx, {
        env: station.environment,
        organisationId: station.organisation_id,
        endpoints,
        sharedAllowed: station.shared_host_allowed,
      });
      if (conflicts.length > 0) return { conflicts };
      const versionId = await insertVersion(trx, stationId, endpoints, actor);
      await tellAdmins(trx, station);
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'station.edited',
        subjectType: 'station',
        subjectId: stationId,
        organisationId: station.organisation_id,
        details: { versionId, primaryUrl: endpoints.primary.url, secondaryUrl: endpoints.secondary?.url ?? null },
      });
      return { versionId };
    });
    return 'conflicts' in saved ? refused(saved.conflicts) : ok({ versionId: saved.versionId });
  }

  /** An administrator's decision that this station may share its hosts with other organisations' stations (audited). */
  async function allowSharedHost(stationId: string, allowed: boolean, actor: StationActor): Promise<boolean> {
    if (!mayAllowSharedHost(actor)) throw new VarcoError('forbidden', 'Only administrators decide whether organisations may share a host.');
    return db.transaction().execute(async (trx) => {
      const station = await trx
        .selectFrom('stations')
        .select(['organisation_id', 'shared_host_allowed'])
        .where('id', '=', stationId)
        .forUpdate()
        .executeTakeFirst();
      if (!station) return false;
      if (station.shared_host_allowed === allowed) return true;
      await trx.updateTable('stations').set({ shared_host_allowed: allowed }).where('id', '=', stationId).execute();
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: allowed ? 'station.shared_host_allowed' : 'station.shared_host_revoked',
        subjectType: 'station',
        subjectId: stationId,
        organisationId: station.organisation_id,
        details: {},
      });
      return true;
    });
  }

  /**
   * Reviews one version of a station: the one the administrator saw (the back office form carries it,
   * a four-eyes proposal stores it). Refused (`invalid_state_transition`) once it no longer waits for a
   * check — an edit superseded it, or another review came first — so nobody approves a version unseen.
   */
  async function review(
    stationId: string,
    versionId: string,
    action: 'approve' | 'request_changes',
    note: string,
    actor: StationActor,
  ): Promise<Result<{ stationId: string }, StationProblem>> {
    const text = note.trim().slice(0, 2000);
    if (action === 'request_changes' && text === '') return fail('note_required');
    return changing(async (trx) => {
      // The station first, then its versions, as an edit does: the two never wait on each other crosswise.
      await lockStation(trx, stationId);
      const version = await repo.findVersion(trx, versionId);
      if (version?.station_id !== stationId) return fail('not_found' as const);
      const next = reviewTransition(version.state, action);
      if (!next) return fail('invalid_state_transition' as const);
      const updated = await trx
        .updateTable('station_versions')
        .set({ state: next, review_note: text || null, reviewed_by: actor.type === 'admin' ? actor.id : null, reviewed_at: clock.now() })
        .where('id', '=', versionId)
        .where('state', '=', version.state)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return fail('invalid_state_transition' as const);
      if (next === 'approved') {
        if (version.approved_version_id)
          await trx.updateTable('station_versions').set({ state: 'superseded' }).where('id', '=', version.approved_version_id).execute();
        // A new approved endpoint has not been verified yet.
        await trx
          .updateTable('stations')
          .set({ approved_version_id: versionId, connection_state: 'unverified', outbound_verified_at: null, flagged_at: null })
          .where('id', '=', version.station_id)
          .execute();
      }
      await mailReferents(trx, {
        template: next === 'approved' ? 'station_approved' : 'station_changes_requested',
        organisationId: version.organisation_id,
        subjectType: 'station',
        subjectId: version.station_id,
        params: { stationCode: version.code, environment: version.environment, note: text, link: `${publicUrl}/portal/stations/${version.station_id}` },
      });
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: next === 'approved' ? 'station.approved' : 'station.changes_requested',
        subjectType: 'station',
        subjectId: version.station_id,
        organisationId: version.organisation_id,
        details: { versionId, note: text },
      });
      return ok({ stationId: version.station_id });
    });
  }

  /** Reviews the version of a station that waits for a check now (the CLI and tests; the back office names the version). */
  async function reviewStation(
    stationId: string,
    action: 'approve' | 'request_changes',
    note: string,
    actor: StationActor,
  ): Promise<Result<{ stationId: string }, StationProblem>> {
    const pending = await repo.findPendingVersion(db, stationId);
    if (!pending) return (await repo.findStation(db, stationId)) ? fail('nothing_to_review') : fail('not_found');
    return review(stationId, pending.id, action, note, actor);
  }

  async function configure(stationId: string, settings: { connectTimeoutMs?: number; responseTimeoutMs?: number }, actor: StationActor): Promise<void> {
    const station = await repo.findStation(db, stationId);
    if (!station) throw new VarcoError('not_found', 'No such station.');
    const values = {
      connect_timeout_ms: settings.connectTimeoutMs ?? station.connect_timeout_ms,
      response_timeout_ms: settings.responseTimeoutMs ?? station.response_timeout_ms,
    };
    const whole = Number.isInteger(values.connect_timeout_ms) && Number.isInteger(values.response_timeout_ms);
    if (
      !whole ||
      values.connect_timeout_ms < 100 ||
      values.connect_timeout_ms > 60000 ||
      values.response_timeout_ms < 100 ||
      values.response_timeout_ms > 120000
    ) {
      throw new VarcoError('validation_failed', 'Timeouts must be whole milliseconds: 100–60000 (connect) and 100–120000 (response).');
    }
    await changing(async (trx) => {
      await trx.updateTable('stations').set(values).where('id', '=', stationId).execute();
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'station.configured',
        subjectType: 'station',
        subjectId: stationId,
        organisationId: station.organisation_id,
        details: { connectTimeoutMs: values.connect_timeout_ms, responseTimeoutMs: values.response_timeout_ms },
      });
    });
  }

  /** A station with its versions and checks; undefined when missing or (with organisationId) another organisation's. */
  async function detail(stationId: string, organisationId?: string) {
    const station = await repo.findStation(db, stationId, organisationId);
    if (!station) return undefined;
    const [versions, checks, name] = await Promise.all([
      repo.listVersions(db, stationId),
      repo.listChecks(db, stationId),
      organisationName(db, station.organisation_id),
    ]);
    return {
      station,
      organisationName: name,
      versions,
      checks,
      approved: versions.find((v) => v.id === station.approved_version_id),
      pending: versions.find((v) => v.state === 'to_check' || v.state === 'to_fix'),
    };
  }

  /** Stations with their organisation's name (the back office lists every organisation's). */
  async function list(filter: repo.ListFilter = {}) {
    const rows = await repo.listStations(db, filter);
    const names = new Map<string, string>();
    for (const id of new Set(rows.map((r) => r.organisation_id))) names.set(id, await organisationName(db, id));
    return rows.map((row) => ({ ...row, organisation_name: names.get(row.organisation_id) ?? row.organisation_id }));
  }

  return {
    register,
    edit,
    review,
    reviewStation,
    configure,
    allowSharedHost,
    detail,
    list,
    byCode: (env: Environment, code: string) => repo.findStationByCode(db, env, code),
  };
}

function scopeOf(actor: StationActor): string | undefined {
  if (actor.type !== 'referent') return undefined;
  // A referent without an organisation sees nothing: scope to an id no station has.
  return actor.organisationId ?? '';
}

export type StationsService = ReturnType<typeof createStationsService>;
export type StationDetail = NonNullable<Awaited<ReturnType<StationsService['detail']>>>;
