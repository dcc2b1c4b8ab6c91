import { isIP } from 'node:net';
import type { StationVersionState } from '../../db/index.ts';
import type { DestinationPolicy } from '../outbound/index.ts';

// Pure rules for stations: what a valid endpoint is, and which review step may follow which.

export type Environment = 'test' | 'prod';

export interface EndpointInput {
  url: string;
  ip: string;
  port: string | number;
}

export interface ValidEndpoint {
  url: string;
  /** Lower-case host name without a trailing dot: what "the station's host" means. */
  fqdn: string;
  /** Canonical text of the address (the one the connector will judge and connect to). */
  ip: string;
  port: number;
}

export type EndpointProblem =
  'url_invalid' | 'url_not_https' | 'fqdn_is_ip' | 'fqdn_invalid' | 'url_has_credentials' | 'ip_invalid' | 'ip_not_public' | 'port_invalid';

export const ENDPOINT_PROBLEM_TEXT: Record<EndpointProblem, string> = {
  url_invalid: 'The service URL is not a valid URL (expected https://FQDN[:port]/service).',
  url_not_https: 'The service URL must use https.',
  fqdn_is_ip: 'The service URL must name the host by its FQDN, not by an IP address (the certificate is checked against the name).',
  fqdn_invalid: 'The host of the service URL is not a valid fully qualified domain name.',
  url_has_credentials: 'The service URL must not contain a user name or password.',
  ip_invalid: 'The IP address is not a valid IPv4 or IPv6 address.',
  ip_not_public:
    'The IP address must be public: loopback, private, link-local, shared, documentation and other special-purpose addresses (in any spelling), and Varco\u2019s own, are refused in every environment unless the operator allowed their range.',
  port_invalid: 'The port must be a whole number from 1 to 65535.',
};

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/**
 * `destinations` judges the IP in every spelling ipaddr.js reads, so `127.1` or `::ffff:7f00:1` is
 * refused as not public rather than merely malformed; an accepted address must also be written
 * the standard way (node's isIP), so `010.0.0.1` — octal to some parsers — is refused as invalid,
 * and what is stored is the canonical form.
 */
export function validateEndpoint(
  input: EndpointInput,
  env: Environment,
  destinations: DestinationPolicy,
): { ok: true; value: ValidEndpoint } | { ok: false; problems: EndpointProblem[] } {
  const problems: EndpointProblem[] = [];
  let fqdn = '';
  let url = input.url.trim();
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:') problems.push('url_not_https');
    if (parsed.username || parsed.password) problems.push('url_has_credentials');
    fqdn = parsed.hostname.replace(/\.$/, '').toLowerCase();
    if (isIP(fqdn.replace(/^\[|\]$/g, '')) !== 0) problems.push('fqdn_is_ip');
    // `localhost` only in test (local integration set-ups); production needs a real FQDN.
    else if ((!fqdn.includes('.') && !(fqdn === 'localhost' && env === 'test')) || fqdn.length > 253 || !fqdn.split('.').every((l) => LABEL.test(l)))
      problems.push('fqdn_invalid');
    url = parsed.toString();
  } catch {
    problems.push('url_invalid');
  }
  const verdict = destinations.judge(input.ip);
  if (!verdict.allowed && verdict.refusal !== 'invalid') problems.push('ip_not_public');
  else if (!verdict.allowed || isIP(input.ip.trim()) === 0) problems.push('ip_invalid');
  const ip = verdict.address;
  const port = typeof input.port === 'number' ? input.port : /^\d{1,5}$/.test(input.port.trim()) ? Number(input.port) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push('port_invalid');
  return problems.length ? { ok: false, problems } : { ok: true, value: { url, fqdn, ip, port } };
}

export type ReviewAction = 'approve' | 'request_changes';

/** Review transitions: only a version waiting for a check can be approved or sent back. */
export function reviewTransition(from: StationVersionState, action: ReviewAction): StationVersionState | undefined {
  if (from !== 'to_check') return undefined;
  return action === 'approve' ? 'approved' : 'to_fix';
}

/** Station codes: the organisation's choice, kept short and URL-safe (pagoPA uses <taxcode>_NN). */
export function isStationCode(code: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$/.test(code);
}
