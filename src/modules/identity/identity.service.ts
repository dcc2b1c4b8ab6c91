import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { randomToken, sha256Hex } from '../../kernel/crypto.ts';
import { VarcoError, fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { checkPassword, hashPassword, verifyPassword, type PasswordProblem } from './password.ts';
import { createPasswordAttempts } from './password-attempts.ts';
import { createPasswordChange } from './password-change.ts';
import * as repo from './identity.repository.ts';
import { createSession, deleteSession, readSession, type SessionLifetime, type SessionView } from './sessions.ts';
import { setAccountDisabled } from './account-access.ts';

export interface IdentityOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  sessionTtlMinutes: number;
  /** Absolute lifetime of a session from sign-in, however active (VARCO_SESSION_ABSOLUTE_HOURS). */
  sessionAbsoluteHours: number;
  signInMaxFailures: number;
  signInLockMinutes: number;
  /** When an account (administrator or referent) is disabled, in its transaction (the composition root withdraws their proposals). */
  onAccountDisabled?: (trx: Kysely<Database>, userId: string) => Promise<void>;
}

export interface SignInInput {
  surface: repo.Surface;
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
}

export type SignInOutcome = Result<{ token: string; sessionId: string; userId: string }, 'invalid_credentials' | 'locked'> & { retryAfterMs?: number };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SETUP_TOKEN_TTL_MS = 24 * 3600_000;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export function createIdentityService(options: IdentityOptions) {
  const { db, clock, audit } = options;
  const lifetime: SessionLifetime = { idleMinutes: options.sessionTtlMinutes, absoluteHours: options.sessionAbsoluteHours };
  const attempts = createPasswordAttempts({ db, clock, maxFailures: options.signInMaxFailures, lockMinutes: options.signInLockMinutes });

  async function signIn(input: SignInInput): Promise<SignInOutcome> {
    const email = input.email.trim().toLowerCase();
    const looked: { user?: repo.UserRow | undefined } = {};
    // The slots are taken before the account is looked up: a refused attempt reaches neither the users table nor argon2.
    const checked = await attempts.check({ surface: input.surface, email, ip: input.ip }, async () => {
      const user = (looked.user = await repo.findUserByEmail(db, repo.SURFACE_USER_KIND[input.surface], email));
      return verifyPassword(user && user.disabled_at === null ? user.password_hash : null, input.password);
    });
    if (checked.kind === 'locked') return { ...fail('locked'), retryAfterMs: checked.retryAfterMs };
    const found = looked.user;
    if (checked.kind === 'wrong' || !found) {
      await db.transaction().execute((trx) =>
        audit.append(trx, {
          actorType: 'anonymous',
          actorId: found?.id ?? null,
          action: 'sign_in.failed',
          subjectType: 'user',
          subjectId: found?.id ?? null,
          ip: input.ip,
          details: { surface: input.surface, email },
        }),
      );
      return fail('invalid_credentials');
    }
    // A fresh session id at every sign-in: a token planted before sign-in never becomes authenticated.
    const session = await db.transaction().execute(async (trx) => {
      // The password may have been changed (and every session ended) while argon2 ran: no session then.
      if (!(await repo.passwordStillIs(trx, found.id, found.password_hash))) return undefined;
      await checked.settle(trx);
      await audit.append(trx, {
        actorType: found.kind,
        actorId: found.id,
        action: 'sign_in.succeeded',
        subjectType: 'user',
        subjectId: found.id,
        ip: input.ip,
        details: { surface: input.surface },
      });
      return createSession(trx, clock, { userId: found.id, surface: input.surface, ip: input.ip, userAgent: input.userAgent, lifetime });
    });
    if (!session) return fail('invalid_credentials');
    return ok({ token: session.token, sessionId: session.id, userId: found.id });
  }

  async function signOut(token: string, ip: string | null): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const userId = await deleteSession(trx, token);
      if (userId) await audit.append(trx, { actorType: 'system', actorId: userId, action: 'sign_out', subjectType: 'user', subjectId: userId, ip });
    });
  }

  function session(token: string, surface: repo.Surface): Promise<SessionView | undefined> {
    return readSession(db, clock, token, surface, lifetime);
  }

  async function createAdmin(input: {
    email: string;
    password: string;
    actor: 'cli' | 'anonymous';
    ip?: string | null;
  }): Promise<Result<{ id: string }, PasswordProblem | 'invalid_email' | 'exists'>> {
    const email = input.email.trim();
    if (!isEmail(email)) return fail('invalid_email');
    const problem = checkPassword(input.password);
    if (problem) return fail(problem);
    if (await repo.findUserByEmail(db, 'admin', email)) return fail('exists');
    const passwordHash = await hashPassword(input.password);
    const id = newId('usr');
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ id, kind: 'admin', email, password_hash: passwordHash, first_name: null, last_name: null }).execute();
      await audit.append(trx, {
        actorType: input.actor,
        action: 'admin.created',
        subjectType: 'user',
        subjectId: id,
        ip: input.ip ?? null,
        details: { email },
      });
    });
    return ok({ id });
  }

  /** One-time link for the first administrator; only issued while there is none. */
  async function issueSetupToken(): Promise<string | undefined> {
    if ((await repo.countAdmins(db)) > 0) return undefined;
    const token = randomToken(32);
    await db
      .insertInto('setup_tokens')
      .values({ token_hash: sha256Hex(token), expires_at: new Date(clock.now().getTime() + SETUP_TOKEN_TTL_MS) })
      .execute();
    return token;
  }

  async function isSetupTokenUsable(token: string): Promise<boolean> {
    const row = await db.selectFrom('setup_tokens').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
    return !!row && row.used_at === null && row.expires_at.getTime() > clock.now().getTime() && (await repo.countAdmins(db)) === 0;
  }

  async function completeSetup(token: string, input: { email: string; password: string; ip: string | null }) {
    if (!(await isSetupTokenUsable(token))) return fail('link_invalid' as const);
    // Every open link is used up at once, in one statement guarded by this one being open, so two links
    // (two starts before anyone set up) submitted at the same moment cannot both create an administrator:
    // the second statement waits for the first's row locks, then finds no link open.
    const hash = sha256Hex(token);
    const claimed = await db
      .updateTable('setup_tokens')
      .set({ used_at: clock.now() })
      .where('used_at', 'is', null)
      .where((eb) =>
        eb.exists(eb.selectFrom('setup_tokens as mine').select('mine.token_hash').where('mine.token_hash', '=', hash).where('mine.used_at', 'is', null)),
      )
      .returning('token_hash')
      .execute();
    const hashes = claimed.map((row) => row.token_hash);
    if (!hashes.includes(hash)) return fail('link_invalid' as const);
    const created = await createAdmin({ email: input.email, password: input.password, actor: 'anonymous', ip: input.ip });
    if (!created.ok) await db.updateTable('setup_tokens').set({ used_at: null }).where('token_hash', 'in', hashes).execute();
    return created;
  }

  /** The language of a user's pages and e-mails, as chosen with the pages' switch. */
  async function setLocale(userId: string, locale: 'en' | 'it'): Promise<void> {
    await db.updateTable('users').set({ locale }).where('id', '=', userId).where('locale', '<>', locale).execute();
  }

  async function localeOf(userId: string): Promise<'en' | 'it' | undefined> {
    return (await db.selectFrom('users').select('locale').where('id', '=', userId).executeTakeFirst())?.locale;
  }

  const changePassword = createPasswordChange({ db, clock, audit, attempts, lifetime });

  return {
    signIn,
    signOut,
    session,
    setLocale,
    localeOf,
    changePassword,
    createAdmin,
    issueSetupToken,
    isSetupTokenUsable,
    completeSetup,
    countAdmins: () => repo.countAdmins(db),
    /** Disables (or enables again) a referent's or an administrator's account: account-access.ts. */
    setAccountDisabled: (input: Parameters<typeof setAccountDisabled>[1]) =>
      setAccountDisabled({ db, clock, audit, onAccountDisabled: options.onAccountDisabled }, input),
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;

export function assertNever(value: never): never {
  throw new VarcoError('internal_error', `Unexpected value ${String(value)}`);
}
