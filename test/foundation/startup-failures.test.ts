import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { childEnv, freePort, makeDataDir, postmasterPid, startServer } from '../support/server-process.ts';
import { tempDevPki } from '../support/tls.ts';

// A start that fails for a cause the operator can fix says so in one line on stderr, naming what to
// change, with an exit code of its own and no stack trace; what had started (the embedded
// PostgreSQL) is stopped. Before, each was a JSON log line with a stack and exit code 1 — the port
// in use, another server on the data directory, the database out of reach (server and worker) — and
// a TLS pair that does not match failed as a crash, after the cluster had started.

const root = resolve(import.meta.dirname, '../..');

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `src/main/<entry>.js` with only the given settings, run until it exits. */
async function runToEnd(entry: 'server' | 'worker', env: Record<string, string>): Promise<Ended> {
  const options = { cwd: root, env: childEnv({ VARCO_HOST: '127.0.0.1', VARCO_LOG_LEVEL: 'info', ...env }), timeout: 60_000, killSignal: 'SIGKILL' as const };
  try {
    return { code: 0, ...(await promisify(execFile)(join(root, 'node_modules/.bin/node'), [`src/main/${entry}.js`], options)) };
  } catch (error) {
    // execFile's error for a non-zero exit carries the exit code and the output.
    const { code, stdout, stderr } = error as { code: number | null; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** One line on stderr matching `line`, exit code `code`, no stack anywhere, and the log line for collectors. */
function assertSaid(ended: Ended, code: number, line: RegExp): void {
  const output = `--- stdout ---\n${ended.stdout}\n--- stderr ---\n${ended.stderr}`;
  assert.equal(ended.code, code, output);
  assert.equal(ended.stderr.trimEnd().split('\n').length, 1, output);
  assert.match(ended.stderr, line);
  assert.doesNotMatch(ended.stdout + ended.stderr, /"stack"|\n\s+at /, `no stack trace:\n${output}`);
  const logged = ended.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.level === 60);
  assert.equal(logged?.reason, ended.stderr.trimEnd(), output);
}

test('another server on the port or on the data directory: one line naming the setting, exit 3 or 4, no PostgreSQL left running', async () => {
  const first = await startServer();
  try {
    const sameDataDir = await runToEnd('server', {
      VARCO_DATA_DIR: first.dataDir,
      VARCO_PORT: String(await freePort()),
      VARCO_EMBEDDED_PG_PORT: String(first.pgPort),
    });
    assertSaid(sameDataDir, 4, /^Another Varco server \(pid \d+\) is running on .*: stop it, or start this one with another VARCO_DATA_DIR\.\n$/);

    const dataDir = await makeDataDir();
    const samePort = await runToEnd('server', { VARCO_DATA_DIR: dataDir, VARCO_PORT: String(first.port), VARCO_EMBEDDED_PG_PORT: String(await freePort()) });
    assertSaid(
      samePort,
      3,
      new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${first.port}, which is already in use .*: stop it, or set VARCO_PORT \\(or VARCO_HOST\\)`),
    );
    assert.ok(existsSync(join(dataDir, 'pg', 'PG_VERSION')), 'its embedded cluster had started');
    assert.equal(await postmasterPid(dataDir), undefined, 'and was stopped before the process exited');
  } finally {
    await first.stop();
  }
});

test('the database out of reach: the server and the worker name DATABASE_URL, exit 5', async () => {
  const env = { VARCO_DATA_DIR: await makeDataDir(), DATABASE_URL: `postgres://varco:secret@127.0.0.1:${await freePort()}/varco` };
  for (const entry of ['server', 'worker'] as const) {
    assertSaid(
      await runToEnd(entry, env),
      5,
      /^Cannot connect to the database \(connect ECONNREFUSED 127\.0\.0\.1:\d+\): start PostgreSQL or check the host and port in DATABASE_URL\.\n$/,
    );
  }
});

test('a TLS pair that does not match, or a certificate that cannot be read: a configuration error before anything starts, exit 2', async () => {
  const dataDir = await makeDataDir();
  const pki = await tempDevPki();
  const cert = join(dataDir, 'server.crt');
  const otherKey = join(dataDir, 'other.key');
  await writeFile(cert, pki.server.chainPem);
  await writeFile(otherKey, pki.envs.test.caKeyPem);
  const env = { VARCO_DATA_DIR: dataDir, VARCO_PORT: String(await freePort()), VARCO_EMBEDDED_PG_PORT: String(await freePort()) };

  const mismatch = await runToEnd('server', { ...env, VARCO_TLS_CERT: cert, VARCO_TLS_KEY: otherKey });
  assertSaid(
    mismatch,
    2,
    /^Invalid configuration: VARCO_TLS_KEY \(.*other\.key\) is not the private key of the certificate in VARCO_TLS_CERT \(.*server\.crt\)\n$/,
  );
  const unreadable = await runToEnd('server', { ...env, VARCO_TLS_CERT: join(dataDir, 'missing.crt'), VARCO_TLS_KEY: otherKey });
  assertSaid(unreadable, 2, /^Invalid configuration: VARCO_TLS_CERT cannot be read \(ENOENT: .*missing\.crt\)\n$/);
  assert.equal(existsSync(join(dataDir, 'pg')), false, 'no embedded cluster was initialised');
});
