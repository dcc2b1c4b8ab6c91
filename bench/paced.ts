import { Pool } from 'undici';
import type { LoadRun } from './load.ts';
import { cpuMs } from './support.ts';

// The fixed-rate latency run of row 1 (issue 15: p99 ≤ 5 ms at 1,000 req/s), open loop: request i is
// due at start + i / rate and is sent when due, whatever the answers before it, on a pool of keep-alive
// connections; its latency runs from its own send to the end of its answer. autocannon's `overallRate`
// over 50 connections gave bare Fastify itself a p99 of 34–141 ms at 1,000 req/s on this machine (its
// per-connection pacing sends in bursts), so that figure judged the generator, not the server
// (docs/benchmarks.md, row 1, session of 2026-12-05 (third)).

export interface PacedOptions {
  url: string;
  servername: string;
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  /** Keep-alive connections the requests are spread over (more than the rate needs: a slow answer does not hold the next one back). */
  connections?: number;
  /**
   * Seconds paced at the same rate on the same connections before the measured ones, not counted: the
   * pool opens its connections (TLS handshakes) during these, so the figure is the steady state's.
   */
  warmUpSeconds?: number;
  serverPid?: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

export async function pacedLoad(options: PacedOptions): Promise<LoadRun> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, {
    connections: options.connections ?? 20,
    pipelining: 1,
    // The bench talks to its own servers on loopback (autocannon does not verify either).
    connect: { servername: options.servername, rejectUnauthorized: false },
  });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  // Answers other than 2xx/3xx, and requests that got no answer.
  let refused = 0;
  let failed = 0;
  /** Sends `total` requests at the rate, the i-th when due; `measured` ones are counted. */
  const pace = async (total: number, measured: boolean): Promise<void> => {
    const inFlight: Array<Promise<void>> = [];
    const send = (): void => {
      const sent = performance.now();
      inFlight.push(
        pool.request({ path: url.pathname + url.search, method: 'GET', headers: options.headers }).then(
          async (response) => {
            await response.body.dump();
            if (!measured) return;
            latencies.push(performance.now() - sent);
            statusCodes[response.statusCode] = (statusCodes[response.statusCode] ?? 0) + 1;
            if (response.statusCode >= 400) refused++;
          },
          () => {
            if (measured) failed++;
          },
        ),
      );
    };
    const started = performance.now();
    let next = 0;
    await new Promise<void>((done) => {
      const tick = (): void => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.rate) + 1);
        while (next < due) {
          send();
          next++;
        }
        if (next >= total) done();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await Promise.all(inFlight);
  };
  await pace(Math.round(options.rate * (options.warmUpSeconds ?? 1)), false);
  const cpuBefore = options.serverPid === undefined ? undefined : await cpuMs(options.serverPid);
  const started = performance.now();
  await pace(Math.round(options.rate * options.seconds), true);
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  const cpuAfter = options.serverPid === undefined ? undefined : await cpuMs(options.serverPid);
  const ok = latencies.length - refused;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    rps: ok / elapsed,
    p50: Math.round(percentile(sorted, 0.5) * 10) / 10,
    p99: Math.round(percentile(sorted, 0.99) * 10) / 10,
    errors: refused + failed,
    total: ok,
    statusCodes,
    cpuUsPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && ok > 0 ? ((cpuAfter - cpuBefore) * 1000) / ok : Number.NaN,
  };
}
