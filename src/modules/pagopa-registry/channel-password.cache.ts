import { createHmac, randomBytes } from 'node:crypto';
import { setBounded } from '../../kernel/bounded-map.ts';

// Channel passwords are checked with argon2id (~20 ms of CPU and 19 MiB each): too slow to pay on
// every SOAP request. Verdicts are remembered in memory, keyed by the channel id, the STORED HASH
// and an HMAC of the presented password under a key made at start and kept only in this process
// (so the memory never holds a fast, unsalted digest of a password that could be tried offline).
//
// Keying by the stored hash makes a verdict unusable the moment the password changes, in every
// instance at once: each request reads the channel row anyway (enable flags, ownership), and a new
// password is a new salted hash, hence a new key. Nothing must be notified and no stale verdict is
// ever used; old entries simply age out. `drop(channelId)` frees them early after a local change.
// Right and wrong passwords are kept apart, so a stream of wrong ones cannot push the right ones out.

export interface PasswordCacheOptions {
  /** argon2id verification of a stored hash (identity's verifyPassword). */
  verify: (hash: string, password: string) => Promise<boolean>;
  /** Entries kept for right and for wrong passwords, each. */
  maxEntries?: number;
}

class Recent {
  private readonly entries = new Map<string, string>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  /** The channel id stored with the key; a hit becomes the most recent entry. */
  touch(key: string): string | undefined {
    const channelId = this.entries.get(key);
    if (channelId !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, channelId);
    }
    return channelId;
  }

  add(key: string, channelId: string): void {
    // Insertion order is recency order (touch re-inserts a hit): the first key is the least recently used.
    setBounded(this.entries, key, channelId, this.max);
  }

  dropChannel(channelId: string): void {
    for (const [key, owner] of this.entries) if (owner === channelId) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

export function createPasswordCache(options: PasswordCacheOptions) {
  const secret = randomBytes(32);
  const max = options.maxEntries ?? 10_000;
  const right = new Recent(max);
  const wrong = new Recent(max);
  // Requests arriving together with the same password share one argon2 run.
  const running = new Map<string, Promise<boolean>>();
  let verifications = 0;

  const keyOf = (channelId: string, storedHash: string, password: string): string =>
    createHmac('sha256', secret).update(channelId).update('\0').update(storedHash).update('\0').update(password, 'utf8').digest('base64url');

  async function check(channel: { id: string; passwordHash: string }, password: string): Promise<boolean> {
    const key = keyOf(channel.id, channel.passwordHash, password);
    if (right.touch(key) !== undefined) return true;
    if (wrong.touch(key) !== undefined) return false;
    const pending = running.get(key);
    if (pending) return pending;
    const run = (async () => {
      verifications++;
      // A verification that throws (argon2 short of memory, say) refuses this request only: keeping it as
      // "wrong" would refuse the right password on this instance until the entry aged out.
      const ok = await options.verify(channel.passwordHash, password).catch(() => undefined);
      if (ok !== undefined) (ok ? right : wrong).add(key, channel.id);
      return ok === true;
    })().finally(() => running.delete(key));
    running.set(key, run);
    return run;
  }

  return {
    check,
    drop(channelId: string): void {
      right.dropChannel(channelId);
      wrong.dropChannel(channelId);
    },
    clear(): void {
      right.clear();
      wrong.clear();
    },
    /** How many argon2 verifications ran (tests and metrics: a cached request runs none). */
    get verifications(): number {
      return verifications;
    },
    get size(): { right: number; wrong: number } {
      return { right: right.size, wrong: wrong.size };
    },
  };
}

export type PasswordCache = ReturnType<typeof createPasswordCache>;
