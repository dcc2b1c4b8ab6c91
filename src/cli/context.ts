import type { Config } from '../config/index.ts';
import { unreachable } from '../db/unreachable.ts';
import type { DatabaseHandle } from '../db/index.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { checkMasterKey, loadMasterKey, readMasterKey } from '../app/master-key.ts';
import { createAuditLog, type AuditLog } from '../modules/audit/index.ts';
import { createContainer, type Container } from '../app/container.ts';
import type { Logger } from '../app/logger.ts';

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
  /** The process's composition root (src/app/container.ts), made on first use with the database, the checked master key and the audit log. */
  container(): Promise<Container>;
  /**
   * The composition root for read-only checks (`varco doctor`): with the configured master key as it
   * is, neither generated nor recorded in the database (the caller compared it with the record first).
   */
  readOnlyContainer(): Promise<Container>;
  close(): Promise<void>;
}

export function createCliContext(config: Config, open: (config: Config) => Promise<DatabaseHandle>, streams: CliStreams, logger: Logger): CliContext {
  let handle: Promise<DatabaseHandle> | undefined;
  let key: Promise<Buffer> | undefined;
  let auditLog: Promise<AuditLog> | undefined;
  let container: Promise<Container> | undefined;
  let readOnly: Promise<Container> | undefined;
  const database = (): Promise<DatabaseHandle> =>
    (handle ??= open(config).catch((error: unknown) => {
      throw unreachable(config, error) ?? error;
    }));
  // A command with another key would append rows no server can verify: refused like a second server.
  const masterKey = (): Promise<Buffer> =>
    (key ??= (async () => {
      const loaded = await loadMasterKey(config);
      await checkMasterKey((await database()).db, loaded);
      return loaded;
    })());
  const audit = (): Promise<AuditLog> => (auditLog ??= masterKey().then((k) => createAuditLog({ clock: systemClock, masterKey: k })));
  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    // Read when a prompt asks: the process's stdin is created on first access, and only a prompt needs it.
    get stdin() {
      return streams.stdin;
    },
    config,
    clock: systemClock,
    database,
    masterKey,
    audit,
    container: () =>
      (container ??= (async () => {
        const { db, url } = await database();
        return createContainer({ config, db, databaseUrl: url, logger, clock: systemClock, masterKey: await masterKey(), audit: await audit() });
      })()),
    readOnlyContainer: () =>
      (readOnly ??= (async () => {
        const key = await readMasterKey(config);
        if (key === undefined) throw new Error('no master key: VARCO_MASTER_KEY is unset and the data directory has no master.key');
        const { db, url } = await database();
        const log = createAuditLog({ clock: systemClock, masterKey: key });
        return createContainer({ config, db, databaseUrl: url, logger, clock: systemClock, masterKey: key, audit: log });
      })()),
    close: async () => {
      // The container's outbound clients (a station verified from the CLI) first, then the database.
      // What failed to open has nothing to close: its error was the command's, and is reported once.
      await (await container?.catch(() => undefined))?.close();
      await (await readOnly?.catch(() => undefined))?.close();
      await (await handle?.catch(() => undefined))?.close();
    },
  };
}
