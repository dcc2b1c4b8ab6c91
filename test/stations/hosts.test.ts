import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';
import { auditActions, endpoint } from './support.ts';

// A station host (the FQDN of a primary or secondary URL) belongs to one organisation per
// environment: another organisation registering it could have Varco call the first one's service,
// with Varco's client certificate, on its own behalf. Only an administrator's explicit decision
// (back office or CLI, audited) lets two organisations share a host.

const { app, services, database } = await buildTestApp();
const { stations } = services;
const db = database.db;
const admin = await createAdmin(services);
const adminRow = await db.selectFrom('users').select('id').where('email', '=', admin.email).executeTakeFirstOrThrow();
const ADMIN: StationActor = { type: 'admin', id: adminRow.id, ip: null };
const CLI: StationActor = { type: 'cli', id: null, ip: null };
const [orgA, orgB, orgC] = [
  await createOrganisation(db, 'Banca Host A'),
  await createOrganisation(db, 'Banca Host B'),
  await createOrganisation(db, 'Banca Host C'),
];
const [refA, refB] = [await createReferent(db, orgA, ['node']), await createReferent(db, orgB, ['node'], 'it')];
const asA: StationActor = { type: 'referent', id: refA.id, ip: null, organisationId: orgA };
const asB: StationActor = { type: 'referent', id: refB.id, ip: null, organisationId: orgB };
const refC = await createReferent(db, orgC, ['node']);
const asC: StationActor = { type: 'referent', id: refC.id, ip: null, organisationId: orgC };
// Public addresses; nothing in this file connects to them.
const at = (host: string, ip = '93.184.215.30') => endpoint(`https://${host}/node`, ip, 443);
const problemsOf = (outcome: { ok: boolean; problems?: unknown }) => (outcome.ok ? [] : outcome.problems);

test('another organisation cannot register a host already registered in the environment, as primary or secondary, whatever its case', async () => {
  const a = await stations.register(orgA, 'test', { code: 'HOST_A1', primary: at('pa.host-a.example'), secondary: at('dr.host-a.example') }, asA);
  assert.ok(a.ok);
  const b = await stations.register(orgB, 'test', { code: 'HOST_B1', primary: at('PA.Host-A.example.'), secondary: at('dr.host-a.example') }, asB);
  assert.deepEqual(problemsOf(b), [
    { field: 'primary', problem: 'host_taken' },
    { field: 'secondary', problem: 'host_taken' },
  ]);
  assert.deepEqual(
    problemsOf(await stations.register(orgB, 'test', { code: 'HOST_B1', primary: at('other.host-b.example'), secondary: at('pa.host-a.example') }, asB)),
    [{ field: 'secondary', problem: 'host_taken' }],
  );
  assert.equal((await db.selectFrom('stations').select('id').where('organisation_id', '=', orgB).execute()).length, 0, 'nothing was saved');
  // The same organisation may use its host again; another environment is another namespace.
  assert.ok((await stations.register(orgA, 'test', { code: 'HOST_A2', primary: at('pa.host-a.example') }, asA)).ok);
  assert.ok((await stations.register(orgB, 'prod', { code: 'HOST_B2', primary: at('pa.host-a.example') }, asB)).ok);
});

test('an edit cannot take another organisation\u2019s host either; an approved host stays taken while a change is reviewed; a superseded one is free', async () => {
  const a = await stations.register(orgA, 'test', { code: 'HOST_A3', primary: at('old.host-a.example') }, asA);
  assert.ok(a.ok);
  assert.ok((await stations.reviewStation(a.value.id, 'approve', '', ADMIN)).ok);
  const b = await stations.register(orgB, 'test', { code: 'HOST_B3', primary: at('b3.host-b.example') }, asB);
  assert.ok(b.ok);
  assert.deepEqual(problemsOf(await stations.edit(b.value.id, { primary: at('old.host-a.example') }, asB)), [{ field: 'primary', problem: 'host_taken' }]);
  assert.ok((await stations.edit(a.value.id, { primary: at('new.host-a.example') }, asA)).ok);
  assert.deepEqual(
    problemsOf(await stations.edit(b.value.id, { primary: at('old.host-a.example') }, asB)),
    [{ field: 'primary', problem: 'host_taken' }],
    'the approved version still serves at the old host',
  );
  assert.ok((await stations.reviewStation(a.value.id, 'approve', '', ADMIN)).ok);
  assert.ok((await stations.edit(b.value.id, { primary: at('old.host-a.example') }, asB)).ok, 'the old host was superseded');
  assert.deepEqual(
    problemsOf(await stations.edit(a.value.id, { primary: at('old.host-a.example') }, asA)),
    [{ field: 'primary', problem: 'host_taken' }],
    'and is B\u2019s now',
  );
});

