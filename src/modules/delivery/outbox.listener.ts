import pg from 'pg';
import type { WorkerLogger } from './worker.ts';

// LISTEN needs its own connection for as long as the worker runs (a pooled connection would be handed
// to other queries). When the connection drops (database restart, network), it reconnects with a
// growing pause; after reconnecting it wakes the worker once, since notifications sent while it was
// away are lost. Polling in the worker covers that gap in any case.

export interface OutboxListener {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface OutboxListenerOptions {
  url: string;
  channel: string;
  onNotify: () => void;
  logger: WorkerLogger;
  /** Longest pause between reconnection attempts. */
  maxBackoffMs?: number;
}

export function createOutboxListener(options: OutboxListenerOptions): OutboxListener {
  const { url, channel, onNotify, logger } = options;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  let client: pg.Client | undefined;
  let stopped = false;
  let backoff = 100;
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
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true, application_name: 'varco-outbox-listener' });
    let failed = false;
    const lost = (error?: Error): void => {
      if (failed) return;
      failed = true;
      if (client === next) client = undefined;
      next.removeAllListeners('notification');
      void next.end().catch(() => undefined);
      if (!stopped) {
        logger.warn({ err: error?.message ?? 'connection ended' }, 'outbox listener lost its database connection; reconnecting');
        scheduleReconnect();
      }
    };
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    try {
      await next.connect();
      // The channel name is a constant of this module, never input, so quoting it inline is safe.
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      lost(error as Error);
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    backoff = 100;
    onNotify();
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
      }
    },
  };
}
