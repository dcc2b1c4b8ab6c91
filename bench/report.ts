import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, type Machine } from './support.ts';

// Output of `npm run bench`: a table on stdout, bench/results.json, and the results section of
// docs/benchmarks.md (between markers, so the hand-written findings around it are kept).

export interface Target {
  what: string;
  met: boolean;
}

export interface Row {
  name: string;
  /** The figures as printed: Varco's value, the baseline's, the ratio, latencies, errors. */
  varco: string;
  baseline: string;
  ratio: string;
  p50: string;
  p99: string;
  errors: string;
  targets: Target[];
  /** Everything measured, for results.json. */
  data: Record<string, unknown>;
}

export interface Report {
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  /** 1-minute load average at the end of the run. */
  loadAverageAtEnd: number;
  settings: { runs: number; seconds: number; connections: number };
  rows: Row[];
  /** Benchmarks that could not run, with the reason. */
  skipped: Array<{ name: string; reason: string }>;
}

const HEAD = ['Benchmark', 'Varco', 'Baseline (same run)', 'Ratio', 'p50', 'p99', 'Errors', 'Targets'];

function cells(row: Row): string[] {
  const targets = row.targets.map((t) => `${t.met ? '✔' : '✘'} ${t.what}`).join('; ');
  return [row.name, row.varco, row.baseline, row.ratio, row.p50, row.p99, row.errors, targets];
}

export function textTable(report: Report): string {
  const rows = [HEAD, ...report.rows.map(cells), ...report.skipped.map((s) => [s.name, `not run: ${s.reason}`, '', '', '', '', '', ''])];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' │ ')
      .trimEnd();
  return [line(HEAD), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(report: Report): string {
  const escape = (c: string): string => c.replaceAll('|', '\\|');
  const rows = [...report.rows.map(cells), ...report.skipped.map((s) => [s.name, `not run: ${s.reason}`, '', '', '', '', '', ''])];
  return [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`)].join('\n');
}

export function machineLine(report: Report): string {
  const m = report.machine;
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB memory, Node.js ${m.node}, ${m.os}; load average ${m.loadAverage} at the start, ${report.loadAverageAtEnd} at the end`;
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

export async function writeReport(report: Report): Promise<void> {
  await writeFile(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const section = [
    START,
    `Run of ${report.startedAt} (${report.durationSeconds} s in all): ${report.settings.runs} runs × ${report.settings.seconds} s per side, ` +
      `${report.settings.connections} connections, medians of the runs. Machine: ${machineLine(report)}.`,
    '',
    markdownTable(report),
    END,
  ].join('\n');
  const current = existsSync(file) ? await readFile(file, 'utf8') : '';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start !== -1 && end > start
      ? `${current.slice(0, start)}${section}${current.slice(end + END.length)}`
      : `# Benchmarks\n\n\`npm run bench\` writes the table below (and bench/results.json).\n\n${section}\n`;
  await writeFile(file, next);
}

export const fmt = {
  int: (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—'),
  ms: (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 10) / 10} ms` : '—'),
  ratio: (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—'),
  mb: (n: number): string => (Number.isFinite(n) ? `${Math.round(n)} MB` : '—'),
};
