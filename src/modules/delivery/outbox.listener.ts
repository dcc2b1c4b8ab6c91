import { createListener } from '../../db/index.ts';
import type { WorkerLogger } from './worker.ts';

// The workers' wake-up call: a notification on the outbox channel means work was committed. After a
// reconnection the worker looks once, since notifications sent while it was away are lost (polling in
// the worker covers that gap in any case).

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
  const { onNotify, logger } = options;
  return createListener({
    url: options.url,
    channel: options.channel,
    maxBackoffMs: options.maxBackoffMs ?? 5_000,
    applicationName: 'varco-outbox-listener',
    hooks: {
      onNotify: () => onNotify(),
      onUp: () => onNotify(),
      onDown: (error) => {
        if (error) logger.warn({ err: error.message }, 'outbox listener lost its database connection; reconnecting');
      },
    },
  });
}
