// `npm test`: browser check, then type check and lint (side by side, while the test PostgreSQL
// starts), then every test file against a real PostgreSQL. One embedded cluster serves the run; each
// test file clones its own database from a migrated template (scripts/test-cluster.ts). Where the
// time goes and why the run is shaped this way: docs/testing.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { globSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { startTestCluster } from './test-cluster.ts';
import { readTimings, saveTimings, slowestFirst } from './test-order.ts';

const root = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const quick = args.includes('--quick'); // skip type check and lint when iterating on a few files
// Files in flight at once. Many files wait on timers, sockets and child processes rather than compute,
// so a few more than the cores keep the CPU busy (measured: docs/testing.md).
const concurrency = Number(args.find((a) => a.startsWith('--concurrency='))?.slice('--concurrency='.length) ?? 3);
// Caches that only make a repeated run cheaper; a fresh clone (CI) gets the same verdicts without them.
const cache = join(root, '.test-data', 'cache');

function step(name: string, command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env): void {
  process.stdout.write(`\n▶ ${name}\n`);
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, env });
  if (result.status !== 0) {
    process.stdout.write(`\n0 passed, 1 failed: ${name} failed\n`);
    process.exit(1);
  }
}

/** A check run in the background; its output is shown when it ends. */
function check(name: string, command: string, commandArgs: string[]): Promise<{ name: string; ok: boolean; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => done({ name, ok: false, output: String(error) }));
    child.on('exit', (status) => done({ name, ok: status === 0, output }));
  });
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

/** Type check and lint, on two cores at once; incremental (tsc's build info, ESLint's content cache). */
function staticChecks(): Array<ReturnType<typeof check>> {
  if (quick) return [];
  process.stdout.write('\n▶ type check (tsc --noEmit) and lint (eslint), side by side\n');
  const bin = (name: string): string => join(root, 'node_modules/.bin', name);
  return [
    check('type check (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', root, '--incremental', '--tsBuildInfoFile', join(cache, 'tsbuildinfo')]),
    check('lint (eslint)', bin('eslint'), ['--max-warnings=0', '--cache', '--cache-strategy', 'content', '--cache-location', join(cache, 'eslint'), '.']),
  ];
}

async function main(): Promise<number> {
  ensureChromium();
  await mkdir(cache, { recursive: true });
  const checks = staticChecks();
  // One cluster per port, so several test runs (say, two engineers' branches) can run side by side.
  const port = Number(process.env.VARCO_TEST_PG_PORT ?? 54339);
  const cluster = await startTestCluster(root, port);
  process.stdout.write(`\n▶ PostgreSQL for tests (embedded, port ${port})\n`);
  try {
    for (const result of await Promise.all(checks)) {
      process.stdout.write(`\n▶ ${result.name}: ${result.ok ? 'ok' : 'FAILED'}\n${result.output}`);
      if (!result.ok) {
        process.stdout.write(`\n0 passed, 1 failed: ${result.name} failed\n`);
        return 1;
      }
    }
    const timingsFile = join(cluster.dataDir, '..', 'timings.json');
    const timings = await readTimings(timingsFile);
    const all = globSync(['src/**/*.test.ts', 'test/**/*.test.ts'], { cwd: root });
    const files = only.length ? only : slowestFirst(all, timings);
    const summaryFile = join(cluster.dataDir, 'summary.json');
    await rm(summaryFile, { force: true });
    process.stdout.write(`\n▶ tests (${files.length} files, ${concurrency} at a time, slowest first)\n`);
    const code = await new Promise<number>((done) => {
      const child = spawn(
        process.execPath,
        [
          '--test',
          `--test-concurrency=${concurrency}`,
          '--test-timeout=180000',
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          '--test-reporter=./scripts/summary-reporter.ts',
          `--test-reporter-destination=${summaryFile}`,
          ...files,
        ],
        {
          cwd: root,
          stdio: 'inherit',
          // The compile cache (V8 code and stripped TypeScript) spares every test process, and every
          // server, worker and CLI they spawn, most of the cost of loading the same modules again.
          env: { NODE_COMPILE_CACHE: join(cache, 'node'), ...process.env, ...cluster.env },
        },
      );
      child.on('exit', (status) => done(status ?? 1));
    });
    const summary = existsSync(summaryFile)
      ? (JSON.parse(await readFile(summaryFile, 'utf8')) as { passed: number; failed: number; skipped: number; files?: Record<string, number> })
      : { passed: 0, failed: 1, skipped: 0 };
    if (summary.files) await saveTimings(timingsFile, timings, summary.files, all);
    process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
    return code === 0 && summary.failed === 0 ? 0 : 1;
  } finally {
    await cluster.stop();
  }
}

process.exitCode = await main();
