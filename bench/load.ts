import autocannon from 'autocannon';
import type { Options, Result } from 'autocannon';
import { median, within } from './support.ts';

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
}

export function runLoad(options: Options): Promise<LoadRun> {
  const seconds = options.duration ?? 10;
  return within((seconds + 30) * 1000, `load on ${options.url}`, new Promise((done, fail) => {
    autocannon({ timeout: 10, ...options }, (error: Error | null, result: Result) => {
      if (error) {
        fail(error);
        return;
      }
      const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)]));
      const ok = result['2xx'] + result['3xx'];
      done({ rps: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99,
        errors: result.errors + result.timeouts + result['4xx'] + result['5xx'] + result['1xx'], total: ok, statusCodes });
    });
  }));
}

export interface Series {
  runs: LoadRun[];
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Median of each figure over the runs; errors are summed (any error is one too many). */
export function summarise(runs: LoadRun[]): Series {
  return { runs, rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0) };
}

/**
 * Alternates subject and baseline run by run (s, b, s, b, …) so drift on the machine (thermal,
 * neighbours) falls on both sides equally, after one short warm-up of each.
 */
export async function alternate(count: number, warmUp: { subject: () => Promise<unknown>; baseline: () => Promise<unknown> },
  subject: (run: number) => Promise<LoadRun>, baseline: (run: number) => Promise<LoadRun>, log: (line: string) => void): Promise<{ subject: Series; baseline: Series }> {
  await warmUp.subject();
  await warmUp.baseline();
  const s: LoadRun[] = [];
  const b: LoadRun[] = [];
  for (let i = 0; i < count; i++) {
    s.push(await subject(i));
    log(`    run ${i + 1}/${count} varco    ${describe(s.at(-1)!)}`);
    b.push(await baseline(i));
    log(`    run ${i + 1}/${count} baseline ${describe(b.at(-1)!)}`);
  }
  return { subject: summarise(s), baseline: summarise(b) };
}

function describe(run: LoadRun): string {
  return `${Math.round(run.rps)}/s p50 ${run.p50} ms p99 ${run.p99} ms errors ${run.errors}`;
}
