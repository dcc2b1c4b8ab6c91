import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { countAdmins } from './identity.repository.ts';
import { deleteUserSessions } from './sessions.ts';

// Disabling a person's account (a referent who left, an administrator who must no longer act) and
// enabling it again. A disabled account signs in nowhere, its sessions end at once (every request
// reads the account: sessions.ts), it gets no e-mail for its organisation, resets no password, and a
// disabled administrator can neither propose nor approve (four-eyes counts enabled ones only), and the
// pending proposals of any disabled account end with it. The
// account and everything it did stay: the audit log names it.

export interface AccessActor {
  type: 'admin' | 'cli';
  id: string | null;
  ip: string | null;
}

/** `ambiguous`: an administrator and a referent share the e-mail; the caller names which (`only`). */
export type AccessProblem = 'not_found' | 'ambiguous' | 'own_account' | 'last_admin';

export interface AccessChanged {
  userId: string;
  email: string;
  kind: 'admin' | 'referent';
  organisationId: string | null;
  /** Sessions ended by a disable. */
  sessionsEnded: number;
  /** False when the account already was as asked (nothing changed, nothing audited). */
  changed: boolean;
}

export async function setAccountDisabled(
  deps: {
    db: Kysely<Database>;
    clock: Clock;
    audit: AuditLog;
    /** In the same transaction, after an account (administrator or referent) is disabled: other modules end what it left waiting (its proposals). */
    onAccountDisabled?: ((trx: Kysely<Database>, userId: string) => Promise<void>) | undefined;
  },
  input: { user: { id: string } | { email: string }; disabled: boolean; actor: AccessActor; only?: 'admin' | 'referent' },
): Promise<Result<AccessChanged, AccessProblem>> {
  const { db, clock, audit } = deps;
  return db.transaction().execute(async (trx): Promise<Result<AccessChanged, AccessProblem>> => {
    let query = trx.selectFrom('users').select(['id', 'email', 'kind', 'organisation_id', 'disabled_at']).where('kind', 'in', ['admin', 'referent']);
    if (input.only !== undefined) query = query.where('kind', '=', input.only);
    // E-mails are unique per kind whatever their case (the index is on lower(email)), as typed or stored.
    query = 'id' in input.user ? query.where('id', '=', input.user.id) : query.where(sql`lower(email)`, '=', input.user.email.trim().toLowerCase());
    const found = await query.forUpdate().execute();
    if (found.length > 1) return fail('ambiguous');
    const user = found[0];
    if (user === undefined || (user.kind !== 'admin' && user.kind !== 'referent')) return fail('not_found');
    const base = { userId: user.id, email: user.email, kind: user.kind, organisationId: user.organisation_id };
    if ((user.disabled_at !== null) === input.disabled) return ok({ ...base, sessionsEnded: 0, changed: false });
    if (input.disabled && user.id === input.actor.id) return fail('own_account');
    if (input.disabled && user.kind === 'admin') {
      // Disabling administrators is serialised, so two disabling each other at once cannot leave none.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended('varco:disable-admin', 0))`.execute(trx);
      if ((await countAdmins(trx, { enabledOnly: true })) <= 1) return fail('last_admin');
    }
    const now = clock.now();
    await trx
      .updateTable('users')
      .set({ disabled_at: input.disabled ? now : null })
      .where('id', '=', user.id)
      .execute();
    const sessionsEnded = input.disabled ? await deleteUserSessions(trx, user.id) : 0;
    // A referent's too: their pending key regeneration must not be approved once they have left.
    if (input.disabled) await deps.onAccountDisabled?.(trx, user.id);
    await audit.append(trx, {
      actorType: input.actor.type,
      actorId: input.actor.id,
      ip: input.actor.ip,
      action: input.disabled ? 'user.disabled' : 'user.enabled',
      subjectType: 'user',
      subjectId: user.id,
      organisationId: user.organisation_id,
      details: { email: user.email, kind: user.kind, ...(input.disabled ? { sessionsEnded } : {}) },
    });
    return ok({ ...base, sessionsEnded, changed: true });
  });
}
