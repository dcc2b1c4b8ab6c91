// One undici Pool per endpoint (per environment, endpoint set and role) and per client identity
// and trust store, reused across calls so TLS handshakes are paid once per connection, not per
// delivery (issue 6: handshakes no more than the pool size). A pool whose endpoint, identity or
// trust changed is replaced and the old one drained.
//
// Bounded: endpoint sets are keyed by host name, and a merchant whose feedback or template URLs
// name a new host per order (wildcard DNS, `o123.shop.example`) made one pool per host, each with
// its sockets, TLS session and context, kept for the life of the process. A pool with no call for
// `idleMs` is closed, and beyond `maxPools` the least recently used is. A busy origin is used
// again before either happens, so it keeps its pool, its connections and its TLS sessions. A pool
// is never closed under a call that holds it: `close()` lets requests in flight finish, and a call
// that acquired a pool (its secondary may be dispatched only after the primary failed) holds it
// until it releases it; a pool let go meanwhile is closed at that release.
import { performance } from 'node:perf_hooks';
import type { SecureContext } from 'node:tls';
import { Pool } from 'undici';
import { setBounded } from '../../kernel/bounded-map.ts';
import { materialKey, pinnedConnector, secureContextFor, toTarget, type Target } from './connection.ts';
import type { DestinationPolicy } from './destination.policy.ts';
import type { ClientIdentity, Endpoint, TrustStore } from './outbound.types.ts';

export interface PoolEntry {
  pool: Pool;
  target: Target;
  /** Shared with the background probe, so a probe proves exactly what the pool would do. */
  context: SecureContext;
}

export interface PoolRegistryOptions {
  destinations: DestinationPolicy;
  connectionsPerEndpoint: number;
  keepAliveTimeoutMs: number;
  onConnected: () => void;
  /** Most pools kept; beyond it the least recently used one is closed. */
  maxPools: number;
  /** A pool no call has used for this long is closed. */
  idleMs: number;
}

export interface PoolRegistry {
  /**
   * The slot's pool, held for one call until `release`: it is not closed under the call, even when
   * it is let go meanwhile. `identity` undefined: a plain TLS client that never presents a certificate.
   */
  acquire(slot: string, endpoint: Endpoint, identity: ClientIdentity | undefined, trust: TrustStore): PoolEntry;
  /** Once per `acquire`, when the call is over. */
  release(entry: PoolEntry): void;
  /** Pools kept for their slots (not counting pools let go that are still finishing a call). */
  readonly size: number;
  close(): Promise<void>;
}

/** A pool as the registry keeps it: what decides its reuse, and who still holds it. */
interface Kept extends PoolEntry {
  version: string;
  contextKey: string;
  /** Calls holding the pool (acquired, not yet released). */
  calls: number;
  /** performance.now() of the last acquire or release. */
  lastUsed: number;
  /** Let go (replaced, idle or least recently used): closed once no call holds it. */
  retired: boolean;
  closed: boolean;
}

/**
 * The URL's scheme and authority as written, which decide its origin: equal texts, equal origins
 * (differently written, the same origin at worst replaces the pool once). Not `new URL(…).origin`:
 * a second parse of every delivery's URL (issue 15).
 */
