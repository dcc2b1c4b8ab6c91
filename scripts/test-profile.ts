// `node scripts/test-profile.ts [--json=out.json] [files…]`: runs each test file alone, one after the
// other, against the test cluster, and prints a table of its wall time, its CPU time (the test
// process and whatever it spawned: servers, CLIs, Chromium) and the CPU the PostgreSQL backends spent
// for it. Wall well above the CPU means the file waits (timers, leases, back-offs, polling), which
// no amount of cores shortens; CPU is what concurrency has to share. See docs/testing.md.
import { spawn } from 'node:child_process';
import { globSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestCluster } from './test-cluster.ts';

const root = resolve(import.meta.dirname, '..');
const TICKS = 100; // USER_HZ on Linux

interface Row {
  file: string;
  wall: number;
  cpu: number;
  pgCpu: number;
  /** From the spawn to the first test's start: loading modules and top-level set-up. */
  setup: number;
  /** From the last test's end to the exit: after() hooks, servers and pools closing. */
  teardown: number;
  passed: number;
  failed: number;
}

/** utime+stime(+cutime+cstime when `reaped`) of one process, in seconds; 0 when it is gone. */
async function procCpu(pid: number, reaped: boolean): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return ((utime ?? 0) + (stime ?? 0) + (reaped ? (cutime ?? 0) + (cstime ?? 0) : 0)) / TICKS;
  } catch {
    return 0;
  }
}

/** The postmaster's CPU, its reaped backends' and its live backends': its delta is what a file cost PostgreSQL. */
async function postgresCpu(postmaster: number): Promise<number> {
  let total = await procCpu(postmaster, true);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === postmaster) total += await procCpu(Number(entry), false);
  }
  return total;
}

async function runOne(file: string, env: NodeJS.ProcessEnv, postmaster: number): Promise<Row> {
  const timeFile = join(tmpdir(), `varco-profile-${process.pid}.time`);
  const pgBefore = await postgresCpu(postmaster);
  const spawned = Date.now();
  const output = await new Promise<string>((done) => {
    let text = '';
    const child = spawn(
      '/usr/bin/time',
      ['-f', '%U %S %e', '-o', timeFile, process.execPath, '--test', '--test-timeout=180000', '--test-reporter=./scripts/test-profile-reporter.ts', file],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('exit', () => done(text));
  });
  const exited = Date.now();
  const pgCpu = (await postgresCpu(postmaster)) - pgBefore;
  const [user = 0, sys = 0, wall = 0] = ((await readFile(timeFile, 'utf8')).trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  await rm(timeFile, { force: true });
  const summary = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { passed?: number; failed?: number; firstStart?: number; lastEnd?: number };
  return {
    file,
    wall,
    cpu: user + sys,
    pgCpu,
    setup: ((summary.firstStart ?? exited) - spawned) / 1000,
    teardown: (exited - (summary.lastEnd ?? exited)) / 1000,
    passed: summary.passed ?? 0,
    failed: summary.failed ?? 1,
  };
}

function table(rows: Row[]): string {
  const f = (n: number): string => n.toFixed(1);
  const lines = ['| file | wall s | CPU s | PostgreSQL CPU s | waiting s | set-up s | tear-down s | tests |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const waiting = Math.max(0, r.wall - r.cpu - r.pgCpu);
    lines.push(
      `| ${r.file} | ${f(r.wall)} | ${f(r.cpu)} | ${f(r.pgCpu)} | ${f(waiting)} | ${f(r.setup)} | ${f(r.teardown)} | ${r.passed}${r.failed ? ` (${r.failed} failed)` : ''} |`,
    );
  }
  const sum = (k: 'wall' | 'cpu' | 'pgCpu'): number => rows.reduce((s, r) => s + r[k], 0);
  lines.push(
    `| **total (${rows.length} files)** | ${f(sum('wall'))} | ${f(sum('cpu'))} | ${f(sum('pgCpu'))} | | | | ${rows.reduce((s, r) => s + r.passed, 0)} |`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonOut = args.find((a) => a.startsWith('--json='))?.slice('--json='.length);
  const only = args.filter((a) => !a.startsWith('--'));
  const files = only.length ? only : globSync(['src/**/*.test.ts', 'test/**/*.test.ts'], { cwd: root }).sort();
  const cluster = await startTestCluster(root, Number(process.env.VARCO_TEST_PG_PORT ?? 54339));
  const postmaster = Number((await readFile(join(cluster.dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const rows: Row[] = [];
  try {
    for (const file of files) {
      // As `npm test` runs them (scripts/test.ts), with the compile cache.
      const env = { NODE_COMPILE_CACHE: join(root, '.test-data', 'cache', 'node'), ...process.env, ...cluster.env };
      const row = await runOne(file, env, postmaster);
      rows.push(row);
      process.stderr.write(
        `${row.file}: wall ${row.wall.toFixed(1)} s, CPU ${row.cpu.toFixed(1)} s, PostgreSQL ${row.pgCpu.toFixed(1)} s, set-up ${row.setup.toFixed(1)} s, tear-down ${row.teardown.toFixed(1)} s, ${row.passed} passed, ${row.failed} failed\n`,
      );
      if (jsonOut) await writeFile(jsonOut, JSON.stringify(rows, null, 1));
    }
  } finally {
    await cluster.stop();
  }
  rows.sort((a, b) => b.wall - a.wall);
  process.stdout.write(`${table(rows)}\n`);
}

await main();
