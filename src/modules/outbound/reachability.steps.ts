// The individual steps of reachability verification. Each returns a verdict with its timing, a
// sentence saying what was seen, and, when it failed, what the organisation should change.
import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { createSecureContext } from 'node:tls';
import { Client } from 'undici';
import { canonicalIp } from '../../pki/index.ts';
import { pinnedConnector, type Target } from './connection.ts';
import { classify, type Classified } from './failure.ts';
import { tlsHandshake, tcpCheck } from './handshake.ts';
import { probeHeaders, type ProbeSigner } from './probe.ts';
import type { CertificateCheck } from './certificates.ts';
import type { ClientIdentity } from './outbound.types.ts';
import type { SecureContext } from 'node:tls';

export type ReachabilityStepName =
  'dns' | 'tcp' | 'tls_version' | 'server_certificate' | 'client_certificate_accepted' | 'probe' | 'client_certificate_required';

export interface ReachabilityStep {
  step: ReachabilityStepName;
  /** `warning` counts as ok: something to look at that does not stop Varco from connecting. */
  status: 'passed' | 'warning' | 'failed' | 'skipped';
  ok: boolean;
  durationMs: number;
  /** English (the CLI, the logs); pages say it in the reader's language from `code` and `params`. */
  message: string;
  fix?: string;
  /**
   * Stable code of what was seen (STEP_SENTENCES), with the values its sentence names, so pages can
   * say it in Italian too. Optional only for checks stored before every step had one.
   */
  code?: string;
  params?: Record<string, string>;
  /** Only on `server_certificate`: the individual certificate checks. */
  checks?: CertificateCheck[];
}

export type Resolve = (hostname: string) => Promise<string[]>;

export const systemResolve: Resolve = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Every sentence a step can say (its `code`); a failure's sentence (FAILURE_SENTENCES) and the
 * handshake's `how` (HANDSHAKE_HOWS) come in its params as `sentence` and `how`. Pages translate
 * each one (src/views/stations/step-text.ts; test/stations/step-text.test.ts checks none is missing).
 */
export const STEP_SENTENCES = [
  'dns_resolves',
  'dns_differs',
  'dns_unresolved',
  'tcp_connected',
  'tcp_forbidden',
  'tcp_timeout',
  'tcp_failed',
  'tls_negotiated',
  'tls_before_client_certificate',
  'tls_unsupported',
  'tls_offered',
  'tls_timeout',
  'tls_failed',
  'certificate_passed',
  'certificate_failed',
  'client_accepted',
  'client_rejected',
  'client_rejected_handshake',
  'probe_failed',
  'probe_passed',
  'probe_status',
  'certificate_demanded_handshake',
  'certificate_demanded_status',
  'certificate_not_required',
  'certificate_requirement_unconfirmed',
  'skipped',
] as const;
export type StepSentence = (typeof STEP_SENTENCES)[number];

/** Why a step did not run (the `because` param of a skipped step). */
export const SKIP_REASONS = ['no_tcp', 'no_tls', 'handshake_ended', 'step_failed', 'probe_failed'] as const;

export function step(
  name: ReachabilityStepName,
  status: ReachabilityStep['status'],
  durationMs: number,
  said: { code: StepSentence; params?: Record<string, string> },
  message: string,
  fix?: string,
): ReachabilityStep {
  return {
    step: name,
    status,
    ok: status === 'passed' || status === 'warning',
    durationMs,
    message,
    ...(fix === undefined ? {} : { fix }),
    code: said.code,
    params: said.params ?? {},
  };
}

export function skipped(
  name: ReachabilityStepName,
  because: (typeof SKIP_REASONS)[number],
  text: string,
  params: Record<string, string> = {},
): ReachabilityStep {
  return step(name, 'skipped', 0, { code: 'skipped', params: { because, ...params } }, `Not run: ${text}.`);
}

