import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { CLI, createOrganisation, createReferent, issueKeys, productId } from '../support/subscriptions.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { sha256Hex } from '../../src/kernel/crypto.ts';

// API keys through the module's services and GET /api/v1/ping: hashing-only storage, shown once,
// regeneration with and without overlap, expiry, and no secret in audit rows, outbox or logs.

const clock = fixedClock(new Date('2026-11-23T10:00:00Z'));
const t = await buildTestApp({ clock });
const { app, services, database } = t;
const db = database.db;
const shown: string[] = [];
const remember = (key: string): string => {
  shown.push(key);
  return key;
};
const ping = (key: string) => app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': key } });

async function submitted() {
  const org = await createOrganisation(db);
  const referent = await createReferent(db, org, ['node']);
  const actor = { type: 'referent', id: referent.id, ip: '10.1.1.1' } as const;
  const result = await services.subscriptions.subscribe({ productId: await productId(db, 'node'), environment: 'test', name: 'Main' }, actor);
  assert.ok(result.ok);
  return { org, referent, actor, id: result.value.id };
}

test('only the SHA-256, the prefix and the last four characters of a key are stored', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(services, org);
  const rows = await db.selectFrom('api_keys').selectAll().where('subscription_id', '=', keys.id).orderBy('slot').execute();
  assert.deepEqual(
    rows.map((r) => r.slot),
    ['primary', 'secondary'],
  );
  for (const [row, key] of [
    [rows[0]!, remember(keys.primary)],
    [rows[1]!, remember(keys.secondary)],
  ] as const) {
    assert.equal(row.key_hash, sha256Hex(key));
    assert.equal(row.prefix, 'vk_test_');
    assert.equal(row.last4, key.slice(-4));
    assert.equal(JSON.stringify(row).includes(key.slice(8, 40)), false, 'no part of the random body is stored');
  }
});

test('a submitted subscription has key slots but no key to reveal; after approval each key is shown once', async () => {
  const s = await submitted();
  const slots = await services.apiKeys.list(s.id);
  assert.deepEqual(
    slots.map((k) => [k.slot, k.revealedAt]),
    [
      ['primary', null],
      ['secondary', null],
    ],
  );
  assert.deepEqual(await services.apiKeys.reveal(s.id, 'primary', s.actor, s.org), { ok: false, reason: 'not_active' });
  assert.ok((await services.subscriptions.change(s.id, 'approve', CLI)).ok);
  const first = await services.apiKeys.reveal(s.id, 'primary', s.actor, s.org);
  assert.ok(first.ok);
  remember(first.value.key);
  assert.equal((await ping(first.value.key)).statusCode, 200);
  assert.deepEqual(await services.apiKeys.reveal(s.id, 'primary', s.actor, s.org), { ok: false, reason: 'already_revealed' });
  // Two tabs at once: one gets the key, the other is told it was revealed.
  const both = await Promise.all([services.apiKeys.reveal(s.id, 'secondary', s.actor, s.org), services.apiKeys.reveal(s.id, 'secondary', s.actor, s.org)]);
  assert.deepEqual(both.map((r) => r.ok).sort(), [false, true]);
  for (const r of both) if (r.ok) remember(r.value.key);
  const after = await services.apiKeys.list(s.id);
  assert.ok(after.every((k) => k.revealedAt instanceof Date && k.last4.length === 4));
  // Another organisation cannot reveal (or even see) it.
  const stranger = await createOrganisation(db);
  await assert.rejects(services.apiKeys.reveal(s.id, 'primary', s.actor, stranger), (e: Error & { code?: string }) => e.code === 'not_found');
});

test('regenerating with no overlap: the old key stops at once, the new one and the other slot work', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(services, org);
  const regenerated = await services.apiKeys.regenerate(keys.id, 'primary', 0, CLI);
  assert.ok(regenerated.ok);
  remember(regenerated.value.key);
  assert.equal((await ping(keys.primary)).statusCode, 401);
  assert.equal((await ping(regenerated.value.key)).statusCode, 200);
  assert.equal((await ping(keys.secondary)).statusCode, 200);
  assert.notEqual(regenerated.value.key, keys.primary);
});

