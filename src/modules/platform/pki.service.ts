import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { VarcoError } from '../../kernel/errors.ts';
import { describeCertificate, issuePlatformClient, PKI_ENVIRONMENTS, type PkiEnvironment, type SigningCa } from '../../pki/index.ts';
import { caAad, clientAad, createMissing, sealerFor, type EnsureReport, type Sealer } from './pki.bootstrap.ts';
import { findCa, findClient, insertClient, liveClients, listCas, promoteNext } from './pki.repository.ts';
import { bumpPkiVersion, pkiVersion } from './settings.repository.ts';

// The platform PKI, shared by every Varco instance on the database: one CA per environment and its
// client certificates (current, next, retired), private keys sealed by the master key. Read through a
// per-process cache: the certificates and the opened keys are kept, and each read compares the
// database's `pki_version` (one primary-key lookup; at most every `cacheTtlMs`), so a rotation or
// activation made by another instance or the CLI is used from that instance's next read on.

/** The public side of an environment: reading it needs no master key once the PKI exists. */
export interface PlatformMaterial {
  caCertPem: string;
  current: { certPem: string; /** Leaf followed by the CA, as presented in the handshake. */ chainPem: string };
  /** Published by `pki rotate-client`, not used until `pki activate-client`. */
  next: { certPem: string; chainPem: string } | undefined;
}

export interface PlatformPkiOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** Opens and seals the private keys; without it (tests that never touch the PKI) every use is refused. */
  masterKey: Buffer | undefined;
  /** data/pki of an earlier Varco, imported once when the database has no PKI yet. */
  legacyDir?: string;
  /**
   * How long a read trusts the cache without comparing versions. Default 0: every read compares, so
   * an activation holds at the next call (the readers are few: the station caller keeps its identity
   * 10 s, verification and downloads are occasional).
   */
  cacheTtlMs?: number;
}

/**
 * Runs inside the PKI change's transaction (e-mails to referents, audit rows), so all commit together:
 * the certificate published or switched in, and (activation) the one it replaced, '' when none.
 */
/** What a mutual-TLS client presents: the current chain and its private key, opened with the master key. */
export interface PlatformIdentity {
  certChainPem: string;
  keyPem: string;
}

export type InTransaction = (trx: Transaction<Database>, certPem: string, previousCertPem: string) => Promise<void>;

const LOCK = 'varco.platform.pki';
const DEFAULT_TTL_MS = 0;

interface Entry {
  material: PlatformMaterial;
  sealedKey: string;
  aad: string;
  /** Opened on the first identity() of this version; downloads and expiry checks never open it. */
  keyPem?: string;
}

interface Snapshot {
  version: string;
  checkedAt: number;
  envs: Map<PkiEnvironment, Entry>;
}

/**
 * Whether the platform PKI exists (a CA for every environment), read without creating or importing
 * anything: `varco doctor` checks the certificates only then; the first start makes (or imports) them.
 */
export async function platformPkiCreated(db: Kysely<Database>): Promise<boolean> {
  return (await listCas(db)).length === PKI_ENVIRONMENTS.length;
}

