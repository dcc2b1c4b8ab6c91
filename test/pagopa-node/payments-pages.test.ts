import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/kernel/clock.ts';
import { connectEcStation, startEcStation } from '../support/ec-station.ts';
import { Browser, CLI, createAdmin, createReferent } from '../support/subscriptions.ts';
import { organisation } from '../pagopa-registry/support.ts';
import {
  activateOk,
  createEcOrganisation,
  ecWithStation,
  faultOf,
  nodeTestApp,
  noticeNumber,
  OK_DETAILS,
  qr,
  registerPsp,
  simulatedEc,
  soap,
} from '../support/pagopa-node.ts';

// The pagoPA payments pages (one row per activation token) through the production app, with tokens
// made by real SOAP flows through the node: paid, KO, active, failed, past their expiry with and
// without a later activation, at a real EC station, at a technology partner's station and at the
// simulator. A referent's organisation reads the tokens it is party to (PSP, notice's EC, station
// owner) and no other: another organisation's token is a 404 by URL like an unknown one, and no search
// or CSV lists it. The state is judged now, as the node judges an outcome. Bad input is a 400 page.

const clock = fixedClock(new Date());
const t = await nodeTestApp({ clock });
const { app, services, database } = t;
const db = database.db;

const alfa = await registerPsp(services, t, 'Banca Alfa');
// A name a spreadsheet would run as a formula: the CSV must neutralise it.
const beta = await registerPsp(services, t, '=Banca Beta');
const gamma = await registerPsp(services, t, 'Banca Gamma');
const uno = await ecWithStation(t, 'Comune Uno');
const simulated = await simulatedEc(services, t, { version: 1, name: 'Comune Simulato' });
const stranger = await createEcOrganisation(t, 'Comune Estraneo');

// Comune Due's notices go to the station a technology partner runs for it.
const due = await createEcOrganisation(t, 'Comune Due');
const partner = await organisation(db, 'technology_partner', { name: 'Partner Tre' });
const platform = await services.platformCertificates.downloads('test');
const partnerStation = await startEcStation({ ecs: { fiscalCode: due.fiscalCode, name: due.name }, clientCas: [platform.caPem], primitiveVersion: 2 });
const partnerCode = `${partner.taxCode}_01`;
await connectEcStation(services, { organisationId: partner.id, station: partnerStation, code: partnerCode });
const linked = await services.pagopaRegistry.ecs.link(
  { organisationId: due.organisationId, env: 'test', stationCode: partnerCode, auxDigit: '3', segregationCode: '01', version: '2' },
  CLI,
  { otherOrganisationStation: true },
);
assert.ok(linked.ok, JSON.stringify(linked));

/** The stations' and the simulator's default answer: 100.00 €. */
const AMOUNT = 10_000;
const PAYER = {
  uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RSSMRA80A01H501U' },
  fullName: 'Mario Rossi',
  email: 'mario.rossi@example.it',
} as const;
const KEYS = { activation: 'alfa0001_k1k2k3k4k5', outcome: 'alfa0002_o1o2o3o4o5' };
/** Each flow a second after the last: the list's order (newest activation first) is the order below. */
const tick = (): void => clock.advance(1_000);
const tokenOf = async (notice: string): Promise<string> =>
  (await db.selectFrom('pagopa_payments').select('token').where('notice_number', '=', notice).orderBy('activated_at', 'desc').executeTakeFirstOrThrow()).token;
const start = clock.now();

