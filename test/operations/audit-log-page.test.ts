import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { tamper } from '../support/db.ts';
import { Browser, createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { newId } from '../../src/kernel/ids.ts';

// The back office's audit log (docs/security.md 44): an administrator reads who did what, to what,
// when and from where, newest first, searches it by organisation, action, who, subject and dates,
// pages through it without losing or repeating a row while rows are appended, downloads the search as
// CSV and checks the chain as `varco audit verify` does. Referents and anonymous visitors never reach
// it; malformed searches are refused as input.

const { app, services, database, audit } = await buildTestApp();
const db = database.db;
const admin = await createAdmin(services);
const backOffice = await new Browser(app, 'admin').signIn(admin.email);
const banca = await createOrganisation(db, 'Banca Alfa');
const comune = await createOrganisation(db, 'Comune di Beta');
const referent = await createReferent(db, banca, ['node']);
const portal = await new Browser(app, 'portal').signIn(referent.email);

// The administrator disables and enables Banca Alfa's referent: two rows naming the admin, the organisation and the user.
assert.equal((await backOffice.post(`/admin/users/${referent.id}/disable`)).statusCode, 303);
assert.equal((await backOffice.post(`/admin/users/${referent.id}/enable`)).statusCode, 303);
// A row about the other organisation, written as a service would.
await db.transaction().execute((trx) =>
  audit.append(trx, {
    actorType: 'system',
    action: 'station.flagged',
    subjectType: 'station',
    subjectId: 'sta_beta',
    organisationId: comune,
    details: { failures: 3 },
  }),
);

const rowsOf = (body: string): string[] => [...body.matchAll(/<tr data-audit="(\d+)">/g)].map((m) => m[1] ?? '');
const actionsOf = (body: string): string[] => [...body.matchAll(/<tr data-audit="\d+">.*?<code>([a-z_.]+)<\/code>/gs)].map((m) => m[1] ?? '');

test('the page lists the newest rows first, naming the administrator, the organisation and the subject, in both languages', async () => {
  const page = await backOffice.get('/admin/audit');
  assert.equal(page.statusCode, 200);
  const seqs = rowsOf(page.body).map(Number);
  assert.ok(seqs.length >= 4, 'sign-ins, the disable/enable and the station row');
  assert.deepEqual(
    seqs,
    [...seqs].sort((a, b) => b - a),
    'newest first',
  );
  assert.deepEqual(actionsOf(page.body).slice(0, 3), ['station.flagged', 'user.enabled', 'user.disabled']);
  const disabledRow = page.body.slice(page.body.indexOf('<code>user.disabled</code>') - 400, page.body.indexOf('<code>user.disabled</code>') + 800);
  assert.match(disabledRow, /Account disabled/);
  assert.ok(disabledRow.includes(admin.email), 'the acting administrator by e-mail');
  assert.match(disabledRow, new RegExp(`<a href="/admin/organisations/${banca}">Banca Alfa</a>`));
  assert.match(disabledRow, new RegExp(`<code>${referent.id}</code>`));
  assert.match(page.body, /<a href="\/admin\/stations\/sta_beta"><code>sta_beta<\/code><\/a>/, 'a station subject links to its page');
  assert.match(page.body, /<dt><code>failures<\/code><\/dt><dd><code>3<\/code><\/dd>/, 'details shown');
  assert.match(page.body, /<a href="\/admin\/audit" aria-current="page">Audit log<\/a>/, 'in the menu, current');

  const italian = await backOffice.get('/admin/audit?lang=it');
  assert.match(italian.body, /<h1>Registro di audit<\/h1>/);
  assert.match(italian.body, /Account disattivato/);
  assert.match(italian.body, /Amministratore/);

  const orgPage = await backOffice.get(`/admin/organisations/${banca}`);
  assert.match(orgPage.body, new RegExp(`<a href="/admin/audit\\?org=${banca}">`), 'the organisation page links to its rows');
});

test('the search narrows by organisation, action, who, subject and dates', async () => {
  const byOrg = await backOffice.get(`/admin/audit?org=${comune}`);
  assert.deepEqual(actionsOf(byOrg.body), ['station.flagged']);
  assert.match(byOrg.body, new RegExp(`<input id="a-org" name="org" maxlength="100" value="${comune}"`), 'the form keeps the id');
  assert.match(byOrg.body, /<p id="a-org-hint"><small>The organisation Comune di Beta\.<\/small><\/p>/, 'and names it');
  // Or part of a name or tax code, any case, taken literally; the page never lists every organisation.
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?org=DI%20BETA')).body), ['station.flagged']);
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?org=alfa&action=user.')).body), ['user.enabled', 'user.disabled']);
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?org=Banca_Alfa')).body), [], '_ is no wildcard');
  const taxCode = (await db.selectFrom('organisations').select('tax_code').where('id', '=', comune).executeTakeFirstOrThrow()).tax_code;
  assert.deepEqual(actionsOf((await backOffice.get(`/admin/audit?org=${taxCode.slice(2).toUpperCase()}`)).body), ['station.flagged']);
  const byText = await backOffice.get('/admin/audit?org=beta');
  assert.match(byText.body, /<p id="a-org-hint"><small>Part of its name or tax code, or its id \(org_…\)\.<\/small><\/p>/);
  const unknown = await backOffice.get(`/admin/audit?org=org_${'0'.repeat(26)}&lang=it`);
  assert.deepEqual(actionsOf(unknown.body), []);
  assert.match(unknown.body, /<p id="a-org-hint"><small>Nessuna organizzazione ha questo id\.<\/small><\/p>/);
  assert.doesNotMatch(byText.body, /<option value="org_/);

  const byAction = await backOffice.get('/admin/audit?action=user.');
  assert.deepEqual(actionsOf(byAction.body), ['user.enabled', 'user.disabled']);
  // The prefix is literal: `_` is no wildcard.
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?action=sign_in.succ')).body).length > 0, true);
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?action=signXin')).body), []);

  const byWho = await backOffice.get(`/admin/audit?who=${encodeURIComponent(admin.email.slice(0, 12).toUpperCase())}&action=user.`);
  assert.deepEqual(actionsOf(byWho.body), ['user.enabled', 'user.disabled'], 'e-mail contains, any case');
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?who=nobody-like-this')).body), []);
  assert.match((await backOffice.get('/admin/audit?who=nobody-like-this')).body, /No row matches the search\./);
  // However many accounts match, every one's rows are searched (not the first few hundred).
  const many = Array.from({ length: 260 }, (_, i) => ({
    id: newId('usr'),
    kind: 'referent' as const,
    email: `bulk${String(i).padStart(3, '0')}@many.test`,
    organisation_id: banca,
  }));
  await db.insertInto('users').values(many).execute();
  const last = many.at(-1)?.id ?? '';
  await db.transaction().execute((trx) => audit.append(trx, { actorType: 'referent', actorId: last, action: 'test.by_bulk', organisationId: banca }));
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?who=%40many.test')).body), ['test.by_bulk']);

  const byKind = await backOffice.get('/admin/audit?kind=system&action=station.');
  assert.deepEqual(actionsOf(byKind.body), ['station.flagged']);
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?kind=referent&action=user.')).body), []);

  const bySubject = await backOffice.get(`/admin/audit?subject=${referent.id}`);
  assert.deepEqual(actionsOf(bySubject.body).slice(0, 2), ['user.enabled', 'user.disabled']);

  const today = new Date().toISOString().slice(0, 10);
  assert.ok(actionsOf((await backOffice.get(`/admin/audit?from=${today}&to=${today}`)).body).length >= 3);
  assert.deepEqual(actionsOf((await backOffice.get('/admin/audit?to=2020-01-01')).body), []);
});

test('pages follow the chain\u2019s order: every row once, none lost while rows are appended', async () => {
  const org = await createOrganisation(db, 'Pagine SpA');
  for (let n = 0; n < 60; n++) {
    await db.transaction().execute((trx) => audit.append(trx, { actorType: 'cli', action: 'test.paged', organisationId: org, details: { n } }));
  }
  const first = await backOffice.get(`/admin/audit?org=${org}`);
  assert.equal(rowsOf(first.body).length, 50);
  const older = /<a href="([^"]+)" rel="next">Older rows<\/a>/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(older, 'a link to the older rows');
  assert.ok(older.includes(`org=${org}`), 'the search is kept');
  // A row appended between the two pages moves nothing.
  await db.transaction().execute((trx) => audit.append(trx, { actorType: 'cli', action: 'test.paged', organisationId: org, details: { n: 60 } }));
  const second = await backOffice.get(older);
  assert.equal(rowsOf(second.body).length, 10);
  assert.doesNotMatch(second.body, /rel="next"/);
  assert.match(second.body, /rel="first">Newest rows<\/a>/);
  const all = [...rowsOf(first.body), ...rowsOf(second.body)].map(Number);
  assert.equal(new Set(all).size, 60);
  const ns = [...(first.body + second.body).matchAll(/<dt><code>n<\/code><\/dt><dd><code>(\d+)<\/code><\/dd>/g)].map((m) => Number(m[1]));
  assert.deepEqual(
    ns,
    Array.from({ length: 60 }, (_, i) => 59 - i),
  );
});

