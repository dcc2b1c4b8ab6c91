import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { deleteUserSessions } from './sessions.ts';

// Disabling a person's account (a referent who left, an administrator who must no longer act) and
// enabling it again. A disabled account signs in nowhere, its sessions end at once (every request
// reads the account: sessions.ts), it gets no e-mail for its organisation, resets no password, and a
// disabled administrator can neither propose nor approve (four-eyes counts enabled ones only). The
// account and everything it did stay: the audit log names it.

export interface AccessActor {
  type: 'admin' | 'cli';
  id: string | null;
  ip: string | null;
}

export type AccessProblem = 'not_found' | 'own_account' | 'last_admin';

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
  deps: { db: Kysely<Database>; clock: Clock; audit: AuditLog },
  input: { user: { id: string } | { email: string }; disabled: boolean; actor: AccessActor; only?: 'referent' },
): Promise<Result<AccessChanged, AccessProblem>> {
  const { db, clock, audit } = deps;
  return db.transaction().execute(async (trx): Promise<Result<AccessChanged, AccessProblem>> => {
    // Administrators are serialised on one lock, so two disabling each other at once cannot leave none.
    await trx.selectFrom('users').select('id').where('kind', '=', 'admin').orderBy('id').forUpdate().execute();
    let query = trx.selectFrom('users').select(['id', 'email', 'kind', 'organisation_id', 'disabled_at']);
    query = 'id' in input.user ? query.where('id', '=', input.user.id) : query.where('email', '=', input.user.email.trim().toLowerCase());
    const user = await query.forUpdate().executeTakeFirst();
    if (!user || (user.kind !== 'admin' && user.kind !== 'referent') || (input.only !== undefined && user.kind !== input.only)) return fail('not_found');
    const base = { userId: user.id, email: user.email, kind: user.kind, organisationId: user.organisation_id };
    if ((user.disabled_at !== null) === input.disabled) return ok({ ...base, sessionsEnded: 0, changed: false });
    if (input.disabled && user.id === input.actor.id) return fail('own_account');
    if (input.disabled && user.kind === 'admin') {
      const enabled = await trx
        .selectFrom('users')
        .select(({ fn }) => fn.countAll<string>().as('n'))
        .where('kind', '=', 'admin')
        .where('disabled_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(enabled.n) <= 1) return fail('last_admin');
    }
    const now = clock.now();
    await trx
      .updateTable('users')
      .set({ disabled_at: input.disabled ? now : null })
      .where('id', '=', user.id)
      .execute();
    const sessionsEnded = input.disabled ? await deleteUserSessions(trx, user.id) : 0;
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
