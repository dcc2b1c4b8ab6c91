// Safe actions (issue 14): every destructive button leads to a page that says what will happen and
// posts the form only when confirmed; another organisation's ids answer 404 there too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { renderEmail } from '../../src/app/mail.ts';
import { registerStation } from '../stations/support.ts';
import { makeCa } from '../support/tls-peers.ts';
import { Browser, createAdmin, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const admin = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);
const org = await createOrganisation(db, 'Banca Sicura');
const referentUser = await createReferent(db, org, ['node']);
const referent = await new Browser(app, 'portal').signIn(referentUser.email);
const stranger = await new Browser(app, 'portal').signIn((await createReferent(db, await createOrganisation(db), ['node'])).email);
const keys = await issueKeys(services, org, 'node', 'test');
const subscriptionId = keys.id;

/** The confirmation page's form: where it posts, its hidden fields and its consequences. */
function confirmation(body: string): { action: string; fields: Record<string, string>; consequences: string[] } {
  const page = body.slice(body.indexOf('<ul class="consequences">'));
  const form = /<form method="post" action="([^"]+)">(.*?)<\/form>/s.exec(page);
  assert.ok(form, body);
  const fields = Object.fromEntries([...(form[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
  const consequences = [...(/<ul class="consequences">(.*?)<\/ul>/s.exec(body)?.[1] ?? '').matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1] ?? '');
  return { action: form[1] ?? '', fields: fields as Record<string, string>, consequences };
}

test('regenerating a key: the page links to a confirmation that explains the overlap (default 24 h); the key changes only when confirmed', async () => {
  const page = await referent.get(`/portal/subscriptions/${subscriptionId}`);
  assert.match(page.body, new RegExp(`<a class="button" href="/portal/subscriptions/${subscriptionId}/keys/primary/regenerate">`));
  assert.doesNotMatch(page.body, /action="[^"]*\/regenerate"/, 'no form that regenerates in one click');
  const ask = await referent.get(`/portal/subscriptions/${subscriptionId}/keys/primary/regenerate`);
  assert.equal(ask.statusCode, 200);
  assert.match(ask.body, /<h1>Regenerate the primary key\?<\/h1>/);
  assert.match(ask.body, /shown once/);
  assert.match(ask.body, /name="overlapHours"[^>]*value="24"/);
  const italian = await referent.get(`/portal/subscriptions/${subscriptionId}/keys/secondary/regenerate?lang=it`);
  assert.match(italian.body, /<h1>Rigenerare la chiave secondaria\?<\/h1>/);
  const form = confirmation(ask.body);
  assert.equal(form.action, `/portal/subscriptions/${subscriptionId}/keys/primary/regenerate`);
  const before = await db.selectFrom('api_keys').select('id').where('subscription_id', '=', subscriptionId).where('retired_at', 'is', null).execute();
  assert.equal(before.length, 2, 'asking changed nothing');
  const done = await referent.post(form.action, { overlapHours: '24' });
  assert.equal(done.statusCode, 200);
  assert.match(done.body, /data-key="primary"/);
  assert.equal((await stranger.get(`/portal/subscriptions/${subscriptionId}/keys/primary/regenerate`)).statusCode, 404);
});

test('cancelling a subscription and suspending one are asked first, in words; the confirmed form does it', async () => {
  const ask = await admin.get(`/admin/subscriptions/${subscriptionId}/suspend`);
  assert.equal(ask.statusCode, 200);
  const form = confirmation(ask.body);
  assert.ok(form.consequences.some((c) => /refused \(401\)/.test(c)));
  assert.equal((await db.selectFrom('subscriptions').select('state').where('id', '=', subscriptionId).executeTakeFirstOrThrow()).state, 'active');
  assert.match((await admin.get(`/admin/subscriptions/${subscriptionId}`)).body, new RegExp(`href="/admin/subscriptions/${subscriptionId}/suspend"`));
  assert.match(ask.body, /<textarea id="comment" name="comment" required maxlength="1000">/, 'the reason is asked');
  // Without a reason the page comes back saying so, the field marked; nothing changes.
  const refused = await admin.post(form.action, { comment: '  ' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /<p class="error" id="comment-error" role="alert">Say why the subscription is suspended: the referents read it\.<\/p>/);
  assert.match(refused.body, /aria-invalid="true" aria-describedby="comment-error" autofocus/);
  assert.equal((await db.selectFrom('subscriptions').select('state').where('id', '=', subscriptionId).executeTakeFirstOrThrow()).state, 'active');
  assert.equal((await admin.post(form.action, { comment: 'Chiamate anomale <dal> vostro server' })).statusCode, 303);
  assert.equal((await db.selectFrom('subscriptions').select('state').where('id', '=', subscriptionId).executeTakeFirstOrThrow()).state, 'suspended');
  // The referents read the reason: in the e-mail and on the subscription's page (escaped).
  const mail = await db
    .selectFrom('outbox')
    .select('payload')
    .where('subject_id', '=', subscriptionId)
    .where(sql<boolean>`payload->>'template' = 'subscription_suspended'`)
    .executeTakeFirstOrThrow();
  assert.equal((mail.payload as { params: Record<string, string> }).params.comment, 'Chiamate anomale <dal> vostro server');
  const rendered = renderEmail(mail.payload as Parameters<typeof renderEmail>[0]);
  assert.match(rendered.text, /Reason given by the administrator: Chiamate anomale <dal> vostro server/);
  assert.match((await referent.get(`/portal/subscriptions/${subscriptionId}`)).body, /Reason for the suspension: Chiamate anomale &lt;dal&gt; vostro server/);

  const cancel = await referent.get(`/portal/subscriptions/${subscriptionId}/cancel`);
  assert.equal(cancel.statusCode, 200);
  assert.match(cancel.body, /Cancelling is final/);
  const italian = await referent.get(`/portal/subscriptions/${subscriptionId}/cancel?lang=it`);
  assert.match(italian.body, /L’annullamento è definitivo/);
  assert.equal((await stranger.get(`/portal/subscriptions/${subscriptionId}/cancel`)).statusCode, 404);
});

test('removing a trusted CA is asked first and names the CA', async () => {
  const ca = await makeCa({ name: 'Confirm Root CA' });
  const added = await services.trust.add('test', ca.certPem, { allOrganisations: true }, { type: 'admin', id: null, ip: null });
  assert.ok(added.ok);
  const list = await admin.get('/admin/trust');
  assert.match(list.body, new RegExp(`href="/admin/trust/${added.value.id}/remove"`));
  const ask = await admin.get(`/admin/trust/${added.value.id}/remove`);
  assert.equal(ask.statusCode, 200);
  assert.match(ask.body, /Confirm Root CA/);
  assert.equal(
    (await services.trust.list('test')).some((c) => c.id === added.value.id),
    true,
    'still trusted',
  );
  assert.equal((await admin.post(confirmation(ask.body).action)).statusCode, 303);
  assert.equal(
    (await services.trust.list('test')).some((c) => c.id === added.value.id),
    false,
  );
});

test('approving a station whose last check failed asks again with the warning; the confirmed approval goes through', async () => {
  const actor = { type: 'referent' as const, id: referentUser.id, ip: null, organisationId: org };
  const stationId = await registerStation(services, org, { code: 'CONFIRM_01', host: 'pa.confirm.example', ip: '93.184.215.60' }, actor);
  await db.updateTable('stations').set({ connection_state: 'failing', last_check_at: new Date() }).where('id', '=', stationId).execute();
  const versionId = (await services.stations.detail(stationId))?.pending?.id ?? '';
  const ask = await admin.post(`/admin/stations/${stationId}/review`, { action: 'approve', note: 'ok', versionId });
  assert.equal(ask.statusCode, 200);
  assert.match(ask.body, /class="warning" role="alert">The last verification of this station failed/);
  const form = confirmation(ask.body);
  assert.deepEqual([form.fields.action, form.fields.note, form.fields.confirmed, form.fields.versionId], ['approve', 'ok', '1', versionId]);
  assert.equal((await services.stations.detail(stationId))?.approved, undefined, 'not approved yet');
  const done = await admin.post(form.action, { action: 'approve', note: 'ok', confirmed: '1', versionId });
  assert.equal(done.statusCode, 303);
  assert.ok((await services.stations.detail(stationId))?.approved);
});
