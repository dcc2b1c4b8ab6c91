import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { Browser, createAdmin, createOrganisation, createReferent, PASSWORD } from '../support/subscriptions.ts';
import { csrfFrom } from '../support/cookies.ts';
import { hashPassword } from '../../src/modules/identity/index.ts';
import { newId } from '../../src/kernel/ids.ts';
import { approvedProd, namedAdmin, subscriptionToApprove } from '../proposals/support.ts';

// A referent who left, an administrator who must no longer act: the back office disables a referent
// from their organisation's page, the CLI disables anyone by e-mail. Disabled, the account's sessions
// end at once and it signs in nowhere; enabled again, its password works. Audited with who did it; the
// last enabled administrator cannot be disabled; the back office route touches referents only.

const { app, services, database, config, masterKey } = await buildTestApp({ env: { VARCO_FOUR_EYES: 'true' } });
const db = database.db;
const idOf = async (email: string): Promise<string> => (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
const admin = await createAdmin(services);
const adminId = await idOf(admin.email);
const backOffice = await new Browser(app, 'admin').signIn(admin.email);
const org = await createOrganisation(db, 'Banca Uscente');
const referent = await createReferent(db, org, ['node'], 'it');
const cliEnv = { DATABASE_URL: database.url, VARCO_DATA_DIR: config.dataDir, VARCO_MASTER_KEY: masterKey.toString('base64'), VARCO_LOG_LEVEL: 'warn' };

async function signInStatus(surface: 'portal' | 'admin', email: string): Promise<number> {
  const browser = new Browser(app, surface);
  const form = await browser.get(`/${surface}/sign-in`);
  const res = await app.inject({
    method: 'POST',
    url: `/${surface}/sign-in`,
    headers: { cookie: browser.jar.header() },
    payload: { email, password: PASSWORD, _csrf: csrfFrom(form.body) },
  });
  return res.statusCode;
}

const audits = (userId: string) =>
  db
    .selectFrom('audit_log')
    .select(['action', 'actor_type', 'actor_id'])
    .where('subject_id', '=', userId)
    .where('action', 'in', ['user.disabled', 'user.enabled'])
    .orderBy('seq')
    .execute();

test('the back office disables a referent: their open session ends at once, they cannot sign in; enabled again, they can', async () => {
  const portal = await new Browser(app, 'portal').signIn(referent.email);
  assert.equal((await portal.get('/portal')).statusCode, 200);
  const page = await backOffice.get(`/admin/organisations/${org}`);
  assert.match(page.body, new RegExp(`<form method="post" action="/admin/users/${referent.id}/disable"`));

  const disabled = await backOffice.post(`/admin/users/${referent.id}/disable`);
  assert.equal(disabled.statusCode, 303);
  const after = await backOffice.get(String(disabled.headers.location));
  assert.match(after.body, new RegExp(`${referent.email} is disabled`));
  assert.match(after.body, /disabled since .*: cannot sign in/);
  assert.match(after.body, new RegExp(`action="/admin/users/${referent.id}/enable"`));
  assert.notEqual((await portal.get('/portal')).statusCode, 200, 'the open session ended');
  assert.notEqual(await signInStatus('portal', referent.email), 303, 'no new sign-in');

  assert.equal((await backOffice.post(`/admin/users/${referent.id}/enable`)).statusCode, 303);
  assert.equal(await signInStatus('portal', referent.email), 303, 'the password works again');
  assert.deepEqual(
    (await audits(referent.id)).map((r) => [r.action, r.actor_type, r.actor_id]),
    [
      ['user.disabled', 'admin', adminId],
      ['user.enabled', 'admin', adminId],
    ],
  );
});

test('the back office route changes referents only: an administrator\u2019s id is a 404 and nothing changes; a URL names no one', async () => {
  const other = await createAdmin(services);
  const otherId = await idOf(other.email);
  assert.equal((await backOffice.post(`/admin/users/${otherId}/disable`)).statusCode, 404);
  assert.equal(await signInStatus('admin', other.email), 303, 'still enabled');
  assert.equal((await backOffice.post('/admin/users/usr_00000000000000000000000000/disable')).statusCode, 404);
  // Malformed and oversized ids are refused as input, never a 500.
  for (const bad of ['not-an-id', `usr_${'x'.repeat(500)}`, '%00']) {
    const status = (await backOffice.post(`/admin/users/${bad}/disable`)).statusCode;
    assert.ok(status === 400 || status === 404, `${bad.slice(0, 20)}: ${status}`);
  }
  // The notice comes from the organisation's own referents: another id in the URL shows nothing.
  assert.doesNotMatch((await backOffice.get(`/admin/organisations/${org}?disabled=${otherId}`)).body, /is disabled/);
});

test('the CLI disables and enables by e-mail, administrators too, but never the last enabled administrator', async () => {
  const second = await createAdmin(services);
  const off = await runCliInProcess(['user', 'disable', second.email], cliEnv);
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stdout, /\(admin\) is disabled/);
  assert.notEqual(await signInStatus('admin', second.email), 303);
  assert.match((await runCliInProcess(['user', 'disable', second.email], cliEnv)).stdout, /was already disabled/);
  assert.equal((await runCliInProcess(['user', 'enable', second.email], cliEnv)).code, 0);
  assert.equal(await signInStatus('admin', second.email), 303);
  assert.deepEqual(
    (await audits(await idOf(second.email))).map((r) => [r.action, r.actor_type]),
    [
      ['user.disabled', 'cli'],
      ['user.enabled', 'cli'],
    ],
  );

  // Every administrator but one disabled: that one cannot be.
  const admins = await db.selectFrom('users').select(['id', 'email']).where('kind', '=', 'admin').where('disabled_at', 'is', null).execute();
  const [keep, ...rest] = admins;
  assert.ok(keep);
  for (const a of rest) assert.equal((await runCliInProcess(['user', 'disable', a.email], cliEnv)).code, 0);
  const last = await runCliInProcess(['user', 'disable', keep.email], cliEnv);
  assert.equal(last.code, 64);
  assert.match(last.stderr, /last enabled administrator/);
  assert.equal((await runCliInProcess(['user', 'disable', 'nobody@varco.test'], cliEnv)).code, 64);
  for (const a of rest) await runCliInProcess(['user', 'enable', a.email], cliEnv);
});

