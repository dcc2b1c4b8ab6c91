import { rootCertificates } from 'node:tls';
import { X509Certificate as Cert } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { getOrganisation } from '../organisations/index.ts';
import type { TrustStore } from '../outbound/index.ts';
import type { StationActor } from './stations.service.ts';
import type { Environment } from './station.policy.ts';
import { createTrustChanges, type TrustChanges } from './trust.changes.ts';

// Trusted roots for checking organisations' server certificates. Every connection starts from the
// Mozilla store Node bundles (CAs of the CA/Browser Forum); administrators authorise more CAs per
// environment, each for ONE organisation (typically its private CA) or, chosen explicitly, for
// every organisation. The roots of a call to an organisation are the Mozilla store, the CAs for
// everyone and that organisation's own — never another organisation's, so a CA one organisation
// brought cannot vouch for a certificate presented at another organisation's station (issue 10).

export type TrustProblem = 'not_a_certificate' | 'not_a_ca' | 'expired' | 'already_trusted' | 'development_ca_in_prod' | 'organisation_not_found';

export const TRUST_PROBLEM_TEXT: Record<TrustProblem, string> = {
  not_a_certificate: 'The file is not a PEM certificate.',
  not_a_ca: 'The certificate is not a CA certificate (basicConstraints CA:TRUE is missing).',
  development_ca_in_prod:
    'A Varco development CA can be trusted only in the test environment, and Varco’s own production CA not at all (it issues only Varco’s client certificates).',
  expired: 'The CA certificate has expired.',
  already_trusted: 'This CA is already trusted for this organisation (or for every organisation) in this environment.',
  organisation_not_found: 'No such organisation.',
};

/** Whom a CA is trusted for: one organisation, or — an explicit choice — every organisation. */
export type TrustScope = { organisationId: string } | { allOrganisations: true };

function parseSingle(pem: string): Cert | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length !== 1 || !blocks[0]) return undefined;
  try {
    return new Cert(blocks[0]);
  } catch {
    return undefined;
  }
}

const organisationOf = (scope: TrustScope): string | null => ('organisationId' in scope ? scope.organisationId : null);

export interface TrustServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** For the LISTEN connection that tells this instance of every change (trust.changes.ts); without it caches re-read at every call. */
  databaseUrl?: string;
  logger?: { warn(obj: object, msg?: string): void };
}

export function createTrustService(options: TrustServiceOptions) {
  const { db, clock, audit } = options;
  const changes = createTrustChanges({ databaseUrl: options.databaseUrl, ...(options.logger ? { logger: options.logger } : {}) });

  /** Every check of `add` without adding: a four-eyes proposal is refused up front for what would fail anyway. */
  async function check(env: Environment, pem: string, scope: TrustScope): Promise<Result<{ cert: Cert; organisationId: string | null }, TrustProblem>> {
    const cert = parseSingle(pem);
    if (!cert) return fail('not_a_certificate');
    if (!cert.ca) return fail('not_a_ca');
    if (new Date(cert.validTo).getTime() <= clock.now().getTime()) return fail('expired');
    // Varco's own development PKI is for testing: production connections never trust it; nor do they
    // trust Varco's production platform CA, which issues only Varco's own client certificates.
    if (env === 'prod' && /O=Varco Development|CN=Varco Platform Root CA \(prod\)/.test(cert.subject.replace(/\n/g, ', ')))
      return fail('development_ca_in_prod');
    const organisationId = organisationOf(scope);
    if (organisationId !== null && !(await getOrganisation(db, organisationId))) return fail('organisation_not_found');
    const fingerprint = cert.fingerprint256;
    // Trusted for everyone already covers the organisation; the same organisation twice is a repeat.
    const existing = await db
      .selectFrom('trusted_cas')
      .select('id')
      .where('environment', '=', env)
      .where('fingerprint_sha256', '=', fingerprint)
      .where('removed_at', 'is', null)
      .where((eb) => eb.or([eb('organisation_id', 'is', null), ...(organisationId === null ? [] : [eb('organisation_id', '=', organisationId)])]))
      .executeTakeFirst();
    if (existing) return fail('already_trusted');
    return ok({ cert, organisationId });
  }

  async function add(
    env: Environment,
    pem: string,
    scope: TrustScope,
    actor: StationActor,
  ): Promise<Result<{ id: string; subject: string; fingerprint: string }, TrustProblem>> {
    const checked = await check(env, pem, scope);
    if (!checked.ok) return checked;
    const { cert, organisationId } = checked.value;
    const fingerprint = cert.fingerprint256;
    const id = newId('tca');
    const subject = cert.subject.replace(/\n/g, ', ');
    try {
      await insertCa({ id, env, cert, subject, organisationId }, actor);
    } catch (error) {
      // The same CA added twice at once: the partial unique index decides.
      if ((error as { code?: string }).code === '23505') return fail('already_trusted');
      throw error;
    }
    return ok({ id, subject, fingerprint });
  }

  async function insertCa(
    row: { id: string; env: Environment; cert: Cert; subject: string; organisationId: string | null },
    actor: StationActor,
  ): Promise<void> {
    const fingerprint = row.cert.fingerprint256;
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('trusted_cas')
        .values({
          id: row.id,
          environment: row.env,
          organisation_id: row.organisationId,
          pem: row.cert.toString(),
          subject: row.subject,
          fingerprint_sha256: fingerprint,
          not_after: new Date(row.cert.validTo),
          added_by: actor.id,
          added_at: clock.now(),
        })
        .execute();
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'trust.ca_added',
        subjectType: 'trusted_ca',
        subjectId: row.id,
        ...(row.organisationId === null ? {} : { organisationId: row.organisationId }),
        details: { environment: row.env, subject: row.subject, fingerprint, scope: row.organisationId ?? 'all_organisations' },
      });
    });
    // Committed: this process's caches follow at once; the others at the trigger's notification.
    changes.changed();
  }

  async function remove(id: string, actor: StationActor): Promise<boolean> {
    const removed = await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('trusted_cas')
        .set({ removed_at: clock.now() })
        .where('id', '=', id)
        .where('removed_at', 'is', null)
        .returning(['environment', 'subject', 'organisation_id'])
        .executeTakeFirst();
      if (!row) return false;
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'trust.ca_removed',
        subjectType: 'trusted_ca',
        subjectId: id,
        ...(row.organisation_id === null ? {} : { organisationId: row.organisation_id }),
        details: { environment: row.environment, subject: row.subject, scope: row.organisation_id ?? 'all_organisations' },
      });
      return true;
    });
    if (removed) changes.changed();
    return removed;
  }

  /** Active CAs of `env`; `organisation_id` null means trusted for every organisation. */
  const list = (env: Environment) =>
    db
      .selectFrom('trusted_cas')
      .select(['id', 'environment', 'organisation_id', 'subject', 'fingerprint_sha256', 'not_after', 'added_at'])
      .where('environment', '=', env)
      .where('removed_at', 'is', null)
      .orderBy('added_at')
      .execute();

  /**
   * The roots a call in `env` to `organisationId` trusts: the bundled Mozilla store, the CAs for
   * every organisation, and that organisation's own. `null` (a call on nobody's behalf): no
   * organisation's CA.
   */
  async function rootsFor(env: Environment, organisationId: string | null): Promise<string[]> {
    const extra = await db
      .selectFrom('trusted_cas')
      .select('pem')
      .where('environment', '=', env)
      .where('removed_at', 'is', null)
      .where((eb) => eb.or([eb('organisation_id', 'is', null), ...(organisationId === null ? [] : [eb('organisation_id', '=', organisationId)])]))
      .orderBy('added_at')
      .orderBy('id')
      .execute();
    return [...rootCertificates, ...extra.map((r) => r.pem)];
  }

  /** `check` for callers outside the module: the CA's fingerprint and subject, or why `add` would refuse it. */
  async function checkAdd(env: Environment, pem: string, scope: TrustScope): Promise<Result<{ fingerprint: string; subject: string }, TrustProblem>> {
    const checked = await check(env, pem, scope);
    if (!checked.ok) return checked;
    return ok({ fingerprint: checked.value.cert.fingerprint256, subject: checked.value.cert.subject.replace(/\n/g, ', ') });
  }

  return { add, checkAdd, remove, list, rootsFor, changes };
}

