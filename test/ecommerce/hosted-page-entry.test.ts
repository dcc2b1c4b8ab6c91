// The hosted page entry end to end through inject(): published SHA-IN vectors, referrer cases,
// accented values through both pages, validation errors, duplicates and malformed requests (never
// a 500), order reuse, an ORDERID already paid, prod refused, and the merchant's error log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { buildTestApp } from '../support/app.ts';
import { SHA_IN, configure, createMerchant, errorRows, formBytes, ownSha, payLocation, postCard, postEntry, signedOrder } from '../support/ecommerce.ts';

const t = await buildTestApp();
const { app } = t;
const GENERIC = /An error has occurred/;

/** The ORDER row behind an accepted entry. */
const orderRow = (id: string) => t.database.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('published SHA-IN vectors (docs/reference/ogone/test-vectors.md) are accepted at the entry', () => {
  // A1: Ogone's worked example; B3-in: the legacy "main parameters only" rule on A1's data.
  const A1: Array<[string, string]> = [
    ['AMOUNT', '1500'],
    ['CURRENCY', 'EUR'],
    ['LANGUAGE', 'en_US'],
    ['ORDERID', '1234'],
    ['PSPID', 'MyPSPID'],
  ];
  const vectors = [
    { name: 'A1 SHA-1', alg: 'sha1', method: 'each-parameter', digest: 'F4CC376CD7A834D997B91598FA747825A238BE0A' },
    { name: 'A1 SHA-256', alg: 'sha256', method: 'each-parameter', digest: 'E019359BAA3456AE5A986B6AABD22CF1B3E09438739E97F17A7F61DF5A11B30F' },
    {
      name: 'A1 SHA-512',
      alg: 'sha512',
      method: 'each-parameter',
      digest: 'D1CFE8833A297D0922E908B2B44934B09EE966EF1584DC0D696304E07BB58BA71973C2383C831D878D8A243BB7D7DFFFBE53CEE21955CDFEF44FE82E551F859D',
    },
    { name: 'B3-in legacy SHA-1', alg: 'sha1', method: 'main-parameters', digest: 'DC60B48E780C38137EB5B86CEC037427062B30CC' },
  ] as const;

  it('each vector, on both pages, upper- and lower-case hex', async () => {
    const m = await createMerchant(t, { pspid: 'MyPSPID' });
    assert.equal(SHA_IN, 'Mysecretsig1875!?', 'the vectors\u2019 passphrase');
    for (const v of vectors) {
      await configure(t, m, { hashAlgorithm: v.alg, hashingMethod: v.method, acceptLegacyHashing: v.method === 'main-parameters' });
      for (const page of ['orderstandard.asp', 'orderstandard_utf8.asp'] as const) {
        for (const digest of [v.digest, v.digest.toLowerCase()]) {
          const res = await postEntry(app, [...A1, ['SHASIGN', digest]], { page });
          const pay = payLocation(res);
          assert.equal((await orderRow(pay.orderId)).order_ref, '1234', `${v.name} on ${page}`);
        }
      }
    }
    assert.deepEqual(await errorRows(t, m.merchantId), [], 'no rejection was logged');
  });
});

