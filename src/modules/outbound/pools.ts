// One undici Pool per endpoint (per environment, endpoint set and role) and per client identity
// and trust store, reused across calls so TLS handshakes are paid once per connection, not per
// delivery (issue 6: handshakes no more than the pool size). A pool whose endpoint, identity or
// trust changed is replaced and the old one drained.
import type { SecureContext } from 'node:tls';
import { Pool } from 'undici';
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
}

export interface PoolRegistry {
  /** `identity` undefined: a plain TLS client that never presents a certificate. */
  get(slot: string, endpoint: Endpoint, identity: ClientIdentity | undefined, trust: TrustStore): PoolEntry;
  readonly size: number;
  close(): Promise<void>;
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
  const pools = new Map<string, PoolEntry & { version: string }>();
  const contexts = new Map<string, SecureContext>();
  const retiring = new Set<Promise<void>>();

  const identityKey = (identity: ClientIdentity | undefined): string => (identity === undefined ? 'plain' : materialKey(identity));
  const contextFor = (identity: ClientIdentity | undefined, trust: TrustStore): SecureContext => {
    const key = `${identityKey(identity)}:${materialKey(trust)}`;
    let context = contexts.get(key);
    if (context === undefined) {
      context = secureContextFor(identity, trust);
      contexts.set(key, context);
    }
    return context;
  };

  const retire = (pool: Pool): void => {
    // close() lets requests in flight finish; nothing waits for it except close() below.
    const closing = pool
      .close()
      .catch(() => undefined)
      .finally(() => retiring.delete(closing));
    retiring.add(closing);
  };

  return {
    get(slot, endpoint, identity, trust) {
      // The origin, not the whole URL: callers put per-message paths and queries in it (feedback URLs
      // carry the order), and a pool replaced per message paid a TLS handshake per delivery (issue 6).
      const version = `${originText(endpoint.url)}\0${endpoint.ip}\0${endpoint.port}\0${endpoint.connectTimeoutMs}\0${endpoint.responseTimeoutMs}\0${identityKey(identity)}\0${materialKey(trust)}`;
      const existing = pools.get(slot);
      if (existing !== undefined && existing.version === version) return existing;
      if (existing !== undefined) retire(existing.pool);
      const target = toTarget(endpoint, options.destinations);
      const context = contextFor(identity, trust);
      const pool = new Pool(target.origin, {
        connections: options.connectionsPerEndpoint,
        pipelining: 1,
        keepAliveTimeout: options.keepAliveTimeoutMs,
        headersTimeout: target.responseTimeoutMs,
        bodyTimeout: target.responseTimeoutMs,
        connect: pinnedConnector({ target, context, onConnected: options.onConnected }),
      });
      const entry = { pool, target, context, version };
      pools.set(slot, entry);
      return entry;
    },
    get size() {
      return pools.size;
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      contexts.clear();
      // close(), not destroy(): requests in flight finish (bounded by their response timeout).
      await Promise.all([...all.map((entry) => entry.pool.close().catch(() => undefined)), ...retiring]);
    },
  };
}
