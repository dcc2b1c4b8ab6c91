import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { silentRelay } from '../support/silent-relay.ts';
import { buildTestApp } from '../support/app.ts';
import { CLI, createOrganisation, issueKeys } from '../support/subscriptions.ts';
import { buildApp } from '../../src/app/build.ts';
import { createContainer, type Services } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { systemClock, type Clock } from '../../src/kernel/clock.ts';

// Two Varco instances on one database, each with its own pool, cache and LISTEN connection: a key
// regenerated, suspended or reactivated through one is refused (or accepted) by the other within a
// second, and a lost listener connection empties the cache so a missed notification cannot leave a
// revoked key working.

const a = await buildTestApp();
const db = a.database.db;

/**
 * Another instance; `listenUrl` routes its LISTEN connections elsewhere (its pool stays on the
 * database); `clock` is its own (the system's by default).
 */
async function secondInstance(options: { listenUrl?: string; clock?: Clock } = {}): Promise<{ app: FastifyInstance; services: Services }> {
  const { listenUrl } = options;
  const pool = createPool(a.database.url, 3);
  const deps = {
    config: a.config,
    db: createKysely(pool),
    logger: createLogger('silent'),
    clock: options.clock ?? systemClock,
    audit: a.audit,
    ...(listenUrl ? { databaseUrl: listenUrl } : {}),
  };
  const container = createContainer(deps);
  const { services } = container;
  const app = await buildApp(container);
  after(async () => {
    await app.close();
    await deps.db.destroy();
  });
  return { app, services };
}

const b = await secondInstance();
const ping = (app: FastifyInstance, key: string) => app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': key } });

/** Milliseconds until `app` answers `status` for `key`; fails after `limitMs`. */
async function timeUntil(app: FastifyInstance, key: string, status: number, since: number, limitMs = 1000): Promise<number> {
  for (;;) {
    const got = (await ping(app, key)).statusCode;
    const elapsed = performance.now() - since;
    if (got === status) return elapsed;
    assert.ok(elapsed < limitMs, `still ${got} after ${Math.round(elapsed)} ms, expected ${status}`);
    await sleep(5);
  }
}

async function waitListening(services: Services): Promise<void> {
  for (let i = 0; i < 400 && !services.keyVerifier.listening; i++) await sleep(10);
  assert.ok(services.keyVerifier.listening, 'the verifier is listening');
}

test('a key regenerated on one instance is refused by the other within one second', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(a.services, org);
  // Both instances have the key cached as valid.
  assert.equal((await ping(a.app, keys.primary)).statusCode, 200);
  assert.equal((await ping(b.app, keys.primary)).statusCode, 200);
  assert.equal((await ping(b.app, keys.primary)).statusCode, 200);
  const start = performance.now();
  const regenerated = await a.services.apiKeys.regenerate(keys.id, 'primary', 0, CLI);
  assert.ok(regenerated.ok);
  const elapsed = await timeUntil(b.app, keys.primary, 401, start);
  assert.ok(elapsed < 1000, `${elapsed} ms`);
  assert.equal((await ping(b.app, regenerated.value.key)).statusCode, 200);
  assert.equal((await ping(b.app, keys.secondary)).statusCode, 200);
});

test('a key ended at once on one instance is refused by an instance whose clock is behind, within one second', async () => {
  // Ten minutes behind: the old key's end, stamped by a's clock, is still in c's future.
  const c = await secondInstance({ clock: { now: () => new Date(Date.now() - 10 * 60_000) } });
  await waitListening(c.services);
  const keys = await issueKeys(a.services, await createOrganisation(db));
  await sleep(200);
  assert.equal((await ping(c.app, keys.primary)).statusCode, 200);
  // No overlap.
  let start = performance.now();
  const regenerated = await a.services.apiKeys.regenerate(keys.id, 'primary', 0, CLI);
  assert.ok(regenerated.ok);
  assert.ok((await timeUntil(c.app, keys.primary, 401, start)) < 1000);
  await sleep(300);
  assert.equal((await ping(c.app, keys.primary)).statusCode, 401, 'refused for good, not until c reads the database again');
  assert.equal((await ping(c.app, regenerated.value.key)).statusCode, 200);
  // An overlap cut short by the next regeneration ends at once too; the key just replaced keeps its window.
  const next = await a.services.apiKeys.regenerate(keys.id, 'secondary', 1, CLI);
  assert.ok(next.ok);
  assert.equal((await ping(c.app, keys.secondary)).statusCode, 200, 'inside its window');
  start = performance.now();
  const third = await a.services.apiKeys.regenerate(keys.id, 'secondary', 1, CLI);
  assert.ok(third.ok);
  assert.ok((await timeUntil(c.app, keys.secondary, 401, start)) < 1000);
  assert.equal((await ping(c.app, next.value.key)).statusCode, 200, 'the key just replaced, inside its window');
  assert.equal((await ping(c.app, third.value.key)).statusCode, 200);
});

