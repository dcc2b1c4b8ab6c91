import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { isId, newId } from '../../kernel/ids.ts';
import { randomToken, sha256Hex } from '../../kernel/crypto.ts';
import { fail, ok, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { checkPassword, hashPassword, type PasswordProblem } from './password.ts';
import * as repo from './identity.repository.ts';
import { deleteUserSessions } from './sessions.ts';
import { addressBucket, type ThrottleLimits } from './throttle.policy.ts';
import { clearThrottle, takeSlots } from './throttle.repository.ts';
import { accountThrottleKey } from './password-attempts.ts';

// Password reset by e-mail (issue 14) for administrators and referents. The page's request does the
// same work whatever address it names: it takes a slot of the asking address (IP) and records the
// request (`queue`: an outbox message), and answers. The account is looked up afterwards, by the worker
// (`fulfil`): for an account it stores a row and queues an e-mail naming the row. Done while the page
// waited, that work made the answer slower for an address with an account than for one without, which
// told the one from the other (account enumeration). The link's token is made when the e-mail is sent (mintLink), or
// when an administrator (Mail page) or the CLI asks for one (mintLink with an actor, audited), so the
// outbox never holds a usable link, and only its hash is kept; each new token replaces the previous one. A link works once, for 30 minutes,
// and only the newest request of a person counts. The answer to a request is the same whether the
// address has an account or not; a person gets at most three e-mails an hour, an address (IP) may
// ask ten times an hour, every request counted whatever address it names. A reset ends every session
// of the person.

export const RESET_TTL_MS = 30 * 60_000;
export const RESETS_PER_PERSON_PER_HOUR = 3;
export const RESETS_PER_IP_PER_HOUR = 10;
const HOUR_MS = 3600_000;
/**
 * An address's requests, counted in signin_throttle like sign-in attempts (one guarded upsert, so
 * concurrent requests on any instance are counted one by one): ten in an hour, the tenth locks it for an hour.
 */
const RESET_ADDRESS_LIMITS: ThrottleLimits = { maxFailures: RESETS_PER_IP_PER_HOUR, windowMs: HOUR_MS, lockMs: HOUR_MS };
/** Across surfaces, as before; an IPv6 client counted by its /64, as for sign-in. */
const resetAddressKey = (ip: string): string => `reset:${addressBucket(ip)}`;

/** What the e-mail needs; the container wires it to the delivery module (identity does not import it). */
export type ResetMailer = (
  trx: Kysely<Database>,
  mail: { to: string; locale: 'en' | 'it'; firstName: string; resetId: string; expiresAt: Date; userId: string; organisationId: string | null },
) => Promise<void>;

/** A request as recorded for the worker: the same fields for every address, with an account or without. */
export interface ResetRequest {
  /** pwr_…: the id its row gets if the address has an account, so a request fulfilled twice makes one row. */
  id: string;
  surface: repo.Surface;
  /** As asked, trimmed and in lower case. */
  email: string;
  ip: string | null;
}

/**
 * Records a request in the caller's transaction, for `fulfil` after the answer; the container wires it
 * to the outbox (identity does not import the delivery module), whose worker calls `fulfil`.
 */
export type ResetQueue = (trx: Kysely<Database>, request: ResetRequest) => Promise<void>;

/** A recorded request read back (the outbox payload); undefined when it is not one. */
export function parseResetRequest(value: unknown): ResetRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, surface, email, ip } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !isId(id, 'pwr') || (surface !== 'admin' && surface !== 'portal') || typeof email !== 'string') return undefined;
  if (ip !== null && typeof ip !== 'string') return undefined;
  return { id, surface, email, ip };
}

export type ResetRequestOutcome = Result<{ id: string }, 'rate_limited'> & { retryAfterSeconds?: number };
export type ResetLinkState = 'valid' | 'unknown' | 'used' | 'expired';
/** Who asked for a link outside the mail sender (audited; the sender's tries are the outbox's attempts). */
export interface ResetLinkActor {
  type: 'admin' | 'cli';
  id: string | null;
  ip: string | null;
}
export type ResetOutcome = Result<{ userId: string; sessionsEnded: number }, Exclude<ResetLinkState, 'valid'> | PasswordProblem>;

