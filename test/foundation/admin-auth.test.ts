import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../src/kernel/clock.ts';
import { sha256Hex } from '../../src/kernel/crypto.ts';
import { buildTestApp } from '../support/app.ts';
import { CookieJar, csrfFrom } from '../support/cookies.ts';

// Back-office sign-in as a browser sees it: CSRF on every form, session cookie attributes and
// rotation, hashed tokens at rest, sign-out, throttling with a lock that ends, and audit rows.

const clock = fixedClock(new Date('2026-11-23T10:00:00Z'));
const { app, services, database } = await buildTestApp({ clock, env: { VARCO_SIGNIN_MAX_FAILURES: '3', VARCO_SIGNIN_LOCK_MINUTES: '15' } });
const EMAIL = 'root@example.org';
const PASSWORD = 'plum-harbour-violet-92';
const created = await services.identity.createAdmin({ email: EMAIL, password: PASSWORD, actor: 'cli' });
if (!created.ok) throw new Error(`admin not created: ${created.reason}`);
const adminId = created.value.id;

const form = 'application/x-www-form-urlencoded';

/** A browser: its own cookie jar and client address (throttling counts per address too). */
function browser(ip: string) {
  const jar = new CookieJar();
  const request = async (method: 'GET' | 'POST', url: string, fields?: Record<string, string>): Promise<LightMyRequestResponse> => {
    const response = await app.inject({
      method,
      url,
      remoteAddress: ip,
      headers: { cookie: jar.header(), ...(fields ? { 'content-type': form } : {}) },
      ...(fields ? { payload: new URLSearchParams(fields).toString() } : {}),
    });
    jar.store(response);
    return response;
  };
  const signIn = async (password: string, email = EMAIL): Promise<LightMyRequestResponse> => {
    const page = await request('GET', '/admin/sign-in');
    return request('POST', '/admin/sign-in', { _csrf: csrfFrom(page.body), email, password });
  };
  return { jar, request, signIn };
}

function setCookie(response: LightMyRequestResponse, name: string): string {
  const headers = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const header = headers.find((h) => h.startsWith(`${name}=`));
  assert.ok(header, `no Set-Cookie for ${name}`);
  return header;
}

test('GET /admin without a session redirects to the sign-in page, whose form has a _csrf field', async () => {
  const b = browser('10.0.0.1');
  const home = await b.request('GET', '/admin');
  assert.equal(home.statusCode, 303);
  assert.equal(home.headers.location, '/admin/sign-in');
  const page = await b.request('GET', '/admin/sign-in');
  assert.equal(page.statusCode, 200);
  assert.ok(csrfFrom(page.body).length >= 32);
  assert.match(page.body, /<form method="post" action="\/admin\/sign-in">/);
});

test('a sign-in POST without the form token, or with a wrong one, is refused with 403', async () => {
  const b = browser('10.0.0.2');
  await b.request('GET', '/admin/sign-in');
  const missing = await b.request('POST', '/admin/sign-in', { email: EMAIL, password: PASSWORD });
  assert.equal(missing.statusCode, 403);
  assert.match(missing.body, /csrf_invalid/);
  const wrong = await b.request('POST', '/admin/sign-in', { _csrf: 'A'.repeat(32), email: EMAIL, password: PASSWORD });
  assert.equal(wrong.statusCode, 403);
  assert.equal(
    wrong.cookies.find((c) => c.name === 'varco_admin'),
    undefined,
    'a refused form must not sign in',
  );
  // The token of another browser is no good either: it must match this browser's cookie.
  const other = browser('10.0.0.2');
  const otherToken = csrfFrom((await other.request('GET', '/admin/sign-in')).body);
  assert.equal((await b.request('POST', '/admin/sign-in', { _csrf: otherToken, email: EMAIL, password: PASSWORD })).statusCode, 403);
});

test('a wrong password is a 401 with the error message and no session', async () => {
  const b = browser('10.0.0.3');
  const response = await b.signIn('not-the-password-at-all');
  assert.equal(response.statusCode, 401);
  assert.match(response.body, /E-mail or password is not correct\./);
  assert.equal(b.jar.cookies.has('varco_admin'), false);
  const unknown = await b.signIn(PASSWORD, 'nobody@example.org');
  assert.equal(unknown.statusCode, 401, 'an unknown account gives the same answer');
  assert.match(unknown.body, /E-mail or password is not correct\./);
});

test('the right password signs in with a fresh, HttpOnly, Secure, Lax cookie scoped to /admin; only its hash is stored', async () => {
  const b = browser('10.0.0.4');
  // A token planted before sign-in (session fixation) must not become the session.
  b.jar.cookies.set('varco_admin', 'planted-by-an-attacker');
  const response = await b.signIn(PASSWORD);
  assert.equal(response.statusCode, 303);
  assert.equal(response.headers.location, '/admin');
  const header = setCookie(response, 'varco_admin');
  assert.match(header, /; HttpOnly/i);
  assert.match(header, /; Secure/i);
  assert.match(header, /; SameSite=Lax/i);
  assert.match(header, /; Path=\/admin(;|$)/);

  const token = b.jar.cookies.get('varco_admin')!;
  assert.notEqual(token, 'planted-by-an-attacker');
  assert.ok(token.length >= 43, 'at least 256 bits');
  assert.equal(b.jar.cookies.get('__Host-varco_csrf') === token, false);

  const rows = await database.db.selectFrom('sessions').selectAll().execute();
  assert.ok(
    rows.some((r) => r.token_hash === sha256Hex(token)),
    'the SHA-256 of the token is the key',
  );
  assert.equal(JSON.stringify(rows).includes(token), false, 'the token itself is not stored');

  const home = await b.request('GET', '/admin');
  assert.equal(home.statusCode, 200);
  assert.ok(home.body.includes(`Signed in as ${EMAIL}.`));

  // A second sign-in gets another token (and another session).
  const again = browser('10.0.0.4');
  assert.equal((await again.signIn(PASSWORD)).statusCode, 303);
  assert.notEqual(again.jar.cookies.get('varco_admin'), token);
});

