// Issue 10 item 5: legacy "main parameters" hashing and referrer-only entries. Legacy hashing is an
// acknowledged choice (portal checkbox in both languages, audited, a warning while it is on), and
// while it is on the request's redirect URLs and OPERATION, which it does not sign, are ignored;
// production refuses requests without a SHA-IN passphrase and its settings page says so.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../support/app.ts';
import {
  SHA_IN,
  SHA_OUT,
  configure,
  createMerchant,
  errorRows,
  payLocation,
  postCard,
  postEntry,
  queryPairs,
  signedOrder,
  type TestMerchant,
} from '../support/ecommerce.ts';
import { Browser, createReferent } from '../support/subscriptions.ts';

const t = await buildTestApp();
const { app } = t;
const db = t.database.db;
const SHOP = 'https://shop.example';
const EVIL = 'https://evil.example/steal';

/** The legacy SHA-IN rule, written apart from src/: ORDERID AMOUNT CURRENCY PSPID values, then the passphrase once. */
function legacyOrder(m: TestMerchant, orderId: string, extra: Array<[string, string]> = [], amount = '1500'): Array<[string, string]> {
  const digest = createHash('sha1').update(`${orderId}${amount}EUR${m.pspid}${SHA_IN}`).digest('hex').toUpperCase();
  return [['PSPID', m.pspid], ['ORDERID', orderId], ['AMOUNT', amount], ['CURRENCY', 'EUR'], ...extra, ['SHASIGN', digest]];
}

async function legacyMerchant(settings: Parameters<typeof configure>[2] = {}): Promise<TestMerchant> {
  const m = await createMerchant(t);
  await configure(t, m, { hashingMethod: 'main-parameters', hashAlgorithm: 'sha1', acceptLegacyHashing: true, ...settings });
  return m;
}

function location(res: LightMyRequestResponse): URL {
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  return new URL(String(res.headers.location));
}

describe('choosing legacy hashing', () => {
  it('needs the acknowledgement on the portal page, in English and Italian; it is audited and the page warns while it is on', async () => {
    const m = await createMerchant(t);
    const en = await new Browser(app, 'portal').signIn((await createReferent(db, m.organisationId, ['ecommerce'])).email);
    const it_ = await new Browser(app, 'portal').signIn((await createReferent(db, m.organisationId, ['ecommerce'], 'it')).email);
    const url = `/portal/merchants/${m.merchantId}/settings/test`;
    const page = await en.get(url);
    assert.match(page.body, /name="acceptLegacyHashing"/);
    assert.match(page.body, /move digits between ORDERID and AMOUNT/);
    assert.doesNotMatch(page.body, /data-legacy-warning/);
    assert.match((await it_.get(url)).body, /spostare cifre tra ORDERID e AMOUNT/);

    const form = {
      hashingMethod: 'main-parameters',
      hashAlgorithm: 'sha512',
      charset: 'page',
      referrers: '',
      s2sTiming: 'none',
      s2sMethod: 'POST',
      defaultOperation: 'SAL',
      paymentRetries: '10',
      enabledCurrencies: 'EUR',
      feedbackOnRedirect: 'on',
    };
    const refused = await en.post(url, form);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /tick the box that acknowledges the risks of legacy hashing/);
    const rifiutato = await it_.post(url, form);
    assert.equal(rifiutato.statusCode, 400);
    assert.match(rifiutato.body, /spunta la casella che conferma i rischi/);
    assert.equal((await t.services.merchants.settings(m.merchantId, 'test')).hashingMethod, 'each-parameter', 'nothing saved');

    const accepted = await en.post(url, { ...form, acceptLegacyHashing: 'on' });
    assert.equal(accepted.statusCode, 200, accepted.body.slice(0, 300));
    assert.match(accepted.body, /data-legacy-warning>Legacy hashing/);
    assert.match(accepted.body, /Risk acknowledged on \d{1,2} [A-Z][a-z]{2,3} \d{4}, \d\d:\d\d UTC/);
    assert.match((await it_.get(url)).body, /data-legacy-warning>È attivo l’hashing legacy/);
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'details'])
      .where('subject_id', '=', m.merchantId)
      .where('action', '=', 'merchant.legacy_hashing_accepted')
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.actor_type, 'referent');
    assert.match(JSON.stringify(audit[0]?.details), /"environment":"test"/);

    // Saving again keeps it without asking; switching back forgets the acknowledgement.
    assert.equal((await en.post(url, form)).statusCode, 200);
    assert.equal((await en.post(url, { ...form, hashingMethod: 'each-parameter' })).statusCode, 200);
    assert.equal((await en.post(url, form)).statusCode, 400, 'asked again after it was turned off');
  });

  it('copy test to production does not carry the acknowledgement: production must give its own', async () => {
    const m = await legacyMerchant();
    const copied = await t.services.merchants.copyTestToProd(m.merchantId, { type: 'cli', id: null, ip: null });
    assert.ok(!copied.ok);
    assert.deepEqual(
      copied.problems.map((p) => [p.field, p.code]),
      [['hashingMethod', 'legacy_ack_required']],
    );
  });
});

