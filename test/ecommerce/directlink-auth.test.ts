import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, formBytes, ownSha, SHA_IN } from '../support/ecommerce.ts';
import { createApiUser, ncAnswer, postDirect, readNcResponse, signedDirect } from '../support/directlink.ts';

// DirectLink authentication and refusals: PSPID, SHA-IN over the DirectLink parameters, USERID +
// PSWD of an API user of that PSPID and environment; each refusal is Ingenico's NCERROR in an
// `<ncresponse/>` (never a 500, never the hosted page's HTML), and lands in the merchant's error
// log without the password or card data.

const t = await buildTestApp();
const { app } = t;
const m = await createMerchant(t);
const user = await createApiUser(t, m);
const other = await createMerchant(t);
const otherUser = await createApiUser(t, other, 'other-user');

const order = (id: string): Array<[string, string]> => [
  ['ORDERID', id],
  ['AMOUNT', '1500'],
  ['CURRENCY', 'EUR'],
  ['CARDNO', '4111111111111111'],
  ['ED', '1234'],
  ['CVC', '913'],
  ['CN', 'Ada Lovelace'],
  ['OPERATION', 'RES'],
];

const refused = (res: Parameters<typeof ncAnswer>[0]) => {
  const a = ncAnswer(res).attributes;
  return { ncError: a.get('NCERROR'), ncStatus: a.get('NCSTATUS'), plus: a.get('NCERRORPLUS'), status: a.get('STATUS'), payId: a.get('PAYID') };
};

test('a tampered or missing SHASIGN is 50001184 with the platform’s texts; nothing is created', async () => {
  const signed = signedDirect(m, user, order('auth-1'));
  const tampered = signed.map(([n, v]): [string, string] => (n === 'AMOUNT' ? [n, '1'] : [n, v]));
  assert.deepEqual(refused(await postDirect(app, 'orderdirect.asp', tampered)), {
    ncError: '50001184',
    ncStatus: '5',
    plus: 'unknown order/1/s/',
    status: '0',
    payId: '0',
  });
  const missing = signed.filter(([n]) => n !== 'SHASIGN');
  assert.equal(refused(await postDirect(app, 'orderdirect.asp', missing)).plus, 'unknown order/0/s/');
  const otherPassphrase = signedDirect(m, user, order('auth-1'), { passphrase: 'Another-passphrase-2026' });
  assert.equal(refused(await postDirect(app, 'orderdirect.asp', otherPassphrase)).ncError, '50001184');
  const count = await t.database.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 0);
});

test('a wrong PSWD, an unknown USERID and another PSPID’s USERID are all 50001119, alike; a missing one is 50001111', async () => {
  const expected = { ncError: '50001119', ncStatus: '5', plus: 'Password incorrect or disabled due to numbers of errors', status: '0', payId: '0' };
  assert.deepEqual(
    refused(await postDirect(app, 'orderdirect.asp', signedDirect(m, { ...user, password: 'Wrong-password-2026!' }, order('auth-2')))),
    expected,
  );
  assert.deepEqual(refused(await postDirect(app, 'orderdirect.asp', signedDirect(m, { ...user, userid: 'nobody' }, order('auth-2')))), expected);
  assert.deepEqual(refused(await postDirect(app, 'querydirect.asp', signedDirect(m, otherUser, [['ORDERID', 'x']]))), expected);
  const noUser = [['PSPID', m.pspid], ...order('auth-2')] as Array<[string, string]>;
  const signedNoUser: Array<[string, string]> = [...noUser, ['SHASIGN', ownSha(noUser, SHA_IN, 'in', 'sha512', 'latin1')]];
  const missing = refused(await postDirect(app, 'orderdirect.asp', signedNoUser));
  assert.equal(missing.ncError, '50001111');
  assert.equal(missing.plus, 'no USERID');
});

test('an unknown PSPID is 50001118; the prod environment of a test-only merchant too', async () => {
  assert.equal(refused(await postDirect(app, 'orderdirect.asp', signedDirect({ ...m, pspid: 'nosuchshop' }, user, order('auth-3')))).ncError, '50001118');
  assert.equal(refused(await postDirect(app, 'orderdirect.asp', signedDirect(m, user, order('auth-3')), 'prod')).ncError, '50001118');
});

