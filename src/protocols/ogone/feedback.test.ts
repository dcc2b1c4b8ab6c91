import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_FEEDBACK_FIELDS, FEEDBACK_FIELDS, trxDate } from './feedback-fields.ts';
import type { FeedbackOrder, FeedbackPayment } from './feedback-fields.ts';
import { feedbackParameters, redirectUrl } from './feedback.ts';
import type { FeedbackOptions, ShaOutConfig } from './feedback.ts';
import { decodeForm, queryBytes } from './form.ts';
import type { PageCharset } from './form.ts';
import { SHA_OUT_LIST, SHA_OUT_ORDER, compareShaNames, isShaOutParam } from './index.ts';
import type { ShaAlgorithm, ShaParams } from './index.ts';
import { SHA_VECTORS } from './sha.vectors.ts';

const vector = (id: string) => {
  const v = SHA_VECTORS.find((x) => x.id === id);
  assert.ok(v, id);
  return v;
};

/** The merchant's side, written from the rule and not through the SHA module. */
function merchantShaOut(received: ShaParams, passphrase: string, alg: ShaAlgorithm, charset: PageCharset): string {
  const kept = received
    .filter(([n, v]) => n.toUpperCase() !== 'SHASIGN' && v !== '' && isShaOutParam(n))
    .map(([n, v]) => [n.toUpperCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const text = kept.map(([n, v]) => `${n}=${v}${passphrase}`).join('');
  return createHash(alg).update(Buffer.from(text, charset)).digest('hex').toUpperCase();
}

const ORDER: FeedbackOrder = { orderId: '12', amount: 1500, currency: 'EUR', paramplus: [], customer: {} };
const PAYMENT: FeedbackPayment = {
  status: 9,
  ncError: '0',
  payId: '32100123',
  acceptance: '1234',
  date: new Date('2008-12-25T15:00:00Z'),
  card: { brand: 'VISA', masked: 'XXXXXXXXXXXX1111', expiry: { month: 5, year: 2014 }, holder: 'John Doe' },
};
const SHA: ShaOutConfig = { passphrase: 'Mysecretsig1875!?', alg: 'sha1', method: 'each-parameter', encoding: 'utf8' };
const REDIRECT: FeedbackOptions = { channel: 'redirect', charset: 'utf8' };

const get = (params: ShaParams, name: string) => params.find(([n]) => n === name)?.[1];

describe('feedbackParameters: names and formats', () => {
  it("sends the default set in the platform's names, order and formats, SHASIGN last", () => {
    const params = feedbackParameters(ORDER, PAYMENT, SHA, REDIRECT);
    assert.deepEqual(params.slice(0, -1), [
      ['orderID', '12'],
      ['currency', 'EUR'],
      ['amount', '15'],
      ['PM', 'CreditCard'],
      ['ACCEPTANCE', '1234'],
      ['STATUS', '9'],
      ['CARDNO', 'XXXXXXXXXXXX1111'],
      ['PAYID', '32100123'],
      ['NCERROR', '0'],
      ['BRAND', 'VISA'],
      ['ED', '0514'],
      ['TRXDATE', '12/25/08'],
      ['CN', 'John Doe'],
    ]);
    assert.equal(params.at(-1)?.[0], 'SHASIGN');
    assert.equal(DEFAULT_FEEDBACK_FIELDS.length, 13);
  });

  it('amount without trailing zeros, in major units of the currency', () => {
    const amount = (amount: number, currency: string) => get(feedbackParameters({ ...ORDER, amount, currency }, PAYMENT, SHA, REDIRECT), 'amount');
    assert.equal(amount(1550, 'EUR'), '15.5');
    assert.equal(amount(1501, 'EUR'), '15.01');
    assert.equal(amount(1500, 'JPY'), '1500');
  });

  it('a cancel before any card: empty card fields, CN from the request', () => {
    const params = feedbackParameters(
      { ...ORDER, customer: { name: 'Req Name' } },
      { status: 1, ncError: '30171001', payId: '', date: PAYMENT.date },
      SHA,
      REDIRECT,
    );
    assert.deepEqual(
      ['ACCEPTANCE', 'CARDNO', 'BRAND', 'ED', 'CN', 'STATUS'].map((n) => get(params, n)),
      ['', '', '', '', 'Req Name', '1'],
    );
  });

  it('optional IP and EMAIL when selected; order stays canonical', () => {
    const params = feedbackParameters({ ...ORDER, customer: { email: 'a@b.example' } }, { ...PAYMENT, ip: '192.0.2.1' }, SHA, {
      ...REDIRECT,
      fields: ['EMAIL', 'IP', 'STATUS', 'orderID'],
    });
    assert.deepEqual(params.slice(0, -1), [
      ['orderID', '12'],
      ['STATUS', '9'],
      ['IP', '192.0.2.1'],
      ['EMAIL', 'a@b.example'],
    ]);
  });

  it('takes the selection as the settings store it (upper-case SHA-OUT names), in the platform\u2019s casing, skipping unknown names', () => {
    const params = feedbackParameters(ORDER, PAYMENT, SHA, { ...REDIRECT, fields: ['ORDERID', 'AMOUNT', 'CURRENCY', 'STATUS', 'AAVCHECK', 'SCORING', 'VC'] });
    assert.deepEqual(params.slice(0, -1), [
      ['orderID', '12'],
      ['currency', 'EUR'],
      ['amount', '15'],
      ['STATUS', '9'],
      ['AAVCheck', 'NO'],
      ['SCORING', ''],
    ]);
    assert.deepEqual(
      feedbackParameters(ORDER, PAYMENT, SHA, { ...REDIRECT, fields: [] }).map(([n]) => n),
      ['SHASIGN'],
    );
  });

  it('TRXDATE is MM/DD/YY in UTC', () => {
    assert.equal(trxDate(new Date('2011-07-05T23:30:00Z')), '07/05/11');
    assert.equal(trxDate(new Date('2000-01-01T00:00:00Z')), '01/01/00');
  });
});

describe('feedbackParameters: SHA-OUT', () => {
  it('reproduces the published SHA-OUT vector A2 for every algorithm', () => {
    const a2 = vector('A2');
    const fields = ['ACCEPTANCE', 'amount', 'BRAND', 'CARDNO', 'currency', 'NCERROR', 'orderID', 'PAYID', 'PM', 'STATUS'] as const;
    for (const [alg, digest] of Object.entries(a2.digests)) {
      const params = feedbackParameters(ORDER, PAYMENT, { ...SHA, passphrase: a2.passphrase, alg: alg as ShaAlgorithm }, { ...REDIRECT, fields });
      assert.deepEqual(new Map(params.slice(0, -1)), new Map(a2.params), 'same parameters as the vector');
      assert.equal(get(params, 'SHASIGN'), digest?.hex, alg);
    }
  });

  it('reproduces the legacy "main parameters" vector B3', () => {
    const b3 = vector('B3');
    const order: FeedbackOrder = { orderId: '2101947639', amount: 1908, currency: 'EUR', paramplus: [], customer: {} };
    const payment: FeedbackPayment = {
      status: 5,
      ncError: '0',
      payId: '10673859',
      acceptance: 'test123',
      date: new Date('2011-07-05T10:00:00Z'),
      ip: '81.82.214.142',
      card: { brand: 'VISA', masked: 'XXXXXXXXXXXX1111', expiry: { month: 1, year: 2013 }, holder: 'Marlon' },
    };
    for (const [alg, digest] of Object.entries(b3.digests)) {
      const params = feedbackParameters(
        order,
        payment,
        { passphrase: b3.passphrase, alg: alg as ShaAlgorithm, method: 'main-parameters', encoding: 'utf8' },
        { ...REDIRECT, fields: [...DEFAULT_FEEDBACK_FIELDS, 'IP'] },
      );
      const upper = new Map(params.map(([n, v]) => [n.toUpperCase(), v]));
      for (const [n, v] of b3.params) assert.equal(upper.get(n), v, n);
      assert.equal(get(params, 'SHASIGN'), digest?.hex, alg);
    }
  });

  it("is verified by the merchant's own implementation of the rule, on both pages", () => {
    const order: FeedbackOrder = {
      ...ORDER,
      complus: 'Crème',
      paramplus: [
        ['SessionID', '1'],
        ['Extra', 'é'],
      ],
    };
    const payment = { ...PAYMENT, card: { ...PAYMENT.card!, holder: 'Łukasz Żółć' } };
    for (const charset of ['utf8', 'latin1'] as const) {
      for (const alg of ['sha1', 'sha256', 'sha512'] as const) {
        const params = feedbackParameters(order, payment, { ...SHA, alg, encoding: charset }, { channel: 'server', charset });
        assert.equal(merchantShaOut(params, 'Mysecretsig1875!?', alg, charset), get(params, 'SHASIGN'), `${charset} ${alg}`);
      }
    }
  });

  it('COMPLUS is signed; PARAMPLUS is appended unsigned and never shadows', () => {
    const plain = feedbackParameters(ORDER, PAYMENT, SHA, REDIRECT);
    const withComplus = feedbackParameters({ ...ORDER, complus: 'ref-1' }, PAYMENT, SHA, REDIRECT);
    assert.notEqual(get(withComplus, 'SHASIGN'), get(plain, 'SHASIGN'));
    assert.equal(get(withComplus, 'COMPLUS'), 'ref-1');
    const paramplus: FeedbackOrder['paramplus'] = [
      ['SessionID', '126548354'],
      ['orderid', 'x'],
      ['orderID', 'evil'],
      ['shaSign', 'evil'],
      ['ShopperID', '7'],
    ];
    const extended = feedbackParameters({ ...ORDER, paramplus }, PAYMENT, SHA, REDIRECT);
    assert.equal(get(extended, 'SHASIGN'), get(plain, 'SHASIGN'));
    assert.deepEqual(extended.slice(13, -1), [
      ['SessionID', '126548354'],
      ['orderid', 'x'],
      ['ShopperID', '7'],
    ]);
    assert.equal(extended.filter(([n]) => n === 'orderID').length, 1);
  });

  it('a PARAMPLUS key equal to a signed name in another casing is still sent, as the platform does', () => {
    // PHP shops read $_GET case-sensitively and some rely on such a key (a PHPpayments class uses
    // `orderid`). With the same value every verifier still agrees; with a different value a
    // verifier that folds case fails: a safe failure, and the merchant's own configuration.
    const same = feedbackParameters({ ...ORDER, paramplus: [['orderid', '12']] }, PAYMENT, SHA, REDIRECT);
    assert.equal(get(same, 'orderid'), '12');
    const folded = new Map(same.map(([n, v]) => [n.toUpperCase(), v]));
    assert.equal(merchantShaOut([...folded], 'Mysecretsig1875!?', 'sha1', 'utf8'), get(same, 'SHASIGN'));
  });

  it('on the ISO page, characters outside Latin-1 become "?" before signing', () => {
    const payment = { ...PAYMENT, card: { ...PAYMENT.card!, holder: 'Łukasz Renée' } };
    const params = feedbackParameters(ORDER, payment, { ...SHA, encoding: 'latin1' }, { ...REDIRECT, charset: 'latin1' });
    assert.equal(get(params, 'CN'), '?ukasz Renée');
  });
});

describe('feedbackParameters: no SHA-OUT passphrase', () => {
  it('redirect: no parameters at all; server-to-server: parameters without SHASIGN', () => {
    for (const passphrase of [null, '']) {
      assert.deepEqual(feedbackParameters(ORDER, PAYMENT, { ...SHA, passphrase }, REDIRECT), []);
      const server = feedbackParameters(ORDER, PAYMENT, { ...SHA, passphrase }, { channel: 'server', charset: 'utf8' });
      assert.equal(server.length, 13);
      assert.equal(get(server, 'SHASIGN'), undefined);
    }
  });
});

describe('redirectUrl', () => {
  const params: ShaParams = [
    ['orderID', 'ref 1/2'],
    ['CN', 'Renée'],
    ['SHASIGN', 'AB'],
  ];

  it("keeps the merchant's query string and fragment", () => {
    assert.equal(
      redirectUrl('https://shop.example/return?bazz=buzz&action=accept', params, 'utf8'),
      'https://shop.example/return?bazz=buzz&action=accept&orderID=ref%201%2F2&CN=Ren%C3%A9e&SHASIGN=AB',
    );
    assert.equal(redirectUrl('https://shop.example/r', params, 'utf8'), 'https://shop.example/r?orderID=ref%201%2F2&CN=Ren%C3%A9e&SHASIGN=AB');
    assert.equal(redirectUrl('https://shop.example/r?', [['a', '1']], 'utf8'), 'https://shop.example/r?a=1');
    assert.equal(redirectUrl('https://shop.example/r?x=%41&', [['a', '1']], 'utf8'), 'https://shop.example/r?x=%41&a=1');
    assert.equal(redirectUrl('https://shop.example/r?x=1#top', [['a', '1']], 'utf8'), 'https://shop.example/r?x=1&a=1#top');
    assert.equal(redirectUrl('https://shop.example/r?x=1', [], 'utf8'), 'https://shop.example/r?x=1');
  });

  it('encodes in the page charset, and the merchant decodes back what was signed', () => {
    assert.equal(redirectUrl('https://s/r', [['CN', 'Renée']], 'latin1'), 'https://s/r?CN=Ren%E9e');
    for (const charset of ['utf8', 'latin1'] as const) {
      const sent = feedbackParameters({ ...ORDER, complus: 'a&b=c+d %' }, PAYMENT, { ...SHA, encoding: charset }, { ...REDIRECT, charset });
      const url = redirectUrl('https://shop.example/return?action=accept', sent, charset);
      const received = decodeForm(queryBytes(url), charset);
      assert.ok(received.ok);
      assert.deepEqual(received.form.pairs, [['action', 'accept'], ...sent], charset);
      assert.equal(merchantShaOut(received.form.pairs, 'Mysecretsig1875!?', 'sha1', charset), get(sent, 'SHASIGN'));
    }
  });
});

describe('feedbackParameters: the dynamic e-Commerce parameters', () => {
  const ALL = FEEDBACK_FIELDS.map((f) => f.toUpperCase());
  const card = { ...PAYMENT.card!, bin: '411111' };

  it('fills every field Varco knows, and what the platform sends when it does not know', () => {
    const params = feedbackParameters({ ...ORDER, customer: { email: 'a@b.example' } }, { ...PAYMENT, card, ip: '192.0.2.1' }, SHA, {
      ...REDIRECT,
      fields: ALL,
    });
    const sent = new Map(params);
    assert.equal(sent.get('NCERRORPLUS'), '!', 'no error');
    assert.equal(sent.get('BIN'), '411111');
    assert.equal(sent.get('IP'), '192.0.2.1');
    assert.equal(sent.get('IPCTY'), '99', 'no GeoIP database: unknown country');
    assert.equal(sent.get('CCCTY'), '99', 'no BIN table: unknown country');
    assert.equal(sent.get('ECI'), '7', 'e-commerce, not authenticated');
    assert.equal(sent.get('CVCCheck'), 'NO');
    assert.equal(sent.get('AAVCheck'), 'NO');
    assert.equal(sent.get('TRXDATE'), '12/25/08');
    assert.equal(sent.get('CN'), 'John Doe');
    assert.equal(sent.get('EMAIL'), 'a@b.example');
    for (const unknown of ['SUBBRAND', 'SCORING', 'SCO_CATEGORY', 'ALIAS']) assert.equal(sent.get(unknown), '', unknown);
    assert.deepEqual(
      params.slice(0, -1).map(([n]) => n),
      [...FEEDBACK_FIELDS],
      'every field, in the canonical order',
    );
  });

  it('ECI 5 after 3-D Secure; NCERRORPLUS carries the text of the error; ALIAS and the acquirer\u2019s checks when known', () => {
    const authenticated = new Map(feedbackParameters(ORDER, { ...PAYMENT, card, authenticated: true }, SHA, { ...REDIRECT, fields: ALL }));
    assert.equal(authenticated.get('ECI'), '5');
    const refused = new Map(
      feedbackParameters(ORDER, { ...PAYMENT, status: 2, ncError: '30051001', acceptance: '', card }, SHA, { ...REDIRECT, fields: ['NCERROR', 'NCERRORPLUS'] }),
    );
    assert.equal(refused.get('NCERRORPLUS'), 'Authorization declined');
    const known = new Map(
      feedbackParameters(
        { ...ORDER, alias: 'CUST-42' },
        { ...PAYMENT, card: { ...card, country: 'IT', subbrand: 'Visa Purchasing' }, ipCountry: 'IT', cvcCheck: 'OK', aavCheck: 'KO' },
        SHA,
        { ...REDIRECT, fields: ALL },
      ),
    );
    assert.deepEqual(
      ['ALIAS', 'CCCTY', 'SUBBRAND', 'IPCTY', 'CVCCheck', 'AAVCheck'].map((n) => known.get(n)),
      ['CUST-42', 'IT', 'Visa Purchasing', 'IT', 'OK', 'KO'],
    );
  });

  it('a cancel before any card: no card fields at all, IPCTY still 99', () => {
    const sent = new Map(feedbackParameters(ORDER, { status: 1, ncError: '30171001', payId: '', date: PAYMENT.date }, SHA, { ...REDIRECT, fields: ALL }));
    for (const name of ['CARDNO', 'BRAND', 'ED', 'BIN', 'CCCTY', 'ECI', 'CVCCheck', 'AAVCheck', 'SUBBRAND']) assert.equal(sent.get(name), '', name);
    assert.equal(sent.get('IPCTY'), '99');
    assert.equal(sent.get('NCERRORPLUS'), 'Payment method cancelled by the buyer');
  });

  it('every sent field on the SHA-OUT list is signed, in the published list\u2019s order (SCO_CATEGORY before SCORING)', () => {
    const published = readFileSync(resolve(import.meta.dirname, '../../../docs/reference/ogone/shaout-params.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const payment: FeedbackPayment = { ...PAYMENT, card, ip: '192.0.2.1', scoring: '1', scoreCategory: 'G' };
    for (const alg of ['sha1', 'sha256', 'sha512'] as const) {
      const params = feedbackParameters({ ...ORDER, complus: 'c' }, payment, { ...SHA, alg }, { ...REDIRECT, fields: ALL });
      const text = params
        .map(([n, v]) => [n.toUpperCase(), v] as const)
        .filter(([n, v]) => v !== '' && published.includes(n))
        .sort(([a], [b]) => published.indexOf(a) - published.indexOf(b))
        .map(([n, v]) => `${n}=${v}Mysecretsig1875!?`)
        .join('');
      assert.ok(text.indexOf('SCO_CATEGORY=G') < text.indexOf('SCORING=1'));
      assert.equal(get(params, 'SHASIGN'), createHash(alg).update(text, 'utf8').digest('hex').toUpperCase(), alg);
    }
    assert.ok(
      ['NCERRORPLUS'].every((n) => !published.includes(n)),
      'NCERRORPLUS is sent but never signed',
    );
  });

  it('the official SHA-OUT list is itself in SHA_OUT_ORDER', () => {
    const official = [...SHA_OUT_LIST.official];
    assert.deepEqual([...official].sort(compareShaNames(SHA_OUT_ORDER)), official);
    assert.notDeepEqual([...official].sort(compareShaNames('ascii')), official, 'ASCII would put SCORING first');
  });
});
