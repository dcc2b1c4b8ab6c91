// Outbound reachability verification ("Verify" in the portal and back office, `varco station
// verify`): the steps Varco's own connection takes, one verdict each, in order — DNS (advisory),
// TCP, TLS version, server certificate, acceptance of our client certificate, signed probe — and
// then the proof that the certificate is required: the same probe without it must be refused.
// A step whose prerequisite failed is reported as skipped, never guessed.
import { X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SecureContext } from 'node:tls';
import { systemClock, type Clock } from '../../kernel/clock.ts';
import { splitPemChain } from '../../pki/index.ts';
import { checkServerCertificate } from './certificates.ts';
import { secureContextFor, toTarget, type Target } from './connection.ts';
import type { DestinationPolicy } from './destination.policy.ts';
import { classify, isProtocolVersionError, opensslReason } from './failure.ts';
import { tlsHandshake, type HandshakeOutcome } from './handshake.ts';
import { createProbeSigner, probeBody, type ProbeSigner } from './probe.ts';
import {
  dnsStep,
  offeredProtocol,
  probeStep,
  requiredStep,
  skipped,
  step,
  systemResolve,
  tcpStep,
  type ReachabilityStep,
  type Resolve,
} from './reachability.steps.ts';
import type { ClientIdentity, Endpoint, OutboundEnv, TrustStore } from './outbound.types.ts';

export interface VerifyEndpointOptions {
  identity: ClientIdentity;
  trust: TrustStore;
  /** Which addresses may be connected to (the registered IP is judged again before every connection). */
  destinations: DestinationPolicy;
  /** Signs the probe body; default: the identity's key (see probe.ts). */
  signProbe?: ProbeSigner;
  clock?: Clock;
  /** Name resolution for the advisory DNS step; default: the system resolver. */
  resolve?: Resolve;
  dnsTimeoutMs?: number;
}

export interface ReachabilityReport {
  env: OutboundEnv;
  url: string;
  ip: string;
  port: number;
  /** Every step passed (warnings allowed). */
  ok: boolean;
  steps: ReachabilityStep[];
  /** The leaf the server presented, when a handshake completed: stations keep it for expiry warnings. */
  serverCertificate?: { subject: string; fingerprintSha256: string; notAfter: string };
}

export async function verifyEndpoint(env: OutboundEnv, endpoint: Endpoint, options: VerifyEndpointOptions): Promise<ReachabilityReport> {
  const target = toTarget(endpoint, options.destinations);
  // Verification proves mutual TLS: an http endpoint has nothing to verify (stations are https by rule).
  if (!target.tls) throw new Error(`outbound endpoint URL must be https: ${endpoint.url}`);
  const now = (options.clock ?? systemClock).now();
  const steps: ReachabilityStep[] = [await dnsStep(target, options.resolve ?? systemResolve, options.dnsTimeoutMs ?? 3000)];
  let serverCertificate: ReachabilityReport['serverCertificate'];
  const tcp = await tcpStep(target);
  steps.push(tcp);
  if (!tcp.ok) {
    steps.push(
      ...(['tls_version', 'server_certificate', 'client_certificate_accepted', 'probe', 'client_certificate_required'] as const).map((name) =>
        skipped(name, 'no_tcp', 'no TCP connection'),
      ),
    );
  } else {
    const context = secureContextFor(options.identity, options.trust);
    const handshake = await tlsHandshake({
      target,
      context,
      verify: false,
      verdictWaitMs: Math.min(2000, target.responseTimeoutMs),
    });
    serverCertificate = handshake.ok ? leafSeen(handshake.servedChain[0]) : undefined;
    const tlsSteps = await judgeHandshake(env, target, handshake, options, now);
    steps.push(...tlsSteps);
    steps.push(...(await probeSteps(target, context, tlsSteps, options, now)));
  }
  return {
    env,
    url: endpoint.url,
    ip: target.ip,
    port: endpoint.port,
    ok: steps.every((entry) => entry.ok),
    steps,
    ...(serverCertificate ? { serverCertificate } : {}),
  };
}

/** The signed probe with our certificate, then the same probe without it (which the station must refuse). */
async function probeSteps(
  target: Target,
  context: SecureContext,
  tlsSteps: ReachabilityStep[],
  options: VerifyEndpointOptions,
  now: Date,
): Promise<ReachabilityStep[]> {
  const blocking = tlsSteps.find((entry) => !entry.ok);
  if (blocking !== undefined)
    return [
      skipped('probe', 'step_failed', `${blocking.step} did not pass`, { step: blocking.step }),
      skipped('client_certificate_required', 'step_failed', `${blocking.step} did not pass`, { step: blocking.step }),
    ];
  const signProbe = options.signProbe ?? createProbeSigner(options.identity);
  const probe = await probeStep({ target, context, body: probeBody(now), signProbe });
  if (!probe.ok) return [probe, skipped('client_certificate_required', 'probe_failed', 'the probe with Varco\u2019s client certificate did not pass')];
  const withoutCertificate = secureContextFor(undefined, options.trust);
  return [probe, await requiredStep({ target, context: withoutCertificate, body: probeBody(now), signProbe, clientCa: clientCaName(options.identity) })];
}

function leafSeen(der: Buffer | undefined): ReachabilityReport['serverCertificate'] {
  if (der === undefined) return undefined;
  try {
    const leaf = new X509Certificate(der);
    return { subject: leaf.subject.split('\n').filter(Boolean).join(', '), fingerprintSha256: leaf.fingerprint256, notAfter: leaf.validToDate.toISOString() };
  } catch {
    // Unparsable: the server_certificate step reports it; there is nothing to remember.
    return undefined;
  }
}

