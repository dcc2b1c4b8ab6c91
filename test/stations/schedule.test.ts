import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { daysFromNow, makeCa, makeLeaf, startPeer, type Peer } from '../support/tls-peers.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { CERTIFICATE_EXPIRY_JOB, createExpiryWarnings, STATION_REVERIFY_JOB, stationJobs, type StationActor } from '../../src/modules/stations/index.ts';
import { createJobRunner, type JobOutcome } from '../../src/app/jobs.ts';
import { claimJob, finishJob } from '../../src/db/index.ts';
import { endpoint, mailsTo } from './support.ts';

// The workers' schedule (src/app/jobs.ts): due stations are re-verified by whichever instance holds
// the job's lease, and certificate expiry warnings go out 30, 14 and 7 days before, once each.

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

/** The workers' scheduler with the stations' jobs only, on a clock `offset` ms ahead of real time. */
function scheduler(owner: string, clock: { offset: number }, tickMs?: number) {
  return createJobRunner({
    db,
    clock: { now: () => new Date(Date.now() + clock.offset) },
    logger,
    owner,
    jobs: stationJobs({ db, verification, expiry: certificateExpiry, intervalMinutes: 60, logger }),
    ...(tickMs === undefined ? {} : { tickMs }),
  });
}
const reverified = (outcomes: JobOutcome[]) => outcomes.find((o) => o.name === STATION_REVERIFY_JOB);

test("the scheduler re-verifies approved stations whose last check is older than the interval, only under the job's lease", async () => {
  const a = await station('SCH_01');
  const clock = { offset: 0 };
  const runner = scheduler('this-instance', clock);
  // Another instance holds the re-verification's lease: this one skips it.
  assert.ok(await claimJob(db, { name: STATION_REVERIFY_JOB, owner: 'other-instance', now: new Date(), leaseMs: 60_000 }));
  const held = await runner.runDue();
  assert.equal(reverified(held)?.ran, false);
  assert.equal(held.find((o) => o.name === CERTIFICATE_EXPIRY_JOB)?.ran, true, 'the other job is not held: it runs');
  assert.equal(a.peer.requests.length, 0);
  assert.ok(await finishJob(db, { name: STATION_REVERIFY_JOB, owner: 'other-instance', now: new Date(), nextRunAt: new Date(), error: null, report: null }));

  clock.offset = 1_000;
  const first = await runner.runDue();
  assert.deepEqual(reverified(first), { name: STATION_REVERIFY_JOB, ran: true, report: { verified: 1, failed: 0 } }, 'outbound passes; no inbound ping yet');
  assert.equal(first.find((o) => o.name === CERTIFICATE_EXPIRY_JOB)?.ran, false, 'expiry warnings run once a day');
  assert.equal(a.peer.requests.length, 1);
  const check = await db.selectFrom('station_checks').select(['trigger', 'ok']).where('station_id', '=', a.id).executeTakeFirstOrThrow();
  assert.deepEqual(check, { trigger: 'schedule', ok: false }, 'no inbound ping yet: the check is not a pass');

  // Within its minute the job is not run again, by this instance or another.
  assert.equal(reverified(await runner.runDue())?.ran, false);
  assert.equal(reverified(await scheduler('another-instance', clock).runDue())?.ran, false);
  // Two minutes later it runs, but the station was checked within the interval: nothing to do.
  clock.offset = 2 * 60_000;
  const second = await runner.runDue();
  assert.deepEqual(reverified(second)?.report, { verified: 0, failed: 0 });
  assert.equal(second.find((o) => o.name === CERTIFICATE_EXPIRY_JOB)?.ran, false, 'expiry warnings run once a day');
  // An hour after the check it is due again, whichever instance runs the job.
  clock.offset = 62 * 60_000;
  assert.deepEqual(reverified(await scheduler('another-instance', clock).runDue())?.report, { verified: 1, failed: 0 });
  assert.equal(a.peer.requests.length, 2);
});

test('the scheduler runs the stations jobs from start() until stop()', async () => {
  const b = await station('SCH_02');
  const runner = scheduler('started-instance', { offset: 3 * 60 * 60_000 }, 50);
  runner.start();
  for (let i = 0; i < 100 && b.peer.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  await runner.stop();
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

test("a certificate two organisations' stations serve (one hosting provider) warns each organisation, once each", async () => {
  const hostingRoot = await makeCa({ name: 'Hosting Root' });
  const leaf = await makeLeaf({ issuer: hostingRoot, commonName: 'a.hosting.test', altNames: ['a.hosting.test', 'b.hosting.test'], notAfter: daysFromNow(10) });
  const peer = await startPeer({ leaf, clientCas: [varcoClientCa] });
  const told: string[] = [];
  for (const [name, host] of [
    ['Comune A', 'a.hosting.test'],
    ['Comune B', 'b.hosting.test'],
  ] as const) {
    const hosted = await createOrganisation(db, `${name} Orario`);
    told.push((await createReferent(db, hosted, ['node'], 'en')).email);
    assert.ok((await trust.add('test', hostingRoot.certPem, { organisationId: hosted }, CLI)).ok);
    const created = await stations.register(
      hosted,
      'test',
      { code: `HOST_${name.slice(-1)}`, primary: endpoint(`https://${host}:${peer.port}/node`, peer.host, peer.port) },
      CLI,
    );
    assert.ok(created.ok, JSON.stringify(created));
    assert.ok((await stations.reviewStation(created.value.id, 'approve', '', CLI)).ok);
    assert.ok((await verification.verify(created.value.id, 'cli')).ok);
  }
  const fingerprint = leaf.fingerprint256;
  const run = await certificateExpiry.run();
  assert.deepEqual(
    run.sent.filter((s) => s.includes(fingerprint)),
    [`server:${fingerprint}:14`, `server:${fingerprint}:14`],
    'one warning per organisation',
  );
  const counts = await Promise.all(told.map(async (email) => (await mailsTo(db, { template: 'certificate_expiring', to: email })).length));
  assert.deepEqual(counts, [1, 1], 'each organisation\u2019s referent is told');
  assert.deepEqual(
    (await certificateExpiry.run()).sent.filter((s) => s.includes(fingerprint)),
    [],
    'sent once to each',
  );
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