describe('referrer', () => {
  it('full URL, origin-only referrer, domain entry and a missing referrer with a correct SHASIGN are accepted', async () => {
    const m = await createMerchant(t, { settings: { referrers: 'https://shop.example/checkout/pay.php;https://other.example' } });
    for (const [i, referer] of ['https://shop.example/checkout/pay.php', 'https://shop.example/', 'https://other.example/any/page?x=1', undefined].entries()) {
      payLocation(await postEntry(app, signedOrder(m, `ref-ok-${i}`), referer ? { referer } : {}));
    }
  });

  it("the portal's SHASIGN tool (Varco's own page) passes the allow-list with a correct signature; a look-alike path does not", async () => {
    const m = await createMerchant(t, { settings: { referrers: 'https://shop.example/checkout/pay.php' } });
    payLocation(await postEntry(app, signedOrder(m, 'ref-tool'), { referer: `${t.config.publicUrl}/portal/shasign` }));
    const lookAlike = await postEntry(app, signedOrder(m, 'ref-tool-2'), { referer: `${t.config.publicUrl}/portal/shasign-evil` });
    assert.match(lookAlike.body, GENERIC);
    const otherHost = await postEntry(app, signedOrder(m, 'ref-tool-3'), { referer: 'https://evil.example/portal/shasign' });
    assert.match(otherHost.body, GENERIC);
  });

  it('a referrer not in the list is unknown order/1/r; without SHA-IN a missing one is unknown order/0/r', async () => {
    const m = await createMerchant(t, { settings: { referrers: 'https://shop.example/checkout/pay.php' } });
    const refused = await postEntry(app, signedOrder(m, 'ref-bad'), { referer: 'https://shop.example.evil.test/checkout/pay.php' });
    assert.equal(refused.statusCode, 200);
    assert.match(refused.body, GENERIC);
    assert.doesNotMatch(refused.body, /unknown order|not allowed|referer/i, 'the customer is told nothing');
    const [row] = await errorRows(t, m.merchantId);
    assert.equal(row?.message, 'unknown order/1/r/');
    assert.equal(row?.referrer, 'https://shop.example.evil.test/checkout/pay.php');
    assert.equal(row?.order_ref, 'ref-bad');

    await configure(t, m, { shaIn: { action: 'clear' } });
    const unsigned: Array<[string, string]> = [
      ['PSPID', m.pspid],
      ['ORDERID', 'ref-missing'],
      ['AMOUNT', '100'],
      ['CURRENCY', 'EUR'],
    ];
    assert.match((await postEntry(app, unsigned)).body, GENERIC);
    assert.equal((await errorRows(t, m.merchantId))[0]?.message, 'unknown order/0/r/');
    payLocation(await postEntry(app, unsigned, { referer: 'https://shop.example/' }));
  });
});

describe('signature errors and the signature debugger', () => {
  it('a tampered AMOUNT is unknown order/1/s, with the parameters and the masked string in the log, never the passphrase', async () => {
    const m = await createMerchant(t);
    const pairs = signedOrder(m, 'tampered', [['CN', 'Zoë Tester']]).map(([n, v]): [string, string] => [n, n === 'AMOUNT' ? '1' : v]);
    const res = await postEntry(app, pairs);
    assert.match(res.body, GENERIC);
    const [row] = await errorRows(t, m.merchantId);
    assert.equal(row?.message, 'unknown order/1/s/');
    assert.equal(row?.code, '50001184');
    const debug = row?.debug as { included: string[]; candidates: Array<{ order: string; masked: string }>; algorithm: string; encoding: string };
    assert.deepEqual(debug.included, ['AMOUNT', 'CN', 'CURRENCY', 'LANGUAGE', 'ORDERID', 'PSPID']);
    assert.equal(debug.algorithm, 'sha512');
    assert.equal(debug.encoding, 'utf8');
    assert.equal(
      debug.candidates[0]?.masked,
      'AMOUNT=1********CN=Zoë Tester********CURRENCY=EUR********LANGUAGE=en_US********ORDERID=tampered********PSPID=' + `${m.pspid}********`,
    );
    assert.ok(!JSON.stringify(row).includes(SHA_IN), 'passphrase not stored');
    assert.ok(!t.rawLogs().includes(SHA_IN), 'passphrase not logged');
  });

  it('a SHASIGN made with another algorithm: the log keeps its number of hex digits (never the value)', async () => {
    const m = await createMerchant(t);
    const pairs = signedOrder(m, 'sha1-signed', [], { alg: 'sha1' });
    assert.match((await postEntry(app, pairs)).body, GENERIC);
    const [row] = await errorRows(t, m.merchantId);
    assert.equal(row?.code, '50001184');
    const debug = row?.debug as { algorithm: string; shasignDigits?: number };
    assert.equal(debug.algorithm, 'sha512');
    assert.equal(debug.shasignDigits, 40);
    const shasign = pairs.find(([n]) => n === 'SHASIGN')?.[1] ?? '';
    assert.ok(!JSON.stringify(row).includes(shasign), 'the SHASIGN itself is not stored');
  });

  it('a missing SHASIGN while a passphrase is set is unknown order/0/s', async () => {
    const m = await createMerchant(t);
    await postEntry(
      app,
      signedOrder(m, 'nosign').filter(([n]) => n !== 'SHASIGN'),
    );
    assert.equal((await errorRows(t, m.merchantId))[0]?.message, 'unknown order/0/s/');
  });
});

