import pg from 'pg';
import { createClient } from './failover.ts';

// LISTEN on a dedicated connection (a pooled one would be handed to other queries), reconnecting with
// a growing pause when the connection drops. Users must know whether it is listening: while not,
// notifications can be missed, so a cache stops trusting itself (onDown) and starts from empty once
// listening again (onUp); a worker simply looks for work at onUp. One implementation for the key
// cache, the merchant configuration cache and the outbox workers.

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

export function createListener(options: { url: string; channel: string; hooks: ListenerHooks; maxBackoffMs?: number; applicationName?: string }): Listener {
  const { url, channel, hooks } = options;
  const maxBackoffMs = options.maxBackoffMs ?? 2_000;
  let client: pg.Client | undefined;
  let stopped = true;
  let backoff = 50;
  let timer: NodeJS.Timeout | undefined;

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
      if (wasUp) client = undefined;
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
    try {
      await next.connect();
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
    backoff = 50;
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
      return client !== undefined;
    },
  };
}
