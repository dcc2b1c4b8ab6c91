import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { issuedBy, issueServerCertificate, keyMatches, serverNeedsRenewal, type SigningCa } from '../../pki/index.ts';
import { readPemIfExists, writeAtomically } from './files.ts';

// The development HTTPS server certificate (used when VARCO_TLS_CERT is not set) stays on each
// instance's disk: it names that instance's host names, is renewed by the instance itself, and its
// key never needs to leave it. It is issued by the shared test platform CA, so one CA verifies every
// instance. `server-ca.crt` beside it is a public copy of that CA for browsers and tools to trust.

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  /** Server leaf followed by the issuing (test platform) CA. */
  chainPem: string;
  /** The files: certificate, key, issuing CA. */
  paths: { cert: string; key: string; ca: string };
}

/** The files of the development certificate in `dir` (they may not exist yet). */
export function serverCertificatePaths(dir: string): ServerCertificate['paths'] {
  const root = resolve(dir);
  return { cert: join(root, 'server.crt'), key: join(root, 'server.key'), ca: join(root, 'server-ca.crt') };
}

// Serialises concurrent calls for the same directory within this process; otherwise two callers
// could each issue a certificate and the files could end up from different ones.
const inFlight = new Map<string, Promise<unknown>>();

/**
 * The server certificate in `dir`, re-issued when it is missing, does not chain to `ca()` (the CA
 * changed: the platform PKI was created by another instance), is close to expiry or misses a host name.
 */
export async function ensureServerCertificate(opts: {
  dir: string;
  hostNames: string[];
  ca: () => Promise<SigningCa>;
  now?: () => Date;
}): Promise<ServerCertificate> {
  const paths = serverCertificatePaths(opts.dir);
  const previous = inFlight.get(paths.cert) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => ensureUnlocked(paths, opts));
  inFlight.set(paths.cert, run);
  try {
    return await run;
  } finally {
    if (inFlight.get(paths.cert) === run) inFlight.delete(paths.cert);
  }
}

async function ensureUnlocked(
  paths: ServerCertificate['paths'],
  opts: { dir: string; hostNames: string[]; ca: () => Promise<SigningCa>; now?: () => Date },
): Promise<ServerCertificate> {
  const now = (opts.now ?? (() => new Date()))();
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const ca = await opts.ca();
  const [certPem, keyPem] = await Promise.all([readPemIfExists(paths.cert), readPemIfExists(paths.key)]);
  let pair: { certPem: string; keyPem: string };
  if (
    certPem !== undefined &&
    keyPem !== undefined &&
    keyMatches(certPem, keyPem) &&
    issuedBy(certPem, ca.certPem) &&
    !serverNeedsRenewal(certPem, opts.hostNames, now)
  ) {
    await chmod(paths.key, 0o600);
    pair = { certPem, keyPem };
  } else {
    pair = await issueServerCertificate(ca, opts.hostNames, now);
    // Key first, certificate last: a certificate never sits beside a key that is not its own.
    await writeAtomically(paths.key, pair.keyPem, 0o600);
    await writeAtomically(paths.cert, pair.certPem, 0o644);
  }
  if ((await readPemIfExists(paths.ca)) !== ca.certPem) await writeAtomically(paths.ca, ca.certPem, 0o644);
  return { ...pair, chainPem: pair.certPem + ca.certPem, paths };
}
