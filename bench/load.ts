import autocannon from 'autocannon';
import type { Options, Result } from 'autocannon';
import { createProgress } from '../src/cli/progress.ts';
import { cpuMs, median, postgresCpuMs, within } from './support.ts';

// The load generator: autocannon in this process, HTTPS keep-alive to loopback, bounded in time.

export interface LoadRun {
  /** Completed 2xx/3xx answers per second. */
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts and answers other than 2xx/3xx. */
  errors: number;
  total: number;
  statusCodes: Record<string, number>;
  /** CPU time the server process spent per successful answer, in µs: steadier than req/s on a shared machine. */
  cpuUsPerRequest: number;
  /** CPU time its embedded PostgreSQL spent per successful answer, in µs (when asked for: LoadOptions.postgresDataDir). */
  pgCpuUsPerRequest?: number;
}

export interface LoadOptions {
  /** The status class that counts as success (the hosted page entry answers 303; its 200 is the error page). */
  expect?: '2xx' | '3xx' | '2xx+3xx';
  /** The server process, for its CPU time. */
  serverPid?: number;
  /** The server's data directory, for the CPU time of its embedded PostgreSQL. */
  postgresDataDir?: string;
}

export async function runLoad(options: Options, load: LoadOptions = {}): Promise<LoadRun> {
  const seconds = options.duration ?? 10;
  const expect = load.expect ?? '2xx+3xx';
  const cpuBefore = load.serverPid === undefined ? undefined : await cpuMs(load.serverPid);
  const pgBefore = load.postgresDataDir === undefined ? undefined : await postgresCpuMs(load.postgresDataDir);
  const run = await within(
    (seconds + 30) * 1000,
    `load on ${options.url}`,
    new Promise<LoadRun>((done, fail) => {
      // Issue 17: a progress line (count and rate) on a terminal, one plain line per run otherwise.
      const label = `load ${new URL(String(options.url)).pathname}`;
      const progress = createProgress(process.stderr, 'requests');
      const instance = autocannon({ timeout: 10, ...options }, (error: Error | null, result: Result) => {
        progress.finish(label);
        if (error) {
          fail(error);
          return;
        }
        const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, Number(stat.count)]));
        const ok = expect === '2xx' ? result['2xx'] : expect === '3xx' ? result['3xx'] : result['2xx'] + result['3xx'];
        const answered = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
        done({
          rps: ok / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts + answered - ok,
          total: ok,
          statusCodes,
          cpuUsPerRequest: Number.NaN,
        });
      });
      instance.on('response', () => progress.add(label, 1));
    }),
  );
  const cpuAfter = load.serverPid === undefined ? undefined : await cpuMs(load.serverPid);
  if (cpuBefore !== undefined && cpuAfter !== undefined && run.total > 0) run.cpuUsPerRequest = ((cpuAfter - cpuBefore) * 1000) / run.total;
  const pgAfter = load.postgresDataDir === undefined ? undefined : await postgresCpuMs(load.postgresDataDir);
  // A lower bound (postgresCpuMs misses processes that ended during the run), never below 0.
  if (pgBefore !== undefined && pgAfter !== undefined && run.total > 0) run.pgCpuUsPerRequest = (Math.max(0, pgAfter - pgBefore) * 1000) / run.total;
  return run;
}

export interface Series {
  runs: LoadRun[];
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUsPerRequest: number;
  /** NaN when the runs did not measure it. */
  pgCpuUsPerRequest: number;
}

/** Median of each figure over the runs; errors are summed (any error is one too many). */
export function summarise(runs: LoadRun[]): Series {
  return {
    runs,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    cpuUsPerRequest: median(runs.map((r) => r.cpuUsPerRequest)),
    pgCpuUsPerRequest: median(runs.map((r) => r.pgCpuUsPerRequest ?? Number.NaN)),
  };
}

/**
 * Alternates subject and baseline run by run (s, b, s, b, …) so drift on the machine (thermal,
 * neighbours) falls on both sides equally, after one short warm-up of each.
 */
export async function alternate(
  count: number,
  warmUp: { subject: () => Promise<unknown>; baseline: () => Promise<unknown> },
  subject: (run: number) => Promise<LoadRun>,
  baseline: (run: number) => Promise<LoadRun>,
  log: (line: string) => void,
): Promise<{ subject: Series; baseline: Series }> {
  await warmUp.subject();
  await warmUp.baseline();
  const s: LoadRun[] = [];
  const b: LoadRun[] = [];
  for (let i = 0; i < count; i++) {
    const mine = await subject(i);
    s.push(mine);
    log(`    run ${i + 1}/${count} varco    ${describe(mine)}`);
    const theirs = await baseline(i);
    b.push(theirs);
    log(`    run ${i + 1}/${count} baseline ${describe(theirs)}`);
  }
  return { subject: summarise(s), baseline: summarise(b) };
}

function describe(run: LoadRun): string {
  return `${Math.round(run.rps)}/s p50 ${run.p50} ms p99 ${run.p99} ms errors ${run.errors} cpu ${Math.round(run.cpuUsPerRequest)} µs/req`;
}
