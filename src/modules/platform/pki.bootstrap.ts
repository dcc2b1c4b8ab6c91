import type { Transaction } from 'kysely';
import type { Database } from '../../db/index.ts';
import { open, seal } from '../../kernel/secretbox.ts';
import { createPlatformCa, describeCertificate, issuePlatformClient, PKI_ENVIRONMENTS, type IssuedPair, type PkiEnvironment } from '../../pki/index.ts';
import { readLegacyEnvironment } from './legacy.ts';
import { insertCa, insertClient, listCas, type ClientState, type Origin } from './pki.repository.ts';

// First start of the platform PKI, inside the caller's transaction and advisory lock: each
// environment without a CA gets the one of an earlier Varco's data/pki (imported with its client
// certificates) or a new CA and client certificate.

export interface EnsureReport {
  /** Environments whose CA and client certificate were made now. */
  created: PkiEnvironment[];
  /** Environments imported now from the data directory of an earlier Varco. */
  imported: PkiEnvironment[];
}

/** Seals and opens private keys with the master key; the aad names the row, so a key moved to another row does not open. */
export interface Sealer {
  seal(keyPem: string, aad: string): string;
  open(sealed: string, aad: string): string;
}

export function sealerFor(masterKey: Buffer): Sealer {
  return { seal: (keyPem, aad) => seal(masterKey, keyPem, aad), open: (sealed, aad) => open(masterKey, sealed, aad) };
}

export const caAad = (env: PkiEnvironment): string => `platform-ca:${env}`;
export const clientAad = (env: PkiEnvironment, fingerprint: string): string => `platform-client:${env}:${fingerprint}`;

export async function createMissing(trx: Transaction<Database>, box: Sealer, now: Date, legacyDir: string | undefined): Promise<EnsureReport> {
  const present = new Set((await listCas(trx)).map((row) => row.environment));
  const report: EnsureReport = { created: [], imported: [] };
  for (const env of PKI_ENVIRONMENTS) {
    if (present.has(env)) continue;
    const legacy = legacyDir === undefined ? undefined : await readLegacyEnvironment(legacyDir, env);
    if (legacy === undefined) {
      const ca = await createPlatformCa(env, now);
      await insertCa(trx, { environment: env, cert_pem: ca.certPem, key_sealed: box.seal(ca.keyPem, caAad(env)), origin: 'created' });
      await insertLeaves(trx, box, env, now, [{ state: 'current', pair: await issuePlatformClient(ca, env, now), origin: 'created' }]);
      report.created.push(env);
    } else {
      await insertCa(trx, { environment: env, cert_pem: legacy.ca.certPem, key_sealed: box.seal(legacy.ca.keyPem, caAad(env)), origin: 'imported' });
      // An imported CA without a usable client certificate gets a new one from that CA.
      const current: Leaf =
        legacy.current === undefined
          ? { state: 'current', pair: await issuePlatformClient(legacy.ca, env, now), origin: 'created' }
          : { state: 'current', pair: legacy.current, origin: 'imported' };
      await insertLeaves(trx, box, env, now, [
        current,
        { state: 'next', pair: legacy.next, origin: 'imported' },
        { state: 'retired', pair: legacy.previous, origin: 'imported' },
      ]);
      report.imported.push(env);
    }
  }
  return report;
}

interface Leaf {
  state: ClientState;
  pair: IssuedPair | undefined;
  origin: Origin;
}

async function insertLeaves(trx: Transaction<Database>, box: Sealer, env: PkiEnvironment, now: Date, leaves: Leaf[]): Promise<void> {
  const seen = new Set<string>();
  for (const { state, pair, origin } of leaves) {
    if (pair === undefined) continue;
    const fingerprint = describeCertificate(pair.certPem).fingerprintSha256;
    // previous-client may be a copy of the current one (an activation undone by hand): kept once.
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    await insertClient(trx, {
      fingerprint_sha256: fingerprint,
      environment: env,
      state,
      cert_pem: pair.certPem,
      key_sealed: box.seal(pair.keyPem, clientAad(env, fingerprint)),
      origin,
      now,
    });
  }
}
