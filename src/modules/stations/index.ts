import type { NotifiedMemo } from '../../db/index.ts';
import type { DestinationPolicy, OutboundLogger, Resolve } from '../outbound/index.ts';
import { createExpiryWarnings, type ExpiryWarnings } from './expiry.service.ts';
import { createPlatformCertificates, type PlatformCertificates, type PlatformCertificatesOptions } from './platform.service.ts';
import { createStationCaller, type StationCaller, type StationCallerOptions } from './station.caller.ts';
import { createStationMemo } from './station.memo.ts';
import type { Environment } from './station.policy.ts';
import { createStationsService, type StationsService } from './stations.service.ts';
import { createTrustService, type TrustService } from './trust.service.ts';
import { createVerificationService, type VerificationService } from './verification.service.ts';

// Public surface of the stations module: stations and their review, trusted CAs (per organisation),
// two-way reachability verification and its schedule, certificate expiry warnings, Varco's platform
// client certificates (download, rotation), and the station caller — the only way a call presents
// Varco's client certificate (docs/adr/0012-outbound-tenancy.md).

export { createStationsService, STATION_PROBLEM_TEXT } from './stations.service.ts';
export type { StationsService, StationActor, StationInput, StationProblem, FieldProblem, SaveOutcome, StationDetail } from './stations.service.ts';
export { createTrustCache, createTrustService, TRUST_PROBLEM_TEXT } from './trust.service.ts';
export type { TrustCache, TrustService, TrustProblem, TrustScope } from './trust.service.ts';
export { createVerificationService } from './verification.service.ts';
export type { VerificationService, VerificationOptions, VerifyOutcome, VerifyScope, CheckOutcome } from './verification.service.ts';
export { parseCheckResult } from './verification.types.ts';
export type { CheckResult, CheckTrigger, EndpointCheck, InboundCheck, ServerCertificateSeen } from './verification.types.ts';
export { commonName } from './platform.service.ts';
export type { PlatformCertificates, PlatformDownloads, PublishedCertificate } from './platform.service.ts';
export type { StationCaller, StationCallRefusal, StationCallTarget } from './station.caller.ts';
export { STATIONS_CHANNEL } from './station.memo.ts';
export type { StationMemo } from './station.memo.ts';
export { createExpiryWarnings } from './expiry.service.ts';
export type { ExpiryWarnings, ExpiryRun } from './expiry.service.ts';
export { stationJobs, STATION_REVERIFY_JOB, CERTIFICATE_EXPIRY_JOB } from './stations.scheduler.ts';
export { pruneChecks, reviewQueue, failingQueue, expiringTrustQueue, stationProgress } from './stations.repository.ts';
export type { StationJob, StationJobOptions, SchedulerLogger } from './stations.scheduler.ts';
// For other modules: a station by code, and its code and owner as expressions for their own query (docs/adr/0011).
export { findStationByCode, stationFields } from './stations.repository.ts';
export { ENDPOINT_PROBLEM_TEXT, isStationCode, validateEndpoint } from './station.policy.ts';
export type { Environment, EndpointInput, EndpointProblem } from './station.policy.ts';
export { connectionVerdict, expiryWarningDue, portalVerifyVerdict, EXPIRY_WARNING_DAYS, PORTAL_VERIFY_LIMIT } from './verification.policy.ts';
export type { ConnectionState, PortalVerifyVerdict } from './verification.policy.ts';
export type { StationListRow, VersionRow, CheckRow, StationRow } from './stations.repository.ts';

export interface StationServices {
  stations: StationsService;
  trust: TrustService;
  verification: VerificationService;
  platformCertificates: PlatformCertificates;
  certificateExpiry: ExpiryWarnings;
  /** Calls to an organisation's approved stations with Varco's client certificate; close it with the app. */
  stationCaller: StationCaller;
  /**
   * This instance's memory of what station calls read (station.memo.ts), shared with the simulated
   * station of the pagoPA test environment; stop it with the app.
   */
  stationMemo: NotifiedMemo;
}

/** The platform certificate options (database, platform PKI, server certificate) plus the station ones. */
export interface StationServicesOptions extends PlatformCertificatesOptions {
  /** Inbound direction: last successful `GET /api/v1/ping` of the organisation in `env` (subscriptions module). */
  inboundVerifiedAt: (organisationId: string, env: Environment) => Promise<Date | null>;
  /** For the LISTEN connections of the trust store and the station memory (a change made anywhere reaches this instance at once). */
  databaseUrl?: string;
  /** Which addresses stations may be registered at and connected to (VARCO_OUTBOUND_ALLOW_CIDRS). */
  destinations: DestinationPolicy;
  resolve?: Resolve;
  logger?: OutboundLogger;
  /** Makes the station caller's mutual-TLS client; the composition root passes createOutboundClient (one per process). */
  outboundClient: StationCallerOptions['outboundClient'];
}

/** The module's services wired together. */
export function createStationServices(options: StationServicesOptions): StationServices {
  const { db, clock, publicUrl, audit, destinations } = options;
  const trust = createTrustService({ db, clock, audit, databaseUrl: options.databaseUrl, ...(options.logger ? { logger: options.logger } : {}) });
  const platform = createPlatformCertificates(options);
  // The identity stays inside this module: only the station caller and verification present it.
  const { identity, ...platformCertificates } = platform;
  const stationMemo = createStationMemo({ databaseUrl: options.databaseUrl, logger: options.logger });
  return {
    stations: createStationsService({ db, clock, audit, publicUrl, destinations, memo: stationMemo }),
    trust,
    platformCertificates,
    verification: createVerificationService({
      db,
      clock,
      audit,
      publicUrl,
      identity,
      trust,
      destinations,
      inboundVerifiedAt: options.inboundVerifiedAt,
      ...(options.resolve ? { resolve: options.resolve } : {}),
    }),
    certificateExpiry: createExpiryWarnings({ db, clock, publicUrl, platformCertificates: platform.expiring }),
    stationCaller: createStationCaller({
      db,
      identity,
      trust,
      destinations,
      outboundClient: options.outboundClient,
      memo: stationMemo,
      ...(options.logger ? { logger: options.logger } : {}),
    }),
    stationMemo,
  };
}
