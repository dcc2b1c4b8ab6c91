// The configuration cache of the hosted page: a change of settings made through another instance
// (its own services and connections, one database) reaches this one's entry through PostgreSQL's
// notification, without this process being told; rolled-back changes notify nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, testServices } from '../support/app.ts';
import { SHA_IN, createMerchant, payLocation, postEntry, signedOrder } from '../support/ecommerce.ts';
import { CLI } from '../support/subscriptions.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';

const masterKey = generateSecretboxKey();
const t = await buildTestApp({ masterKey });

test('a passphrase changed by another instance is in force here within a second; a suspended subscription stops the entry', async () => {
  const m = await createMerchant(t);
  assert.ok(t.services.hostedPage.configs.listening, 'the cache listens');
  payLocation(await postEntry(t.app, signedOrder(m, 'cfg-1')));
  // Another instance: its own pool and services on the same database, same master key.
  const pool = createPool(t.database.url, 2);
  const other = testServices({ config: t.config, db: createKysely(pool), clock: systemClock, masterKey, audit: t.audit });
  try {
    const next = 'Another-passphrase-42';
    const changed = await other.merchants.updateSettings(m.merchantId, 'test', { shaIn: { action: 'set', value: next, confirm: next } }, CLI);
    assert.ok(changed.ok);
    const deadline = Date.now() + 1000;
    let accepted = false;
    while (!accepted && Date.now() < deadline) {
      accepted = (await postEntry(t.app, signedOrder(m, 'cfg-2', [], { passphrase: next }))).statusCode === 303;
      if (!accepted) await new Promise((done) => setTimeout(done, 20));
    }
    assert.ok(accepted, 'the new passphrase is accepted');
    const old = await postEntry(t.app, signedOrder(m, 'cfg-3', [], { passphrase: SHA_IN }));
    assert.match(old.body, /An error has occurred/, 'the old one is refused');

    const subscription = await t.database.db.selectFrom('subscriptions').select('id').where('organisation_id', '=', m.organisationId).executeTakeFirstOrThrow();
    assert.ok((await other.subscriptions.change(subscription.id, 'suspend', CLI)).ok);
    const until = Date.now() + 1000;
    let refused = false;
    while (!refused && Date.now() < until) {
      refused = (await postEntry(t.app, signedOrder(m, 'cfg-4', [], { passphrase: next }))).statusCode === 200;
      if (!refused) await new Promise((done) => setTimeout(done, 20));
    }
    assert.ok(refused, 'no entry without an active e-commerce subscription');
  } finally {
    await other.keyVerifier.stop();
    await pool.end();
  }
});
