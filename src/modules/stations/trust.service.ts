import { rootCertificates } from 'node:tls';
import { X509Certificate as Cert } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import type { StationActor } from './stations.service.ts';
import type { Environment } from './station.policy.ts';

// Trusted roots for checking organisations' server certificates. Both environments start from the
// Mozilla store Node bundles (CAs of the CA/Browser Forum); administrators may authorise more CAs
// per environment — in test typically private CAs (Varco's own development CA, an organisation's
// internal CA), in prod a CA an administrator has decided to accept.

export type TrustProblem = 'not_a_certificate' | 'not_a_ca' | 'expired' | 'already_trusted' | 'development_ca_in_prod';

export const TRUST_PROBLEM_TEXT: Record<TrustProblem, string> = {
  not_a_certificate: 'The file is not a PEM certificate.',
  not_a_ca: 'The certificate is not a CA certificate (basicConstraints CA:TRUE is missing).',
  development_ca_in_prod: 'A Varco development CA can be trusted only in the test environment.',
  expired: 'The CA certificate has expired.',
  already_trusted: 'This CA is already trusted in this environment.',
};

function parseSingle(pem: string): Cert | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length !== 1 || !blocks[0]) return undefined;
  try {
    return new Cert(blocks[0]);
  } catch {
    return undefined;
  }
}

export function createTrustService(options: { db: Kysely<Database>; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = options;

  async function add(env: Environment, pem: string, actor: StationActor): Promise<Result<{ id: string; subject: string; fingerprint: string }, TrustProblem>> {
    const cert = parseSingle(pem);
    if (!cert) return fail('not_a_certificate');
    if (!cert.ca) return fail('not_a_ca');
    if (new Date(cert.validTo).getTime() <= clock.now().getTime()) return fail('expired');
    // Varco's own development PKI is for testing: production connections never trust it.
    if (env === 'prod' && /O=Varco Development/.test(cert.subject.replace(/\n/g, ', '))) return fail('development_ca_in_prod');
    const fingerprint = cert.fingerprint256;
    const existing = await db.selectFrom('trusted_cas').select('id').where('environment', '=', env).where('fingerprint_sha256', '=', fingerprint)
      .where('removed_at', 'is', null).executeTakeFirst();
    if (existing) return fail('already_trusted');
    const id = newId('tca');
    const subject = cert.subject.replace(/\n/g, ', ');
    try {
      await insertCa(id, env, cert, subject, actor);
    } catch (error) {
      // The same CA added twice at once: the partial unique index decides.
      if ((error as { code?: string }).code === '23505') return fail('already_trusted');
      throw error;
    }
    return ok({ id, subject, fingerprint });
  }

  async function insertCa(id: string, env: Environment, cert: Cert, subject: string, actor: StationActor): Promise<void> {
    const fingerprint = cert.fingerprint256;
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('trusted_cas').values({ id, environment: env, pem: cert.toString(), subject, fingerprint_sha256: fingerprint,
        not_after: new Date(cert.validTo), added_by: actor.id, added_at: clock.now() }).execute();
      await audit.append(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, action: 'trust.ca_added', subjectType: 'trusted_ca', subjectId: id,
        details: { environment: env, subject, fingerprint } });
    });
  }

  async function remove(id: string, actor: StationActor): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('trusted_cas').set({ removed_at: clock.now() }).where('id', '=', id).where('removed_at', 'is', null)
        .returning(['environment', 'subject']).executeTakeFirst();
      if (!row) return false;
      await audit.append(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, action: 'trust.ca_removed', subjectType: 'trusted_ca', subjectId: id,
        details: { environment: row.environment, subject: row.subject } });
      return true;
    });
  }

  const list = (env: Environment) => db.selectFrom('trusted_cas').select(['id', 'environment', 'subject', 'fingerprint_sha256', 'not_after', 'added_at'])
    .where('environment', '=', env).where('removed_at', 'is', null).orderBy('added_at').execute();

  /** The roots a connection in `env` trusts: the bundled Mozilla store plus authorised CAs. */
  async function roots(env: Environment): Promise<string[]> {
    const extra = await db.selectFrom('trusted_cas').select('pem').where('environment', '=', env).where('removed_at', 'is', null).execute();
    return [...rootCertificates, ...extra.map((r) => r.pem)];
  }

  return { add, remove, list, roots };
}

export type TrustService = ReturnType<typeof createTrustService>;
