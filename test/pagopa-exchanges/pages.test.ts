import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { activateExchange, CHANNEL_PASSWORD, getPaymentExchange, noticeNumber, tokenOf } from './support.ts';

// Issue 11, exchange log pages through the production app: the portal shows a referent only the
// messages its organisation is party to (another organisation's message is a 404 by URL and by
// download, and never appears in a search), the back office shows all; lists newest first with
// cursor links and filters; a message pretty-printed as escaped text, downloadable as XML; both
// languages; bad search input is a 400 page, never a 500.

const { app, services, database } = await buildTestApp();
const db = database.db;
const log = services.exchanges;
const admin = await createAdmin(services);
const psp = await createOrganisation(db, 'Banca Pagatrice');
const ec = await createOrganisation(db, 'Comune di Prova');
const stranger = await createOrganisation(db, 'Banca Estranea');
const portalPsp = await new Browser(app, 'portal').signIn((await createReferent(db, psp, ['node'])).email);
const portalEc = await new Browser(app, 'portal').signIn((await createReferent(db, ec, ['node'], 'it')).email);
const portalStranger = await new Browser(app, 'portal').signIn((await createReferent(db, stranger, ['node'])).email);
const backOffice = await new Browser(app, 'admin').signIn(admin.email);
const parties = { psp, ec, stationOwner: ec, stationId: 'sta_pages' };
const ago = (m: number): Date => new Date(Date.now() - m * 60_000);

const activated = await log.record(activateExchange(parties, { n: 1, at: ago(30) }));
const fetched = await log.record(getPaymentExchange(parties, { n: 1, at: ago(29) }));
const timedOut = await log.record({
  ...getPaymentExchange(parties, { n: 2, at: ago(28) }),
  response: undefined,
  outcome: null,
  httpStatus: null,
  faultCode: 'PPT_STAZIONE_INT_PA_TIMEOUT',
  error: 'no answer within 8000 ms',
});
// A station answering markup that would run if a page interpreted it.
const hostile = await log.record({
  ...getPaymentExchange(parties, { n: 3, at: ago(27) }),
  response: '<x><script>alert(1)</script><img src=x onerror=alert(2)></x>',
});
const strangers = await log.record(activateExchange({ psp: stranger }, { n: 9, at: ago(26) }));

test('a referent lists its organisation\u2019s messages newest first, in its language, not cached', async () => {
  const en = await portalPsp.get('/portal/pagopa/exchanges');
  assert.equal(en.statusCode, 200);
  assert.equal(en.headers['cache-control'], 'no-store');
  assert.match(en.body, /<h1>pagoPA exchange log<\/h1>/);
  assert.match(en.body, /messages are kept 30 days/);
  assert.match(en.body, /href="\/portal\/pagopa\/exchanges" aria-current="page">pagoPA messages</, 'in the menu, marked current');
  const order = [...en.body.matchAll(/data-exchange="(msg_[0-9a-z]+)"/g)].map((m) => m[1]);
  assert.deepEqual(order, [hostile, timedOut, fetched, activated]);
  assert.match(en.body, /PSP \u2192 Varco/);
  assert.match(en.body, /<td[^>]*>PPT_STAZIONE_INT_PA_TIMEOUT<\/td>/);
  const it = await portalEc.get('/portal/pagopa/exchanges');
  assert.equal(it.statusCode, 200);
  assert.match(it.body, /<h1>Log dei messaggi pagoPA<\/h1>/);
  assert.match(it.body, /Numero avviso/);
  assert.match(it.body, /Varco \u2192 stazione/);
  assert.match(it.body, /data-label="Ambiente">Collaudo<\/td>/, 'the environment in the page\u2019s language');
  assert.equal([...it.body.matchAll(/data-exchange=/g)].length, 4, 'the EC (and station owner) sees the same four, once each');
  assert.match((await portalPsp.get('/portal/pagopa/exchanges?lang=it')).body, /Log dei messaggi pagoPA/);
});

