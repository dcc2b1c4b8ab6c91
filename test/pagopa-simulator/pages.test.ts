import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { createEc, formFields, scenarioForm, transferRow } from './support.ts';
import { padTransfers } from '../../src/modules/pagopa-simulator/index.ts';

// The portal's Test EC scenarios page and the back office's read-only view, through the production
// app: switching on, the version, scenarios added, reordered and deleted with clear errors in the
// referent's language, stale forms, CSRF, escaping, audit, and organisation scoping.

const { app, services, database } = await buildTestApp();
const db = database.db;
const admin = await createAdmin(services);
const ecA = await createEc(db, 'Comune di Pagina <A>');
const ecB = await createEc(db, 'Comune di Pagina B');
const psp = await createOrganisation(db, 'Banca Pagina');
const portalA = await new Browser(app, 'portal').signIn((await createReferent(db, ecA.id, ['node'])).email);
const portalB = await new Browser(app, 'portal').signIn((await createReferent(db, ecB.id, ['node'], 'it')).email);
const portalPsp = await new Browser(app, 'portal').signIn((await createReferent(db, psp, ['node'])).email);
const backOffice = await new Browser(app, 'admin').signIn(admin.email);
const PAGE = '/portal/pagopa/simulator';

const versionOn = (body: string): string => /name="version" value="(\d+)"/.exec(body)?.[1] ?? 'none';
const scenarioIds = (body: string): string[] => [...body.matchAll(/data-scenario="(scn_[0-9a-z]+)"/g)].map((m) => m[1]!);
const patterns = (body: string): string[] => [...body.matchAll(/<code data-pattern>([^<]*)<\/code>/g)].map((m) => m[1]!);

async function add(browser: Browser, fields: Record<string, string | string[]>) {
  const form = await browser.get(`${PAGE}/scenarios/new`);
  assert.equal(form.statusCode, 200);
  return browser.post(`${PAGE}/scenarios`, { ...fields, version: versionOn(form.body) });
}

test('an institution\u2019s referent switches the simulated station on with version 1, from the menu; the change is audited', async () => {
  const home = await portalA.get('/portal');
  assert.match(home.body, /href="\/portal\/pagopa\/simulator">Test EC scenarios</);
  const page = await portalA.get(PAGE);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /data-enabled="off"/);
  assert.match(page.body, /Payable €100\.00, one transfer to your institution/);
  assert.match(page.body, /Comune di Pagina &lt;A&gt;/);
  const saved = await portalA.post(`${PAGE}/settings`, { enabled: 'on', primitiveVersion: '1', version: versionOn(page.body) });
  assert.equal(saved.statusCode, 303);
  const after = await portalA.get(String(saved.headers.location));
  assert.match(after.body, /data-enabled="on"/);
  assert.match(after.body, /data-version="1"/);
  assert.deepEqual(await services.pagopaSimulator.isEnabled('test', ecA.id), { primitiveVersion: 1 });
  const audited = await db.selectFrom('audit_log').select(['action', 'actor_type', 'details']).where('organisation_id', '=', ecA.id).execute();
  assert.deepEqual(
    audited.map((a) => [a.action, a.actor_type]),
    [['pagopa_simulator.settings_changed', 'referent']],
  );
});

