import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { childEnv, freePort, onCleanup, sleep, spawnTracked, stopOrphanPostgres, within } from './support.ts';

// The real Varco server process, as `npm start` runs it (default settings except the data
// directory, ports and loopback address), for the start-up, memory and load benchmarks.

/**
 * The Node.js flags `npm start` and the Dockerfile give the server: the young generation bounded at
 * 2 × 16 MB (V8 grows it to 128 MB under load and keeps it; issue 15, docs/benchmarks.md).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=16'];

export interface VarcoProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  pgPort: number;
  dataDir: string;
  /** PEM of the development test root CA (trust anchor of the server certificate). */
  ca: string;
  /** From spawn to the first `/readyz` 200. */
  readyMs: number;
  /** postgres://… of the server's embedded database `varco`. */
  databaseUrl(): Promise<string>;
  stop(): Promise<void>;
}

export interface StartVarcoOptions {
  dataDir: string;
  port?: number;
  pgPort?: number;
  env?: Record<string, string>;
  /** Where the server's stdout and stderr go (a file: draining a pipe would cost the bench CPU). */
  logFile: string;
  readyTimeoutMs?: number;
  /** Extra Node.js flags, e.g. --cpu-prof (bench/profile.ts). */
  nodeArgs?: string[];
}

/** GET over HTTPS to 127.0.0.1 with SNI localhost; the status, or an error message. */
export function httpsStatus(port: number, path: string, ca: string | undefined): Promise<number | string> {
  return new Promise((done) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername: 'localhost', agent: false, timeout: 2000, ...(ca === undefined ? { rejectUnauthorized: false } : { ca }) },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => done(error.message));
    req.end();
  });
}

export async function startVarco(options: StartVarcoOptions): Promise<VarcoProcess> {
  const port = options.port ?? (await freePort());
  const pgPort = options.pgPort ?? (await freePort());
  const out = openSync(options.logFile, 'a');
  const started = performance.now();
  const child = spawnTracked([...SERVER_NODE_FLAGS, ...(options.nodeArgs ?? []), 'src/main/server.js'], {
    stdio: ['ignore', out, out],
    // The receivers listen on loopback, which outbound calls may reach only when allowed.
    env: childEnv({
      VARCO_DATA_DIR: options.dataDir,
      VARCO_PORT: String(port),
      VARCO_EMBEDDED_PG_PORT: String(pgPort),
      VARCO_HOST: '127.0.0.1',
      VARCO_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
      ...options.env,
    }),
  });
  closeSync(out);
  // A server killed by the global timeout leaves its embedded cluster running: stop it at the end.
  onCleanup(() => stopOrphanPostgres(options.dataDir));
  // The development server certificate's issuing CA (src/modules/platform/server-certificate.ts).
  const caFile = join(options.dataDir, 'pki', 'server-ca.crt');
  const readyMs = await within(
    options.readyTimeoutMs ?? 60_000,
    'Varco start-up',
    (async () => {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`Varco exited (${child.exitCode ?? child.signalCode}) before it was ready; see ${options.logFile}`);
        }
        // The CA exists from the first start on; before, readiness is checked without verification.
        const status = await httpsStatus(port, '/readyz', undefined);
        if (status === 200) return performance.now() - started;
        await sleep(10);
      }
    })(),
  );
  // Present once the server is ready; a missing file is a bench bug (clients would fail as "self-signed").
  const ca = await readFile(caFile, 'utf8');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    await within(20_000, 'Varco shutdown', exited).catch(async () => {
      child.kill('SIGKILL');
      await stopOrphanPostgres(options.dataDir);
    });
  };
  const databaseUrl = async (): Promise<string> => {
    const password = (await readFile(join(options.dataDir, 'pg-password'), 'utf8')).trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/varco`;
  };
  return { child, pid: child.pid ?? 0, port, pgPort, dataDir: options.dataDir, ca, readyMs, databaseUrl, stop };
}