test('a message page shows both messages pretty-printed as escaped text, with timing, outcome and parties', async () => {
  const page = await portalPsp.get(`/portal/pagopa/exchanges/${activated}`);
  assert.equal(page.statusCode, 200);
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.ok(!page.body.includes(CHANNEL_PASSWORD), 'the password never reaches a page');
  assert.match(page.body, /\n {6}&lt;password&gt;\*{8}&lt;\/password&gt;\n/, 'masked, indented, one element per line');
  assert.match(page.body, new RegExp(`&lt;noticeNumber&gt;${noticeNumber(1)}&lt;/noticeNumber&gt;`));
  assert.match(page.body, new RegExp(`&lt;paymentToken&gt;${tokenOf(1)}&lt;/paymentToken&gt;`), 'the response too');
  for (const text of ['activatePaymentNotice', 'Banca Pagatrice', 'Comune di Prova', '77777777777_01', '41 ms', 'HTTP status'])
    assert.ok(page.body.includes(text), text);
  assert.match(page.body, new RegExp(`href="/portal/pagopa/exchanges/${activated}/request.xml"`));

  const evil = await portalEc.get(`/portal/pagopa/exchanges/${hostile}`);
  assert.equal(evil.statusCode, 200);
  assert.doesNotMatch(evil.body, /<script(?! src="\/assets\/varco\.js")|<img/, 'markup in a message is shown, never interpreted');
  assert.match(evil.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);

  const timeout = await portalEc.get(`/portal/pagopa/exchanges/${timedOut}`);
  assert.match(timeout.body, /Nessuna risposta/);
  assert.match(timeout.body, /no answer within 8000 ms/);
});

test('each message downloads as text/xml with a safe file name; a missing response is a 404', async () => {
  const request = await portalPsp.get(`/portal/pagopa/exchanges/${activated}/request.xml`);
  assert.equal(request.statusCode, 200);
  assert.equal(request.headers['content-type'], 'text/xml; charset=utf-8');
  assert.equal(request.headers['content-disposition'], `attachment; filename="pagopa-test-activatePaymentNotice-${activated}-request.xml"`);
  assert.equal(request.headers['cache-control'], 'no-store');
  assert.ok(request.body.startsWith('<'));
  assert.ok(!request.body.includes(CHANNEL_PASSWORD));
  assert.match(request.body, /<password>\*{8}<\/password>/);
  assert.equal(request.body, (await log.get({ admin: true }, activated))?.request, 'the stored message, as stored');
  const response = await portalEc.get(`/portal/pagopa/exchanges/${fetched}/response.xml`);
  assert.equal(response.statusCode, 200);
  assert.match(response.headers['content-disposition'] as string, /^attachment; filename="pagopa-test-paGetPayment-msg_[0-9a-z]{26}-response\.xml"$/);
  assert.equal((await portalEc.get(`/portal/pagopa/exchanges/${timedOut}/response.xml`)).statusCode, 404);
});

test('another organisation\u2019s message is a 404 by id, URL and download, and never appears in its list or searches', async () => {
  const mine = [activated, fetched, timedOut, hostile];
  for (const id of mine) {
    for (const suffix of ['', '/request.xml', '/response.xml', '?lang=it']) {
      const res = await portalStranger.get(`/portal/pagopa/exchanges/${id}${suffix}`);
      assert.equal(res.statusCode, 404, `${id}${suffix}`);
      assert.ok(!res.body.includes(noticeNumber(1)) && !res.body.includes('Comune di Prova'));
    }
  }
  const unknown = await portalStranger.get('/portal/pagopa/exchanges/msg_00000000000000000000000000');
  assert.equal(unknown.statusCode, 404, 'the same answer as an id that does not exist');
  const list = await portalStranger.get('/portal/pagopa/exchanges');
  assert.deepEqual(
    [...list.body.matchAll(/data-exchange="(msg_[0-9a-z]+)"/g)].map((m) => m[1]),
    [strangers],
  );
  for (const query of [`notice=${noticeNumber(1)}`, `token=${tokenOf(1)}`, 'fault=PPT_STAZIONE_INT_PA_TIMEOUT', 'operation=paGetPayment']) {
    const found = await portalStranger.get(`/portal/pagopa/exchanges?${query}`);
    assert.equal(found.statusCode, 200);
    assert.ok(!mine.some((id) => found.body.includes(id)), query);
  }
  // And the other way round: the stranger's message is not the PSP's.
  assert.equal((await portalPsp.get(`/portal/pagopa/exchanges/${strangers}`)).statusCode, 404);
  assert.equal((await portalPsp.get(`/portal/pagopa/exchanges/${strangers}/request.xml`)).statusCode, 404);
});

