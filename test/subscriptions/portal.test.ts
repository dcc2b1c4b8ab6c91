import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent, issueKeys, productId, shownKey } from '../support/subscriptions.ts';
import { formatDateTime } from '../../src/views/format.ts';

// The developer portal and the back office together, as a referent and an administrator use them:
// subscribe, approve, reveal once, regenerate, ping, cancel; e-mails queued; scoped by organisation.

const { app, services, database, config } = await buildTestApp();
const db = database.db;
const adminAccount = await createAdmin(services);
const org = await createOrganisation(db, 'Banca Portale');
const referent = await createReferent(db, org, ['node']);
const portal = await new Browser(app, 'portal').signIn(referent.email);
const admin = await new Browser(app, 'admin').signIn(adminAccount.email);
const ping = (key: string) => app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': key } });
const idFrom = (location: unknown): string => /\/(sub_[0-9a-z]+)/.exec(String(location))?.[1] ?? '';

async function mails(template: string) {
  const rows = await db.selectFrom('outbox').select('payload').where('channel', '=', 'email').execute();
  return rows.map((r) => r.payload as { to: string; template: string; params: Record<string, string> }).filter((p) => p.template === template);
}

let subscriptionId = '';

test('Products lists only the products associated with the referent, each with a subscribe form', async () => {
  const page = await portal.get('/portal/products');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Node connection/);
  assert.doesNotMatch(page.body, /E-commerce/);
  assert.match(page.body, /<form method="post" action="\/portal\/subscriptions"><input type="hidden" name="_csrf"/);
  const refused = await portal.post('/portal/subscriptions', { productId: await productId(db, 'ecommerce'), environment: 'test', name: 'Sneaky' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /not among those you may subscribe to/);
  const noName = await portal.post('/portal/subscriptions', { productId: await productId(db, 'node'), environment: 'test', name: '  ' });
  assert.equal(noName.statusCode, 400);
  const noCsrf = await app.inject({
    method: 'POST',
    url: '/portal/subscriptions',
    headers: { cookie: portal.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'productId=prd_node&environment=test&name=x',
  });
  assert.equal(noCsrf.statusCode, 403);
});

test('subscribing submits the request: administrators are e-mailed, keys cannot be shown yet', async () => {
  const res = await portal.post('/portal/subscriptions', { productId: await productId(db, 'node'), environment: 'test', name: 'Collaudo nodo' });
  assert.equal(res.statusCode, 303);
  subscriptionId = idFrom(res.headers.location);
  const page = await portal.get(String(res.headers.location));
  assert.match(page.body, /data-state="submitted"/);
  assert.match(page.body, /an administrator will review it/);
  assert.doesNotMatch(page.body, /\/reveal"/);
  const submitted = await mails('subscription_submitted');
  assert.deepEqual(
    submitted.map((m) => [m.to, m.params.subscriptionName, m.params.organisationName]),
    [[adminAccount.email, 'Collaudo nodo', 'Banca Portale']],
  );
  assert.match(submitted[0]!.params.link!, new RegExp(`/admin/subscriptions/${subscriptionId}$`));
  const reveal = await portal.post(`/portal/subscriptions/${subscriptionId}/keys/primary/reveal`);
  assert.equal(reveal.statusCode, 409);
  assert.match(reveal.body, /not active/);
});

test('the administrator sees the pending request and approves it; the referent is e-mailed', async () => {
  const list = await admin.get('/admin/subscriptions');
  assert.match(list.body, new RegExp(`href="/admin/subscriptions/${subscriptionId}"`));
  const res = await admin.post(`/admin/subscriptions/${subscriptionId}/approve`);
  assert.equal(res.statusCode, 303);
  const page = await admin.get(String(res.headers.location));
  assert.match(page.body, /data-state="active"/);
  assert.match(page.body, /href="\/admin\/subscriptions\/sub_[0-9a-z]+\/suspend"/, 'suspend is offered, asked first');
  const approved = await mails('subscription_approved');
  assert.deepEqual(
    approved.map((m) => [m.to, m.params.firstName]),
    [[referent.email, 'Rita']],
  );
  const again = await admin.post(`/admin/subscriptions/${subscriptionId}/approve`);
  assert.equal(again.statusCode, 409);
});

let primary = '';
let secondary = '';

test('each key is shown once after activation; afterwards only its prefix and last four characters', async () => {
  const res = await portal.post(`/portal/subscriptions/${subscriptionId}/keys/primary/reveal`);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['cache-control']), /no-store/);
  primary = shownKey(res.body);
  // The development certificate (no VARCO_TLS_CERT): the ping example trusts its CA, never -k.
  const ca = join(config.dataDir, 'pki', 'server-ca.crt');
  assert.ok(res.body.includes(`<code>curl --cacert ${ca} -H "Ocp-Apim-Subscription-Key: …" http://localhost:80/api/v1/ping</code>`), res.body);
  // Before any call with a key the page says so (a later test checks a ping appears).
  assert.match((await portal.get('/portal/subscriptions')).body, /<td[^>]*>never<\/td><\/tr>/);
  assert.equal((await ping(primary)).statusCode, 200);
  const second = await portal.post(`/portal/subscriptions/${subscriptionId}/keys/primary/reveal`);
  assert.equal(second.statusCode, 409);
  assert.match(second.body, /shown already/);
  assert.equal(second.body.includes(primary), false);
  secondary = shownKey((await portal.post(`/portal/subscriptions/${subscriptionId}/keys/secondary/reveal`)).body);
  const page = await portal.get(`/portal/subscriptions/${subscriptionId}`);
  assert.ok(page.body.includes(`vk_test_…${primary.slice(-4)}`));
  assert.equal(page.body.includes(primary), false);
  assert.equal(page.body.includes(secondary), false);
});