test('invalid scenarios are explained field by field in the referent\u2019s language and keep what was typed', async () => {
  const bad = await add(
    portalA,
    formFields(
      scenarioForm('3020', ecA.fiscalCode, { amount: '100.00', transfers: padTransfers([transferRow('60.00', ecA.fiscalCode), transferRow('30,00', '123')]) }),
    ),
  );
  assert.equal(bad.statusCode, 400);
  for (const text of ['The pattern must be an 18-digit notice number', 'Transfer 2: the beneficiary fiscal code must be 11 digits'])
    assert.ok(bad.body.includes(text), text);
  assert.match(bad.body, /name="t2Amount" value="30,00"/, 'the form keeps what was typed');
  const sum = await add(
    portalA,
    formFields(scenarioForm('3020*', ecA.fiscalCode, { amount: '100.00', transfers: padTransfers([transferRow('60.00', ecA.fiscalCode)]) })),
  );
  assert.match(sum.body, /The transfers add up to €60\.00 but the amount is €100\.00/);
  const italian = await add(portalB, formFields(scenarioForm('*', ecB.fiscalCode, { delayMs: 'lento', refuseReceipts: '1000' })));
  assert.equal(italian.statusCode, 400);
  assert.match(italian.body, /L’attesa deve essere un numero intero di millisecondi/);
  assert.match(italian.body, /Il numero di rifiuti deve essere un numero intero da 0 a 100/);
  assert.deepEqual(patterns((await portalA.get(PAGE)).body), [], 'nothing was saved');
});

