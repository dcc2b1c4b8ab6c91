// `npm test`: browser check, then every test file against a real PostgreSQL (integration files in a few
// long-lived processes, scripts/test-host.ts; unit files in one), with the type check,
// lint and format check running beside them (scripts/test-checks.ts); a failing check stops the
// tests at once. One embedded cluster serves the run; each test file clones its own database from a
// migrated template (scripts/test-cluster.ts). Where the time goes and why the run is shaped this
// way: docs/testing.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { globSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { startChecks, type CheckResult } from './test-checks.ts';
import { startTestCluster, type TestCluster } from './test-cluster.ts';
import { readTimings, saveTimings, slowestFirst } from './test-order.ts';

const root = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const quick = args.includes('--quick'); // skip type check, lint and format check when iterating on a few files
// Files in flight at once. Many files wait on timers, sockets and child processes rather than compute,
// so a few more than the cores keep the CPU busy (measured: docs/testing.md).
const concurrency = Number(args.find((a) => a.startsWith('--concurrency='))?.slice('--concurrency='.length) ?? 3);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write('--concurrency=N takes a whole number of test processes, 1 or more\n');
  process.exit(2);
}
// Caches that only make a repeated run cheaper; a fresh clone (CI) gets the same verdicts without them.
const cache = join(root, '.test-data', 'cache');
// Every integration file in a process of its own instead of the long-lived hosts (scripts/test-host.ts):
// to rule out one file's effect on the next.
const processPerFile = args.includes('--process-per-file');

function step(name: string, command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env): void {
  process.stdout.write(`\n▶ ${name}\n`);
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, env });
  if (result.status !== 0) {
    process.stdout.write(`\n0 passed, 1 failed: ${name} failed\n`);
    process.exit(1);
  }
}

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (userInfo().uid !== 0) {
    process.stderr.write(`Browser tests need Debian's "chromium" package at ${CHROMIUM}: run \`sudo apt-get install -y chromium\`.\n`);
    process.exit(1);
  }
  process.stdout.write('▶ installing Debian package "chromium" for the browser tests\n');
  step('apt-get update', 'apt-get', ['update', '-qq']);
  step('apt-get install chromium', 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    ...process.env,
    DEBIAN_FRONTEND: 'noninteractive',
  });
}

interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  files?: Record<string, number>;
}

/** How the test processes find the compile cache and the cluster. */
function testEnv(cluster: TestCluster): NodeJS.ProcessEnv {
  // The compile cache (V8 code and stripped TypeScript) spares every test process, and every
  // server, worker and CLI they spawn, most of the cost of loading the same modules again.
  return { NODE_COMPILE_CACHE: join(cache, 'node'), ...process.env, ...cluster.env };
}

function reporterArgs(summaryFile: string, reporter: 'spec' | 'dot'): string[] {
  return [
    `--test-reporter=${reporter}`,
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/summary-reporter.ts',
    `--test-reporter-destination=${summaryFile}`,
  ];
}

/** With `--process-per-file`: the integration test files, `concurrency` at a time, each in its own process; `started` receives the runner to stop it. */
async function runTests(cluster: TestCluster, files: string[], summaryFile: string, started: (child: ChildProcess) => void): Promise<number> {
  await rm(summaryFile, { force: true });
  if (files.length === 0) return 0;
  process.stdout.write(`\n▶ tests (${files.length} files, ${concurrency} at a time, slowest first)\n`);
  return new Promise<number>((done) => {
    const child = spawn(
      process.execPath,
      ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...reporterArgs(summaryFile, 'spec'), ...files],
      {
        cwd: root,
        stdio: 'inherit',
        env: testEnv(cluster),
      },
    );
    started(child);
    child.on('exit', (status) => done(status ?? 1));
  });
}

// Each host's totals: the run prints its own for all of them.
const hostTotals = /^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) \S+\n/gmu;
// A file's block in a host's report ends with the file's own line at the left margin.
const fileDone = /^[✔✖﹣] .*\n/gmu;

/**
 * The integration test files in `concurrency` long-lived hosts (scripts/test-host.ts), each asking for
 * the next file (slowest first) when it has finished the last. Each host's report is printed a file at
 * a time, so the hosts' lines do not interleave. Resolves with each host's exit status.
 */
async function runHosted(cluster: TestCluster, files: string[], summaryFiles: string[], started: (child: ChildProcess) => void): Promise<number[]> {
  const queue = [...files];
  if (summaryFiles.length > 0) process.stdout.write(`\n▶ tests (${files.length} files in ${summaryFiles.length} long-lived processes, slowest first)\n`);
  const host = async (summaryFile: string): Promise<number> => {
    await rm(summaryFile, { force: true });
    const child = spawn(process.execPath, ['--test-timeout=180000', ...reporterArgs(summaryFile, 'spec'), join(root, 'scripts', 'test-host.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: testEnv(cluster),
    });
    started(child);
    let current: string | null = null;
    child.on('message', () => {
      current = queue.shift() ?? null;
      if (child.connected) child.send({ file: current });
    });
    // A host that died between asking and receiving: its exit reports it; the parent must not crash.
    child.on('error', (error) => process.stderr.write(`test process: ${error.message}\n`));
    let pending = '';
    const print = (text: string): void => void process.stdout.write(text.replace(hostTotals, ''));
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const last = [...pending.matchAll(fileDone)].at(-1);
      if (last === undefined) return;
      print(pending.slice(0, last.index + last[0].length));
      pending = pending.slice(last.index + last[0].length);
    });
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    return new Promise<number>((done) => {
      // 'close', not 'exit': the host's last output (its failures' summary) may still be in the pipe at 'exit'.
      child.on('close', (status, signal) => {
        print(pending);
        if (status !== 0 && current !== null)
          process.stdout.write(`\n✖ a test process stopped (${signal ?? `exit code ${status}`}) while running ${current}\n`);
        done(status ?? 1);
      });
    });
  };
  return Promise.all(summaryFiles.map(host));
}