describe('accented values through both pages', () => {
  it('Café as ISO-8859-1 bytes on orderstandard.asp and as UTF-8 bytes on orderstandard_utf8.asp', async () => {
    const m = await createMerchant(t);
    const cafe = (id: string, charset: 'latin1' | 'utf8') =>
      signedOrder(
        m,
        id,
        [
          ['CN', 'Café'],
          ['COM', 'Crème brûlée'],
        ],
        { charset },
      );
    assert.equal(formBytes([['CN', 'Café']], 'latin1').toString('ascii'), 'CN=Caf%E9');
    assert.equal(formBytes([['CN', 'Café']], 'utf8').toString('ascii'), 'CN=Caf%C3%A9');
    const iso = payLocation(await postEntry(app, cafe('cafe-iso', 'latin1'), { page: 'orderstandard.asp' }));
    const utf = payLocation(await postEntry(app, cafe('cafe-utf8', 'utf8'), { page: 'orderstandard_utf8.asp' }));
    for (const pay of [iso, utf]) {
      const request = (await orderRow(pay.orderId)).request as { order: { customer: { name: string }; description: string } };
      assert.equal(request.order.customer.name, 'Café');
      assert.equal(request.order.description, 'Crème brûlée');
      const page = await app.inject({ url: pay.path });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /value="Café"/);
    }
    // The same UTF-8 bytes on the ISO page read as "CafÃ©": signed as UTF-8 they no longer match.
    const wrong = await postEntry(app, cafe('cafe-wrong', 'utf8'), { page: 'orderstandard.asp' });
    assert.match(wrong.body, GENERIC);
    assert.equal((await errorRows(t, m.merchantId))[0]?.message, 'unknown order/1/s/');
  });
});

describe('validation errors', () => {
  it('missing fields, bad amounts, currencies and a long ORDERID are logged with the platform texts', async () => {
    const m = await createMerchant(t, { settings: { enabledCurrencies: ['EUR', 'JPY'] } });
    const cases: Array<[Array<[string, string]>, RegExp]> = [
      [
        [
          ['PSPID', m.pspid],
          ['ORDERID', 'v1'],
          ['CURRENCY', 'EUR'],
        ],
        /no amount/,
      ],
      [
        [
          ['PSPID', m.pspid],
          ['ORDERID', 'v2'],
          ['AMOUNT', '15.00'],
          ['CURRENCY', 'EUR'],
        ],
        /amount too long or not numeric/,
      ],
      [
        [
          ['PSPID', m.pspid],
          ['ORDERID', 'v3'],
          ['AMOUNT', '1500'],
          ['CURRENCY', 'XYZ'],
        ],
        /not a valid currency/,
      ],
      [
        [
          ['PSPID', m.pspid],
          ['ORDERID', 'v4'],
          ['AMOUNT', '1500'],
          ['CURRENCY', 'USD'],
        ],
        /currency is not accepted/,
      ],
      [
        [
          ['PSPID', m.pspid],
          ['ORDERID', 'v5'],
          ['AMOUNT', '1550'],
          ['CURRENCY', 'JPY'],
        ],
        /Invalid number of decimals/,
      ],
      [
        [
          ['PSPID', m.pspid],
          ['ORDERID', 'x'.repeat(41)],
          ['AMOUNT', '1500'],
          ['CURRENCY', 'EUR'],
        ],
        /orderid too long/,
      ],
      [
        [
          ['PSPID', m.pspid],
          ['AMOUNT', '1500'],
          ['CURRENCY', 'EUR'],
        ],
        /no orderid/,
      ],
    ];
    for (const [fields, text] of cases) {
      const res = await postEntry(app, [...fields, ['SHASIGN', ownSha(fields, SHA_IN, 'in')]]);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, GENERIC);
      assert.match((await errorRows(t, m.merchantId))[0]?.message ?? '', text);
    }
    const unknown = await postEntry(app, [
      ['PSPID', 'NoSuchShop'],
      ['ORDERID', 'u1'],
      ['AMOUNT', '1'],
      ['CURRENCY', 'EUR'],
    ]);
    assert.match(unknown.body, GENERIC);
    const [row] = (await errorRows(t, null)).filter((r) => r.pspid === 'NoSuchShop');
    assert.equal(row?.message, 'PSPID not found or not active');
  });

  it('the generic page speaks the LANGUAGE asked for', async () => {
    const m = await createMerchant(t);
    for (const [language, text] of [
      ['it_IT', /Si è verificato un errore/],
      ['fr_FR', /Une erreur est survenue/],
      ['de_DE', /Ein Fehler ist aufgetreten/],
      ['nl_NL', /Er is een fout opgetreden/],
      ['en_US', GENERIC],
    ] as const) {
      const res = await postEntry(app, [
        ['PSPID', m.pspid],
        ['ORDERID', `lang-${language}`],
        ['AMOUNT', '1500'],
        ['CURRENCY', 'EUR'],
        ['LANGUAGE', language],
        ['SHASIGN', 'bad'],
      ]);
      assert.match(res.body, text, language);
      assert.match(res.body, new RegExp(`<html lang="${language.replace('_', '-')}">`));
    }
  });
});