test('scenarios are added, shown in order with the ones never reached, reordered and deleted', async () => {
  for (const pattern of ['3*', '302000100000009424', '4*'])
    assert.equal((await add(portalA, formFields(scenarioForm(pattern, ecA.fiscalCode)))).statusCode, 303, pattern);
  let page = await portalA.get(PAGE);
  assert.deepEqual(patterns(page.body), ['3*', '302000100000009424', '4*']);
  assert.match(page.body, /never reached: #1 matches first/);
  const [first, second] = scenarioIds(page.body);
  assert.equal((await portalA.post(`${PAGE}/scenarios/${second}/move`, { direction: 'up', version: versionOn(page.body) })).statusCode, 303);
  page = await portalA.get(PAGE);
  assert.deepEqual(patterns(page.body), ['302000100000009424', '3*', '4*']);
  assert.doesNotMatch(page.body, /never reached/);
  const edit = await portalA.get(`${PAGE}/scenarios/${first}`);
  assert.match(edit.body, /name="pattern" value="3\*"/);
  const changed = await portalA.post(`${PAGE}/scenarios/${first}`, {
    ...formFields(scenarioForm('5*', ecA.fiscalCode, { answer: 'cancelled' })),
    version: versionOn(edit.body),
  });
  assert.equal(changed.statusCode, 303);
  page = await portalA.get(PAGE);
  assert.deepEqual(patterns(page.body), ['302000100000009424', '5*', '4*']);
  assert.match(page.body, /Cancelled \(PAA_PAGAMENTO_ANNULLATO\)/);
  assert.equal((await portalA.post(`${PAGE}/scenarios/${first}/delete`, { version: versionOn(page.body) })).statusCode, 303);
  assert.deepEqual(patterns((await portalA.get(PAGE)).body), ['302000100000009424', '4*']);
  const actions = await db.selectFrom('audit_log').select('action').where('organisation_id', '=', ecA.id).orderBy('seq').execute();
  for (const a of ['scenario_added', 'scenario_moved', 'scenario_changed', 'scenario_deleted'])
    assert.ok(
      actions.some((x) => x.action === `pagopa_simulator.${a}`),
      a,
    );
});

test('a form posted from an older page is refused instead of undoing a change', async () => {
  const page = await portalA.get(PAGE);
  const [first] = scenarioIds(page.body);
  const stale = String(Number(versionOn(page.body)) - 1);
  const refused = await portalA.post(`${PAGE}/scenarios/${first}/delete`, { version: stale });
  assert.equal(refused.statusCode, 409);
  assert.match(refused.body, /The scenarios were changed meanwhile/);
  assert.equal(scenarioIds((await portalA.get(PAGE)).body).length, 2);
});

test('a form without its CSRF token is refused, and typed text is escaped', async () => {
  const res = await app.inject({
    method: 'POST',
    url: `${PAGE}/settings`,
    headers: { cookie: portalA.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'enabled=on&primitiveVersion=2',
  });
  assert.equal(res.statusCode, 403);
  const added = await add(portalA, formFields(scenarioForm('7*', ecA.fiscalCode, { description: '<script>alert(1)</script>', companyName: '"><img src=x>' })));
  assert.equal(added.statusCode, 303);
  const id = scenarioIds((await portalA.get(PAGE)).body).at(-1);
  const edit = await portalA.get(`${PAGE}/scenarios/${id}`);
  assert.doesNotMatch(edit.body, /<script>alert|<img src=x>/);
  assert.match(edit.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
});

test('another organisation reaches none of an institution\u2019s scenarios, by id or URL', async () => {
  const before = await portalA.get(PAGE);
  const [id] = scenarioIds(before.body);
  assert.equal((await portalB.get(`${PAGE}/scenarios/${id}`)).statusCode, 404);
  assert.equal((await portalB.post(`${PAGE}/scenarios/${id}`, formFields(scenarioForm('8*', ecB.fiscalCode)))).statusCode, 404);
  assert.equal((await portalB.post(`${PAGE}/scenarios/${id}/move`, { direction: 'down', version: '1' })).statusCode, 404);
  assert.equal((await portalB.post(`${PAGE}/scenarios/${id}/delete`, { version: '1' })).statusCode, 404);
  assert.equal((await portalB.get(`${PAGE}/scenarios/scn_nonsense`)).statusCode, 404);
  assert.deepEqual(scenarioIds((await portalB.get(PAGE)).body), []);
  assert.deepEqual(patterns((await portalA.get(PAGE)).body), patterns(before.body), 'nothing changed');
  assert.equal((await portalA.get(`/admin/pagopa/simulators/${ecA.id}`)).statusCode, 303, 'a portal session is no back office session');
});

test('an organisation that is not a creditor institution is told so and cannot change anything', async () => {
  const page = await portalPsp.get(PAGE);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Simulated stations are for creditor institutions/);
  assert.doesNotMatch(page.body, /name="enabled"/);
  assert.equal((await portalPsp.post(`${PAGE}/settings`, { enabled: 'on', primitiveVersion: '2', version: '0' })).statusCode, 403);
  assert.equal((await portalPsp.get(`${PAGE}/scenarios/new`)).statusCode, 403);
  assert.equal(await services.pagopaSimulator.isEnabled('test', psp), undefined);
});

test('the back office lists the institutions\u2019 simulated stations and shows each read-only', async () => {
  const list = await backOffice.get('/admin/pagopa/simulators');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, new RegExp(`data-organisation="${ecA.id}"`));
  assert.match(list.body, /href="\/admin\/pagopa\/simulators" aria-current="page">EC simulators</);
  const detail = await backOffice.get(`/admin/pagopa/simulators/${ecA.id}`);
  assert.equal(detail.statusCode, 200);
  assert.deepEqual(patterns(detail.body), patterns((await portalA.get(PAGE)).body));
  assert.match(detail.body, /Read-only view/);
  assert.equal([...detail.body.matchAll(/<form (?!class="lang")/g)].length, 1, 'only the sign-out form (and the language switch)');
  assert.match((await backOffice.get(`/admin/organisations/${ecA.id}`)).body, new RegExp(`href="/admin/pagopa/simulators/${ecA.id}"`));
  assert.equal((await backOffice.get('/admin/pagopa/simulators/org_nonsense')).statusCode, 404);
});

test('until the institution is registered as an EC in test, its page says the node cannot reach the simulated station and where to register', async () => {
  const before = await portalB.get(PAGE);
  assert.match(before.body, /<p class="error" role="alert" data-unregistered>Il tuo ente non è ancora registrato come EC nell’ambiente di collaudo/);
  assert.match(before.body, /<a href="\/portal\/pagopa#env-test">Registralo nella pagina Anagrafica pagoPA\.<\/a>/);
  const registered = await services.pagopaRegistry.ecs.addEc(ecB.id, 'test', { type: 'cli', id: null, ip: null });
  assert.ok(registered.ok, JSON.stringify(registered));
  assert.doesNotMatch((await portalB.get(PAGE)).body, /data-unregistered/);
  assert.doesNotMatch((await portalPsp.get(PAGE)).body, /data-unregistered/, 'not a creditor institution: told that instead');
});

test('amounts are written as the page\u2019s language writes money: the scenarios, the default answer and the sum that does not add up', async () => {
  const italianPage = async () => portalB.get(PAGE);
  const wrong = await add(
    portalB,
    formFields(scenarioForm('4*', ecB.fiscalCode, { amount: '1234,50', transfers: padTransfers([transferRow('60', ecB.fiscalCode)]) })),
  );
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /La somma dei trasferimenti è 60,00\s€ ma l’importo è 1234,50\s€/);
  const added = await add(
    portalB,
    formFields(scenarioForm('4*', ecB.fiscalCode, { amount: '12345,50', transfers: padTransfers([transferRow('12345.50', ecB.fiscalCode)]) })),
  );
  assert.equal(added.statusCode, 303);
  const page = await italianPage();
  assert.match(page.body, /<td data-label="Importo">12\.345,50\s€<\/td>/);
  assert.match(page.body, /Pagabile 100,00\s€, un trasferimento al tuo ente/);
  const english = await add(
    portalA,
    formFields(scenarioForm('6*', ecA.fiscalCode, { amount: '100', transfers: padTransfers([transferRow('1234.5', ecA.fiscalCode)]) })),
  );
  assert.match(english.body, /The transfers add up to €1,234\.50 but the amount is €100\.00/);
  assert.match((await portalA.get(PAGE)).body, /Payable €100\.00, one transfer to your institution/);
});

