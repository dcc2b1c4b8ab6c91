import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex } from '../../src/kernel/crypto.ts';
import { buildTestApp } from '../support/app.ts';
import { secondInstance } from '../support/instances.ts';
import { failedSignIns, openSignIn, postSignIn } from '../support/signin.ts';
import { Browser, createAdmin, createOrganisation, createReferent, PASSWORD } from '../support/subscriptions.ts';

// Issue 10 item 14: "Change password" for administrators (back office) and referents (portal):
// current + new + confirm, the set-up rules, CSRF, throttled like sign-in, audited without secrets;
// on success every session of the person ends, on every instance, and this browser gets a new one.

const MAX = 3;
const first = await buildTestApp({ env: { VARCO_SIGNIN_MAX_FAILURES: String(MAX) } });
const { app, services } = first;
const other = await secondInstance(first);
const db = first.database.db;
const organisation = await createOrganisation(db, 'Banca Chiavi');
const NEW_PASSWORD = 'quince-lantern-orbit-7731';

async function person(surface: 'admin' | 'portal'): Promise<string> {
  return surface === 'admin' ? (await createAdmin(services)).email : (await createReferent(db, organisation, ['node'])).email;
}

for (const surface of ['admin', 'portal'] as const) {
  test(`${surface}: the menu links to Change password, in English and Italian; the form needs its CSRF token`, async () => {
    const browser = await new Browser(app, surface).signIn(await person(surface));
    assert.match((await browser.get(`/${surface}`)).body, new RegExp(`<a href="/${surface}/password">Change password</a>`));
    const italian = await browser.get(`/${surface}/password?lang=it`);
    assert.equal(italian.statusCode, 200);
    assert.match(italian.body, new RegExp(`<a href="/${surface}/password" aria-current="page">Cambia password</a>`), 'the menu marks the page');
    assert.match(italian.body, /Password attuale/);
    const page = await browser.get(`/${surface}/password`);
    assert.match(page.body, new RegExp(`<form method="post" action="/${surface}/password">\\s*<input type="hidden" name="_csrf"`));
    const forged = await app.inject({
      method: 'POST',
      url: `/${surface}/password`,
      headers: { cookie: browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ current: PASSWORD, next: NEW_PASSWORD, confirm: NEW_PASSWORD }).toString(),
    });
    assert.equal(forged.statusCode, 403);
    const anonymous = await app.inject({ method: 'GET', url: `/${surface}/password` });
    assert.equal(anonymous.statusCode, 303, 'signed-in only');
  });

  test(`${surface}: a wrong current password or a new password breaking the rules changes nothing`, async () => {
    const email = await person(surface);
    const browser = await new Browser(app, surface).signIn(email);
    const wrong = await browser.post(`/${surface}/password`, { current: 'not-my-password-at-all', next: NEW_PASSWORD, confirm: NEW_PASSWORD });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /The current password is not correct\./);
    for (const [next, confirm, message] of [
      ['short-one', 'short-one', /at least 12 characters/],
      [NEW_PASSWORD, `${NEW_PASSWORD}x`, /The two passwords differ/],
      ['password1234', 'password1234', /too common/],
    ] as const) {
      const refused = await browser.post(`/${surface}/password`, { current: PASSWORD, next, confirm });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, message);
    }
    assert.equal((await browser.get(`/${surface}`)).statusCode, 200, 'still signed in');
    await new Browser(app, surface).signIn(email); // the old password still signs in
  });

  test(`${surface}: a changed password ends every other session, on every instance; this browser gets a new session`, async () => {
    const email = await person(surface);
    const here = await new Browser(app, surface).signIn(email);
    const elsewhere = await new Browser(app, surface).signIn(email);
    const onOtherInstance = await new Browser(other.app, surface).signIn(email);
    const bystander = await new Browser(app, surface).signIn(await person(surface));
    const oldToken = here.jar.cookies.get(`varco_${surface}`)!;

    const changed = await here.post(`/${surface}/password`, { current: PASSWORD, next: NEW_PASSWORD, confirm: NEW_PASSWORD });
    assert.equal(changed.statusCode, 303);
    assert.equal(changed.headers.location, `/${surface}/password?changed=1`);
    const newToken = here.jar.cookies.get(`varco_${surface}`)!;
    assert.notEqual(newToken, oldToken, 'a fresh session');
    const notice = await here.get(String(changed.headers.location));
    assert.equal(notice.statusCode, 200);
    assert.match(notice.body, /Your password is changed/);

    const replay = await app.inject({ method: 'GET', url: `/${surface}`, headers: { cookie: `varco_${surface}=${oldToken}` } });
    assert.equal(replay.statusCode, 303, 'the old session of this browser ended');
    assert.equal((await elsewhere.get(`/${surface}`)).headers.location, `/${surface}/sign-in`, 'another session ended');
    assert.equal((await onOtherInstance.get(`/${surface}`)).headers.location, `/${surface}/sign-in`, 'a session used through another instance ended');
    assert.equal((await bystander.get(`/${surface}`)).statusCode, 200, "another person's session is untouched");
    assert.equal(await db.selectFrom('sessions').select('id').where('token_hash', '=', sha256Hex(oldToken)).executeTakeFirst(), undefined);

    const old = await postSignIn(app, surface, await openSignIn(app, surface), email, PASSWORD);
    assert.equal(old.statusCode, 401, 'the old password no longer signs in');
    await new Browser(app, surface).signIn(email, NEW_PASSWORD);

    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'password.changed').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual(audit.details, { surface, sessionsEnded: 3 });
    assert.equal(audit.ip, '127.0.0.1');
    const text = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute());
    for (const secret of [PASSWORD, NEW_PASSWORD, 'not-my-password-at-all']) assert.equal(text.includes(secret), false, 'no password in the audit log');
  });

  test(`${surface}: guesses at the current password are throttled with sign-in's limit, which they share`, async () => {
    const email = await person(surface);
    const browser = await new Browser(app, surface).signIn(email);
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        browser.post(`/${surface}/password`, { current: `guess-number-${i}-wrong`, next: NEW_PASSWORD, confirm: NEW_PASSWORD }),
      ),
    );
    const checked = guesses.filter((g) => g.statusCode === 400).length;
    assert.equal(checked, MAX, `${checked} guesses were checked`);
    const locked = guesses.filter((g) => g.statusCode === 429);
    assert.equal(locked.length, 10 - MAX);
    assert.ok(locked.every((g) => Number(g.headers['retry-after']) > 0));
    const right = await browser.post(`/${surface}/password`, { current: PASSWORD, next: NEW_PASSWORD, confirm: NEW_PASSWORD });
    assert.equal(right.statusCode, 429, 'the right current password is refused while locked');
    assert.match(right.body, /Too many failed attempts/);
    assert.equal(
      (await postSignIn(app, surface, await openSignIn(app, surface, '192.0.2.50'), email, PASSWORD, { remoteAddress: '192.0.2.50' })).statusCode,
      429,
      'sign-in of the account is locked too',
    );
    assert.equal((await failedSignIns(db, email)).length, 0);
    const failures = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'password.change_failed')
      .where('actor_id', 'in', db.selectFrom('users').select('id').where('email', '=', email))
      .execute();
    assert.equal(failures.length, MAX, 'each checked guess is audited');
  });
}
