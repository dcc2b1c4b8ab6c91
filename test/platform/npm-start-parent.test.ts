import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { createTestDatabase } from '../support/db.ts';
import { childEnv, freePort, isAlive, makeDataDir, sleep } from '../support/server-process.ts';

// `npm start` runs the server as `sh -c "node …"`, and npm 11 passes a SIGTERM to the shell only,
// which dies without passing it on: the server went on running, orphaned. Started by npm (its
// npm_lifecycle_event set), the server stops when its parent goes; started otherwise (Docker,
// systemd, a shell's `setsid`), it does not.

const root = resolve(import.meta.dirname, '../..');
const NODE = join(root, 'node_modules/.bin/node');
const database = await createTestDatabase(2);
// One data directory: its master key is the one the database was set up with.
const dataDir = await makeDataDir();
const leftovers = new Set<number>();
after(() => {
  for (const pid of leftovers) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** The server under `sh -c`, as npm runs a script; the shell's pid, the server's, and its output so far. */
async function underShell(env: Record<string, string>) {
  const port = await freePort();
  const shell = spawn('sh', ['-c', `"${NODE}" src/main/server.js`], {
    cwd: root,
    env: childEnv({ VARCO_DATA_DIR: dataDir, VARCO_PORT: String(port), VARCO_HOST: '127.0.0.1', DATABASE_URL: database.url, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  shell.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + 60_000;
  while (!/Server listening/.test(output)) {
    assert.ok(Date.now() < deadline && shell.exitCode === null, `the server did not start (exit ${shell.exitCode}):\n${output}`);
    await sleep(100);
  }
  // A shell that execs its one command (bash as sh) has no child: then the test cannot tell, and says so.
  const children = (await readFile(`/proc/${shell.pid}/task/${shell.pid}/children`, 'utf8'))
    .trim()
    .split(/\s+/)
    .map(Number)
    .filter((pid) => pid > 0);
  assert.equal(children.length, 1, 'the shell runs the server as its child');
  const server = children[0] ?? 0;
  leftovers.add(server);
  return { shell, server, output: () => output };
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return false;
}

test('started by npm: the shell killed by SIGTERM, the server stops gracefully on its own', async () => {
  const { shell, server, output } = await underShell({ npm_lifecycle_event: 'start' });
  shell.kill('SIGTERM');
  assert.ok(await gone(server, 20_000), `the server is still running:\n${output()}`);
  assert.match(output(), /the process that started this one \(npm\) is gone: stopping/);
});

test('started otherwise: losing its parent does not stop the server', async () => {
  const { shell, server } = await underShell({ npm_lifecycle_event: '' });
  shell.kill('SIGTERM');
  assert.equal(await gone(server, 3_000), false, 'still running after its parent went');
  process.kill(server, 'SIGTERM');
  assert.ok(await gone(server, 20_000));
});