// paid: Banca Alfa at Comune Uno, with idempotency keys, the payer in the outcome's details.
const n1 = noticeNumber();
const paid = await activateOk(app, alfa, uno.ec, n1, AMOUNT, { idempotencyKey: KEYS.activation });
const outcome = await soap(app, alfa.key, 'sendPaymentOutcome', {
  ...alfa.head,
  idempotencyKey: KEYS.outcome,
  paymentToken: paid,
  outcome: 'OK',
  details: { ...OK_DETAILS, payer: PAYER },
});
assert.equal(faultOf(outcome.value), 'OK');
tick();
// ko: Banca Alfa at Comune Uno.
const n2 = noticeNumber();
const ko = await activateOk(app, alfa, uno.ec, n2, AMOUNT);
assert.equal(faultOf((await soap(app, alfa.key, 'sendPaymentOutcome', { ...alfa.head, paymentToken: ko, outcome: 'KO' })).value), 'OK');
tick();
// active: Banca Beta at Comune Due, through the partner's station.
const n3 = noticeNumber();
const viaPartner = await activateOk(app, beta, due, n3, AMOUNT);
tick();
// failed: the station answers KO to Banca Beta's activation at Comune Uno.
const n4 = noticeNumber();
uno.station.inject({ kind: 'ko', faultCode: 'PAA_PAGAMENTO_SCADUTO' }, 1);
const refused = await soap(app, beta.key, 'activatePaymentNoticeV2', { ...beta.head, qrCode: qr(uno.ec, n4), amount: AMOUNT });
assert.equal(faultOf(refused.value), 'PPT_ERRORE_EMESSO_DA_PAA');
const failed = await tokenOf(n4);
tick();
// Two tokens of Banca Alfa that live one minute: one will lapse, the other be taken over.
const n5 = noticeNumber();
const lapsed = await activateOk(app, alfa, uno.ec, n5, AMOUNT, { expirationTime: 60_000 });
tick();
const n6 = noticeNumber();
const expired = await activateOk(app, alfa, uno.ec, n6, AMOUNT, { expirationTime: 60_000 });
tick();
// activatePaymentNotice (V1) at the simulator.
const n7 = noticeNumber();
const atSimulator = await activateOk(app, alfa, simulated, n7, AMOUNT, {}, 'activatePaymentNotice');
tick();
// Banca Gamma: 52 tokens activated at the same instant (a page and two; the order falls back on the token).
const many: string[] = [];
for (let i = 0; i < 52; i++) many.push(await activateOk(app, gamma, simulated, noticeNumber(), AMOUNT));
// Two minutes on: both one-minute tokens are past their expiry; Banca Beta activates the second's notice again.
clock.advance(120_000);
const n6again = await activateOk(app, beta, uno.ec, n6, AMOUNT);

const ALFA = [atSimulator, expired, lapsed, ko, paid];
const BETA = [n6again, failed, viaPartner];
const UNO = [n6again, expired, lapsed, failed, ko, paid];

const referent = async (organisationId: string, locale: 'en' | 'it' = 'en'): Promise<Browser> =>
  new Browser(app, 'portal').signIn((await createReferent(db, organisationId, ['node'], locale)).email);
const portalAlfa = await referent(alfa.organisationId, 'it');
const portalBeta = await referent(beta.organisationId);
const portalGamma = await referent(gamma.organisationId);
const portalUno = await referent(uno.ec.organisationId);
const portalDue = await referent(due.organisationId);
const portalPartner = await referent(partner.id);
const portalStranger = await referent(stranger.organisationId);
const backOffice = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);

const listed = (body: string): string[] => [...body.matchAll(/data-payment="([0-9a-f]+)"/g)].map((m) => m[1] ?? '');
const standings = (body: string): string[] => [...body.matchAll(/data-standing="(\w+)"/g)].map((m) => m[1] ?? '');
const day = (d: Date): string => d.toISOString().slice(0, 10);
const unescape = (href: string): string => href.replaceAll('&amp;', '&');
const olderLink = (body: string): string | undefined => {
  const found = /href="([^"]+)" rel="next"/.exec(body)?.[1];
  return found === undefined ? undefined : unescape(found);
};

test('a PSP lists the tokens it activated, newest first, each as the node stands on it now, in its language', async () => {
  const it = await portalAlfa.get('/portal/pagopa/payments');
  assert.equal(it.statusCode, 200);
  assert.match(it.body, /<h1>Pagamenti pagoPA<\/h1>/);
  assert.match(it.body, /<a href="\/portal\/pagopa\/payments" aria-current="page">Pagamenti pagoPA<\/a>/, 'the menu entry, marked current');
  assert.deepEqual(listed(it.body), ALFA);
  assert.deepEqual(standings(it.body), ['active', 'expired', 'lapsed', 'ko', 'paid']);
  assert.match(it.body, /scaduto il [^<]+, non ancora sostituito/, 'an active token past its expiry reads expired, not yet taken over');
  assert.match(it.body, /scaduto: un’attivazione successiva ha preso l’avviso/);
  assert.match(it.body, /<td[^>]*>Collaudo<\/td>/);
  assert.ok(it.body.includes(`${uno.ec.fiscalCode} ${n1}`), 'the notice: fiscal code and number');
  assert.match(it.body, /<td[^>]*>Comune Uno<\/td>/, 'the creditor institution by name, for the PSP too');
  assert.ok(it.body.includes('100,00\u00a0€'), 'the amount, as Italian writes it');
  assert.ok(it.body.includes(`Banca Alfa (${alfa.head.idPSP})`));
  assert.ok(it.body.includes(`href="/portal/pagopa/payments/${paid}"`), 'each token links to its page');
  const en = await portalBeta.get('/portal/pagopa/payments');
  assert.match(en.body, /<h1>pagoPA payments<\/h1>/);
  assert.deepEqual(listed(en.body), BETA);
  assert.deepEqual(standings(en.body), ['active', 'failed', 'active']);
  assert.match(en.body, /active until \d/);
  assert.match(en.body, /activation failed/);
});

