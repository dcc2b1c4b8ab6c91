import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createEmptyDatabase, testAppUrl } from '../support/db.ts';
import { makeDataDir, startServer, type ServerProcess } from '../support/server-process.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { loadMigrations } from '../../src/db/index.ts';

// Issue 17, "safe start of many instances": five Varco processes started at the same moment on one
// fresh database migrate it exactly once (the migrations' advisory lock: one applies, the others wait
// and find nothing to do) and all become ready; then a database migrated by a newer Varco is refused
// by this one with a clear message, before it serves anything.

const fresh = await createEmptyDatabase();
const appUrl = new URL(testAppUrl());
appUrl.pathname = `/${fresh.name}`;
const env = {
  DATABASE_URL: appUrl.toString(),
  VARCO_DATABASE_OWNER_URL: fresh.url,
  VARCO_MASTER_KEY: generateSecretboxKey().toString('base64'),
  VARCO_WORKERS: 'false',
};
const known = await loadMigrations();

async function ownerQuery<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: fresh.url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

test('five instances started together on a fresh database: migrated exactly once, all ready', async () => {
  const dataDirs = await Promise.all(Array.from({ length: 5 }, () => makeDataDir()));
  // allSettled: when one instance fails to start, the others are stopped before the test fails, so no
  // process outlives the file (it would keep the test host alive and lose its report).
  const started = await Promise.allSettled(dataDirs.map((dataDir) => startServer({ dataDir, env, readyTimeoutMs: 120_000 })));
  const servers: ServerProcess[] = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  try {
    const applied = await ownerQuery<{ version: number; n: number }>(
      'SELECT version, count(*)::int AS n FROM varco_migrations GROUP BY version ORDER BY version',
    );
    assert.deepEqual(
      applied.map((r) => r.version),
      known.map((m) => m.version),
    );
    assert.ok(applied.every((r) => r.n === 1));
    // Exactly one process applied them; the other four found the schema up to date. Log lines reach stdout in
    // batches (up to 20 ms, longer on a busy machine): wait for the line before counting who printed it.
    await Promise.any(servers.map((s) => s.waitForOutput(/"msg":"migrations applied"/)));
    const appliers = servers.filter((s) => s.logs().some((line) => line.msg === 'migrations applied'));
    assert.equal(appliers.length, 1, servers.map((s) => s.stderr().slice(-500)).join('\n'));
    const appliedByOne = appliers[0]?.logs().find((line) => line.msg === 'migrations applied')?.applied as string[];
    assert.equal(appliedByOne.length, known.length);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});

test('a database migrated by a newer Varco: this one refuses to start, saying why', async () => {
  const next = known.length + 1;
  await ownerQuery(`INSERT INTO varco_migrations (version, name, checksum) VALUES (${next}, 'from_a_newer_varco', 'x')`);
  await assert.rejects(startServer({ dataDir: await makeDataDir(), env, readyTimeoutMs: 60_000 }), (error: Error) => {
    assert.match(error.message, new RegExp(`migration ${next}, which this Varco does not know`));
    return true;
  });
});
