// The development PKI: one root CA per environment, a platform client
// certificate per environment for outbound mutual TLS, and one HTTPS server
// certificate. Material is created on first use and reused afterwards, so
// peers that were handed a CA or client chain keep trusting us across restarts.
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { canonicalIp, describeCertificate } from './inspect.ts';
import { createRootCa, issueLeaf } from './issue.ts';
import type { IssuedPair, SigningCa } from './issue.ts';
import { keyMatches, readPemIfExists, writeAtomically } from './files.ts';

export type PkiEnvironment = 'test' | 'prod';
export const PKI_ENVIRONMENTS: readonly PkiEnvironment[] = ['test', 'prod'];

export interface EnvPki {
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** Client leaf followed by the issuing CA, as presented during the handshake. */
  clientChainPem: string;
}

export interface ServerPki {
  certPem: string;
  keyPem: string;
  /** Server leaf followed by the issuing (test) CA. */
  chainPem: string;
}

export interface EnvPkiPaths {
  caCert: string;
  caKey: string;
  clientCert: string;
  clientKey: string;
}

export interface DevPkiPaths {
  dir: string;
  serverCert: string;
  serverKey: string;
  envs: Record<PkiEnvironment, EnvPkiPaths>;
}

export interface DevPki {
  server: ServerPki;
  envs: Record<PkiEnvironment, EnvPki>;
  paths: DevPkiPaths;
}

export interface EnsureDevPkiOptions {
  dir: string;
  hostNames: string[];
  now?: () => Date;
}

const CA_YEARS = 10;
const CLIENT_YEARS = 2;
const SERVER_YEARS = 1;
const SERVER_RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
/** Always in the server SAN so local tools and health checks work whatever is configured. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export function devPkiPaths(dir: string): DevPkiPaths {
  const root = resolve(dir);
  const env = (name: PkiEnvironment): EnvPkiPaths => ({
    caCert: join(root, name, 'ca.crt'),
    caKey: join(root, name, 'ca.key'),
    clientCert: join(root, name, 'client.crt'),
    clientKey: join(root, name, 'client.key'),
  });
  return {
    dir: root,
    serverCert: join(root, 'server.crt'),
    serverKey: join(root, 'server.key'),
    envs: { test: env('test'), prod: env('prod') },
  };
}

// Serialises concurrent calls for the same directory within this process;
// otherwise two callers could both find no CA and each create a different one.
const inFlight = new Map<string, Promise<unknown>>();

export async function ensureDevPki(opts: EnsureDevPkiOptions): Promise<DevPki> {
  const paths = devPkiPaths(opts.dir);
  const previous = inFlight.get(paths.dir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => ensureUnlocked(paths, opts));
  inFlight.set(paths.dir, run);
  try {
    return await run;
  } finally {
    if (inFlight.get(paths.dir) === run) inFlight.delete(paths.dir);
  }
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

async function ensureUnlocked(paths: DevPkiPaths, opts: EnsureDevPkiOptions): Promise<DevPki> {
  const now = opts.now ?? (() => new Date());
  const altNames = serverAltNames(opts.hostNames);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });

  const envs = {} as Record<PkiEnvironment, EnvPki>;
  const cas = {} as Record<PkiEnvironment, SigningCa>;
  for (const env of PKI_ENVIRONMENTS) {
    const envPaths = paths.envs[env];
    await mkdir(join(paths.dir, env), { recursive: true, mode: 0o700 });
    const ca = await ensureCa(envPaths, env, now);
    cas[env] = ca;
    const client = await ensureLeaf(envPaths.clientCert, envPaths.clientKey, ca, () => false, () =>
      issueLeaf(ca, {
        commonName: `varco-platform-client-${env}`,
        usage: 'clientAuth',
        years: CLIENT_YEARS,
        now: now(),
      }),
    );
    envs[env] = {
      caCertPem: ca.certPem,
      clientCertPem: client.certPem,
      clientKeyPem: client.keyPem,
      clientChainPem: client.certPem + ca.certPem,
    };
  }

  const serverCa = cas.test;
  const server = await ensureLeaf(
    paths.serverCert,
    paths.serverKey,
    serverCa,
    (certPem) => serverNeedsRenewal(certPem, altNames, now()),
    () =>
      issueLeaf(serverCa, {
        // altNames always has at least the loopback names, so [0] exists.
        commonName: altNames[0] ?? 'localhost',
        usage: 'serverAuth',
        altNames,
        years: SERVER_YEARS,
        now: now(),
      }),
  );
  return {
    server: { certPem: server.certPem, keyPem: server.keyPem, chainPem: server.certPem + serverCa.certPem },
    envs,
    paths,
  };
}

async function ensureCa(envPaths: EnvPkiPaths, env: PkiEnvironment, now: () => Date): Promise<SigningCa> {
  const certPem = await readPemIfExists(envPaths.caCert);
  // The certificate file is what makes a CA "exist": it is written last, so a
  // lone key is debris from an interrupted first run and safe to replace.
  if (certPem === undefined) {
    const created = await createRootCa(`Varco Development Root CA (${env})`, CA_YEARS, now());
    await writePair(envPaths.caCert, envPaths.caKey, created);
    return created;
  }
  const keyPem = await readPemIfExists(envPaths.caKey);
  if (keyPem === undefined) {
    // Never silently replace a CA: peers may already trust it.
    throw new Error(`${envPaths.caCert} exists but its private key ${envPaths.caKey} is missing`);
  }
  if (!keyMatches(certPem, keyPem)) {
    throw new Error(`${envPaths.caKey} does not match ${envPaths.caCert}`);
  }
  await chmod(envPaths.caKey, 0o600);
  return { certPem, keyPem };
}

/**
 * Loads a leaf if it is complete and still chains to `ca`; otherwise issues a
 * new one. Re-issuing when the chain is broken covers a CA that was deleted
 * and recreated: the old leaves would be useless and fail every handshake.
 */
async function ensureLeaf(
  certPath: string,
  keyPath: string,
  ca: SigningCa,
  needsRenewal: (certPem: string) => boolean,
  issue: () => Promise<IssuedPair>,
): Promise<IssuedPair> {
  const certPem = await readPemIfExists(certPath);
  const keyPem = await readPemIfExists(keyPath);
  if (
    certPem !== undefined &&
    keyPem !== undefined &&
    keyMatches(certPem, keyPem) &&
    issuedBy(certPem, ca.certPem) &&
    !needsRenewal(certPem)
  ) {
    await chmod(keyPath, 0o600);
    return { certPem, keyPem };
  }
  const issued = await issue();
  await writePair(certPath, keyPath, issued);
  return issued;
}

function serverNeedsRenewal(certPem: string, altNames: string[], now: Date): boolean {
  const info = describeCertificate(certPem);
  if (info.notAfter.getTime() - now.getTime() < SERVER_RENEW_BEFORE_MS) return true;
  if (info.notBefore.getTime() > now.getTime()) return true;
  const present = new Set([...info.dnsNames.map((name) => name.toLowerCase()), ...info.ipAddresses]);
  return altNames.some((name) => !present.has(name));
}

function issuedBy(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** Key first, certificate last: see ensureCa for why the order matters. */
async function writePair(certPath: string, keyPath: string, pair: IssuedPair): Promise<void> {
  await writeAtomically(keyPath, pair.keyPem, 0o600);
  await writeAtomically(certPath, pair.certPem, 0o644);
}
