import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConfigError, loadConfig, type Config } from '../config/index.ts';
import {
  auditRoleProblems,
  createPool,
  currentRole,
  grantAppRole,
  migrate,
  NoPrimaryError,
  openDatabase,
  type DatabaseHandle,
  type MigrateResult,
} from '../db/index.ts';
import { DataDirInUseError, EmbeddedStartError } from '../db/embedded.ts';
import { flushThenExit, type Logger } from '../app/logger.ts';
import { devServerCertificate } from '../app/container.ts';
import { isDatabaseUnavailable } from '../kernel/database-unavailable.ts';
import { databaseHint, unreachable } from '../db/unreachable.ts';
import type { PlatformPki } from '../modules/platform/index.ts';

// Start-up steps shared by the server and the CLI.

/** How the server and the worker exit when they cannot start: each cause an operator can fix has its own code (README, "Configuration"). */
export const EXIT_CODES = { unexpected: 1, configuration: 2, address: 3, dataDir: 4, database: 5 } as const;

/** A start-up failure with a known cause: its message says what is wrong and what to change, and it has no stack worth showing. */
export class StartupError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'StartupError';
    this.exitCode = exitCode;
  }
}

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_CODES.configuration);
    }
    throw error;
  }
}

/**
 * The end of a server or worker that could not start (what had started is stopped by then). A known
 * cause (ConfigError, StartupError) is one line on stderr, its exit code, and a log line without a
 * stack; anything else is a bug: its stack goes to the log, exit code 1.
 */
export function exitNotStarted(logger: Logger, error: unknown, message: string): void {
  const code = error instanceof StartupError ? error.exitCode : error instanceof ConfigError ? EXIT_CODES.configuration : EXIT_CODES.unexpected;
  if (code === EXIT_CODES.unexpected) logger.fatal({ err: error }, message);
  else {
    process.stderr.write(`${(error as Error).message}\n`);
    logger.fatal({ reason: (error as Error).message, exitCode: code }, message);
  }
  process.exitCode = code;
  flushThenExit(logger, code);
}

const errnoOf = (error: unknown): { code?: unknown; syscall?: unknown } => (typeof error === 'object' && error !== null ? error : {});