test('a ping shows as the last inbound verification in the portal and the back office', async () => {
  assert.equal((await ping(secondary)).statusCode, 200);
  await services.keyVerifier.flush();
  const verified = (await services.subscriptions.get(subscriptionId))?.inbound_verified_at;
  assert.ok(verified instanceof Date);
  // As the pages show a ping: to the second. (To the minute, the stamp matched the subscription's creation
  // time beside it, and failed whenever the ping fell in a later minute than the creation.)
  const stamp = formatDateTime('en', verified, { seconds: true });
  assert.ok((await portal.get('/portal/subscriptions')).body.includes(stamp));
  assert.ok((await admin.get(`/admin/subscriptions/${subscriptionId}`)).body.includes(stamp));
  assert.ok((await admin.get(`/admin/organisations/${org}`)).body.includes(stamp), 'the organisation page lists its subscriptions');
});

test('regenerating the primary key with no overlap: the old key is refused, the new one and the secondary work', async () => {
  const bad = await portal.post(`/portal/subscriptions/${subscriptionId}/keys/primary/regenerate`, { overlapHours: '99' });
  assert.equal(bad.statusCode, 400);
  const res = await portal.post(`/portal/subscriptions/${subscriptionId}/keys/primary/regenerate`, { overlapHours: '0' });
  assert.equal(res.statusCode, 200);
  const next = shownKey(res.body);
  assert.equal((await ping(primary)).statusCode, 401);
  assert.equal((await ping(next)).statusCode, 200);
  assert.equal((await ping(secondary)).statusCode, 200);
  const overlap = await portal.post(`/portal/subscriptions/${subscriptionId}/keys/secondary/regenerate`, { overlapHours: '24' });
  assert.match(overlap.body, /Old key valid until/);
  assert.equal((await ping(secondary)).statusCode, 200, 'inside the overlap');
  assert.equal((await ping(shownKey(overlap.body))).statusCode, 200);
});

test('with an operator certificate (VARCO_TLS_CERT) the ping example is plain curl', async () => {
  const operator = await buildTestApp({ env: { VARCO_TLS_CERT: 'operator.crt', VARCO_TLS_KEY: 'operator.key' } });
  const orgId = await createOrganisation(operator.database.db);
  const keys = await issueKeys(operator.services, orgId);
  const browser = await new Browser(operator.app, 'portal').signIn((await createReferent(operator.database.db, orgId, ['node'])).email);
  const res = await browser.post(`/portal/subscriptions/${keys.id}/keys/primary/regenerate`, { overlapHours: '0' });
  assert.equal(res.statusCode, 200);
  assert.ok(res.body.includes('<code>curl -H "Ocp-Apim-Subscription-Key: …" http://localhost:80/api/v1/ping</code>'), res.body);
});

test("another organisation's referent gets 404 for every page and action on this subscription", async () => {
  const otherOrg = await createOrganisation(db, 'Altra Banca');
  const other = await new Browser(app, 'portal').signIn((await createReferent(db, otherOrg, ['node', 'ecommerce'])).email);
  assert.equal((await other.get(`/portal/subscriptions/${subscriptionId}`)).statusCode, 404);
  for (const action of ['keys/primary/reveal', 'keys/secondary/regenerate', 'cancel']) {
    const res = await other.post(`/portal/subscriptions/${subscriptionId}/${action}`, { overlapHours: '0' });
    assert.equal(res.statusCode, 404, action);
  }
  assert.equal((await other.get('/portal/subscriptions/sub_00000000000000000000000000')).statusCode, 404);
  assert.equal((await other.get('/portal/subscriptions/not-an-id')).statusCode, 404);
  assert.equal((await other.get('/portal/subscriptions')).body.includes(subscriptionId), false);
  assert.equal((await services.subscriptions.get(subscriptionId))?.state, 'active', 'nothing changed');
});

test('the referent cancels: keys stop at once, the referent is e-mailed, and the page speaks Italian for an Italian referent', async () => {
  const res = await portal.post(`/portal/subscriptions/${subscriptionId}/cancel`);
  assert.equal(res.statusCode, 303);
  assert.equal((await ping(secondary)).statusCode, 401);
  assert.equal((await mails('subscription_cancelled')).length, 1);
  assert.equal((await portal.post(`/portal/subscriptions/${subscriptionId}/cancel`)).statusCode, 409);
  const italian = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['node'], 'it')).email);
  const page = await italian.get(`/portal/subscriptions/${subscriptionId}`);
  assert.equal(page.statusCode, 200, 'a colleague of the same organisation sees it');
  assert.match(page.body, /annullata/);
  assert.match((await italian.get('/portal/products')).body, /Sottoscrivi/);
});

test('every subscription change, reveal and regeneration is audited with actor and IP, without secrets', async () => {
  const rows = await db
    .selectFrom('audit_log')
    .select(['action', 'actor_type', 'ip', 'details'])
    .where('subject_id', '=', subscriptionId)
    .orderBy('seq')
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.action, r.actor_type]),
    [
      ['subscription.submitted', 'referent'],
      ['subscription.approved', 'admin'],
      ['api_key.revealed', 'referent'],
      ['api_key.revealed', 'referent'],
      ['api_key.regenerated', 'referent'],
      ['api_key.regenerated', 'referent'],
      ['subscription.cancelled', 'referent'],
    ],
  );
  assert.ok(rows.every((r) => typeof r.ip === 'string' && r.ip.length > 0));
  const text = JSON.stringify(rows);
  for (const key of [primary, secondary]) assert.equal(text.includes(key.slice(8)), false);
});
