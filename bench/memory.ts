import { fmt, type Row } from './report.ts';
import { rssSampler } from './support.ts';

// Issue 15, target 3: resident memory under each load row, per process — the Varco server (the
// target: ≤ 300 MB) and this process, which runs the load generator (autocannon) and the pg-boss
// baseline (reported, not a target). /proc VmRSS sampled every 200 ms; the largest value counts.
// (The "1.3 GB under load" of the issue was the run of 2026-11-23 read as one number: its row 4
// printed "under load 1 288 MB", i.e. benchmark 1, 288 MB.)

export const RSS_LIMIT_MB = 300;

/** Runs one benchmark row while sampling RSS, and adds the memory figures and target to the row. */
export async function withMemory(varcoPid: number, bench: () => Promise<Row>): Promise<Row> {
  const server = rssSampler(varcoPid);
  const generator = rssSampler(process.pid);
  let row: Row;
  try {
    row = await bench();
  } finally {
    server.stop();
    generator.stop();
  }
  const serverMb = server.stop();
  const generatorMb = generator.stop();
  return {
    ...row,
    errors: `${row.errors}; RSS Varco ${fmt.mb(serverMb)}, load generator ${fmt.mb(generatorMb)}`,
    targets: [...row.targets, { what: `Varco RSS under load ≤ ${RSS_LIMIT_MB} MB`, met: serverMb <= RSS_LIMIT_MB }],
    data: { ...row.data, rssUnderLoadMb: { varco: serverMb, loadGenerator: generatorMb } },
  };
}