test('bad input is a DirectLink answer, never a 500 or an HTML page', async () => {
  const post = (payload: Buffer | string, type = 'application/x-www-form-urlencoded') =>
    app.inject({ method: 'POST', url: '/ncol/test/orderdirect.asp', payload, headers: { 'content-type': type } });
  for (const [payload, plus] of [
    ['', 'no PSPID'],
    ['PSPID=a%00b', 'request not readable (nul_character)'],
    ['PSPID=x&pspid=y', 'request not readable (duplicate)'],
    [Buffer.from([0x50, 0x53, 0x50, 0x49, 0x44, 0x3d, 0xff]), 'PSPID not found or not active'],
  ] as const) {
    const a = ncAnswer(await post(payload));
    assert.equal(a.attributes.get('NCERRORPLUS'), plus, String(payload));
  }
  const utf8 = await app.inject({
    method: 'POST',
    url: '/ncol/test/orderdirect_utf8.asp',
    payload: Buffer.from([0x50, 0x53, 0x50, 0x49, 0x44, 0x3d, 0xff]),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(ncAnswer(utf8).attributes.get('NCERRORPLUS'), 'request not readable (invalid_encoding)');
  const json = await post('{"PSPID":1}', 'application/json');
  assert.equal(ncAnswer(json).attributes.get('NCERROR'), '50001111');
  const huge = await post(`PSPID=${'x'.repeat(300 * 1024)}`);
  assert.equal(huge.statusCode, 413);
  assert.equal(readNcResponse(huge.body).attributes.get('NCERROR'), '50001111');
  const big = await post(
    formBytes(
      [
        ['PSPID', m.pspid],
        ['COM', 'y'.repeat(70 * 1024)],
      ],
      'latin1',
    ),
  );
  assert.equal(ncAnswer(big).attributes.get('NCERRORPLUS'), 'request not readable (too_large)');
  const get = await app.inject({ method: 'GET', url: `/ncol/test/orderdirect.asp?PSPID=${m.pspid}&PSWD=secret` });
  assert.equal(get.statusCode, 405);
  assert.equal(get.headers.allow, 'POST');
  assert.equal(readNcResponse(get.body).attributes.get('NCERROR'), '50001111');
});

test('refusals are in the merchant’s error log, without the password or the card number', async () => {
  await postDirect(app, 'orderdirect.asp', signedDirect(m, { ...user, password: 'Typo-password-2026!' }, order('auth-log')));
  const rows = await t.database.db.selectFrom('ecommerce_errors').selectAll().where('merchant_id', '=', m.merchantId).orderBy('created_at', 'desc').execute();
  assert.ok(rows.some((r) => r.code === '50001119' && r.message.includes('DirectLink order') && r.order_ref === 'auth-log'));
  const text = JSON.stringify(rows) + t.rawLogs();
  for (const secret of ['Typo-password-2026!', API_PASSWORD_FRAGMENT, '4111111111111111', 'CVC=913']) assert.ok(!text.includes(secret), secret);
});

test('PSWD sent in the query string is censored in the access log; USERID is kept', async () => {
  const secret = 'Qz-Secret-Pw-8841';
  await app.inject({ method: 'GET', url: `/ncol/test/orderdirect.asp?PSPID=${m.pspid}&USERID=api-user&PSWD=${secret}` });
  await app.inject({
    method: 'POST',
    url: `/ncol/test/querydirect.asp?PSPID=${m.pspid}&USERID=api-user&pswd=${secret}`,
    payload: 'ORDERID=x',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  // The access log writes its lines in batches, a few milliseconds after the request.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const logs = t.rawLogs();
  assert.ok(!logs.includes(secret), 'the API user password is in a log line');
  assert.match(logs, /orderdirect\.asp\?PSPID=[^"]*&USERID=api-user&PSWD=%5Bredacted%5D/);
  assert.match(logs, /querydirect\.asp\?PSPID=[^"]*&USERID=api-user&pswd=%5Bredacted%5D/);
});

const API_PASSWORD_FRAGMENT = 'Api-user-password';
