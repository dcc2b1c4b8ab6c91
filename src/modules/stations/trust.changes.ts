/**
 * When the trust store changed, for every instance on the database (issue 13: a CA added with
 * `varco trust add` reaches the running servers at once, not after a cache's minute).
 *
 * Kept correct by PostgreSQL: a trigger on `trusted_cas` (migration 0025) notifies
 * `varco_trusted_cas` at the commit of every change, from any process (CLI, back office, another
 * instance), and each instance's generation moves on. Trust caches keep roots only while the
 * generation they read them under is current. As with the merchant configuration cache: while the
 * LISTEN connection is down (or was never started) there is no generation, so caches re-read every
 * time (slower, never stale); the process that made a change moves on at once (`changed()`), without
 * waiting for its own notification. A connection that died silently is caught by the listener's
 * heartbeat, as for the key cache.
 */
import { createListener, type Listener } from '../../db/index.ts';

export const TRUSTED_CAS_CHANNEL = 'varco_trusted_cas';

/** The listener's round trip (src/db/listen.ts): the generation holds while one sent in the last 3 × this came back. */
const TRUST_HEARTBEAT_MS = 1_000;

export interface TrustChanges {
  /** The current generation while listening; undefined while not: nothing cached may be trusted. */
  generation(): number | undefined;
  /** This process changed the store: caches re-read at their next call. */
  changed(): void;
  /** Starts listening (no-op without a database URL or when started). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createTrustChanges(options: { databaseUrl: string | undefined; logger?: { warn(obj: object, msg?: string): void } }): TrustChanges {
  let generation = 0;
  let listener: Listener | undefined;
  const changed = (): void => {
    generation++;
  };
  return {
    generation: () => (listener?.listening === true ? generation : undefined),
    changed,
    start: async () => {
      if (options.databaseUrl === undefined || listener) return;
      listener = createListener({
        url: options.databaseUrl,
        channel: TRUSTED_CAS_CHANNEL,
        applicationName: 'varco-trusted-cas',
        // A connection dropped without a word (a NAT or firewall) would otherwise leave a removed CA
        // trusted until the caches' minute: unanswered round trips end the generation within 3 s.
        heartbeatMs: TRUST_HEARTBEAT_MS,
        hooks: {
          onNotify: changed,
          onUp: changed,
          onDown: (error) => {
            changed();
            if (error) options.logger?.warn({ err: error.message }, 'trust store listener lost its connection; reading trusted CAs at every call');
          },
        },
      });
      await listener.start();
    },
    stop: async () => {
      await listener?.stop();
      listener = undefined;
      changed();
    },
  };
}
