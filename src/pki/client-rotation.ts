// Rotation of the platform client certificate (issue 4; connectivity.md §7.1: integrators ask for
// the next client certificate to be published before it is used). The next certificate lives
// beside the current one (`<env>/next-client.crt|key`) until the operator activates it; outbound
// calls always present the current one, read from disk at each use so an activation made by the
// CLI reaches a running server without a restart.
import { chmod, copyFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { devPkiPaths, type PkiEnvironment } from './dev-pki.ts';
import { issueLeaf } from './issue.ts';
import { keyMatches, readPemIfExists, writeAtomically } from './files.ts';

const CLIENT_YEARS = 2;

export interface PlatformClientCertificate {
  certPem: string;
  /** Leaf followed by the issuing platform CA, as presented in the handshake and offered for download. */
  chainPem: string;
}

export interface PlatformClientMaterial {
  caCertPem: string;
  current: PlatformClientCertificate & { keyPem: string };
  /** Published by `pki rotate-client`, not used until `pki activate-client`. */
  next: PlatformClientCertificate | undefined;
}

export function nextClientPaths(dir: string, env: PkiEnvironment): { cert: string; key: string; previousCert: string; previousKey: string } {
  const envDir = join(devPkiPaths(dir).dir, env);
  return {
    cert: join(envDir, 'next-client.crt'),
    key: join(envDir, 'next-client.key'),
    previousCert: join(envDir, 'previous-client.crt'),
    previousKey: join(envDir, 'previous-client.key'),
  };
}

/** Current and next client certificates of `env`; the development PKI must exist (ensureDevPki). */
export async function readPlatformClient(dir: string, env: PkiEnvironment): Promise<PlatformClientMaterial> {
  const paths = devPkiPaths(dir).envs[env];
  const [caCertPem, certPem, keyPem] = await Promise.all([readPemIfExists(paths.caCert), readPemIfExists(paths.clientCert), readPemIfExists(paths.clientKey)]);
  if (caCertPem === undefined || certPem === undefined || keyPem === undefined) throw new Error(`the ${env} platform client certificate is missing in ${dir}`);
  const nextPem = await readPemIfExists(nextClientPaths(dir, env).cert);
  return {
    caCertPem,
    current: { certPem, keyPem, chainPem: certPem + caCertPem },
    next: nextPem === undefined ? undefined : { certPem: nextPem, chainPem: nextPem + caCertPem },
  };
}

/**
 * Issues the next client certificate of `env` with the platform CA, unless one is already waiting
 * (then it is returned unchanged: publishing twice must not replace what organisations installed).
 */
export async function rotateClient(dir: string, env: PkiEnvironment, now: Date): Promise<{ created: boolean; certPem: string }> {
  const paths = devPkiPaths(dir).envs[env];
  const next = nextClientPaths(dir, env);
  const waiting = await readPemIfExists(next.cert);
  const waitingKey = await readPemIfExists(next.key);
  if (waiting !== undefined && waitingKey !== undefined && keyMatches(waiting, waitingKey)) return { created: false, certPem: waiting };
  const [certPem, keyPem] = await Promise.all([readPemIfExists(paths.caCert), readPemIfExists(paths.caKey)]);
  if (certPem === undefined || keyPem === undefined) throw new Error(`the ${env} platform CA is missing in ${dir}`);
  const issued = await issueLeaf({ certPem, keyPem }, { commonName: `varco-platform-client-${env}`, usage: 'clientAuth', years: CLIENT_YEARS, now });
  // Key first, certificate last: the certificate file is what makes the next certificate exist.
  await writeAtomically(next.key, issued.keyPem, 0o600);
  await writeAtomically(next.cert, issued.certPem, 0o644);
  return { created: true, certPem: issued.certPem };
}

/**
 * Switches the next client certificate in: the current one is kept as `previous-client.*` (for an
 * operator who must roll back by hand), the next one becomes current. Throws when none is waiting.
 */
export async function activateClient(dir: string, env: PkiEnvironment): Promise<{ certPem: string; previousCertPem: string }> {
  const paths = devPkiPaths(dir).envs[env];
  const next = nextClientPaths(dir, env);
  const [nextCert, nextKey, currentCert] = await Promise.all([readPemIfExists(next.cert), readPemIfExists(next.key), readPemIfExists(paths.clientCert)]);
  if (nextCert === undefined || nextKey === undefined || !keyMatches(nextCert, nextKey)) {
    throw new Error(`no next ${env} client certificate is waiting: run \`varco pki rotate-client --env ${env}\` first`);
  }
  await copyFile(paths.clientCert, next.previousCert);
  await copyFile(paths.clientKey, next.previousKey);
  await chmod(next.previousKey, 0o600);
  // Key before certificate, each renamed atomically; the window in which they differ is two renames.
  await rename(next.key, paths.clientKey);
  await rename(next.cert, paths.clientCert);
  return { certPem: nextCert, previousCertPem: currentCert ?? '' };
}