export function createPlatformPki(options: PlatformPkiOptions) {
  const { db, clock } = options;
  const ttl = options.cacheTtlMs ?? DEFAULT_TTL_MS;
  let cached: Snapshot | undefined;
  let loading: Promise<Snapshot> | undefined;
  let ensured: Promise<EnsureReport> | undefined;
  // Bumped by this instance's own changes: a read that started before one must not cache what it found.
  let generation = 0;

  const sealer = (): Sealer => {
    if (options.masterKey === undefined) throw new Error('the platform PKI needs the master key (VARCO_MASTER_KEY)');
    return sealerFor(options.masterKey);
  };

  /** Creates (or imports) what is missing, once per process; retried after a failure. */
  function ensure(): Promise<EnsureReport> {
    ensured ??= ensureNow().catch((error: unknown) => {
      ensured = undefined;
      throw error;
    });
    return ensured;
  }

  async function ensureNow(): Promise<EnsureReport> {
    if ((await listCas(db)).length === PKI_ENVIRONMENTS.length) return { created: [], imported: [] };
    const box = sealer();
    // N instances starting at once on a fresh database: the lock lets one create; the others then
    // find its rows (READ COMMITTED: each statement after the lock sees what the winner committed).
    return db.transaction().execute(async (trx) => {
      await lock(trx);
      const report = await createMissing(trx, box, clock.now(), options.legacyDir);
      if (report.created.length + report.imported.length > 0) await bumpPkiVersion(trx);
      return report;
    });
  }

  async function refresh(): Promise<Snapshot> {
    await ensure();
    const version = await pkiVersion(db);
    if (cached && cached.version === version) return { ...cached, checkedAt: Date.now() };
    const cas = new Map((await listCas(db)).map((row) => [row.environment, row.cert_pem]));
    const clients = await liveClients(db);
    const envs = new Map<PkiEnvironment, Entry>();
    for (const env of PKI_ENVIRONMENTS) {
      const caCertPem = cas.get(env);
      const current = clients.find((row) => row.environment === env && row.state === 'current');
      if (caCertPem === undefined || current === undefined) throw new Error(`the ${env} platform PKI is incomplete in the database`);
      const next = clients.find((row) => row.environment === env && row.state === 'next');
      envs.set(env, {
        sealedKey: current.key_sealed,
        aad: clientAad(env, current.fingerprint_sha256),
        material: {
          caCertPem,
          current: { certPem: current.cert_pem, chainPem: current.cert_pem + caCertPem },
          next: next === undefined ? undefined : { certPem: next.cert_pem, chainPem: next.cert_pem + caCertPem },
        },
      });
    }
    return { version, checkedAt: Date.now(), envs };
  }

  /** The CA and client certificates of `env`, at most `cacheTtlMs` old. */
  async function material(env: PkiEnvironment): Promise<PlatformMaterial> {
    return (await entry(env)).material;
  }

  /** The current client certificate of `env` with its private key, for the mutual-TLS clients. */
  async function identity(env: PkiEnvironment): Promise<PlatformIdentity> {
    const found = await entry(env);
    found.keyPem ??= sealer().open(found.sealedKey, found.aad);
    return { certChainPem: found.material.current.chainPem, keyPem: found.keyPem };
  }

  async function entry(env: PkiEnvironment): Promise<Entry> {
    let snapshot = cached;
    if (!snapshot || Date.now() - snapshot.checkedAt >= ttl) {
      const started = generation;
      loading ??= refresh().finally(() => {
        loading = undefined;
      });
      snapshot = await loading;
      if (started === generation) cached = snapshot;
    }
    const found = snapshot.envs.get(env);
    if (found === undefined) throw new Error(`unknown PKI environment ${String(env)}`);
    return found;
  }

  /** The CA of `env` with its private key, to issue a certificate (rotation, development HTTPS certificate). */
  async function signingCa(env: PkiEnvironment): Promise<SigningCa> {
    await ensure();
    const row = await findCa(db, env);
    if (row === undefined) throw new Error(`the ${env} platform CA is missing in the database`);
    return { certPem: row.cert_pem, keyPem: sealer().open(row.key_sealed, caAad(env)) };
  }

  /**
   * Issues the next client certificate of `env`, unless one is already waiting (then it is returned
   * unchanged: publishing twice must not replace what organisations installed).
   */
  async function rotate(env: PkiEnvironment, published?: InTransaction): Promise<{ created: boolean; certPem: string }> {
    await ensure();
    const box = sealer();
    const result = await db.transaction().execute(async (trx) => {
      await lock(trx);
      const waiting = await findClient(trx, env, 'next');
      if (waiting !== undefined) return { created: false, certPem: waiting.cert_pem };
      const ca = await findCa(trx, env);
      if (ca === undefined) throw new Error(`the ${env} platform CA is missing in the database`);
      const issued = await issuePlatformClient({ certPem: ca.cert_pem, keyPem: box.open(ca.key_sealed, caAad(env)) }, env, clock.now());
      const fingerprint = describeCertificate(issued.certPem).fingerprintSha256;
      await insertClient(trx, {
        fingerprint_sha256: fingerprint,
        environment: env,
        state: 'next',
        cert_pem: issued.certPem,
        key_sealed: box.seal(issued.keyPem, clientAad(env, fingerprint)),
        origin: 'created',
        now: clock.now(),
      });
      await bumpPkiVersion(trx);
      await published?.(trx, issued.certPem, '');
      return { created: true, certPem: issued.certPem };
    });
    forget();
    return result;
  }

  /** Switches the next client certificate of `env` in; the current one is retired. Refused when none is waiting. */
  async function activate(env: PkiEnvironment, activated?: InTransaction): Promise<{ certPem: string; previousCertPem: string }> {
    await ensure();
    const result = await db.transaction().execute(async (trx) => {
      await lock(trx);
      const next = await findClient(trx, env, 'next');
      if (next === undefined) {
        throw new VarcoError('invalid_state_transition', `no next ${env} client certificate is waiting: run \`varco pki rotate-client --env ${env}\` first`);
      }
      const current = await findClient(trx, env, 'current');
      await promoteNext(trx, env, clock.now());
      await bumpPkiVersion(trx);
      await activated?.(trx, next.cert_pem, current?.cert_pem ?? '');
      return { certPem: next.cert_pem, previousCertPem: current?.cert_pem ?? '' };
    });
    forget();
    return result;
  }

  function forget(): void {
    generation += 1;
    cached = undefined;
    loading = undefined;
  }

  return { ensure, material, identity, signingCa, rotate, activate };
}

export type PlatformPki = ReturnType<typeof createPlatformPki>;

async function lock(trx: Transaction<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${LOCK}))`.execute(trx);
}
