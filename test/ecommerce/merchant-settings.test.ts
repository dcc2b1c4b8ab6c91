import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, testAudit } from '../support/app.ts';
import { Browser, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { generateSecretboxKey, open } from '../../src/kernel/secretbox.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { checkPassphrase, createMerchantsService } from '../../src/modules/merchants/index.ts';

// The merchant account and its Technical information pages, as a referent uses them: PSPID,
// settings per environment, passphrases sealed and never shown again, test ≠ prod, copy test to
// production with a passphrase shown once, and scoping to the referent's own organisation.

const masterKey = generateSecretboxKey();
const { app, services, database, rawLogs } = await buildTestApp({ masterKey });
const db = database.db;
const org = await createOrganisation(db, 'Bottega Srl');
await issueKeys(services, org, 'ecommerce', 'test');
const referent = await createReferent(db, org, ['ecommerce']);
const colleague = await createReferent(db, org, ['ecommerce'], 'it');
const portal = await new Browser(app, 'portal').signIn(referent.email);
const otherOrg = await createOrganisation(db, 'Altro Negozio');
await issueKeys(services, otherOrg, 'ecommerce', 'test');
const other = await new Browser(app, 'portal').signIn((await createReferent(db, otherOrg, ['ecommerce'])).email);
const plainOrg = await createOrganisation(db, 'Senza Ecommerce');
const plain = await new Browser(app, 'portal').signIn((await createReferent(db, plainOrg, ['node'])).email);

const TEST_IN = 'Test-SHA-in-passphrase-2026';
const TEST_OUT = 'Test-SHA-out-passphrase-2026';
const PROD_OUT = 'Prod-SHA-out-passphrase-2026';
const SECRETS = [TEST_IN, TEST_OUT, PROD_OUT];
let merchantId = '';
const settingsUrl = (env: string) => `/portal/merchants/${merchantId}/settings/${env}`;

/** Every field of the form, as the page posts it. */
function form(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    hashingMethod: 'each-parameter',
    hashAlgorithm: 'sha512',
    charset: 'page',
    referrers: '',
    shaInNew: '',
    shaInConfirm: '',
    acceptUrl: '',
    declineUrl: '',
    exceptionUrl: '',
    cancelUrl: '',
    feedbackOnRedirect: 'on',
    shaOutNew: '',
    shaOutConfirm: '',
    s2sTiming: 'none',
    s2sUrlAccepted: '',
    s2sUrlDeclined: '',
    s2sMethod: 'POST',
    feedbackParams: ['ORDERID', 'AMOUNT', 'CURRENCY', 'STATUS', 'PAYID', 'NCERROR'],
    defaultOperation: 'SAL',
    paymentRetries: '10',
    enabledCurrencies: 'EUR',
    ...overrides,
  };
}

async function sealedRow(env: 'test' | 'prod') {
  return db.selectFrom('merchant_settings').selectAll().where('merchant_id', '=', merchantId).where('environment', '=', env).executeTakeFirstOrThrow();
}

async function everythingStored(): Promise<string> {
  const tables = await Promise.all([
    db.selectFrom('merchant_settings').selectAll().execute(),
    db.selectFrom('audit_log').selectAll().execute(),
    db.selectFrom('outbox').selectAll().execute(),
  ]);
  return JSON.stringify(tables);
}

test('an organisation without an active E-commerce subscription cannot open a merchant account', async () => {
  const page = await plain.get('/portal/merchant');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /needs an active E-commerce subscription/);
  assert.doesNotMatch(page.body, /name="pspid"/);
  const refused = await plain.post('/portal/merchant', { pspid: 'Sneaky' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /needs an active E-commerce subscription/);
  assert.equal(await services.merchants.forOrganisation(plainOrg), undefined);
});

