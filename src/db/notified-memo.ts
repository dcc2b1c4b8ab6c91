import type { Kysely } from 'kysely';
import { setBounded } from '../kernel/bounded-map.ts';
import { createListener, type Listener } from './listen.ts';
import type { Database } from './schema.ts';

// A memory of database answers that PostgreSQL keeps correct: a trigger notifies `channel` at the
// commit of every change to what the answers are read from, and every instance forgets everything it
// kept. Shared by the merchant configuration cache, the pagoPA directory cache and the station memory
// (the key cache and the trust store keep generations of their own). Rules, the same for every user:
// - nothing is kept while the LISTEN connection is down or not yet up (slower, never stale), and the
//   memory starts empty once it is back;
// - a lookup that began before a change does not keep what it read (epoch);
// - the process that made a change calls `changed()` and forgets at once, without waiting for its
//   own notification;
// - an age limit (default one minute) is a safety net only (a LISTEN connection that died without
//   the socket noticing still looks up); the oldest entry goes when full;
// - with `lazy`, the first lookup starts the listener, so a process that never asks opens no connection
//   for it (a lookup after `stop` does not start it again: the process is closing).

export interface NotifiedMemo {
  /** The kept answer for `key`, or `load`'s, kept when nothing changed meanwhile and the listener is up. */
  remember<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Forget everything now. */
  changed(): void;
  /** Starts listening; no-op without a database URL or when started. */
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly listening: boolean;
}

export interface NotifiedMemoOptions {
  /** For the LISTEN connection; without it nothing is kept. */
  databaseUrl: string | undefined;
  channel: string;
  applicationName: string;
  maxAgeMs?: number | undefined;
  maxEntries?: number | undefined;
  /** What each kept answer becomes before it is shared (e.g. frozen). */
  keep?: <T>(value: T) => T;
  /** The first `remember` starts listening (its answer is not kept: the listener is not up yet). */
  lazy?: boolean;
  /** Logged once when the listener loses its connection. */
  downMessage: string;
  logger?: { warn(obj: object, msg?: string): void } | undefined;
}

export function createNotifiedMemo(options: NotifiedMemoOptions): NotifiedMemo {
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { value: unknown; storedAt: number }>();
  let epoch = 0;
  let listener: Listener | undefined;
  let stopped = false;

  const changed = (): void => {
    epoch++;
    entries.clear();
  };
  const listening = (): boolean => listener?.listening === true;

  return {
    async remember<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (options.lazy && listener === undefined && !stopped) void start().catch(() => undefined);
      const now = Date.now();
      if (listening()) {
        const hit = entries.get(key);
        if (hit && now - hit.storedAt < maxAgeMs) return hit.value as T;
      }
      const seen = epoch;
      const loaded = await load();
      const value = options.keep ? options.keep(loaded) : loaded;
      if (listening() && seen === epoch) {
        // Insertion order is age order (a key stored again moves to the end). Unknown keys are kept
        // too, so junk cannot make every request reach the database.
        setBounded(entries, key, { value, storedAt: now }, maxEntries);
      }
      return value;
    },
    changed,
    start: async () => {
      stopped = false;
      await start();
    },
    stop: async () => {
      stopped = true;
      await listener?.stop();
      listener = undefined;
      changed();
    },
    get listening() {
      return listening();
    },
  };

  async function start(): Promise<void> {
    if (options.databaseUrl === undefined || listener) return;
    listener = createListener({
      url: options.databaseUrl,
      channel: options.channel,
      applicationName: options.applicationName,
      hooks: {
        onNotify: changed,
        onUp: changed,
        onDown: (error) => {
          changed();
          if (error) options.logger?.warn({ err: error.message }, options.downMessage);
        },
      },
    });
    await listener.start();
  }
}

/**
 * A `keep` for every memory: frozen all the way down, so no caller can change what the next one
 * reads (answers are shared). Keep plain data: a Date is frozen too, but its time can still be set.
 */
export function frozenAnswer<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) frozenAnswer(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * A change to what a memory keeps: `work` in a transaction, then `changed` (this process's memory
 * forgets) when it ends, committed or not, without waiting for the trigger's notification.
 */
export function changeInTransaction<T>(db: Kysely<Database>, changed: (() => void) | undefined, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .execute(work)
    .finally(() => changed?.());
}