export interface PasswordResets {
  /**
   * The page's request: its address's slot, then the request recorded (`queue`), the same work whatever
   * address it names; nothing about the account is read here.
   */
  request(input: { surface: repo.Surface; email: string; ip: string | null }): Promise<ResetRequestOutcome>;
  /**
   * A recorded request carried out (the worker): for an enabled account of its surface, within the
   * person's hourly limit, a row and its e-mail. Done once per request id, however often it is called.
   */
  fulfil(request: ResetRequest): Promise<{ mailed: boolean }>;
  /**
   * A fresh link for a request still open, replacing an earlier one (whose link stops working), or why
   * not: for the e-mail sender, or for an administrator or the CLI (`actor`, audited). Shown once, never stored.
   */
  mintLink(resetId: string, actor?: ResetLinkActor): Promise<Result<{ link: string; email: string }, Exclude<ResetLinkState, 'valid'>>>;
  /** The state of a request by id, without making a link ('unknown' when there is none). */
  stateById(resetId: string): Promise<ResetLinkState>;
  /** The newest request of an address still open (back office or portal), for the CLI. */
  openRequestOf(email: string): Promise<string | undefined>;
  /** Whether a link's token still works (the form is shown only then); does not use it. */
  check(surface: repo.Surface, token: string): Promise<ResetLinkState>;
  complete(input: { surface: repo.Surface; token: string; password: string; confirm: string; ip: string | null }): Promise<ResetOutcome>;
}

