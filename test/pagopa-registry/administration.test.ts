import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { createEmptyDatabase } from '../support/db.ts';
import { createPool, loadMigrations, migrate } from '../../src/db/index.ts';
import { CLI, createReferent, issueKeys } from '../support/subscriptions.ts';
import type { AddPspInput, LinkInput, RegistryOutcome } from '../../src/modules/pagopa-registry/index.ts';
import { auditRows, organisation, referentActor, station } from './support.ts';

// Administration of the registry on real PostgreSQL: what is stored (a password hash only), the
// audit rows, tenancy between organisations, the `node` product gate for referents, and the
// constraints that decide when requests race.

const { services, database } = await buildTestApp();
const db = database.db;
const registry = services.pagopaRegistry;

const pspA = await organisation(db, 'psp', { name: 'Banca A' });
const pspB = await organisation(db, 'technology_partner', { name: 'Partner B' });
const merchant = await organisation(db, 'merchant');
const ecA = await organisation(db, 'creditor_institution', { name: 'Comune A' });
const ecB = await organisation(db, 'creditor_institution', { name: 'Comune B' });
const foreignEc = await organisation(db, 'creditor_institution', { foreign: true });
const refA = referentActor((await createReferent(db, pspA.id, ['node'])).id, pspA.id);
const refB = referentActor((await createReferent(db, pspB.id, ['node'])).id, pspB.id);
const refEcA = referentActor((await createReferent(db, ecA.id, ['node'])).id, ecA.id);
const refEcB = referentActor((await createReferent(db, ecB.id, ['node'])).id, ecB.id);

// Stations for the EC tests, made before the first test (the runner must never find the file idle with tests still to come).

const ecA01 = await station(services, ecA.id, `${ecA.taxCode}_01`);
const ecB01 = await station(services, ecB.id, `${ecB.taxCode}_01`);
await station(services, ecA.id, `${ecA.taxCode}_09`, { approved: false });
const partnerStation = await station(services, pspB.id, '12345678903_01');
const linkInput = (over: Partial<LinkInput> = {}): LinkInput => ({
  organisationId: ecA.id,
  env: 'test',
  stationCode: `${ecA.taxCode}_01`,
  auxDigit: '3',
  segregationCode: '01',
  ...over,
});

const pspInput = (over: Partial<AddPspInput> = {}): AddPspInput => ({
  organisationId: pspA.id,
  env: 'test',
  idPsp: 'BANCA_A',
  idBrokerPsp: 'BRK_A',
  idChannel: 'BRK_A_01',
  password: 'secret-pw1',
  ...over,
});
const problemsOf = <T>(outcome: RegistryOutcome<T>) => (outcome.ok ? [] : outcome.problems);

test('psp add stores the channel password as an argon2id hash only, and audits every change without it', async () => {
  const added = await registry.psps.addPsp(pspInput(), CLI);
  assert.ok(added.ok);
  assert.deepEqual([added.value.pspCreated, added.value.brokerCreated], [true, true]);
  const channel = await db.selectFrom('pagopa_channels').selectAll().where('id', '=', added.value.channelId).executeTakeFirstOrThrow();
  assert.match(channel.password_hash, /^\$argon2id\$v=19\$/);
  assert.doesNotMatch(channel.password_hash, /secret-pw1/);
  // A second channel of the same PSP: same command, the PSP and broker exist.
  const more = await registry.psps.addPsp(pspInput({ idChannel: 'BRK_A_02', password: 'other-pw22' }), CLI);
  assert.ok(more.ok);
  assert.deepEqual([more.value.pspId, more.value.pspCreated, more.value.brokerCreated], [added.value.pspId, false, false]);
  assert.ok((await registry.psps.setChannelPassword(added.value.channelId, { password: 'replaced-9', passwordConfirm: 'replaced-9' }, refA)).ok);
  assert.deepEqual(
    (await auditRows(db, added.value.pspId)).map((r) => r.action),
    ['pagopa.psp.created'],
  );
  const channelAudit = await auditRows(db, added.value.channelId);
  assert.deepEqual(
    channelAudit.map((r) => [r.action, r.actor_type]),
    [
      ['pagopa.channel.added', 'cli'],
      ['pagopa.channel.password_replaced', 'referent'],
    ],
  );
  const everything = JSON.stringify(await db.selectFrom('audit_log').select('details').execute());
  for (const secret of ['secret-pw1', 'other-pw22', 'replaced-9', '$argon2']) assert.ok(!everything.includes(secret), secret);
  // Lists never carry hashes.
  assert.ok(!JSON.stringify(await registry.psps.listPsps({ organisationId: pspA.id })).includes('argon2'));
  // The database itself refuses anything but an argon2id hash.
  await assert.rejects(
    db.updateTable('pagopa_channels').set({ password_hash: 'plain-text' }).where('id', '=', added.value.channelId).execute(),
    /pagopa_channels_password_hash_check/,
  );
});

