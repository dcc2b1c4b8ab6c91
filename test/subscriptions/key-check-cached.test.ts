import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTestApp } from '../support/app.ts';
import { CLI, createOrganisation, issueKeys } from '../support/subscriptions.ts';

// Issue 15 (the key check's CPU): the /api hook judges a key the cache knows without a promise
// (verifyCached), and goes to the database only on a miss. The cache still obeys invalidation: a
// suspension makes the next check of that key miss the cache and be refused.

const { app, services, database } = await buildTestApp();
const ping = (key: string) => app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': key } });

test('a cached key is judged from the cache alone; a suspension empties it and the key is refused', async () => {
  const verifier = services.keyVerifier;
  const org = await createOrganisation(database.db, 'Banca Cache');
  const keys = await issueKeys(services, org);
  assert.deepEqual(verifier.verifyCached(undefined), { ok: false, reason: 'missing' });
  assert.deepEqual(verifier.verifyCached('not-a-key'), { ok: false, reason: 'invalid' });
  assert.equal(verifier.verifyCached(keys.primary), undefined, 'not cached yet: the database decides');
  // The cache is trusted once the LISTEN connection is up (key-verifier.ts); the app may still be connecting it.
  const listening = Date.now() + 5000;
  do assert.equal((await ping(keys.primary)).statusCode, 200);
  while (verifier.verifyCached(keys.primary) === undefined && Date.now() < listening && (await sleep(20)) === undefined);
  const cached = verifier.verifyCached(keys.primary);
  assert.ok(cached?.ok === true, 'cached after the first check');
  assert.equal(cached.context.subscriptionId, keys.id);
  assert.equal((await ping(keys.primary)).statusCode, 200);

  assert.ok((await services.subscriptions.change(keys.id, 'suspend', CLI)).ok);
  const deadline = Date.now() + 1000;
  while (verifier.verifyCached(keys.primary)?.ok === true && Date.now() < deadline) await sleep(10);
  assert.notEqual(verifier.verifyCached(keys.primary)?.ok, true, 'the suspension reached the cache within a second');
  assert.equal((await ping(keys.primary)).statusCode, 401);
});
