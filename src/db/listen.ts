import pg from 'pg';
import { createClient } from './failover.ts';

// LISTEN on a dedicated connection (a pooled one would be handed to other queries), reconnecting with
// a growing pause when the connection drops. Users must know whether it is listening: while not,
// notifications can be missed, so a cache stops trusting itself (onDown) and starts from empty once
// listening again (onUp); a worker simply looks for work at onUp. One implementation for the key
// cache, the merchant configuration cache and the outbox workers.
//
// A connection can also die without its socket noticing: a NAT or firewall that drops an idle
// connection sends no reset, and the operating system's keepalive takes hours to tell. With
// `heartbeatMs`, a round trip (`SELECT 1`) goes every heartbeatMs: `listening` holds only while one
// sent within the last HEARTBEAT_TRUST periods came back (an answer shows the connection still carries
// what PostgreSQL sends it, notifications included: a slow one only pauses the trust, nothing is
// lost), and one left unanswered for HEARTBEAT_DEAD_MS ends the connection (onDown) and reconnects.

export interface ListenerHooks {
  onNotify(payload: string): void;
  /** Listening (again): anything cached before may have missed a change. */
  onUp(): void;
  /** Not listening any more: changes are not seen until onUp. */
  onDown(error: Error | undefined): void;
}

export interface Listener {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly listening: boolean;
}

/** `listening` needs a heartbeat answered that was sent within this many heartbeat periods. */
const HEARTBEAT_TRUST = 3;
/** A heartbeat unanswered for this long: the connection is dead, whatever its socket says. */
const HEARTBEAT_DEAD_MS = 5_000;

export function createListener(options: {
  url: string;
  channel: string;
  hooks: ListenerHooks;
  maxBackoffMs?: number;
  applicationName?: string;
  /** A round trip this often proves the connection alive (see above); without it, only the socket's events tell. */
  heartbeatMs?: number;
}): Listener {
  const { url, channel, hooks, heartbeatMs } = options;
  const maxBackoffMs = options.maxBackoffMs ?? 2_000;
  let client: pg.Client | undefined;
  let stopped = true;
  let backoff = 50;
  let timer: NodeJS.Timeout | undefined;
  /** When the newest answered round trip on `client` was sent (performance.now()). */
  let confirmedAt = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  const stopHeartbeat = (): void => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = undefined;
  };

  /** Round trips on `current` every heartbeatMs; one unanswered for HEARTBEAT_DEAD_MS calls `dead`. */
  function startHeartbeat(current: pg.Client, dead: (error: Error) => void): void {
    if (heartbeatMs === undefined) return;
    let pendingSince: number | undefined;
    heartbeat = setInterval(() => {
      const now = performance.now();
      if (pendingSince !== undefined) {
        if (now - pendingSince > HEARTBEAT_DEAD_MS) dead(new Error(`no answer on the LISTEN connection for ${HEARTBEAT_DEAD_MS} ms`));
        return;
      }
      const sent = (pendingSince = now);
      current.query('SELECT 1').then(
        () => {
          pendingSince = undefined;
          if (client === current) confirmedAt = sent;
        },
        // A failed round trip is the connection's failure: its 'error' or 'end' event reports it.
        () => undefined,
      );
    }, heartbeatMs);
    heartbeat.unref();
  }

  const scheduleReconnect = (): void => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, backoff);
    timer.unref();
    backoff = Math.min(backoff * 2, maxBackoffMs);
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    const next = createClient(url, {
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      application_name: options.applicationName ?? 'varco-listener',
    });
    let lostOnce = false;
    const lost = (error?: Error): void => {
      if (lostOnce) return;
      lostOnce = true;
      const wasUp = client === next;
      if (wasUp) {
        client = undefined;
        stopHeartbeat();
      }
      next.removeAllListeners('notification');
      void next.end().catch(() => undefined);
      if (wasUp) hooks.onDown(error);
      scheduleReconnect();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', (message) => {
      if (message.channel === channel) hooks.onNotify(message.payload ?? '');
    });
    let listenSent: number;
    try {
      await next.connect();
      listenSent = performance.now();
      // The channel is a constant of the caller, never input.
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      lost(error as Error);
      return;
    }
    if (stopped || lostOnce) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    confirmedAt = listenSent;
    backoff = 50;
    startHeartbeat(next, lost);
    hooks.onUp();
  }

  return {
    start: async () => {
      stopped = false;
      await connect();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      stopHeartbeat();
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => undefined);
        await current.end().catch(() => undefined);
        hooks.onDown(undefined);
      }
    },
    get listening() {
      return client !== undefined && (heartbeatMs === undefined || performance.now() - confirmedAt <= HEARTBEAT_TRUST * heartbeatMs);
    },
  };
}