test('psp add refuses bad input and organisations that cannot own PSP records, each with its reason', async () => {
  assert.deepEqual(
    problemsOf(
      await registry.psps.addPsp(pspInput({ env: 'staging', idPsp: 'has space', idBrokerPsp: '', idChannel: 'x'.repeat(36), password: 'short' }), CLI),
    ),
    ['environment_invalid', 'id_psp_invalid', 'id_broker_psp_invalid', 'id_channel_invalid', 'password_invalid'],
  );
  assert.deepEqual(problemsOf(await registry.psps.addPsp(pspInput({ password: 'pwdpwdpwd', passwordConfirm: 'pwdpwdpwe' }), CLI)), ['password_mismatch']);
  assert.deepEqual(problemsOf(await registry.psps.addPsp(pspInput({ organisationId: merchant.id }), CLI)), ['organisation_not_psp']);
  assert.deepEqual(problemsOf(await registry.psps.addPsp(pspInput({ organisationId: ecA.id }), CLI)), ['organisation_not_psp']);
  assert.deepEqual(problemsOf(await registry.psps.addPsp(pspInput({ organisationId: 'org_nope' }), CLI)), ['organisation_not_found']);
});

test('referents need their organisation\u2019s node subscription in the environment, and act for it only', async () => {
  const input = pspInput({ organisationId: pspB.id, idPsp: 'PARTNER_PSP', idBrokerPsp: 'BRK_B', idChannel: 'BRK_B_01' });
  assert.deepEqual(problemsOf(await registry.psps.addPsp(input, refB)), ['node_subscription_required']);
  await issueKeys(services, pspB.id, 'ecommerce', 'test');
  assert.deepEqual(problemsOf(await registry.psps.addPsp(input, refB)), ['node_subscription_required'], 'another product does not count');
  await issueKeys(services, pspB.id, 'node', 'prod');
  assert.deepEqual(problemsOf(await registry.psps.addPsp(input, refB)), ['node_subscription_required'], 'nor does another environment');
  await issueKeys(services, pspB.id, 'node', 'test');
  assert.ok((await registry.psps.addPsp(input, refB)).ok);
  await assert.rejects(registry.psps.addPsp(pspInput({ idPsp: 'X1', idBrokerPsp: 'X1', idChannel: 'X1' }), refB), /their own organisation only/);
});

test('tenancy: another organisation\u2019s ids cannot be taken, seen or changed', async () => {
  const a = await registry.psps.addPsp(pspInput({ idPsp: 'BANCA_A2', idChannel: 'BRK_A_03' }), CLI);
  assert.ok(a.ok);
  const asB = (over: Partial<AddPspInput>) =>
    registry.psps.addPsp(pspInput({ organisationId: pspB.id, idPsp: 'B_PSP', idBrokerPsp: 'BRK_B', idChannel: 'B_NEW', ...over }), refB);
  assert.deepEqual(problemsOf(await asB({ idPsp: 'BANCA_A' })), ['psp_taken']);
  assert.deepEqual(problemsOf(await asB({ idBrokerPsp: 'BRK_A' })), ['broker_taken']);
  assert.deepEqual(problemsOf(await asB({ idChannel: 'BRK_A_01' })), ['channel_taken']);
  assert.deepEqual(problemsOf(await registry.psps.addPsp(pspInput({ idBrokerPsp: 'BRK_A_OTHER', idChannel: 'BRK_A_09' }), CLI)), ['broker_mismatch']);
  assert.equal(await db.selectFrom('pagopa_psps').select('id').where('id_psp', '=', 'B_PSP').executeTakeFirst(), undefined, 'a refusal leaves nothing behind');
  assert.equal(await db.selectFrom('pagopa_psp_brokers').select('id_broker_psp').where('id_broker_psp', '=', 'BRK_A_OTHER').executeTakeFirst(), undefined);
  // B's referent cannot toggle or re-password A's records: they are simply not found.
  assert.deepEqual(problemsOf(await registry.psps.setPspEnabled(a.value.pspId, false, refB)), ['not_found']);
  assert.deepEqual(problemsOf(await registry.psps.setChannelEnabled(a.value.channelId, false, refB)), ['not_found']);
  assert.deepEqual(problemsOf(await registry.psps.setBrokerEnabled('test', 'BRK_A', false, refB)), ['not_found']);
  assert.deepEqual(problemsOf(await registry.psps.setChannelPassword(a.value.channelId, { password: 'hijacked-1' }, refB)), ['not_found']);
  assert.ok((await db.selectFrom('pagopa_psps').select('enabled').where('id', '=', a.value.pspId).executeTakeFirstOrThrow()).enabled);
  const listed = await registry.psps.listPsps({ organisationId: pspB.id });
  assert.ok(listed.psps.every((p) => p.organisation_id === pspB.id) && listed.brokers.every((b) => b.organisation_id === pspB.id));
  // A's referent can.
  assert.equal((await registry.psps.setChannelEnabled(a.value.channelId, false, refA)).ok, true);
  assert.deepEqual(
    (await auditRows(db, a.value.channelId)).map((r) => r.action),
    ['pagopa.channel.added', 'pagopa.channel.disabled'],
  );
});

