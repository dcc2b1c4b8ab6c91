import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import { safeEqual } from '../../kernel/crypto.ts';
import { VarcoError } from '../../kernel/errors.ts';
import { checkKeyFormat, hashKey, keyShape } from './keys.ts';
import { createKeyCache, type AuthContext, type CacheEntry } from './key-cache.ts';
import { createListener, type Listener } from '../../db/index.ts';
import { createRateLimiter } from './rate-limiter.ts';
import type { RateVerdict } from './rate-limit.policy.ts';
import { findAuthByHash, KEYS_CHANNEL, writeUsage } from './subscriptions.repository.ts';

// Verifies /api keys without a database round trip per request (docs/adr/0005-api-keys.md):
// format and checksum first (a typo never reaches the database), then SHA-256, then the cache. The
// cache is trusted only while this instance LISTENs for changes; every change NOTIFYs the subscription
// id, and a lost listener connection empties the cache and bypasses it until listening again. A
// connection that died silently (dropped by a NAT or firewall) is caught by the listener's heartbeat:
// the cache is bypassed once no round trip sent in the last 750 ms came back (src/db/listen.ts).
// `last used`, `inbound verified` and rate counters are written in batches, about once a second.

/** The key listener's round trip: its cache is trusted only while one sent in the last 3 × this came back. */
const LISTENER_HEARTBEAT_MS = 250;

/**
 * A key retired with no window (`valid_until` at or before `retired_at`: regenerated with 0 hours'
 * overlap, never revealed, or its window closed by a later regeneration) ended when it was retired.
 * That is decided from the row alone: comparing `valid_until` with this instance's clock would let an
 * instance whose clock is behind the acting one's accept it for the length of the skew.
 */
function endedAtRetirement(row: { retired_at: Date | null; valid_until: Date | null }): boolean {
  if (row.retired_at === null) return false;
  return row.valid_until === null || row.valid_until.getTime() <= row.retired_at.getTime();
}

export type KeyCheck = { ok: true; context: AuthContext } | { ok: false; reason: 'missing' | 'invalid' };

export interface VerifierLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

export interface KeyVerifierOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** Connection string for the dedicated LISTEN connection; without it the cache is never trusted. */
  databaseUrl?: string | undefined;
  logger?: VerifierLogger;
  maxCachedKeys?: number;
  maxCachedUnknownKeys?: number;
  /** Safety net only: cached verdicts are refreshed after this long even without a notification. */
  cacheTtlMs?: number;
  flushIntervalMs?: number;
  /** Run about once a minute by the flush loop (e.g. expiring subscriptions). */
  everyMinute?: () => Promise<unknown>;
}