test('the referent opens the merchant account with a PSPID, validated and unique whatever its case', async () => {
  const first = await portal.get('/portal/merchant');
  assert.equal(first.statusCode, 200);
  assert.match(first.body, /name="pspid"/);
  const invalid = await portal.post('/portal/merchant', { pspid: 'my shop!' });
  assert.equal(invalid.statusCode, 400);
  assert.match(invalid.body, /2 to 30 letters, digits/);
  assert.match(invalid.body, /aria-invalid="true"/);
  const created = await portal.post('/portal/merchant', { pspid: 'Bottega_1' });
  assert.equal(created.statusCode, 303);
  merchantId = /\/portal\/merchants\/(mer_[0-9a-z]+)\/settings\/test$/.exec(String(created.headers.location))?.[1] ?? '';
  assert.ok(merchantId, String(created.headers.location));
  assert.equal((await portal.get('/portal/merchant')).headers.location, settingsUrl('test'));
  const again = await portal.post('/portal/merchant', { pspid: 'Other' });
  assert.equal(again.statusCode, 409);
  const taken = await other.post('/portal/merchant', { pspid: 'BOTTEGA_1' });
  assert.equal(taken.statusCode, 409);
  assert.match(taken.body, /this PSPID is already used by another merchant in this environment/);
  const rows = await db.selectFrom('merchant_settings').select('environment').where('merchant_id', '=', merchantId).orderBy('environment').execute();
  assert.deepEqual(
    rows.map((r) => r.environment),
    ['prod', 'test'],
  );
  const audit = await db.selectFrom('audit_log').select(['action', 'actor_type', 'details']).where('subject_id', '=', merchantId).execute();
  assert.deepEqual(
    audit.map((a) => [a.action, a.actor_type, (a.details as Record<string, string>).pspid]),
    [['merchant.created', 'referent', 'Bottega_1']],
  );
});

test('Technical information shows the groups with their defaults; passphrases only as set or not set', async () => {
  const page = await portal.get(settingsUrl('test'));
  assert.equal(page.statusCode, 200);
  for (const group of [
    'Global security parameters',
    'Data and origin verification',
    'Transaction feedback',
    'Global transaction parameters',
    'Enabled currencies',
  ]) {
    assert.ok(page.body.includes(group), group);
  }
  assert.match(page.body, /name="hashAlgorithm" value="sha512" checked/);
  assert.match(page.body, /SHA-1 \(legacy, weak\)/);
  assert.match(page.body, /name="hashingMethod" value="each-parameter" checked/);
  assert.match(page.body, /data-passphrase="shaIn">not set</);
  assert.match(page.body, /name="feedbackParams" value="ORDERID" checked/);
  assert.match(page.body, /name="feedbackParams" value="IP">/);
  assert.match(page.body, /action="\/portal\/merchants\/mer_[0-9a-z]+\/copy-to-prod"/);
  const prod = await portal.get(settingsUrl('prod'));
  assert.equal(prod.statusCode, 200);
  assert.match(prod.body, /no active E-commerce subscription in this environment/);
  assert.doesNotMatch(prod.body, /copy-to-prod/);
});

