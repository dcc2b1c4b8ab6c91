import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, PASSWORD, createReferent } from '../support/subscriptions.ts';
import { createEcOrganisation } from '../support/pagopa-node.ts';
import { postFormsOf, type PageForm } from '../support/forms.ts';
import { seedWalk, walkPages } from '../support/walk-seed.ts';

// Tenancy across the whole portal, not module by module: a referent of another organisation, signed
// in with a session and CSRF token of their own, asks for every portal page of the walk's
// organisation (its ids in the URLs) and submits every form found on those pages as its owner sees
// them. Each page or form naming one of the owner's records is refused as not found, and no answer
// (lists included) shows any of the owner's ids beyond the one its own URL names. The owner's records are unchanged afterwards.

const walk = await seedWalk();
const { app } = walk.t;
const db = walk.t.database.db;
const pages = walkPages(walk.ids).portal;

// The owner's records that the portal shows by id (the invitation token and the mail are not portal records).
const OWNED = [
  walk.ids.organisation,
  walk.ids.subscription,
  walk.ids.station,
  walk.ids.merchant,
  walk.ids.order,
  walk.ids.exchange,
  walk.ids.receipt,
  walk.ids.payment,
  walk.ids.scenario,
  // Its EC links (the portal's pagoPA page lists them, each with forms of its own).
  ...(await db.selectFrom('pagopa_ec_links').select('id').where('organisation_id', '=', walk.ids.organisation).execute()).map((r) => r.id),
];
const namesOwned = (text: string): string[] => OWNED.filter((id) => text.includes(id));
/** The owner's ids an answer shows beyond those in the URL asked for (a 404 page may name its own address). */
const leaked = (url: string, text: string): string[] => namesOwned(text).filter((id) => !url.includes(id));

async function snapshot(): Promise<string> {
  const rows = await Promise.all([
    db.selectFrom('subscriptions').selectAll().where('id', '=', walk.ids.subscription).execute(),
    db.selectFrom('stations').selectAll().where('id', '=', walk.ids.station).execute(),
    db
      .selectFrom('api_keys')
      .select(['id', 'key_hash', 'retired_at', 'valid_until'])
      .where('subscription_id', '=', walk.ids.subscription)
      .orderBy('id')
      .execute(),
    db.selectFrom('orders').selectAll().where('id', '=', walk.ids.order).execute(),
    db.selectFrom('merchant_settings').selectAll().where('merchant_id', '=', walk.ids.merchant).orderBy('environment').execute(),
    db.selectFrom('pagopa_simulators').selectAll().where('organisation_id', '=', walk.ids.organisation).execute(),
    db.selectFrom('pagopa_ec_links').selectAll().where('organisation_id', '=', walk.ids.organisation).orderBy('id').execute(),
    db.selectFrom('pagopa_ecs').selectAll().where('organisation_id', '=', walk.ids.organisation).orderBy('environment').execute(),
  ]);
  return JSON.stringify(rows);
}

test('a referent of another organisation reaches none of the walk organisation\u2019s portal pages or forms, and sees none of its ids', async () => {
  const owner = await new Browser(app, 'portal').signIn(walk.referents.en.email, walk.referents.en.password);
  const forms: PageForm[] = [];
  for (const page of pages) {
    const res = await owner.get(page);
    assert.ok(res.statusCode === 200 || res.statusCode === 303, `${page}: ${res.statusCode}`);
    for (const form of postFormsOf(page, res.body)) if (namesOwned(form.action).length > 0 && !forms.some((f) => f.action === form.action)) forms.push(form);
  }
  assert.ok(forms.length >= 11, `only ${forms.length} forms naming the owner's records: ${forms.map((f) => f.action).join(', ')}`);
  const before = await snapshot();

  const stranger = await createEcOrganisation(walk.t, 'Comune Estraneo');
  const intruder = await createReferent(db, stranger.organisationId, ['node', 'ecommerce'], 'en');
  const other = await new Browser(app, 'portal').signIn(intruder.email);

  const leaks: string[] = [];
  for (const page of pages) {
    const res = await other.get(page);
    const shown = leaked(page, res.body);
    if (shown.length > 0) leaks.push(`GET ${page} → ${res.statusCode} shows ${shown.join(', ')}`);
    if (namesOwned(page).length > 0 && res.statusCode !== 404) leaks.push(`GET ${page} → ${res.statusCode}, not 404`);
    assert.ok(res.statusCode < 500, `GET ${page} → ${res.statusCode}`);
  }
  for (const form of forms) {
    // The other organisation's own session and token: the owner's token (a field of the page) is left out.
    const res = await other.post(form.action, Object.fromEntries(form.fields.filter(([name]) => name !== '_csrf')));
    const shown = leaked(form.action, res.body + String(res.headers.location ?? ''));
    if (shown.length > 0) leaks.push(`POST ${form.action} → ${res.statusCode} shows ${shown.join(', ')}`);
    if (res.statusCode !== 404) leaks.push(`POST ${form.action} → ${res.statusCode}, not 404`);
  }
  assert.deepEqual(leaks, []);
  assert.equal(await snapshot(), before, 'the owner\u2019s records are unchanged');

  // The owner still reaches them: the refusals above were about who asked.
  for (const page of pages.filter((p) => namesOwned(p).length > 0)) assert.equal((await owner.get(page)).statusCode, 200, page);
});

test('a session of one surface is no session on the other: a referent\u2019s token sent as the back office\u2019s cookie, and an administrator\u2019s as the portal\u2019s', async () => {
  const referent = await new Browser(app, 'portal').signIn(walk.referents.en.email, walk.referents.en.password);
  const admin = await new Browser(app, 'admin').signIn(walk.admins.en.email, walk.admins.en.password);
  const crossed: Array<['admin' | 'portal', string, Browser]> = [
    ['admin', referent.jar.cookies.get('varco_portal') ?? '', referent],
    ['portal', admin.jar.cookies.get('varco_admin') ?? '', admin],
  ];
  for (const [surface, token, from] of crossed) {
    assert.notEqual(token, '', 'signed in');
    const cookie = `varco_${surface}=${token}`;
    for (const path of walkPages(walk.ids)[surface].slice(0, 6)) {
      const res = await app.inject({ url: path, headers: { cookie } });
      assert.equal(res.statusCode, 303, `${path} with a ${from.surface} session: ${res.statusCode}`);
      assert.match(String(res.headers.location), new RegExp(`^/${surface}/sign-in`), path);
    }
    const post = await app.inject({
      method: 'POST',
      url: `/${surface}/password`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: from.csrf,
        current: PASSWORD,
        password: 'another-long-passphrase-2026',
        confirm: 'another-long-passphrase-2026',
      }).toString(),
    });
    assert.ok(post.statusCode === 401 || post.statusCode === 403, `POST /${surface}/password with a ${from.surface} session: ${post.statusCode}`);
  }
  // Both sessions still work where they belong.
  assert.equal((await referent.get('/portal')).statusCode, 200);
  assert.equal((await admin.get('/admin')).statusCode, 200);
});
