// What Varco issues for itself, as pure functions (no file system, no database): a root CA per
// environment, the platform client certificate of an environment, and the development HTTPS server
// certificate. Where the results are kept is the platform module's business (src/modules/platform).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { canonicalIp, describeCertificate } from './inspect.ts';
import type * as Issue from './issue.ts';
import type { IssuedPair, SigningCa } from './issue.ts';

// Issuing needs @peculiar/x509 and its ASN.1 stack (~200 modules with tsyringe and reflect-metadata): loaded when something is issued
// (first start, renewal, a new environment), not on every start (issue 15, target 3).
const issuing = (): Promise<typeof Issue> => import('./issue.ts');

export type PkiEnvironment = 'test' | 'prod';
export const PKI_ENVIRONMENTS: readonly PkiEnvironment[] = ['test', 'prod'];

const CA_YEARS = 10;
const CLIENT_YEARS = 2;
const SERVER_YEARS = 1;
const SERVER_RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
/** Always in the server SAN so local tools and health checks work whatever is configured. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * The subject's O of what Varco issues for `env`: `Varco Development` in test (the stations' trust
 * refuses such a CA in production), `Varco` in production, whose CA and client certificate are real
 * ones the organisations' stations trust — not development material.
 */
const organisationOf = (env: PkiEnvironment): string => (env === 'prod' ? 'Varco' : 'Varco Development');

/** The root CA of `env`: signs the platform client certificates (and, in test, the HTTPS server's). */
export async function createPlatformCa(env: PkiEnvironment, now: Date): Promise<IssuedPair> {
  const name = env === 'prod' ? 'Varco Platform Root CA (prod)' : `Varco Development Root CA (${env})`;
  return (await issuing()).createRootCa(name, CA_YEARS, now, organisationOf(env));
}

/** A platform client certificate of `env`, issued by that environment's CA. */
export async function issuePlatformClient(ca: SigningCa, env: PkiEnvironment, now: Date): Promise<IssuedPair> {
  return (await issuing()).issueLeaf(ca, {
    commonName: `varco-platform-client-${env}`,
    usage: 'clientAuth',
    years: CLIENT_YEARS,
    now,
    organisation: organisationOf(env),
  });
}

/** A development HTTPS server certificate for `hostNames` (normalised by serverAltNames). */
export async function issueServerCertificate(ca: SigningCa, hostNames: string[], now: Date): Promise<IssuedPair> {
  const altNames = serverAltNames(hostNames);
  // altNames always has at least the loopback names, so [0] exists.
  return (await issuing()).issueLeaf(ca, { commonName: altNames[0] ?? 'localhost', usage: 'serverAuth', altNames, years: SERVER_YEARS, now });
}

/**
 * Normalises configured host names into SAN entries: trimmed, lowercased,
 * brackets stripped from IPv6 literals, IPs canonicalised, loopback names
 * added, duplicates removed. Order is kept so the first configured name
 * stays the common name.
 */
export function serverAltNames(hostNames: string[]): string[] {
  const names: string[] = [];
  for (const raw of [...hostNames, ...LOOPBACK_NAMES]) {
    let name = raw.trim().toLowerCase();
    if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
    if (name.endsWith('.')) name = name.slice(0, -1);
    if (name === '') continue;
    if (name.includes('%')) throw new Error(`IPv6 zone identifiers cannot appear in a certificate: ${raw}`);
    if (isIP(name) !== 0) name = canonicalIp(name);
    else if (!/^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) {
      throw new Error(`not a valid host name for a certificate: ${raw}`);
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** True when a server certificate must be re-issued: close to expiry, not yet valid, or missing a host name. */
export function serverNeedsRenewal(certPem: string, hostNames: string[], now: Date): boolean {
  const info = describeCertificate(certPem);
  if (info.notAfter.getTime() - now.getTime() < SERVER_RENEW_BEFORE_MS) return true;
  if (info.notBefore.getTime() > now.getTime()) return true;
  const present = new Set([...info.dnsNames.map((name) => name.toLowerCase()), ...info.ipAddresses]);
  return serverAltNames(hostNames).some((name) => !present.has(name));
}

/** True when the private key belongs to the certificate; unparsable input counts as a mismatch. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** True when `certPem` was issued and signed by `caPem`. */
export function issuedBy(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}
