import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from '../support/db.ts';
import { runCliInProcess } from '../support/cli.ts';
import type { CliResult } from '../support/server-process.ts';
import { testAudit, testConfig } from '../support/app.ts';
import { createOrganisation, createReferent, productId } from '../support/subscriptions.ts';
import { buildApp } from '../../src/app/build.ts';
import { createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { systemClock } from '../../src/kernel/clock.ts';

// `npx varco subscription …` as an operator runs it, against the database a running Varco uses:
// the printed keys work at once, and a suspension from the shell reaches the running instance.

const database = await createTestDatabase();
const db = database.db;
const dataDir = await mkdtemp(join(tmpdir(), 'varco-cli-'));
after(() => rm(dataDir, { recursive: true, force: true }));
const deps = { config: await testConfig({ DATABASE_URL: database.url }), db, logger: createLogger('silent'), clock: systemClock, audit: testAudit() };
const container = createContainer(deps);
const { services } = container;
const app = await buildApp(container);
after(() => app.close());
const ping = (key: string) => app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': key } });

function varco(args: string[]): Promise<CliResult> {
  return runCliInProcess(args, { DATABASE_URL: database.url, VARCO_DATA_DIR: dataDir, VARCO_LOG_LEVEL: 'warn' });
}

const org = await createOrganisation(db, 'Operatore Spa');
let created: { id: string; state: string; primaryKey: string; secondaryKey: string };

test('subscription create --approve prints a working key pair once; only hashes are stored and the audit row names the CLI', async () => {
  const refused = await varco(['subscription', 'create', '--org', org, '--product', 'node', '--env', 'test']);
  assert.equal(refused.code, 64);
  assert.match(refused.stderr, /--approve is required/);
  const run = await varco(['subscription', 'create', '--org', org, '--product', 'node', '--env', 'test', '--name', 'Batch', '--approve', '--json']);
  assert.equal(run.code, 0, run.stderr);
  created = JSON.parse(run.stdout) as typeof created;
  assert.equal(created.state, 'active');
  assert.match(created.primaryKey, /^vk_test_[0-9A-Za-z]{49}$/);
  assert.equal((await ping(created.primaryKey)).statusCode, 200);
  assert.equal((await ping(created.secondaryKey)).statusCode, 200);
  const text = await varco(['subscription', 'create', '--org', org, '--product', 'ecommerce', '--env', 'prod', '--approve']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Primary key: {3}vk_prod_/);
  assert.match(text.stdout, /shown only now/);
  const stored = JSON.stringify([await db.selectFrom('api_keys').selectAll().execute(), await db.selectFrom('audit_log').selectAll().execute()]);
  assert.equal(stored.includes(created.primaryKey), false);
  assert.equal(stored.includes(created.secondaryKey.slice(8)), false);
  const audit = await db.selectFrom('audit_log').select(['actor_type', 'action']).where('subject_id', '=', created.id).execute();
  assert.deepEqual(audit, [{ actor_type: 'cli', action: 'subscription.created' }]);
  for (const [args, message] of [
    [['--org', 'org_nope', '--product', 'node', '--env', 'test'], /no such organisation/],
    [['--org', org, '--product', 'nope', '--env', 'test'], /no product/],
    [['--org', org, '--product', 'node', '--env', 'live'], /--env must be/],
  ] as const) {
    const bad = await varco(['subscription', 'create', ...args, '--approve']);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, message);
  }
});

test('subscription suspend from the shell reaches the running instance within a second; list filters by state', async () => {
  const run = await varco(['subscription', 'suspend', created.id, '--comment', 'Traffico anomalo', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { id: created.id, state: 'suspended' });
  const row = await db.selectFrom('subscriptions').select('state_comment').where('id', '=', created.id).executeTakeFirstOrThrow();
  assert.equal(row.state_comment, 'Traffico anomalo', 'the reason is kept for the referents');
  const start = performance.now();
  while ((await ping(created.primaryKey)).statusCode !== 401) {
    assert.ok(performance.now() - start < 1000, 'still accepted after one second');
    await sleep(10);
  }
  const list = await varco(['subscription', 'list', '--state', 'suspended', '--json']);
  assert.deepEqual(
    (JSON.parse(list.stdout) as Array<{ id: string }>).map((s) => s.id),
    [created.id],
  );
  assert.equal((await varco(['subscription', 'list', '--state', 'nonsense'])).code, 64);
  assert.equal((await varco(['subscription', 'suspend', created.id])).code, 64, 'already suspended');
});

test('subscription approve and reject decide submitted requests; reject needs --comment', async () => {
  const referent = await createReferent(db, org, ['node']);
  const actor = { type: 'referent', id: referent.id, ip: null } as const;
  const subscribe = async () => {
    const result = await services.subscriptions.subscribe({ productId: await productId(db, 'node'), environment: 'prod', name: 'Prod' }, actor);
    assert.ok(result.ok);
    return result.value.id;
  };
  const [a, b] = [await subscribe(), await subscribe()];
  const pending = await varco(['subscription', 'list', '--org', org, '--state', 'submitted']);
  assert.match(pending.stdout, new RegExp(a));
  assert.match(pending.stdout, new RegExp(b));
  assert.equal((await varco(['subscription', 'approve', a])).code, 0);
  assert.equal((await varco(['subscription', 'reject', b])).code, 64);
  const rejected = await varco(['subscription', 'reject', b, '--comment', 'Duplicate request']);
  assert.equal(rejected.code, 0, rejected.stderr);
  assert.equal((await services.subscriptions.get(a))?.state, 'active');
  assert.equal((await services.subscriptions.get(b))?.state_comment, 'Duplicate request');
});