test('invalid settings are shown in the page next to their fields; nothing is saved, never a 500', async () => {
  const before = await sealedRow('test');
  const res = await portal.post(
    settingsUrl('test'),
    form({
      acceptUrl: 'ftp://shop.example/ok',
      referrers: 'https://shop.example; https://b.example',
      shaInNew: TEST_IN,
      shaInConfirm: `${TEST_IN}x`,
      enabledCurrencies: 'EUR, XYZ',
      paymentRetries: '0',
      hashAlgorithm: 'md5',
    }),
  );
  assert.equal(res.statusCode, 400);
  for (const text of [
    'Accept URL (ACCEPTURL): must start with http:// or https://',
    'must not contain spaces',
    'the two passphrases differ',
    'not an ISO 4217 currency code (XYZ)',
    'a whole number from 1 to 99',
    'Hash algorithm: choose one of the options',
  ]) {
    assert.ok(res.body.includes(text.replace(/'/g, '&#39;')), text);
  }
  assert.match(res.body, /id="f-acceptUrl" name="acceptUrl" type="url" value="ftp:\/\/shop.example\/ok" aria-invalid="true"/);
  assert.ok(!res.body.includes(TEST_IN), 'a typed passphrase is never written back into the page');
  assert.deepEqual(await sealedRow('test'), before);
  const empty = await portal.post(settingsUrl('test'), {});
  assert.equal(empty.statusCode, 400);
  const weak = await portal.post(settingsUrl('test'), form({ shaInNew: 'short', shaInConfirm: 'short' }));
  assert.equal(weak.statusCode, 400);
  assert.match(weak.body, /SHA-IN passphrase: at least 16 characters/);
});

test('saving seals the passphrases: the row holds no passphrase, configFor opens them, audit names the fields only', async () => {
  const res = await portal.post(
    settingsUrl('test'),
    form({
      hashAlgorithm: 'sha256',
      charset: 'utf8',
      referrers: 'https://shop.example',
      acceptUrl: 'https://shop.example/ok?a=1',
      shaInNew: TEST_IN,
      shaInConfirm: TEST_IN,
      shaOutNew: TEST_OUT,
      shaOutConfirm: TEST_OUT,
      s2sTiming: 'deferred',
      s2sUrlAccepted: 'http://shop.example/s2s',
      enabledCurrencies: 'eur, usd',
      paymentRetries: '3',
    }),
  );
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.body, /Settings saved\./);
  assert.match(res.body, /data-passphrase="shaIn">set</);
  const row = await sealedRow('test');
  assert.match(row.sha_in_sealed ?? '', /^sb1\./);
  assert.equal(open(masterKey, row.sha_in_sealed ?? '', `merchant:${merchantId}:test:sha-in`), TEST_IN);
  assert.throws(() => open(masterKey, row.sha_in_sealed ?? '', `merchant:${merchantId}:test:sha-out`), /failed authentication/);
  const config = await services.merchants.configFor('bottega_1', 'test');
  assert.ok(config);
  assert.deepEqual(
    [
      config.pspid,
      config.shaIn,
      config.shaOut,
      config.hashAlgorithm,
      config.charset,
      config.referrers,
      config.acceptUrl,
      config.enabledCurrencies,
      config.paymentRetries,
      config.s2sTiming,
      config.feedbackParams,
    ],
    [
      'Bottega_1',
      TEST_IN,
      TEST_OUT,
      'sha256',
      'utf8',
      'https://shop.example',
      'https://shop.example/ok?a=1',
      ['EUR', 'USD'],
      3,
      'deferred',
      ['ORDERID', 'CURRENCY', 'AMOUNT', 'STATUS', 'PAYID', 'NCERROR'],
    ],
  );
  assert.equal(await services.merchants.configFor('Bottega_1', 'prod'), undefined, 'no active prod subscription');
  assert.equal(await services.merchants.configFor('Nobody', 'test'), undefined);
  const audit = await db
    .selectFrom('audit_log')
    .select(['action', 'details'])
    .where('subject_id', '=', merchantId)
    .where('action', '=', 'merchant.settings_changed')
    .execute();
  assert.equal(audit.length, 1);
  assert.match(String((audit[0]!.details as Record<string, string>).fields), /shaIn,.*shaOut/);
  const page = await portal.get(settingsUrl('test'));
  const stored = await everythingStored();
  for (const secret of SECRETS.slice(0, 2)) {
    assert.ok(!page.body.includes(secret) && !stored.includes(secret) && !rawLogs().includes(secret), 'the passphrase is shown, stored or logged');
  }
});

test('test ≠ prod: a test passphrase equal to a production one is replaced by a random one and the referents are e-mailed', async () => {
  await issueKeys(services, org, 'ecommerce', 'prod');
  const res = await portal.post(settingsUrl('prod'), form({ shaInNew: TEST_IN, shaInConfirm: TEST_IN, shaOutNew: PROD_OUT, shaOutConfirm: PROD_OUT }));
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.body, /Varco replaced the test one with a random passphrase/);
  const [test_, prod] = [await services.merchants.configFor('Bottega_1', 'test'), await services.merchants.configFor('Bottega_1', 'prod')];
  assert.ok(test_ && prod);
  assert.equal(prod.shaIn, TEST_IN, 'production keeps what was typed');
  assert.notEqual(test_.shaIn, TEST_IN);
  assert.equal(checkPassphrase(test_.shaIn ?? ''), undefined);
  assert.equal(test_.shaOut, TEST_OUT, 'the other test passphrase is untouched');
  const mails = (await db.selectFrom('outbox').select('payload').where('channel', '=', 'email').execute())
    .map((r) => r.payload as { to: string; template: string; locale: string; params: Record<string, string> })
    .filter((p) => p.template === 'merchant_passphrase_replaced');
  assert.deepEqual(
    mails.map((m) => [m.to, m.locale, m.params.pspid, m.params.which]).sort(),
    [
      [referent.email, 'en', 'Bottega_1', 'SHA-IN'],
      [colleague.email, 'it', 'Bottega_1', 'SHA-IN'],
    ].sort(),
  );
  assert.match(mails[0]!.params.link!, new RegExp(`/portal/merchants/${merchantId}/settings/test$`));
  const audit = await db
    .selectFrom('audit_log')
    .select(['details'])
    .where('subject_id', '=', merchantId)
    .where('action', '=', 'merchant.test_passphrase_replaced')
    .execute();
  assert.deepEqual(
    audit.map((a) => (a.details as Record<string, string>).fields),
    ['shaIn'],
  );
  // Typing the production passphrase into test is refused the same way.
  const typed = await portal.post(settingsUrl('test'), form({ shaOutNew: PROD_OUT, shaOutConfirm: PROD_OUT }));
  assert.match(typed.body, /Varco replaced the test one/);
  assert.notEqual((await services.merchants.configFor('Bottega_1', 'test'))?.shaOut, PROD_OUT);
  const stored = await everythingStored();
  for (const secret of SECRETS) assert.ok(!stored.includes(secret));
});

test('copy test to production copies the settings and shows a new random SHA-IN passphrase once', async () => {
  await portal.post(settingsUrl('test'), form({ s2sTiming: 'deferred', s2sUrlAccepted: 'http://shop.example/s2s' }));
  const refused = await portal.post(`/portal/merchants/${merchantId}/copy-to-prod`);
  assert.equal(refused.statusCode, 409, 'an http:// server-to-server URL cannot go to production');
  assert.match(refused.body, /production sends server-to-server feedback over https:\/\/ only/);
  const fixed = await portal.post(
    settingsUrl('test'),
    form({
      hashAlgorithm: 'sha256',
      charset: 'utf8',
      referrers: 'https://shop.example',
      s2sTiming: 'deferred',
      s2sUrlAccepted: 'https://shop.example/s2s',
      enabledCurrencies: 'EUR, USD, GBP',
      defaultOperation: 'RES',
    }),
  );
  assert.equal(fixed.statusCode, 200);
  // The button asks first: the differences, production's value beside test's; nothing changes yet.
  const asked = await portal.post(`/portal/merchants/${merchantId}/copy-to-prod`);
  assert.equal(asked.statusCode, 200);
  assert.match(asked.body, /<tr data-field="hashAlgorithm"><td[^>]*>Hash algorithm<\/td><td[^>]*>sha256<\/td>/);
  assert.match(asked.body, /<tr data-field="s2sUrlAccepted">.*https:\/\/shop\.example\/s2s/);
  assert.doesNotMatch(asked.body, /data-passphrase="prod-sha-in"/);
  assert.notEqual((await services.merchants.configFor('Bottega_1', 'prod'))?.hashAlgorithm, 'sha256', 'asking changed nothing');
  const res = await portal.post(`/portal/merchants/${merchantId}/copy-to-prod`, { confirm: '1', replaceShaIn: '1' });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['cache-control']), /no-store/);
  const shown = /data-passphrase="prod-sha-in">([^<]+)</.exec(res.body)?.[1] ?? '';
  assert.equal(checkPassphrase(shown), undefined, shown);
  const prod = await services.merchants.configFor('Bottega_1', 'prod');
  assert.ok(prod);
  assert.deepEqual(
    [prod.shaIn, prod.shaOut, prod.hashAlgorithm, prod.charset, prod.referrers, prod.s2sUrlAccepted, prod.enabledCurrencies, prod.defaultOperation],
    [shown, PROD_OUT, 'sha256', 'utf8', 'https://shop.example', 'https://shop.example/s2s', ['EUR', 'GBP', 'USD'], 'RES'],
  );
  assert.ok(!(await portal.get(settingsUrl('prod'))).body.includes(shown), 'shown once, never again');
  assert.ok(!(await everythingStored()).includes(shown));
  const audit = await db
    .selectFrom('audit_log')
    .select('details')
    .where('subject_id', '=', merchantId)
    .where('action', '=', 'merchant.copied_to_prod')
    .execute();
  assert.equal(audit.length, 1);
  assert.match(String((audit[0]!.details as Record<string, string>).fields), /hashAlgorithm.*shaIn/);
});

