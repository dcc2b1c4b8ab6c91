import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEcStation, startEcStation } from '../support/ec-station.ts';
import { Browser, CLI, createAdmin, createReferent, issueKeys } from '../support/subscriptions.ts';
import { organisation } from '../pagopa-registry/support.ts';
import {
  activateOk,
  CHANNEL_PASSWORD,
  createEcOrganisation,
  ecWithStation,
  faultOf,
  nodeTestApp,
  noticeNumber,
  OK_DETAILS,
  qr,
  registerPsp,
  soap,
  type Psp,
} from '../support/pagopa-node.ts';

// Tenancy of the node: an organisation's `node` key speaks only for its own idPSP, broker and
// channels, and touches only its own tokens; the exchange log of a flow is visible to the PSP and the
// EC party to it and to nobody else (a cart's outcome to each institution of the cart and the owners
// of their stations); the channel password never reaches the log.

const t = await nodeTestApp();
const mine = await registerPsp(t.services, t, 'Banca Mia');
const theirs = await registerPsp(t.services, t, 'Banca Altrui');
const { ec, station, stationCode } = await ecWithStation(t, 'Comune Parte');
const stranger = await createEcOrganisation(t, 'Comune Estraneo');
const AMOUNT = 10_000;

// Comune Secondo's notices go to the station a technology partner runs for it.
const second = await createEcOrganisation(t, 'Comune Secondo');
const partner = await organisation(t.database.db, 'technology_partner', { name: 'Partner Terzo' });
const platform = await t.services.platformCertificates.downloads('test');
const partnerStation = await startEcStation({ ecs: { fiscalCode: second.fiscalCode, name: second.name }, clientCas: [platform.caPem], primitiveVersion: 2 });
await connectEcStation(t.services, { organisationId: partner.id, station: partnerStation, code: `${partner.taxCode}_01` });
const linked = await t.services.pagopaRegistry.ecs.link(
  { organisationId: second.organisationId, env: 'test', stationCode: `${partner.taxCode}_01`, auxDigit: '3', segregationCode: '01', version: '2' },
  CLI,
  { otherOrganisationStation: true },
);
if (!linked.ok) throw new Error(JSON.stringify(linked));
/** The exchanges a portal list page shows. */
const listed = (body: string): string[] => [...body.matchAll(/data-exchange="(msg_[0-9a-z]+)"/g)].map((m) => m[1] ?? '');
/** An OK outcome for a cart of the PSP's tokens. */
const payCart = (psp: Psp, tokens: string[]) =>
  soap(t.app, psp.key, 'sendPaymentOutcomeV2', { ...psp.head, paymentTokens: { paymentToken: tokens }, outcome: 'OK', details: OK_DETAILS });
const portal = async (organisationId: string): Promise<Browser> =>
  new Browser(t.app, 'portal').signIn((await createReferent(t.database.db, organisationId, ['node'])).email);

test('a key cannot use another organisation\u2019s idPSP, broker or channel: PPT_AUTORIZZAZIONE, and the EC is not asked', async () => {
  const asked = station.requests.length;
  const notice = noticeNumber();
  const borrowed = [theirs.head, { ...mine.head, idChannel: theirs.head.idChannel }, { ...mine.head, idBrokerPSP: theirs.head.idBrokerPSP }];
  for (const head of borrowed) {
    const res = await soap(t.app, mine.key, 'activatePaymentNoticeV2', { ...head, qrCode: qr(ec, notice), amount: AMOUNT });
    assert.equal(faultOf(res.value), 'PPT_AUTORIZZAZIONE', JSON.stringify(head));
    assert.doesNotMatch(res.value.fault?.description ?? '', new RegExp(theirs.name), 'the owner is not named');
  }
  assert.equal(station.requests.length, asked);
});

test('the environment is the key\u2019s: a production key of the same organisation does not reach its test PSP, token or EC', async () => {
  const prod = await issueKeys(t.services, mine.organisationId, 'node', 'prod');
  const notice = noticeNumber();
  const asked = station.requests.length;
  const verify = await soap(t.app, prod.primary, 'verifyPaymentNotice', { ...mine.head, qrCode: qr(ec, notice) });
  assert.equal(faultOf(verify.value), 'PPT_PSP_SCONOSCIUTO');
  assert.match(verify.value.fault?.description ?? '', /prod/);
  const token = await activateOk(t.app, mine, ec, notice, AMOUNT);
  const outcome = await soap(t.app, prod.primary, 'sendPaymentOutcome', { ...mine.head, paymentToken: token, outcome: 'OK', details: OK_DETAILS });
  assert.equal(faultOf(outcome.value), 'PPT_PSP_SCONOSCIUTO');
  assert.equal(station.requests.length, asked + 1, 'only the test activation reached the EC');
  const rows = await t.services.exchanges.search({ organisationId: mine.organisationId }, { env: 'prod' });
  assert.ok(rows.length >= 2 && rows.every((r) => r.env === 'prod' && r.direction === 'in'), 'logged in the key\u2019s environment');
});