/** tls_version, server_certificate and client_certificate_accepted, from one handshake. */
async function judgeHandshake(
  env: OutboundEnv,
  target: Target,
  outcome: HandshakeOutcome,
  options: VerifyEndpointOptions,
  now: Date,
): Promise<ReachabilityStep[]> {
  const ours = clientCaName(options.identity);
  const ca = { ca: ours, env };
  const acceptFix = `Configure the server to request and accept client certificates issued by ${ours} (download Varco's ${env} client certificate and its chain from the portal and add that CA to the server's trusted client CAs).`;
  if (!outcome.ok) {
    const seen = classify(outcome.error, target);
    if (seen.code === 'client_certificate_rejected') {
      // TLS 1.2: the server judges our certificate before its Finished, so the handshake never
      // completes and its own certificate cannot be checked; the version was fine to get that far.
      return [
        step(
          'tls_version',
          'passed',
          outcome.durationMs,
          { code: 'tls_before_client_certificate' },
          'The server accepted TLS 1.2 or later and went on to ask for a client certificate.',
        ),
        skipped('server_certificate', 'handshake_ended', 'the server ended the handshake before its certificate could be checked'),
        step(
          'client_certificate_accepted',
          'failed',
          outcome.durationMs,
          { code: 'client_rejected_handshake', params: { ...seen.params, ...ca } },
          seen.message,
          acceptFix,
        ),
      ];
    }
    return [
      await versionFailure(target, outcome, options.identity),
      skipped('server_certificate', 'no_tls', 'no TLS handshake'),
      skipped('client_certificate_accepted', 'no_tls', 'no TLS handshake'),
    ];
  }
  const checkStarted = performance.now();
  const checks = checkServerCertificate({
    fqdn: target.fqdn,
    chain: outcome.servedChain,
    roots: options.trust.roots,
    intermediates: options.trust.intermediates ?? [],
    now,
  });
  const checkMs = Math.round(performance.now() - checkStarted);
  const failed = checks.filter((check) => !check.ok);
  const certificate: ReachabilityStep =
    failed.length === 0
      ? {
          ...step(
            'server_certificate',
            'passed',
            checkMs,
            { code: 'certificate_passed', params: { count: String(checks.length) } },
            `All ${checks.length} certificate checks passed: ${checks.map((check) => check.message).join(' ')}`,
          ),
          checks,
        }
      : {
          ...step(
            'server_certificate',
            'failed',
            checkMs,
            { code: 'certificate_failed', params: { count: String(failed.length) } },
            failed.map((check) => `${check.check}: ${check.message}`).join(' '),
            failed
              .map((check) => check.fix)
              .filter((fix) => fix !== undefined)
              .join(' '),
          ),
          checks,
        };
  const verdict = outcome.clientCertificate;
  const how = { how: verdict.howCode, ...verdict.howParams, ...ca };
  const client =
    verdict.state === 'rejected'
      ? step(
          'client_certificate_accepted',
          'failed',
          outcome.durationMs,
          { code: 'client_rejected', params: how },
          `The server refused Varco's client certificate: ${verdict.how}.`,
          acceptFix,
        )
      : step(
          'client_certificate_accepted',
          'passed',
          outcome.durationMs,
          { code: 'client_accepted', params: how },
          `The server accepted Varco's client certificate: ${verdict.how}.`,
        );
  const negotiated = { code: 'tls_negotiated', params: { protocol: outcome.protocol } } as const;
  return [
    step('tls_version', 'passed', outcome.durationMs, negotiated, `Negotiated ${outcome.protocol} (Varco requires TLS 1.2 or later).`),
    certificate,
    client,
  ];
}

async function versionFailure(target: Target, outcome: Extract<HandshakeOutcome, { ok: false }>, identity: ClientIdentity): Promise<ReachabilityStep> {
  if (isProtocolVersionError(outcome.error.code)) {
    const offered = await offeredProtocol(target, identity);
    const seen = offered === undefined ? 'The server does not accept TLS 1.2 or later' : `The server offers at most ${offered}`;
    const reason = opensslReason(outcome.error);
    return step(
      'tls_version',
      'failed',
      outcome.durationMs,
      offered === undefined ? { code: 'tls_unsupported', params: { reason } } : { code: 'tls_offered', params: { reason, offered } },
      `${seen}; Varco requires TLS 1.2 or later (${opensslReason(outcome.error)}).`,
      'Enable TLS 1.2 and TLS 1.3 on the server or on the load balancer that terminates TLS, and disable older protocols.',
    );
  }
  if (outcome.timedOut) {
    return step(
      'tls_version',
      'failed',
      outcome.durationMs,
      { code: 'tls_timeout', params: { ms: String(target.connectTimeoutMs), ip: target.ip, port: String(target.port) } },
      `The TCP connection opened but no TLS handshake completed within ${target.connectTimeoutMs} ms.`,
      `Check that ${target.ip}:${target.port} serves HTTPS (TLS) and not plain HTTP or another protocol.`,
    );
  }
  const seen = classify(outcome.error, target);
  return step(
    'tls_version',
    'failed',
    outcome.durationMs,
    { code: 'tls_failed', params: { ...seen.params, ip: target.ip, port: String(target.port), fqdn: target.fqdn } },
    seen.message,
    `Check the TLS configuration of ${target.ip}:${target.port}: it must serve the certificate for ${target.fqdn} (SNI) with TLS 1.2 or later.`,
  );
}

function clientCaName(identity: ClientIdentity): string {
  const leaf = splitPemChain(identity.certChainPem)[0];
  if (leaf === undefined) return "Varco's platform CA";
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(new X509Certificate(leaf).issuer)?.[1];
  return cn === undefined ? "Varco's platform CA" : `"${cn}"`;
}
