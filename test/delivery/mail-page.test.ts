import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { CookieJar, csrfFrom } from '../support/cookies.ts';
import { Browser, createOrganisation, createReferent, productId } from '../support/subscriptions.ts';
import { enqueueEmail } from '../../src/modules/delivery/index.ts';
import { newId } from '../../src/kernel/ids.ts';

// The back office Mail page: without SMTP it is where an administrator reads what Varco would send.
// An invitation's or a password reset's link is not stored: the page shows the e-mail without it (a
// placeholder in the e-mail's language), and "Create link" makes a fresh one, shown once and audited.
// Administrators only.

const t = await buildTestApp();
const { app, services, database } = t;
const ADMIN = { email: 'ops@varco.test', password: 'correct horse battery staple' };
await services.identity.createAdmin({ ...ADMIN, actor: 'cli' });

async function signIn(): Promise<CookieJar> {
  const jar = new CookieJar();
  const form = await app.inject({ method: 'GET', url: '/admin/sign-in' });
  jar.store(form);
  const res = await app.inject({
    method: 'POST',
    url: '/admin/sign-in',
    headers: { cookie: jar.header() },
    payload: { email: ADMIN.email, password: ADMIN.password, _csrf: csrfFrom(form.body) },
  });
  assert.equal(res.statusCode, 303, res.body);
  jar.store(res);
  return jar;
}

const org = await createOrganisation(database.db, 'Banca <script>alert(1)</script>');
const invited = await services.invitations.invite(
  { organisationId: org, firstName: 'Anna', lastName: 'Rossi', email: 'anna@bank.test', locale: 'en', productIds: [await productId(database.db, 'node')] },
  { type: 'cli', id: null, ip: null },
);
assert.ok(invited.ok);
const mail = await database.db.selectFrom('outbox').select('id').where('subject_id', '=', invited.value.id).executeTakeFirstOrThrow();
const id = mail.id;
const other = await database.db.transaction().execute((trx) =>
  enqueueEmail(trx, {
    to: 'john@pay.test',
    template: 'subscription_approved',
    locale: 'en',
    params: {
      firstName: 'John',
      organisationName: 'Pay',
      productName: 'Node connection',
      environment: 'test',
      subscriptionName: 'main',
      link: 'https://localhost:8443/portal/subscriptions',
    },
  }),
);

// A referent (Italian) who forgot the password asked for a reset on the portal (carried out, as the worker does).
const rita = await createReferent(database.db, org, ['node'], 'it');
assert.ok((await services.passwordResets.fulfil({ id: newId('pwr'), surface: 'portal', email: rita.email, ip: null })).mailed);
const resetMail = (await database.db.selectFrom('outbox').select('id').where('subject_id', '=', rita.id).executeTakeFirstOrThrow()).id;

