import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_FEEDBACK_PARAMETERS,
  FEEDBACK_PARAMETERS,
  changedFields,
  checkForProduction,
  checkPspid,
  s2sUrlProblem,
  testPassphrasesToReplace,
  validateSettings,
  type TechnicalSettings,
} from './settings.policy.ts';

const DEFAULTS: TechnicalSettings = {
  hashingMethod: 'each-parameter',
  hashAlgorithm: 'sha512',
  charset: 'page',
  referrers: '',
  acceptUrl: null,
  declineUrl: null,
  exceptionUrl: null,
  cancelUrl: null,
  feedbackOnRedirect: true,
  s2sTiming: 'none',
  s2sUrlAccepted: null,
  s2sUrlDeclined: null,
  s2sMethod: 'POST',
  feedbackParams: [...DEFAULT_FEEDBACK_PARAMETERS],
  defaultOperation: 'SAL',
  paymentRetries: 10,
  enabledCurrencies: ['EUR'],
  legacyHashingAcceptedAt: null,
};
const GOOD = 'Mysecretsig1875!?';

describe('legacy "main parameters" hashing is an acknowledged choice', () => {
  const LEGACY_ON: TechnicalSettings = { ...DEFAULTS, hashingMethod: 'main-parameters', legacyHashingAcceptedAt: new Date('2026-11-01T00:00:00Z') };

  it('choosing it without the acknowledgement is refused, with it accepted and reported', () => {
    const refused = validateSettings({ hashingMethod: 'main-parameters' }, 'test', DEFAULTS);
    assert.ok(!refused.ok);
    assert.deepEqual(
      refused.problems.map((p) => [p.field, p.code]),
      [['hashingMethod', 'legacy_ack_required']],
    );
    const accepted = validateSettings({ hashingMethod: 'main-parameters', acceptLegacyHashing: true }, 'prod', DEFAULTS);
    assert.ok(accepted.ok);
    assert.equal(accepted.acceptsLegacy, true);
    assert.equal(accepted.patch.hashingMethod, 'main-parameters');
  });

  it('a configuration already acknowledged keeps it without asking again; turning it off forgets it', () => {
    const kept = validateSettings({ hashingMethod: 'main-parameters', hashAlgorithm: 'sha256' }, 'test', LEGACY_ON);
    assert.ok(kept.ok);
    assert.equal(kept.acceptsLegacy, false);
    const off = validateSettings({ hashingMethod: 'each-parameter' }, 'test', LEGACY_ON);
    assert.ok(off.ok);
    assert.equal(off.patch.legacyHashingAcceptedAt, null);
    // An upgraded install that had legacy on without acknowledgement is asked at its next save.
    assert.ok(!validateSettings({ hashingMethod: 'main-parameters' }, 'test', { ...LEGACY_ON, legacyHashingAcceptedAt: null }).ok);
    // A change that does not touch the method (the command line's partial changes) is not blocked.
    assert.ok(validateSettings({ hashAlgorithm: 'sha1' }, 'test', { ...LEGACY_ON, legacyHashingAcceptedAt: null }).ok);
  });

  it('copy to production carries legacy hashing only where production acknowledged it itself', () => {
    assert.deepEqual(
      checkForProduction(LEGACY_ON, DEFAULTS).map((p) => [p.field, p.code]),
      [['hashingMethod', 'legacy_ack_required']],
    );
    assert.deepEqual(checkForProduction(LEGACY_ON, LEGACY_ON), []);
  });
});

describe('PSPID', () => {
  it('is 2 to 30 letters, digits, underscore or dash', () => {
    for (const ok of ['ab', 'MyPSPID', 'shop_1-test', 'x'.repeat(30)]) assert.ok(checkPspid(ok), ok);
    for (const bad of ['a', 'x'.repeat(31), 'my shop', 'shop.it', 'cafè', '', 'a/b']) assert.ok(!checkPspid(bad), bad);
  });
});

