import type { ReachabilityReport, ReachabilityStep } from '../outbound/index.ts';
import type { Environment } from './station.policy.ts';

// What a reachability check stores (station_checks.result) and shows: every step of every
// endpoint with its verdict, timing, message and fix, the server certificate seen (for expiry
// warnings), and the inbound direction. Version the shape so old rows stay readable.

export type CheckTrigger = 'portal' | 'admin' | 'cli' | 'schedule';

export interface ServerCertificateSeen {
  subject: string;
  fingerprintSha256: string;
  notAfter: string;
}

export interface EndpointCheck {
  role: 'primary' | 'secondary';
  url: string;
  ip: string;
  port: number;
  ok: boolean;
  steps: ReachabilityStep[];
  serverCertificate?: ServerCertificateSeen;
}

export interface InboundCheck {
  ok: boolean;
  /** Last successful `GET /api/v1/ping` of an active subscription of the organisation in that environment. */
  lastPingAt: string | null;
}

export interface CheckResult {
  version: 1;
  environment: Environment;
  ok: boolean;
  outbound: { ok: boolean; endpoints: EndpointCheck[] };
  inbound: InboundCheck;
}

/** The server certificate a report saw (kept for expiry warnings). */
export function serverCertificateOf(report: ReachabilityReport): ServerCertificateSeen | undefined {
  const seen = report.serverCertificate;
  return seen === undefined ? undefined : { subject: seen.subject, fingerprintSha256: seen.fingerprintSha256, notAfter: seen.notAfter };
}

/** Reads a stored result back; undefined for rows this code does not understand. */
export function parseCheckResult(value: unknown): CheckResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const result = value as Partial<CheckResult>;
  if (result.version !== 1 || !Array.isArray(result.outbound?.endpoints) || typeof result.inbound !== 'object') return undefined;
  return result as CheckResult;
}

/** Technical names of what failed, for the "stopped answering" e-mail: `primary tcp, inbound ping`. */
export function failedSteps(result: CheckResult): string {
  const failed = result.outbound.endpoints.flatMap((endpoint) => endpoint.steps.filter((s) => s.status === 'failed').map((s) => `${endpoint.role} ${s.step}`));
  if (!result.inbound.ok) failed.push('inbound GET /api/v1/ping');
  return failed.join(', ');
}