test('sign-out needs the session CSRF token; afterwards the old cookie no longer works', async () => {
  const b = browser('10.0.0.5');
  assert.equal((await b.signIn(PASSWORD)).statusCode, 303);
  const token = b.jar.cookies.get('varco_admin')!;
  const home = await b.request('GET', '/admin');
  const sessionCsrf = csrfFrom(home.body);

  const noToken = await b.request('POST', '/admin/sign-out', {});
  assert.equal(noToken.statusCode, 403);
  // The pre-sign-in token is not the session's token.
  const preToken = b.jar.cookies.get('__Host-varco_csrf')!;
  assert.equal((await b.request('POST', '/admin/sign-out', { _csrf: preToken })).statusCode, 403);
  assert.equal((await b.request('GET', '/admin')).statusCode, 200, 'still signed in after refused sign-outs');

  const out = await b.request('POST', '/admin/sign-out', { _csrf: sessionCsrf });
  assert.equal(out.statusCode, 303);
  assert.equal(out.headers.location, '/admin/sign-in?signedOut=1');
  assert.equal(await database.db.selectFrom('sessions').select('id').where('token_hash', '=', sha256Hex(token)).executeTakeFirst(), undefined);

  // Replaying the old cookie (a copy kept by an attacker) gets nothing.
  const replay = await app.inject({ method: 'GET', url: '/admin', headers: { cookie: `varco_admin=${token}` } });
  assert.equal(replay.statusCode, 303);
  assert.equal(replay.headers.location, '/admin/sign-in');
});

test('after the maximum failures sign-in is locked (429, retry-after), even with the right password, until the lock ends', async () => {
  const b = browser('10.0.0.6');
  for (let i = 1; i <= 3; i++) assert.equal((await b.signIn(`wrong-password-number-${i}`)).statusCode, 401, `failure ${i}`);

  const locked = await b.signIn('wrong-password-number-4');
  assert.equal(locked.statusCode, 429);
  assert.equal(locked.headers['retry-after'], String(15 * 60));
  assert.match(locked.body, /Too many failed attempts\. Try again in 15 minutes\./);

  const right = await b.signIn(PASSWORD);
  assert.equal(right.statusCode, 429, 'the right password is refused while locked');
  assert.equal(b.jar.cookies.has('varco_admin'), false);
  // The account is locked, not just the address.
  assert.equal((await browser('10.0.0.7').signIn(PASSWORD)).statusCode, 429);

  clock.advance(14 * 60_000);
  const almost = await b.signIn(PASSWORD);
  assert.equal(almost.statusCode, 429);
  assert.equal(almost.headers['retry-after'], '60');

  clock.advance(60_000 + 1);
  const unlocked = await b.signIn(PASSWORD);
  assert.equal(unlocked.statusCode, 303);
  assert.ok(b.jar.cookies.get('varco_admin'));
});

test('one address spraying many accounts is locked too', async () => {
  const b = browser('10.0.0.8');
  // VARCO_SIGNIN_MAX_FAILURES is 3 here; an address gets four times as many (a shared NAT).
  for (let i = 1; i <= 12; i++) assert.equal((await b.signIn('whatever-password-1', `user${i}@example.org`)).statusCode, 401, `attempt ${i}`);
  assert.equal((await b.signIn(PASSWORD)).statusCode, 429, 'the address is locked for every account');
  assert.equal((await browser('10.0.0.9').signIn(PASSWORD)).statusCode, 303, 'other addresses are not');
});

test('sign-in failures and successes are in the audit log, without any password', async () => {
  const rows = await database.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
  const failed = rows.filter((r) => r.action === 'sign_in.failed');
  const succeeded = rows.filter((r) => r.action === 'sign_in.succeeded');
  assert.ok(failed.length >= 3);
  assert.ok(succeeded.length >= 3);
  assert.ok(
    failed.some((r) => r.subject_id === adminId && r.ip === '10.0.0.3'),
    'a failure against the account, with its address',
  );
  assert.ok(
    failed.some((r) => r.subject_id === null && r.ip === '10.0.0.3'),
    'a failure for an unknown account',
  );
  assert.ok(succeeded.every((r) => r.actor_id === adminId && r.ip !== null));
  const text = JSON.stringify(rows);
  for (const secret of [PASSWORD, 'not-the-password-at-all', 'wrong-password-number-1', 'whatever-password-1']) {
    assert.equal(text.includes(secret), false, `audit_log holds a password: ${secret}`);
  }
});

test('an address cut at its limit inside a character (half of an emoji) is a failed sign-in in the audit log, never a 500', async () => {
  // The form keeps the first 254 UTF-16 units: an emoji across the cut leaves half of it, which JSON
  // writes as a lone \ud83d escape that the audit row's jsonb refused (the page answered 500).
  const b = browser('10.0.0.31');
  const failed = await b.signIn('whatever-password-1', `${'a'.repeat(253)}\u{1F600}@example.org`);
  assert.equal(failed.statusCode, 401, failed.body);
  const row = await database.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'sign_in.failed')
    .where('ip', '=', '10.0.0.31')
    .executeTakeFirst();
  assert.deepEqual(row?.details, { surface: 'admin', email: `${'a'.repeat(253)}\uFFFD` });
});