test('a subscription suspended on one instance is refused by the other within one second, and accepted again after reactivation', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(b.services, org);
  assert.equal((await ping(a.app, keys.secondary)).statusCode, 200);
  let start = performance.now();
  assert.ok((await b.services.subscriptions.change(keys.id, 'suspend', CLI)).ok);
  assert.ok((await timeUntil(a.app, keys.secondary, 401, start)) < 1000);
  // Instance a now caches the refusal; reactivation on b must clear it too.
  assert.equal((await ping(a.app, keys.secondary)).statusCode, 401);
  start = performance.now();
  assert.ok((await b.services.subscriptions.change(keys.id, 'reactivate', CLI)).ok);
  assert.ok((await timeUntil(a.app, keys.secondary, 200, start)) < 1000);
});

test('a product change on one instance applies to cached keys on the other', async () => {
  const org = await createOrganisation(db);
  const created = await a.services.products.create(
    {
      code: 'shrinking',
      name: 'Shrinking',
      description: '',
      routeGroups: ['ping', 'node'],
      approvalRequiredTest: true,
      approvalRequiredProd: true,
      rateLimitPerMinute: 600,
    },
    CLI,
  );
  assert.ok(created.ok);
  const keys = await issueKeys(a.services, org, 'shrinking');
  assert.equal((await ping(b.app, keys.primary)).statusCode, 200);
  const start = performance.now();
  assert.ok(
    (
      await a.services.products.update(
        created.value.id,
        {
          code: 'shrinking',
          name: 'Shrinking',
          description: '',
          routeGroups: ['node'],
          approvalRequiredTest: true,
          approvalRequiredProd: true,
          rateLimitPerMinute: 600,
        },
        CLI,
      )
    ).ok,
  );
  assert.ok((await timeUntil(b.app, keys.primary, 403, start)) < 1000);
});

test('the cache is trusted while listening; when the listener drops it is emptied, so a change it did not hear of applies', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(a.services, org);
  await waitListening(b.services);
  // Let the creation's own notification reach b first, so it does not drop what b caches next.
  await sleep(200);
  assert.equal((await ping(b.app, keys.primary)).statusCode, 200);
  // A change that sends no notification (as if it were lost): instance b answers from its cache,
  // which shows that a cached key costs no database round trip.
  await db.updateTable('subscriptions').set({ state: 'suspended' }).where('id', '=', keys.id).execute();
  assert.equal((await ping(b.app, keys.primary)).statusCode, 200);
  // Cut every key listener connection of this database (both instances'; by name, as its last
  // statement may be its heartbeat's rather than its LISTEN).
  const { rows } = await sql<{ done: boolean }>`SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
    WHERE datname = ${a.database.name} AND application_name = 'varco-key-cache'`.execute(db);
  assert.ok(rows.length >= 2, `terminated ${rows.length} listener connections`);
  // While it reconnects it checks keys against the database, and it starts again from an empty cache.
  assert.ok((await timeUntil(b.app, keys.primary, 401, performance.now(), 3000)) < 3000);
  await waitListening(b.services);
  assert.equal((await ping(b.app, keys.primary)).statusCode, 401);
});

test('a listener connection gone silent (dropped by a NAT or firewall, no error, no close) stops the cache being trusted: a suspension applies within a second', async () => {
  const relay = await silentRelay(a.database.url);
  const c = await secondInstance({ listenUrl: relay.url });
  try {
    await waitListening(c.services);
    const keys = await issueKeys(a.services, await createOrganisation(db));
    // Let the creation's own notification reach c first, so it does not drop what c caches next.
    await sleep(200);
    assert.equal((await ping(c.app, keys.primary)).statusCode, 200);
    relay.freeze();
    const start = performance.now();
    assert.ok((await a.services.subscriptions.change(keys.id, 'suspend', CLI)).ok);
    const elapsed = await timeUntil(c.app, keys.primary, 401, start, 1000);
    assert.ok(elapsed < 1000, `${elapsed} ms`);
    // Refused for good, not by chance: the silent connection's notification never arrives.
    await sleep(300);
    assert.equal((await ping(c.app, keys.primary)).statusCode, 401);
  } finally {
    await relay.close();
  }
});

test('the rate limit is shared: once counts are synced, an instance refuses what the other has used up', async () => {
  const created = await a.services.products.create(
    {
      code: 'shared-limit',
      name: 'Shared limit',
      description: '',
      routeGroups: ['ping'],
      approvalRequiredTest: true,
      approvalRequiredProd: true,
      rateLimitPerMinute: 4,
    },
    CLI,
  );
  assert.ok(created.ok);
  const keys = await issueKeys(a.services, await createOrganisation(db), 'shared-limit');
  // Counts are per minute: start well inside one, so all requests fall in the same window.
  if (Date.now() % 60_000 > 55_000) await sleep(60_000 - (Date.now() % 60_000) + 50);
  for (let i = 0; i < 2; i++) assert.equal((await ping(a.app, keys.primary)).statusCode, 200);
  await a.services.keyVerifier.flush();
  for (let i = 0; i < 2; i++) assert.equal((await ping(b.app, keys.secondary)).statusCode, 200);
  // b's sync adds its two and reads back four: the subscription's whole budget for this minute.
  await b.services.keyVerifier.flush();
  const refused = await ping(b.app, keys.primary);
  assert.equal(refused.statusCode, 429);
  assert.ok(Number(refused.headers['retry-after']) >= 1);
});