test('the search: state, notice (as printed, in groups), EC fiscal code, token, environment and UTC days', async () => {
  const search = async (query: string): Promise<string[]> => {
    const res = await portalUno.get(`/portal/pagopa/payments?${query}`);
    assert.equal(res.statusCode, 200, `${query}: ${res.body.slice(0, 200)}`);
    return listed(res.body);
  };
  assert.deepEqual(await search(''), UNO, 'the notice\u2019s EC sees every PSP\u2019s tokens of its notices');
  assert.deepEqual(await search('state=paid'), [paid]);
  assert.deepEqual(await search('state=failed'), [failed]);
  assert.deepEqual(await search('state=active'), [n6again], 'active: before its expiry');
  assert.deepEqual(await search('state=lapsed'), [lapsed], 'a token past its expiry is found as the list shows it');
  assert.deepEqual(await search('state=stalled'), []);
  assert.deepEqual(await search(`notice=${encodeURIComponent(`${n1.slice(0, 2)} ${n1.slice(2, 6)} ${n1.slice(6, 10)} ${n1.slice(10)}`)}`), [paid]);
  assert.deepEqual(await search(`notice=${n6}`), [n6again, expired], 'every token the notice had');
  assert.deepEqual(await search(`ec=${uno.ec.fiscalCode}`), UNO);
  assert.deepEqual(await search(`ec=${due.fiscalCode}`), [], 'another EC\u2019s notices are not Comune Uno\u2019s to see');
  assert.deepEqual(await search(`token=${lapsed}`), [lapsed]);
  assert.deepEqual(await search('env=prod'), []);
  assert.deepEqual(await search(`env=test&from=${day(start)}&to=${day(clock.now())}`), UNO);
  assert.deepEqual(await search(`from=${day(new Date(clock.now().getTime() + 86_400_000))}`), []);
  assert.deepEqual(await search(`to=${day(new Date(start.getTime() - 86_400_000))}`), []);
  const kept = await portalUno.get(`/portal/pagopa/payments?state=ko&token=${ko}`);
  assert.match(kept.body, /<option value="ko" selected>/, 'the form keeps the search');
  assert.ok(kept.body.includes(`name="token" value="${ko}"`));
});

test('50 a page, newest first; the next page starts right after the last row, ties on the activation time broken by token', async () => {
  const first = await portalGamma.get('/portal/pagopa/payments');
  const page1 = listed(first.body);
  assert.equal(page1.length, 50);
  const next = olderLink(first.body);
  assert.ok(next, 'a link to the older page');
  const second = await portalGamma.get(next);
  const page2 = listed(second.body);
  assert.equal(page2.length, 2);
  assert.equal(olderLink(second.body), undefined, 'no third page');
  assert.match(second.body, /href="\/portal\/pagopa\/payments" rel="first"/);
  assert.deepEqual([...page1, ...page2], [...many].sort().reverse(), 'each token once, in order');
  // The search travels with the page links.
  const paged = await portalGamma.get('/portal/pagopa/payments?state=active&env=test');
  assert.match(olderLink(paged.body) ?? '', /^\/portal\/pagopa\/payments\?env=test&state=active&before=\d+\.[0-9a-f]{32}$/);
  // The back office pages every organisation's tokens the same way.
  const admin1 = await backOffice.get('/admin/pagopa/payments');
  const adminNext = olderLink(admin1.body);
  assert.ok(adminNext);
  const admin2 = listed((await backOffice.get(adminNext)).body);
  const all = [...listed(admin1.body), ...admin2];
  assert.equal(new Set(all).size, all.length, 'no token on both pages');
  for (const token of [...ALFA, ...BETA, ...many]) assert.ok(all.includes(token), token);
  assert.equal(all[0], n6again, 'the newest activation first');
});

