import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import type { StationActor } from '../../src/modules/stations/index.ts';
import { auditActions, endpoint, mailsTo } from './support.ts';

// Stations through the module's service on a real database: registration, validation, the review
// workflow with its e-mails and audit rows, the approved version serving during a review, and
// organisation scoping. (Address and host rules: destinations.test.ts and hosts.test.ts.)

const { services, database } = await buildTestApp();
const { stations } = services;
const db = database.db;
const admin = await createAdmin(services);
const adminRow = await db.selectFrom('users').select('id').where('email', '=', admin.email).executeTakeFirstOrThrow();
const ADMIN: StationActor = { type: 'admin', id: adminRow.id, ip: '192.0.2.1' };

const orgA = await createOrganisation(db, 'Banca Alfa');
const orgB = await createOrganisation(db, 'Comune Beta');
const refA = await createReferent(db, orgA, ['node'], 'it');
const refB = await createReferent(db, orgB, ['node']);
const asA: StationActor = { type: 'referent', id: refA.id, ip: '198.51.100.7', organisationId: orgA };
const asB: StationActor = { type: 'referent', id: refB.id, ip: '198.51.100.8', organisationId: orgB };

// Public addresses (documentation ranges are refused as destinations); nothing in this file connects to them.
const PRIMARY = endpoint('https://pa.alfa.example/node', '93.184.215.10', 443);
const SECONDARY = endpoint('https://dr.alfa.example:8443/node', '93.184.215.20', 8443);

test('a referent registers a station: version 1 waits for a check, administrators are told, an audit row is written', async () => {
  const result = await stations.register(orgA, 'test', { code: 'ALFA_01', primary: PRIMARY, secondary: SECONDARY }, asA);
  assert.ok(result.ok, JSON.stringify(result));
  const detail = await stations.detail(result.value.id, orgA);
  assert.ok(detail);
  assert.equal(detail.approved, undefined);
  assert.equal(detail.pending?.state, 'to_check');
  assert.equal(detail.pending?.version, 1);
  assert.deepEqual(
    [detail.pending?.primary_url, detail.pending?.primary_ip, detail.pending?.primary_port],
    ['https://pa.alfa.example/node', '93.184.215.10', 443],
  );
  assert.deepEqual([detail.pending?.secondary_url, detail.pending?.secondary_port], ['https://dr.alfa.example:8443/node', 8443]);
  assert.equal(detail.station.connection_state, 'unverified');
  const toAdmin = await mailsTo(db, { template: 'station_submitted', to: admin.email });
  assert.equal(toAdmin.length, 1);
  assert.equal(toAdmin[0]?.params.stationCode, 'ALFA_01');
  assert.match(toAdmin[0]?.params.link ?? '', new RegExp(`/admin/stations/${result.value.id}$`));
  assert.deepEqual(await auditActions(db, result.value.id), ['station.registered']);
});

test('validation names each problem and the field it belongs to', async () => {
  const result = await stations.register(
    orgA,
    'test',
    { code: 'x', primary: endpoint('http://192.0.2.1/node', '999.1.1.1', '70000'), secondary: endpoint('https://dr.example/node', '', '') },
    asA,
  );
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.problems, [
    { field: 'code', problem: 'code_invalid' },
    { field: 'primary', problem: 'url_not_https' },
    { field: 'primary', problem: 'fqdn_is_ip' },
    { field: 'primary', problem: 'ip_invalid' },
    { field: 'primary', problem: 'port_invalid' },
    { field: 'secondary', problem: 'ip_invalid' },
    { field: 'secondary', problem: 'port_invalid' },
  ]);
  // A blank secondary is no secondary.
  const noSecondary = await stations.register(orgA, 'test', { code: 'ALFA_02', primary: PRIMARY, secondary: endpoint('', '', '') }, asA);
  assert.ok(noSecondary.ok);
  assert.equal((await stations.detail(noSecondary.value.id))?.pending?.secondary_url, null);
});

test('station codes are unique per environment, whatever the case', async () => {
  const again = await stations.register(orgB, 'test', { code: 'alfa_01', primary: PRIMARY }, asB);
  assert.deepEqual(again.ok ? undefined : again.problems, [{ field: 'code', problem: 'code_taken' }]);
  const otherEnv = await stations.register(orgA, 'prod', { code: 'ALFA_01', primary: PRIMARY }, asA);
  assert.ok(otherEnv.ok);
});

