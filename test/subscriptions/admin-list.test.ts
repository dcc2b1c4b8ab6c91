import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, CLI, createAdmin, createOrganisation } from '../support/subscriptions.ts';

// The back office's subscriptions with many of them: newest first, 50 a page, every one once (the id
// breaks ties between subscriptions created in the same millisecond); searchable by part of the name
// or id, state and environment, the search kept across pages. Bad input is a 400 with its reason.

const { app, services, database } = await buildTestApp();
const db = database.db;
const backOffice = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);
const org = await createOrganisation(db, 'Banca Molte');
const ids: string[] = [];
for (let i = 0; i < 56; i++) {
  const created = await services.apiKeys.createActive(
    {
      organisationId: org,
      productCode: 'node',
      environment: i % 4 === 0 ? 'prod' : 'test',
      name: `conn-${String(i).padStart(2, '0')}${i === 7 ? '_50%' : ''}`,
    },
    CLI,
  );
  assert.ok(created.ok);
  ids.push(created.value.id);
}
// Two created in the same millisecond as another: the cursor must still give each once.
await db
  .updateTable('subscriptions')
  .set({ created_at: new Date('2026-01-01T00:00:00Z') })
  .where('id', 'in', ids.slice(10, 13))
  .execute();
assert.ok((await services.subscriptions.change(ids[3] ?? '', 'suspend', CLI, { comment: 'test' })).ok);

const idsOf = (body: string): string[] => [...body.matchAll(/href="\/admin\/subscriptions\/(sub_[0-9a-z]+)"/g)].map((m) => m[1] ?? '');
const olderOf = (body: string): string | undefined => /<a href="([^"]+)" rel="next">/.exec(body)?.[1]?.replaceAll('&amp;', '&');
/** The "All subscriptions" table (after the pending requests). */
const allSection = (body: string): string => body.slice(body.indexOf('id="s-q"'));

test('pages of 50, newest first, each subscription once, ties broken', async () => {
  const first = await backOffice.get('/admin/subscriptions');
  assert.equal(first.statusCode, 200);
  const page1 = idsOf(allSection(first.body));
  assert.equal(page1.length, 50);
  assert.equal(page1[0], ids.at(-1), 'the newest first');
  const older = olderOf(first.body);
  assert.match(older ?? '', /^\/admin\/subscriptions\?before=sub_/);
  const second = await backOffice.get(older ?? '');
  const page2 = idsOf(allSection(second.body));
  assert.equal(page2.length, 6);
  assert.equal(olderOf(second.body), undefined);
  assert.match(second.body, /<a href="\/admin\/subscriptions" rel="first">Newest subscriptions<\/a>/);
  assert.deepEqual(new Set([...page1, ...page2]), new Set(ids));
});

test('the search narrows by name or id (literally), state and environment, and is kept in the page links', async () => {
  const named = await backOffice.get('/admin/subscriptions?q=CONN-0');
  assert.equal(idsOf(allSection(named.body)).length, 10);
  assert.deepEqual(idsOf(allSection((await backOffice.get(`/admin/subscriptions?q=${encodeURIComponent('_50%')}`)).body)), [ids[7]]);
  assert.deepEqual(idsOf(allSection((await backOffice.get(`/admin/subscriptions?q=${ids[20]}`)).body)), [ids[20]]);
  assert.deepEqual(idsOf(allSection((await backOffice.get('/admin/subscriptions?state=suspended')).body)), [ids[3]]);
  const prod = await backOffice.get('/admin/subscriptions?env=prod');
  assert.equal(idsOf(allSection(prod.body)).length, 14);
  assert.match(prod.body, /<option value="prod" selected>/);
  const all = await backOffice.get('/admin/subscriptions?q=conn');
  assert.match(olderOf(all.body) ?? '', /^\/admin\/subscriptions\?q=conn&before=sub_/, 'the search stays in the link');
  assert.match((await backOffice.get('/admin/subscriptions?q=nothing-like-it')).body, /No subscription matches the search\./);
  assert.match((await backOffice.get('/admin/subscriptions?q=nothing-like-it&lang=it')).body, /Nessuna sottoscrizione corrisponde alla ricerca\./);
});

test('malformed searches are refused with their reason, never a 500', async () => {
  for (const [query, reason] of [
    ['state=paused', /state must be one of/],
    ['env=staging', /env must be one of test, prod/],
    ['before=garbage', /The page link is not valid/],
    ['before=sub_00000000000000000000000000', /The page link is not valid/],
    [`q=${'x'.repeat(101)}`, /q must be at most 100 characters/],
  ] as const) {
    const res = await backOffice.get(`/admin/subscriptions?${query}`);
    assert.equal(res.statusCode, 400, query);
    assert.match(res.body, reason, query);
  }
});

test('the search finds a subscription by its organisation\u2019s name', async () => {
  const other = await createOrganisation(db, 'Comune di Altrove');
  const created = await services.apiKeys.createActive({ organisationId: other, productCode: 'node', environment: 'test' }, CLI);
  assert.ok(created.ok);
  assert.deepEqual(idsOf(allSection((await backOffice.get('/admin/subscriptions?q=altrove')).body)), [created.value.id]);
});