describe('while legacy hashing is on', () => {
  it('a legacy-signed form with an injected ACCEPTURL sends the customer to the configured URL, with a valid SHA-OUT', async () => {
    const m = await legacyMerchant({ acceptUrl: `${SHOP}/ok`, shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT } });
    const pay = payLocation(
      await postEntry(
        app,
        legacyOrder(m, 'legacy-1', [
          ['ACCEPTURL', EVIL],
          ['DECLINEURL', EVIL],
          ['EXCEPTIONURL', EVIL],
          ['CANCELURL', EVIL],
        ]),
      ),
    );
    const stored = await db.selectFrom('orders').select('request').where('id', '=', pay.orderId).executeTakeFirstOrThrow();
    assert.doesNotMatch(JSON.stringify(stored.request), /evil\.example/, 'the unsigned URLs are not even stored');
    const landed = location(await postCard(app, pay));
    assert.equal(`${landed.origin}${landed.pathname}`, `${SHOP}/ok`);
    // The feedback carries a valid legacy SHA-OUT: exactly what must never go to a URL the customer chose.
    const f = new Map(queryPairs(landed.search, 'utf8'));
    const fields = ['orderID', 'currency', 'amount', 'PM', 'ACCEPTANCE', 'STATUS', 'CARDNO', 'PAYID', 'NCERROR', 'BRAND'].map((n) => f.get(n) ?? '');
    assert.equal(
      f.get('SHASIGN'),
      createHash('sha1')
        .update(`${fields.join('')}${SHA_OUT}`)
        .digest('hex')
        .toUpperCase(),
    );
    assert.equal(f.get('STATUS'), '9');
  });

  it('without a configured URL the customer stays on Varco\u2019s own result page, and an injected OPERATION is ignored', async () => {
    const m = await legacyMerchant();
    const pay = payLocation(
      await postEntry(
        app,
        legacyOrder(m, 'legacy-2', [
          ['ACCEPTURL', EVIL],
          ['OPERATION', 'RES'],
        ]),
      ),
    );
    const res = await postCard(app, pay);
    assert.equal(res.statusCode, 200, String(res.headers.location));
    assert.doesNotMatch(res.body, /evil\.example/);
    const row = await db.selectFrom('orders').select(['status', 'operation']).where('id', '=', pay.orderId).executeTakeFirstOrThrow();
    assert.deepEqual([row.operation, row.status], ['SAL', 9], 'the default operation, not the unsigned OPERATION');
  });

  it('with "each parameter" hashing the signed ACCEPTURL of the request still wins over the settings', async () => {
    const m = await createMerchant(t, { settings: { acceptUrl: `${SHOP}/ok` } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'each-1', [['ACCEPTURL', `${SHOP}/signed`]])));
    assert.equal(location(await postCard(app, pay)).pathname, '/signed');
  });
});

describe('referrer-only entries in production', () => {
  it('are refused with unknown order/0/s/ in the error log, and the production page and its Italian twin say a SHA-IN passphrase is needed', async () => {
    const m = await createMerchant(t, { prod: true });
    await configure(t, m, { referrers: SHOP }, 'prod');
    const unsigned: Array<[string, string]> = [
      ['PSPID', m.pspid],
      ['ORDERID', 'prod-ref-1'],
      ['AMOUNT', '1500'],
      ['CURRENCY', 'EUR'],
    ];
    const res = await postEntry(app, unsigned, { env: 'prod', referer: `${SHOP}/checkout` });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /An error has occurred/);
    const [row] = await errorRows(t, m.merchantId);
    assert.deepEqual([row?.environment, row?.message, row?.code, row?.order_ref], ['prod', 'unknown order/0/s/', '50001184', 'prod-ref-1']);

    const en = await new Browser(app, 'portal').signIn((await createReferent(db, m.organisationId, ['ecommerce'])).email);
    const it_ = await new Browser(app, 'portal').signIn((await createReferent(db, m.organisationId, ['ecommerce'], 'it')).email);
    assert.match((await en.get(`/portal/merchants/${m.merchantId}/settings/prod`)).body, /data-prod-sha-in>Production needs a SHA-IN passphrase/);
    assert.match((await it_.get(`/portal/merchants/${m.merchantId}/settings/prod`)).body, /data-prod-sha-in>La produzione richiede una passphrase SHA-IN/);
    assert.doesNotMatch((await en.get(`/portal/merchants/${m.merchantId}/settings/test`)).body, /data-prod-sha-in/, 'test may stay referrer-only');
  });
});
