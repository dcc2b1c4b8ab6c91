import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Surface } from './identity.repository.ts';
import { addressBucket, type ThrottleLimits } from './throttle.policy.ts';
import { clearThrottle, giveBackSlot, takeSlots } from './throttle.repository.ts';

// Every check of a password someone types (sign-in, the current password when changing it) goes
// through here: a slot is taken on the account and on the address first, and only then is the
// password hashed, so at most VARCO_SIGNIN_MAX_FAILURES guesses per account are evaluated per window.

export const WINDOW_MS = 15 * 60_000;
// An address is shared by everyone behind one NAT or proxy: a few people's typos must not lock
// them all out, so the address allows ADDRESS_FACTOR times the failures of one account.
export const ADDRESS_FACTOR = 4;

export interface Attempt {
  surface: Surface;
  /** As typed; compared in lower case, like the accounts. */
  email: string;
  ip: string | null;
}

export type AttemptOutcome =
  | { kind: 'locked'; retryAfterMs: number }
  | { kind: 'wrong' }
  /** settle runs in the transaction that records the success: it frees the account and gives the address its slot back. */
  | { kind: 'right'; settle: (trx: Kysely<Database>) => Promise<void> };

/** The throttle key of an account's sign-in failures on a surface (e-mail in lower case, as accounts compare). */
export const accountThrottleKey = (surface: Surface, email: string): string => `account:${surface}:${email.trim().toLowerCase()}`;

export function createPasswordAttempts(options: { db: Kysely<Database>; clock: Clock; maxFailures: number; lockMinutes: number }) {
  const account: ThrottleLimits = { maxFailures: options.maxFailures, windowMs: WINDOW_MS, lockMs: options.lockMinutes * 60_000 };
  const address: ThrottleLimits = { ...account, maxFailures: options.maxFailures * ADDRESS_FACTOR };

  /** Takes the slots, then runs `verify` (the argon2 check) only if they were granted. */
  async function check(attempt: Attempt, verify: () => Promise<boolean>): Promise<AttemptOutcome> {
    const accountKey = accountThrottleKey(attempt.surface, attempt.email);
    const addressKey = `ip:${attempt.surface}:${addressBucket(attempt.ip)}`;
    const slots = await takeSlots(
      options.db,
      [
        { key: accountKey, limits: account },
        { key: addressKey, limits: address },
      ],
      options.clock.now(),
    );
    if (!slots.taken) return { kind: 'locked', retryAfterMs: slots.retryAfterMs };
    if (!(await verify())) return { kind: 'wrong' };
    const addressWindow = slots.windows.get(addressKey);
    return {
      kind: 'right',
      settle: async (trx) => {
        await clearThrottle(trx, accountKey);
        if (addressWindow) await giveBackSlot(trx, addressKey, addressWindow, address);
      },
    };
  }

  return { check };
}

export type PasswordAttempts = ReturnType<typeof createPasswordAttempts>;