test('an institution whose EC registration in test is disabled is told the node does not reach the simulated station until it is enabled again', async () => {
  const cli = { type: 'cli', id: null, ip: null } as const;
  assert.ok((await services.pagopaRegistry.ecs.setEcEnabled(ecB.id, 'test', false, cli)).ok);
  const disabled = await portalB.get(PAGE);
  assert.match(disabled.body, /<p class="error" role="alert" data-ec-disabled>La registrazione del tuo ente come EC nell’ambiente di collaudo è disabilitata/);
  assert.doesNotMatch(disabled.body, /data-unregistered/);
  assert.ok((await services.pagopaRegistry.ecs.setEcEnabled(ecB.id, 'test', true, cli)).ok);
  assert.doesNotMatch((await portalB.get(PAGE)).body, /data-ec-disabled/);
});

test('a refused change changes nothing: no simulator row, no "Last change" time without an audit row behind it', async () => {
  const ec = await createEc(db, 'Comune Rifiutato');
  const browser = await new Browser(app, 'portal').signIn((await createReferent(db, ec.id, ['node'])).email);
  const bad = await add(browser, formFields(scenarioForm('3020', ec.fiscalCode)));
  assert.equal(bad.statusCode, 400);
  const stale = await browser.post(`${PAGE}/settings`, { enabled: 'on', primitiveVersion: '2', version: '7' });
  assert.equal(stale.statusCode, 409);
  const rows = await db.selectFrom('pagopa_simulators').select('organisation_id').where('organisation_id', '=', ec.id).execute();
  assert.deepEqual(rows, [], 'no row committed by a refused change');
  assert.doesNotMatch((await browser.get(PAGE)).body, /Last change/);
  const audited = await db.selectFrom('audit_log').select('action').where('organisation_id', '=', ec.id).execute();
  assert.deepEqual(audited, []);
});

