import { RSS_LIMIT_MB } from './memory.ts';
import { fmt, type Row } from './report.ts';
import { median, rssMb, sleep } from './support.ts';
import { startVarco, type StartVarcoOptions } from './varco.ts';

// 4. Start-up and memory: `node src/main/server.js` on an existing data directory (cluster
// initialised, migrations applied, PKI and master key present) until /readyz answers 200, and the
// server process's resident memory once idle. RSS under load comes from the load rows (bench/memory.ts).

export interface StartupResult {
  readyMs: number[];
  idleRssMb: number[];
}

export async function measureStartups(count: number, options: StartVarcoOptions, log: (line: string) => void): Promise<StartupResult> {
  const readyMs: number[] = [];
  const idleRssMb: number[] = [];
  for (let i = 0; i < count; i++) {
    const varco = await startVarco(options);
    readyMs.push(varco.readyMs);
    // Idle: past start-up work (JIT, first queries, listener connections), no traffic.
    await sleep(3000);
    const rss = (await rssMb(varco.pid)) ?? Number.NaN;
    idleRssMb.push(rss);
    await varco.stop();
    log(`    start ${i + 1}/${count}: ready in ${Math.round(varco.readyMs)} ms, idle RSS ${fmt.mb(rss)}`);
  }
  return { readyMs, idleRssMb };
}

export function startupRow(result: StartupResult, rssUnderLoadMb: Record<string, number>): Row {
  const ready = median(result.readyMs);
  const idle = median(result.idleRssMb);
  const loaded = Object.values(rssUnderLoadMb);
  const underLoad = Object.entries(rssUnderLoadMb)
    .map(([row, mb]) => `row ${row}: ${fmt.mb(mb)}`)
    .join(', ');
  return {
    name: '4. Start-up and memory (existing data dir)',
    varco: `ready in ${fmt.ms(ready)}; RSS idle ${fmt.mb(idle)}; under load (most of any row) ${loaded.length === 0 ? '—' : fmt.mb(Math.max(...loaded))} (${underLoad})`,
    baseline: '—',
    ratio: '—',
    p50: '—',
    p99: '—',
    errors: '—',
    targets: [
      { what: 'ready ≤ 2 s', met: ready <= 2000 },
      { what: 'idle RSS ≤ 150 MB', met: idle <= 150 },
      ...(loaded.length === 0 ? [] : [{ what: `RSS under load ≤ ${RSS_LIMIT_MB} MB`, met: Math.max(...loaded) <= RSS_LIMIT_MB }]),
    ],
    data: { readyMs: result.readyMs, idleRssMb: result.idleRssMb, medianReadyMs: ready, medianIdleRssMb: idle, rssUnderLoadMb },
  };
}
