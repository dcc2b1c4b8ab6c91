import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { CookieJar, csrfFrom } from '../support/cookies.ts';
import { enqueueEmail } from '../../src/modules/delivery/index.ts';

// The back office Mail page: without SMTP it is where an administrator reads what Varco would send,
// and follows an invitation link from it. Administrators only.

const { app, services, database } = await buildTestApp();
const ADMIN = { email: 'ops@varco.test', password: 'correct horse battery staple' };
await services.identity.createAdmin({ ...ADMIN, actor: 'cli' });

async function signIn(): Promise<CookieJar> {
  const jar = new CookieJar();
  const form = await app.inject({ method: 'GET', url: '/admin/sign-in' });
  jar.store(form);
  const res = await app.inject({ method: 'POST', url: '/admin/sign-in', headers: { cookie: jar.header() },
    payload: { email: ADMIN.email, password: ADMIN.password, _csrf: csrfFrom(form.body) } });
  assert.equal(res.statusCode, 303, res.body);
  jar.store(res);
  return jar;
}

const LINK = 'https://localhost:8443/portal/invitation?token=Zm9vYmFy_token';
const id = await database.db.transaction().execute((trx) => enqueueEmail(trx, { to: 'anna@bank.test', template: 'invitation', locale: 'en',
  params: { firstName: 'Anna', organisationName: 'Banca <script>alert(1)</script>', link: LINK, expiresAt: '2026-11-25T10:00:00.000Z' } }));

test('anonymous visitors are sent to sign in and see no e-mail', async () => {
  for (const url of ['/admin/mail', `/admin/mail/${id}`]) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 303, url);
    assert.equal(res.headers.location, '/admin/sign-in');
    assert.ok(!res.body.includes('anna@bank.test'));
  }
});

test('a signed-in administrator sees the latest e-mails: recipient, subject, state and attempts', async () => {
  const jar = await signIn();
  const res = await app.inject({ method: 'GET', url: '/admin/mail', headers: { cookie: jar.header() } });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /No SMTP server is configured/);
  assert.ok(res.body.includes('anna@bank.test'));
  assert.ok(res.body.includes(`href="/admin/mail/${id}"`));
  assert.ok(res.body.includes('Invitation to the Varco developer portal for Banca &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!res.body.includes('<script>'), 'a parameter reached the page unescaped');
  assert.match(res.body, /<td>waiting<\/td><td>0<\/td>/);
});

test('an e-mail\'s page shows its text with the invitation link as a link to follow, and its HTML only as escaped source', async () => {
  const jar = await signIn();
  const res = await app.inject({ method: 'GET', url: `/admin/mail/${id}`, headers: { cookie: jar.header() } });
  assert.equal(res.statusCode, 200);
  assert.ok(res.body.includes(`<a href="${LINK}" rel="noopener noreferrer">${LINK}</a>`), 'the link is clickable');
  assert.match(res.body, /Hello Anna,/);
  assert.ok(res.body.includes('&lt;!doctype html&gt;'), 'HTML part shown as source');
  assert.ok(!res.body.includes('<script>'));
  assert.ok(!res.body.includes('<body style'), 'the HTML part is never rendered into the page');

  const italian = await app.inject({ method: 'GET', url: `/admin/mail/${id}?lang=it`, headers: { cookie: jar.header() } });
  assert.match(italian.body, /Tentativi di invio/);
});

test('an unknown or malformed e-mail id is a 404', async () => {
  const jar = await signIn();
  for (const url of ['/admin/mail/msg_00000000000000000000000000', '/admin/mail/nope', '/admin/mail/org_01jd0000000000000000000000']) {
    const res = await app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
    assert.equal(res.statusCode, 404, url);
  }
});