test('a primitive version other than 1 or 2 is refused with the form shown again and the field marked, never taken as 2', async () => {
  const ec = await createEc(db, 'Comune Versione');
  const english = await new Browser(app, 'portal').signIn((await createReferent(db, ec.id, ['node'])).email);
  const italian = await new Browser(app, 'portal').signIn((await createReferent(db, ec.id, ['node'], 'it')).email);
  for (const primitiveVersion of ['3', '', 'v2']) {
    const page = await english.get(PAGE);
    const bad = await english.post(`${PAGE}/settings`, { enabled: 'on', primitiveVersion, version: versionOn(page.body) });
    assert.equal(bad.statusCode, 400, primitiveVersion);
    assert.match(bad.body, /Choose version 1 or 2 of the primitives/);
    assert.match(bad.body, /name="primitiveVersion" value="1"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /action="\/portal\/pagopa\/simulator\/settings"/, 'the form is shown again');
  }
  const missing = await italian.post(`${PAGE}/settings`, { enabled: 'on', version: '0' });
  assert.equal(missing.statusCode, 400);
  assert.match(missing.body, /Scegli la versione 1 o 2 delle primitive/);
  assert.equal(await services.pagopaSimulator.isEnabled('test', ec.id), undefined, 'nothing switched on');
  assert.deepEqual(await db.selectFrom('audit_log').select('action').where('organisation_id', '=', ec.id).execute(), []);
});

test('delays in the scenario list are written as the page\u2019s language writes numbers', async () => {
  const ec = await createEc(db, 'Comune Lento');
  const italian = await new Browser(app, 'portal').signIn((await createReferent(db, ec.id, ['node'], 'it')).email);
  assert.equal((await add(italian, formFields(scenarioForm('5*', ec.fiscalCode, { delayMs: '120000', delayOn: ['verify'] })))).statusCode, 303);
  assert.match((await italian.get(PAGE)).body, /lenta 120\.000 ms su paVerifyPaymentNotice/);
  assert.match((await backOffice.get(`/admin/pagopa/simulators/${ec.id}`)).body, /slow 120,000 ms on paVerifyPaymentNotice/);
});

test('the back office explains, in its own words, why an organisation has no simulated station', async () => {
  const notEc = await backOffice.get(`/admin/pagopa/simulators/${psp}`);
  assert.equal(notEc.statusCode, 200);
  assert.match(notEc.body, /This organisation is not a creditor institution/);
  const ec = await createEc(db, 'Ente Senza Partita IVA');
  await db.updateTable('organisations').set({ tax_code: 'RSSMRA80A01H501U' }).where('id', '=', ec.id).execute();
  const noCode = await backOffice.get(`/admin/pagopa/simulators/${ec.id}?lang=it`);
  assert.equal(noCode.statusCode, 200);
  assert.match(noCode.body, /Il codice fiscale di questa organizzazione non è di 11 cifre/);
  for (const body of [notEc.body, noCode.body])
    assert.doesNotMatch(body, /Your organisation|Ask a Varco administrator|tua organizzazione|Chiedi a un amministratore/);
});

test('saving the settings as they were says nothing changed', async () => {
  const ec = await createEc(db, 'Comune Invariato');
  const browser = await new Browser(app, 'portal').signIn((await createReferent(db, ec.id, ['node'], 'it')).email);
  const first = await browser.post(`${PAGE}/settings`, { enabled: 'on', primitiveVersion: '2', version: versionOn((await browser.get(PAGE)).body) });
  assert.match((await browser.get(String(first.headers.location))).body, /role="status">Salvato\.</);
  const again = await browser.post(`${PAGE}/settings`, { enabled: 'on', primitiveVersion: '2', version: versionOn((await browser.get(PAGE)).body) });
  assert.equal(again.statusCode, 303);
  const page = await browser.get(String(again.headers.location));
  assert.match(page.body, /role="status">Nessuna modifica\.</);
  assert.doesNotMatch(page.body, /Salvato\./);
  // Nothing written: the version the page carries and the audit trail are those of the first save.
  assert.equal(versionOn(page.body), versionOn((await browser.get(String(first.headers.location))).body));
  const audited = await db
    .selectFrom('audit_log')
    .select('id')
    .where('action', '=', 'pagopa_simulator.settings_changed')
    .where('organisation_id', '=', ec.id)
    .execute();
  assert.equal(audited.length, 1);
});