test('copy test to production keeps the production SHA-IN passphrase unless its replacement is ticked', async () => {
  const before = (await services.merchants.configFor('Bottega_1', 'prod'))?.shaIn;
  assert.ok(before, 'production has a SHA-IN passphrase by now');
  await portal.post(
    settingsUrl('test'),
    form({
      hashAlgorithm: 'sha256',
      charset: 'utf8',
      referrers: 'https://shop.example',
      enabledCurrencies: 'EUR, USD, GBP',
      defaultOperation: 'SAL',
      s2sTiming: 'deferred',
      s2sUrlAccepted: 'https://shop.example/s2s',
    }),
  );
  const asked = await portal.get(`/portal/merchants/${merchantId}/copy-to-prod`);
  assert.match(asked.body, /name="replaceShaIn"/, 'the replacement is a choice, unticked');
  assert.doesNotMatch(asked.body, /name="replaceShaIn"[^>]*checked/);
  const kept = await portal.post(`/portal/merchants/${merchantId}/copy-to-prod`, { confirm: '1' });
  assert.equal(kept.statusCode, 200);
  assert.match(kept.body, /id="sha-in-kept"/);
  assert.doesNotMatch(kept.body, /data-passphrase="prod-sha-in"/);
  const prod = await services.merchants.configFor('Bottega_1', 'prod');
  assert.equal(prod?.shaIn, before, 'production SHA-IN unchanged');
  assert.equal(prod?.defaultOperation, 'SAL');
});

