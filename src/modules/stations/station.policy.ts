import { isIP } from 'node:net';
import type { StationVersionState } from '../../db/index.ts';

// Pure rules for stations: what a valid endpoint is, and which review step may follow which.

export type Environment = 'test' | 'prod';

export interface EndpointInput {
  url: string;
  ip: string;
  port: string | number;
}

export interface ValidEndpoint {
  url: string;
  fqdn: string;
  ip: string;
  port: number;
}

export type EndpointProblem =
  | 'url_invalid' | 'url_not_https' | 'fqdn_is_ip' | 'fqdn_invalid' | 'url_has_credentials'
  | 'ip_invalid' | 'ip_not_public' | 'port_invalid';

export const ENDPOINT_PROBLEM_TEXT: Record<EndpointProblem, string> = {
  url_invalid: 'The service URL is not a valid URL (expected https://FQDN[:port]/service).',
  url_not_https: 'The service URL must use https.',
  fqdn_is_ip: 'The service URL must name the host by its FQDN, not by an IP address (the certificate is checked against the name).',
  fqdn_invalid: 'The host of the service URL is not a valid fully qualified domain name.',
  url_has_credentials: 'The service URL must not contain a user name or password.',
  ip_invalid: 'The IP address is not a valid IPv4 or IPv6 address.',
  ip_not_public: 'In production the IP address must be public: loopback, link-local and private addresses need an administrator\u2019s permission.',
  port_invalid: 'The port must be a whole number from 1 to 65535.',
};

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** Loopback, link-local, private (RFC 1918, ULA), unspecified, CGNAT and multicast ranges. */
export function isNonPublicIp(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
      || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (v === 6) {
    const lower = ip.toLowerCase();
    if (lower === '::' || lower === '::1') return true;
    if (lower.startsWith('::ffff:')) return isNonPublicIp(lower.slice(7));
    return /^(fe[89ab]|fc|fd|ff)/.test(lower);
  }
  return true;
}

export function validateEndpoint(input: EndpointInput, env: Environment, allowPrivateIp: boolean): { ok: true; value: ValidEndpoint } | { ok: false; problems: EndpointProblem[] } {
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
    else if (!fqdn.includes('.') && !(fqdn === 'localhost' && env === 'test') || fqdn.length > 253 || !fqdn.split('.').every((l) => LABEL.test(l))) problems.push('fqdn_invalid');
    url = parsed.toString();
  } catch {
    problems.push('url_invalid');
  }
  const ip = input.ip.trim();
  if (isIP(ip) === 0) problems.push('ip_invalid');
  else if (env === 'prod' && !allowPrivateIp && isNonPublicIp(ip)) problems.push('ip_not_public');
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