test('an administrator allows sharing: at registration (CLI flag) or on an existing station; referents cannot; each decision is audited', async () => {
  const a = await stations.register(orgA, 'test', { code: 'HOST_A4', primary: at('shared.host-a.example') }, asA);
  assert.ok(a.ok);
  // A referent's claim is ignored.
  assert.deepEqual(
    problemsOf(await stations.register(orgB, 'test', { code: 'HOST_B4', primary: at('shared.host-a.example') }, asB, { allowSharedHost: true })),
    [{ field: 'primary', problem: 'host_taken' }],
  );
  await assert.rejects(stations.allowSharedHost(a.value.id, true, asA), { code: 'forbidden' });
  // The operator registers B's station with the permission.
  const byCli = await stations.register(orgB, 'test', { code: 'HOST_B4', primary: at('shared.host-a.example') }, CLI, { allowSharedHost: true });
  assert.ok(byCli.ok);
  const registered = await db
    .selectFrom('audit_log')
    .select('details')
    .where('subject_id', '=', byCli.value.id)
    .where('action', '=', 'station.registered')
    .executeTakeFirstOrThrow();
  assert.equal((registered.details as { sharedHostAllowed?: boolean }).sharedHostAllowed, true);
  // C is still refused: B's permission covers B's station, and A's station never was shared.
  const c = await stations.register(orgC, 'test', { code: 'HOST_C4', primary: at('shared.host-a.example') }, asC);
  assert.deepEqual(problemsOf(c), [{ field: 'primary', problem: 'host_taken' }]);
  // An administrator shares A's station's hosts: every station holding the host is now shared, so C may join.
  assert.equal(await stations.allowSharedHost(a.value.id, true, ADMIN), true);
  const joined = await stations.register(orgC, 'test', { code: 'HOST_C4', primary: at('shared.host-a.example') }, asC);
  assert.ok(joined.ok, JSON.stringify(joined));
  // Revoking applies to the next change: C's next version naming the host is refused again.
  assert.equal(await stations.allowSharedHost(a.value.id, false, ADMIN), true);
  assert.deepEqual(problemsOf(await stations.edit(joined.value.id, { primary: at('shared.host-a.example') }, asC)), [
    { field: 'primary', problem: 'host_taken' },
  ]);
  assert.deepEqual(await auditActions(db, a.value.id), ['station.registered', 'station.shared_host_allowed', 'station.shared_host_revoked']);
  assert.equal(await stations.allowSharedHost('sta_nope', true, ADMIN), false);
});

test('two organisations submitting the same new host at the same moment: exactly one gets it', async () => {
  for (let round = 0; round < 5; round++) {
    const host = `race${round}.example`;
    const outcomes = await Promise.all([
      stations.register(orgA, 'test', { code: `RACE_A${round}`, primary: at(host) }, asA),
      stations.register(orgB, 'test', { code: `RACE_B${round}`, primary: at(host) }, asB),
    ]);
    assert.equal(outcomes.filter((o) => o.ok).length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
    assert.deepEqual(outcomes.flatMap(problemsOf), [{ field: 'primary', problem: 'host_taken' }]);
  }
});

test('the portal says so beside the field, in the referent\u2019s language; the back office decides with one button', async () => {
  const portalB = await new Browser(app, 'portal').signIn(refB.email);
  const a = await stations.register(orgA, 'test', { code: 'HOST_A5', primary: at('portal.host-a.example') }, asA);
  assert.ok(a.ok);
  const form = {
    code: 'HOST_B5',
    environment: 'test',
    primaryUrl: 'https://portal.host-a.example/node',
    primaryIp: '93.184.215.31',
    primaryPort: '443',
    secondaryUrl: '',
    secondaryIp: '',
    secondaryPort: '',
  };
  const refused = await portalB.post('/portal/stations', form);
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /Un\u2019altra organizzazione ha registrato una stazione su questo host/);
  const backOffice = await new Browser(app, 'admin').signIn(admin.email);
  const page = await backOffice.get(`/admin/stations/${a.value.id}`);
  assert.match(page.body, /data-shared-host="refused"/);
  assert.equal((await backOffice.post(`/admin/stations/${a.value.id}/shared-host`, { sharedHostAllowed: '1' })).statusCode, 303);
  assert.match((await backOffice.get(`/admin/stations/${a.value.id}`)).body, /data-shared-host="allowed"/);
  assert.equal((await portalB.post('/portal/stations', form)).statusCode, 303, 'allowed now');
  assert.equal((await backOffice.post('/admin/stations/sta_nope/shared-host', { sharedHostAllowed: '1' })).statusCode, 404);
});