test('the CSV is the search, every page, formula-safe; scoped like the list', async () => {
  const paidCsv = await portalAlfa.get('/portal/pagopa/payments.csv?state=paid');
  assert.equal(paidCsv.statusCode, 200);
  assert.match(String(paidCsv.headers['content-type']), /^text\/csv/);
  assert.match(String(paidCsv.headers['content-disposition']), /attachment; filename="varco-pagopa-payments-portal\.csv"/);
  const lines = paidCsv.body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  assert.match(lines[0] ?? '', /^activated_at,environment,fiscal_code,notice_number,token,state,standing,expires_at,amount,/);
  assert.equal(lines.length, 2);
  assert.match(lines[1] ?? '', new RegExp(`,test,${uno.ec.fiscalCode},${n1},${paid},paid,paid,.*,100\\.00,activatePaymentNoticeV2,2,Banca Alfa,`));
  const betaCsv = await portalBeta.get('/portal/pagopa/payments.csv');
  const betaRows = betaCsv.body.trimEnd().split('\r\n').slice(1);
  assert.deepEqual(
    betaRows.map((row) => row.split(',')[4]),
    BETA,
  );
  assert.ok(
    betaRows.every((row) => row.includes(",'=Banca Beta,")),
    'a cell starting with = is neutralised',
  );
  const lapsedRow = (await portalAlfa.get(`/portal/pagopa/payments.csv?token=${lapsed}`)).body.split('\r\n')[1] ?? '';
  assert.match(lapsedRow, new RegExp(`,${lapsed},active,lapsed,`), 'both the stored state and where it stands now');
  const gammaRows = (await portalGamma.get('/portal/pagopa/payments.csv')).body.trimEnd().split('\r\n').slice(1);
  assert.equal(gammaRows.length, 52, 'more than a page');
  assert.equal(
    (await portalBeta.get(`/portal/pagopa/payments.csv?token=${paid}`)).body.trimEnd().split('\r\n').length,
    1,
    'another PSP\u2019s token: the header only',
  );
  assert.equal((await portalAlfa.get('/portal/pagopa/payments.csv?state=lost')).statusCode, 400);
  const admin = await backOffice.get('/admin/pagopa/payments.csv');
  assert.ok(admin.body.trimEnd().split('\r\n').length >= 1 + ALFA.length + BETA.length + many.length);
});

test('a paid token\u2019s page: the PSP, the station, the EC\u2019s payment and the outcome, no personal data; links to its receipts and messages', async () => {
  const page = await portalAlfa.get(`/portal/pagopa/payments/${paid}?lang=en`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<p data-explain="paid">The PSP sent outcome OK/);
  for (const text of [
    paid,
    n1,
    uno.ec.fiscalCode,
    'Comune Uno',
    'activatePaymentNoticeV2',
    'Banca Alfa',
    alfa.head.idPSP,
    alfa.head.idBrokerPSP,
    alfa.head.idChannel,
    uno.stationCode,
    KEYS.activation,
    KEYS.outcome,
    'Avviso di prova (stazione simulata Varco)',
    'IT60X0542811101000000123456',
    'Pagamento di prova',
    'creditCard',
    '€1.50',
    '€100.00',
  ])
    assert.ok(page.body.includes(text), text);
  assert.match(page.body, /<tr><th>Station owner<\/th><td>Comune Uno<\/td><\/tr>/);
  // Where the receipt is, beside the state: its recipient, its delivery state, linked to its page.
  const receipt = await db
    .selectFrom('pagopa_receipts')
    .select(['id', 'recipient_fiscal_code'])
    .where('token', '=', paid)
    .orderBy('position')
    .executeTakeFirstOrThrow();
  assert.match(
    page.body,
    new RegExp(
      `<tr><th>Receipt</th><td><a href="/portal/pagopa/receipts/${receipt.id}">to ${receipt.recipient_fiscal_code}</a>: (being delivered|delivered) \\(\\d+ attempt\\(s\\)\\)`,
    ),
  );
  assert.match(page.body, new RegExp(`<title>pagoPA payment ${uno.ec.fiscalCode} · ${n1}`));
  assert.match(page.body, /<tr><th>Outcome<\/th><td>OK<\/td><\/tr>/);
  for (const secret of ['Mario Rossi', 'RSSMRA80A01H501U', 'mario.rossi@example.it', 'Debitore di prova', 'ANONIMO'])
    assert.ok(!page.body.includes(secret), `${secret} is not shown`);
  const receipts = /href="(\/portal\/pagopa\/receipts\?[^"]+)"/.exec(page.body)?.[1];
  assert.equal(receipts && unescape(receipts), `/portal/pagopa/receipts?env=test&token=${paid}`);
  assert.match((await portalAlfa.get(receipts ? unescape(receipts) : '')).body, /data-receipt="rct_/, 'the link finds its receipt');
  const messages = /href="(\/portal\/pagopa\/exchanges\?[^"]*token=[^"]+)"/.exec(page.body)?.[1];
  assert.ok(messages);
  const exchanges = await portalAlfa.get(unescape(messages));
  assert.equal(exchanges.statusCode, 200);
  assert.match(exchanges.body, /data-exchange="msg_/, 'the link finds its SOAP messages');
  assert.ok(page.body.includes(`href="/portal/pagopa/exchanges?env=test&amp;notice=${n1}"`));
});