test('the back office sees every organisation\u2019s messages, with their parties, and opens and downloads any', async () => {
  const list = await backOffice.get('/admin/pagopa/exchanges');
  assert.equal(list.statusCode, 200);
  assert.equal([...list.body.matchAll(/data-exchange=/g)].length, 5);
  assert.match(list.body, /Banca Pagatrice, Comune di Prova/);
  assert.match(list.body, /href="\/admin\/pagopa\/exchanges" aria-current="page">pagoPA messages</);
  assert.match(list.body, /href="\/admin\/pagopa">pagoPA registry</, 'the registry, a parent path, is not current');
  assert.equal((await backOffice.get(`/admin/pagopa/exchanges/${strangers}`)).statusCode, 200);
  assert.equal((await backOffice.get(`/admin/pagopa/exchanges/${activated}/response.xml`)).statusCode, 200);
  const it = await backOffice.get('/admin/pagopa/exchanges?lang=it&fault=ppt_stazione_int_pa_timeout');
  assert.match(it.body, /Log dei messaggi pagoPA/);
  assert.deepEqual(
    [...it.body.matchAll(/data-exchange="(msg_[0-9a-z]+)"/g)].map((m) => m[1]),
    [timedOut],
    'fault codes match whatever the case typed',
  );
  assert.equal((await portalPsp.get('/admin/pagopa/exchanges')).statusCode, 303, 'a portal session is not a back-office one');
});

test('filters and cursor links on the page; bad search input is a 400 page that says what is wrong', async () => {
  for (let n = 0; n < 53; n++) await log.record(activateExchange({ psp: stranger }, { n: 1000 + n, at: ago(20 - n / 100), env: 'prod' }));
  const first = await portalStranger.get('/portal/pagopa/exchanges?env=prod');
  const firstIds = [...first.body.matchAll(/data-exchange="(msg_[0-9a-z]+)"/g)].map((m) => m[1]);
  assert.equal(firstIds.length, 50);
  const older = /href="([^"]+)" rel="next"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(older?.startsWith('/portal/pagopa/exchanges?env=prod&before='), older);
  const second = await portalStranger.get(older ?? '');
  const secondIds = [...second.body.matchAll(/data-exchange="(msg_[0-9a-z]+)"/g)].map((m) => m[1]);
  assert.equal(secondIds.length, 3);
  assert.ok(!secondIds.some((id) => firstIds.includes(id)));
  assert.doesNotMatch(second.body, /rel="next"/);
  assert.match(second.body, /href="\/portal\/pagopa\/exchanges\?env=prod" rel="first"/);
  assert.match((await portalStranger.get(`/portal/pagopa/exchanges?notice=${noticeNumber(1052)}`)).body, /data-exchange=/);

  for (const [query, text] of [
    ['env=staging', 'The environment must be test or production.'],
    ['before=msg_garbage', 'The page link is not valid'],
    ['operation=%3Cscript%3E', 'Choose an operation from the list.'],
    [`token=${'x'.repeat(65)}`, 'at most 64 characters'],
  ] as const) {
    const res = await portalStranger.get(`/portal/pagopa/exchanges?${query}`);
    assert.equal(res.statusCode, 400, query);
    assert.ok(res.body.includes(text), query);
    assert.doesNotMatch(res.body, /data-exchange=/);
  }
  const itBad = await portalEc.get('/portal/pagopa/exchanges?env=staging');
  assert.equal(itBad.statusCode, 400);
  assert.match(itBad.body, /L’ambiente deve essere collaudo o produzione/);
  const anonymous = await app.inject({ url: '/portal/pagopa/exchanges' });
  assert.equal(anonymous.statusCode, 303);
  assert.equal((await app.inject({ url: `/portal/pagopa/exchanges/${activated}/request.xml` })).statusCode, 303);
});

