/**
 * The node's memory of the registry: what the directory reads on every SOAP request (the PSP, broker
 * and channel a request names, an EC by fiscal code, an EC's station links), kept per instance so a
 * payment flow does not ask PostgreSQL the same questions on every message (issue 15: about a quarter
 * of a flow's statements; docs/benchmarks.md, row 5).
 *
 * Kept correct by PostgreSQL, as the merchant configuration cache is (merchants/config.cache.ts):
 * every change to the registry's tables notifies `varco_pagopa_registry` at commit (migration 0030),
 * from any process — the portal, the back office, the CLI, another instance — and every instance drops
 * everything it kept. A disabled PSP, channel, EC or link, a new channel password, a removed link:
 * refused on every instance as soon as the notification arrives (milliseconds; the suite checks
 * within a second). While the LISTEN connection is down, or before it is up, nothing is kept (slower,
 * never stale) and the cache starts empty once it is back; a lookup that began before a change does not
 * keep what it read (epoch). The process that made a change drops its cache at once (`changed()`,
 * called after every registry transaction), without waiting for its own notification. A one-minute
 * age limit is a safety net only. The listener starts with the first lookup: a process that never
 * serves the node opens no connection for it.
 */
import type { Kysely } from 'kysely';
import { createNotifiedMemo, frozenAnswer, type Database } from '../../db/index.ts';
import * as repo from './registry.repository.ts';
import type { Environment } from './registry.types.ts';

export const REGISTRY_CHANNEL = 'varco_pagopa_registry';

export type EcRow = NonNullable<Awaited<ReturnType<typeof repo.findEcByFiscalCode>>>;
export interface PspKey {
  env: Environment;
  idPSP: string;
  idBrokerPSP: string;
  idChannel: string;
}

/** What the directory reads of the registry on every SOAP request. Answers are shared: read only. */
export interface DirectoryLookups {
  pspRows(key: PspKey): Promise<Readonly<repo.PspRowsRaw>>;
  ecByFiscalCode(env: Environment, fiscalCode: string): Promise<Readonly<EcRow> | undefined>;
  routeLinks(env: Environment, organisationId: string): Promise<ReadonlyArray<Readonly<repo.RouteLinkRow>>>;
}

/** The lookups straight from the database, one query each. */
export function databaseLookups(db: Kysely<Database>): DirectoryLookups {
  return {
    pspRows: (key) => repo.pspRows(db, key),
    ecByFiscalCode: (env, fiscalCode) => repo.findEcByFiscalCode(db, env, fiscalCode),
    routeLinks: (env, organisationId) => repo.routeLinks(db, env, organisationId),
  };
}

export interface RegistryCache extends DirectoryLookups {
  /** This process changed the registry: forget everything now. */
  changed(): void;
  /** Starts listening (the first lookup does it too); no-op without a database URL. */
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly listening: boolean;
}

export interface RegistryCacheOptions {
  lookups: DirectoryLookups;
  /** For the LISTEN connection; without it nothing is kept. */
  databaseUrl: string | undefined;
  maxAgeMs?: number;
  maxEntries?: number;
  logger?: { warn(obj: object, msg?: string): void } | undefined;
}

export function createRegistryCache(options: RegistryCacheOptions): RegistryCache {
  const { lookups } = options;
  const memo = createNotifiedMemo({
    databaseUrl: options.databaseUrl,
    channel: REGISTRY_CHANNEL,
    applicationName: 'varco-pagopa-registry',
    maxAgeMs: options.maxAgeMs,
    maxEntries: options.maxEntries,
    keep: frozenAnswer,
    downMessage: 'pagoPA registry listener lost its connection; reading the registry at every request',
    logger: options.logger,
    lazy: true,
  });
  const { remember } = memo;
  // Keys as JSON: the codes come from SOAP requests and may hold any character.
  return {
    pspRows: (key) => remember(JSON.stringify(['psp', key.env, key.idPSP, key.idBrokerPSP, key.idChannel]), () => lookups.pspRows(key)),
    ecByFiscalCode: (env, fiscalCode) => remember(JSON.stringify(['ec', env, fiscalCode]), () => lookups.ecByFiscalCode(env, fiscalCode)),
    routeLinks: (env, organisationId) => remember(JSON.stringify(['links', env, organisationId]), () => lookups.routeLinks(env, organisationId)),
    changed: memo.changed,
    start: memo.start,
    stop: memo.stop,
    get listening() {
      return memo.listening;
    },
  };
}
