import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import { freePort, isAlive, postmasterPid, sleep, stopOrphanPostgres } from './processes.ts';
import { TEST_OUTBOUND_ENV } from './outbound.ts';

export { freePort, isAlive, postmasterPid, sleep, stopOrphanPostgres };

// The real `npm start` and `npx varco` as child processes, for the few tests that must see the
// whole process: start-up output, signals, exit codes, the embedded PostgreSQL's lifecycle.

const root = resolve(import.meta.dirname, '../..');
const NODE = join(root, 'node_modules/.bin/node');

export interface ServerProcess {
  child: ChildProcess;
  dataDir: string;
  port: number;
  pgPort: number;
  /** https://localhost:<port> */
  baseUrl: string;
  /** PEM of the development test root CA that issued the server certificate. */
  ca: string;
  stdout(): string;
  stderr(): string;
  /** pino's JSON lines from stdout, parsed (the banner and other text lines are skipped). */
  logs(): Array<Record<string, unknown>>;
  /** Resolves when stdout or stderr matches; rejects after timeoutMs or if the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with the exit code (null when the signal killed it). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartServerOptions {
  /** Reuse a data directory (a restart); a fresh temp directory otherwise. */
  dataDir?: string;
  port?: number;
  pgPort?: number;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

const children = new Set<ChildProcess>();
const dataDirs = new Set<string>();

// Registered when the test file imports this module, so it runs once at the end of the file (an
// after() called inside a test would run as soon as that test ends, killing a server later tests use).
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dataDirs) {
    await stopOrphanPostgres(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
});

/**
 * A temp data directory, removed after the file. 0755 because, run as root, the embedded cluster
 * runs as the `postgres` user, which must traverse it to reach `pg/` (mkdtemp creates 0700).
 */
export async function makeDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'varco-e2e-'));
  await chmod(dir, 0o755);
  dataDirs.add(dir);
  return dir;
}

/**
 * The parent's environment without Varco settings, so only what the test passes configures the
 * child — plus the suite's loopback allowance (TEST_OUTBOUND_ENV), which `env` may override.
 */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VARCO_') && name !== 'DATABASE_URL'));
  return { ...base, ...TEST_OUTBOUND_ENV, ...env };
}

export async function startServer(options: StartServerOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const port = options.port ?? (await freePort());
  const pgPort = options.pgPort ?? (await freePort());
  const env = childEnv({
    VARCO_DATA_DIR: dataDir,
    VARCO_PORT: String(port),
    VARCO_EMBEDDED_PG_PORT: String(pgPort),
    VARCO_HOST: '127.0.0.1',
    VARCO_LOG_LEVEL: 'info',
    ...options.env,
  });
  const child = spawn(NODE, ['src/main/server.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const out: string[] = [];
  const err: string[] = [];
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    out.push(chunk.toString('utf8'));
    for (const l of listeners) l();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err.push(chunk.toString('utf8'));
    for (const l of listeners) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
      for (const l of listeners) l();
    });
  });
  const stdout = (): string => out.join('');
  const stderr = (): string => err.join('');
  const describe = (): string => `\n--- stdout ---\n${stdout().slice(-4000)}\n--- stderr ---\n${stderr().slice(-4000)}`;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const waitForOutput = (pattern: RegExp, timeoutMs = 10_000): Promise<void> =>
    new Promise((done, fail) => {
      const check = (): void => {
        if (pattern.test(stdout()) || pattern.test(stderr())) finish();
        else if (!running()) finish(new Error(`server exited before printing ${pattern}${describe()}`));
      };
      const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${timeoutMs} ms${describe()}`)), timeoutMs);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) fail(error);
        else done();
      };
      listeners.add(check);
      check();
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | null> => {
    if (running()) child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => done('timeout'), timeoutMs);
    });
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      throw new Error(`server did not exit within ${timeoutMs} ms of ${signal}${describe()}`);
    }
    return result.code;
  };

  const server: ServerProcess = {
    child,
    dataDir,
    port,
    pgPort,
    baseUrl: `https://localhost:${port}`,
    ca: '',
    stdout,
    stderr,
    exited,
    waitForOutput,
    stop,
    logs: () =>
      stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
  try {
    server.ca = await waitUntilReady(server, options.readyTimeoutMs ?? 60_000, running);
  } catch (error) {
    if (running()) child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}${describe()}`, { cause: error });
  }
  return server;
}

/**
 * Polls /readyz until it answers 200, trusting only the CA that issued the data directory's server
 * certificate (`pki/server-ca.crt`, the shared test platform CA), so the poll also proves the server
 * presents a chain that verifies for `localhost`. Returns the CA PEM.
 */
async function waitUntilReady(server: ServerProcess, timeoutMs: number, running: () => boolean): Promise<string> {
  const caFile = join(server.dataDir, 'pki', 'server-ca.crt');
  const deadline = Date.now() + timeoutMs;
  let last = 'not started';
  while (Date.now() < deadline) {
    if (!running()) throw new Error('server exited before it was ready');
    if (existsSync(caFile)) {
      const ca = await readFile(caFile, 'utf8');
      const status = await getStatus(server.port, '/readyz', ca).catch((error: Error) => error.message);
      if (status === 200) return ca;
      last = String(status);
    }
    await sleep(100);
  }
  throw new Error(`server not ready within ${timeoutMs} ms (last: ${last})`);
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as UTF-8. */
  body: string;
  /** The body's bytes, for answers in another charset. */
  raw: Buffer;
}

/** One request over HTTPS to 127.0.0.1, verifying the certificate for `localhost` against `ca`. */
export function httpsRequest(
  port: number,
  ca: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<HttpsResponse> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path,
        ca,
        agent: false,
        timeout: init.timeoutMs ?? 5000,
        method: init.method ?? 'GET',
        headers: { host: `localhost:${port}`, ...init.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          done({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
        });
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end(init.body);
  });
}

export async function getStatus(port: number, path: string, ca: string): Promise<number> {
  return (await httpsRequest(port, ca, path)).status;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npx varco <args>` (src/main/cli.ts on the pinned Node 24) with only the given Varco settings. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(NODE, ['src/main/cli.ts', ...args], { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`varco ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      done({ code, stdout, stderr });
    });
  });
}
