import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin } from '../support/subscriptions.ts';
import { newId } from '../../src/kernel/ids.ts';

// The back office's organisations list with many organisations: by name, 50 a page, every one once;
// searchable by part of the name, tax code or e-mail (taken literally) and by type; a refused
// creation comes back on the first page with the field at fault marked. Bad input is a 400.

const { app, services, database } = await buildTestApp();
const db = database.db;
const backOffice = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);

// 60 organisations, two with the same name (the id breaks the tie), one whose name holds LIKE's wildcards.
const names = Array.from({ length: 56 }, (_, i) => `Ente ${String(i).padStart(2, '0')}`);
names.push('Ente 10', 'Sconto 50%_pieno', 'Sconto 50 pieno', 'ente minuscolo');
for (const [i, name] of names.entries()) {
  await db
    .insertInto('organisations')
    .values({
      id: newId('org'),
      name,
      tax_code: `TC-LIST-${String(i).padStart(3, '0')}`,
      tax_code_kind: 'other',
      type: i % 3 === 0 ? 'psp' : 'creditor_institution',
      contact_email: `it${i}@ente.test`,
    })
    .execute();
}

const idsOf = (body: string): string[] => [...body.matchAll(/<tr data-organisation="(org_[0-9a-z]+)">/g)].map((m) => m[1] ?? '');
const namesOf = (body: string): string[] => [...body.matchAll(/<tr data-organisation="org_[0-9a-z]+"><td[^>]*><a [^>]+>([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
const nextOf = (body: string): string | undefined => /<a href="([^"]+)" rel="next">/.exec(body)?.[1]?.replaceAll('&amp;', '&');

test('the list pages by name: 50, then the rest, each organisation once, ties broken by id', async () => {
  const first = await backOffice.get('/admin/organisations');
  assert.equal(first.statusCode, 200);
  assert.equal(idsOf(first.body).length, 50);
  const next = nextOf(first.body);
  assert.match(next ?? '', /^\/admin\/organisations\?after=org_/);
  assert.ok(next);
  const second = await backOffice.get(next);
  assert.equal(idsOf(second.body).length, 10);
  assert.equal(nextOf(second.body), undefined);
  assert.match(second.body, /<a href="\/admin\/organisations" rel="first">First organisations<\/a>/);
  const all = [...idsOf(first.body), ...idsOf(second.body)];
  assert.equal(new Set(all).size, 60);
  const shown = [...namesOf(first.body), ...namesOf(second.body)];
  const lower = (n: string): string => n.toLowerCase();
  assert.deepEqual(
    shown.map(lower),
    names.map(lower).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    'by name, whatever the capitals',
  );
  assert.equal(shown.at(-3), 'ente minuscolo', 'a lower-case name among its peers, not after every capital');
  assert.equal(shown.filter((n) => n === 'Ente 10').length, 2);
});

test('the search finds part of a name, tax code or e-mail, any case, literally; and by type, kept across pages', async () => {
  assert.deepEqual(
    namesOf((await backOffice.get('/admin/organisations?q=ENTE%200')).body),
    Array.from({ length: 10 }, (_, i) => `Ente 0${i}`),
  );
  assert.deepEqual(namesOf((await backOffice.get('/admin/organisations?q=tc-list-057')).body), ['Sconto 50%_pieno']);
  assert.deepEqual(namesOf((await backOffice.get('/admin/organisations?q=it7%40ente')).body), ['Ente 07']);
  assert.deepEqual(
    namesOf((await backOffice.get(`/admin/organisations?q=${encodeURIComponent('50%_')}`)).body),
    ['Sconto 50%_pieno'],
    '% and _ are no wildcards',
  );
  // Folded by PostgreSQL on both sides: an accented capital is found by its lower case.
  await db
    .insertInto('organisations')
    .values({ id: newId('org'), name: 'CITTÀ DI PROVA', tax_code: 'TC-LIST-ACC', tax_code_kind: 'other', type: 'merchant', contact_email: 'it@citta.test' })
    .execute();
  assert.deepEqual(namesOf((await backOffice.get(`/admin/organisations?q=${encodeURIComponent('città')}`)).body), ['CITTÀ DI PROVA']);
  const none = await backOffice.get('/admin/organisations?q=nessuno-come-questo');
  assert.match(none.body, /No organisation matches the search\./);

  const psps = await backOffice.get('/admin/organisations?type=psp');
  assert.equal(idsOf(psps.body).length, 20);
  assert.match(psps.body, /<option value="psp" selected>/);
  const byType = await backOffice.get('/admin/organisations?type=creditor_institution');
  assert.equal(idsOf(byType.body).length, 40);
  assert.equal(nextOf(byType.body), undefined);
  const italian = await backOffice.get('/admin/organisations?q=zzz&lang=it');
  assert.match(italian.body, /Nessuna organizzazione corrisponde alla ricerca\./);
});

test('malformed searches are refused with their reason, never a 500', async () => {
  for (const [query, reason] of [
    ['type=bank', /type must be one of/],
    ['after=garbage', /The page link is not valid/],
    ['after=org_00000000000000000000000000', /The page link is not valid/],
    [`q=${'x'.repeat(101)}`, /q must be at most 100 characters/],
  ] as const) {
    const res = await backOffice.get(`/admin/organisations?${query}`);
    assert.equal(res.statusCode, 400, query);
    assert.match(res.body, reason, query);
  }
});

test('a refused creation comes back with the typed values, its message focused and the field at fault marked', async () => {
  const refused = await backOffice.post('/admin/organisations', {
    name: 'Banca Doppia',
    taxCode: 'TC-LIST-001',
    taxCodeKind: 'other',
    type: 'psp',
    contactEmail: 'it@doppia.test',
  });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /<p class="error" id="form-error" role="alert" tabindex="-1" autofocus>An organisation with this tax code already exists\.<\/p>/);
  assert.match(
    refused.body,
    /<input id="taxCode" name="taxCode" required maxlength="40" value="TC-LIST-001" aria-invalid="true" aria-describedby="form-error">/,
  );
  assert.match(refused.body, /<input id="name" name="name" required maxlength="200" value="Banca Doppia">/, 'the name is not at fault');
  assert.equal(idsOf(refused.body).length, 50, 'the first page of the list');
});
