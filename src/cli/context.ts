import type { Config } from '../config/index.ts';
import type { DatabaseHandle } from '../db/index.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { checkMasterKey, loadMasterKey } from '../app/master-key.ts';
import { createAuditLog, type AuditLog } from '../modules/audit/index.ts';

/** Where a command writes and where a prompt reads: the process's own streams, or a test's buffers. */
export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** What a command may use; the database opens on first use (sharing a running embedded cluster). */
export interface CliContext extends CliStreams {
  config: Config;
  clock: Clock;
  database(): Promise<DatabaseHandle>;
  /** The server's master key (VARCO_MASTER_KEY or the data directory's), checked against the database. */
  masterKey(): Promise<Buffer>;
  /** The audit log every command that changes something writes to, keyed like the server's. */
  audit(): Promise<AuditLog>;
  close(): Promise<void>;
}

export function createCliContext(config: Config, open: (config: Config) => Promise<DatabaseHandle>, streams: CliStreams): CliContext {
  let handle: Promise<DatabaseHandle> | undefined;
  let key: Promise<Buffer> | undefined;
  let audit: Promise<AuditLog> | undefined;
  const database = (): Promise<DatabaseHandle> => (handle ??= open(config));
  // A command with another key would append rows no server can verify: refused like a second server.
  const masterKey = (): Promise<Buffer> => (key ??= (async () => {
    const loaded = await loadMasterKey(config);
    await checkMasterKey((await database()).db, loaded);
    return loaded;
  })());
  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    // Read when a prompt asks: the process's stdin is created on first access, and only a prompt needs it.
    get stdin() { return streams.stdin; },
    config,
    clock: systemClock,
    database,
    masterKey,
    audit: () => (audit ??= masterKey().then((k) => createAuditLog({ clock: systemClock, masterKey: k }))),
    close: async () => {
      if (handle) await (await handle).close();
    },
  };
}