/** A DNS answer that differs from the registered IP is worth a warning, never a failure: Varco connects to the IP. */
export async function dnsStep(target: Target, resolve: Resolve, timeoutMs: number): Promise<ReachabilityStep> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const registered = canonicalIp(target.ip);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEOUT' })), timeoutMs);
    });
    const addresses = [...new Set((await Promise.race([resolve(target.fqdn), timeout])).map(canonicalIp))];
    const params = { fqdn: target.fqdn, addresses: addresses.join(', '), ip: registered };
    if (addresses.includes(registered))
      return step(
        'dns',
        'passed',
        elapsed(),
        { code: 'dns_resolves', params },
        `${target.fqdn} resolves to ${addresses.join(', ')}, including the registered IP ${registered}.`,
      );
    return step(
      'dns',
      'warning',
      elapsed(),
      { code: 'dns_differs', params },
      `${target.fqdn} resolves to ${addresses.join(', ')}, not to the registered IP ${registered}. Varco connects to ${registered} regardless; DNS is not used for the connection.`,
      `If the service moved, update the registered IP address; otherwise make the DNS record of ${target.fqdn} point to ${registered} so other clients reach the same service.`,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return step(
      'dns',
      'warning',
      elapsed(),
      { code: 'dns_unresolved', params: { fqdn: target.fqdn, error: code, ip: registered } },
      `${target.fqdn} does not resolve (${code}). Varco connects to the registered IP ${registered} regardless; DNS is not used for the connection.`,
      `Publish a DNS record for ${target.fqdn} pointing to ${registered} if other clients need it; Varco does not.`,
    );
  } finally {
    clearTimeout(timer);
  }
}

export async function tcpStep(target: Target): Promise<ReachabilityStep> {
  const outcome = await tcpCheck(target);
  const where = { ip: target.ip, port: String(target.port) };
  if (outcome.ok) return step('tcp', 'passed', outcome.durationMs, { code: 'tcp_connected', params: where }, `Connected to ${target.ip}:${target.port}.`);
  const classified = classify(outcome.error, target);
  if (classified.code === 'destination_forbidden') {
    return step(
      'tcp',
      'failed',
      outcome.durationMs,
      { code: 'tcp_forbidden', params: classified.params },
      classified.message,
      'Register the public address the service is reached at; non-public addresses are refused in every environment.',
    );
  }
  const seen = outcome.timedOut
    ? `No TCP connection to ${target.ip}:${target.port} within ${target.connectTimeoutMs} ms (packets dropped, or a firewall).`
    : classified.message;
  return step(
    'tcp',
    'failed',
    outcome.durationMs,
    outcome.timedOut
      ? { code: 'tcp_timeout', params: { ...where, ms: String(target.connectTimeoutMs) } }
      : { code: 'tcp_failed', params: { ...classified.params, ...where } },
    seen,
    `Check that the service listens on ${target.ip}:${target.port} and that firewalls let Varco's egress address reach that port.`,
  );
}

/**
 * When our TLS 1.2 minimum is refused, one more handshake that accepts anything tells the
 * organisation which protocol their server does offer.
 */