test('concurrency: the same idPSP claimed by two organisations at once has one owner; one channel id, one channel', async () => {
  const claims = Array.from({ length: 8 }, (_, i) =>
    registry.psps.addPsp(
      pspInput({ organisationId: i % 2 ? pspA.id : pspB.id, idPsp: 'RACE_PSP', idBrokerPsp: i % 2 ? 'RACE_BRK_A' : 'RACE_BRK_B', idChannel: `RACE_CH_${i}` }),
      CLI,
    ),
  );
  const outcomes = await Promise.all(claims);
  const owner = await db.selectFrom('pagopa_psps').select('organisation_id').where('id_psp', '=', 'RACE_PSP').execute();
  assert.equal(owner.length, 1);
  const winners = outcomes.filter((o, i) => (i % 2 ? pspA.id : pspB.id) === owner[0]?.organisation_id);
  const losers = outcomes.filter((o, i) => (i % 2 ? pspA.id : pspB.id) !== owner[0]?.organisation_id);
  assert.ok(
    winners.every((o) => o.ok),
    'every claim of the owner succeeds',
  );
  assert.ok(
    losers.every((o) => !o.ok && o.problem === 'psp_taken'),
    JSON.stringify(losers),
  );
  const sameChannel = await Promise.all(Array.from({ length: 6 }, () => registry.psps.addPsp(pspInput({ idChannel: 'RACE_ONE' }), CLI)));
  assert.equal(sameChannel.filter((o) => o.ok).length, 1);
  assert.ok(sameChannel.every((o) => o.ok || o.problem === 'channel_taken'));
  assert.equal((await db.selectFrom('pagopa_channels').select('id').where('id_channel', '=', 'RACE_ONE').execute()).length, 1);
});

test('an EC links its own approved station (station codes like 12345678903_01 included); the EC record is made on the way', async () => {
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput(), refEcA)), ['node_subscription_required']);
  await issueKeys(services, ecA.id, 'node', 'test');
  const linked = await registry.ecs.link(linkInput({ stationCode: `${ecA.taxCode}_01`.toLowerCase() }), refEcA);
  assert.ok(linked.ok);
  assert.equal(linked.value.ecCreated, true);
  const rows = await auditRows(db, linked.value.linkId);
  assert.deepEqual(
    rows.map((r) => r.action),
    ['pagopa.ec_link.added'],
  );
  assert.deepEqual(rows[0]?.details, {
    environment: 'test',
    stationId: ecA01,
    stationCode: `${ecA.taxCode}_01`,
    stationOrganisationId: ecA.id,
    otherOrganisationStation: false,
    auxDigit: 3,
    segregationCode: '01',
    applicationCode: null,
    primitiveVersion: 1,
  });
  assert.deepEqual(
    (await auditRows(db, `${ecA.id}:test`)).map((r) => r.action),
    ['pagopa.ec.created'],
  );
  const again = await registry.ecs.link(linkInput({ auxDigit: '1', segregationCode: '' }), refEcA);
  assert.ok(again.ok && !again.value.ecCreated);
});

