import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { CookieJar, csrfFrom } from '../support/cookies.ts';
import { fixedClock } from '../../src/kernel/clock.ts';

// Organisations and invitations through the back office and the portal, as an administrator and a
// referent would use them, on a real database.

const clock = fixedClock(new Date('2026-11-23T10:00:00Z'));
const t = await buildTestApp({ clock });
const { app, services, database } = t;
const ADMIN = { email: 'ops@varco.test', password: 'correct horse battery staple' };
await services.identity.createAdmin({ ...ADMIN, actor: 'cli' });

async function signIn(surface: 'admin' | 'portal', email: string, password: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const form = await app.inject({ method: 'GET', url: `/${surface}/sign-in` });
  jar.store(form);
  const res = await app.inject({
    method: 'POST',
    url: `/${surface}/sign-in`,
    headers: { cookie: jar.header() },
    payload: { email, password, _csrf: csrfFrom(form.body) },
  });
  assert.equal(res.statusCode, 303, res.body);
  jar.store(res);
  return jar;
}

async function postForm(jar: CookieJar, page: string, url: string, fields: Record<string, string | string[]>) {
  const shown = await app.inject({ method: 'GET', url: page, headers: { cookie: jar.header() } });
  jar.store(shown);
  const body = new URLSearchParams();
  body.set('_csrf', csrfFrom(shown.body));
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return app.inject({ method: 'POST', url, headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
}

/**
 * A fresh link for the latest invitation e-mail to `email`, as an administrator gets it without SMTP:
 * the Mail page shows the e-mail without a link, and "Create link" shows one once.
 */
async function lastInvitationLink(email: string): Promise<string> {
  const rows = await database.db.selectFrom('outbox').select(['id', 'payload']).where('channel', '=', 'email').orderBy('created_at', 'desc').execute();
  const found = rows.find((r) => (r.payload as { to: string }).to === email);
  assert.ok(found, `no e-mail to ${email}`);
  const page = await app.inject({ method: 'GET', url: `/admin/mail/${found.id}`, headers: { cookie: admin.header() } });
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /invitation\?token=/, 'the Mail page shows no usable link');
  const created = await postForm(admin, `/admin/mail/${found.id}`, `/admin/mail/${found.id}/invitation-link`, {});
  assert.equal(created.statusCode, 200, created.body);
  return /data-invitation-link>([^<]+)</.exec(created.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
}

let admin = await signIn('admin', ADMIN.email, ADMIN.password);
const products = await services.productCatalog.list();
const node = products.find((p) => p.code === 'node');
assert.ok(node);

async function createOrg(taxCode: string, name: string): Promise<string> {
  const res = await postForm(admin, '/admin/organisations', '/admin/organisations', {
    name,
    taxCode,
    taxCodeKind: 'it',
    type: 'psp',
    contactEmail: 'it@bank.test',
  });
  assert.equal(res.statusCode, 303, res.body);
  return String(res.headers.location).split('/').pop() ?? '';
}

test('an administrator creates organisations; bad tax codes get a clear error', async () => {
  const bad = await postForm(admin, '/admin/organisations', '/admin/organisations', {
    name: 'Typo Bank',
    taxCode: '15376371008',
    taxCodeKind: 'it',
    type: 'psp',
    contactEmail: 'a@b.test',
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /last digit .* does not match/);
  const id = await createOrg('15376371009', 'Banca Uno');
  const page = await app.inject({ method: 'GET', url: `/admin/organisations/${id}`, headers: { cookie: admin.header() } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Banca Uno/);
  const dup = await postForm(admin, '/admin/organisations', '/admin/organisations', {
    name: 'Again',
    taxCode: '15376371009',
    taxCodeKind: 'it',
    type: 'psp',
    contactEmail: 'a@b.test',
  });
  assert.match(dup.body, /already exists/);
  const anonymous = await app.inject({ method: 'GET', url: `/admin/organisations/${id}` });
  assert.equal(anonymous.statusCode, 303);
});

test('invitation: e-mailed single-use link, password rules, sign-in to the portal', async () => {
  const orgId = await createOrg('06363391001', 'Ente Due');
  const invite = await postForm(admin, `/admin/organisations/${orgId}`, `/admin/organisations/${orgId}/invitations`, {
    firstName: 'Anna',
    lastName: 'Rossi',
    email: 'anna@ente.test',
    locale: 'it',
    products: [node.id],
  });
  assert.equal(invite.statusCode, 303, invite.body);
  // No mail server in this app: the page does not say "sent", it says where the link is made.
  const after = await app.inject({ method: 'GET', url: String(invite.headers.location), headers: { cookie: admin.header() } });
  assert.doesNotMatch(after.body, /Invitation sent\./);
  assert.match(after.body, /Invitation queued\. No mail server is configured \(VARCO_SMTP_URL\)[^<]*Mail page[^<]*Create link/);
  assert.match(after.body, /data-state="waiting">not sent \(no mail server\): create its link on the Mail page</, 'the invitation is not called sent');
  const link = await lastInvitationLink('anna@ente.test');
  assert.match(link, /\/portal\/invitation\?token=[A-Za-z0-9_-]{43}$/);
  const token = new URL(link).searchParams.get('token') ?? '';
  const stored = await database.db.selectFrom('invitations').select('token_hash').where('email', '=', 'anna@ente.test').executeTakeFirstOrThrow();
  assert.notEqual(stored.token_hash, token, 'only a hash of the token is stored');

  const referent = new CookieJar();
  const form = await app.inject({ method: 'GET', url: `/portal/invitation?token=${token}` });
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /Ente Due/);
  referent.store(form);
  const submit = (password: string, confirm = password) =>
    app.inject({
      method: 'POST',
      url: '/portal/invitation',
      headers: { cookie: referent.header() },
      payload: { token, password, passwordConfirm: confirm, _csrf: csrfFrom(form.body) },
    });
  assert.match((await submit('short')).body, /almeno 12 caratteri/);
  assert.match((await submit('password1234')).body, /troppo comune/);
  assert.match((await submit('a-long-enough-secret', 'a-long-enough-secreT')).body, /diverse/);
  const ok = await submit('Anna-chooses-a-long-one');
  assert.equal(ok.statusCode, 303, JSON.stringify(t.logs.filter((l) => Number(l.level) >= 50)));
  const again = await app.inject({ method: 'GET', url: `/portal/invitation?token=${token}` });
  assert.equal(again.statusCode, 410);
  assert.match(again.body, /già stato usato|already been used/);

  // No link ever sits in the outbox (nor on the Mail page): the e-mail names the invitation only.
  const kept = await database.db.selectFrom('outbox').select('payload').where('subject_type', '=', 'invitation').execute();
  assert.ok(kept.length > 0);
  assert.ok(!JSON.stringify(kept).includes(token), 'the token is not in the outbox');
  const jar = await signIn('portal', 'anna@ente.test', 'Anna-chooses-a-long-one');
  const home = await app.inject({ method: 'GET', url: '/portal', headers: { cookie: jar.header() } });
  assert.match(home.body, /Ente Due/);
  const allowed = await database.db
    .selectFrom('user_products')
    .innerJoin('users', 'users.id', 'user_products.user_id')
    .select('user_products.product_id')
    .where('users.email', '=', 'anna@ente.test')
    .execute();
  assert.deepEqual(
    allowed.map((r) => r.product_id),
    [node.id],
  );
  const audit = await database.db.selectFrom('audit_log').select(['action', 'details']).execute();
  assert.ok(audit.some((r) => r.action === 'invitation.sent'));
  assert.ok(audit.some((r) => r.action === 'invitation.accepted'));
  assert.ok(!JSON.stringify(audit).includes('Anna-chooses-a-long-one'));
  assert.ok(!JSON.stringify(audit).includes(token));
  // A referent is not an administrator.
  const adminTry = await app.inject({ method: 'POST', url: '/admin/sign-in', headers: { cookie: jar.header() }, payload: {} });
  assert.equal(adminTry.statusCode, 403);
});

test('expired and superseded links get a clear page; the administrator can re-send', async () => {
  const orgId = await createOrg('00950501007', 'Ente Tre');
  await postForm(admin, `/admin/organisations/${orgId}`, `/admin/organisations/${orgId}/invitations`, {
    firstName: 'Bruno',
    lastName: 'Bianchi',
    email: 'bruno@tre.test',
    locale: 'en',
    products: [node.id],
  });
  const first = new URL(await lastInvitationLink('bruno@tre.test')).searchParams.get('token');
  clock.advance(49 * 3600_000);
  admin = await signIn('admin', ADMIN.email, ADMIN.password); // the earlier session expired meanwhile
  const expired = await app.inject({ method: 'GET', url: `/portal/invitation?token=${first}` });
  assert.equal(expired.statusCode, 410);
  assert.match(expired.body, /expired/);
  const invitation = await database.db.selectFrom('invitations').select('id').where('email', '=', 'bruno@tre.test').executeTakeFirstOrThrow();
  const resent = await postForm(admin, `/admin/organisations/${orgId}`, `/admin/invitations/${invitation.id}/resend`, {});
  assert.equal(resent.statusCode, 303);
  const second = new URL(await lastInvitationLink('bruno@tre.test')).searchParams.get('token');
  const outbox = JSON.stringify(await database.db.selectFrom('outbox').select('payload').execute());
  assert.ok(first && second && !outbox.includes(first) && !outbox.includes(second) && !outbox.includes('token='), 'no link is kept in the outbox');
  assert.notEqual(second, first);
  assert.equal((await app.inject({ method: 'GET', url: `/portal/invitation?token=${second}` })).statusCode, 200);
  const old = await app.inject({ method: 'GET', url: `/portal/invitation?token=${first}` });
  assert.match(old.body, /newer invitation link/);
  const unknown = await app.inject({ method: 'GET', url: '/portal/invitation?token=nope' });
  assert.equal(unknown.statusCode, 404);
});

test('an invitation refused because its address is already a referent\u2019s stays open and says why, instead of \u201calready used\u201d', async () => {
  const cli = { type: 'cli' as const, id: null, ip: null };
  const email = 'carla@twice.test';
  const invitationFor = async (orgId: string) => {
    const invited = await services.invitations.invite(
      { organisationId: orgId, firstName: 'Carla', lastName: 'C', email, locale: 'en', productIds: [node.id] },
      cli,
    );
    assert.ok(invited.ok);
    const minted = await services.invitations.mintLink(invited.value.id);
    assert.ok(minted.ok);
    return { id: invited.value.id, token: new URL(minted.value.link).searchParams.get('token') ?? '' };
  };
  const first = await invitationFor(await createOrg('01234567897', 'Ente Primo'));
  const second = await invitationFor(await createOrg('12345678903', 'Ente Secondo'));
  assert.ok((await services.invitations.accept(first.token, 'Carla-chooses-a-long-one', 'Carla-chooses-a-long-one', null)).ok);
  const form = await app.inject({ method: 'GET', url: `/portal/invitation?token=${second.token}` });
  assert.equal(form.statusCode, 200);
  const jar = new CookieJar();
  jar.store(form);
  const submit = () =>
    app.inject({
      method: 'POST',
      url: '/portal/invitation',
      headers: { cookie: jar.header() },
      payload: { token: second.token, password: 'Carla-chooses-another', passwordConfirm: 'Carla-chooses-another', _csrf: csrfFrom(form.body) },
    });
  const refused = await submit();
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /A referent with this e-mail already exists\./);
  // Tried again, it says the same; the invitation is not marked accepted by nobody.
  assert.match((await submit()).body, /A referent with this e-mail already exists\./);
  assert.equal((await app.inject({ method: 'GET', url: `/portal/invitation?token=${second.token}` })).statusCode, 200, 'the link is not used up');
  const row = await database.db.selectFrom('invitations').select(['accepted_at', 'user_id']).where('id', '=', second.id).executeTakeFirstOrThrow();
  assert.deepEqual(row, { accepted_at: null, user_id: null });
  assert.equal((await database.db.selectFrom('users').select('id').where('email', '=', email).execute()).length, 1, 'one account');
});

test('ids of organisations that do not exist answer 404, not 500', async () => {
  for (const url of ['/admin/organisations/org_00000000000000000000000000', '/admin/organisations/garbage']) {
    const res = await app.inject({ method: 'GET', url, headers: { cookie: admin.header() } });
    assert.equal(res.statusCode, 404, url);
  }
});
