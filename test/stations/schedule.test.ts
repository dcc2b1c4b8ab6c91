import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { daysFromNow, makeCa, makeLeaf, startPeer, type Peer } from '../support/tls-peers.ts';
import { fixedClock, systemClock } from '../../src/kernel/clock.ts';
import { createExpiryWarnings, createStationScheduler, type StationActor } from '../../src/modules/stations/index.ts';
import { endpoint, mailsTo } from './support.ts';

// The workers' schedule: due stations are re-verified by whichever instance holds the advisory
// lock, and certificate expiry warnings go out 30, 14 and 7 days before, once each.

const { services, database } = await buildTestApp();
const { stations, trust, verification, platformCertificates, certificateExpiry } = services;
const db = database.db;
const admin = await createAdmin(services);
const CLI: StationActor = { type: 'cli', id: null, ip: null };
const org = await createOrganisation(db, 'Banca Orario');
const referent = await createReferent(db, org, ['node'], 'it');
const root = await makeCa({ name: 'Schedule Root' });
assert.ok((await trust.add('test', root.certPem, { organisationId: org }, CLI)).ok);
const varcoClientCa = (await platformCertificates.downloads('test')).caPem;
const logger = { info: () => undefined, warn: () => undefined };

async function station(code: string, notAfterDays = 365): Promise<{ id: string; peer: Peer }> {
  const leaf = await makeLeaf({ issuer: root, commonName: 'localhost', altNames: ['localhost'], notAfter: daysFromNow(notAfterDays) });
  const peer = await startPeer({ leaf, clientCas: [varcoClientCa] });
  const created = await stations.register(org, 'test', { code, primary: endpoint(peer.url('/node'), peer.host, peer.port) }, CLI);
  assert.ok(created.ok);
  assert.ok((await stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
  return { id: created.value.id, peer };
}

test('a tick verifies approved stations whose last check is older than the interval, only under the lock', async () => {
  const a = await station('SCH_01');
  const scheduler = createStationScheduler({ db, clock: systemClock, verification, expiry: certificateExpiry, intervalMinutes: 60, logger });
  // Another instance holds the lock: this one skips the tick.
  const held = await db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(hashtext('varco.stations.schedule'))`.execute(connection);
    try {
      return await scheduler.tick();
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext('varco.stations.schedule'))`.execute(connection);
    }
  });
  assert.deepEqual(held, { ran: false, verified: [], expiryRan: false, warnings: [] });
  assert.equal(a.peer.requests.length, 0);

  const first = await scheduler.tick();
  assert.equal(first.ran, true);
  assert.deepEqual(first.verified, ['test/SCH_01:failing'], 'outbound passes; no inbound ping yet');
  assert.equal(first.expiryRan, true);
  assert.equal(a.peer.requests.length, 1);
  const check = await db.selectFrom('station_checks').select('trigger').where('station_id', '=', a.id).executeTakeFirstOrThrow();
  assert.equal(check.trigger, 'schedule');

  // Checked a moment ago: not due again within the interval.
  const second = await scheduler.tick();
  assert.deepEqual(second.verified, []);
  assert.equal(second.expiryRan, false, 'expiry warnings run once a day');
  // An hour later it is.
  await db
    .updateTable('stations')
    .set({ last_check_at: new Date(Date.now() - 61 * 60_000) })
    .where('id', '=', a.id)
    .execute();
  assert.deepEqual((await scheduler.tick()).verified, ['test/SCH_01:failing']);
});

test('the scheduler runs from start() until stop()', async () => {
  const b = await station('SCH_02');
  const scheduler = createStationScheduler({ db, clock: systemClock, verification, expiry: certificateExpiry, intervalMinutes: 60, logger, tickMs: 50 });
  scheduler.start();
  for (let i = 0; i < 100 && b.peer.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  await scheduler.stop();
  assert.equal(b.peer.requests.length, 1);
});

test('a server certificate seen by the last check gets its expiry warning once, at the most urgent threshold reached', async () => {
  const c = await station('SCH_03', 10);
  assert.ok((await verification.verify(c.id, 'cli')).ok);
  const first = await certificateExpiry.run();
  assert.equal(first.sent.length, 1);
  assert.match(first.sent[0] ?? '', /^server:.*:14$/);
  const mails = await mailsTo(db, { template: 'certificate_expiring', to: referent.email });
  assert.equal(mails.length, 1);
  assert.equal(mails[0]?.locale, 'it');
  assert.equal(mails[0]?.params.stationCode, 'SCH_03');
  assert.match(mails[0]?.params.daysLeft ?? '', /^(9|10)$/);
  assert.deepEqual(await certificateExpiry.run(), { sent: [] }, 'sent once');
});

test('platform client certificates: administrators are warned 30 days before they expire', async () => {
  const platform = await platformCertificates.expiring();
  const notAfter = platform[0]?.info.notAfter ?? new Date();
  const later = createExpiryWarnings({
    db,
    clock: fixedClock(new Date(notAfter.getTime() - 20 * 24 * 3600_000)),
    publicUrl: 'https://varco.test',
    platformCertificates: platformCertificates.expiring,
  });
  const run = await later.run();
  assert.deepEqual(
    run.sent.filter((s) => s.startsWith('platform:')).map((s) => s.split(':').at(-1)),
    ['30', '30'],
  );
  const mails = (await mailsTo(db, { template: 'certificate_expiring', to: admin.email })).filter((m) => m.params.stationCode === '');
  assert.deepEqual(mails.map((m) => m.params.environment).sort(), ['prod', 'test']);
  assert.match(mails[0]?.params.certificateName ?? '', /^varco-platform-client-/);
  assert.equal((await later.run()).sent.filter((s) => s.startsWith('platform:')).length, 0);
});

test('the HTTPS server certificate and the platform CAs are watched too', async () => {
  const watched = await platformCertificates.expiring();
  assert.equal(watched.length, 5, 'client and CA of test and prod, and the server certificate');
  const server = watched.find((w) => /CN=localhost/.test(w.info.subject));
  assert.ok(server);
  const soon = createExpiryWarnings({
    db,
    clock: fixedClock(new Date(server.info.notAfter.getTime() - 10 * 24 * 3600_000)),
    publicUrl: 'https://varco.test',
    platformCertificates: platformCertificates.expiring,
  });
  const run = await soon.run();
  assert.deepEqual(
    run.sent.filter((s) => s.startsWith('platform:')),
    [`platform:${server.info.fingerprintSha256}:14`],
  );
});
