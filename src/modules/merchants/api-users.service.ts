import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import { setBounded } from '../../kernel/bounded-map.ts';
import { fail, ok, VarcoError, type Result } from '../../kernel/errors.ts';
import { isId, newId } from '../../kernel/ids.ts';
import type { AuditLog } from '../audit/index.ts';
import { checkPassword, hashPassword, verifyPassword, type PasswordProblem } from '../identity/index.ts';
import * as users from './api-users.repository.ts';
import * as repo from './merchants.repository.ts';
import type { EcommerceEnv } from './merchant.types.ts';
import type { MerchantActor } from './merchants.service.ts';

// API users of a merchant (docs/reference/ogone/directlink.md, "Authentication"): what DirectLink's USERID and PSWD name, one
// set per PSPID and environment. Passwords follow the sign-in rules (identity's checkPassword) and
// are stored as argon2id hashes only; they are never returned, logged or audited (audit rows name
// the USERID and the environment). `authenticate` is on every DirectLink call: argon2 (~20 ms) runs
// once per password and stored hash, then the verdict is remembered (see verdictCache); an unknown
// USERID's refusal is remembered alike, so a repeated guess answers as fast for a USERID that does
// not exist as for one that does (docs/security.md 33).

export interface ApiUserView {
  id: string;
  env: EcommerceEnv;
  userid: string;
  createdAt: Date;
  passwordChangedAt: Date;
}

/** USERID: 2 to 50 letters, digits, `.`, `_`, `@`, `-` (what back-office user names may hold). */
export const USERID_PATTERN = /^[A-Za-z0-9._@-]{2,50}$/;

export type ApiUserProblem = 'invalid_userid' | 'not_eligible' | PasswordProblem;
export type SaveApiUserOutcome = Result<{ user: ApiUserView; created: boolean }, ApiUserProblem>;

export interface ApiUsersOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** Verdicts kept for right passwords, wrong ones and unknown USERIDs, each (default 10 000). */
  cacheEntries?: number;
  /** The argon2 check (identity's verifyPassword; tests count its runs). */
  verifyPassword?: (passwordHash: string | null, password: string) => Promise<boolean>;
}

const viewOf = (row: users.ApiUserRow): ApiUserView => ({
  id: row.id,
  env: row.environment,
  userid: row.userid,
  createdAt: row.created_at,
  passwordChangedAt: row.password_changed_at,
});

/**
 * Verdicts of argon2 checks in memory, keyed by an HMAC (under a key made at start, never stored) of
 * the user's id, its STORED HASH and the password typed: a changed password is a new hash, so an old
 * verdict can never answer for it, in any instance, without a notification. Right and wrong verdicts
 * are kept apart so a stream of wrong passwords cannot push the right ones out.
 *
 * `unknown`: the refusal of a USERID the merchant does not have, keyed by merchant, environment,
 * USERID and password, after one argon2 run against a dummy hash. A known USERID's wrong password is
 * answered from the cache when tried before, so an unknown one must be too, or the time of a repeated
 * guess would tell which USERIDs exist. Consulted only while no such live user exists: once it is
 * created, the user's own row and hash decide. Kept apart too, so guesses cannot push verdicts out.
 */
function verdictCache(maxEntries: number, check: (passwordHash: string | null, password: string) => Promise<boolean>) {
  const secret = randomBytes(32);
  const right = new Map<string, true>();
  const wrong = new Map<string, true>();
  const unknown = new Map<string, true>();
  const keyOf = (prefix: string, password: string): string => createHmac('sha256', secret).update(prefix).update(password, 'utf8').digest('base64url');
  return {
    async known(user: { id: string; password_hash: string }, password: string): Promise<boolean> {
      const key = keyOf(`${user.id}\0${user.password_hash}\0`, password);
      if (right.has(key)) return true;
      if (wrong.has(key)) return false;
      const verdict = await check(user.password_hash, password);
      setBounded(verdict ? right : wrong, key, true, maxEntries);
      return verdict;
    },
    async unknown(merchantId: string, env: EcommerceEnv, userid: string, password: string): Promise<false> {
      // The USERID upper-cased, as the lookup compares it.
      const key = keyOf(`unknown\0${merchantId}\0${env}\0${userid.toUpperCase()}\0`, password);
      if (unknown.has(key)) return false;
      await check(null, password);
      setBounded(unknown, key, true, maxEntries);
      return false;
    },
  };
}

