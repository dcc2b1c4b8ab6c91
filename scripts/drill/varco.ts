import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { freePort, sleep } from '../../test/support/processes.ts';

// One Varco server process as production runs it (`node src/main/server.js` with environment
// settings), and the HTTPS calls the drill makes to it.

const ROOT = resolve(import.meta.dirname, '../..');

export interface VarcoInstance {
  name: string;
  port: number;
  ca: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request to 127.0.0.1 (SNI localhost); a transport error is status 0. */
export function call(
  port: number,
  ca: string | undefined,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((done) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path,
        agent: false,
        timeout: init.timeoutMs ?? 5000,
        method: init.method ?? 'GET',
        headers: { host: `localhost:${port}`, ...init.headers },
        ...(ca ? { ca } : { rejectUnauthorized: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => done({ status: 0, headers: {}, body: error.message }));
    req.end(init.body);
  });
}

/** Starts `node src/main/server.js` with only `env` as Varco settings and waits for /readyz 200. */
export async function startVarco(name: string, dataDir: string, logFile: string, env: Record<string, string>): Promise<VarcoInstance> {
  const port = await freePort();
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VARCO_') && key !== 'DATABASE_URL'));
  const child = spawn(process.execPath, ['src/main/server.js'], {
    cwd: ROOT,
    env: { ...base, ...env, VARCO_DATA_DIR: dataDir, VARCO_PORT: String(port), VARCO_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const deadline = Date.now() + 60_000;
  while ((await call(port, undefined, '/readyz', { timeoutMs: 1000 })).status !== 200) {
    if (child.exitCode !== null) throw new Error(`Varco ${name} exited (${child.exitCode}) before it was ready; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`Varco ${name} not ready within 60 s; see ${logFile}`);
    await sleep(100);
  }
  const caFile = join(dataDir, 'pki', 'server-ca.crt');
  const ca = existsSync(caFile) ? await readFile(caFile, 'utf8') : '';
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { name, port, ca, child, stop };
}
