import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeForm, encodeForm, type PageCharset, normalizeParamName } from '../../protocols/ogone/index.ts';
import { validateOrderRequest } from './order-request.ts';
import type { OrderRequest, OrderRequestContext, OrderRequestResult } from './order-request.ts';

const CTX: OrderRequestContext = { enabledCurrencies: ['EUR', 'JPY', 'KWD'], defaultOperation: 'SAL', signed: true, charset: 'utf8' };
const BASE: Record<string, string> = { PSPID: 'MyPSPID', ORDERID: '1234', AMOUNT: '1500', CURRENCY: 'EUR' };

function values(fields: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(fields).map(([k, v]) => [normalizeParamName(k), v]));
}

function run(extra: Record<string, string | undefined>, ctx: Partial<OrderRequestContext> = {}): OrderRequestResult {
  const merged = Object.entries({ ...BASE, ...extra }).filter((e): e is [string, string] => e[1] !== undefined);
  return validateOrderRequest(values(Object.fromEntries(merged)), { ...CTX, ...ctx });
}

function order(result: OrderRequestResult): OrderRequest {
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return result.order;
}

function problems(result: OrderRequestResult): string[] {
  assert.ok(!result.ok, 'expected problems');
  return result.problems.map((p) => `${p.param} ${p.ncError} ${p.text}`);
}

describe('validateOrderRequest: mandatory fields', () => {
  it('a minimal request becomes an order with defaults', () => {
    const r = run({});
    assert.deepEqual(order(r), {
      pspid: 'MyPSPID',
      orderId: '1234',
      amount: 1500,
      currency: 'EUR',
      language: 'en_US',
      operation: 'SAL',
      urls: {},
      customer: {},
      paramplus: [],
      look: {},
    });
    assert.ok(r.ok && r.warnings.length === 0);
  });

  it("reports every missing field at once, in the platform's words", () => {
    assert.deepEqual(problems(validateOrderRequest(new Map(), CTX)), [
      'PSPID 50001111 no PSPID',
      'ORDERID 50001111 no orderid',
      'CURRENCY 50001111 no currency',
      'AMOUNT 50001111 no amount',
    ]);
    assert.deepEqual(problems(run({ ORDERID: '   ' })), ['ORDERID 50001111 no orderid']);
  });

  it('ORDERID: 40 characters at most, kept exactly', () => {
    assert.equal(order(run({ ORDERID: ` ${'x'.repeat(38)}/` })).orderId, ` ${'x'.repeat(38)}/`);
    assert.deepEqual(problems(run({ ORDERID: 'x'.repeat(41) })), ['ORDERID 50001111 orderid too long']);
    assert.deepEqual(problems(run({ PSPID: 'p'.repeat(31) })), ['PSPID 50001111 pspid too long']);
  });
});

describe('validateOrderRequest: amount and currency', () => {
  it('AMOUNT is an integer × 100', () => {
    assert.deepEqual(problems(run({ AMOUNT: '15.00' })), ['AMOUNT 50001006 amount too long or not numeric: 15.00']);
    assert.deepEqual(problems(run({ AMOUNT: '-5' })), ['AMOUNT 50001006 amount too long or not numeric: -5']);
    assert.deepEqual(problems(run({ AMOUNT: '1'.repeat(16) })), [`AMOUNT 50001006 amount too long or not numeric: ${'1'.repeat(16)}`]);
    assert.deepEqual(problems(run({ AMOUNT: '0' })), ['AMOUNT 50001111 amount must be greater than 0']);
  });

  it('converts to ISO minor units: JPY needs two trailing zeros, KWD is scaled', () => {
    assert.equal(order(run({ CURRENCY: 'JPY', AMOUNT: '150000' })).amount, 1500);
    assert.deepEqual(problems(run({ CURRENCY: 'JPY', AMOUNT: '150050' })), ['AMOUNT 50001121 Invalid number of decimals for the currency']);
    assert.equal(order(run({ CURRENCY: 'KWD', AMOUNT: '1234' })).amount, 12340);
  });

  it('unknown, too long and not enabled currencies', () => {
    assert.deepEqual(problems(run({ CURRENCY: 'XYZ' })), ['CURRENCY 50001120 not a valid currency : XYZ']);
    assert.deepEqual(problems(run({ CURRENCY: 'eur' })), ['CURRENCY 50001120 not a valid currency : eur']);
    assert.deepEqual(problems(run({ CURRENCY: 'EURO' })), ['CURRENCY 50001111 currency too long']);
    assert.deepEqual(problems(run({ CURRENCY: 'USD' })), ['CURRENCY 50001122 The currency is not accepted by the merchant']);
  });

  it('a bad AMOUNT is reported even when the currency is wrong too', () => {
    assert.deepEqual(problems(run({ CURRENCY: 'USD', AMOUNT: 'abc' })), [
      'CURRENCY 50001122 The currency is not accepted by the merchant',
      'AMOUNT 50001006 amount too long or not numeric: abc',
    ]);
  });
});