export type TrustService = ReturnType<typeof createTrustService>;

/**
 * `rootsFor` for the hot paths (every feedback delivery, every station call), and the SAME TrustStore
 * object while the content is unchanged, because the outbound client keys its pools and TLS contexts
 * on that object. Cached roots are used only while the trust store's generation they were read under
 * is current (a CA added or removed anywhere moves it at commit: trust.changes.ts); `ttlMs` is a
 * safety net. Without a generation (not listening, or no `changes`) every call re-reads. Calls that
 * miss while a read of the same generation is under way share it: at a cold start the worker's
 * first 50 deliveries each read the roots, hashed them and replaced the pool (a TLS handshake each).
 */
export function createTrustCache(trust: Pick<TrustService, 'rootsFor'> & { changes?: Pick<TrustChanges, 'generation'> }, ttlMs = 60_000) {
  const cache = new Map<string, { store: TrustStore; at: number; generation: number | undefined }>();
  const reading = new Map<string, { generation: number; store: Promise<TrustStore> }>();
  const read = async (key: string, env: Environment, organisationId: string | null, generation: number | undefined): Promise<TrustStore> => {
    const roots = await trust.rootsFor(env, organisationId);
    const cached = cache.get(key);
    const same = cached !== undefined && cached.store.roots.length === roots.length && cached.store.roots.every((root, i) => root === roots[i]);
    const store = same ? cached.store : { roots };
    // A read that finishes after one begun under a newer generation leaves that one's entry in place.
    const newer = cached?.generation !== undefined && generation !== undefined && cached.generation > generation;
    if (!newer) cache.set(key, { store, at: Date.now(), generation });
    return store;
  };
  return (env: Environment, organisationId: string | null): Promise<TrustStore> => {
    const key = `${env}:${organisationId ?? '*'}`;
    const cached = cache.get(key);
    // Read before the query: a change committed while it runs leaves the entry already stale.
    const generation = trust.changes?.generation();
    if (cached && generation !== undefined && cached.generation === generation && Date.now() - cached.at < ttlMs) return Promise.resolve(cached.store);
    if (generation === undefined) return read(key, env, organisationId, generation);
    const pending = reading.get(key);
    if (pending !== undefined && pending.generation === generation) return pending.store;
    const store = read(key, env, organisationId, generation);
    reading.set(key, { generation, store });
    const forget = (): void => {
      if (reading.get(key)?.store === store) reading.delete(key);
    };
    store.then(forget, forget);
    return store;
  };
}

export type TrustCache = ReturnType<typeof createTrustCache>;
