import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../support/app.ts';
import { CookieJar, csrfFrom } from '../support/cookies.ts';

// The one-time link for the first administrator: issued only while none exists, refuses weak
// passwords without being used up, creates the administrator once, and is dead afterwards.

const { app, services, database } = await buildTestApp();
const jar = new CookieJar();
const EMAIL = 'first@example.org';
const PASSWORD = 'lantern-quarry-osmium-7';

async function request(method: 'GET' | 'POST', url: string, fields?: Record<string, string>): Promise<LightMyRequestResponse> {
  const response = await app.inject({
    method,
    url,
    headers: { cookie: jar.header(), ...(fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(fields ? { payload: new URLSearchParams(fields).toString() } : {}),
  });
  jar.store(response);
  return response;
}

const token = await services.identity.issueSetupToken();

async function submit(password: string, confirm = password): Promise<LightMyRequestResponse> {
  const page = await request('GET', `/admin/setup?token=${encodeURIComponent(token!)}`);
  assert.equal(page.statusCode, 200);
  return request('POST', '/admin/setup', { _csrf: csrfFrom(page.body), token: token!, email: EMAIL, password, passwordConfirm: confirm });
}

test('a setup token is issued while no administrator exists, and only its hash is stored', async () => {
  assert.equal(typeof token, 'string');
  assert.ok(token!.length >= 43);
  const rows = await database.db.selectFrom('setup_tokens').selectAll().execute();
  assert.equal(rows.length, 1);
  assert.equal(JSON.stringify(rows).includes(token!), false);
});

test('the setup link shows the form; a bad or missing token shows the 410 page', async () => {
  const page = await request('GET', `/admin/setup?token=${encodeURIComponent(token!)}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Create the first administrator/);
  assert.ok(csrfFrom(page.body));
  assert.ok(page.body.includes(`name="token" value="${token!}"`));
  for (const url of ['/admin/setup?token=not-a-real-token', '/admin/setup']) {
    const invalid = await request('GET', url);
    assert.equal(invalid.statusCode, 410, url);
    assert.match(invalid.body, /This setup link is not valid/);
  }
});

test('a setup POST without the form token is refused', async () => {
  const response = await request('POST', '/admin/setup', { token: token!, email: EMAIL, password: PASSWORD, passwordConfirm: PASSWORD });
  assert.equal(response.statusCode, 403);
  assert.equal(await services.identity.countAdmins(), 0);
});

test('short, common or mismatched passwords are refused with their message and do not use up the link', async () => {
  const short = await submit('Sh0rt-pw');
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /The password must have at least 12 characters\./);

  const common = await submit('password1234');
  assert.equal(common.statusCode, 400);
  assert.match(common.body, /This password is too common; choose another\./);

  const mismatch = await submit(PASSWORD, `${PASSWORD}x`);
  assert.equal(mismatch.statusCode, 400);
  assert.match(mismatch.body, /The two passwords differ\./);

  assert.equal(await services.identity.countAdmins(), 0);
  assert.equal(await services.identity.isSetupTokenUsable(token!), true);
});

test('a good password creates the administrator, who can then sign in', async () => {
  const created = await submit(PASSWORD);
  assert.equal(created.statusCode, 303);
  assert.equal(created.headers.location, '/admin/sign-in?welcome=1');
  const users = await database.db.selectFrom('users').select(['email', 'kind', 'password_hash']).execute();
  assert.deepEqual(
    users.map((u) => [u.email, u.kind]),
    [[EMAIL, 'admin']],
  );
  assert.match(users[0]!.password_hash ?? '', /^\$argon2id\$/);

  const page = await request('GET', '/admin/sign-in?welcome=1');
  assert.match(
    page.body,
    /<p class="notice"[^>]*>Your registration is confirmed\. Sign in with your e-mail and the password you chose\./,
    'told the account exists',
  );
  const signIn = await request('POST', '/admin/sign-in', { _csrf: csrfFrom(page.body), email: EMAIL, password: PASSWORD });
  assert.equal(signIn.statusCode, 303);
  assert.equal(signIn.headers.location, '/admin');
  const home = await request('GET', '/admin');
  assert.ok(home.body.includes(`Signed in as ${EMAIL}.`));
});

test('the same link again is a 410 page, for GET and POST alike', async () => {
  const again = await request('GET', `/admin/setup?token=${encodeURIComponent(token!)}`);
  assert.equal(again.statusCode, 410);
  assert.match(again.body, /This setup link is not valid/);
  // The command as code, not between literal backticks.
  assert.match(again.body, /Use <code>npx varco admin create<\/code> instead\./);
  assert.doesNotMatch(again.body, /`|&#96;/);
  const italian = await request('GET', `/admin/setup?token=${encodeURIComponent(token!)}&lang=it`);
  assert.match(italian.body, /Usa <code>npx varco admin create<\/code>\./);
  const fresh = new CookieJar();
  const preForm = await app.inject({ method: 'GET', url: '/admin/sign-in' });
  fresh.store(preForm);
  const post = await app.inject({
    method: 'POST',
    url: '/admin/setup',
    headers: { cookie: fresh.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      _csrf: csrfFrom(preForm.body),
      token: token!,
      email: 'second@example.org',
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    }).toString(),
  });
  assert.equal(post.statusCode, 410);
  assert.equal(await services.identity.countAdmins(), 1);
});

test('no setup token is issued once an administrator exists', async () => {
  assert.equal(await services.identity.issueSetupToken(), undefined);
});

test('an unused link stops working once an administrator exists another way', async () => {
  const { services: other } = await buildTestApp();
  const unused = await other.identity.issueSetupToken();
  assert.ok(unused);
  assert.equal(await other.identity.isSetupTokenUsable(unused), true);
  const created = await other.identity.createAdmin({ email: 'cli@example.org', password: PASSWORD, actor: 'cli' });
  assert.ok(created.ok);
  assert.equal(await other.identity.isSetupTokenUsable(unused), false);
});

test('two setup links (two starts before anyone set up) used at the same moment make one first administrator', async () => {
  const { services: fresh, database: freshDb } = await buildTestApp();
  const [a, b] = [await fresh.identity.issueSetupToken(), await fresh.identity.issueSetupToken()];
  assert.ok(a && b && a !== b);
  const outcomes = await Promise.all([
    fresh.identity.completeSetup(a, { email: 'one@example.org', password: PASSWORD, ip: null }),
    fresh.identity.completeSetup(b, { email: 'two@example.org', password: PASSWORD, ip: null }),
  ]);
  assert.deepEqual(outcomes.map((o) => o.ok).sort(), [false, true], JSON.stringify(outcomes));
  const admins = await freshDb.db.selectFrom('users').select('email').where('kind', '=', 'admin').execute();
  assert.equal(admins.length, 1);
});