describe('validateOrderRequest: language and operation', () => {
  it('LANGUAGE from the platform list, else en_US with a warning', () => {
    assert.equal(order(run({ LANGUAGE: 'it_IT' })).language, 'it_IT');
    assert.equal(order(run({ LANGUAGE: 'nl_BE' })).language, 'nl_BE');
    for (const code of ['dk_DK', 'no_NO', 'zh_CN', 'ar_AR', 'se_SE', 'da_DK']) {
      const r = run({ LANGUAGE: code });
      assert.equal(order(r).language, code, `${code} is kept as sent`);
      assert.ok(r.ok && !r.warnings.some((w) => w.param === 'LANGUAGE'), `${code} is no unknown language`);
    }
    const r = run({ LANGUAGE: 'xx_XX' });
    assert.equal(order(r).language, 'en_US');
    assert.ok(r.ok && r.warnings.some((w) => w.param === 'LANGUAGE'));
  });

  it('OPERATION: RES or SAL when signed, PAU as RES, merchant default otherwise', () => {
    assert.equal(order(run({ OPERATION: 'RES' })).operation, 'RES');
    assert.equal(order(run({ OPERATION: 'SAL' }, { defaultOperation: 'RES' })).operation, 'SAL');
    assert.equal(order(run({ OPERATION: 'PAU' })).operation, 'RES');
    assert.equal(order(run({}, { defaultOperation: 'RES' })).operation, 'RES');
    assert.deepEqual(problems(run({ OPERATION: 'RFD' })), ['OPERATION 50001007 Requested Operation code not allowed']);
    const unsigned = run({ OPERATION: 'RES' }, { signed: false, defaultOperation: 'SAL' });
    assert.equal(order(unsigned).operation, 'SAL');
    assert.ok(unsigned.ok && unsigned.warnings.some((w) => w.param === 'OPERATION'));
  });

  it('PM must be a card method; BRAND restricts the card brand', () => {
    assert.deepEqual(problems(run({ PM: 'iDEAL' })), ['PM 50001111 ERROR, PAYMENT METHOD NOT FOUND FOR: iDEAL']);
    assert.equal(order(run({ PM: 'CreditCard', BRAND: 'visa' })).brand, 'VISA');
    assert.deepEqual(problems(run({ BRAND: 'Bancontact' })), ['BRAND 50001111 ERROR, PAYMENT METHOD NOT FOUND FOR: Bancontact']);
  });
});

describe('validateOrderRequest: URLs, COMPLUS, PARAMPLUS', () => {
  it('keeps redirect URLs exactly, merchant query string included', () => {
    const accept = 'https://shop.example/return?bazz=buzz&action=accept&x=%41';
    const o = order(
      run({ ACCEPTURL: accept, DECLINEURL: 'http://shop.example/d', BACKURL: 'https://shop.example/b', HOMEURL: 'none', CATALOGURL: 'https://shop.example/c' }),
    );
    assert.deepEqual(o.urls, { accept, decline: 'http://shop.example/d', back: 'https://shop.example/b', home: 'NONE', catalog: 'https://shop.example/c' });
  });

  it('refuses URLs that are not plain http(s)', () => {
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,x',
      '/relative',
      'https://shop.example/a\nLocation: evil',
      'https://shop.example/a b',
      'https://u:p@shop.example/',
      'NONE',
    ]) {
      assert.deepEqual(problems(run({ EXCEPTIONURL: bad })), ['EXCEPTIONURL 50001111 exceptionurl is not an http(s) URL'], bad);
    }
  });

  it('COMPLUS is echoed exactly; PARAMPLUS is decoded into pairs', () => {
    const o = order(run({ COMPLUS: ' a&b=c ', PARAMPLUS: 'SessionID=126548354&ShopperID=73541312&note=caf%C3%A9+ok' }));
    assert.equal(o.complus, ' a&b=c ');
    assert.deepEqual(o.paramplus, [
      ['SessionID', '126548354'],
      ['ShopperID', '73541312'],
      ['note', 'café ok'],
    ]);
    assert.deepEqual(problems(run({ PARAMPLUS: 'a=1&A=2' })), ['PARAMPLUS 50001111 paramplus invalid (duplicate)']);
    assert.deepEqual(problems(run({ COMPLUS: 'x'.repeat(1001) })), ['COMPLUS 50001111 complus too long']);
  });

  it('PARAMPLUS escapes follow the page charset', () => {
    assert.deepEqual(order(run({ PARAMPLUS: 'n=caf%E9' }, { charset: 'latin1' })).paramplus, [['n', 'café']]);
    assert.deepEqual(problems(run({ PARAMPLUS: 'n=caf%E9' }, { charset: 'utf8' })), ['PARAMPLUS 50001111 paramplus invalid (invalid_encoding)']);
  });
});

