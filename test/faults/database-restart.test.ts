import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { testAudit, testConfig, testServices } from '../support/app.ts';
import { freePort, httpsRequest, makeDataDir, startServer } from '../support/server-process.ts';
import { CLI, createOrganisation } from '../support/subscriptions.ts';
import { SHA_IN, formBytes, signedOrder, type TestMerchant } from '../support/ecommerce.ts';
import { createKysely, createPool, ensureDatabase, startEmbedded, type EmbeddedServer } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';

// Issue 6, database restart under hosted-page traffic: a real Varco server on its own PostgreSQL,
// which the test stops and starts again while customers keep posting signed orders. /readyz says
// not ready (503) while PostgreSQL is down and ready again after; customers get a 503 (with
// Retry-After) rather than a 500; every order that got a success answer is in the database.

const dir = await makeDataDir();
const pgPort = await freePort();
const cluster = { dataDir: join(dir, 'external-pg'), port: pgPort };
let pg: EmbeddedServer = await startEmbedded(cluster);
after(() => pg.stop());
await ensureDatabase(pg.url('postgres'), 'varco');
const url = pg.url('varco');
const masterKey = generateSecretboxKey();
// Four customers post from one address as fast as they can: the entry's rate limits are raised, or
// they would be answered 429 (test/ecommerce/hosted-page-limits.test.ts) instead of the restart's 503.
const server = await startServer({
  env: {
    DATABASE_URL: url,
    VARCO_MASTER_KEY: masterKey.toString('base64'),
    VARCO_LOG_LEVEL: 'warn',
    VARCO_NCOL_RATE_LIMIT_PER_IP: '1000000',
    VARCO_NCOL_RATE_LIMIT_PER_PSPID: '1000000',
  },
});
after(() => server.stop());

const pool = createPool(url, 2);
const db = createKysely(pool);
after(() => db.destroy());
const services = testServices({
  config: await testConfig({ DATABASE_URL: url }),
  db,
  clock: systemClock,
  masterKey,
  audit: testAudit(masterKey),
  databaseUrl: url,
});

async function merchant(): Promise<TestMerchant> {
  const organisationId = await createOrganisation(db);
  assert.ok((await services.apiKeys.createActive({ organisationId, productCode: 'ecommerce', environment: 'test' }, CLI)).ok);
  const created = await services.merchants.create({ organisationId, pspid: `restart${Date.now().toString(36)}` }, CLI);
  assert.ok(created.ok);
  assert.ok((await services.merchants.updateSettings(created.value.id, 'test', { shaIn: { action: 'set', value: SHA_IN, confirm: SHA_IN } }, CLI)).ok);
  return { organisationId, merchantId: created.value.id, pspid: created.value.pspid };
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const status = async (path: string): Promise<number> => (await httpsRequest(server.port, server.ca, path).catch(() => ({ status: 0 }))).status;

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('PostgreSQL stopped and started under hosted-page traffic: /readyz follows, no 500, every accepted order is stored', async (t) => {
  const m = await merchant();
  const answers: Array<{ ref: string; status: number; retryAfter: boolean; phase: string }> = [];
  const readiness: number[] = [];
  let phase = 'up';
  let running = true;
  let n = 0;
  const customer = async (): Promise<void> => {
    while (running) {
      const ref = `restart-${n++}`;
      const body = formBytes(signedOrder(m, ref), 'utf8').toString('ascii');
      const res = await httpsRequest(server.port, server.ca, '/ncol/test/orderstandard_utf8.asp', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      }).catch(() => undefined);
      if (res) answers.push({ ref, status: res.status, retryAfter: res.headers['retry-after'] !== undefined, phase });
    }
  };
  const probe = async (): Promise<void> => {
    while (running) {
      readiness.push(await status('/readyz'));
      await sleep(100);
    }
  };
  const traffic = Promise.all([customer(), customer(), customer(), customer(), probe()]);

  const accepted = (p: string): number => answers.filter((a) => a.phase === p && a.status === 303).length;
  await until('orders accepted before the restart', async () => accepted('up') >= 20, 15_000);
  phase = 'down';
  await pg.stop();
  await until('/readyz to say not ready', async () => readiness.at(-1) === 503, 10_000);
  await until('customers to be turned away while down', async () => answers.some((a) => a.phase === 'down' && a.status === 503), 10_000);
  await sleep(1000);
  pg = await startEmbedded(cluster);
  phase = 'back';
  await until('/readyz to say ready again', async () => readiness.at(-1) === 200, 20_000);
  await until('orders accepted after the restart', async () => accepted('back') >= 20, 20_000);
  running = false;
  await traffic;

  const counts = Object.fromEntries(
    ['up', 'down', 'back'].map((p) => [p, Object.fromEntries([303, 503, 500].map((s) => [s, answers.filter((a) => a.phase === p && a.status === s).length]))]),
  );
  t.diagnostic(`answers by phase: ${JSON.stringify(counts).slice(0, 600)}`);
  assert.deepEqual(
    answers.filter((a) => a.status >= 500 && a.status !== 503),
    [],
    'no customer got a 500',
  );
  assert.ok(
    answers.filter((a) => a.status === 503).every((a) => a.retryAfter),
    'every 503 says when to retry',
  );
  assert.deepEqual(
    answers.filter((a) => a.status !== 303 && a.status !== 503),
    [],
    'only accepted or retry-later answers',
  );
  const stored = new Set((await db.selectFrom('orders').select('order_ref').where('merchant_id', '=', m.merchantId).execute()).map((r) => r.order_ref));
  assert.deepEqual(
    answers.filter((a) => a.status === 303 && !stored.has(a.ref)).map((a) => a.ref),
    [],
    'accepted orders missing from the database',
  );
  // Ready, then not ready, then ready again.
  const first503 = readiness.indexOf(503);
  assert.ok(readiness.indexOf(200) < first503 && readiness.lastIndexOf(200) > first503, `readiness: ${readiness.join(',')}`);
});