describe('duplicates and malformed requests', () => {
  it('never answer 500', async () => {
    const m = await createMerchant(t);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const requests: InjectOptions[] = [
      { method: 'POST', url: '/ncol/test/orderstandard_utf8.asp', payload: `PSPID=${m.pspid}&ORDERID=a&orderid=b&AMOUNT=1&CURRENCY=EUR`, headers: form },
      {
        method: 'POST',
        url: '/ncol/test/orderstandard_utf8.asp',
        payload: Buffer.from([0x50, 0x53, 0x50, 0x49, 0x44, 0x3d, 0xff, 0xfe, 0x25, 0x43, 0x33]),
        headers: form,
      },
      { method: 'POST', url: '/ncol/test/orderstandard_utf8.asp', payload: 'CN=%C3%28&PSPID=x', headers: form },
      { method: 'POST', url: '/ncol/test/orderstandard.asp', payload: `PSPID=${m.pspid}&CN=a%00b`, headers: form },
      { method: 'POST', url: '/ncol/test/orderstandard.asp', payload: 'A='.padEnd(300_000, 'x'), headers: form },
      { method: 'POST', url: '/ncol/test/orderstandard.asp', payload: '{"PSPID":1', headers: { 'content-type': 'application/json' } },
      { method: 'POST', url: '/ncol/test/orderstandard.asp', payload: '--x\r\n', headers: { 'content-type': 'multipart/form-data; boundary=x' } },
      { method: 'POST', url: '/ncol/test/orderstandard.asp', payload: '' },
      { method: 'GET', url: '/ncol/test/orderstandard.asp' },
      { method: 'GET', url: `/ncol/test/orderstandard.asp?PSPID=${m.pspid}&AMOUNT=%ZZ&&&=&ORDERID` },
      { method: 'GET', url: '/ncol/test/pay/ord_nope?token=x' },
      { method: 'POST', url: '/ncol/test/pay/ord_00000000000000000000000000', payload: 'token=x&number=4111111111111111', headers: form },
      { method: 'GET', url: '/ncol/staging/orderstandard.asp' },
    ];
    for (const request of requests) {
      const res = await app.inject(request);
      assert.ok(res.statusCode < 500, `${request.method} ${request.url}: ${res.statusCode}`);
      assert.match(res.body, GENERIC, `${request.method} ${request.url}`);
    }
    assert.match((await errorRows(t, null)).map((r) => r.message).join('\n'), /parameter sent more than once/);
  });

  it('GET works like POST (pay-by-link)', async () => {
    const m = await createMerchant(t);
    const pairs = signedOrder(m, 'by-link');
    const res = await app.inject({ url: `/ncol/test/orderstandard_utf8.asp?${formBytes(pairs, 'utf8').toString('ascii')}` });
    payLocation(res);
  });
});

