import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { createTestDatabase } from '../support/db.ts';
import { httpsRequest, makeDataDir, startServer, type ServerProcess } from '../support/server-process.ts';
import { testAudit, testConfig, testServices } from '../support/app.ts';
import { CLI, PASSWORD, createOrganisation, createReferent, shownKey } from '../support/subscriptions.ts';
import { SHA_IN, formBytes, signedOrder } from '../support/ecommerce.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { tempDevPki } from '../support/tls.ts';
import { enqueueHttpMessage } from '../../src/modules/delivery/index.ts';
import { HttpsBrowser } from './https-browser.ts';

// Issue 6, scale out: two Varco server processes on one external PostgreSQL (DATABASE_URL), as
// behind a load balancer. An order entered on one is served by the other; a key regenerated on
// one is refused by the other within a second; each outbox delivery is sent by exactly one of them.

const database = await createTestDatabase();
const { db } = database;
const masterKey = generateSecretboxKey();
// A data directory each: the platform PKI (CA, client certificate) is shared through the database.
const pki = await tempDevPki(['localhost']);
const env = { DATABASE_URL: database.url, VARCO_MASTER_KEY: masterKey.toString('base64'), VARCO_LOG_LEVEL: 'warn', VARCO_OUTBOX_LEASE_SECONDS: '10' };
const [a, b] = [await startServer({ dataDir: await makeDataDir(), env }), await startServer({ dataDir: await makeDataDir(), env })] as [
  ServerProcess,
  ServerProcess,
];
after(async () => {
  await Promise.all([a.stop(), b.stop()]);
});
// The test's own services on the same database, for set-up (the CLI's way).
const services = testServices({
  config: await testConfig({ DATABASE_URL: database.url }),
  db,
  clock: systemClock,
  masterKey,
  audit: testAudit(masterKey),
  databaseUrl: database.url,
});

const ping = async (s: ServerProcess, key: string): Promise<number> =>
  (await httpsRequest(s.port, s.ca, '/api/v1/ping', { headers: { 'ocp-apim-subscription-key': key } })).status;

test('two data directories, one database: both HTTPS certificates are issued by the one shared test platform CA', () => {
  assert.ok(a.dataDir !== b.dataDir);
  assert.equal(a.ca, b.ca);
});

test('an order entered on one instance is served by the other', async () => {
  const organisationId = await createOrganisation(db);
  const keys = await services.apiKeys.createActive({ organisationId, productCode: 'ecommerce', environment: 'test' }, CLI);
  assert.ok(keys.ok);
  const created = await services.merchants.create({ organisationId, pspid: `scale${Date.now().toString(36)}` }, CLI);
  assert.ok(created.ok);
  assert.ok((await services.merchants.updateSettings(created.value.id, 'test', { shaIn: { action: 'set', value: SHA_IN, confirm: SHA_IN } }, CLI)).ok);
  const merchant = { organisationId, merchantId: created.value.id, pspid: created.value.pspid };

  const body = formBytes(signedOrder(merchant, 'scale-out-1'), 'utf8').toString('ascii');
  const entered = await httpsRequest(a.port, a.ca, '/ncol/test/orderstandard_utf8.asp', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
  });
  assert.equal(entered.status, 303, entered.body.slice(0, 300));
  const page = await httpsRequest(b.port, b.ca, String(entered.headers.location));
  assert.equal(page.status, 200);
  assert.match(page.body, /scale-out-1/);
  const api = await httpsRequest(b.port, b.ca, '/api/v1/orders/scale-out-1', { headers: { 'ocp-apim-subscription-key': keys.value.primary } });
  assert.equal(api.status, 200, api.body);
  assert.equal((JSON.parse(api.body) as { orderId: string }).orderId, 'scale-out-1');
});

test('a key regenerated through one instance is refused by the other within one second', async () => {
  const organisationId = await createOrganisation(db);
  const referent = await createReferent(db, organisationId, ['node']);
  const keys = await services.apiKeys.createActive({ organisationId, productCode: 'node', environment: 'test' }, CLI);
  assert.ok(keys.ok);
  // Instance b has the key in its cache, as a client calling it all along would have.
  assert.equal(await ping(b, keys.value.primary), 200);
  assert.equal(await ping(b, keys.value.primary), 200);

  const browser = await new HttpsBrowser(a, 'portal').signIn(referent.email, PASSWORD);
  const started = performance.now();
  const regenerated = await browser.post(`/portal/subscriptions/${keys.value.id}/keys/primary/regenerate`, { overlapHours: '0' });
  assert.equal(regenerated.status, 200, regenerated.body.slice(0, 300));
  let status = await ping(b, keys.value.primary);
  while (status === 200 && performance.now() - started < 1000) status = await ping(b, keys.value.primary);
  const elapsed = performance.now() - started;
  assert.equal(status, 401, `instance b still accepted the old key ${Math.round(elapsed)} ms after the regeneration`);
  assert.ok(elapsed < 1000, `${Math.round(elapsed)} ms`);
  assert.equal(await ping(b, shownKey(regenerated.body)), 200, 'the new key works on the other instance');
});

test('each server-to-server delivery is sent by exactly one instance', async (t) => {
  const counts = new Map<string, number>();
  // Plain HTTPS, like every feedback receiver: feedback never presents a client certificate.
  const receiver = createServer({ cert: pki.server.chainPem, key: pki.server.keyPem }, (req, res) => {
    const id = String(req.headers['varco-event-id']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
    req.resume();
    req.on('end', () => res.writeHead(200).end('OK'));
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  after(
    () =>
      new Promise<void>((done) => {
        receiver.closeAllConnections();
        receiver.close(() => done());
      }),
  );
  const port = (receiver.address() as AddressInfo).port;
  assert.ok((await services.trust.add('test', pki.envs.test.caCertPem, { allOrganisations: true }, CLI)).ok);

  const ids = await db.transaction().execute(async (trx) => {
    const out: string[] = [];
    for (let n = 0; n < 600; n++) {
      out.push(
        (
          await enqueueHttpMessage(trx, {
            env: 'test',
            method: 'POST',
            url: `https://localhost:${port}/feedback?n=${n}`,
            body: `orderID=${n}&STATUS=9`,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            organisationId: null,
            subjectType: 'order',
            subjectId: `scale-${n}`,
          })
        ).id,
      );
    }
    return out;
  });
  const deadline = Date.now() + 40_000;
  const pending = async (): Promise<number> =>
    (await db.selectFrom('outbox').select('id').where('id', 'in', ids).where('state', '!=', 'delivered').execute()).length;
  while ((await pending()) > 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
  assert.equal(await pending(), 0, 'every message delivered');

  const twice = ids.filter((id) => (counts.get(id) ?? 0) !== 1);
  assert.deepEqual(
    twice.map((id) => [id, counts.get(id) ?? 0]),
    [],
    'received other than exactly once',
  );
  const { rows } = await sql<{ worker: string; n: number }>`SELECT worker, count(*)::int AS n FROM outbox_attempts a JOIN outbox o ON o.id = a.message_id
    WHERE o.subject_id LIKE 'scale-%' GROUP BY worker`.execute(db);
  t.diagnostic(`deliveries per worker: ${JSON.stringify(rows)}`);
  assert.equal(
    rows.reduce((sum, r) => sum + r.n, 0),
    ids.length,
    'one attempt per message',
  );
  const pids = new Set(rows.map((r) => r.worker.split(':')[1]));
  assert.ok(pids.has(String(a.child.pid)) && pids.has(String(b.child.pid)), `both instances delivered: ${JSON.stringify(rows)}`);
});