export function createKeyVerifier(options: KeyVerifierOptions) {
  const { db, clock } = options;
  const cache = createKeyCache({ maxValid: options.maxCachedKeys ?? 100_000, maxInvalid: options.maxCachedUnknownKeys ?? 10_000 });
  const ttlMs = options.cacheTtlMs ?? 5 * 60_000;
  const rateLimiter = createRateLimiter({ db });
  let keyUses = new Map<string, Date>();
  let pings = new Map<string, Date>();
  // Bumped by every invalidation: a lookup that raced with one must not cache what it read.
  let epoch = 0;
  let listener: Listener | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ticks = 0;
  let flushing: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let logger = options.logger;

  const invalidate = (subscriptionId: string): void => {
    epoch++;
    cache.invalidateSubscription(subscriptionId);
  };
  const clearAll = (): void => {
    epoch++;
    cache.clear();
  };
  const trusted = (): boolean => listener?.listening === true;

  function toEntry(row: NonNullable<Awaited<ReturnType<typeof findAuthByHash>>>, hash: string, now: Date): CacheEntry {
    const stored = now.getTime();
    const ends = [row.retired_at ? row.valid_until : null, row.expires_at].filter((d): d is Date => d !== null).map((d) => d.getTime());
    const validUntil = ends.length ? Math.min(...ends) : null;
    const usable =
      row.state === 'active' &&
      row.revealed_at !== null &&
      !endedAtRetirement(row) &&
      (validUntil === null || validUntil > stored) &&
      safeEqual(row.key_hash, hash);
    if (!usable) return { kind: 'invalid', subscriptionId: row.subscription_id, storedAt: stored };
    return {
      kind: 'valid',
      storedAt: stored,
      context: {
        keyId: row.key_id,
        keyHash: row.key_hash,
        slot: row.slot,
        subscriptionId: row.subscription_id,
        subscriptionName: row.subscription_name,
        organisationId: row.organisation_id,
        organisationName: row.organisation_name,
        productId: row.product_id,
        productCode: row.product_code,
        productName: row.product_name,
        environment: row.environment,
        routeGroups: row.route_groups,
        rateLimitPerMinute: row.rate_limit_per_minute,
        validUntil,
      },
    };
  }

  async function lookup(hash: string, now: Date): Promise<CacheEntry> {
    const seen = epoch;
    let row: Awaited<ReturnType<typeof findAuthByHash>>;
    try {
      row = await findAuthByHash(db, hash);
    } catch (error) {
      throw new VarcoError('database_unavailable', 'The key cannot be checked right now; retry shortly.', { cause: error });
    }
    const entry: CacheEntry = row ? toEntry(row, hash, now) : { kind: 'invalid', subscriptionId: null, storedAt: now.getTime() };
    if (seen === epoch && trusted()) cache.set(hash, entry);
    return entry;
  }

  function judge(entry: CacheEntry, env: 'test' | 'prod', now: number): KeyCheck {
    if (entry.kind === 'invalid') return { ok: false, reason: 'invalid' };
    const context = entry.context;
    if (context.validUntil !== null && context.validUntil <= now) return { ok: false, reason: 'invalid' };
    // No second comparison of the hashes: a cached entry was found by this very hash, and one read from
    // the database was compared in constant time by toEntry (issue 15: ~0.3 µs per request). The
    // cache's lookup compares SHA-256 digests, which a caller cannot steer towards a stored one.
    if (context.environment !== env) return { ok: false, reason: 'invalid' };
    return { ok: true, context };
  }

  /**
   * The verdict when no I/O is needed (no key, a malformed one, or a fresh cached entry while the cache
   * is trusted), else undefined: the /api hook answers most requests without a promise (issue 15).
   */
  function verifyCached(key: string | undefined): KeyCheck | undefined {
    if (key === undefined || key === '') return { ok: false, reason: 'missing' };
    // The checksum is left to verify(): every cached verdict is of a key that passed it (verify checks
    // before it looks up and caches), and a hash found in the cache is that key's. A miss goes to verify.
    const env = keyShape(key);
    if (!env) return { ok: false, reason: 'invalid' };
    if (!trusted()) return undefined;
    const hash = hashKey(key);
    const now = clock.now().getTime();
    const entry = cache.get(hash);
    if (!entry || now - entry.storedAt > ttlMs) return undefined;
    return judge(entry, env, now);
  }

  async function verify(key: string | undefined): Promise<KeyCheck> {
    if (key === undefined || key === '') return { ok: false, reason: 'missing' };
    const env = checkKeyFormat(key);
    if (!env) return { ok: false, reason: 'invalid' };
    const hash = hashKey(key);
    const now = clock.now();
    let entry = trusted() ? cache.get(hash) : undefined;
    if (!entry || now.getTime() - entry.storedAt > ttlMs) entry = await lookup(hash, now);
    return judge(entry, env, now.getTime());
  }

  async function flush(): Promise<void> {
    const uses = keyUses;
    const pinged = pings;
    keyUses = new Map();
    pings = new Map();
    try {
      await writeUsage(db, uses, pinged);
    } catch (error) {
      // Keep the stamps for the next flush (newest wins).
      for (const [id, at] of uses) if (!keyUses.has(id)) keyUses.set(id, at);
      for (const [id, at] of pinged) if (!pings.has(id)) pings.set(id, at);
      throw error;
    }
    await rateLimiter.sync(clock.now().getTime());
  }

  /**
   * One flush at a time; the loop, close() and callers may all ask. A caller must find written every
   * stamp recorded before it asked: a flush already running may have taken its maps before those
   * stamps, so it gets the next flush, queued after the running one (one queued flush serves every
   * caller that arrives meanwhile).
   */
  function flushOnce(): Promise<void> {
    if (queued) return queued;
    if (!flushing) {
      flushing = flush().finally(() => {
        flushing = undefined;
      });
      return flushing;
    }
    queued = flushing
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return flushOnce();
      });
    return queued;
  }

  async function tick(): Promise<void> {
    try {
      await flushOnce();
      if (++ticks % 60 === 0) {
        await rateLimiter.prune(clock.now().getTime());
        await options.everyMinute?.();
      }
    } catch (error) {
      logger?.warn({ err: (error as Error).message }, 'api key usage flush failed; retrying at the next tick');
    }
  }

  return {
    verify,
    verifyCached,
    rateLimit: (context: AuthContext): RateVerdict => rateLimiter.take(context.subscriptionId, context.rateLimitPerMinute, clock.now().getTime()),
    recordUse: (context: AuthContext): void => {
      keyUses.set(context.keyId, clock.now());
    },
    recordPing: (subscriptionId: string): void => {
      pings.set(subscriptionId, clock.now());
    },
    /** Drops this instance's cached verdicts for one subscription (after a local change; others get the NOTIFY). */
    invalidate,
    flush: flushOnce,
    /** Starts listening for changes and the flush loop; `log` replaces the logger given at creation. */
    async start(log?: VerifierLogger): Promise<void> {
      if (log) logger = log;
      if (options.databaseUrl) {
        listener = createListener({
          url: options.databaseUrl,
          channel: KEYS_CHANNEL,
          applicationName: 'varco-key-cache',
          // A suspension must apply everywhere within a second, even over a connection gone silent.
          heartbeatMs: LISTENER_HEARTBEAT_MS,
          hooks: {
            onNotify: (payload) => (payload.startsWith('sub_') ? invalidate(payload) : clearAll()),
            onUp: clearAll,
            onDown: (error) => {
              clearAll();
              if (error) logger?.warn({ err: error.message }, 'api key listener lost its connection; verifying against the database until it is back');
            },
          },
        });
        await listener.start();
      }
      timer = setInterval(() => void tick(), options.flushIntervalMs ?? 1_000);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await listener?.stop();
      listener = undefined;
      await flushOnce().catch((error: unknown) => logger?.warn({ err: (error as Error).message }, 'final api key usage flush failed'));
    },
    get listening(): boolean {
      return trusted();
    },
    get cacheSize() {
      return cache.size;
    },
  };
}

export type KeyVerifier = ReturnType<typeof createKeyVerifier>;
