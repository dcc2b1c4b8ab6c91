// The order `npm test` starts the test files in: slowest first, so that with a fixed number of
// files in flight the run does not end with one long file running alone (the "tail"). Durations come
// from the previous runs on this machine (.test-data/timings.json, written after each run); a file
// never timed goes first, as it may be slow. Without any timings (a fresh clone), the integration
// tests (test/) go before the unit tests (src/), the end-to-end and fault tests first of all.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

export type Timings = Record<string, number>;

export async function readTimings(file: string): Promise<Timings> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Timings;
  } catch {
    return {}; // a damaged file only costs the ordering
  }
}

/** Keeps the timings of files that still exist, updated with this run's. */
export async function saveTimings(file: string, previous: Timings, run: Timings, files: readonly string[]): Promise<void> {
  const merged: Timings = {};
  for (const f of files) {
    const ms = run[f] ?? previous[f];
    if (ms !== undefined) merged[f] = ms;
  }
  await writeFile(file, `${JSON.stringify(merged, null, 1)}\n`);
}

function guess(file: string): number {
  if (/^test\/(e2e|faults)\//.test(file)) return 3;
  if (file.startsWith('test/')) return 2;
  return 1;
}

export function slowestFirst(files: readonly string[], timings: Timings): string[] {
  const known = Object.keys(timings).length > 0;
  const weight = (f: string): number => (known ? (timings[f] ?? Number.POSITIVE_INFINITY) : guess(f));
  return [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
}
