import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

// Shared plumbing of `npm run bench`: child processes and temp directories that are always cleaned
// up (even on Ctrl-C or the global timeout), the machine description, and small statistics.

import { freePort, isAlive, stopOrphanPostgres } from '../test/support/processes.ts';

export { freePort, isAlive, stopOrphanPostgres };
export const ROOT = resolve(import.meta.dirname, '..');
/** The pinned Node 24 that runs this script (npm puts node_modules/.bin first on PATH). */
export const NODE = process.execPath;

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const cleanups: Array<() => Promise<void>> = [];

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Until `count` messages of a queue run are recorded done, asking the database only at the end: first
 * the receiver's count of distinct messages (a question to its process), then the database until every
 * outcome is recorded. The database's count reads every row of the run: asked every 25 ms throughout,
 * it took ~9 % of a core from the two the queue and PostgreSQL share (docs/benchmarks.md, row 3).
 */
export async function untilRecorded(count: number, received: () => Promise<number>, recorded: () => Promise<number>): Promise<void> {
  while ((await received()) < count) await sleep(10);
  while ((await recorded()) < count) await sleep(5);
}

/** A child process that is killed when the benchmark ends, however it ends. */
export function spawnTracked(args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(NODE, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs `fn` at the end (before temp directories are removed), e.g. stopping an orphaned PostgreSQL. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** 0755: as root the embedded cluster runs as `postgres`, which must traverse it (mkdtemp makes 0700). */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  tempDirs.add(dir);
  return dir;
}

export async function cleanupAll(): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const deadline = Date.now() + 8000;
  while ([...children].some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(50);
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const fn of cleanups.splice(0)) await fn().catch(() => undefined);
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  tempDirs.clear();
}

/** Resident set size of a process, in MB, from /proc (Linux). */
export async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the largest value seen. */
export function rssSampler(pid: number, everyMs = 200): { stop(): number } {
  let max = 0;
  const timer = setInterval(() => {
    void rssMb(pid).then((mb) => {
      if (mb !== undefined && mb > max) max = mb;
    });
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return max;
    },
  };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux; clock ticks of 10 ms). */
export async function cpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) used so far by the embedded PostgreSQL of `dataDir`: its postmaster and every process
 * it started (backends, WAL writer, checkpointer, autovacuum), from /proc. Processes that ended in
 * between are not counted, so over a run this is a lower bound (the pool's backends live throughout).
 */
export async function postgresCpuMs(dataDir: string): Promise<number | undefined> {
  try {
    const postmaster = Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    let total = 0;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
      if (stat === undefined) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === postmaster || Number(fields[1]) === postmaster) total += (Number(fields[11]) + Number(fields[12])) * 10;
    }
    return total;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) the whole machine has been busy so far, summed over its cores (user, nice, system,
 * interrupts, steal: /proc/stat's first line, in clock ticks of 10 ms); undefined off Linux.
 */
export async function machineBusyMs(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, n) => sum + (n ?? 0), 0);
    return line.startsWith('cpu ') ? busy * 10 : undefined;
  } catch {
    return undefined;
  }
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  freeMemoryGb: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGb: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function loadAverageNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** Of the finite values (a run that did not measure a figure gives NaN); NaN when there are none. */
export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number): number => sorted[i] ?? Number.NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** Rejects with `what` when `promise` takes longer than `ms`: no step of the benchmark may hang. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The environment of a child, without the parent's Varco settings (only what the bench passes applies). */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VARCO_') && name !== 'DATABASE_URL'));
  return { ...base, ...env };
}

/** Resolves with the first stdout line matching `pattern` (its match), or rejects when the child exits first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
  return within(
    timeoutMs,
    what,
    new Promise((done, fail) => {
      let seen = '';
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString('utf8');
        const match = pattern.exec(seen);
        if (match) {
          child.stdout?.off('data', onData);
          done(match);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
      });
      child.once('exit', (code) => fail(new Error(`${what}: exited (${code}) before ready:\n${seen.slice(-2000)}`)));
    }),
  );
}
