import type { Config } from '../config/index.ts';
import type { DatabaseHandle } from '../db/index.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { checkMasterKey, loadMasterKey } from '../app/master-key.ts';
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
  close(): Promise<void>;
}

export function createCliContext(config: Config, open: (config: Config) => Promise<DatabaseHandle>, streams: CliStreams, logger: Logger): CliContext {
  let handle: Promise<DatabaseHandle> | undefined;
  let key: Promise<Buffer> | undefined;
  let auditLog: Promise<AuditLog> | undefined;
  let container: Promise<Container> | undefined;
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
    close: async () => {
      // The container's outbound clients (a station verified from the CLI) first, then the database.
      // What failed to open has nothing to close: its error was the command's, and is reported once.
      await (await container?.catch(() => undefined))?.close();
      await (await handle?.catch(() => undefined))?.close();
    },
  };
}

/** Node's (ECONNREFUSED, ENOTFOUND) and PostgreSQL's (08 connection, 28 authorisation, 3D000 no such database, 57P03 starting up) codes of a connection that failed. */
const CONNECTION_FAILURE = /^(E[A-Z]+|08...|28...|3D000|57P03)$/;

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** A database that cannot be connected to, said with the settings to check; undefined for other errors (a refused migration says itself what is wrong). */
export function unreachable(config: Config, error: unknown): Error | undefined {
  if (!CONNECTION_FAILURE.test(codeOf(error))) return undefined;
  return new Error(`cannot connect to the database: ${(error as Error).message}; ${databaseHint(config, error)}`, { cause: error });
}

/** What to check when the database refuses or does not answer with `error`. */
export function databaseHint(config: Config, error: unknown): string {
  if (config.databaseUrl === undefined) return `check the embedded PostgreSQL in ${config.dataDir} (VARCO_DATA_DIR), or set DATABASE_URL`;
  const settings = config.databaseOwnerUrl === undefined ? 'DATABASE_URL' : 'DATABASE_URL and VARCO_DATABASE_OWNER_URL';
  const code = codeOf(error);
  if (code.startsWith('28')) return `check the user and password in ${settings}`;
  if (code === '3D000') return `check the database name in ${settings}`;
  return `start PostgreSQL or check the host and port in ${settings}`;
}