describe('validateOrderRequest: customer and look and feel', () => {
  it("customer fields within the platform's lengths", () => {
    const o = order(
      run({
        CN: 'Zoë Ångström',
        EMAIL: 'zoe@example.org',
        OWNERADDRESS: 'Rue de la Loi 1',
        OWNERZIP: '1000',
        OWNERTOWN: 'Bruxelles',
        OWNERCTY: 'be',
        OWNERTELNO: '+32 2 000 00 00',
        COM: 'Order 1234',
      }),
    );
    assert.deepEqual(o.customer, {
      name: 'Zoë Ångström',
      email: 'zoe@example.org',
      address: 'Rue de la Loi 1',
      zip: '1000',
      town: 'Bruxelles',
      country: 'BE',
      phone: '+32 2 000 00 00',
    });
    assert.equal(o.description, 'Order 1234');
    assert.deepEqual(problems(run({ CN: 'x'.repeat(36), OWNERZIP: '12345678901', COM: 'c'.repeat(101) })), [
      'CN 50001111 cn too long',
      'OWNERZIP 50001111 ownerzip too long',
      'COM 50001111 com too long',
    ]);
  });

  it('a malformed e-mail or country is dropped with a warning', () => {
    const r = run({ EMAIL: 'not-an-email', OWNERCTY: '1x' });
    assert.deepEqual(order(r).customer, {});
    assert.ok(r.ok);
    assert.deepEqual(
      r.warnings.map((w) => w.param),
      ['EMAIL', 'OWNERCTY'],
    );
  });

  it('look-and-feel values are read safely; bad ones only warn', () => {
    const r = run({
      TITLE: 'My shop',
      BGCOLOR: '#FFF',
      TXTCOLOR: 'Black',
      BUTTONBGCOLOR: 'red;background:url(x)',
      LOGO: 'http://shop.example/logo.png',
      FONTTYPE: 'Trebuchet MS, Arial',
      TP: 'http://shop.example/tpl.html',
    });
    const o = order(r);
    assert.equal(o.template, undefined, 'a dynamic template is fetched over https only');
    assert.deepEqual(o.look, { title: 'My shop', bgColor: '#ffffff', txtColor: 'black', fontFamilies: ['Trebuchet MS', 'Arial'] });
    assert.ok(r.ok);
    assert.deepEqual(r.warnings.map((w) => w.param).sort(), ['BUTTONBGCOLOR', 'LOGO', 'TP']);
    assert.equal(order(run({ LOGO: 'https://shop.example/logo.png' })).look.logo, 'https://shop.example/logo.png');
    assert.equal(order(run({ TP: 'https://shop.example/tpl.html' })).template, 'https://shop.example/tpl.html');
    const statics = run({ TP: 'PaymentPage_1_iPhone.htm' });
    assert.equal(order(statics).template, undefined);
    assert.deepEqual(
      statics.warnings.map((w) => w.reason),
      ['static templates are not supported, the standard page is used'],
    );
  });
});

describe('validateOrderRequest: from raw bytes', () => {
  it('accented values arrive intact through both pages', () => {
    const fields: Array<[string, string]> = [...Object.entries(BASE), ['CN', 'Renée Müller'], ['COM', 'Crème brûlée']];
    for (const charset of ['latin1', 'utf8'] as const satisfies readonly PageCharset[]) {
      const decoded = decodeForm(Buffer.from(encodeForm(fields, charset), 'latin1'), charset);
      assert.ok(decoded.ok);
      const o = order(validateOrderRequest(decoded.form.values, { ...CTX, charset }));
      assert.equal(o.customer.name, 'Renée Müller', charset);
      assert.equal(o.description, 'Crème brûlée', charset);
    }
  });
});