test('regenerating with an overlap keeps the old key valid until the window ends; a second regeneration ends it', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(services, org);
  assert.deepEqual(await services.apiKeys.regenerate(keys.id, 'secondary', 73, CLI), { ok: false, reason: 'invalid_overlap' });
  assert.deepEqual(await services.apiKeys.regenerate(keys.id, 'secondary', -1, CLI), { ok: false, reason: 'invalid_overlap' });
  const start = clock.now().getTime();
  const next = await services.apiKeys.regenerate(keys.id, 'secondary', 2, CLI);
  assert.ok(next.ok);
  remember(next.value.key);
  assert.equal(next.value.previousValidUntil?.getTime(), start + 2 * 3600_000);
  assert.equal((await ping(keys.secondary)).statusCode, 200, 'old key inside the overlap');
  assert.equal((await ping(next.value.key)).statusCode, 200);
  const listed = await services.apiKeys.list(keys.id);
  assert.deepEqual(
    listed.filter((k) => k.slot === 'secondary').map((k) => k.current),
    [true, false],
  );
  clock.advance(2 * 3600_000 - 1000);
  assert.equal((await ping(keys.secondary)).statusCode, 200, 'one second before the end');
  clock.advance(1000);
  assert.equal((await ping(keys.secondary)).statusCode, 401, 'at the end of the overlap');
  assert.equal((await ping(next.value.key)).statusCode, 200);
  // Regenerating again within an overlap: only the key just replaced gets the new window.
  const third = await services.apiKeys.regenerate(keys.id, 'secondary', 24, CLI);
  assert.ok(third.ok);
  remember(third.value.key);
  const fourth = await services.apiKeys.regenerate(keys.id, 'secondary', 24, CLI);
  assert.ok(fourth.ok);
  remember(fourth.value.key);
  assert.equal((await ping(next.value.key)).statusCode, 401, 'the overlap of an earlier key ends at the next regeneration');
  assert.equal((await ping(third.value.key)).statusCode, 200);
  assert.equal((await ping(fourth.value.key)).statusCode, 200);
});

test('keys of a suspended subscription stop, and work again when it is reactivated; regeneration needs a usable state', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(services, org);
  assert.equal((await ping(keys.primary)).statusCode, 200);
  assert.ok((await services.subscriptions.change(keys.id, 'suspend', CLI)).ok);
  assert.equal((await ping(keys.primary)).statusCode, 401);
  assert.ok((await services.subscriptions.change(keys.id, 'reactivate', CLI)).ok);
  assert.equal((await ping(keys.primary)).statusCode, 200);
  const referent = await createReferent(db, org, ['node']);
  assert.ok((await services.subscriptions.change(keys.id, 'cancel', { type: 'referent', id: referent.id, ip: null }, { organisationId: org })).ok);
  assert.equal((await ping(keys.secondary)).statusCode, 401);
  assert.deepEqual(await services.apiKeys.regenerate(keys.id, 'primary', 0, CLI), { ok: false, reason: 'not_manageable' });
  await assert.rejects(services.subscriptions.change(keys.id, 'reactivate', CLI), (e: Error & { code?: string }) => e.code === 'invalid_state_transition');
});

test('a subscription past its expiry stops authenticating and is moved to expired by the system', async () => {
  const org = await createOrganisation(db);
  const keys = await issueKeys(services, org);
  assert.equal((await ping(keys.primary)).statusCode, 200);
  await db
    .updateTable('subscriptions')
    .set({ expires_at: new Date(clock.now().getTime() + 60_000) })
    .where('id', '=', keys.id)
    .execute();
  services.keyVerifier.invalidate(keys.id);
  assert.equal((await ping(keys.primary)).statusCode, 200);
  clock.advance(60_000);
  assert.equal((await ping(keys.primary)).statusCode, 401, 'expired keys are refused even before the state changes');
  assert.equal(await services.subscriptions.expireDue(), 1);
  assert.equal((await services.subscriptions.get(keys.id))?.state, 'expired');
  const audit = await db.selectFrom('audit_log').select(['actor_type', 'action']).where('subject_id', '=', keys.id).orderBy('seq').execute();
  assert.deepEqual(audit.at(-1), { actor_type: 'system', action: 'subscription.expired' });
  assert.equal(await services.subscriptions.expireDue(), 0);
});

test('audit rows record reveals and regenerations, and no key appears in the audit log, the outbox or the logs', async () => {
  assert.ok(shown.length >= 8);
  const actions = (await db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);
  for (const action of [
    'subscription.created',
    'subscription.submitted',
    'subscription.approved',
    'api_key.revealed',
    'api_key.regenerated',
    'subscription.suspended',
    'subscription.reactivated',
    'subscription.cancelled',
  ]) {
    assert.ok(actions.includes(action), action);
  }
  const regenerated = await db.selectFrom('audit_log').select('details').where('action', '=', 'api_key.regenerated').executeTakeFirstOrThrow();
  assert.deepEqual(Object.keys(regenerated.details as object).sort(), ['keyId', 'overlapHours', 'previousKeyId', 'previousValidUntil', 'shown', 'slot']);
  const everything = JSON.stringify([await db.selectFrom('audit_log').selectAll().execute(), await db.selectFrom('outbox').selectAll().execute()]);
  await services.keyVerifier.flush();
  for (const key of shown) {
    assert.equal(everything.includes(key), false, 'a key is in the audit log or the outbox');
    assert.equal(everything.includes(key.slice(8, 30)), false, 'part of a key is in the audit log or the outbox');
    assert.equal(t.rawLogs().includes(key.slice(8, 30)), false, 'a key is in the logs');
  }
});
