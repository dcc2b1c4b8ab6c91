import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createTestDatabase } from '../support/db.ts';
import { freePort } from '../support/processes.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';

// The container image (issue 17) without a container engine: the Dockerfile's build stage runs
// deploy/build-app.sh, and so does this test — on a clean copy of the repository (the tracked files
// only, as a clone has them). The runtime tree it builds must hold no dev dependency and no test, and
// a server started from it alone must pass the image's HEALTHCHECK (deploy/healthcheck.mjs).

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'varco-image-'));
after(() => rmSync(work, { recursive: true, force: true }));

function cleanCopy(): string {
  const copy = join(work, 'clone');
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(root, file))) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file));
  }
  return copy;
}

test('the Dockerfile builds with deploy/build-app.sh, runs unprivileged and checks health with deploy/healthcheck.mjs', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:24-slim AS build$/m);
  assert.match(dockerfile, /^RUN deploy\/build-app\.sh \/src \/app$/m);
  assert.match(dockerfile, /^COPY --from=build .*\/app \/app$/m);
  assert.match(dockerfile, /^USER varco$/m);
  assert.match(dockerfile, /^VOLUME \["\/var\/lib\/varco"\]$/m);
  assert.match(dockerfile, /^HEALTHCHECK .*"deploy\/healthcheck\.mjs"\]$/m);
  // Every file the script copies is copied into the build stage first.
  const script = readFileSync(join(root, 'deploy/build-app.sh'), 'utf8');
  const parts = /for part in ([^;]+); do/.exec(script)?.[1]?.split(/\s+/) ?? [];
  assert.ok(parts.length >= 5);
  for (const part of parts) assert.match(dockerfile, new RegExp(`^COPY .*\\b${part.split('/')[0]}\\b`, 'm'), `the build stage copies ${part}`);
  const compose = readFileSync(join(root, 'deploy/compose.yaml'), 'utf8');
  assert.match(compose, /image: postgres:18/);
  for (const service of ['varco-a:', 'varco-b:', 'worker:']) assert.ok(compose.includes(`\n  ${service}`), service);
});

test('deploy/build-app.sh on a clean copy: production dependencies only, no tests; the server it holds starts and passes the health check', async () => {
  const copy = cleanCopy();
  const app = join(work, 'app');
  const built = spawnSync('bash', [join(copy, 'deploy/build-app.sh'), copy, app], {
    encoding: 'utf8',
    // The packages are in the npm cache after `npm ci` of this checkout: no network needed.
    env: { ...process.env, npm_config_prefer_offline: 'true' },
    timeout: 240_000,
  });
  assert.equal(built.status, 0, `${built.stdout}\n${built.stderr}`);
  assert.ok(existsSync(join(app, 'node_modules/fastify/package.json')));
  for (const dev of ['typescript', 'eslint', 'playwright-core', 'prettier', 'kysely-codegen', 'smtp-server'])
    assert.equal(existsSync(join(app, 'node_modules', dev)), false, `${dev} is a dev dependency`);
  assert.equal(existsSync(join(app, 'test')), false);
  const leftTests = execFileSync('find', [join(app, 'src'), '-name', '*.test.ts'], { encoding: 'utf8' }).trim();
  assert.equal(leftTests, '');

  const database = await createTestDatabase();
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: database.url,
    VARCO_DATABASE_OWNER_URL: database.ownerUrl,
    VARCO_MASTER_KEY: generateSecretboxKey().toString('base64'),
    VARCO_DATA_DIR: join(work, 'data'),
    VARCO_PORT: String(port),
    VARCO_HOST: '127.0.0.1',
    VARCO_WORKERS: 'false',
    VARCO_LOG_LEVEL: 'warn',
  };
  const server = spawn(process.execPath, ['src/main/server.js'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  after(() => server.kill('SIGKILL'));
  const healthy = (): boolean => spawnSync(process.execPath, ['deploy/healthcheck.mjs'], { cwd: app, env, timeout: 10_000 }).status === 0;
  assert.equal(healthy(), false, 'nothing listens yet: the health check says so');
  let ready = false;
  for (let i = 0; i < 150 && !ready && server.exitCode === null; i++) {
    await new Promise((done) => setTimeout(done, 200));
    ready = healthy();
  }
  assert.ok(ready, `the server from the runtime tree became healthy\n${output}`);
  server.kill('SIGTERM');
  const code = await new Promise<number | null>((done) => server.once('exit', (c) => done(c)));
  assert.equal(code, 0, output);
});