export function createApiUsersService(options: ApiUsersOptions) {
  const { db, clock, audit } = options;
  const verify = verdictCache(options.cacheEntries ?? 10_000, options.verifyPassword ?? verifyPassword);

  async function merchantOf(merchantId: string, organisationId?: string): Promise<repo.MerchantRow> {
    const m = isId(merchantId, 'mer') ? await repo.findMerchant(db, merchantId, organisationId) : undefined;
    if (!m) throw new VarcoError('not_found', 'No such merchant.');
    return m;
  }

  async function list(merchantId: string, scope: { organisationId?: string } = {}): Promise<ApiUserView[]> {
    const m = await merchantOf(merchantId, scope.organisationId);
    return (await users.listLiveUsers(db, m.id)).map(viewOf);
  }

  /**
   * Creates the API user, or sets a new password for the live user of that USERID. Only where the
   * merchant holds a PSPID: DirectLink names the merchant by it.
   */
  async function save(
    input: { merchantId: string; env: EcommerceEnv; userid: string; password: string; confirm?: string },
    actor: MerchantActor,
    scope: { organisationId?: string } = {},
  ): Promise<SaveApiUserOutcome> {
    const m = await merchantOf(input.merchantId, scope.organisationId);
    const userid = input.userid.trim();
    if (!USERID_PATTERN.test(userid)) return fail('invalid_userid');
    const problem = checkPassword(input.password, input.confirm);
    if (problem) return fail(problem);
    if ((await repo.claimsOf(db, m.id))[input.env] === undefined) return fail('not_eligible');
    const passwordHash = await hashPassword(input.password);
    const saved = await db.transaction().execute(async (trx) => {
      const row = await users.upsertUser(trx, { id: newId('apu'), merchantId: m.id, env: input.env, userid, passwordHash, now: clock.now() });
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: row.created ? 'merchant.api_user_created' : 'merchant.api_user_password_changed',
        subjectType: 'merchant_api_user',
        subjectId: row.id,
        organisationId: m.organisation_id,
        details: { merchantId: m.id, environment: input.env, userid },
      });
      return row;
    });
    return ok({ user: viewOf(saved), created: saved.created });
  }

  /** Removes an API user: its next DirectLink call is refused. False when the merchant has no such live user. */
  async function disable(merchantId: string, apiUserId: string, actor: MerchantActor, scope: { organisationId?: string } = {}): Promise<boolean> {
    const m = await merchantOf(merchantId, scope.organisationId);
    if (!isId(apiUserId, 'apu')) return false;
    return db.transaction().execute(async (trx) => {
      const row = await users.disableUser(trx, m.id, apiUserId, clock.now());
      if (!row) return false;
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'merchant.api_user_disabled',
        subjectType: 'merchant_api_user',
        subjectId: row.id,
        organisationId: m.organisation_id,
        details: { merchantId: m.id, environment: row.environment, userid: row.userid },
      });
      return true;
    });
  }

  /**
   * DirectLink's USERID + PSWD for a merchant and environment. An unknown USERID costs an argon2
   * run too the first time, and is answered from the cache after, as a known USERID's wrong password
   * is, so the answer's timing does not tell which USERIDs exist.
   */
  async function authenticate(merchantId: string, env: EcommerceEnv, userid: string, password: string): Promise<{ id: string; userid: string } | undefined> {
    const row = USERID_PATTERN.test(userid) ? await users.findLiveUser(db, merchantId, env, userid) : undefined;
    if (!row) {
      await verify.unknown(merchantId, env, userid, password);
      return undefined;
    }
    return (await verify.known(row, password)) ? { id: row.id, userid: row.userid } : undefined;
  }

  return { list, save, disable, authenticate };
}

export type ApiUsersService = ReturnType<typeof createApiUsersService>;