test('the pages of a failed, a lapsed, a taken-over, a partner-routed and a simulated token say what the node would do', async () => {
  const failedPage = (await portalBeta.get(`/portal/pagopa/payments/${failed}`)).body;
  assert.match(failedPage, /data-explain="failed"/);
  assert.match(failedPage, /<tr><th>Fault code<\/th><td>PPT_ERRORE_EMESSO_DA_PAA<\/td><\/tr>/);
  assert.match(failedPage, /The institution has not given its payment data/);
  assert.doesNotMatch(failedPage, /pagopa\/receipts\?/, 'no receipts to link to');
  const lapsedPage = (await portalAlfa.get(`/portal/pagopa/payments/${lapsed}?lang=en`)).body;
  assert.match(lapsedPage, /<tr><th>State<\/th><td>expired at [^<]+, not yet taken over<\/td><\/tr>/);
  assert.match(lapsedPage, /an OK outcome from the PSP is still accepted \(the money moved\), a KO is refused \(PPT_TOKEN_SCADUTO_KO\)/);
  assert.match((await portalAlfa.get(`/portal/pagopa/payments/${expired}?lang=en`)).body, /data-explain="expired"/);
  const partnerPage = (await portalPartner.get(`/portal/pagopa/payments/${viaPartner}`)).body;
  assert.match(partnerPage, new RegExp(`<tr><th>Station</th><td>${partnerCode}</td></tr>`));
  assert.match(partnerPage, /<tr><th>Station owner<\/th><td>Partner Tre<\/td><\/tr>/);
  assert.match(partnerPage, /<tr><th>Creditor institution<\/th><td>Comune Due<\/td><\/tr>/);
  assert.match(partnerPage, /data-explain="active"/);
  const simulatorPage = (await portalAlfa.get(`/portal/pagopa/payments/${atSimulator}?lang=en`)).body;
  assert.match(simulatorPage, /<tr><th>Operation<\/th><td>activatePaymentNotice<\/td><\/tr>/);
  assert.match(simulatorPage, /<tr><th>Primitive version<\/th><td>1<\/td><\/tr>/);
  assert.match(simulatorPage, /\(test EC simulator\)<\/td>/);
});

test('tenancy: the PSP, the notice\u2019s EC and the station\u2019s owner see a token; anyone else gets a 404 exactly like an unknown token', async () => {
  const visible: Array<[Browser, string[]]> = [
    [portalDue, [viaPartner]],
    [portalPartner, [viaPartner]],
    [portalStranger, []],
  ];
  for (const [browser, tokens] of visible) assert.deepEqual(listed((await browser.get('/portal/pagopa/payments')).body), tokens);
  for (const token of [failed, n6again])
    assert.equal((await portalUno.get(`/portal/pagopa/payments/${token}`)).statusCode, 200, 'another PSP\u2019s token of its notice');
  const hidden: Array<[Browser, string]> = [
    [portalBeta, paid],
    [portalBeta, lapsed],
    [portalAlfa, viaPartner],
    [portalAlfa, failed],
    [portalUno, viaPartner],
    [portalDue, paid],
    [portalPartner, paid],
    [portalGamma, paid],
    ...[paid, ko, viaPartner, failed, lapsed, expired, atSimulator, n6again].map((token): [Browser, string] => [portalStranger, token]),
  ];
  // The 404 page, with what differs between any two requests (the token itself, the request id, the form tokens) set aside.
  const shape = (body: string, token: string): string =>
    body
      .replaceAll(token, 'TOKEN')
      .replace(/req_[0-9a-z]+/g, 'REQUEST')
      .replace(/name="_csrf" value="[^"]*"/g, 'CSRF');
  const unknownToken = '0'.repeat(32);
  for (const [browser, token] of hidden) {
    const res = await browser.get(`/portal/pagopa/payments/${token}`);
    assert.equal(res.statusCode, 404, token);
    const unknown = await browser.get(`/portal/pagopa/payments/${unknownToken}`);
    assert.equal(unknown.statusCode, 404);
    assert.equal(shape(res.body, token), shape(unknown.body, unknownToken), 'the same page as for a token nobody has');
    assert.deepEqual(listed((await browser.get(`/portal/pagopa/payments?token=${token}`)).body), [], `not by searching either: ${token}`);
  }
  for (const malformed of ['not-a-token!', 'a'.repeat(36), '%27%20OR%201%3D1'])
    assert.equal((await portalAlfa.get(`/portal/pagopa/payments/${malformed}`)).statusCode, 404, malformed);
  assert.notEqual((await portalAlfa.get('/admin/pagopa/payments')).statusCode, 200, 'a referent has no back office');
  const admin = await backOffice.get('/admin/pagopa/payments?token=' + viaPartner);
  assert.deepEqual(listed(admin.body), [viaPartner]);
  assert.match(admin.body, /<td[^>]*>Comune Due \(station of Partner Tre\)<\/td>/, 'the back office names the other parties');
  assert.equal((await backOffice.get(`/admin/pagopa/payments/${viaPartner}`)).statusCode, 200);
  assert.equal((await backOffice.get(`/admin/pagopa/payments/${'f'.repeat(32)}`)).statusCode, 404);
});

