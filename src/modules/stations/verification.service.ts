import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { AuditLog } from '../audit/index.ts';
import { verifyEndpoint, type ClientIdentity, type DestinationPolicy, type Endpoint, type Resolve } from '../outbound/index.ts';
import type { Environment } from './station.policy.ts';
import { mailReferents } from './stations.mail.ts';
import * as repo from './stations.repository.ts';
import type { TrustService } from './trust.service.ts';
import { connectionVerdict, portalVerifyVerdict, type ConnectionState } from './verification.policy.ts';
import { failedSteps, serverCertificateOf, type CheckResult, type CheckTrigger, type EndpointCheck } from './verification.types.ts';

// Two-way reachability verification of a station's approved endpoints (issue 4): outbound, every
// step of Varco's own connection to the primary and the secondary (outbound module); inbound, the
// organisation's last successful `GET /api/v1/ping` in that environment (subscriptions module,
// passed in as a function). Each check is kept as history; the station is "verified" only when
// both directions succeeded — every step, including the proof that the station refuses a request
// without Varco's client certificate — and a verified station that starts failing is flagged and
// its organisation e-mailed once. Referents verify only approved versions, a few times a minute.

export interface VerificationOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  /** The platform client certificate of the environment, presented on the connection. */
  identity: (env: Environment) => Promise<ClientIdentity>;
  /** Roots per organisation: another organisation's CA never vouches for this station. */
  trust: Pick<TrustService, 'rootsFor'>;
  /** The registered addresses are judged again before every connection. */
  destinations: DestinationPolicy;
  /** When the organisation last called `GET /api/v1/ping` with a key of an active subscription in `env`; null if never. */
  inboundVerifiedAt: (organisationId: string, env: Environment) => Promise<Date | null>;
  /** Name resolution for the advisory DNS step; default: the system resolver. */
  resolve?: Resolve;
}

export interface VerifyScope {
  /** Referents: only their organisation's stations (another's answers not_found). */
  organisationId?: string;
  /** Who pressed Verify, for the audit row of a state change. */
  actorId?: string | null;
  ip?: string | null;
}

export interface CheckOutcome {
  checkId: string;
  ok: boolean;
  state: ConnectionState;
  result: CheckResult;
}

export type VerifyOutcome = Result<CheckOutcome, 'not_found' | 'not_approved'> | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

const ACTOR_OF: Record<CheckTrigger, 'referent' | 'admin' | 'cli' | 'system'> = { portal: 'referent', admin: 'admin', cli: 'cli', schedule: 'system' };

