// The in-memory cache of key verification: key hash -> what the key authorises (or that it does not).
// Bounded twice: positive and negative entries live in separate LRUs, so a flood of unknown keys
// (which only evicts other unknown keys) cannot push out the keys of real clients. Entries are
// indexed by subscription, so one invalidation drops every key of that subscription at once.

import { setBounded } from '../../kernel/bounded-map.ts';

export interface AuthContext {
  keyId: string;
  keyHash: string;
  slot: 'primary' | 'secondary';
  subscriptionId: string;
  subscriptionName: string;
  organisationId: string;
  organisationName: string;
  productId: string;
  productCode: string;
  productName: string;
  environment: 'test' | 'prod';
  routeGroups: readonly string[];
  rateLimitPerMinute: number;
  /** When a retired key stops working (overlap end), or when the subscription expires; null = no end. */
  validUntil: number | null;
}

export type CacheEntry = { kind: 'valid'; context: AuthContext; storedAt: number } | { kind: 'invalid'; subscriptionId: string | null; storedAt: number };

/**
 * Least recently used first out, approximately: a hit re-inserts the entry (Map keeps insertion order)
 * only when at least a quarter of the capacity's worth of other entries were inserted or moved since
 * it was last put at the newest end. Until then it is still among the newest quarter and cannot be
 * the next one evicted, so a hot key costs one Map lookup instead of three (issue 15); an entry is
 * evicted no sooner than three quarters of the capacity's worth of other entries after its last use.
 * With a capacity below 8 every hit that follows another change moves the entry: exact LRU.
 */
class Lru<V> {
  private readonly map = new Map<string, { value: V; movedAt: number }>();
  private readonly max: number;
  private readonly refreshAfter: number;
  /** Hears each entry evicted to make room (made once here, not per set). */
  private readonly dropped: (key: string, node: { value: V }) => void;
  /** Counts insertions and moves: an entry placed at step t has at most (step - t) entries newer than it. */
  private step = 0;
  constructor(max: number, evicted: (key: string, value: V) => void) {
    this.max = max;
    this.refreshAfter = Math.max(1, Math.floor(max / 4));
    this.dropped = (key, node) => evicted(key, node.value);
  }

  get(key: string): V | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    if (this.step - node.movedAt >= this.refreshAfter) {
      this.map.delete(key);
      this.map.set(key, node);
      node.movedAt = ++this.step;
    }
    return node.value;
  }

  set(key: string, value: V): void {
    setBounded(this.map, key, { value, movedAt: ++this.step }, this.max, this.dropped);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

export interface KeyCacheOptions {
  maxValid: number;
  maxInvalid: number;
}

export function createKeyCache(options: KeyCacheOptions) {
  const bySubscription = new Map<string, Set<string>>();
  const subscriptionOf = (entry: CacheEntry): string | null => (entry.kind === 'valid' ? entry.context.subscriptionId : entry.subscriptionId);
  const unindex = (hash: string, entry: CacheEntry): void => {
    const id = subscriptionOf(entry);
    if (id === null) return;
    const hashes = bySubscription.get(id);
    hashes?.delete(hash);
    if (hashes && hashes.size === 0) bySubscription.delete(id);
  };
  const valid = new Lru<CacheEntry>(options.maxValid, unindex);
  const invalid = new Lru<CacheEntry>(options.maxInvalid, unindex);

  return {
    get(hash: string): CacheEntry | undefined {
      return valid.get(hash) ?? invalid.get(hash);
    },
    set(hash: string, entry: CacheEntry): void {
      valid.delete(hash);
      invalid.delete(hash);
      (entry.kind === 'valid' ? valid : invalid).set(hash, entry);
      const id = subscriptionOf(entry);
      if (id !== null) {
        const hashes = bySubscription.get(id) ?? new Set<string>();
        hashes.add(hash);
        bySubscription.set(id, hashes);
      }
    },
    delete(hash: string): void {
      const entry = valid.get(hash) ?? invalid.get(hash);
      if (entry) unindex(hash, entry);
      valid.delete(hash);
      invalid.delete(hash);
    },
    /** Drops every entry of one subscription (a change was notified). */
    invalidateSubscription(subscriptionId: string): void {
      for (const hash of bySubscription.get(subscriptionId) ?? []) {
        valid.delete(hash);
        invalid.delete(hash);
      }
      bySubscription.delete(subscriptionId);
    },
    clear(): void {
      valid.clear();
      invalid.clear();
      bySubscription.clear();
    },
    get size(): { valid: number; invalid: number } {
      return { valid: valid.size, invalid: invalid.size };
    },
  };
}

export type KeyCache = ReturnType<typeof createKeyCache>;
