import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

// Process and port helpers without test-runner hooks, so the benchmarks can use them too.

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** A loopback port free right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PID in `<dataDir>/pg/postmaster.pid` when that postmaster is alive. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const file = join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number((await readFile(file, 'utf8')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Stops a cluster a killed server left behind: fast shutdown, then immediate shutdown. */
export async function stopOrphanPostgres(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined) return;
  for (const [signal, waits] of [
    ['SIGINT', 100],
    ['SIGQUIT', 50],
  ] as const) {
    process.kill(pid, signal);
    for (let i = 0; i < waits && isAlive(pid); i++) await sleep(100);
    if (!isAlive(pid)) return;
  }
}