export function createVerificationService(options: VerificationOptions) {
  const { db, clock, publicUrl, audit } = options;

  async function runChecks(
    env: Environment,
    organisationId: string,
    endpoints: Array<{ role: 'primary' | 'secondary'; endpoint: Endpoint }>,
  ): Promise<EndpointCheck[]> {
    const [identity, roots] = await Promise.all([options.identity(env), options.trust.rootsFor(env, organisationId)]);
    return Promise.all(
      endpoints.map(async ({ role, endpoint }) => {
        const report = await verifyEndpoint(env, endpoint, {
          identity,
          trust: { roots },
          destinations: options.destinations,
          clock,
          ...(options.resolve ? { resolve: options.resolve } : {}),
        });
        const certificate = serverCertificateOf(report);
        return {
          role,
          url: endpoint.url,
          ip: report.ip,
          port: endpoint.port,
          ok: report.ok,
          steps: report.steps,
          ...(certificate ? { serverCertificate: certificate } : {}),
        };
      }),
    );
  }

  /**
   * A portal verification takes one of the station's few slots per minute, claimed with one guarded
   * UPDATE (compare-and-set on the list of recent starts), so the limit holds across instances.
   */
  async function claimPortalSlot(stationId: string): Promise<{ ok: true } | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await db.selectFrom('stations').select('portal_verifications').where('id', '=', stationId).executeTakeFirstOrThrow();
      const verdict = portalVerifyVerdict(row.portal_verifications, clock.now());
      if (!verdict.allowed) return { ok: false, reason: 'rate_limited', retryAfterSeconds: verdict.retryAfterSeconds };
      const claimed = await db
        .updateTable('stations')
        .set({ portal_verifications: verdict.times })
        // One parameter, not a list: the stored array must still be exactly what was read.
        .where('id', '=', stationId)
        .where(sql<boolean>`portal_verifications = ${row.portal_verifications}::timestamptz[]`)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) return { ok: true };
    }
    // Five lost races in a row: the station is being verified from several places right now.
    return { ok: false, reason: 'rate_limited', retryAfterSeconds: 1 };
  }

  /**
   * Verifies the approved version of a station (or, with which = 'pending' and never from the
   * portal, the version waiting for review, so an administrator can check it before approving),
   * stores the check, and applies the verdict — only an approved version's check changes the
   * station's connection state.
   */
  async function verify(stationId: string, trigger: CheckTrigger, scope: VerifyScope = {}, which: 'approved' | 'pending' = 'approved'): Promise<VerifyOutcome> {
    const station = await repo.findStation(db, stationId, scope.organisationId);
    if (!station) return fail('not_found');
    // Referents reach only reviewed addresses: an unreviewed one could be anybody's server.
    if (trigger === 'portal' && which === 'pending') return fail('not_approved');
    const versions = await repo.listVersions(db, stationId);
    const version =
      which === 'pending'
        ? versions.find((v) => v.state === 'to_check' || v.state === 'to_fix')
        : station.approved_version_id
          ? versions.find((v) => v.id === station.approved_version_id)
          : undefined;
    if (!version) return fail('not_approved');
    if (trigger === 'portal') {
      const slot = await claimPortalSlot(stationId);
      if (!slot.ok) return slot;
    }
    const timeouts = { connectTimeoutMs: station.connect_timeout_ms, responseTimeoutMs: station.response_timeout_ms };
    const endpoints: Array<{ role: 'primary' | 'secondary'; endpoint: Endpoint }> = [
      { role: 'primary', endpoint: { url: version.primary_url, ip: version.primary_ip, port: version.primary_port, ...timeouts } },
    ];
    if (version.secondary_url !== null && version.secondary_ip !== null && version.secondary_port !== null) {
      endpoints.push({ role: 'secondary', endpoint: { url: version.secondary_url, ip: version.secondary_ip, port: version.secondary_port, ...timeouts } });
    }
    const startedAt = clock.now();
    const started = performance.now();
    const [checked, lastPing] = await Promise.all([
      runChecks(station.environment, station.organisation_id, endpoints),
      options.inboundVerifiedAt(station.organisation_id, station.environment),
    ]);
    const outboundOk = checked.every((endpoint) => endpoint.ok);
    const result: CheckResult = {
      version: 1,
      environment: station.environment,
      ok: outboundOk && lastPing !== null,
      outbound: { ok: outboundOk, endpoints: checked },
      inbound: { ok: lastPing !== null, lastPingAt: lastPing?.toISOString() ?? null },
    };
    const checkId = newId('chk');
    const state = await db.transaction().execute(async (trx) => {
      await repo.insertCheck(trx, {
        id: checkId,
        stationId,
        versionId: version.id,
        trigger,
        ok: result.ok,
        result,
        startedAt,
        durationMs: Math.round(performance.now() - started),
      });
      return applyVerdict(trx, { stationId, versionId: version.id, outboundOk, result, trigger, scope });
    });
    return ok({ checkId, ok: result.ok, state, result });
  }

  interface Apply {
    stationId: string;
    versionId: string;
    outboundOk: boolean;
    result: CheckResult;
    trigger: CheckTrigger;
    scope: VerifyScope;
  }

  /** One guarded update under a row lock, so concurrent checks (portal and schedule) flag at most once. */
  async function applyVerdict(trx: Kysely<Database>, input: Apply): Promise<ConnectionState> {
    const now = clock.now();
    const current = await trx
      .selectFrom('stations')
      .select(['connection_state', 'flagged_at', 'approved_version_id', 'organisation_id', 'code', 'environment'])
      .where('id', '=', input.stationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // A newer version was approved while this one was being checked: its state is not ours to set.
    if (current.approved_version_id !== input.versionId) return current.connection_state;
    const verdict = connectionVerdict(current.connection_state, input.outboundOk, input.result.inbound.ok, current.flagged_at !== null);
    await trx
      .updateTable('stations')
      .set({
        connection_state: verdict.state,
        last_check_at: now,
        ...(input.outboundOk ? { outbound_verified_at: now } : {}),
        ...(verdict.flag ? { flagged_at: now } : verdict.unflag ? { flagged_at: null } : {}),
      })
      .where('id', '=', input.stationId)
      .execute();
    if (verdict.state !== current.connection_state || verdict.flag) {
      await audit.append(trx, {
        actorType: ACTOR_OF[input.trigger],
        actorId: input.scope.actorId ?? null,
        ip: input.scope.ip ?? null,
        action: verdict.flag ? 'station.flagged' : `station.connection_${verdict.state}`,
        subjectType: 'station',
        subjectId: input.stationId,
        organisationId: current.organisation_id,
        details: { from: current.connection_state, to: verdict.state, trigger: input.trigger },
      });
    }
    if (verdict.flag) {
      await mailReferents(trx, {
        template: 'station_unreachable',
        organisationId: current.organisation_id,
        subjectType: 'station',
        subjectId: input.stationId,
        params: {
          stationCode: current.code,
          environment: current.environment,
          failedSteps: failedSteps(input.result),
          checkedAt: now.toISOString(),
          link: `${publicUrl}/portal/stations/${input.stationId}`,
        },
      });
    }
    return verdict.state;
  }

  /** The inbound direction alone, for pages that show it before any check ran. */
  const inboundVerifiedAt = (organisationId: string, env: Environment): Promise<Date | null> => options.inboundVerifiedAt(organisationId, env);

  return { verify, inboundVerifiedAt };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