test('bad search input is a 400 page saying what is wrong, in the page\u2019s language; never a 500', async () => {
  const cases: Array<[string, RegExp]> = [
    ['env=staging', /The environment must be test or production/],
    ['state=lost', /Choose a state from the list/],
    ['state=taken', /Choose a state from the list/],
    ['notice=12345', /A notice number has 18 digits/],
    [`notice=${'9'.repeat(65)}`, /at most 64 characters/],
    ['ec=ABC', /An EC fiscal code has 11 digits/],
    ['token=abc%20def', /A payment token has 1 to 35 letters and digits/],
    [`token=${'a'.repeat(36)}`, /A payment token has 1 to 35 letters and digits/],
    ['from=2026-02-30', /Dates are written YYYY-MM-DD/],
    ['to=yesterday', /Dates are written YYYY-MM-DD/],
    ['before=%27%20OR%201%3D1', /The page link is not valid/],
    ['before=123', /The page link is not valid/],
  ];
  for (const [query, reason] of cases) {
    const res = await portalBeta.get(`/portal/pagopa/payments?${query}`);
    assert.equal(res.statusCode, 400, query);
    assert.match(res.body, /class="error" role="alert"/, query);
    assert.match(res.body, reason, query);
    assert.deepEqual(listed(res.body), [], 'nothing listed');
  }
  assert.match((await portalAlfa.get('/portal/pagopa/payments?state=lost')).body, /Scegli uno stato dall’elenco/);
  const csv = await portalAlfa.get('/portal/pagopa/payments.csv?notice=12');
  assert.equal(csv.statusCode, 400);
  assert.match(String(csv.headers['content-type']), /^text\/html/, 'the search form again, not a file');
  assert.match(csv.body, /Un numero avviso ha 18 cifre/);
  assert.equal((await portalAlfa.get('/portal/pagopa/payments?env=test&env=prod')).statusCode, 400, 'a repeated parameter');
  assert.equal((await portalAlfa.get(`/portal/pagopa/payments/${'a'.repeat(65)}`)).statusCode, 400, 'an overlong path segment, as for every id');
  assert.equal((await backOffice.get('/admin/pagopa/payments?env=x')).statusCode, 400);
});

test('the node does what the pages said: a lapsed token refuses a KO and takes an OK, a taken-over one refuses both', async () => {
  const send = async (token: string, value: 'OK' | 'KO') =>
    faultOf(
      (
        await soap(app, alfa.key, 'sendPaymentOutcome', {
          ...alfa.head,
          paymentToken: token,
          outcome: value,
          ...(value === 'OK' ? { details: OK_DETAILS } : {}),
        })
      ).value,
    );
  assert.equal(await send(expired, 'OK'), 'PPT_TOKEN_SCADUTO');
  assert.equal(await send(expired, 'KO'), 'PPT_TOKEN_SCADUTO_KO');
  assert.equal(await send(lapsed, 'KO'), 'PPT_TOKEN_SCADUTO_KO');
  assert.equal(await send(lapsed, 'OK'), 'OK');
  const page = await portalAlfa.get(`/portal/pagopa/payments/${lapsed}`);
  assert.match(page.body, /data-explain="paid"/);
});
