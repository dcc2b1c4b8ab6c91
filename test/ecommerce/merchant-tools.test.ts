import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { debugView } from '../../src/modules/merchants/error-log.debug.ts';
import { errorLogPage } from '../../src/views/merchant/error-log.ts';

// Tools for merchants in the portal: the SHASIGN page (the published vector A1 of
// docs/reference/ogone/test-vectors.md, the signed test transaction form) and the Error logs page
// with its signature debugger, scoped to the referent's own merchant.

const { app, services, database, rawLogs } = await buildTestApp();
const db = database.db;
const org = await createOrganisation(db, 'Ferramenta Spa');
await issueKeys(services, org, 'ecommerce', 'test');
const portal = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['ecommerce'])).email);
const created = await services.merchants.create({ organisationId: org, pspid: 'MyPSPID' }, { type: 'cli', id: null, ip: null });
assert.ok(created.ok);
const merchant = created.value;
const otherOrg = await createOrganisation(db);
await issueKeys(services, otherOrg, 'ecommerce', 'test');
const other = await new Browser(app, 'portal').signIn((await createReferent(db, otherOrg, ['ecommerce'])).email);

const A1 = 'AMOUNT=1500\nCURRENCY=EUR\nLANGUAGE=en_US\nORDERID=1234\nPSPID=MyPSPID\n';
const P = 'Mysecretsig1875!?';
const MASKED = 'AMOUNT=1500********CURRENCY=EUR********LANGUAGE=en_US********ORDERID=1234********PSPID=MyPSPID********';

test('the SHASIGN page computes the published digests of vector A1, with the passphrase masked and never echoed', async () => {
  const form = await portal.get('/portal/shasign');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /PSPID=MyPSPID/, 'the PSPID of the merchant is filled in');
  const sha1 = await portal.post('/portal/shasign', { params: A1, list: 'in', alg: 'sha1', method: 'each-parameter', encoding: 'utf8', passphrase: P });
  assert.equal(sha1.statusCode, 200);
  assert.match(sha1.body, /data-digest>F4CC376CD7A834D997B91598FA747825A238BE0A</);
  assert.ok(sha1.body.includes(MASKED));
  assert.ok(!sha1.body.includes('Mysecretsig1875'), 'the passphrase is not in the page');
  assert.ok(!rawLogs().includes('Mysecretsig1875'), 'nor in the log');
  const sha512 = await portal.post('/portal/shasign', { params: A1, list: 'in', alg: 'sha512', method: 'each-parameter', encoding: 'utf8', passphrase: P });
  assert.match(
    sha512.body,
    /data-digest>D1CFE8833A297D0922E908B2B44934B09EE966EF1584DC0D696304E07BB58BA71973C2383C831D878D8A243BB7D7DFFFBE53CEE21955CDFEF44FE82E551F859D</,
  );
});

test('the Test transaction button is a plain signed form to the test page, without any script', async () => {
  const res = await portal.post('/portal/shasign', { params: `${A1}SHASIGN=stale\nCOM=Café & co\n`, alg: 'sha1', passphrase: P });
  assert.equal(res.statusCode, 200);
  const action = /<form method="post" action="\/ncol\/test\/orderstandard_utf8\.asp" accept-charset="UTF-8">([\s\S]*?)<\/form>/.exec(res.body);
  assert.ok(action?.[1], 'a form posting to the UTF-8 test page');
  const hidden = [...action[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]);
  const digest = /data-digest>([0-9A-F]+)</.exec(res.body)?.[1];
  assert.deepEqual(hidden, [
    ['AMOUNT', '1500'],
    ['CURRENCY', 'EUR'],
    ['LANGUAGE', 'en_US'],
    ['ORDERID', '1234'],
    ['PSPID', 'MyPSPID'],
    ['COM', 'Café &amp; co'],
    ['SHASIGN', digest],
  ]);
  assert.doesNotMatch(res.body, /<script(?! src="\/assets\/varco\.js")/i, 'no script but the copy buttons\u2019 own file');
  assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  const latin1 = await portal.post('/portal/shasign', { params: A1, alg: 'sha1', encoding: 'latin1', passphrase: P });
  assert.match(latin1.body, /action="\/ncol\/test\/orderstandard\.asp" accept-charset="ISO-8859-1"/);
  const out = await portal.post('/portal/shasign', { params: A1, list: 'out', alg: 'sha1', passphrase: P });
  assert.doesNotMatch(out.body, /orderstandard/, 'SHA-OUT has no test transaction');
});