export async function offeredProtocol(target: Target, identity: ClientIdentity): Promise<string | undefined> {
  // With our certificate too: a server that requires one would otherwise fail this handshake as well.
  const legacy = createSecureContext({ minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0', cert: identity.certChainPem, key: identity.keyPem });
  const outcome = await tlsHandshake({ target, context: legacy, verify: false, verdictWaitMs: 0 });
  return outcome.ok ? outcome.protocol : undefined;
}

export interface ProbeInput {
  target: Target;
  context: SecureContext;
  body: string;
  signProbe: ProbeSigner;
}

type Posted = { durationMs: number } & ({ status: number } | { error: Classified });

/** The signed probe through the production connector (pinned, allowed IP; full verification; the context's certificate, if any). */
async function postProbe(input: ProbeInput): Promise<Posted> {
  const { target } = input;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const client = new Client(target.origin, {
    connect: pinnedConnector({ target, context: input.context }),
    headersTimeout: target.responseTimeoutMs,
    bodyTimeout: target.responseTimeoutMs,
  });
  try {
    const answer = await client.request({ path: target.path, method: 'POST', headers: probeHeaders(input.signProbe(input.body)), body: input.body });
    await answer.body.dump();
    return { status: answer.statusCode, durationMs: elapsed() };
  } catch (error) {
    return { error: classify(error, target), durationMs: elapsed() };
  } finally {
    await client.destroy().catch(() => undefined);
  }
}

/** The probe with Varco's client certificate: any 2xx is reachable. */
export async function probeStep(input: ProbeInput): Promise<ReachabilityStep> {
  const { target } = input;
  const call = `POST ${target.path}`;
  const posted = await postProbe(input);
  if ('error' in posted) {
    const seen = posted.error;
    return step(
      'probe',
      'failed',
      posted.durationMs,
      { code: 'probe_failed', params: { ...seen.params, call, category: seen.category } },
      `The signed ${call} failed (${seen.category}): ${seen.message}`,
      'Fix the earlier failing step first; if all passed, check the service logs for this request.',
    );
  }
  const answered = { call, status: String(posted.status), fqdn: target.fqdn };
  if (posted.status >= 200 && posted.status < 300)
    return step(
      'probe',
      'passed',
      posted.durationMs,
      { code: 'probe_passed', params: answered },
      `The service answered HTTP ${posted.status} to the signed ${call}.`,
    );
  return step(
    'probe',
    'failed',
    posted.durationMs,
    { code: 'probe_status', params: answered },
    `The service answered HTTP ${posted.status} to the signed ${call}; any 2xx counts as reachable.`,
    `Make ${call} on ${target.fqdn} answer with a 2xx status to a JSON body {"type":"varco.ping", …}; the body of the answer is ignored.`,
  );
}

/** Transport outcomes that show the server turned away a connection without our certificate. */
const REFUSALS = new Set(['client_certificate_rejected', 'handshake_failed', 'handshake_closed', 'connection_closed']);

function coded(
  name: ReachabilityStepName,
  status: ReachabilityStep['status'],
  durationMs: number,
  code: StepSentence,
  params: Record<string, string>,
  message: string,
  fix?: string,
): ReachabilityStep {
  return step(name, status, durationMs, { code, params }, message, fix);
}

/**
 * The same signed probe WITHOUT Varco's client certificate (a context without one, `input.context`):
 * a station that still answers it (2xx, 3xx, or 5xx: it processed the request) does not require the
 * certificate, so anyone could call it as Varco does. Only a refused handshake or closed connection,
 * or a 4xx answer, shows the certificate is demanded. Runs after the probe passed, so a 4xx here
 * differs from the 2xx the same request got with the certificate.
 */
export async function requiredStep(input: ProbeInput & { clientCa: string }): Promise<ReachabilityStep> {
  const name = 'client_certificate_required';
  const posted = await postProbe(input);
  const fix = `Configure the server to require a client certificate issued by ${input.clientCa} on every connection (e.g. nginx "ssl_verify_client on", Apache "SSLVerifyClient require"), not merely to ask for one.`;
  if ('error' in posted) {
    const seen = posted.error;
    if (REFUSALS.has(seen.code)) {
      return coded(
        name,
        'passed',
        posted.durationMs,
        'certificate_demanded_handshake',
        { ...seen.params, detail: seen.message, ca: input.clientCa },
        `Without Varco's client certificate the station refused the connection: ${seen.message}`,
      );
    }
    return coded(
      name,
      'failed',
      posted.durationMs,
      'certificate_requirement_unconfirmed',
      { ...seen.params, detail: seen.message, ca: input.clientCa },
      `Varco could not confirm that the station requires its client certificate: the request without it failed otherwise (${seen.category}): ${seen.message}`,
      fix,
    );
  }
  const status = String(posted.status);
  if (posted.status >= 400 && posted.status < 500) {
    return coded(
      name,
      'passed',
      posted.durationMs,
      'certificate_demanded_status',
      { status, ca: input.clientCa },
      `Without Varco's client certificate the station answered HTTP ${status}: it refuses requests that do not present the certificate.`,
    );
  }
  return coded(
    name,
    'failed',
    posted.durationMs,
    'certificate_not_required',
    { status, ca: input.clientCa },
    `The station does not require Varco's client certificate: the same signed request without it was answered HTTP ${status}.`,
    fix,
  );
}