test('the search downloads as CSV with the same filter, one line per row', async () => {
  const csv = await backOffice.get(`/admin/audit.csv?action=user.&org=${banca}`);
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  assert.match(String(csv.headers['content-disposition']), /varco-audit-log\.csv/);
  const lines = csv.body
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  assert.equal(lines[0], 'seq,at,action,actor_type,actor_id,actor_email,ip,organisation_id,organisation,subject_type,subject_id,details,id');
  assert.equal(lines.length, 3);
  assert.ok(lines[1]?.includes(',user.enabled,admin,'));
  assert.ok(lines[1]?.includes(admin.email) && lines[1].includes('Banca Alfa') && lines[1].includes(referent.id));
});

test('malformed searches are refused as input with their reason, never a 500', async () => {
  for (const [query, reason] of [
    [`org=${'x'.repeat(101)}`, /org must be at most 100 characters/],
    ['kind=root', /kind must be one of/],
    ['action=%25', /action must be an action code/],
    ['subject=%3Cscript%3E', /subject must be an id/],
    ['from=2026-13-01', /from must be a date/],
    ['before=abc', /The page link is not valid/],
    ['before=0', /The page link is not valid/],
    [`who=${'x'.repeat(101)}`, /who must be at most 100 characters/],
  ] as const) {
    const res = await backOffice.get(`/admin/audit?${query}`);
    assert.equal(res.statusCode, 400, query);
    assert.match(res.body, reason, query);
    assert.match(res.body, /<form method="get" action="\/admin\/audit"/, `${query}: the form comes back with the reason`);
    assert.doesNotMatch(res.body, /data-audit=/, `${query}: no rows`);
    assert.equal((await backOffice.get(`/admin/audit.csv?${query}`)).statusCode, 400, `${query} (CSV)`);
  }
});

