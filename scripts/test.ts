// `npm test`: browser check, type check, lint, then every test file against a real PostgreSQL.
// One embedded cluster serves the run; each test file clones its own database from a migrated
// template (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of re-running migrations.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { globSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { APP_ROLE, startEmbedded, ensureDatabase, createPool, grantAppRole, migrate } from '../src/db/index.ts';

const root = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const quick = args.includes('--quick'); // skip type check and lint when iterating on a few files

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

async function main(): Promise<number> {
  ensureChromium();
  if (!quick) {
    step('type check (tsc --noEmit)', join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', root]);
    step('lint (eslint)', join(root, 'node_modules/.bin/eslint'), ['--max-warnings=0', '.']);
  }
  // One cluster per port, so several test runs (say, two engineers' branches) can run side by side.
  const port = Number(process.env.VARCO_TEST_PG_PORT ?? 54339);
  const dataDir = join(root, '.test-data', String(port));
  await mkdir(dataDir, { recursive: true });
  process.stdout.write(`\n▶ PostgreSQL for tests (embedded, port ${port})\n`);
  const server = await startEmbedded({ dataDir, port, mode: 'own' });
  try {
    const adminUrl = server.url('postgres');
    const admin = createPool(adminUrl, 2);
    await admin.query('DROP DATABASE IF EXISTS varco_template WITH (FORCE)');
    // Databases left by an interrupted earlier run.
    const stale = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'varco_t_%'");
    for (const row of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await admin.end();
    await ensureDatabase(adminUrl, 'varco_template');
    const templatePool = createPool(server.url('varco_template'), 2);
    await migrate(templatePool);
    // startEmbedded created the application role in the cluster; databases cloned from the template
    // inherit these grants, so tests connect as Varco does (test/support/db.ts).
    await grantAppRole(templatePool, APP_ROLE);
    await templatePool.end();

    const files = only.length ? only : globSync(['src/**/*.test.ts', 'test/**/*.test.ts'], { cwd: root }).sort();
    const summaryFile = join(dataDir, 'summary.json');
    await rm(summaryFile, { force: true });
    process.stdout.write(`\n▶ tests (${files.length} files)\n`);
    const code = await new Promise<number>((done) => {
      const child = spawn(
        process.execPath,
        [
          '--test',
          '--test-concurrency=2',
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
          env: { ...process.env, VARCO_TEST_PG_URL: adminUrl, VARCO_TEST_APP_PG_URL: server.appUrl('postgres'), VARCO_TEST_TEMPLATE: 'varco_template' },
        },
      );
      child.on('exit', (status) => done(status ?? 1));
    });
    const summary = existsSync(summaryFile)
      ? (JSON.parse(await readFile(summaryFile, 'utf8')) as { passed: number; failed: number; skipped: number })
      : { passed: 0, failed: 1, skipped: 0 };
    process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
    return code === 0 && summary.failed === 0 ? 0 : 1;
  } finally {
    await server.stop();
  }
}

process.exitCode = await main();
