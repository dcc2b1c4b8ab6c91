import { setBounded } from '../../kernel/bounded-map.ts';
import { systemResolve, type Resolve } from './reachability.steps.ts';

// Host names of server-to-server feedback destinations (a shop's feedback URL) resolved
// through the system resolver, remembered for a few seconds. Without it every delivery asked
// getaddrinfo, which runs on libuv's four-thread pool beside file I/O: under a burst of feedback the
// deliveries queued for the pool, not for the network (issue 15, benchmark 3). The destination
// policy still judges the address on every delivery, and the connection goes to the address judged
// (no second lookup at connect time), so remembering a name never lets a refused address through.
// Failures are not remembered: the next delivery asks again.

export interface HostResolverOptions {
  /** How long an answer is reused (default 10 s; getaddrinfo gives no TTL). */
  ttlMs?: number;
  /** Most host names remembered; the oldest is forgotten first (default 1,000). */
  maxHosts?: number;
  /** The lookup behind the cache (default: the system resolver, every address). */
  lookupAll?: Resolve;
  /** Milliseconds now (default Date.now; tests move it). */
  now?: () => number;
}

export function createHostResolver(options: HostResolverOptions = {}): Resolve {
  const ttlMs = options.ttlMs ?? 10_000;
  const maxHosts = options.maxHosts ?? 1_000;
  const lookupAll = options.lookupAll ?? systemResolve;
  const now = options.now ?? Date.now;
  const answers = new Map<string, { addresses: string[]; until: number }>();
  // Concurrent deliveries to one host share one lookup.
  const pending = new Map<string, Promise<string[]>>();

  return (host) => {
    const key = host.toLowerCase();
    const known = answers.get(key);
    if (known && known.until > now()) return Promise.resolve([...known.addresses]);
    const inFlight = pending.get(key);
    if (inFlight) return inFlight.then((addresses) => [...addresses]);
    const asked = lookupAll(host)
      .then((addresses) => {
        if (ttlMs > 0 && addresses.length > 0) setBounded(answers, key, { addresses: [...addresses], until: now() + ttlMs }, maxHosts);
        else answers.delete(key);
        return addresses;
      })
      .finally(() => pending.delete(key));
    pending.set(key, asked);
    return asked.then((addresses) => [...addresses]);
  };
}
