import type { Config } from '../config/index.ts';
import type { DatabaseHandle } from '../db/index.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';

/** What a command may use; the database opens on first use (sharing a running embedded cluster). */
export interface CliContext {
  config: Config;
  clock: Clock;
  database(): Promise<DatabaseHandle>;
  close(): Promise<void>;
}

export function createCliContext(config: Config, open: (config: Config) => Promise<DatabaseHandle>): CliContext {
  let handle: Promise<DatabaseHandle> | undefined;
  return {
    config,
    clock: systemClock,
    database: () => (handle ??= open(config)),
    close: async () => {
      if (handle) await (await handle).close();
    },
  };
}
