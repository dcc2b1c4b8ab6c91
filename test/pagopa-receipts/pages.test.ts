import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, startTestWorkers } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { ecWithStation, paidPayment, schedule, until } from './support.ts';

// Issue 11, the receipts' pages through the production app, with receipts really delivered by the
// workers to the suite's EC stations: a referent sees the receipts its organisation is party to,
// with their attempts, in its language; another organisation gets a 404 for the page and the
// resend of a receipt it is not party to, exactly like an unknown id; the receiving institution
// re-sends (audited, through the outbox again); a PSP reads but cannot re-send; the back office
// sees every receipt and re-sends any. Bad search input is a 400 page, never a 500.

const t = await buildTestApp();
const { app, services, database } = t;
const db = database.db;
await startTestWorkers(t, { config: { ...t.config, pagopaRtRetry: { baseMs: 200, capMs: 400, giveUpAfterMs: 600_000 } } });

const psp = await createOrganisation(db, 'Banca Pagatrice');
const stranger = await createOrganisation(db, 'Banca Estranea');
const home = await ecWithStation(services, db, { version: 2, name: 'Comune di Casa' });
const other = await ecWithStation(services, db, { version: 1, name: 'Provincia Altra' });
const homeReferent = await createReferent(db, home.id, ['node'], 'it');
const portalHome = await new Browser(app, 'portal').signIn(homeReferent.email);
const portalOther = await new Browser(app, 'portal').signIn((await createReferent(db, other.id, ['node'])).email);
const portalPsp = await new Browser(app, 'portal').signIn((await createReferent(db, psp, ['node'])).email);
const portalStranger = await new Browser(app, 'portal').signIn((await createReferent(db, stranger, ['node'])).email);
const backOffice = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);

// One payment to the home EC with a transfer to the other one: two receipts, one per institution; the first failed once (503).
home.station.inject({ kind: 'http503' }, 1);
const paid = paidPayment({ version: 1, fiscalCode: home.fiscalCode, ecOrganisationId: home.id, pspOrganisationId: psp, other: other.fiscalCode });
const [homeCopy = '', otherCopy = ''] = await schedule(services, db, paid);
const delivered = async (id: string, attempts: number): Promise<void> =>
  until(async () => {
    const r = await services.receipts.get({ admin: true }, id);
    return r?.state === 'delivered' && r.attempts >= attempts;
  }, `${id} delivered`);
await delivered(homeCopy, 2);
await delivered(otherCopy, 1);
const listed = (body: string): string[] => [...body.matchAll(/data-receipt="(rct_[0-9a-z]+)"/g)].map((m) => m[1] ?? '');
const resendAudits = (id: string) =>
  db
    .selectFrom('audit_log')
    .select(['actor_type', 'actor_id', 'organisation_id', 'details'])
    .where('action', '=', 'pagopa.receipt.resend')
    .where('subject_id', '=', id)
    .orderBy('seq')
    .execute();

test('a referent lists its organisation\u2019s receipts and sees one with its attempts, in its language', async () => {
  const it = await portalHome.get('/portal/pagopa/receipts');
  assert.equal(it.statusCode, 200);
  assert.match(it.body, /<h1>Ricevute pagoPA<\/h1>/);
  assert.deepEqual(listed(it.body).sort(), [homeCopy, otherCopy].sort(), 'the notice\u2019s EC sees both copies of its payment');
  assert.match(it.body, /consegnata/);
  assert.match(it.body, /<td[^>]*>Collaudo<\/td>/, 'the environment in the page\u2019s language');
  const page = await portalHome.get(`/portal/pagopa/receipts/${homeCopy}`);
  assert.equal(page.statusCode, 200);
  assert.deepEqual(
    [...page.body.matchAll(/data-attempt="(\w+)"/g)].map((m) => m[1]),
    ['retry', 'delivered'],
    'both attempts, in order',
  );
  for (const text of [paid.token, paid.noticeNumber, home.code, 'Tentativi di consegna', 'HTTP 503', 'Comune di Casa', 'Banca Pagatrice', 'Invia di nuovo']) {
    assert.ok(page.body.includes(text), text);
  }
  assert.match(page.body, /href="\/portal\/pagopa\/exchanges\/msg_[0-9a-z]+"/, 'each sent message links to the exchange log');
  const en = await portalOther.get('/portal/pagopa/receipts');
  assert.match(en.body, /<h1>pagoPA receipts<\/h1>/);
  assert.deepEqual(listed(en.body), [otherCopy], 'the other institution sees its own copy only');
  assert.match((await portalOther.get(`/portal/pagopa/receipts/${otherCopy}`)).body, /Delivery attempts/);
});

test('another organisation gets a 404 for a receipt it is not party to, by id and by URL, exactly like an unknown one', async () => {
  assert.deepEqual(listed((await portalStranger.get('/portal/pagopa/receipts')).body), []);
  assert.deepEqual(listed((await portalStranger.get(`/portal/pagopa/receipts?token=${paid.token}`)).body), [], 'not by searching either');
  const cases: Array<[Browser, string]> = [
    [portalStranger, homeCopy],
    [portalStranger, otherCopy],
    [portalOther, homeCopy],
    [portalStranger, 'rct_00000000000000000000000000'],
    [portalStranger, 'not-an-id'],
  ];
  for (const [browser, id] of cases) {
    assert.equal((await browser.get(`/portal/pagopa/receipts/${id}`)).statusCode, 404, id);
    assert.equal((await browser.post(`/portal/pagopa/receipts/${id}/resend`)).statusCode, 404, `resend ${id}`);
  }
  assert.deepEqual(await resendAudits(homeCopy), [], 'nothing was re-sent');
  assert.notEqual((await portalStranger.get(`/admin/pagopa/receipts/${homeCopy}`)).statusCode, 200, 'a referent has no back office');
});