describe('validateSettings', () => {
  it('accepts a full form and returns typed values; absent fields stay out of the patch', () => {
    const verdict = validateSettings(
      {
        hashAlgorithm: 'sha256',
        charset: 'utf8',
        referrers: 'https://shop.example;https://shop.example/pay.php;',
        acceptUrl: ' https://shop.example/ok?x=1 ',
        declineUrl: '',
        s2sTiming: 'deferred',
        s2sUrlAccepted: 'http://shop.example/feedback',
        s2sMethod: 'get',
        feedbackParams: ['orderid', 'STATUS', 'IP'],
        defaultOperation: 'res',
        paymentRetries: '3',
        enabledCurrencies: ['eur', 'USD', 'EUR', ''],
        shaIn: { action: 'set', value: GOOD, confirm: GOOD },
        shaOut: { action: 'keep' },
      },
      'test',
      DEFAULTS,
    );
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.patch, {
      hashAlgorithm: 'sha256',
      charset: 'utf8',
      referrers: 'https://shop.example;https://shop.example/pay.php',
      acceptUrl: 'https://shop.example/ok?x=1',
      declineUrl: null,
      s2sTiming: 'deferred',
      s2sUrlAccepted: 'http://shop.example/feedback',
      s2sMethod: 'GET',
      feedbackParams: ['ORDERID', 'STATUS', 'IP'],
      defaultOperation: 'RES',
      paymentRetries: 3,
      enabledCurrencies: ['EUR', 'USD'],
      shaIn: GOOD,
    });
  });

  it('reports every problem at once, naming the field, never echoing a passphrase', () => {
    const verdict = validateSettings(
      {
        hashAlgorithm: 'md5',
        referrers: 'https://a.example; https://b.example',
        acceptUrl: 'ftp://shop.example',
        cancelUrl: 'https://',
        paymentRetries: '0',
        enabledCurrencies: ['EUR', 'XYZ'],
        feedbackParams: ['ORDERID', 'SHASIGN'],
        shaIn: { action: 'set', value: 'short1!', confirm: 'short1!' },
        shaOut: { action: 'set', value: GOOD, confirm: `${GOOD}x` },
      },
      'test',
      DEFAULTS,
    );
    assert.ok(!verdict.ok);
    assert.deepEqual(
      verdict.problems.map((p) => [p.field, p.code]),
      [
        ['hashAlgorithm', 'invalid_choice'],
        ['referrers', 'contains_space'],
        ['shaIn', 'too_short'],
        ['acceptUrl', 'not_http'],
        ['cancelUrl', 'invalid_url'],
        ['shaOut', 'passphrase_mismatch'],
        ['feedbackParams', 'unknown_parameter'],
        ['paymentRetries', 'invalid_number'],
        ['enabledCurrencies', 'unknown_currency'],
      ],
    );
    assert.ok(verdict.problems.every((p) => !String(p.detail ?? '').includes('short1!') && !String(p.detail ?? '').includes(GOOD)));
  });

  it('refuses a passphrase with a forbidden character, and needs one currency', () => {
    const bad = 'Mysecretsig1875<>';
    const verdict = validateSettings({ shaIn: { action: 'set', value: bad, confirm: bad }, enabledCurrencies: [' '] }, 'prod', DEFAULTS);
    assert.ok(!verdict.ok);
    assert.deepEqual(
      verdict.problems.map((p) => p.code),
      ['forbidden_character', 'no_currency'],
    );
  });

  it('checks referrers with the referrer policy (http or https, each entry a URL)', () => {
    const notHttp = validateSettings({ referrers: 'https://a.example;shop.example' }, 'test', DEFAULTS);
    assert.ok(!notHttp.ok);
    assert.deepEqual(notHttp.problems[0], { field: 'referrers', code: 'not_http', detail: 'shop.example' });
    const empty = validateSettings({ referrers: '' }, 'test', DEFAULTS);
    assert.ok(empty.ok);
    assert.equal(empty.patch.referrers, '');
  });

  it('needs the first server-to-server URL when a request is sent, judged on the merged settings', () => {
    const missing = validateSettings({ s2sTiming: 'online' }, 'test', DEFAULTS);
    assert.ok(!missing.ok);
    assert.deepEqual(missing.problems, [{ field: 's2sUrlAccepted', code: 'url_required' }]);
    assert.ok(validateSettings({ s2sTiming: 'online' }, 'test', { ...DEFAULTS, s2sUrlAccepted: 'https://shop.example/s2s' }).ok);
    assert.ok(validateSettings({ s2sUrlAccepted: '' }, 'test', DEFAULTS).ok);
  });

  it('production sends server-to-server feedback over https only', () => {
    const verdict = validateSettings({ s2sUrlAccepted: 'http://shop.example/s2s', acceptUrl: 'http://shop.example/ok' }, 'prod', DEFAULTS);
    assert.ok(!verdict.ok);
    assert.deepEqual(
      verdict.problems.map((p) => [p.field, p.code]),
      [['s2sUrlAccepted', 'https_required']],
    );
    assert.deepEqual(
      checkForProduction({ ...DEFAULTS, s2sUrlDeclined: 'http://shop.example/ko' }, DEFAULTS).map((p) => p.field),
      ['s2sUrlDeclined'],
    );
  });

  it('one rule for settings and sender: http server-to-server URLs in test only, never an IP address as host', () => {
    assert.ok(validateSettings({ s2sUrlAccepted: 'http://shop.example/s2s', s2sUrlDeclined: 'https://shop.example/ko' }, 'test', DEFAULTS).ok);
    const ip = validateSettings({ s2sUrlAccepted: 'https://203.0.113.7/s2s', s2sUrlDeclined: 'http://[2001:db8::1]/ko' }, 'test', DEFAULTS);
    assert.ok(!ip.ok);
    assert.deepEqual(
      ip.problems.map((p) => [p.field, p.code]),
      [
        ['s2sUrlAccepted', 'host_required'],
        ['s2sUrlDeclined', 'host_required'],
      ],
    );
    assert.ok(validateSettings({ acceptUrl: 'https://203.0.113.7/ok' }, 'test', DEFAULTS).ok, 'redirect URLs are the browser\u2019s business');
    const rule = (env: 'test' | 'prod', url: string) => s2sUrlProblem(env, new URL(url));
    assert.equal(rule('test', 'http://shop.example/s'), undefined);
    assert.equal(rule('prod', 'http://shop.example/s'), 'https_required');
    assert.equal(rule('prod', 'https://shop.example/s'), undefined);
    assert.equal(rule('test', 'ftp://shop.example/s'), 'not_http');
    assert.equal(rule('test', 'http://127.0.0.1/s'), 'host_required');
  });

  it('clearing a passphrase is a patch to null', () => {
    const verdict = validateSettings({ shaOut: { action: 'clear' } }, 'test', DEFAULTS);
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.patch, { shaOut: null });
  });
});