test("another organisation's merchant answers 404, like an unknown one", async () => {
  for (const url of [settingsUrl('test'), settingsUrl('prod'), `/portal/merchants/${merchantId}/errors`]) {
    assert.equal((await other.get(url)).statusCode, 404, url);
  }
  assert.equal((await other.post(settingsUrl('test'), form({ hashAlgorithm: 'sha1' }))).statusCode, 404);
  assert.equal((await other.post(`/portal/merchants/${merchantId}/copy-to-prod`)).statusCode, 404);
  assert.equal((await other.post(`/portal/merchants/${merchantId}/copy-to-prod`, { confirm: '1' })).statusCode, 404);
  assert.equal((await other.get(`/portal/merchants/${merchantId}/copy-to-prod`)).statusCode, 404);
  assert.equal((await portal.get('/portal/merchants/mer_nonsense/settings/test')).statusCode, 404);
  assert.equal((await portal.get(`/portal/merchants/${merchantId}/settings/staging`)).statusCode, 404);
  assert.equal((await services.merchants.configFor('Bottega_1', 'test'))?.hashAlgorithm, 'sha256', 'nothing changed');
});

test('without a master key the service refuses to seal or open, but never stores a passphrase in clear', async () => {
  const keyless = createMerchantsService({ db, clock: systemClock, audit: testAudit(), masterKey: undefined, publicUrl: 'https://varco.test' });
  const actor = { type: 'cli', id: null, ip: null } as const;
  await assert.rejects(keyless.updateSettings(merchantId, 'test', { shaIn: { action: 'set', value: TEST_IN, confirm: TEST_IN } }, actor), /No master key/);
  await assert.rejects(keyless.configFor('Bottega_1', 'test'), /No master key/);
  const plainChange = await keyless.updateSettings(merchantId, 'test', { paymentRetries: '5' }, actor);
  assert.ok(plainChange.ok);
  assert.ok(!(await everythingStored()).includes(TEST_IN));
});