test('e-mails match whatever their case; an address shared by an administrator and a referent needs --kind', async () => {
  const email = `Mixed.Case-${Date.now()}@Example.TEST`;
  const id = newId('usr');
  await db
    .insertInto('users')
    .values({ id, kind: 'admin', email, password_hash: await hashPassword(PASSWORD), locale: 'en' })
    .execute();
  const off = await runCliInProcess(['user', 'disable', email.toLowerCase(), '--json'], cliEnv);
  assert.equal(off.code, 0, off.stderr);
  assert.equal((JSON.parse(off.stdout) as { userId: string }).userId, id);
  assert.equal((await runCliInProcess(['user', 'enable', email.toUpperCase()], cliEnv)).code, 0);

  const shared = `shared-${Date.now()}@example.test`;
  await db
    .insertInto('users')
    .values({ id: newId('usr'), kind: 'admin', email: shared, password_hash: await hashPassword(PASSWORD), locale: 'en' })
    .execute();
  const sharedReferent = newId('usr');
  await db
    .insertInto('users')
    .values({ id: sharedReferent, kind: 'referent', email: shared, password_hash: await hashPassword(PASSWORD), locale: 'en', organisation_id: org })
    .execute();
  const ambiguous = await runCliInProcess(['user', 'disable', shared], cliEnv);
  assert.equal(ambiguous.code, 64);
  assert.match(ambiguous.stderr, /--kind/);
  const referentOff = await runCliInProcess(['user', 'disable', shared, '--kind', 'referent', '--json'], cliEnv);
  assert.equal(referentOff.code, 0, referentOff.stderr);
  assert.equal((JSON.parse(referentOff.stdout) as { userId: string }).userId, sharedReferent, 'the referent, not the administrator');
  assert.equal(await signInStatus('admin', shared), 303, 'the administrator with that address still signs in');
});

test('a disabled administrator\u2019s pending proposals end with the account: nobody can approve them afterwards', async () => {
  const proposer = await namedAdmin(services, db);
  const approver = await namedAdmin(services, db);
  const sub = await subscriptionToApprove(services, db, org, 'prod');
  const gated = await services.proposals.gate({ kind: 'subscription.approve', params: { subscriptionId: sub, comment: '' } }, proposer);
  assert.ok(gated.proposed);
  assert.equal((await runCliInProcess(['user', 'disable', proposer.email], { ...cliEnv, VARCO_FOUR_EYES: 'true' })).code, 0);
  assert.equal((await services.proposals.get(gated.proposal.id))?.state, 'expired');
  const approved = await services.proposals.approve(gated.proposal.id, approver);
  assert.ok(!approved.ok, 'refused');
  assert.equal((await services.subscriptions.get(sub))?.state, 'submitted', 'nothing approved');
  const trail = await db.selectFrom('audit_log').select(['action', 'details']).where('subject_id', '=', gated.proposal.id).orderBy('seq').execute();
  assert.deepEqual(
    trail.map((r) => r.action),
    ['proposal.proposed', 'proposal.expired'],
  );
  assert.equal((trail[1]?.details as { reason?: string }).reason, 'proposer_disabled');
});

test('a disabled referent\u2019s pending key regeneration ends with the account, like an administrator\u2019s proposals', async () => {
  const keys = await approvedProd(services, db, org);
  const leaver = await createReferent(db, org, ['node']);
  const gated = await services.proposals.gate(
    { kind: 'api_key.regenerate', params: { subscriptionId: keys.id, organisationId: org, slot: 'primary', overlapHours: 0 } },
    { type: 'referent', id: leaver.id, email: leaver.email, ip: null },
  );
  assert.ok(gated.proposed && gated.created);
  // A browser of its own: an earlier test disables (and enables) every administrator but one, ending their sessions.
  const off = await (await new Browser(app, 'admin').signIn((await createAdmin(services)).email)).post(`/admin/users/${leaver.id}/disable`);
  assert.equal(off.statusCode, 303, off.body.slice(0, 2000));
  assert.equal((await services.proposals.get(gated.proposal.id))?.state, 'expired');
  const approved = await services.proposals.approve(gated.proposal.id, await namedAdmin(services, db));
  assert.deepEqual(approved, { ok: false, reason: 'expired' }, 'nobody approves it afterwards');
  const trail = await db.selectFrom('audit_log').select(['action', 'details']).where('subject_id', '=', gated.proposal.id).orderBy('seq').execute();
  assert.deepEqual(
    trail.map((r) => [r.action, (r.details as { reason?: string }).reason]),
    [
      ['proposal.proposed', undefined],
      ['proposal.expired', 'proposer_disabled'],
    ],
  );
});
