import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { checkPassword, hashPassword, verifyPassword, type PasswordProblem } from './password.ts';
import type { PasswordAttempts } from './password-attempts.ts';
import * as repo from './identity.repository.ts';
import { createSession, deleteUserSessions, type SessionLifetime } from './sessions.ts';

// "Change password" for a signed-in administrator or referent. A changed password ends every session
// of the person (someone who knew the old password may hold one) and gives this browser a new one.

export interface ChangePasswordInput {
  userId: string;
  surface: repo.Surface;
  current: string;
  next: string;
  confirm: string;
  ip: string | null;
  userAgent: string | null;
}

export type ChangePasswordOutcome = Result<{ token: string; sessionsEnded: number }, 'invalid_credentials' | 'locked' | PasswordProblem> & {
  retryAfterMs?: number;
};

export function createPasswordChange(deps: { db: Kysely<Database>; clock: Clock; audit: AuditLog; attempts: PasswordAttempts; lifetime: SessionLifetime }) {
  const { db, clock, audit } = deps;

  return async function changePassword(input: ChangePasswordInput): Promise<ChangePasswordOutcome> {
    // The new password's rules first: a form refused for them has not guessed anything.
    const problem = checkPassword(input.next, input.confirm);
    if (problem) return fail(problem);
    const user = await repo.findUserById(db, input.userId);
    const verifiedHash = user?.password_hash;
    if (!user || user.disabled_at !== null || !verifiedHash) return fail('invalid_credentials');
    // Same slots as sign-in: a stolen session does not buy more guesses at the password.
    const checked = await deps.attempts.check({ surface: input.surface, email: user.email, ip: input.ip }, () => verifyPassword(verifiedHash, input.current));
    if (checked.kind === 'locked') return { ...fail('locked'), retryAfterMs: checked.retryAfterMs };
    const who = { actorType: user.kind, actorId: user.id, subjectType: 'user', subjectId: user.id, organisationId: user.organisation_id, ip: input.ip };
    if (checked.kind === 'wrong') {
      await db.transaction().execute((trx) => audit.append(trx, { ...who, action: 'password.change_failed', details: { surface: input.surface } }));
      return fail('invalid_credentials');
    }
    const newHash = await hashPassword(input.next);
    const changed = await db.transaction().execute(async (trx) => {
      if (!(await repo.replacePassword(trx, user.id, verifiedHash, newHash))) return undefined;
      await checked.settle(trx);
      const sessionsEnded = await deleteUserSessions(trx, user.id);
      await audit.append(trx, { ...who, action: 'password.changed', details: { surface: input.surface, sessionsEnded } });
      const session = await createSession(trx, clock, {
        userId: user.id,
        surface: input.surface,
        ip: input.ip,
        userAgent: input.userAgent,
        lifetime: deps.lifetime,
      });
      return { token: session.token, sessionsEnded };
    });
    // Another change won the race: the current password typed here is no longer the password.
    return changed ? ok(changed) : fail('invalid_credentials');
  };
}
