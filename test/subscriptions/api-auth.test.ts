import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { buildTestApp } from '../support/app.ts';
import { apiSecuritySuite } from '../support/api-security.ts';
import { CLI, createOrganisation, issueKeys } from '../support/subscriptions.ts';
import { registerKeyAuth } from '../../src/http/api/auth.ts';
import { createKeyVerifier, generateKey } from '../../src/modules/subscriptions/index.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';

// Authentication of /api: the shared security suite on ping, what ping answers and records, rate
// limits, batched `last used`, and checks that need no database.

const { app, services, database } = await buildTestApp();
const db = database.db;

apiSecuritySuite({ app, services, db, method: 'GET', url: '/api/v1/ping', group: 'ping' });

test('GET /api/v1/ping names the subscription, organisation, product, environment, TLS protocol and server time', async () => {
  const org = await createOrganisation(db, 'Banca Ping');
  const keys = await issueKeys(services, org, 'ecommerce', 'prod');
  const before = Date.now();
  const response = await app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': keys.primary } });
  assert.equal(response.statusCode, 200);
  const body = response.json<Record<string, unknown>>();
  assert.deepEqual(
    { ...body, serverTime: 'x' },
    {
      subscription: { id: keys.id, name: 'ecommerce-prod' },
      organisation: { id: org, name: 'Banca Ping' },
      product: { id: 'prd_ecommerce', code: 'ecommerce', name: 'E-commerce' },
      environment: 'prod',
      tlsProtocol: null, // inject() has no TLS socket; tls.test covers a real handshake
      serverTime: 'x',
    },
  );
  const serverTime = Date.parse(String(body.serverTime));
  assert.ok(serverTime >= before - 1000 && serverTime <= Date.now() + 1000);
});

test("a ping records inbound verification and the key's last use, written in a batch", async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(services, org);
  const read = () =>
    db
      .selectFrom('subscriptions')
      .innerJoin('api_keys', 'api_keys.subscription_id', 'subscriptions.id')
      .select(['subscriptions.inbound_verified_at', 'api_keys.last_used_at', 'api_keys.slot'])
      .where('subscriptions.id', '=', keys.id)
      .execute();
  assert.ok((await read()).every((r) => r.inbound_verified_at === null && r.last_used_at === null));
  const response = await app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': keys.secondary } });
  assert.equal(response.statusCode, 200);
  await services.keyVerifier.flush();
  const rows = await read();
  assert.ok(rows.every((r) => r.inbound_verified_at instanceof Date));
  assert.ok(rows.find((r) => r.slot === 'secondary')?.last_used_at instanceof Date);
  assert.equal(rows.find((r) => r.slot === 'primary')?.last_used_at, null);
});

test('a flush asked while another is running writes the stamps recorded before it was asked', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(services, org);
  // The periodic flush (or any other caller) has already taken the stamps when the ping arrives.
  const running = services.keyVerifier.flush();
  services.keyVerifier.recordPing(keys.id);
  await services.keyVerifier.flush();
  const row = await db.selectFrom('subscriptions').select('inbound_verified_at').where('id', '=', keys.id).executeTakeFirstOrThrow();
  assert.ok(row.inbound_verified_at instanceof Date, 'the second flush returned before the ping was written');
  await running;
});

test("the product's rate limit answers 429 rate_limited with Retry-After, per subscription", async () => {
  const created = await services.products.create(
    { code: 'tiny', name: 'Tiny', description: '', routeGroups: ['ping'], approvalRequiredTest: true, approvalRequiredProd: true, rateLimitPerMinute: 3 },
    CLI,
  );
  assert.ok(created.ok);
  const org = await createOrganisation(db);
  const a = await issueKeys(services, org, 'tiny');
  const b = await issueKeys(services, org, 'tiny');
  const ping = (key: string) => app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': key } });
  // Counts are per minute: start well inside one, so all requests fall in the same window.
  if (Date.now() % 60_000 > 55_000) await sleep(60_000 - (Date.now() % 60_000) + 50);
  // Primary and secondary share their subscription's budget.
  for (const key of [a.primary, a.secondary, a.primary]) assert.equal((await ping(key)).statusCode, 200);
  const limited = await ping(a.secondary);
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json<{ error: { code: string } }>().error.code, 'rate_limited');
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120, String(limited.headers['retry-after']));
  // Another subscription has its own budget.
  assert.equal((await ping(b.primary)).statusCode, 200);
  // Counts reach the shared table, so other instances see them.
  await services.keyVerifier.flush();
  const shared = await db.selectFrom('api_rate_windows').select(['subscription_id', 'count']).where('subscription_id', '=', a.id).execute();
  assert.deepEqual(
    shared.map((r) => r.count),
    [3],
  );
});

test('an unknown /api route is 404 whatever the key, and the documentation needs no key', async () => {
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/nothing-here' })).statusCode, 404);
  const docs = await app.inject({ method: 'GET', url: '/api/docs' });
  assert.equal(docs.statusCode, 200);
  assert.match(String(docs.headers['content-security-policy']), /connect-src 'self'/);
  const spec = await app.inject({ method: 'GET', url: '/api/docs/json' });
  assert.equal(spec.statusCode, 200);
  const document = spec.json<{
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    components: { securitySchemes: Record<string, { name: string }> };
  }>();
  const ping = document.paths['/api/v1/ping']?.get;
  assert.ok(ping, 'ping is documented');
  assert.deepEqual(Object.keys(ping.responses).sort(), ['200', '400', '401', '403', '429', '500', '503']);
  assert.equal(document.components.securitySchemes.subscriptionKey?.name, 'Ocp-Apim-Subscription-Key');
  assert.equal(document.components.securitySchemes.subscriptionKeyQuery?.name, 'subscription-key');
});

test('an /api route that does not declare its route group is refused when registered', async () => {
  const bare = Fastify();
  const verifier = createKeyVerifier({ db, clock: systemClock, databaseUrl: undefined });
  await assert.rejects(async () => {
    await bare.register(async (keyed) => {
      registerKeyAuth(keyed, verifier);
      keyed.get('/v1/forgot-group', async () => ({}));
    });
    await bare.ready();
  }, /must declare its route group/);
  await bare.close();
});

test('a mistyped key is refused without the database; a well-formed unknown key needs it', async () => {
  // A verifier whose database is unreachable: only the checksum can answer.
  const pool = createPool('postgres://nobody:nothing@127.0.0.1:9/none', 1);
  const unreachable = createKysely(pool);
  const verifier = createKeyVerifier({ db: unreachable, clock: systemClock, databaseUrl: undefined });
  const key = generateKey('test').key;
  const typo = `${key.slice(0, 30)}${key[30] === 'Z' ? 'Y' : 'Z'}${key.slice(31)}`;
  assert.deepEqual(await verifier.verify(typo), { ok: false, reason: 'invalid' });
  assert.deepEqual(await verifier.verify(undefined), { ok: false, reason: 'missing' });
  await assert.rejects(verifier.verify(key), (e: Error & { code?: string }) => e.code === 'database_unavailable');
  await unreachable.destroy();
});