test('links refuse other organisations\u2019 stations (explicit for administrators), unapproved stations and bad keys', async () => {
  assert.deepEqual(
    problemsOf(await registry.ecs.link(linkInput({ stationCode: `${ecB.taxCode}_01`, segregationCode: '02' }), refEcA)),
    ['station_not_found'],
    'a referent is not told that another organisation\u2019s station exists',
  );
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput({ stationCode: 'NOPE_01', segregationCode: '02' }), refEcA)), ['station_not_found']);
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput({ stationCode: '12345678903_01', segregationCode: '02' }), CLI)), [
    'station_other_organisation',
  ]);
  assert.deepEqual(
    problemsOf(await registry.ecs.link(linkInput({ stationCode: '12345678903_01', segregationCode: '02' }), refEcA, { otherOrganisationStation: true })),
    ['station_not_found'],
    'a referent cannot claim the administrators\u2019 permission',
  );
  const broker = await registry.ecs.link(linkInput({ stationCode: '12345678903_01', segregationCode: '02' }), CLI, { otherOrganisationStation: true });
  assert.ok(broker.ok);
  const [row] = await auditRows(db, broker.value.linkId);
  assert.equal((row?.details as { otherOrganisationStation: boolean; stationOrganisationId: string }).otherOrganisationStation, true);
  assert.equal((row?.details as { stationOrganisationId: string }).stationOrganisationId, pspB.id);
  assert.equal(
    (await db.selectFrom('pagopa_ec_links').select('station_id').where('id', '=', broker.value.linkId).executeTakeFirstOrThrow()).station_id,
    partnerStation,
  );
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput({ stationCode: `${ecA.taxCode}_09`, segregationCode: '03' }), refEcA)), [
    'station_not_approved',
  ]);
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput({ auxDigit: '0', segregationCode: '' }), refEcA)), ['application_code_required']);
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput({ version: '3', segregationCode: '04' }), refEcA)), ['version_invalid']);
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput({ env: 'prod' }), CLI)), ['station_not_found'], 'the station is a test station');
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput({ organisationId: pspA.id }), CLI)), ['organisation_not_ec']);
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput({ organisationId: foreignEc.id }), CLI)), ['ec_fiscal_code_invalid']);
  assert.deepEqual(problemsOf(await registry.ecs.link(linkInput(), refEcA)), ['route_taken']);
});