test('a refused search says why in Italian too, above the form, focused', async () => {
  const res = await backOffice.get('/admin/audit?lang=it&kind=root&action=user.');
  assert.equal(res.statusCode, 400);
  assert.match(
    res.body,
    /<p class="error" role="alert" tabindex="-1" autofocus>kind deve essere uno tra admin, referent, cli, system, anonymous, subscription\.<\/p>/,
  );
  assert.match(res.body, /<input id="a-action" name="action" maxlength="80" list="a-actions" value="user\."/, 'what was typed is kept');
});

test('referents and anonymous visitors never read the audit log', async () => {
  for (const url of ['/admin/audit', '/admin/audit.csv', '/admin/audit/verify']) {
    const asReferent = await portal.get(url);
    assert.notEqual(asReferent.statusCode, 200, url);
    assert.doesNotMatch(asReferent.body, /data-audit/);
    const anonymous = await app.inject({ method: 'GET', url });
    assert.equal(anonymous.statusCode, 303, url);
    assert.match(String(anonymous.headers.location), /^\/admin\/sign-in(\?|$)/);
  }
});

test('the chain check runs from its button (not a GET), one at a time, says intact, then names the row edited behind Varco\u2019s back', async () => {
  const offered = await backOffice.get('/admin/audit/verify');
  assert.equal(offered.statusCode, 200);
  assert.doesNotMatch(offered.body, /data-audit-check=/, 'a GET only offers the check');
  assert.match(offered.body, /<form method="post" action="\/admin\/audit\/verify">/);
  const ok = await backOffice.post('/admin/audit/verify');
  assert.equal(ok.statusCode, 200);
  assert.match(ok.body, /data-audit-check="ok"/);
  const count = Number(
    (
      await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  assert.match(ok.body, new RegExp(`The chain is intact: ${count} rows checked`));

  // While another check holds the lock (another administrator, another instance), the button says so.
  const holder = await database.owner.connect();
  try {
    await holder.query('BEGIN');
    await holder.query("SELECT pg_advisory_xact_lock(hashtext('varco.audit.verify'))");
    const busy = await backOffice.post('/admin/audit/verify');
    assert.equal(busy.statusCode, 409);
    assert.match(busy.body, /data-audit-check="busy"/);
    assert.match(busy.body, /Another check of the chain is running/);
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }

  const target = await db.selectFrom('audit_log').select('seq').where('action', '=', 'user.disabled').executeTakeFirstOrThrow();
  await tamper(database.owner, [[`UPDATE audit_log SET details = jsonb_set(details, '{note}', '"rewritten"') WHERE seq = $1`, [target.seq]]]);
  const broken = await backOffice.post('/admin/audit/verify?lang=it');
  assert.equal(broken.statusCode, 200);
  assert.match(broken.body, /data-audit-check="row"/);
  assert.match(broken.body, new RegExp(`Una riga non corrisponde alla catena \\(seq ${target.seq}\\)`));
});