test('bad input on the SHASIGN page is explained, never a 500', async () => {
  const line = await portal.post('/portal/shasign', { params: 'AMOUNT=1500\nnot a parameter\n', alg: 'sha1', passphrase: P });
  assert.equal(line.statusCode, 400);
  assert.match(line.body, /Line 2 is not NAME=value/);
  const none = await portal.post('/portal/shasign', { params: A1, alg: 'sha1', passphrase: '' });
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /Type the passphrase/);
  const twice = await portal.post('/portal/shasign', { params: `${A1}orderid=99\n`, alg: 'sha1', passphrase: P });
  assert.equal(twice.statusCode, 400);
  assert.match(twice.body, /ORDERID occurs more than once/);
  assert.equal((await portal.post('/portal/shasign', { alg: 'md5' })).statusCode, 400);
});

test('the error log shows each rejection with its signature debugger; card data never reaches the table', async () => {
  await services.errorLog.recordEntryError({
    merchantId: merchant.id,
    env: 'test',
    pspid: 'MyPSPID',
    orderRef: 'order-42',
    code: '50001184',
    message: 'unknown order/1/s/',
    clientIp: '203.0.113.9',
    referrer: 'https://shop.example/',
    debug: {
      page: 'utf8',
      passphraseSet: true,
      algorithm: 'sha512',
      hashingMethod: 'each-parameter',
      encoding: 'utf8',
      included: ['AMOUNT', 'CARDNO', 'CURRENCY', 'ORDERID', 'PSPID'],
      candidates: [
        { order: 'ascii', masked: 'AMOUNT=1500********CARDNO=4111111111111111********CURRENCY=EUR********ORDERID=order-42********PSPID=MyPSPID********' },
      ],
      shasign: 'given',
      received: ['PSPID', 'ORDERID', 'AMOUNT', 'CURRENCY', 'CARDNO', 'SHASIGN'],
    },
  });
  await services.errorLog.recordEntryError({
    merchantId: merchant.id,
    env: 'prod',
    pspid: 'MyPSPID',
    orderRef: 'order-43',
    code: '50001111',
    message: 'no AMOUNT',
    clientIp: '203.0.113.10',
    referrer: null,
    debug: {
      included: [
        ['CVC', '123'],
        ['ORDERID', 'order-43'],
      ],
      maskedString: 'CVC=123********ORDERID=order-43********',
      algorithm: 'sha1',
    },
  });
  // While prod had no active subscription the hosted page knew no merchant: the row still names the PSPID.
  await services.errorLog.recordEntryError({
    merchantId: null,
    env: 'prod',
    pspid: 'mypspid',
    orderRef: 'order-44',
    code: '50001118',
    message: 'PSPID not found or not active',
    clientIp: '203.0.113.11',
    referrer: null,
    debug: { page: 'latin1' },
  });
  await services.errorLog.recordEntryError({
    merchantId: null,
    env: 'test',
    pspid: 'SomeoneElse',
    orderRef: 'x',
    code: '50001118',
    message: 'PSPID not found or not active',
    clientIp: '198.51.100.1',
    referrer: null,
  });
  const stored = JSON.stringify(await db.selectFrom('ecommerce_errors').selectAll().execute());
  assert.ok(!stored.includes('4111111111111111') && !stored.includes('CVC=123') && !stored.includes('"123"'), 'card data stored');
  assert.ok(stored.includes('CARDNO=411111XXXXXX1111'), 'a card number is kept as first six / last four');

  const page = await portal.get('/portal/merchant/errors');
  assert.equal(page.statusCode, 303);
  const log = await portal.get(String(page.headers.location));
  assert.equal(log.statusCode, 200);
  assert.deepEqual(
    [
      ...log.body.matchAll(
        /<td[^>]*><code>(order-\d+)<\/code><\/td><td[^>]*><code>(\d+)<\/code>(?:<br><small>[^<]+<\/small>)?<\/td><td[^>]*>([^<]+)<\/td><td[^>]*>([^<]+)<\/td>/g,
      ),
    ].map((m) => [m[1], m[2], m[3], m[4]]),
    [
      ['order-44', '50001118', 'PSPID not found or not active', '203.0.113.11'],
      ['order-43', '50001111', 'no AMOUNT', '203.0.113.10'],
      ['order-42', '50001184', 'unknown order/1/s/', '203.0.113.9'],
    ],
  );
  assert.doesNotMatch(log.body, /SomeoneElse/);
  assert.match(log.body, /<details><summary>Signature debugger<\/summary>/);
  assert.ok(
    log.body.includes(
      '<pre data-masked><code>AMOUNT=1500********CARDNO=411111XXXXXX1111********CURRENCY=EUR********ORDERID=order-42********PSPID=MyPSPID********</code></pre>',
    ),
  );
  assert.match(log.body, /<li><code>AMOUNT<\/code><\/li><li><code>CARDNO<\/code><\/li>/);
  // A verification field is dropped whole, its value and its place in the list.
  assert.match(log.body, /<ol data-included><li><code>ORDERID<\/code> = <code>order-43<\/code><\/li>/);
  assert.doesNotMatch(log.body, /<code>CVC<\/code> =/);
  assert.match(log.body, /The request carried a SHASIGN\./);
  const testOnly = await portal.get(`/portal/merchants/${merchant.id}/errors?env=test`);
  assert.match(testOnly.body, /order-42/);
  assert.doesNotMatch(testOnly.body, /order-43|order-44/);
  assert.equal((await other.get(`/portal/merchants/${merchant.id}/errors`)).statusCode, 404);
});