test('a non-public IP is refused for everyone, administrators and the CLI included: there is no per-station exception', async () => {
  const privateIp = endpoint('https://pa.alfa.example/node', '10.1.2.3', 443);
  for (const [env, actor] of [
    ['prod', asA],
    ['test', asA],
    ['prod', ADMIN],
    ['test', { type: 'cli', id: null, ip: null }],
  ] as const) {
    const refused = await stations.register(orgA, env, { code: `ALFA_P_${env}_${actor.type}`, primary: privateIp }, actor);
    assert.deepEqual(refused.ok ? undefined : refused.problems, [{ field: 'primary', problem: 'ip_not_public' }], `${env} ${actor.type}`);
  }
  const publicOne = await stations.register(orgA, 'prod', { code: 'ALFA_P2', primary: PRIMARY }, asA);
  assert.ok(publicOne.ok);
  const edit = await stations.edit(
    publicOne.value.id,
    { primary: PRIMARY, secondary: endpoint('https://dr.alfa.example/node', '::ffff:10.1.2.3', 443) },
    ADMIN,
  );
  assert.deepEqual(edit.ok ? undefined : edit.problems, [{ field: 'secondary', problem: 'ip_not_public' }]);
  const column = await sql`SELECT column_name FROM information_schema.columns WHERE table_name = 'stations' AND column_name = 'allow_private_ip'`.execute(db);
  assert.deepEqual(column.rows, [], 'the permission column is gone');
});

test('review: changes requested with a note, fixed, approved; the organisation is e-mailed at each decision', async () => {
  const created = await stations.register(orgA, 'test', { code: 'ALFA_R1', primary: PRIMARY }, asA);
  assert.ok(created.ok);
  const id = created.value.id;
  assert.deepEqual(await stations.reviewStation(id, 'request_changes', '  ', ADMIN), { ok: false, reason: 'note_required' });
  assert.ok((await stations.reviewStation(id, 'request_changes', 'The FQDN must be the one in your certificate.', ADMIN)).ok);
  let detail = await stations.detail(id);
  assert.equal(detail?.pending?.state, 'to_fix');
  assert.equal(detail?.pending?.review_note, 'The FQDN must be the one in your certificate.');
  const asked = await mailsTo(db, { template: 'station_changes_requested', to: refA.email });
  assert.equal(asked.length, 1);
  assert.equal(asked[0]?.locale, 'it');
  assert.equal(asked[0]?.params.note, 'The FQDN must be the one in your certificate.');
  assert.equal(asked[0]?.params.organisationName, 'Banca Alfa');
  // A version sent back cannot be approved; the referent submits a new one.
  assert.deepEqual(await stations.reviewStation(id, 'approve', '', ADMIN), { ok: false, reason: 'invalid_state_transition' });
  const fixed = await stations.edit(id, { primary: endpoint('https://node.alfa.example/node', '93.184.215.11', 443) }, asA);
  assert.ok(fixed.ok);
  detail = await stations.detail(id);
  assert.deepEqual(
    detail?.versions.map((v) => [v.version, v.state]),
    [
      [2, 'to_check'],
      [1, 'superseded'],
    ],
  );
  assert.ok((await stations.reviewStation(id, 'approve', '', ADMIN)).ok);
  detail = await stations.detail(id);
  assert.equal(detail?.station.approved_version_id, fixed.value.versionId);
  assert.equal(detail?.approved?.primary_url, 'https://node.alfa.example/node');
  assert.equal(detail?.pending, undefined);
  assert.equal((await mailsTo(db, { template: 'station_approved', to: refA.email })).length, 1);
  assert.deepEqual(await auditActions(db, id), ['station.registered', 'station.changes_requested', 'station.edited', 'station.approved']);
  assert.deepEqual(await stations.reviewStation(id, 'approve', '', ADMIN), { ok: false, reason: 'nothing_to_review' });
});

