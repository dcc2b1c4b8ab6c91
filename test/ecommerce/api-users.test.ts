import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestApp } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createMerchant } from '../support/ecommerce.ts';
import { Browser, createReferent, CLI } from '../support/subscriptions.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { verifyPassword } from '../../src/modules/identity/index.ts';
import { createApiUsersService } from '../../src/modules/merchants/index.ts';

// API users (DirectLink's USERID + PSWD), as a referent and an operator manage them: created per
// PSPID and environment in the portal (it/en, CSRF, the organisation's own merchant only) and with
// `varco merchant api-user`, stored as argon2id hashes, audited by USERID, never by password.

const t = await buildTestApp();
const { app, services, database } = t;
const db = database.db;
const m = await createMerchant(t, { pspid: 'ApiShop' });
const referent = await createReferent(db, m.organisationId, ['ecommerce'], 'it');
const portal = await new Browser(app, 'portal').signIn(referent.email);
const other = await createMerchant(t, { pspid: 'OtherShop' });
const stranger = await new Browser(app, 'portal').signIn((await createReferent(db, other.organisationId, ['ecommerce'])).email);
const dir = await mkdtemp(join(tmpdir(), 'varco-api-users-'));
after(() => rm(dir, { recursive: true, force: true }));

const PASSWORD = 'Directlink-pass-2026!';
const NEW_PASSWORD = 'Directlink-pass-2027?';
const page = `/portal/merchants/${m.merchantId}/api-users`;
const auditRows = () => db.selectFrom('audit_log').selectAll().where('action', 'like', 'merchant.api_user%').orderBy('id').execute();

test('a referent creates an API user in Italian; the password is checked, stored only as argon2id, and authenticates', async () => {
  const empty = await portal.get(page);
  assert.equal(empty.statusCode, 200);
  assert.match(empty.body, /Utenti API/);
  assert.match(empty.body, /Ancora nessun utente API/);

  const weak = await portal.post(page, { env: 'test', userid: 'shop-api', password: 'short', confirm: 'short' });
  assert.equal(weak.statusCode, 400);
  assert.match(weak.body, /Password: almeno 12 caratteri/);
  assert.doesNotMatch(weak.body, /value="short"/, 'the password is not written back');
  const differ = await portal.post(page, { env: 'test', userid: 'shop-api', password: PASSWORD, confirm: `${PASSWORD}x` });
  assert.match(differ.body, /le due password sono diverse/);
  const badId = await portal.post(page, { env: 'test', userid: 'a b', password: PASSWORD, confirm: PASSWORD });
  assert.match(badId.body, /USERID: da 2 a 50/);
  const noPspid = await portal.post(page, { env: 'prod', userid: 'shop-api', password: PASSWORD, confirm: PASSWORD });
  assert.equal(noPspid.statusCode, 400, 'no PSPID in prod: its subscription is not approved there');

  const created = await portal.post(page, { env: 'test', userid: 'shop-api', password: PASSWORD, confirm: PASSWORD });
  assert.equal(created.statusCode, 200, created.body.slice(0, 300));
  assert.match(created.body, /Utente API shop-api creato/);
  assert.match(created.body, /data-api-user="shop-api"/);
  assert.ok(!created.body.includes(PASSWORD));
  // Dates as on every other page (views/format.ts, Italian here): `6 dic 2026, 22:20 UTC`, not `2026-12-06 22:20 UTC`.
  const createdAt = /data-api-user="shop-api"><td[^>]*>[^<]*<\/td><td[^>]*><code>shop-api<\/code><\/td><td[^>]*>([^<]+)<\/td>/.exec(created.body)?.[1];
  assert.match(createdAt ?? '', /^\d{1,2} [a-z]{3} \d{4}, \d{2}:\d{2} UTC$/);

  const row = await db.selectFrom('merchant_api_users').selectAll().where('merchant_id', '=', m.merchantId).executeTakeFirstOrThrow();
  assert.match(row.password_hash, /^\$argon2id\$/);
  assert.equal(row.environment, 'test');
  assert.ok(await services.apiUsers.authenticate(m.merchantId, 'test', 'SHOP-API', PASSWORD), 'the USERID is matched in any case');
  assert.equal(await services.apiUsers.authenticate(m.merchantId, 'test', 'shop-api', NEW_PASSWORD), undefined);
  assert.equal(await services.apiUsers.authenticate(m.merchantId, 'prod', 'shop-api', PASSWORD), undefined, 'another environment');
  assert.equal(await services.apiUsers.authenticate(other.merchantId, 'test', 'shop-api', PASSWORD), undefined, 'another merchant');
});

test('without the CSRF token nothing is created; another organisation gets 404 for the page, the form and the remove button', async () => {
  const forged = await app.inject({
    method: 'POST',
    url: page,
    headers: { cookie: portal.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ env: 'test', userid: 'forged', password: PASSWORD, confirm: PASSWORD }).toString(),
  });
  assert.equal(forged.statusCode, 403);
  assert.equal((await stranger.get(page)).statusCode, 404);
  assert.equal((await stranger.post(page, { env: 'test', userid: 'intruder', password: PASSWORD, confirm: PASSWORD })).statusCode, 404);
  const [user] = await services.apiUsers.list(m.merchantId);
  assert.ok(user);
  assert.equal((await stranger.post(`/portal/merchants/${other.merchantId}/api-users/${user.id}/remove`)).statusCode, 404, 'not its merchant’s user');
  assert.equal((await stranger.post(`${page}/${user.id}/remove`)).statusCode, 404);
  const users = await db.selectFrom('merchant_api_users').select('userid').where('disabled_at', 'is', null).execute();
  assert.deepEqual(
    users.map((u) => u.userid),
    ['shop-api'],
  );
});

