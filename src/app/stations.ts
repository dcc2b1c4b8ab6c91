import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { AuditLog } from '../modules/audit/index.ts';
import { createPlatformPki, ensureServerCertificate, type PlatformPki, type ServerCertificate } from '../modules/platform/index.ts';
import { createDestinationPolicy, type DestinationPolicy } from '../modules/outbound/index.ts';
import { createStationScheduler, createStationServices, type SchedulerLogger, type StationScheduler, type StationServices } from '../modules/stations/index.ts';
import { createSubscriptionsService, type SubscriptionsService } from '../modules/subscriptions/index.ts';
import { subscriptionHooks } from './subscription-hooks.ts';

// Wiring of the stations module for the server, the workers and the CLI: the platform PKI (client
// certificates shared through the database, modules/platform), the destination policy every outbound connection obeys
// (VARCO_OUTBOUND_ALLOW_CIDRS), and the inbound direction of verification, which the subscriptions
// module records (`subscriptions.inbound_verified_at`, set by `GET /api/v1/ping`).

export interface StationWiring {
  config: Config;
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** Opens the platform PKI's private keys; without it the platform certificates refuse to work. */
  masterKey: Buffer | undefined;
  /** Reused when the caller has one; otherwise one is made from the master key. */
  platform?: PlatformPki;
  /** Reused when the caller has one; otherwise a plain one is made (workers, CLI). */
  subscriptions?: SubscriptionsService;
}

/** Last successful ping with a key of an active subscription of the organisation in `env`. */
export function inboundVerifiedAtFrom(subscriptions: Pick<SubscriptionsService, 'list'>) {
  return async (organisationId: string, env: 'test' | 'prod'): Promise<Date | null> => {
    const active = (await subscriptions.list({ organisationId, state: 'active' })).filter((s) => s.environment === env && s.inbound_verified_at !== null);
    const times = active.map((s) => new Date(s.inbound_verified_at ?? 0).getTime());
    return times.length === 0 ? null : new Date(Math.max(...times));
  };
}

/** Public addresses only, plus the operator's ranges; Varco's own addresses are read from its interfaces. */
export function destinationsOf(config: Config): DestinationPolicy {
  return createDestinationPolicy({ allowCidrs: config.outboundAllowCidrs });
}

export function pkiDirOf(config: Config): string {
  return join(config.dataDir, 'pki');
}

/** The platform PKI of this process; `<VARCO_DATA_DIR>/pki` of an earlier Varco is imported once when the database has none. */
export function wirePlatformPki(wiring: Pick<StationWiring, 'config' | 'db' | 'clock' | 'masterKey'>): PlatformPki {
  return createPlatformPki({ db: wiring.db, clock: wiring.clock, masterKey: wiring.masterKey, legacyDir: pkiDirOf(wiring.config) });
}

/** This instance's development HTTPS certificate (`<VARCO_DATA_DIR>/pki/server.crt`), issued by the shared test platform CA. */
export function devServerCertificate(config: Config, platform: PlatformPki): Promise<ServerCertificate> {
  return ensureServerCertificate({ dir: pkiDirOf(config), hostNames: config.hostNames, ca: () => platform.signingCa('test') });
}

export function wireStationServices(wiring: StationWiring & { destinations?: DestinationPolicy }): StationServices {
  const { config, db, clock, audit } = wiring;
  const subscriptions = wiring.subscriptions ?? createSubscriptionsService({ db, clock, audit, publicUrl: config.publicUrl, hooks: subscriptionHooks });
  const platform = wiring.platform ?? wirePlatformPki(wiring);
  const serverCertificatePem = config.tls ? () => readFile(config.tls?.certFile ?? '', 'utf8') : async () => (await devServerCertificate(config, platform)).certPem;
  return createStationServices({ db, clock, audit, publicUrl: config.publicUrl, platform, destinations: wiring.destinations ?? destinationsOf(config),
    inboundVerifiedAt: inboundVerifiedAtFrom(subscriptions), serverCertificatePem });
}

export function wireStationScheduler(wiring: StationWiring & { logger: SchedulerLogger }): StationScheduler {
  const services = wireStationServices(wiring);
  return createStationScheduler({ db: wiring.db, clock: wiring.clock, verification: services.verification, expiry: services.certificateExpiry,
    intervalMinutes: wiring.config.verifyIntervalMinutes, logger: wiring.logger });
}
