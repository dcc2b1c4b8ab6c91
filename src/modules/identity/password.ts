import { createRequire } from 'node:module';
import { hash, verify } from '@node-rs/argon2';

// The list of common passwords (~240 KB) is read on the first password checked, not at start-up:
// most starts never check one, and loading it cost every start ~40 ms (issue 15, target 3).
type PasswordList = { test(password: string): boolean };
let commonPasswordList: PasswordList | undefined;
function commonPasswords(): PasswordList {
  commonPasswordList ??= createRequire(import.meta.url)('fxa-common-password-list') as PasswordList;
  return commonPasswordList;
}

// argon2id with OWASP's second recommended profile (19 MiB, 2 passes, 1 lane): memory-hard,
// and fast enough (~20 ms) that sign-in stays responsive on a 2-core machine.
const ARGON2 = {
  algorithm: 2 /* Algorithm.Argon2id; a const enum, not importable under type stripping */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const MIN_PASSWORD_LENGTH = 12;

export type PasswordProblem = 'too_short' | 'common' | 'mismatch';

/** Pure policy: at least 12 characters and not on a list of common passwords. */
export function checkPassword(password: string, confirm?: string): PasswordProblem | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (confirm !== undefined && confirm !== password) return 'mismatch';
  const common = commonPasswords();
  if (common.test(password) || common.test(password.toLowerCase())) return 'common';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// A fixed hash verified when the account does not exist, so the answer takes as long either way.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    dummyHash ??= hashPassword('varco-timing-equaliser-not-a-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