test('the approved version keeps serving while an edit is under review, until the edit is approved', async () => {
  const created = await stations.register(orgA, 'test', { code: 'ALFA_S1', primary: PRIMARY }, asA);
  assert.ok(created.ok);
  const id = created.value.id;
  assert.ok((await stations.reviewStation(id, 'approve', 'Welcome.', ADMIN)).ok);
  const edit = await stations.edit(id, { primary: endpoint('https://new.alfa.example/node', '93.184.215.12', 443), secondary: SECONDARY }, asA);
  assert.ok(edit.ok);
  let detail = await stations.detail(id);
  assert.equal(detail?.approved?.version, 1);
  assert.equal(detail?.approved?.primary_url, 'https://pa.alfa.example/node');
  assert.equal(detail?.pending?.version, 2);
  assert.deepEqual((await stations.list({ organisationId: orgA })).find((s) => s.id === id)?.pending_state, 'to_check');
  assert.ok((await stations.list({ pendingOnly: true })).some((s) => s.id === id));
  // Asking for changes to the edit leaves the approved version in place too.
  assert.ok((await stations.reviewStation(id, 'request_changes', 'Add the DR port.', ADMIN)).ok);
  detail = await stations.detail(id);
  assert.equal(detail?.approved?.version, 1);
  const again = await stations.edit(id, { primary: endpoint('https://new.alfa.example/node', '93.184.215.12', 443), secondary: SECONDARY }, asA);
  assert.ok(again.ok);
  assert.ok((await stations.reviewStation(id, 'approve', '', ADMIN)).ok);
  detail = await stations.detail(id);
  assert.equal(detail?.approved?.version, 3);
  assert.deepEqual(
    detail?.versions.map((v) => v.state),
    ['approved', 'superseded', 'superseded'],
  );
  assert.equal(detail?.station.connection_state, 'unverified', 'a newly approved endpoint is not verified yet');
});

test('two edits of one station at the same moment, naming different hosts: each is saved, one after the other, never a 500', async () => {
  const created = await stations.register(
    orgA,
    'test',
    { code: 'ALFA_TWICE', primary: endpoint('https://one.twice.alfa.example/node', '93.184.215.30', 443) },
    asA,
  );
  assert.ok(created.ok, JSON.stringify(created));
  for (let round = 0; round < 10; round++) {
    // Different hosts take different host locks: only the station's own lock serialises the two.
    const edits: Array<PromiseSettledResult<Awaited<ReturnType<typeof stations.edit>>>> = await Promise.allSettled([
      stations.edit(created.value.id, { primary: endpoint(`https://a${round}.twice.alfa.example/node`, '93.184.215.31', 443) }, asA),
      stations.edit(created.value.id, { primary: endpoint(`https://b${round}.twice.alfa.example/node`, '93.184.215.32', 443) }, asA),
    ]);
    assert.deepEqual(
      edits.map((e) => (e.status === 'fulfilled' ? e.value.ok : String((e.reason as Error).message).slice(0, 120))),
      [true, true],
      `round ${round}`,
    );
  }
  const versions = await db.selectFrom('station_versions').select(['version', 'state']).where('station_id', '=', created.value.id).orderBy('version').execute();
  assert.deepEqual(
    versions.map((v) => v.version),
    Array.from({ length: 21 }, (_, i) => i + 1),
    'numbered one after the other',
  );
  assert.deepEqual(
    versions.filter((v) => v.state === 'to_check').map((v) => v.version),
    [21],
    'one version waits: the last edit superseded the others',
  );
});

test('another organisation\u2019s station is not found', async () => {
  const created = await stations.register(orgA, 'test', { code: 'ALFA_X1', primary: PRIMARY }, asA);
  assert.ok(created.ok);
  assert.equal(await stations.detail(created.value.id, orgB), undefined);
  const edit = await stations.edit(created.value.id, { primary: PRIMARY }, asB);
  assert.deepEqual(edit.ok ? undefined : edit.problems, [{ field: 'station', problem: 'not_found' }]);
  assert.ok((await stations.list({ organisationId: orgB })).every((s) => s.organisation_id === orgB));
  await assert.rejects(stations.register(orgA, 'test', { code: 'BETA_X1', primary: PRIMARY }, asB), { code: 'forbidden' });
});

test('timeouts are checked and audited', async () => {
  const created = await stations.register(orgA, 'test', { code: 'ALFA_T1', primary: PRIMARY }, asA);
  assert.ok(created.ok);
  await stations.configure(created.value.id, { connectTimeoutMs: 3000, responseTimeoutMs: 15000 }, ADMIN);
  const row = (await stations.detail(created.value.id))?.station;
  assert.deepEqual([row?.connect_timeout_ms, row?.response_timeout_ms], [3000, 15000]);
  await assert.rejects(stations.configure(created.value.id, { connectTimeoutMs: 50 }, ADMIN), { code: 'validation_failed' });
  await assert.rejects(stations.configure(created.value.id, { responseTimeoutMs: Number.NaN }, ADMIN), { code: 'validation_failed' });
});
