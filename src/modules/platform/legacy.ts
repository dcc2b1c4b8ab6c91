import { join } from 'node:path';
import { issuedBy, keyMatches, type IssuedPair, type PkiEnvironment } from '../../pki/index.ts';
import { readPemIfExists } from './files.ts';

// The data/pki layout of Varco before issue 12: per environment `ca.crt|key`, `client.crt|key`,
// `next-client.crt|key` (published, not active) and `previous-client.crt|key` (replaced). Read once,
// on the first start against a database without a platform PKI, so an existing install keeps the CA
// its organisations trust and the client certificate they allow-listed.

export interface LegacyEnvironment {
  ca: IssuedPair;
  current: IssuedPair | undefined;
  next: IssuedPair | undefined;
  previous: IssuedPair | undefined;
}

/** What `dir` holds for `env`; undefined when it has no usable CA (then a new one is made). */
export async function readLegacyEnvironment(dir: string, env: PkiEnvironment): Promise<LegacyEnvironment | undefined> {
  const base = join(dir, env);
  const ca = await pair(join(base, 'ca.crt'), join(base, 'ca.key'));
  if (ca === undefined) {
    // Never silently replace a CA: organisations' stations may trust it.
    if ((await readPemIfExists(join(base, 'ca.crt'))) !== undefined) {
      throw new Error(`${join(base, 'ca.crt')} cannot be imported: its private key ${join(base, 'ca.key')} is missing or does not match`);
    }
    return undefined;
  }
  // A leaf that no longer chains to the CA (a CA recreated by hand) would fail every handshake: dropped.
  const leaf = async (name: string): Promise<IssuedPair | undefined> => {
    const found = await pair(join(base, `${name}.crt`), join(base, `${name}.key`));
    return found !== undefined && issuedBy(found.certPem, ca.certPem) ? found : undefined;
  };
  return { ca, current: await leaf('client'), next: await leaf('next-client'), previous: await leaf('previous-client') };
}

async function pair(certPath: string, keyPath: string): Promise<IssuedPair | undefined> {
  const [certPem, keyPem] = await Promise.all([readPemIfExists(certPath), readPemIfExists(keyPath)]);
  if (certPem === undefined || keyPem === undefined || !keyMatches(certPem, keyPem)) return undefined;
  return { certPem, keyPem };
}
