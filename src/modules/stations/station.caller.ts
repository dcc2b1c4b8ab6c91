import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { fail, ok, VarcoError, type Result } from '../../kernel/errors.ts';
import {
  type ClientIdentity,
  type OutboundClient,
  type OutboundClientOptions,
  type DestinationPolicy,
  type Endpoint,
  type EndpointHealth,
  type EndpointSet,
  type OutboundLogger,
  type OutboundRequest,
  type OutboundResult,
} from '../outbound/index.ts';
import type { Environment } from './station.policy.ts';
import type { StationMemo } from './station.memo.ts';
import * as repo from './stations.repository.ts';
import { createTrustCache, type TrustService } from './trust.service.ts';

// The one path on which Varco presents its client certificate (issue 10, item 1): a call on behalf
// of an organisation, to one of THAT organisation's stations in the call's environment, at the
// endpoints of its APPROVED version — the addresses an administrator reviewed — with primary →
// secondary failover, and roots that are the Mozilla store, the CAs trusted for everyone and that
// organisation's own CAs. Anything else (another organisation's station, nothing approved yet) is
// refused before a connection is opened. Issue 11 calls EC stations through `send`.

export interface StationCallTarget {
  /** The organisation the call is made for; the station must be one of its own. */
  organisationId: string;
  env: Environment;
  stationId: string;
  /** This call's timeouts (e.g. a primitive's), in ms; default: the station's configured ones. */
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
}

export type StationCallRefusal = 'not_found' | 'not_approved';

export interface StationCaller {
  /** The station's answer or a classified transport failure; a refusal when the station may not be called. */
  send(target: StationCallTarget, request: OutboundRequest): Promise<Result<OutboundResult, StationCallRefusal>>;
  /** Endpoints currently marked down (primary failed over), with their last failure. */
  health(): EndpointHealth[];
  close(): Promise<void>;
}

export interface StationCallerOptions {
  db: Kysely<Database>;
  /** The platform client certificate of an environment (platform.service.ts). */
  identity: (env: Environment) => Promise<ClientIdentity>;
  trust: Pick<TrustService, 'rootsFor'> & Partial<Pick<TrustService, 'changes'>>;
  destinations: DestinationPolicy;
  logger?: OutboundLogger;
  /** Makes the caller's one mutual-TLS client (createOutboundClient, called by the composition root: src/app/container.ts). */
  outboundClient: (options: OutboundClientOptions) => OutboundClient;
  /** Keeps each station's lookup until a station changes (station.memo.ts); without it every call reads the database. */
  memo?: StationMemo;
}

/** The identity files are re-read at most this often, so an activated client certificate is used within seconds. */
const IDENTITY_TTL_MS = 10_000;

function timeout(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 100 || value > max)
    throw new VarcoError('validation_failed', `A station call timeout must be whole milliseconds from 100 to ${max}.`);
  return value;
}

export function createStationCaller(options: StationCallerOptions): StationCaller {
  const roots = createTrustCache(options.trust);
  const identities = new Map<Environment, { identity: ClientIdentity; at: number }>();
  const client = options.outboundClient({
    mode: {
      kind: 'mutual',
      identity: (env) => {
        const loaded = identities.get(env);
        if (!loaded) throw new Error(`the client identity of ${env} is not loaded`);
        return loaded.identity;
      },
    },
    destinations: options.destinations,
    ...(options.logger ? { logger: options.logger } : {}),
  });

  async function loadIdentity(env: Environment): Promise<void> {
    const cached = identities.get(env);
    if (cached && Date.now() - cached.at < IDENTITY_TTL_MS) return;
    const identity = await options.identity(env);
    // Same content, same object: the client keys pools and TLS contexts on it.
    const same = cached && cached.identity.certChainPem === identity.certChainPem && cached.identity.keyPem === identity.keyPem;
    identities.set(env, { identity: same ? cached.identity : identity, at: Date.now() });
  }

  async function send(target: StationCallTarget, request: OutboundRequest): Promise<Result<OutboundResult, StationCallRefusal>> {
    const key = { stationId: target.stationId, organisationId: target.organisationId, env: target.env };
    const lookup = () => repo.stationForCall(options.db, key);
    // Keys as JSON: the ids come from callers and may hold any character.
    const found = await (options.memo ? options.memo.remember(JSON.stringify(['station', key.env, key.organisationId, key.stationId]), lookup) : lookup());
    if (!found) return fail('not_found');
    const { station, approved } = found;
    if (!approved) return fail('not_approved');
    const connectTimeoutMs = timeout(target.connectTimeoutMs, station.connect_timeout_ms, 60_000);
    const responseTimeoutMs = timeout(target.responseTimeoutMs, station.response_timeout_ms, 120_000);
    const at = (url: string, ip: string, port: number): Endpoint => ({ url, ip, port, connectTimeoutMs, responseTimeoutMs });
    const endpoints: EndpointSet = {
      // Per approved version and timeouts: a newly approved version, or a call with other timeouts, gets its own pools.
      key: `station:${station.id}:${approved.id}:${connectTimeoutMs}:${responseTimeoutMs}`,
      primary: at(approved.primary_url, approved.primary_ip, approved.primary_port),
      ...(approved.secondary_url !== null && approved.secondary_ip !== null && approved.secondary_port !== null
        ? { secondary: at(approved.secondary_url, approved.secondary_ip, approved.secondary_port) }
        : {}),
    };
    const [trust] = await Promise.all([roots(target.env, target.organisationId), loadIdentity(target.env)]);
    return ok(await client.send({ env: target.env, endpoints, trust }, request));
  }

  return { send, health: () => client.health(), close: () => client.close() };
}