test('the signature debugger says when the SHASIGN was made with another algorithm than the account’s', async () => {
  const debug = { page: 'utf8', passphraseSet: true, algorithm: 'sha256', hashingMethod: 'each-parameter', encoding: 'utf8', included: ['AMOUNT', 'ORDERID'] };
  const row = (orderRef: string, extra: object) => ({
    merchantId: merchant.id,
    env: 'test' as const,
    pspid: 'MyPSPID',
    orderRef,
    code: '50001184',
    message: 'unknown order/1/s/',
    clientIp: '203.0.113.9',
    referrer: null,
    debug: { ...debug, ...extra },
  });
  await services.errorLog.recordEntryError(row('order-sha1', { shasign: 'given', shasignDigits: 40 }));
  await services.errorLog.recordEntryError(row('order-sha256', { shasign: 'given', shasignDigits: 64 }));
  const log = await portal.get(`/portal/merchants/${merchant.id}/errors?q=order-sha`);
  assert.equal(log.statusCode, 200);
  const said = [...log.body.matchAll(/The SHASIGN has (\d+) hex digits \(([^)]+)\); this account hashes with ([^.]+)\./g)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(said, [['40', 'SHA-1', 'SHA-256']], 'said once: the 64-digit one matches the account');
  assert.match(log.body, /<p>Parameters included, in order \(their values are in the string below\):<\/p>/);
  const italian = {
    id: 'err_1',
    at: new Date(),
    env: 'test',
    pspid: 'MyPSPID',
    orderRef: 'order-sha512',
    code: '50001184',
    message: 'unknown order/1/s/',
    clientIp: null,
    referrer: null,
    debug: debugView({ ...debug, shasign: 'given', shasignDigits: 128 }),
  };
  const filter = { env: '', code: '', q: '', from: '', to: '' };
  const it = errorLogPage('it', { base: '/x', filter, rows: [italian], olderHref: null, newestHref: null, csvHref: '/x.csv' });
  assert.match(String(it), /Lo SHASIGN ha 128 cifre esadecimali \(SHA-512\); questo account calcola l’hash con SHA-256\./);
  assert.match(String(it), /Parametri inclusi, in ordine \(i valori sono nella stringa qui sotto\):/);
});

test('the SHASIGN page starts from the merchant’s own hashing settings', async () => {
  const selected = (body: string, name: string) =>
    new RegExp(`<select id="s-${name}" name="${name}">[\\s\\S]*?<option value="([^"]+)" selected>`).exec(body)?.[1];
  const before = (await portal.get('/portal/shasign')).body;
  assert.deepEqual(
    [selected(before, 'alg'), selected(before, 'method'), selected(before, 'encoding')],
    ['sha512', 'each-parameter', 'utf8'],
    'the defaults of a new account',
  );
  const updated = await services.merchants.updateSettings(
    merchant.id,
    'test',
    { hashAlgorithm: 'sha256', charset: 'latin1' },
    { type: 'cli', id: null, ip: null },
  );
  assert.ok(updated.ok);
  const after = (await portal.get('/portal/shasign')).body;
  assert.deepEqual([selected(after, 'alg'), selected(after, 'encoding')], ['sha256', 'latin1']);
  // Without a merchant account: the tool's own defaults.
  assert.equal(selected((await other.get('/portal/shasign')).body, 'alg'), 'sha512');
});