test('the search downloads as CSV: the same rows and scope as the list, spreadsheet-safe', async () => {
  const list = await portalPsp.get('/portal/pagopa/exchanges');
  assert.match(list.body, /href="\/portal\/pagopa\/exchanges\.csv"[^>]*download/);
  const csv = await portalPsp.get('/portal/pagopa/exchanges.csv');
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv; charset=utf-8/);
  assert.match(String(csv.headers['content-disposition']), /attachment; filename="varco-pagopa-messages-portal\.csv"/);
  const lines = csv.body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  assert.match(lines[0] ?? '', /^at,environment,direction,operation,notice_number/);
  const ids = lines.slice(1).map((l) => l.split(',').at(-1));
  assert.deepEqual(ids, [hostile, timedOut, fetched, activated], 'newest first, the organisation\u2019s own only');
  assert.ok(!csv.body.includes(strangers), 'another organisation\u2019s message is not in it');
  // A filter applies to the download too; the back office gets every organisation's.
  const filtered = await portalPsp.get('/portal/pagopa/exchanges.csv?fault=PPT_STAZIONE_INT_PA_TIMEOUT');
  assert.equal(
    filtered.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n').length,
    2,
  );
  const all = await backOffice.get('/admin/pagopa/exchanges.csv');
  assert.ok(all.body.includes(strangers));
  assert.equal((await portalPsp.get('/portal/pagopa/exchanges.csv?env=staging')).statusCode, 400);
});

test('a failed call to a station names its host and address to the station\u2019s operators only, never to the PSP it served', async () => {
  const partner = await createOrganisation(db, 'Partner Tecnologico');
  const portalPartner = await new Browser(app, 'portal').signIn((await createReferent(db, partner, ['node'])).email);
  const address = 'ec-station.example at 203.0.113.7:9443';
  const refused = await log.record({
    ...getPaymentExchange({ ...parties, stationOwner: partner }, { n: 4, at: ago(1) }),
    response: undefined,
    outcome: null,
    httpStatus: null,
    faultCode: 'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE',
    error: `The connection to ${address} was refused (ECONNREFUSED).`,
  });
  const pspPage = await portalPsp.get(`/portal/pagopa/exchanges/${refused}`);
  assert.equal(pspPage.statusCode, 200, 'the PSP still sees the exchange it caused');
  assert.ok(!pspPage.body.includes('203.0.113.7') && !pspPage.body.includes('ec-station.example'), 'no host or address');
  assert.match(pspPage.body, /PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE/);
  assert.match(pspPage.body, /shown to the institution only/);
  const pspCsv = await portalPsp.get('/portal/pagopa/exchanges.csv');
  assert.ok(pspCsv.body.includes(refused) && !pspCsv.body.includes('203.0.113.7'), 'nor in the download');
  assert.ok(!(await portalPsp.get(`/portal/pagopa/exchanges/${timedOut}`)).body.includes('8000 ms'), 'a timeout\u2019s text either');
  // The EC, the station's owner (a partner here) and the back office read it whole.
  for (const [who, browser] of [
    ['EC', portalEc],
    ['station owner', portalPartner],
    ['back office', backOffice],
  ] as const) {
    const surface = browser === backOffice ? 'admin' : 'portal';
    const page = await browser.get(`/${surface}/pagopa/exchanges/${refused}`);
    assert.ok(page.body.includes(address), who);
    assert.ok((await browser.get(`/${surface}/pagopa/exchanges.csv`)).body.includes(address), `${who}: CSV`);
  }
  assert.match((await portalEc.get(`/portal/pagopa/exchanges/${refused}`)).body, /was refused/);

  // A web server's error page instead of SOAP may name the server: the EC reads it, the PSP does not.
  const page = '<html><body><h1>503 Service Unavailable</h1><address>Apache Server at ec-internal.example Port 443</address></body></html>';
  const notSoap = await log.record({
    ...getPaymentExchange({ ...parties, stationOwner: partner }, { n: 5, at: ago(1) }),
    response: page,
    outcome: null,
    httpStatus: 503,
    faultCode: 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
    error: 'the station answered HTTP 503',
  });
  const pspView = await portalPsp.get(`/portal/pagopa/exchanges/${notSoap}`);
  assert.equal(pspView.statusCode, 200);
  assert.ok(!pspView.body.includes('ec-internal.example'), 'not on the PSP\u2019s page');
  assert.match(pspView.body, /answered, but not in SOAP/);
  assert.equal((await portalPsp.get(`/portal/pagopa/exchanges/${notSoap}/response.xml`)).statusCode, 404, 'nor as a download');
  assert.ok((await portalEc.get(`/portal/pagopa/exchanges/${notSoap}/response.xml`)).body.includes('ec-internal.example'));
  // A SOAP answer stays visible to the PSP, as the request does.
  assert.equal((await portalPsp.get(`/portal/pagopa/exchanges/${fetched}/response.xml`)).statusCode, 200);
});