/**
 * The unit test files (src/**), all in ONE process (`--test-isolation=none`) beside the integration
 * files: they build no app and share no state, and loading the modules once instead of once per file
 * saves ~30 s of CPU (docs/testing.md). Their report is printed as one block when they finish.
 */
async function runUnitTests(cluster: TestCluster, files: string[], summaryFile: string, started: (child: ChildProcess) => void): Promise<number> {
  await rm(summaryFile, { force: true });
  if (files.length === 0) return 0;
  return new Promise<number>((done) => {
    const child = spawn(process.execPath, ['--test', '--test-isolation=none', '--test-timeout=180000', ...reporterArgs(summaryFile, 'dot'), ...files], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: testEnv(cluster),
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    started(child);
    child.on('close', (status) => {
      process.stdout.write(`\n▶ unit tests (${files.length} files in one process)\n${Buffer.concat(output).toString('utf8')}\n`);
      done(status ?? 1);
    });
  });
}

/** A process that stopped before its reporter wrote the totals counts as one failure (its report says which). */
/** A process's totals; without its summary file, one failure (`missing`), or none for a host that was given no file. */
async function readSummary(file: string, missing: Summary = { passed: 0, failed: 1, skipped: 0 }): Promise<Summary> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Summary;
  } catch {
    return missing;
  }
}

async function main(): Promise<number> {
  ensureChromium();
  await mkdir(cache, { recursive: true });
  if (!quick) process.stdout.write('\n▶ type check, lint and format check, in the background\n');
  const checks = quick ? [] : startChecks(root, cache);
  let failedCheck: CheckResult | undefined;
  const running: ChildProcess[] = [];
  for (const pending of checks) {
    void pending.then((result) => {
      if (result.ok || failedCheck) return;
      failedCheck = result;
      process.stdout.write(`\n▶ ${result.name}: FAILED, stopping the tests\n${result.output}`);
      for (const child of running) child.kill('SIGTERM');
    });
  }
  // One cluster per port, so several test runs (say, two engineers' branches) can run side by side.
  const port = Number(process.env.VARCO_TEST_PG_PORT ?? 54339);
  process.stdout.write(`\n▶ PostgreSQL for tests (embedded, port ${port})\n`);
  const cluster = await startTestCluster(root, port);
  try {
    const timingsFile = join(cluster.dataDir, '..', 'timings.json');
    const timings = await readTimings(timingsFile);
    const all = globSync(['src/**/*.test.ts', 'test/**/*.test.ts'], { cwd: root });
    const files = only.length ? only : slowestFirst(all, timings);
    const unitFiles = files.filter((f) => f.startsWith('src/'));
    const integrationFiles = files.filter((f) => !f.startsWith('src/'));
    const summaryFiles = { integration: join(cluster.dataDir, 'summary.json'), unit: join(cluster.dataDir, 'summary-unit.json') };
    const started = (child: ChildProcess): void => void running.push(child);
    const hosted = processPerFile ? [] : integrationFiles;
    const alone = processPerFile ? integrationFiles : [];
    const hostSummaries = Array.from({ length: Math.min(concurrency, hosted.length) }, (_, i) => join(cluster.dataDir, `summary-host-${i}.json`));
    const codes = failedCheck
      ? [1]
      : (
          await Promise.all([
            runHosted(cluster, hosted, hostSummaries, started),
            runTests(cluster, alone, summaryFiles.integration, started),
            runUnitTests(cluster, unitFiles, summaryFiles.unit, started),
          ])
        ).flat();
    const code = codes.every((c) => c === 0) ? 0 : 1;
    for (const result of await Promise.all(checks)) process.stdout.write(`\n▶ ${result.name}: ${result.ok ? 'ok' : 'FAILED'}`);
    if (failedCheck) {
      process.stdout.write(`\n\n0 passed, 1 failed: ${failedCheck.name} failed\n`);
      return 1;
    }
    const parts = await Promise.all([
      // A host whose first ask found no file left (fewer files than hosts, or the others were quicker) ran
      // nothing and wrote no summary, and exited 0: not a failure. One that exited otherwise (it died, or
      // something a file left open kept it alive) lost its totals: one failure, as before.
      ...hostSummaries.map((file, i) => readSummary(file, { passed: 0, failed: codes[i] === 0 ? 0 : 1, skipped: 0 })),
      ...(alone.length ? [readSummary(summaryFiles.integration)] : []),
      ...(unitFiles.length ? [readSummary(summaryFiles.unit)] : []),
    ]);
    const summary: Summary = {
      passed: parts.reduce((n, p) => n + p.passed, 0),
      failed: parts.reduce((n, p) => n + p.failed, 0),
      skipped: parts.reduce((n, p) => n + p.skipped, 0),
      files: Object.assign({}, ...parts.map((p) => p.files ?? {})) as Record<string, number>,
    };
    if (summary.files) await saveTimings(timingsFile, timings, summary.files, all);
    process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
    return code === 0 && summary.failed === 0 ? 0 : 1;
  } finally {
    await cluster.stop();
  }
}

process.exitCode = await main();
