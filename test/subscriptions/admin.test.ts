import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent, issueKeys, productId } from '../support/subscriptions.ts';

// The back office: rejection with a comment, suspension and reactivation, and the product catalogue
// (route groups, approval per environment, rate limit) with its effect on new subscriptions.

const { app, services, database } = await buildTestApp();
const db = database.db;
const admin = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);
const org = await createOrganisation(db, 'Comune di Prova');
const referent = await createReferent(db, org, ['node', 'ecommerce'], 'it');
const portal = await new Browser(app, 'portal').signIn(referent.email);
const ping = (key: string) => app.inject({ method: 'GET', url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': key } });

async function subscribe(code: string, environment: 'test' | 'prod', name: string): Promise<string> {
  const res = await portal.post('/portal/subscriptions', { productId: await productId(db, code), environment, name });
  assert.equal(res.statusCode, 303, res.body);
  return /\/(sub_[0-9a-z]+)/.exec(String(res.headers.location))?.[1] ?? '';
}

test('a rejection needs a comment, which the referent reads on the page and in the e-mail', async () => {
  const id = await subscribe('ecommerce', 'prod', 'Negozio');
  const missing = await admin.post(`/admin/subscriptions/${id}/reject`, { comment: ' ' });
  assert.equal(missing.statusCode, 400);
  assert.match(missing.body, /needs a comment/);
  assert.equal((await admin.post(`/admin/subscriptions/${id}/reject`, { comment: 'Manca il contratto firmato.' })).statusCode, 303);
  const page = await portal.get(`/portal/subscriptions/${id}`);
  assert.match(page.body, /rifiutata/);
  assert.match(page.body, /Manca il contratto firmato\./);
  const mail = await db.selectFrom('outbox').select('payload').where('subject_id', '=', id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  assert.deepEqual((mail.payload as { template: string; params: Record<string, string> }).template, 'subscription_rejected');
  assert.equal((mail.payload as { params: Record<string, string> }).params.comment, 'Manca il contratto firmato.');
  assert.equal((await admin.post(`/admin/subscriptions/${id}/approve`)).statusCode, 409, 'a rejected subscription cannot be approved');
});

test('suspend and reactivate from the back office; the pending list and the state filter', async () => {
  const keys = await issueKeys(services, org);
  assert.equal((await admin.post(`/admin/subscriptions/${keys.id}/suspend`, { comment: 'Test' })).statusCode, 303);
  assert.equal((await ping(keys.primary)).statusCode, 401);
  const suspended = await admin.get('/admin/subscriptions?state=suspended');
  assert.match(suspended.body, new RegExp(keys.id));
  assert.doesNotMatch((await admin.get('/admin/subscriptions?state=active')).body, new RegExp(`/admin/subscriptions/${keys.id}"`));
  assert.equal((await admin.post(`/admin/subscriptions/${keys.id}/reactivate`)).statusCode, 303);
  assert.equal((await ping(keys.primary)).statusCode, 200);
  const stale = await admin.post(`/admin/subscriptions/${keys.id}/reactivate`);
  assert.equal(stale.statusCode, 409, 'decided meanwhile (a stale tab)');
  assert.match(stale.body, /Nothing was done: the subscription had already changed/);
  assert.match(stale.body, /data-state="active"/, 'its page as it is now');
  assert.equal((await admin.get('/admin/subscriptions/sub_00000000000000000000000000')).statusCode, 404);
  // Referents cannot reach the back office at all.
  assert.equal((await app.inject({ method: 'GET', url: '/admin/subscriptions', headers: { cookie: portal.jar.header() } })).statusCode, 303);
});

test('the product catalogue: edit route groups, approval per environment and rate limit; bad input is explained', async () => {
  const page = await admin.get('/admin/products');
  assert.match(page.body, /<code>node<\/code>/);
  const bad = await admin.post('/admin/products', {
    code: 'Bad Code',
    name: 'X',
    routeGroups: 'ping',
    rateLimitPerMinute: '10',
    approvalTest: '1',
    approvalProd: '1',
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /The code must be/);
  const noGroup = await admin.post('/admin/products', { code: 'reports', name: 'Reports', rateLimitPerMinute: '10' });
  assert.match(noGroup.body, /at least one route group/);
  const created = await admin.post('/admin/products', {
    code: 'reports',
    name: 'Reports',
    description: 'Daily reports',
    routeGroups: ['ping', 'orders'],
    rateLimitPerMinute: '120',
    approvalProd: '1',
  });
  assert.equal(created.statusCode, 303);
  const product = await db.selectFrom('products').selectAll().where('code', '=', 'reports').executeTakeFirstOrThrow();
  assert.deepEqual(
    [product.route_groups, product.approval_required_test, product.approval_required_prod, product.rate_limit_per_minute],
    [['ping', 'orders'], false, true, 120],
  );
  const updated = await admin.post(`/admin/products/${product.id}`, {
    code: 'reports',
    name: 'Reports',
    description: 'Daily reports',
    routeGroups: 'ping',
    rateLimitPerMinute: '60',
    approvalProd: '1',
  });
  assert.equal(updated.statusCode, 303);
  assert.equal((await services.products.get(product.id))?.rate_limit_per_minute, 60);
  const audit = await db.selectFrom('audit_log').select('action').where('subject_id', '=', product.id).orderBy('seq').execute();
  assert.deepEqual(
    audit.map((r) => r.action),
    ['product.created', 'product.updated'],
  );
});

test('a product that needs no approval in test makes the subscription active at once; production still waits', async () => {
  await db
    .insertInto('user_products')
    .values({ user_id: referent.id, product_id: (await db.selectFrom('products').select('id').where('code', '=', 'reports').executeTakeFirstOrThrow()).id })
    .execute();
  const instant = await subscribe('reports', 'test', 'Rapporti collaudo');
  assert.equal((await services.subscriptions.get(instant))?.state, 'active');
  assert.match((await portal.get(`/portal/subscriptions/${instant}?created=active`)).body, /attiva/);
  const waiting = await subscribe('reports', 'prod', 'Rapporti produzione');
  assert.equal((await services.subscriptions.get(waiting))?.state, 'submitted');
});