test('another PSP\u2019s token is PPT_TOKEN_SCONOSCIUTO to a PSP (even with its own valid identity), and stays unpaid', async () => {
  const notice = noticeNumber();
  const token = await activateOk(t.app, mine, ec, notice, AMOUNT);
  const res = await soap(t.app, theirs.key, 'sendPaymentOutcome', { ...theirs.head, paymentToken: token, outcome: 'OK', details: OK_DETAILS });
  assert.equal(faultOf(res.value), 'PPT_TOKEN_SCONOSCIUTO');
  const row = await t.database.db.selectFrom('pagopa_payments').select('state').where('token', '=', token).executeTakeFirstOrThrow();
  assert.equal(row.state, 'active');
  // Its exchange row names neither the notice nor the EC of the other PSP's payment.
  const rows = await t.services.exchanges.search({ organisationId: theirs.organisationId }, { token });
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0]?.noticeNumber, rows[0]?.ecOrganisationId, rows[0]?.faultCode], [null, null, 'PPT_TOKEN_SCONOSCIUTO']);
  assert.deepEqual(await t.services.exchanges.search({ organisationId: ec.organisationId }, { token, operation: 'sendPaymentOutcome' }), []);
});

test('the exchange log of a flow is seen by its PSP and its EC, not by a third organisation; the channel password is masked', async () => {
  const notice = noticeNumber();
  assert.equal(faultOf((await soap(t.app, mine.key, 'verifyPaymentNotice', { ...mine.head, qrCode: qr(ec, notice) })).value), 'OK');
  const token = await activateOk(t.app, mine, ec, notice, AMOUNT);
  assert.equal(
    faultOf((await soap(t.app, mine.key, 'sendPaymentOutcome', { ...mine.head, paymentToken: token, outcome: 'OK', details: OK_DETAILS })).value),
    'OK',
  );
  const flow = (rows: Awaited<ReturnType<typeof t.services.exchanges.search>>) => rows.map((r) => `${r.direction} ${r.operation}`).sort();
  const expected = ['in activatePaymentNoticeV2', 'in sendPaymentOutcome', 'in verifyPaymentNotice', 'out paGetPaymentV2', 'out paVerifyPaymentNotice'];
  const forPsp = await t.services.exchanges.search({ organisationId: mine.organisationId }, { noticeNumber: notice });
  assert.deepEqual(flow(forPsp), expected);
  assert.deepEqual(flow(await t.services.exchanges.search({ organisationId: ec.organisationId }, { noticeNumber: notice })), expected);
  for (const third of [stranger.organisationId, theirs.organisationId]) {
    assert.deepEqual(await t.services.exchanges.search({ organisationId: third }, { noticeNumber: notice }), [], third);
    assert.deepEqual(await t.services.exchanges.search({ organisationId: third }, { token }), [], third);
    for (const row of forPsp) assert.equal(await t.services.exchanges.get({ organisationId: third }, row.id), undefined);
  }
  for (const row of forPsp.filter((r) => r.direction === 'in')) {
    const detail = await t.services.exchanges.get({ organisationId: mine.organisationId }, row.id);
    assert.ok(detail);
    assert.match(detail.request, /<password>/);
    assert.ok(!detail.request.includes(CHANNEL_PASSWORD), `${row.operation}: the channel password is masked`);
  }
});