test('the PSP reads the receipt but cannot re-send it to the institution\u2019s station', async () => {
  const page = await portalPsp.get(`/portal/pagopa/receipts/${homeCopy}`);
  assert.equal(page.statusCode, 200);
  assert.ok(!page.body.includes('/resend"'), 'no Resend form');
  const asked = await portalPsp.get(`/portal/pagopa/receipts/${homeCopy}/resend`);
  assert.equal(asked.statusCode, 403, 'no confirmation page for a resend it may not make');
  assert.match(asked.body, /Only the institution receiving this copy/);
  const refused = await portalPsp.post(`/portal/pagopa/receipts/${homeCopy}/resend`);
  assert.equal(refused.statusCode, 403);
  assert.match(refused.body, /Only the institution receiving this copy/);
  assert.deepEqual(await resendAudits(homeCopy), []);
});

test('a failed delivery\u2019s text (the station\u2019s host, address, answers) is for the station\u2019s operators; the PSP sees that one failed', async () => {
  const stationText = 'the station answered HTTP 503';
  const psps = await portalPsp.get(`/portal/pagopa/receipts/${homeCopy}`);
  assert.ok(!psps.body.includes(stationText), 'not on the PSP\u2019s page');
  assert.match(psps.body, /Delivery to the institution\u2019s station failed; the details \(host, address\) are shown to the institution only\./);
  assert.equal([...psps.body.matchAll(/data-attempt="(\w+)"/g)].length, 2, 'both attempts are still listed');
  // The institution receiving it and the back office read the text.
  assert.ok(
    (await portalHome.get(`/portal/pagopa/receipts/${homeCopy}`)).body.includes('la stazione ha risposto HTTP 503'),
    'in Italian for the Italian referent',
  );
  assert.ok((await portalHome.get(`/portal/pagopa/receipts/${homeCopy}?lang=en`)).body.includes(stationText));
  assert.ok((await backOffice.get(`/admin/pagopa/receipts/${homeCopy}`)).body.includes(stationText));
});

test('the receiving institution re-sends from the portal: audited, through the outbox again, the station gets it again', async () => {
  const before = home.station.deliveries(paid.token);
  const outboxBefore = await db.selectFrom('outbox').select('id').where('subject_id', '=', homeCopy).execute();
  const token = portalHome.csrf;
  portalHome.csrf = 'forged';
  assert.equal(
    (await portalHome.post(`/portal/pagopa/receipts/${homeCopy}/resend`)).statusCode,
    403,
    'a resend without the session\u2019s form token is refused',
  );
  portalHome.csrf = token;
  assert.deepEqual(await resendAudits(homeCopy), []);
  const resent = await portalHome.post(`/portal/pagopa/receipts/${homeCopy}/resend`);
  assert.equal(resent.statusCode, 303);
  assert.equal(resent.headers.location, `/portal/pagopa/receipts/${homeCopy}?resent=queued`);
  assert.match((await portalHome.get(resent.headers.location)).body, /verrà inviata di nuovo/);
  const outboxAfter = await db.selectFrom('outbox').select(['id', 'channel']).where('subject_id', '=', homeCopy).execute();
  assert.equal(outboxAfter.length, outboxBefore.length + 1, 'a new outbox message');
  assert.ok(outboxAfter.every((m) => m.channel === 'soap'));
  await until(() => home.station.deliveries(paid.token) === before + 1, 'the station receiving it again');
  await delivered(homeCopy, 3);
  const [audit] = await resendAudits(homeCopy);
  assert.deepEqual([audit?.actor_type, audit?.actor_id, audit?.organisation_id], ['referent', homeReferent.id, home.id]);
  assert.match(JSON.stringify(audit?.details), /"previousState":"delivered"/);
});

test('the back office sees every receipt and re-sends any, audited as the administrator', async () => {
  const list = await backOffice.get('/admin/pagopa/receipts');
  assert.equal(list.statusCode, 200);
  assert.ok([homeCopy, otherCopy].every((id) => listed(list.body).includes(id)));
  assert.match(list.body, /Banca Pagatrice/, 'names the PSP');
  const page = await backOffice.get(`/admin/pagopa/receipts/${otherCopy}?lang=it`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Invia di nuovo/);
  assert.match(page.body, /href="\/admin\/pagopa\/exchanges\/msg_[0-9a-z]+"/);
  const before = other.station.deliveries(paid.token);
  const resent = await backOffice.post(`/admin/pagopa/receipts/${otherCopy}/resend`);
  assert.equal(resent.statusCode, 303);
  await until(() => other.station.deliveries(paid.token) === before + 1, 'the other station receiving it again');
  const [audit] = await resendAudits(otherCopy);
  assert.deepEqual([audit?.actor_type, audit?.organisation_id], ['admin', other.id]);
  assert.equal((await backOffice.get('/admin/pagopa/receipts/rct_00000000000000000000000000')).statusCode, 404);
});

test('bad search input is a 400 page in the viewer\u2019s language, never a 500', async () => {
  for (const query of ['env=staging', 'state=lost', `notice=${'9'.repeat(65)}`, 'before=%27%20OR%201%3D1']) {
    const en = await portalOther.get(`/portal/pagopa/receipts?${query}`);
    assert.equal(en.statusCode, 400, query);
    assert.match(en.body, /role="alert"/);
  }
  assert.match((await portalHome.get('/portal/pagopa/receipts?state=lost')).body, /Scegli uno stato/);
  assert.equal((await backOffice.get('/admin/pagopa/receipts?env=x')).statusCode, 400);
});