test('concurrency: one route, many links at once: exactly one is made', async () => {
  const outcomes = await Promise.all(Array.from({ length: 8 }, () => registry.ecs.link(linkInput({ segregationCode: '55' }), CLI)));
  assert.equal(outcomes.filter((o) => o.ok).length, 1);
  assert.ok(outcomes.every((o) => o.ok || o.problem === 'route_taken'));
  assert.equal(
    (await db.selectFrom('pagopa_ec_links').select('id').where('organisation_id', '=', ecA.id).where('segregation_code', '=', '55').execute()).length,
    1,
  );
  // The database holds the rule whatever the code does.
  await assert.rejects(
    db
      .insertInto('pagopa_ec_links')
      .values({
        id: 'ecl_manual',
        organisation_id: ecA.id,
        environment: 'test',
        station_id: ecA01,
        aux_digit: 3,
        segregation_code: '55',
        application_code: null,
        primitive_version: 1,
      })
      .execute(),
    /pagopa_ec_links_route/,
  );
  await assert.rejects(
    db
      .insertInto('pagopa_ec_links')
      .values({
        id: 'ecl_manual',
        organisation_id: ecA.id,
        environment: 'test',
        station_id: ecA01,
        aux_digit: 1,
        segregation_code: '56',
        application_code: null,
        primitive_version: 1,
      })
      .execute(),
    /check/,
    'a code with aux 1',
  );
  await db
    .insertInto('pagopa_ecs')
    .values({ organisation_id: ecA.id, environment: 'prod' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await assert.rejects(
    db
      .insertInto('pagopa_ec_links')
      .values({
        id: 'ecl_manual',
        organisation_id: ecA.id,
        environment: 'prod',
        station_id: ecA01,
        aux_digit: 2,
        segregation_code: null,
        application_code: null,
        primitive_version: 1,
      })
      .execute(),
    // The composite foreign key to the stations' (id, environment) key (migration 0022) refuses it.
    { code: '23503', constraint: 'pagopa_ec_links_station_environment', detail: /\(station_id, environment\)=\([^,]+, prod\)/ },
    'a test station in a prod link',
  );
  await assert.rejects(
    db.updateTable('pagopa_ec_links').set({ environment: 'prod' }).where('organisation_id', '=', ecA.id).where('segregation_code', '=', '55').execute(),
    { code: '23503', constraint: 'pagopa_ec_links_station_environment' },
    'a test link moved to prod keeps its test station',
  );
});

test('EC and link enable flags, and removing a link, only for the EC\u2019s own referents', async () => {
  await issueKeys(services, ecB.id, 'node', 'test');
  const linkB = await registry.ecs.link({ organisationId: ecB.id, env: 'test', stationCode: `${ecB.taxCode}_01`, auxDigit: '2' }, refEcB);
  assert.ok(linkB.ok);
  assert.deepEqual(problemsOf(await registry.ecs.setLinkEnabled(linkB.value.linkId, false, refEcA)), ['not_found']);
  assert.deepEqual(problemsOf(await registry.ecs.removeLink(linkB.value.linkId, refEcA)), ['not_found']);
  assert.deepEqual(problemsOf(await registry.ecs.setEcEnabled(ecB.id, 'test', false, refEcA)), ['not_found']);
  assert.ok((await db.selectFrom('pagopa_ec_links').select('enabled').where('id', '=', linkB.value.linkId).executeTakeFirstOrThrow()).enabled);
  assert.equal((await registry.ecs.setLinkEnabled(linkB.value.linkId, false, refEcB)).ok, true);
  assert.equal((await registry.ecs.setEcEnabled(ecB.id, 'test', false, refEcB)).ok, true);
  assert.equal((await registry.ecs.removeLink(linkB.value.linkId, refEcB)).ok, true);
  assert.deepEqual(
    (await auditRows(db, linkB.value.linkId)).map((r) => r.action),
    ['pagopa.ec_link.added', 'pagopa.ec_link.disabled', 'pagopa.ec_link.removed'],
  );
  assert.deepEqual(
    (await auditRows(db, `${ecB.id}:test`)).map((r) => r.action),
    ['pagopa.ec.created', 'pagopa.ec.disabled'],
  );
  const mine = await registry.ecs.listEcs({ organisationId: ecA.id });
  assert.ok(mine.links.length > 0 && mine.links.every((l) => l.organisation_id === ecA.id));
  assert.ok(mine.links.some((l) => l.station_id === ecA01) && !mine.links.some((l) => l.station_id === ecB01));
});

test('an administrator\u2019s switch-off sticks: racing the referent\u2019s switch-on, through a new channel, link or EC registration', async () => {
  const org = await organisation(db, 'psp', { name: 'Banca Corsa' });
  const ref = referentActor((await createReferent(db, org.id, ['node'])).id, org.id);
  await issueKeys(services, org.id, 'node', 'test');
  const added = await registry.psps.addPsp(pspInput({ organisationId: org.id, idPsp: 'CORSA', idBrokerPsp: 'CORSA_BRK', idChannel: 'CORSA_01' }), ref);
  assert.ok(added.ok);
  const pspState = () => db.selectFrom('pagopa_psps').select(['enabled', 'disabled_by']).where('id', '=', added.value.pspId).executeTakeFirstOrThrow();
  // The referent switches it on while an administrator switches it off: whichever runs first, it ends off by the administrator.
  for (let round = 0; round < 10; round++) {
    assert.ok((await registry.psps.setPspEnabled(added.value.pspId, false, ref)).ok);
    const [byReferent, byAdministrator] = await Promise.all([
      registry.psps.setPspEnabled(added.value.pspId, true, ref),
      registry.psps.setPspEnabled(added.value.pspId, false, CLI),
    ]);
    assert.ok(byAdministrator.ok);
    assert.ok(byReferent.ok || byReferent.problem === 'disabled_by_administrator');
    assert.deepEqual(await pspState(), { enabled: false, disabled_by: 'administrator' }, `round ${round}`);
    assert.ok((await registry.psps.setPspEnabled(added.value.pspId, true, CLI)).ok);
  }
  // A channel added to a PSP the administrator switched off leaves the PSP off.
  assert.ok((await registry.psps.setPspEnabled(added.value.pspId, false, CLI)).ok);
  assert.ok((await registry.psps.addPsp(pspInput({ organisationId: org.id, idPsp: 'CORSA', idBrokerPsp: 'CORSA_BRK', idChannel: 'CORSA_02' }), ref)).ok);
  assert.deepEqual(await pspState(), { enabled: false, disabled_by: 'administrator' });
  // An EC the administrator switched off stays off when registered again or linked.
  await issueKeys(services, ecA.id, 'node', 'test');
  assert.ok((await registry.ecs.addEc(ecA.id, 'test', refEcA)).ok);
  assert.ok((await registry.ecs.setEcEnabled(ecA.id, 'test', false, CLI)).ok);
  assert.ok((await registry.ecs.addEc(ecA.id, 'test', refEcA)).ok);
  assert.ok((await registry.ecs.link(linkInput({ segregationCode: '88' }), refEcA)).ok);
  const ec = () => db.selectFrom('pagopa_ecs').select(['enabled', 'disabled_by']).where('organisation_id', '=', ecA.id).where('environment', '=', 'test');
  assert.deepEqual(await ec().executeTakeFirstOrThrow(), { enabled: false, disabled_by: 'administrator' });
  assert.deepEqual(problemsOf(await registry.ecs.setEcEnabled(ecA.id, 'test', true, refEcA)), ['disabled_by_administrator']);
  assert.ok((await registry.ecs.setEcEnabled(ecA.id, 'test', true, CLI)).ok);
  // The database keeps the flag and who switched it off together (the PSP is off by the administrator).
  for (const set of [{ enabled: true }, { disabled_by: null }]) {
    await assert.rejects(db.updateTable('pagopa_psps').set(set).where('id', '=', added.value.pspId).execute(), {
      constraint: 'pagopa_psps_disabled_by_when_off',
    });
  }
});

test('upgrading: records off before the switch remembered who switched them off take the side of their last disable audit row', async () => {
  const version = (await loadMigrations()).find((m) => m.name === 'pagopa_registry_disabled_by')?.version ?? 0;
  const { url } = await createEmptyDatabase();
  const pool = createPool(url, 2);
  try {
    await migrate(pool, { target: version - 1 });
    const q = (text: string, values: unknown[] = []) => pool.query(text, values);
    await q(
      "INSERT INTO organisations (id, name, tax_code, tax_code_kind, type, contact_email) VALUES ('org_up', 'Up', '12345678903', 'it', 'psp', 'up@org.test')",
    );
    await q("INSERT INTO pagopa_psp_brokers (environment, id_broker_psp, organisation_id, enabled) VALUES ('test', 'UP_BRK', 'org_up', false)");
    for (const [id, enabled] of [
      ['psp_by_referent', false],
      ['psp_by_admin', false],
      ['psp_unaudited', false],
      ['psp_on', true],
    ] as const) {
      await q("INSERT INTO pagopa_psps (id, organisation_id, environment, id_psp, id_broker_psp, enabled) VALUES ($1, 'org_up', 'test', $1, 'UP_BRK', $2)", [
        id,
        enabled,
      ]);
    }
    const audited = (actor: string, action: string, subjectType: string, subjectId: string, n: number) =>
      q(
        "INSERT INTO audit_log (id, at, actor_type, action, subject_type, subject_id, organisation_id, prev_hash, hash, scheme) VALUES ($1, now(), $2, $3, $4, $5, 'org_up', 'x', 'x', 'sha256')",
        [`aud_up_${n}`, actor, action, subjectType, subjectId],
      );
    await audited('admin', 'pagopa.psp.disabled', 'pagopa_psp', 'psp_by_referent', 1);
    await audited('admin', 'pagopa.psp.enabled', 'pagopa_psp', 'psp_by_referent', 2);
    await audited('referent', 'pagopa.psp.disabled', 'pagopa_psp', 'psp_by_referent', 3);
    await audited('referent', 'pagopa.psp.disabled', 'pagopa_psp', 'psp_by_admin', 4);
    await audited('cli', 'pagopa.psp.disabled', 'pagopa_psp', 'psp_by_admin', 5);
    await audited('referent', 'pagopa.broker.disabled', 'pagopa_broker', 'test:UP_BRK', 6);
    await migrate(pool);
    const psps = await q('SELECT id, disabled_by FROM pagopa_psps ORDER BY id');
    assert.deepEqual(psps.rows, [
      { id: 'psp_by_admin', disabled_by: 'administrator' },
      { id: 'psp_by_referent', disabled_by: 'organisation' },
      { id: 'psp_on', disabled_by: null },
      { id: 'psp_unaudited', disabled_by: 'administrator' },
    ]);
    assert.deepEqual((await q('SELECT disabled_by FROM pagopa_psp_brokers')).rows, [{ disabled_by: 'organisation' }]);
  } finally {
    await pool.end();
  }
});