/** POSTs "Create link" from the e-mail's page, with that page's CSRF token. */
async function createLink(jar: CookieJar, mailId = id, path = 'invitation-link') {
  const shown = await app.inject({ method: 'GET', url: `/admin/mail/${mailId}`, headers: { cookie: jar.header() } });
  return app.inject({
    method: 'POST',
    url: `/admin/mail/${mailId}/${path}`,
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(csrfFrom(shown.body))}`,
  });
}

test('anonymous visitors are sent to sign in and see no e-mail', async () => {
  for (const url of ['/admin/mail', `/admin/mail/${id}`]) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 303, url);
    assert.equal(res.headers.location, `/admin/sign-in?next=${encodeURIComponent(url)}`, 'back to the page after sign-in');
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
  assert.match(res.body, /<td[^>]*>waiting<\/td><td[^>]*>0<\/td>/);
});

test("an invitation's page shows its text without a usable link, a Create link button, and its HTML only as escaped source", async () => {
  const jar = await signIn();
  const res = await app.inject({ method: 'GET', url: `/admin/mail/${id}`, headers: { cookie: jar.header() } });
  assert.equal(res.statusCode, 200);
  assert.doesNotMatch(res.body, /invitation\?token=/, 'no link on the page');
  assert.match(res.body, /\[the link is made when the e-mail is sent, or with &quot;Create link&quot;/);
  assert.match(res.body, new RegExp(`<form method="post" action="/admin/mail/${id}/invitation-link">`));
  assert.match(res.body, /Hello Anna,/);
  assert.ok(res.body.includes('&lt;!doctype html&gt;'), 'HTML part shown as source');
  assert.ok(!res.body.includes('<script>'));
  assert.ok(!res.body.includes('<body style'), 'the HTML part is never rendered into the page');

  const italian = await app.inject({ method: 'GET', url: `/admin/mail/${id}?lang=it`, headers: { cookie: jar.header() } });
  assert.match(italian.body, /Tentativi di invio/);
  assert.match(italian.body, /Crea link/);
  // Other e-mails keep their links (they are not credentials) and have no such button.
  const plain = await app.inject({ method: 'GET', url: `/admin/mail/${other}`, headers: { cookie: jar.header() } });
  assert.ok(plain.body.includes('<a href="https://localhost:8443/portal/subscriptions" rel="noopener noreferrer">'));
  assert.doesNotMatch(plain.body, /invitation-link/);
});

test('Create link shows a fresh link once, audited; a second one replaces it; only the latest works', async () => {
  const jar = await signIn();
  const first = await createLink(jar);
  assert.equal(first.statusCode, 200, first.body);
  const link = /data-invitation-link>([^<]+)</.exec(first.body)?.[1] ?? '';
  assert.match(link, /^https:\/\/localhost:\d+\/portal\/invitation\?token=[A-Za-z0-9_-]{43}$/);
  const token = new URL(link).searchParams.get('token') ?? '';
  assert.equal((await app.inject({ url: `/portal/invitation?token=${token}` })).statusCode, 200);
  // Shown once: the e-mail's page still has no link, and no table holds the token.
  const again = await app.inject({ method: 'GET', url: `/admin/mail/${id}`, headers: { cookie: jar.header() } });
  assert.ok(!again.body.includes(token));
  const stored =
    JSON.stringify(await database.db.selectFrom('outbox').selectAll().execute()) +
    JSON.stringify(await database.db.selectFrom('invitations').selectAll().execute());
  assert.ok(!stored.includes(token));
  const second = /data-invitation-link>([^<]+)</.exec((await createLink(jar)).body)?.[1] ?? '';
  assert.notEqual(second, link);
  assert.equal((await app.inject({ url: `/portal/invitation?token=${token}` })).statusCode, 404, 'the earlier link stopped working');
  assert.equal((await app.inject({ url: `/portal/invitation?token=${new URL(second).searchParams.get('token') ?? ''}` })).statusCode, 200);
  const audit = await database.db.selectFrom('audit_log').select(['action', 'actor_type', 'details']).where('action', '=', 'invitation.link_created').execute();
  assert.equal(audit.length, 2);
  assert.ok(audit.every((a) => a.actor_type === 'admin'));
  assert.ok(!JSON.stringify(audit).includes(token));
});

test('Create link needs the form token, an invitation e-mail, and a pending invitation', async () => {
  const jar = await signIn();
  const noCsrf = await app.inject({
    method: 'POST',
    url: `/admin/mail/${id}/invitation-link`,
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  });
  assert.equal(noCsrf.statusCode, 403);
  assert.equal((await createLink(jar, other)).statusCode, 404);
  const anonymous = await app.inject({
    method: 'POST',
    url: `/admin/mail/${id}/invitation-link`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  });
  assert.notEqual(anonymous.statusCode, 200);
  await database.db.updateTable('invitations').set({ accepted_at: new Date() }).where('id', '=', invited.value.id).execute();
  const used = await createLink(jar);
  assert.equal(used.statusCode, 409);
  assert.match(used.body, /accepted already/);
  const page = await app.inject({ method: 'GET', url: `/admin/mail/${id}`, headers: { cookie: jar.header() } });
  assert.doesNotMatch(page.body, /invitation-link"/, 'no button once the invitation is accepted');
});

/** Chooses a new password on a reset link's form, as the person would. */
async function resetWith(link: string, password: string) {
  const browser = new Browser(app, 'portal');
  const url = new URL(link);
  const form = await browser.get(url.pathname + url.search);
  if (form.statusCode !== 200) return form;
  browser.csrf = csrfFrom(form.body);
  return browser.post('/portal/password-reset/new', { token: url.searchParams.get('token') ?? '', password, confirm: password });
}

test("a password reset's page shows its text in the e-mail's language without a usable link, and a Create link button", async () => {
  const jar = await signIn();
  const res = await app.inject({ method: 'GET', url: `/admin/mail/${resetMail}`, headers: { cookie: jar.header() } });
  assert.equal(res.statusCode, 200);
  assert.doesNotMatch(res.body, /password-reset\/new\?token=/, 'no link on the page');
  assert.match(res.body, /\[il link viene creato all&#39;invio dell&#39;e-mail, oppure con &quot;Crea link&quot;/, 'the placeholder speaks Italian');
  assert.doesNotMatch(res.body, /\[the link is made/, 'no English in the Italian e-mail');
  assert.match(res.body, /Reimposta la password di Varco/);
  assert.match(res.body, /<h2>Password reset link<\/h2>/);
  assert.match(res.body, new RegExp(`<form method="post" action="/admin/mail/${resetMail}/password-reset-link">`));
  assert.doesNotMatch(res.body, /invitation-link/);
  const italian = await app.inject({ method: 'GET', url: `/admin/mail/${resetMail}?lang=it`, headers: { cookie: jar.header() } });
  assert.match(italian.body, /Link per reimpostare la password/);
});

test('Create link for a password reset: shown once, audited, never stored or logged; a second replaces it; the link works once', async () => {
  const jar = await signIn();
  const first = await createLink(jar, resetMail, 'password-reset-link');
  assert.equal(first.statusCode, 200, first.body);
  assert.ok(first.body.includes(rita.email));
  assert.match(String(first.headers['cache-control']), /no-store/);
  const link = /data-reset-link>([^<]+)</.exec(first.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
  assert.match(link, /^https:\/\/localhost:\d+\/portal\/password-reset\/new\?token=[A-Za-z0-9_-]{43}$/);
  const token = new URL(link).searchParams.get('token') ?? '';
  const again = await app.inject({ method: 'GET', url: `/admin/mail/${resetMail}`, headers: { cookie: jar.header() } });
  assert.ok(!again.body.includes(token), 'shown once');

  const second = /data-reset-link>([^<]+)</.exec((await createLink(jar, resetMail, 'password-reset-link')).body)?.[1]?.replaceAll('&amp;', '&') ?? '';
  assert.notEqual(second, link);
  assert.equal((await resetWith(link, 'copper-lantern-meadow-77')).statusCode, 410, 'the earlier link stopped working');
  const done = await resetWith(second, 'copper-lantern-meadow-77');
  assert.equal(done.statusCode, 303, done.body);
  await new Browser(app, 'portal').signIn(rita.email, 'copper-lantern-meadow-77');
  assert.equal((await resetWith(second, 'another-long-password-99')).statusCode, 410, 'a link works once');

  const audit = await database.db.selectFrom('audit_log').select(['actor_type', 'subject_id']).where('action', '=', 'password.reset_link_created').execute();
  assert.deepEqual(audit, [
    { actor_type: 'admin', subject_id: rita.id },
    { actor_type: 'admin', subject_id: rita.id },
  ]);
  const stored = JSON.stringify([
    await database.db.selectFrom('outbox').selectAll().execute(),
    await database.db.selectFrom('audit_log').selectAll().execute(),
    await database.db.selectFrom('password_resets').selectAll().execute(),
    t.logs,
  ]);
  for (const shown of [token, new URL(second).searchParams.get('token') ?? '']) assert.ok(!stored.includes(shown), 'no table or log holds the token');

  // Used: no button any more, and no new link.
  const page = await app.inject({ method: 'GET', url: `/admin/mail/${resetMail}`, headers: { cookie: jar.header() } });
  assert.doesNotMatch(page.body, /password-reset-link"/);
  assert.match(page.body, /The password was reset with this request already/);
  const used = await createLink(jar, resetMail, 'password-reset-link');
  assert.equal(used.statusCode, 409);
});

test('Create link for a password reset needs the form token, a reset e-mail, and an administrator', async () => {
  const jar = await signIn();
  const noCsrf = await app.inject({
    method: 'POST',
    url: `/admin/mail/${resetMail}/password-reset-link`,
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  });
  assert.equal(noCsrf.statusCode, 403);
  assert.equal((await createLink(jar, id, 'password-reset-link')).statusCode, 404, 'not from an invitation e-mail');
  assert.equal((await createLink(jar, resetMail, 'invitation-link')).statusCode, 404, 'nor an invitation link from a reset e-mail');
  assert.equal((await createLink(jar, other, 'password-reset-link')).statusCode, 404);
  // A referent signed in to the portal does not reach the back office route.
  const referent = await new Browser(app, 'portal').signIn((await createReferent(database.db, org, ['node'])).email);
  const before = await database.db.selectFrom('audit_log').select('id').where('action', '=', 'password.reset_link_created').execute();
  const refused = await referent.post(`/admin/mail/${resetMail}/password-reset-link`);
  assert.equal(refused.statusCode, 403, 'no back office session, so no back office form token');
  assert.doesNotMatch(refused.body, /data-reset-link/);
  const page = await referent.get(`/admin/mail/${resetMail}`);
  assert.equal(page.statusCode, 303);
  assert.match(String(page.headers.location), /^\/admin\/sign-in/, 'sent to the back office sign-in');
  const after = await database.db.selectFrom('audit_log').select('id').where('action', '=', 'password.reset_link_created').execute();
  assert.equal(after.length, before.length);
});

test('an unknown or malformed e-mail id is a 404', async () => {
  const jar = await signIn();
  for (const url of ['/admin/mail/msg_00000000000000000000000000', '/admin/mail/nope', '/admin/mail/org_01jd0000000000000000000000']) {
    const res = await app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
    assert.equal(res.statusCode, 404, url);
  }
});

test('the Mail page finds an e-mail by part of its recipient (any case, literally) and by state, 50 a page, each once', async () => {
  const jar = await signIn();
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
  const idsOf = (body: string): string[] => [...body.matchAll(/href="\/admin\/mail\/(msg_[0-9a-z]+)"/g)].map((m) => m[1] ?? '');
  const sent: string[] = [];
  for (let i = 0; i < 55; i++) {
    sent.push(
      await database.db.transaction().execute((trx) =>
        enqueueEmail(trx, {
          to: `bulk${String(i).padStart(2, '0')}${i === 9 ? '_50%' : ''}@many.test`,
          template: 'subscription_approved',
          locale: 'it',
          params: { firstName: 'B', organisationName: 'O', productName: 'P', environment: 'test', subscriptionName: 's', link: 'https://v/x' },
        }),
      ),
    );
  }
  const first = await get('/admin/mail?to=MANY.TEST');
  assert.equal(first.statusCode, 200);
  assert.equal(idsOf(first.body).length, 50);
  const older = /<a href="([^"]+)" rel="next">Older e-mails<\/a>/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
  assert.match(older ?? '', /^\/admin\/mail\?to=MANY\.TEST&before=msg_/, 'the search stays in the link');
  const second = await get(older ?? '');
  assert.equal(idsOf(second.body).length, 5);
  assert.deepEqual(new Set([...idsOf(first.body), ...idsOf(second.body)]), new Set(sent));
  assert.deepEqual(idsOf((await get(`/admin/mail?to=${encodeURIComponent('_50%')}`)).body), [sent[9]], '% and _ are no wildcards');
  assert.deepEqual(idsOf((await get('/admin/mail?to=anna%40bank&state=pending')).body), [id]);
  assert.deepEqual(idsOf((await get('/admin/mail?to=anna%40bank&state=delivered')).body), []);
  assert.match((await get('/admin/mail?to=nobody-here&lang=it')).body, /Nessuna e-mail corrisponde alla ricerca\./);
  for (const [query, reason] of [
    ['state=lost', /state must be one of/],
    ['before=garbage', /The page link is not valid/],
    [`to=${'x'.repeat(255)}`, /to must be at most 254 characters/],
  ] as const) {
    const res = await get(`/admin/mail?${query}`);
    assert.equal(res.statusCode, 400, query);
    assert.match(res.body, reason, query);
  }
});