export function originText(url: string): string {
  return /^[^:/?#]*:\/\/[^/?#]*/.exec(url)?.[0] ?? url;
}

export function createPoolRegistry(options: PoolRegistryOptions): PoolRegistry {
  const { maxPools, idleMs } = options;
  if (!Number.isInteger(maxPools) || maxPools < 1) throw new Error(`maxPools must be a whole number of 1 or more, not ${maxPools}`);
  if (!(idleMs > 0)) throw new Error(`idleMs must be more than 0, not ${idleMs}`);
  // Least recently acquired first (setBounded drops from the front; a reused pool moves to the end).
  const pools = new Map<string, Kept>();
  // A context lives as long as a pool uses it: a trust-store change or a rotated identity leaves none behind.
  const contexts = new Map<string, { context: SecureContext; pools: number }>();
  // Let go while a call held them: closed at its release, or by close().
  const draining = new Set<Kept>();
  const closing = new Set<Promise<void>>();

  const identityKey = (identity: ClientIdentity | undefined): string => (identity === undefined ? 'plain' : materialKey(identity));
  const contextFor = (key: string, identity: ClientIdentity | undefined, trust: TrustStore): SecureContext => {
    let shared = contexts.get(key);
    if (shared === undefined) {
      shared = { context: secureContextFor(identity, trust), pools: 0 };
      contexts.set(key, shared);
    }
    shared.pools++;
    return shared.context;
  };

  const closeNow = (kept: Kept): void => {
    if (kept.closed) return;
    kept.closed = true;
    draining.delete(kept);
    const shared = contexts.get(kept.contextKey);
    if (shared !== undefined && --shared.pools === 0) contexts.delete(kept.contextKey);
    // close() lets requests in flight finish; nothing waits for it except close() below.
    const done = kept.pool
      .close()
      .catch(() => undefined)
      .finally(() => closing.delete(done));
    closing.add(done);
  };

  /** For a pool already out of `pools`. */
  const retire = (kept: Kept): void => {
    kept.retired = true;
    if (kept.calls === 0) closeNow(kept);
    else draining.add(kept);
  };
  const evicted = (_slot: string, kept: Kept): void => retire(kept);

  const sweep = (): void => {
    const before = performance.now() - idleMs;
    for (const [slot, kept] of pools)
      if (kept.calls === 0 && kept.lastUsed <= before) {
        pools.delete(slot);
        retire(kept);
      }
  };
  // Never keeps the process alive; a pool outlives its idle time by half of it at most (30 s at most).
  const sweeper = setInterval(sweep, Math.min(Math.max(idleMs / 2, 10), 30_000));
  sweeper.unref();

  return {
    acquire(slot, endpoint, identity, trust) {
      // The origin, not the whole URL: callers put per-message paths and queries in it (feedback URLs
      // carry the order), and a pool replaced per message paid a TLS handshake per delivery (issue 6).
      const contextKey = `${identityKey(identity)}:${materialKey(trust)}`;
      const version = `${originText(endpoint.url)}\0${endpoint.ip}\0${endpoint.port}\0${endpoint.connectTimeoutMs}\0${endpoint.responseTimeoutMs}\0${contextKey}`;
      const existing = pools.get(slot);
      if (existing !== undefined && existing.version === version) {
        existing.calls++;
        existing.lastUsed = performance.now();
        // Now the most recently used: moved to the end, nothing dropped (the count is unchanged).
        setBounded(pools, slot, existing, maxPools);
        return existing;
      }
      if (existing !== undefined) {
        pools.delete(slot);
        retire(existing);
      }
      const target = toTarget(endpoint, options.destinations);
      const context = contextFor(contextKey, identity, trust);
      const pool = new Pool(target.origin, {
        connections: options.connectionsPerEndpoint,
        pipelining: 1,
        keepAliveTimeout: options.keepAliveTimeoutMs,
        headersTimeout: target.responseTimeoutMs,
        bodyTimeout: target.responseTimeoutMs,
        connect: pinnedConnector({ target, context, onConnected: options.onConnected }),
      });
      const kept: Kept = { pool, target, context, version, contextKey, calls: 1, lastUsed: performance.now(), retired: false, closed: false };
      setBounded(pools, slot, kept, maxPools, evicted);
      return kept;
    },
    release(entry) {
      const kept = entry as Kept;
      kept.calls--;
      kept.lastUsed = performance.now();
      if (kept.retired && kept.calls === 0) closeNow(kept);
    },
    get size() {
      return pools.size;
    },
    async close() {
      clearInterval(sweeper);
      const all = [...pools.values(), ...draining];
      pools.clear();
      // close(), not destroy(): requests in flight finish (bounded by their response timeout).
      for (const kept of all) closeNow(kept);
      contexts.clear();
      await Promise.all([...closing]);
    },
  };
}