test('varco merchant api-user creates a user from a password file, then changes its password; the old one stops working', async () => {
  const file = join(dir, 'pw.txt');
  await writeFile(file, `${PASSWORD}\n`);
  const env = { DATABASE_URL: database.url, VARCO_DATA_DIR: dir, VARCO_LOG_LEVEL: 'warn', VARCO_MASTER_KEY: t.masterKey.toString('base64') };
  const args = ['merchant', 'api-user', '--org', m.organisationId, '--pspid', 'apishop', '--env', 'test', '--userid', 'batch', '--password-file', file];
  const first = await runCliInProcess(args, env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /API user batch created for ApiShop \(test\)/);
  await writeFile(file, `${NEW_PASSWORD}\n`);
  const second = await runCliInProcess([...args, '--json'], env);
  assert.equal(second.code, 0, second.stderr);
  assert.equal((JSON.parse(second.stdout) as { created: boolean }).created, false);
  assert.equal(await services.apiUsers.authenticate(m.merchantId, 'test', 'batch', PASSWORD), undefined);
  assert.ok(await services.apiUsers.authenticate(m.merchantId, 'test', 'batch', NEW_PASSWORD));
  for (const run of [first, second]) assert.ok(!`${run.stdout}${run.stderr}`.includes('Directlink-pass'), 'the password is never printed');

  const wrongPspid = await runCliInProcess(
    ['merchant', 'api-user', '--org', m.organisationId, '--pspid', 'OtherShop', '--env', 'test', '--userid', 'x1', '--password-file', file],
    env,
  );
  assert.equal(wrongPspid.code, 64);
  assert.match(wrongPspid.stderr, /holds no PSPID OtherShop in test/);
  await writeFile(file, 'password\n');
  const common = await runCliInProcess(args, env);
  assert.equal(common.code, 64);
  assert.match(common.stderr, /at least 12 characters|too common/);
});

test('removing an API user refuses it at once; every change is audited by USERID, no password in the audit log or the logs', async () => {
  const [user] = (await services.apiUsers.list(m.merchantId)).filter((u) => u.userid === 'shop-api');
  assert.ok(user);
  const removed = await portal.post(`${page}/${user.id}/remove`);
  assert.equal(removed.statusCode, 303);
  const after = await portal.get(String(removed.headers.location));
  assert.match(after.body, /è stato rimosso/);
  assert.doesNotMatch(after.body, /data-api-user="shop-api"/);
  assert.equal(await services.apiUsers.authenticate(m.merchantId, 'test', 'shop-api', PASSWORD), undefined);
  // The USERID may be created again.
  assert.ok(
    (await services.apiUsers.save({ merchantId: m.merchantId, env: 'test', userid: 'shop-api', password: NEW_PASSWORD }, { type: 'cli', id: null, ip: null }))
      .ok,
  );

  const rows = await auditRows();
  assert.deepEqual(
    rows.map((r) => r.action),
    ['merchant.api_user_created', 'merchant.api_user_created', 'merchant.api_user_password_changed', 'merchant.api_user_disabled', 'merchant.api_user_created'],
  );
  assert.equal(rows[0]?.actor_type, 'referent');
  assert.equal(rows[1]?.actor_type, 'cli');
  const text = JSON.stringify(rows);
  for (const secret of [PASSWORD, NEW_PASSWORD]) {
    assert.ok(!text.includes(secret), 'no password in the audit rows');
    assert.ok(!t.rawLogs().includes(secret), 'no password in the logs');
  }
  assert.match(text, /"userid":"shop-api"/);
});

test('an unknown USERID is answered from the verdict cache when tried again, as a known USERID’s wrong password is: no timing tells which exist', async () => {
  // The argon2 runs counted, not milliseconds: a cached verdict runs none.
  let runs = 0;
  const counting = (hash: string | null, password: string) => (runs++, verifyPassword(hash, password));
  const service = createApiUsersService({ db, clock: systemClock, audit: t.audit, verifyPassword: counting });
  assert.ok((await service.save({ merchantId: m.merchantId, env: 'test', userid: 'timing-api', password: PASSWORD }, CLI)).ok);
  const attempt = async (userid: string, password: string) => {
    const before = runs;
    const user = await service.authenticate(m.merchantId, 'test', userid, password);
    return { user: user?.userid, runs: runs - before };
  };
  const WRONG = 'Wrong-password-2026!';
  assert.deepEqual(await attempt('timing-api', WRONG), { user: undefined, runs: 1 }, 'a known USERID, a wrong password: one argon2 run');
  assert.deepEqual(await attempt('timing-api', WRONG), { user: undefined, runs: 0 }, '…then its verdict');
  assert.deepEqual(await attempt('no-such-api', WRONG), { user: undefined, runs: 1 }, 'an unknown USERID: one argon2 run too');
  assert.deepEqual(await attempt('NO-SUCH-API', WRONG), { user: undefined, runs: 0 }, '…then its verdict, in any case, as a known one');
  assert.deepEqual(await attempt('no-such-api', 'Another-guess-2026!'), { user: undefined, runs: 1 }, 'another password is another run');
  // The USERID created since: its own hash decides, the remembered refusal does not answer for it.
  assert.ok((await service.save({ merchantId: m.merchantId, env: 'test', userid: 'no-such-api', password: WRONG }, CLI)).ok);
  assert.deepEqual(await attempt('no-such-api', WRONG), { user: 'no-such-api', runs: 1 });
});