/** A failed `listen` said with the setting to change (VARCO_PORT, VARCO_HOST); any other error as it is. */
export function listenFailure(config: Config, error: unknown): unknown {
  const where = `${config.host}:${config.port}`;
  switch (errnoOf(error).code) {
    case 'EADDRINUSE':
      return new StartupError(
        EXIT_CODES.address,
        `Cannot listen on ${where}, which is already in use (by another Varco server or another program): stop it, or set VARCO_PORT (or VARCO_HOST) to a free address.`,
        error,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(
        EXIT_CODES.address,
        `Cannot listen on ${where}, as ${config.host} is not an address of this machine: set VARCO_HOST to one of its addresses, or to 0.0.0.0 for all of them.`,
        error,
      );
    case 'EACCES':
      return new StartupError(
        EXIT_CODES.address,
        `Cannot listen on ${where}, as ports below 1024 need privileges this process does not have: set VARCO_PORT to 1024 or above.`,
        error,
      );
    default:
      return error;
  }
}

/** Opening the database failed: another process's data directory, an embedded cluster that did not start, a PostgreSQL out of reach; any other error as it is (a refused migration says itself what is wrong). */
export function databaseFailure(config: Config, error: unknown): unknown {
  if (error instanceof DataDirInUseError) return new StartupError(EXIT_CODES.dataDir, error.message, error);
  if (error instanceof EmbeddedStartError) {
    const inUse = error.lines.some((line) => /could not bind .*Address already in use/.test(line));
    const why = inUse
      ? `, as port ${error.port} is in use by another program: set VARCO_EMBEDDED_PG_PORT to a free port`
      : ` (${error.lines.findLast((line) => /FATAL|PANIC|ERROR/.test(line))?.trim() ?? String(error.cause)}): check ${config.dataDir} (VARCO_DATA_DIR)`;
    return new StartupError(EXIT_CODES.database, `The embedded PostgreSQL did not start${why}, or use an external PostgreSQL with DATABASE_URL.`, error);
  }
  // A file the embedded cluster needs (mkdir, open) is not the database being out of reach.
  const { syscall } = errnoOf(error);
  if (syscall !== undefined && syscall !== 'connect' && syscall !== 'getaddrinfo') return error;
  if (error instanceof NoPrimaryError || unreachable(config, error) !== undefined || isDatabaseUnavailable(error)) {
    return new StartupError(EXIT_CODES.database, `Cannot connect to the database (${(error as Error).message}): ${databaseHint(config, error)}.`, error);
  }
  return error;
}

/**
 * Migrations and grants as the schema owner, on a connection of their own; the handle's pool (the
 * application role) never runs DDL. Without an owner distinct from the application role (DATABASE_URL
 * alone) there is nothing to grant: that role migrates, and the server warns if it is too powerful.
 */
export async function migrateAsOwner(handle: DatabaseHandle): Promise<MigrateResult> {
  const owner = createPool(handle.ownerUrl, 1);
  try {
    const result = await migrate(owner);
    if (handle.ownerUrl !== handle.url) await grantAppRole(owner, await currentRole(handle.pool));
    return result;
  } finally {
    await owner.end();
  }
}

export async function openMigratedDatabase(
  config: Config,
  logger: Logger | undefined,
  mode: 'own' | 'share',
  options: { warnAboutRole?: boolean } = {},
): Promise<DatabaseHandle> {
  const handle = await openDatabase(config, { mode, log: (line) => logger?.debug({ postgres: line }, 'embedded postgres') });
  try {
    const result = await migrateAsOwner(handle);
    if (result.applied.length > 0) logger?.info({ applied: result.applied.map((m) => `${m.version}_${m.name}`) }, 'migrations applied');
    const problems = options.warnAboutRole ? await auditRoleProblems(handle.pool) : [];
    if (problems.length > 0) {
      logger?.warn(
        { problems },
        `${problems.join('; ')}: the database does not stop this role from rewriting the audit log. Connect with a role that may only ` +
          'SELECT and INSERT audit rows, and give the owner as VARCO_DATABASE_OWNER_URL (docs/security.md, "Audit log integrity and database roles")',
      );
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

export interface ServerTls {
  cert: string;
  key: string;
  /** The certificate's file, for the banner. */
  source: string;
}

/**
 * VARCO_TLS_CERT and VARCO_TLS_KEY, read and checked before anything starts: a PEM certificate (chain),
 * a PEM private key, the key of that certificate, a pair node:tls accepts. Undefined without them.
 * A ConfigError names the setting otherwise.
 */
export async function readTlsFiles(config: Config): Promise<ServerTls | undefined> {
  if (!config.tls) return undefined;
  const { certFile, keyFile } = config.tls;
  const read = (setting: string, file: string): Promise<string> =>
    readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(setting, `cannot be read (${error.code ?? 'error'}: ${file})`);
    });
  const cert = await read('VARCO_TLS_CERT', certFile);
  const key = await read('VARCO_TLS_KEY', keyFile);
  const swapped = 'are VARCO_TLS_CERT and VARCO_TLS_KEY swapped?';
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new ConfigError('VARCO_TLS_CERT', `(${certFile}) holds no PEM certificate${/PRIVATE KEY-----/.test(cert) ? ` but a private key: ${swapped}` : ''}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    const what = /-----BEGIN CERTIFICATE-----/.test(key)
      ? `holds no PEM private key but a certificate: ${swapped}`
      : /ENCRYPTED/.test(key)
        ? 'holds an encrypted private key: Varco has no passphrase setting; give it the key unencrypted, in a file only Varco may read'
        : /PRIVATE KEY-----/.test(key)
          ? `holds a PEM private key that cannot be used: ${(error as Error).message}`
          : 'holds no PEM private key';
    throw new ConfigError('VARCO_TLS_KEY', `(${keyFile}) ${what}`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new ConfigError('VARCO_TLS_KEY', `(${keyFile}) is not the private key of the certificate in VARCO_TLS_CERT (${certFile})`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError('VARCO_TLS_CERT', `(${certFile}) and VARCO_TLS_KEY (${keyFile}) are refused by TLS: ${(error as Error).message}`);
  }
  return { cert, key, source: certFile };
}

/**
 * The certificate files from configuration (`files`, read by readTlsFiles), or this instance's
 * development certificate, issued by the shared test platform CA (`platform`, ensured first so every
 * instance is issued by the same one).
 */
export async function serverTls(config: Config, platform: PlatformPki, files: ServerTls | undefined): Promise<ServerTls> {
  if (files) return files;
  const server = await devServerCertificate(config, platform);
  return { cert: server.chainPem, key: server.keyPem, source: server.paths.cert };
}

/**
 * One full garbage collection once start-up is done. Loading ~2,000 modules (type stripping
 * included), migrations and the PKI allocate about 100 MB, and V8 leaves the heap grown: an idle
 * server allocates too little to trigger a collection, so it kept ~60 MB of dead start-up objects
 * resident (idle RSS 175 MB instead of 138 MB, issue 6 benchmark, docs/benchmarks.md). Exposing
 * `gc` this way is what Jest does for its leak detection; it costs one pause of tens of ms.
 */
export function collectStartupGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as ((options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void) | undefined;
  // 'last-resort': V8's low-memory collection (repeated, compacting), which also gives the freed
  // pages back; a plain major collection leaves them committed until the memory reducer runs.
  gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * The SIGTERM and SIGINT handlers of a long-running process, installed before anything starts.
 * Node's default for both is to die on the spot, which left the embedded PostgreSQL running (and the
 * next start waiting to stop it) when a supervisor signalled a process still starting: a server
 * already answers /readyz a few steps before it has finished. A signal during start-up is remembered
 * and acted on by `started`, with the same graceful shutdown as at any other time. `on`, not `once`:
 * a second Ctrl-C during shutdown must not kill Node before PostgreSQL is stopped.
 */
export function stopSignals(logger: Logger): { started(stop: (signal: string) => void): boolean } {
  let requested: string | undefined;
  let stopNow: ((signal: string) => void) | undefined;
  const onSignal = (signal: string): void => {
    if (stopNow) stopNow(signal);
    else if (requested === undefined) {
      requested = signal;
      logger.info({ signal }, 'stop requested while starting: stopping once start-up is complete');
    }
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  // `npm start` runs the process under `sh -c`, which does not pass a signal on: a SIGTERM to npm
  // ends npm and the shell and left the server running, orphaned, with its PostgreSQL. Started by
  // npm, the process takes its parent's going as a SIGTERM. (Docker and systemd start it directly.)
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      logger.info({ parent }, 'the process that started this one (npm) is gone: stopping');
      onSignal('SIGTERM');
    }, 500);
    watch.unref();
  }
  return {
    /** From now on a signal calls `stop`; true (and `stop` called) when one came during start-up. */
    started(stop) {
      stopNow = stop;
      if (requested === undefined) return false;
      stop(requested);
      return true;
    },
  };
}