describe('orders: reuse, already paid, prod', () => {
  it('the same ORDERID again reuses the order with a new token; the old page stops working', async () => {
    const m = await createMerchant(t);
    const first = payLocation(await postEntry(app, signedOrder(m, 'reuse-1')));
    const second = payLocation(await postEntry(app, signedOrder(m, 'reuse-1', [['COM', 'changed basket']])));
    assert.equal(second.orderId, first.orderId);
    assert.notEqual(second.token, first.token);
    assert.equal((await app.inject({ url: first.path })).statusCode, 404);
    assert.equal((await app.inject({ url: second.path })).statusCode, 200);
    const row = await orderRow(first.orderId);
    assert.notEqual(row.page_token_hash, second.token, 'only a hash of the token is stored');
    assert.equal(row.page_token_hash?.length, 64);
  });

  it('the same request posted five times at once makes one order', async () => {
    const m = await createMerchant(t);
    const results = await Promise.all(Array.from({ length: 5 }, () => postEntry(app, signedOrder(m, 'dup-1'))));
    const ids = new Set(results.map((r) => payLocation(r).orderId));
    assert.equal(ids.size, 1);
    const rows = await t.database.db.selectFrom('orders').select('id').where('merchant_id', '=', m.merchantId).where('order_ref', '=', 'dup-1').execute();
    assert.equal(rows.length, 1);
  });

  it('an ORDERID already paid is refused with a page saying so, its reference and the way back to the shop', async () => {
    const m = await createMerchant(t, { settings: { acceptUrl: 'https://shop.example/ok' } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'paid-1')));
    assert.equal((await postCard(app, pay)).statusCode, 303);
    const again = await postEntry(
      app,
      signedOrder(m, 'paid-1', [
        ['HOMEURL', 'https://shop.example/home'],
        ['LANGUAGE', 'it_IT'],
      ]),
    );
    assert.equal(again.statusCode, 200);
    assert.doesNotMatch(again.body, GENERIC);
    assert.match(again.body, /già pagato/);
    assert.match(again.body, /data-order-ref>paid-1</);
    assert.match(again.body, /href="https:\/\/shop\.example\/home"/);
    assert.equal((await errorRows(t, m.merchantId))[0]?.message, 'This order has already been processed');
  });

  it('an ORDERID finally declined, or whose result is being verified, is never called paid: each page says what happened, in English and Italian', async () => {
    const m = await createMerchant(t, {
      settings: { declineUrl: 'https://shop.example/ko', exceptionUrl: 'https://shop.example/unsure', paymentRetries: '1' },
    });
    const PAID = /already (been )?paid|già (stato )?pagato/i;
    const enter = (ref: string, language: string) => postEntry(app, signedOrder(m, ref, [['LANGUAGE', language]]));
    // 2 on the last allowed attempt: final.
    const declined = payLocation(await postEntry(app, signedOrder(m, 'final-2')));
    assert.equal(new URL(String((await postCard(app, declined, { number: '4000000000000010' })).headers.location)).pathname, '/ko');
    const en = await enter('final-2', 'en_US');
    assert.equal(en.statusCode, 200);
    assert.doesNotMatch(en.body, PAID);
    assert.match(en.body, /<h1>This order has already been processed<\/h1>/);
    assert.match(en.body, /The transaction has been denied\./);
    assert.match(en.body, /data-order-ref>final-2</);
    const italian = await enter('final-2', 'it_IT');
    assert.doesNotMatch(italian.body, PAID);
    assert.match(italian.body, /La transazione è stata rifiutata\./);
    // 92: the acquirer's answer was lost; the customer must not pay again.
    const unsure = payLocation(await postEntry(app, signedOrder(m, 'unsure-2')));
    assert.equal(new URL(String((await postCard(app, unsure, { number: '4000000000000028' })).headers.location)).pathname, '/unsure');
    const u = await enter('unsure-2', 'en_US');
    assert.doesNotMatch(u.body, PAID);
    assert.match(u.body, /<h1>The payment of this order is being processed<\/h1>/);
    assert.match(u.body, /Please do not pay this order again/);
    assert.match((await enter('unsure-2', 'it_IT')).body, /<h1>Il pagamento di questo ordine è in corso<\/h1>[\s\S]*Non pagare di nuovo questo ordine/);
    // 99: an attempt under way (or interrupted, waiting for the reconciliation).
    const busy = payLocation(await postEntry(app, signedOrder(m, 'busy-2')));
    await t.database.db.updateTable('orders').set({ status: 99 }).where('id', '=', busy.orderId).execute();
    const b = await enter('busy-2', 'en_US');
    assert.doesNotMatch(b.body, PAID);
    assert.match(b.body, /being processed/);
    assert.equal((await errorRows(t, m.merchantId))[0]?.message, 'This order has already been processed');
  });

  it('prod is refused with a clear error in the log and a generic page', async () => {
    const m = await createMerchant(t, { prod: true });
    const prodPassphrase = 'Prod-passphrase-2026!x';
    await configure(t, m, { shaIn: { action: 'set', value: prodPassphrase, confirm: prodPassphrase } }, 'prod');
    const res = await postEntry(app, signedOrder(m, 'prod-1', [], { passphrase: prodPassphrase }), { env: 'prod', page: 'orderstandard.asp' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, GENERIC);
    const [row] = await errorRows(t, m.merchantId);
    assert.equal(row?.environment, 'prod');
    assert.match(row?.message ?? '', /No payment processor is configured/);
    assert.equal(
      await t.database.db.selectFrom('orders').select('id').where('merchant_id', '=', m.merchantId).where('environment', '=', 'prod').executeTakeFirst(),
      undefined,
    );
  });
});
