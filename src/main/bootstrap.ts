import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConfigError, loadConfig, type Config } from '../config/index.ts';
import { auditRoleProblems, createPool, currentRole, grantAppRole, migrate, openDatabase, type DatabaseHandle, type MigrateResult } from '../db/index.ts';
import type { Logger } from '../app/logger.ts';
import { devServerCertificate } from '../app/container.ts';
import type { PlatformPki } from '../modules/platform/index.ts';

// Start-up steps shared by the server and the CLI.

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
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

/**
 * Certificate files from configuration, or this instance's development certificate, issued by the
 * shared test platform CA (`platform`, ensured first so every instance is issued by the same one).
 */
export async function serverTls(config: Config, platform: PlatformPki): Promise<{ cert: string; key: string; source: string }> {
  if (config.tls) {
    const [cert, key] = await Promise.all([readFile(config.tls.certFile, 'utf8'), readFile(config.tls.keyFile, 'utf8')]).catch(
      (error: NodeJS.ErrnoException) => {
        throw new ConfigError('VARCO_TLS_CERT', `or VARCO_TLS_KEY cannot be read: ${error.message}`);
      },
    );
    return { cert, key, source: config.tls.certFile };
  }
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
