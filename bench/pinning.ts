import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';

// Issue 15, target 1: with two cores or more, the load generator (this process: autocannon runs in
// it) is pinned to the last core and the servers to the others with `taskset`, so the generator does
// not take CPU from the server it measures; the API-key row is then measured both ways. On two cores
// the server gets one core: its main thread is one thread anyway, and its helpers (the collector's,
// libuv's) then share that core instead of the generator's, as a server with a core of its own would.
// (The issue asks for the pinned run with more than two cores; on two it is measured too, because it
// is the steadier figure there: docs/benchmarks.md.)

const run = promisify(execFile);

export interface Pinning {
  applied: boolean;
  /** What was pinned, or why nothing was. */
  note: string;
  restore(): Promise<void>;
}

async function taskset(cpuList: string, pid: number): Promise<void> {
  // -a: every thread of the process (libuv's pool, V8's helpers).
  await run('taskset', ['-a', '-p', '-c', cpuList, String(pid)]);
}

export async function pinLoadGenerator(serverPids: number[]): Promise<Pinning> {
  const cores = cpus().length;
  const none = async (): Promise<void> => undefined;
  if (cores < 2) return { applied: false, note: `not pinned: ${cores} core`, restore: none };
  const last = cores - 1;
  const all = `0-${last}`;
  try {
    await taskset(String(last), process.pid);
    for (const pid of serverPids) await taskset(`0-${last - 1}`, pid);
  } catch (error) {
    await taskset(all, process.pid).catch(() => undefined);
    return { applied: false, note: `not pinned: taskset failed (${(error as Error).message.split('\n')[0]})`, restore: none };
  }
  return {
    applied: true,
    note: `load generator pinned to core ${last}, servers to core${last === 1 ? ' 0' : `s 0-${last - 1}`}`,
    restore: async () => {
      for (const pid of [process.pid, ...serverPids]) await taskset(all, pid).catch(() => undefined);
    },
  };
}