describe('feedback parameters', () => {
  it('offers the fields Varco fills, upper-case; the defaults are Ingenico default set', () => {
    assert.deepEqual(DEFAULT_FEEDBACK_PARAMETERS, [
      'ORDERID',
      'CURRENCY',
      'AMOUNT',
      'PM',
      'ACCEPTANCE',
      'STATUS',
      'CARDNO',
      'PAYID',
      'NCERROR',
      'BRAND',
      'ED',
      'TRXDATE',
      'CN',
    ]);
    assert.ok(FEEDBACK_PARAMETERS.includes('IP') && FEEDBACK_PARAMETERS.every((n) => n === n.toUpperCase()));
  });
});

describe('changedFields and test ≠ prod', () => {
  it('names what a patch changes, passphrases by name only', () => {
    const current = { ...DEFAULTS, shaInSet: false, shaOutSet: true };
    assert.deepEqual(changedFields({ hashAlgorithm: 'sha512', charset: 'utf8', shaIn: GOOD, shaOut: null }, current), ['charset', 'shaIn', 'shaOut']);
    assert.deepEqual(changedFields({ shaIn: null }, current), []);
  });

  it('replaces a test passphrase equal to any production one', () => {
    assert.deepEqual(testPassphrasesToReplace({ shaIn: 'A', shaOut: 'B' }, { shaIn: 'A', shaOut: 'C' }), ['shaIn']);
    assert.deepEqual(testPassphrasesToReplace({ shaIn: 'A', shaOut: 'B' }, { shaIn: 'B', shaOut: null }), ['shaOut']);
    assert.deepEqual(testPassphrasesToReplace({ shaIn: null, shaOut: null }, { shaIn: null, shaOut: null }), []);
  });
});
