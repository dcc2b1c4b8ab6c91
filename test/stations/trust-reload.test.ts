// Issue 13: a CA added with `varco trust add` (another process: here the CLI's services on the same
// database) reaches every running instance at once — before, each kept its trusted roots for up to
// 60 s. Two app instances on one database deliver feedback to a real TLS peer whose certificate is
// signed by the new CA: refused before the CA is trusted, delivered right after, refused again right
// after it is removed.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildTestApp, testContainer, testServices } from '../support/app.ts';
import { CLI, createOrganisation } from '../support/subscriptions.ts';
import { makeCa, makeLeaf, startPeer } from '../support/tls-peers.ts';
import { silentRelay } from '../support/silent-relay.ts';
import { buildApp } from '../../src/app/build.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import type { Services } from '../../src/app/container.ts';

const a = await buildTestApp();
const db = a.database.db;
// A second instance (its own container, LISTEN connections and caches) on the same database.
const second = testContainer(a);
const secondApp = await buildApp(second);
after(() => secondApp.close());
// The CLI's way: services of a third composition root that never listens, changing the database only.
const cli = testServices({ config: a.config, db, clock: systemClock, masterKey: a.masterKey, audit: a.audit, databaseUrl: a.database.url });

const message = (url: string, organisationId: string) => ({
  id: 'msg_trust',
  channel: 'http' as const,
  attempt: 1,
  createdAt: new Date(),
  organisationId,
  subjectType: 'order',
  subjectId: 'ord_trust',
  payload: { version: 1, env: 'test' as const, method: 'POST', url, headers: {}, body: 'orderID=1', eventId: 'msg_trust' },
});

/** Delivers until the outcome is `wanted` or 5 s have passed (the old cache held roots for 60 s); returns the time it took. */
async function deliverUntil(services: Services, url: string, organisationId: string, wanted: boolean): Promise<number> {
  const started = Date.now();
  for (;;) {
    const outcome = await services.hostedPage.feedback.deliver(message(url, organisationId));
    if (outcome.ok === wanted) return Date.now() - started;
    if (!outcome.ok) assert.match(outcome.error, /^certificate\//);
    if (Date.now() - started > 5_000) assert.fail(`still ${outcome.ok ? 'delivered' : 'refused'} after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('trusted CAs reach every running instance at once', () => {
  it('added by another process: both instances trust it at once; removed: both refuse at once', async () => {
    const privateCa = await makeCa({ name: 'Merchant Reload CA' });
    const peer = await startPeer({ leaf: await makeLeaf({ issuer: privateCa, commonName: 'localhost', altNames: ['localhost'] }), requestCert: false });
    const url = peer.url('/feedback');
    const organisationId = await createOrganisation(db);
    // Both instances have read (and cached) the roots without the CA.
    for (const services of [a.services, second.services]) {
      const refused = await services.hostedPage.feedback.deliver(message(url, organisationId));
      assert.match(refused.ok ? '' : refused.error, /^certificate\//);
    }
    const added = await cli.trust.add('test', privateCa.certPem, { organisationId }, CLI);
    assert.ok(added.ok);
    for (const services of [a.services, second.services]) assert.ok((await deliverUntil(services, url, organisationId, true)) < 5_000);
    assert.equal(peer.requests.length, 2);

    assert.ok(await cli.trust.remove(added.value.id, CLI));
    // Another process's removal arrives by NOTIFY at its commit: a delivery already under way in that
    // instant may still go out, so the bound is time (a second, as for a suspended key), not a count.
    for (const services of [a.services, second.services]) assert.ok((await deliverUntil(services, url, organisationId, false)) < 1_000);
  });

  it('an instance whose LISTEN connection went silent (dropped by a NAT or firewall: no error, no close) stops trusting its cached roots within seconds', async () => {
    const relay = await silentRelay(a.database.url);
    after(() => relay.close());
    // Its pool on the database, its LISTEN connections through the relay.
    const third = testContainer(a, { databaseUrl: relay.url });
    await third.services.trust.changes.start();
    after(() => third.services.trust.changes.stop());
    const privateCa = await makeCa({ name: 'Merchant Silent CA' });
    const peer = await startPeer({ leaf: await makeLeaf({ issuer: privateCa, commonName: 'localhost', altNames: ['localhost'] }), requestCert: false });
    const url = peer.url('/feedback');
    const organisationId = await createOrganisation(db);
    const added = await cli.trust.add('test', privateCa.certPem, { organisationId }, CLI);
    assert.ok(added.ok);
    assert.ok((await deliverUntil(third.services, url, organisationId, true)) < 5_000);
    relay.freeze();
    assert.ok(await cli.trust.remove(added.value.id, CLI));
    // The removal's notification never arrives; the listener's heartbeat goes unanswered, so the roots
    // are read again at every call (3 heartbeats of a second) instead of trusted until a restart.
    assert.ok((await deliverUntil(third.services, url, organisationId, false)) < 4_500);
  });
});
