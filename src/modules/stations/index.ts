import type { Resolve } from '../outbound/index.ts';
import { createExpiryWarnings, type ExpiryWarnings } from './expiry.service.ts';
import { createPlatformCertificates, type PlatformCertificates, type PlatformCertificatesOptions } from './platform.service.ts';
import type { Environment } from './station.policy.ts';
import { createStationsService, type StationsService } from './stations.service.ts';
import { createTrustService, type TrustService } from './trust.service.ts';
import { createVerificationService, type VerificationService } from './verification.service.ts';

// Public surface of the stations module: stations and their review, trusted CAs, two-way
// reachability verification and its schedule, certificate expiry warnings, and Varco's platform
// client certificates (download, rotation).

export { createStationsService, STATION_PROBLEM_TEXT } from './stations.service.ts';
export type { StationsService, StationActor, StationInput, StationProblem, FieldProblem, SaveOutcome, StationDetail } from './stations.service.ts';
export { createTrustService, TRUST_PROBLEM_TEXT } from './trust.service.ts';
export type { TrustService, TrustProblem } from './trust.service.ts';
export { createVerificationService } from './verification.service.ts';
export type { VerificationService, VerificationOptions, VerifyScope, CheckOutcome } from './verification.service.ts';
export { parseCheckResult } from './verification.types.ts';
export type { CheckResult, CheckTrigger, EndpointCheck, InboundCheck, ServerCertificateSeen } from './verification.types.ts';
export { createPlatformCertificates, commonName } from './platform.service.ts';
export type { PlatformCertificates, PlatformDownloads, PublishedCertificate } from './platform.service.ts';
export { createExpiryWarnings } from './expiry.service.ts';
export type { ExpiryWarnings, ExpiryRun } from './expiry.service.ts';
export { createStationScheduler } from './stations.scheduler.ts';
export { pruneChecks } from './stations.repository.ts';
export type { StationScheduler, SchedulerLogger, TickReport } from './stations.scheduler.ts';
export { ENDPOINT_PROBLEM_TEXT, isNonPublicIp, isStationCode, validateEndpoint } from './station.policy.ts';
export type { Environment, EndpointInput, EndpointProblem } from './station.policy.ts';
export { connectionVerdict, expiryWarningDue, EXPIRY_WARNING_DAYS } from './verification.policy.ts';
export type { ConnectionState } from './verification.policy.ts';
export type { StationListRow, VersionRow, CheckRow, StationRow, ApprovedEndpointsRow } from './stations.repository.ts';

export interface StationServices {
  stations: StationsService;
  trust: TrustService;
  verification: VerificationService;
  platformCertificates: PlatformCertificates;
  certificateExpiry: ExpiryWarnings;
}

/** The platform certificate options (database, PKI directory, server certificate) plus the station ones. */
export interface StationServicesOptions extends PlatformCertificatesOptions {
  /** Inbound direction: last successful `GET /api/v1/ping` of the organisation in `env` (subscriptions module). */
  inboundVerifiedAt: (organisationId: string, env: Environment) => Promise<Date | null>;
  resolve?: Resolve;
}

/** The module's services wired together. */
export function createStationServices(options: StationServicesOptions): StationServices {
  const { db, clock, publicUrl } = options;
  const trust = createTrustService({ db, clock });
  const platform = createPlatformCertificates(options);
  return {
    stations: createStationsService({ db, clock, publicUrl }),
    trust,
    platformCertificates: platform,
    verification: createVerificationService({ db, clock, publicUrl, identity: platform.identity, trust, inboundVerifiedAt: options.inboundVerifiedAt,
      ...(options.resolve ? { resolve: options.resolve } : {}) }),
    certificateExpiry: createExpiryWarnings({ db, clock, publicUrl, platformCertificates: platform.expiring }),
  };
}