test('a cart of notices of two institutions: each, and each station\u2019s owner, reads the outcome in its portal list and page; a third organisation does not', async () => {
  const first = await activateOk(t.app, mine, ec, noticeNumber(), AMOUNT);
  const other = await activateOk(t.app, mine, second, noticeNumber(), AMOUNT);
  const paid = await payCart(mine, [first, other]);
  assert.equal(faultOf(paid.value), 'OK');
  const [row] = await t.services.exchanges.search({ admin: true }, { operation: 'sendPaymentOutcomeV2', token: first });
  assert.ok(row);
  assert.equal(row.ecOrganisationId, ec.organisationId, 'the row names its first notice');

  // The PSP reads both tokens; each institution and its station's owner its own (ADR 0018: the others' are masked).
  const tokensOf = new Map([
    [mine.organisationId, [first, other]],
    [ec.organisationId, [first]],
    [second.organisationId, [other]],
    [partner.id, [other]],
  ]);
  for (const [organisationId, own] of tokensOf) {
    const browser = await portal(organisationId);
    const list = await browser.get('/portal/pagopa/exchanges?operation=sendPaymentOutcomeV2');
    assert.equal(list.statusCode, 200);
    assert.ok(listed(list.body).includes(row.id), `${organisationId}: in the list`);
    assert.ok(listed((await browser.get('/portal/pagopa/exchanges')).body).includes(row.id), `${organisationId}: in the unfiltered list`);
    const page = await browser.get(`/portal/pagopa/exchanges/${row.id}`);
    assert.equal(page.statusCode, 200, organisationId);
    for (const token of [first, other]) assert.equal(page.body.includes(token), own.includes(token), `${organisationId}: token ${token} shown iff its own`);
    assert.equal((await browser.get(`/portal/pagopa/exchanges/${row.id}/request.xml`)).statusCode, 200);
    // Each reads the parties of its own notice; the cart's other parties are named to the back office only.
    assert.equal(page.body.includes('Partner Terzo'), [second.organisationId, partner.id].includes(organisationId), organisationId);
  }
  // A third organisation: not in its list or searches, the same 404 as an unknown id by URL and download.
  for (const organisationId of [stranger.organisationId, theirs.organisationId]) {
    const browser = await portal(organisationId);
    for (const query of ['', '?operation=sendPaymentOutcomeV2', `?token=${first}`]) {
      assert.ok(!listed((await browser.get(`/portal/pagopa/exchanges${query}`)).body).includes(row.id), `${organisationId}${query}`);
    }
    for (const suffix of ['', '/request.xml', '/response.xml'])
      assert.equal((await browser.get(`/portal/pagopa/exchanges/${row.id}${suffix}`)).statusCode, 404);
  }
  const backOffice = await new Browser(t.app, 'admin').signIn((await createAdmin(t.services)).email);
  const detail = await backOffice.get(`/admin/pagopa/exchanges/${row.id}`);
  assert.match(detail.body, /Other parties[^<]*<\/th><td>(Comune Secondo, Partner Terzo|Partner Terzo, Comune Secondo)<\/td>/);
});