export function createPasswordResets(deps: {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  mail: ResetMailer;
  queue: ResetQueue;
}): PasswordResets {
  const { db, clock, audit } = deps;
  const hourAgo = () => new Date(clock.now().getTime() - 3600_000);

  async function request(input: { surface: repo.Surface; email: string; ip: string | null }): Promise<ResetRequestOutcome> {
    if (input.ip !== null) {
      // Every request takes a slot of its address, whatever address it names: counting the rows of
      // existing accounts (as before) let a 429 tell which have one.
      const slot = await takeSlots(db, [{ key: resetAddressKey(input.ip), limits: RESET_ADDRESS_LIMITS }], clock.now());
      if (!slot.taken) return { ...fail('rate_limited'), retryAfterSeconds: Math.max(1, Math.ceil(slot.retryAfterMs / 1000)) };
    }
    // An address cut inside a character (the form keeps 254 UTF-16 units) is queued well-formed by the
    // outbox (jsonbText), as every payload is.
    const recorded: ResetRequest = { id: newId('pwr'), surface: input.surface, email: input.email.trim().toLowerCase(), ip: input.ip };
    await db.transaction().execute((trx) => deps.queue(trx, recorded));
    return ok({ id: recorded.id });
  }

  async function fulfil(recorded: ResetRequest): Promise<{ mailed: boolean }> {
    const user = await repo.findUserByEmail(db, repo.SURFACE_USER_KIND[recorded.surface], recorded.email);
    if (!user || user.disabled_at !== null) return { mailed: false };
    return db.transaction().execute(async (trx) => {
      // Serialises one person's requests, so the hourly count cannot be raced past.
      await trx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().executeTakeFirst();
      // Fulfilled already (the worker delivers at least once): nothing more.
      if (await trx.selectFrom('password_resets').select('id').where('id', '=', recorded.id).executeTakeFirst()) return { mailed: true };
      const recent = await trx
        .selectFrom('password_resets')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('user_id', '=', user.id)
        .where('requested_at', '>', hourAgo())
        .executeTakeFirstOrThrow();
      if (Number(recent.n) >= RESETS_PER_PERSON_PER_HOUR) return { mailed: false };
      const now = clock.now();
      const { id } = recorded;
      const expiresAt = new Date(now.getTime() + RESET_TTL_MS);
      // Only the newest request counts: earlier open ones end here.
      await trx
        .updateTable('password_resets')
        .set({ superseded_at: now })
        .where('user_id', '=', user.id)
        .where('used_at', 'is', null)
        .where('superseded_at', 'is', null)
        .execute();
      await trx
        .insertInto('password_resets')
        .values({ id, user_id: user.id, surface: recorded.surface, requested_at: now, expires_at: expiresAt, ip: recorded.ip })
        .execute();
      await deps.mail(trx, {
        to: user.email,
        locale: user.locale,
        firstName: user.first_name ?? '',
        resetId: id,
        expiresAt,
        userId: user.id,
        organisationId: user.organisation_id,
      });
      await audit.append(trx, {
        actorType: 'anonymous',
        action: 'password.reset_requested',
        subjectType: 'user',
        subjectId: user.id,
        organisationId: user.organisation_id,
        ip: recorded.ip,
        details: { surface: recorded.surface, resetId: id },
      });
      return { mailed: true };
    });
  }

  type Row = { used_at: Date | null; superseded_at: Date | null; expires_at: Date };
  const stateOf = (row: Row | undefined): ResetLinkState =>
    !row ? 'unknown' : row.used_at !== null ? 'used' : row.superseded_at !== null || row.expires_at <= clock.now() ? 'expired' : 'valid';

  async function mintLink(resetId: string, actor?: ResetLinkActor): Promise<Result<{ link: string; email: string }, Exclude<ResetLinkState, 'valid'>>> {
    return db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('password_resets').selectAll().where('id', '=', resetId).forUpdate().executeTakeFirst();
      const state = stateOf(row);
      if (!row || state !== 'valid') return fail(state === 'valid' ? 'unknown' : state);
      const user = await repo.findUserById(trx, row.user_id);
      if (!user || user.disabled_at !== null) return fail('expired');
      const token = randomToken(32);
      await trx
        .updateTable('password_resets')
        .set({ token_hash: sha256Hex(token) })
        .where('id', '=', row.id)
        .execute();
      if (actor) {
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          action: 'password.reset_link_created',
          subjectType: 'user',
          subjectId: user.id,
          organisationId: user.organisation_id,
          ip: actor.ip,
          details: { surface: row.surface, resetId: row.id },
        });
      }
      return ok({ link: `${deps.publicUrl}/${row.surface}/password-reset/new?token=${token}`, email: user.email });
    });
  }

  async function stateById(resetId: string): Promise<ResetLinkState> {
    return stateOf(await db.selectFrom('password_resets').selectAll().where('id', '=', resetId).executeTakeFirst());
  }

  async function openRequestOf(email: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('password_resets')
      .innerJoin('users', 'users.id', 'password_resets.user_id')
      .select('password_resets.id')
      // Stored as typed at creation (capitals kept): compared whatever its case, as sign-in does.
      .where((eb) => eb.fn('lower', ['users.email']), '=', email.trim().toLowerCase())
      .where('password_resets.used_at', 'is', null)
      .where('password_resets.superseded_at', 'is', null)
      .where('password_resets.expires_at', '>', clock.now())
      .orderBy('password_resets.requested_at', 'desc')
      .executeTakeFirst();
    return row?.id;
  }

  const byToken = (trx: Kysely<Database>, surface: repo.Surface, token: string) =>
    trx.selectFrom('password_resets').selectAll().where('token_hash', '=', sha256Hex(token)).where('surface', '=', surface);

  async function check(surface: repo.Surface, token: string): Promise<ResetLinkState> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return 'unknown';
    return stateOf(await byToken(db, surface, token).executeTakeFirst());
  }

  async function complete(input: { surface: repo.Surface; token: string; password: string; confirm: string; ip: string | null }): Promise<ResetOutcome> {
    const state = await check(input.surface, input.token);
    if (state !== 'valid') return fail(state);
    const problem = checkPassword(input.password, input.confirm);
    if (problem) return fail(problem);
    const newHash = await hashPassword(input.password);
    return db.transaction().execute(async (trx): Promise<ResetOutcome> => {
      const row = await byToken(trx, input.surface, input.token).forUpdate().executeTakeFirst();
      // Used or expired while the password was being hashed.
      const now = stateOf(row);
      if (!row || now !== 'valid') return fail(now === 'valid' ? 'unknown' : now);
      const user = await repo.findUserById(trx, row.user_id);
      if (!user || user.disabled_at !== null) return fail('expired');
      await trx.updateTable('password_resets').set({ used_at: clock.now(), token_hash: null }).where('id', '=', row.id).execute();
      await trx.updateTable('users').set({ password_hash: newHash }).where('id', '=', user.id).execute();
      // The link proved the mailbox: a lock left by failed sign-ins (the person's own, or a guesser's, whose
      // password is now worthless) no longer keeps them out.
      await clearThrottle(trx, accountThrottleKey(input.surface, user.email));
      const sessionsEnded = await deleteUserSessions(trx, user.id);
      await audit.append(trx, {
        actorType: user.kind,
        actorId: user.id,
        action: 'password.reset',
        subjectType: 'user',
        subjectId: user.id,
        organisationId: user.organisation_id,
        ip: input.ip,
        details: { surface: input.surface, resetId: row.id, sessionsEnded },
      });
      return ok({ userId: user.id, sessionsEnded });
    });
  }

  return { request, fulfil, mintLink, stateById, openRequestOf, check, complete };
}

/** Retention: requests whose link expired more than a week ago (the week keeps the hourly limits and a recent history). */
export async function prunePasswordResets(db: Kysely<Database>, now: Date): Promise<number> {
  const weekAgo = new Date(now.getTime() - 7 * 24 * 3600_000);
  const result = await db.deleteFrom('password_resets').where('expires_at', '<', weekAgo).executeTakeFirst();
  return Number(result.numDeletedRows);
}
