import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';

// The error log's search (issue 14), in the portal (the referent's merchant only) and the back office
// (every row): filters by code, PSPID/ORDERID text, environment and dates; pages of 50, newest first,
// through a cursor; the search as CSV; another organisation's rows never shown.

const { app, services, database } = await buildTestApp();
const db = database.db;
const CLI = { type: 'cli', id: null, ip: null } as const;

async function merchantOf(name: string, pspid: string) {
  const org = await createOrganisation(db, name);
  await issueKeys(services, org, 'ecommerce', 'test');
  const created = await services.merchants.create({ organisationId: org, pspid }, CLI);
  assert.ok(created.ok);
  const portal = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['ecommerce'])).email);
  return { id: created.value.id, portal };
}

const mine = await merchantOf('Ferramenta Spa', 'FERRAMENTA');
const theirs = await merchantOf('Altro Negozio', 'ALTRONEG');
const admin = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);

/** One rejection written at `at` (the writer stamps the clock's now; the row is then moved in time). */
async function reject(merchantId: string, pspid: string, orderRef: string, code: string, at: Date, env: 'test' | 'prod' = 'test'): Promise<string> {
  const id = await services.errorLog.recordEntryError({
    merchantId,
    env,
    pspid,
    orderRef,
    code,
    message: `refused ${orderRef}`,
    clientIp: null,
    referrer: null,
  });
  await db.updateTable('ecommerce_errors').set({ created_at: at }).where('id', '=', id).execute();
  return id;
}

const day = (d: string, minute = 0): Date => new Date(`${d}T10:${String(minute).padStart(2, '0')}:00Z`);
await reject(mine.id, 'FERRAMENTA', 'SHOP-A1', '50001184', day('2026-03-01'));
await reject(mine.id, 'FERRAMENTA', 'SHOP-B2', '50001111', day('2026-03-02'));
await reject(mine.id, 'FERRAMENTA', 'SHOP-C3', '50001184', day('2026-03-03'), 'prod');
await reject(theirs.id, 'ALTRONEG', 'SHOP-A1-THEIRS', '50001184', day('2026-03-02'));
// 51 rows on one day, a minute apart: one page of 50 and one more.
for (let i = 0; i < 51; i++) await reject(mine.id, 'FERRAMENTA', `BULK-${String(i).padStart(2, '0')}`, '50001000', day('2026-02-01', i));

const base = `/portal/merchants/${mine.id}/errors`;
const orderRefs = (body: string): string[] =>
  [...body.matchAll(/<tr data-error="err_[0-9a-z]+">[\s\S]*?<td[^>]*><code>([^<]*)<\/code>/g)].map((m) => m[1] ?? '');

test('filters: code, part of the ORDERID or PSPID, environment and an inclusive date range', async () => {
  assert.deepEqual(orderRefs((await mine.portal.get(`${base}?code=50001184`)).body), ['SHOP-C3', 'SHOP-A1']);
  assert.deepEqual(orderRefs((await mine.portal.get(`${base}?q=shop-b`)).body), ['SHOP-B2']);
  assert.deepEqual(orderRefs((await mine.portal.get(`${base}?q=ferramenta&env=prod`)).body), ['SHOP-C3']);
  assert.deepEqual(orderRefs((await mine.portal.get(`${base}?from=2026-03-01&to=2026-03-02`)).body), ['SHOP-B2', 'SHOP-A1']);
  const none = await mine.portal.get(`${base}?code=12345678`);
  assert.equal(none.statusCode, 200);
  assert.match(none.body, /No error matches the search\./);
  assert.match(none.body, /<input id="e-code" name="code"[^>]*value="12345678">/, 'the form keeps what was searched');
});

test('pages of 50, newest first: the older page starts after the last row shown and keeps the search', async () => {
  const first = await mine.portal.get(`${base}?code=50001000`);
  const rows = orderRefs(first.body);
  assert.equal(rows.length, 50);
  assert.equal(rows[0], 'BULK-50');
  assert.equal(rows[49], 'BULK-01');
  const older = /<a href="([^"]+)" rel="next">/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(older, 'a link to the older page');
  assert.match(older, /code=50001000/);
  const second = await mine.portal.get(older);
  assert.deepEqual(orderRefs(second.body), ['BULK-00']);
  assert.doesNotMatch(second.body, /rel="next"/, 'no page after the last');
  assert.match(second.body, /rel="first"/, 'a way back to the newest');
  assert.equal((await mine.portal.get(`${base}?before=not-a-cursor`)).statusCode, 400);
  assert.equal((await mine.portal.get(`${base}?from=2026-02-30`)).statusCode, 400, 'an impossible date is a validation error, not a 500');
  assert.equal((await mine.portal.get(`${base}?env=staging`)).statusCode, 400);
});

test('the CSV holds the whole search (every page), one row per error, with its columns', async () => {
  const res = await mine.portal.get(`${base}.csv?code=50001184`);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/csv/);
  const lines = res.body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  assert.equal(lines[0], 'created_at,environment,pspid,orderid,code,message,client_ip,referrer,id');
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(',').slice(0, 6).join(',')),
    ['2026-03-03T10:00:00.000Z,prod,FERRAMENTA,SHOP-C3,50001184,refused SHOP-C3', '2026-03-01T10:00:00.000Z,test,FERRAMENTA,SHOP-A1,50001184,refused SHOP-A1'],
  );
  const all = await mine.portal.get(`${base}.csv?code=50001000`);
  assert.equal(all.body.trimEnd().split('\r\n').length, 1 + 51, 'not only the first page');
});

test("tenancy: another organisation's rows are never in the portal's search or CSV; the back office sees every row", async () => {
  const found = await mine.portal.get(`${base}?q=SHOP-A1`);
  assert.deepEqual(orderRefs(found.body), ['SHOP-A1']);
  assert.doesNotMatch((await mine.portal.get(`${base}.csv?q=THEIRS`)).body, /THEIRS/);
  assert.equal((await theirs.portal.get(`${base}`)).statusCode, 404, "the other organisation cannot open this merchant's log");
  assert.equal((await theirs.portal.get(`${base}.csv`)).statusCode, 404);
  const everyone = await admin.get('/admin/errors?q=SHOP-A1');
  assert.equal(everyone.statusCode, 200);
  assert.deepEqual(orderRefs(everyone.body), ['SHOP-A1-THEIRS', 'SHOP-A1']);
  const csv = await admin.get('/admin/errors.csv?code=50001184');
  assert.equal(csv.body.trimEnd().split('\r\n').length, 1 + 3);
  assert.equal((await mine.portal.get('/admin/errors')).statusCode === 200, false, 'a referent is not an administrator');
});