test('a cart\u2019s second institution finds it by its own token and notice, and reads only its own notice (page, downloads, CSV); the PSP and the back office read it whole; a third organisation gets 404', async () => {
  const firstNotice = noticeNumber();
  const otherNotice = noticeNumber();
  const first = await activateOk(t.app, mine, ec, firstNotice, AMOUNT);
  const other = await activateOk(t.app, mine, second, otherNotice, AMOUNT);
  assert.equal(faultOf((await payCart(mine, [first, other])).value), 'OK');
  const [row] = await t.services.exchanges.search({ admin: true }, { operation: 'sendPaymentOutcomeV2', token: first });
  assert.ok(row);
  // What the second institution and its station's owner must never read: the first institution's notice.
  const firstInstitution = [first, firstNotice, ec.fiscalCode, ec.name, stationCode];

  for (const organisationId of [second.organisationId, partner.id]) {
    const browser = await portal(organisationId);
    // By its own token and notice number (the portal's filters), newest first: the cart's outcome with
    // its own notice; by the first institution's, nothing.
    for (const query of [`token=${other}`, `notice=${otherNotice}`, `token=${other}&notice=${otherNotice}&operation=sendPaymentOutcomeV2`]) {
      const list = await browser.get(`/portal/pagopa/exchanges?${query}`);
      assert.equal(listed(list.body)[0], row.id, `${organisationId} ${query}`);
      assert.ok(list.body.includes(otherNotice), `${organisationId} ${query}: the row shows its own notice`);
      for (const value of firstInstitution) assert.ok(!list.body.includes(value), `${organisationId} ${query}: ${value} not in the list`);
    }
    for (const query of [`token=${first}`, `notice=${firstNotice}`])
      assert.ok(!listed((await browser.get(`/portal/pagopa/exchanges?${query}`)).body).includes(row.id), `${organisationId}: not found by ${query}`);
    const csv = await browser.get(`/portal/pagopa/exchanges.csv?token=${other}`);
    assert.ok(csv.body.includes(row.id) && csv.body.includes(otherNotice), `${organisationId}: CSV`);
    for (const value of firstInstitution) assert.ok(!csv.body.includes(value), `${organisationId}: ${value} not in the CSV`);

    const page = await browser.get(`/portal/pagopa/exchanges/${row.id}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(other) && page.body.includes(otherNotice) && page.body.includes(second.fiscalCode), `${organisationId}: its own notice`);
    assert.ok(
      page.body.includes('Comune Secondo') && page.body.includes('notices of other institutions too'),
      `${organisationId}: names its institution; says the others are masked`,
    );
    for (const value of firstInstitution) assert.ok(!page.body.includes(value), `${organisationId}: ${value} not on the page`);
    for (const part of ['request', 'response']) {
      const download = await browser.get(`/portal/pagopa/exchanges/${row.id}/${part}.xml`);
      assert.equal(download.statusCode, 200);
      for (const value of firstInstitution) assert.ok(!download.body.includes(value), `${organisationId}: ${value} not in the ${part}`);
      if (part === 'request')
        assert.match(download.body, new RegExp(`<paymentTokens><paymentToken>\\*{8}</paymentToken><paymentToken>${other}</paymentToken></paymentTokens>`));
    }
  }

  // The payment page of the second institution's payment links to its exchanges: the cart's outcome is there.
  const secondBrowser = await portal(second.organisationId);
  const payment = await secondBrowser.get(`/portal/pagopa/payments/${other}`);
  assert.equal(payment.statusCode, 200);
  for (const href of [...payment.body.matchAll(/href="(\/portal\/pagopa\/exchanges\?[^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'))) {
    assert.ok(listed((await secondBrowser.get(href)).body).includes(row.id), href);
  }

  // The PSP and the back office read the whole message, as it was sent.
  const backOffice = await new Browser(t.app, 'admin').signIn((await createAdmin(t.services)).email);
  for (const [browser, base] of [
    [await portal(mine.organisationId), '/portal'],
    [backOffice, '/admin'],
  ] as const) {
    const request = await browser.get(`${base}/pagopa/exchanges/${row.id}/request.xml`);
    assert.match(request.body, new RegExp(`<paymentToken>${first}</paymentToken><paymentToken>${other}</paymentToken>`), base);
    const page = await browser.get(`${base}/pagopa/exchanges/${row.id}`);
    assert.ok(page.body.includes(first) && page.body.includes(other) && page.body.includes(firstNotice), base);
    assert.ok(!page.body.includes('notices of other institutions too'), `${base}: nothing masked`);
    assert.ok(listed((await browser.get(`${base}/pagopa/exchanges?token=${other}`)).body).includes(row.id), `${base}: found by the second token`);
    assert.ok(listed((await browser.get(`${base}/pagopa/exchanges?notice=${otherNotice}`)).body).includes(row.id), `${base}: found by the second notice`);
  }

  // A third organisation: the same 404 as an unknown message, found by no key.
  const third = await portal(stranger.organisationId);
  for (const suffix of ['', '/request.xml', '/response.xml']) assert.equal((await third.get(`/portal/pagopa/exchanges/${row.id}${suffix}`)).statusCode, 404);
  for (const query of [`token=${other}`, `notice=${otherNotice}`]) assert.deepEqual(listed((await third.get(`/portal/pagopa/exchanges?${query}`)).body), []);
});

test('another PSP\u2019s token in a cart names neither its institution nor its station\u2019s owner as a party', async () => {
  const own = await activateOk(t.app, theirs, ec, noticeNumber(), AMOUNT);
  const foreign = await activateOk(t.app, mine, second, noticeNumber(), AMOUNT);
  const refused = await payCart(theirs, [own, foreign]);
  assert.equal(faultOf(refused.value), 'PPT_TOKEN_SCONOSCIUTO');
  const [row] = await t.services.exchanges.search({ organisationId: theirs.organisationId }, { operation: 'sendPaymentOutcomeV2', token: own });
  assert.ok(row);
  assert.deepEqual(row.furtherOrganisationIds, []);
  for (const organisationId of [second.organisationId, partner.id]) assert.equal(await t.services.exchanges.get({ organisationId }, row.id), undefined);
  assert.equal((await t.services.exchanges.get({ organisationId: ec.organisationId }, row.id))?.id, row.id, 'its own token\u2019s institution reads it');
});
