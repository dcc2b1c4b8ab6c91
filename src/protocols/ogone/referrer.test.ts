import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkReferrer, validateReferrerSetting } from './referrer.ts';

describe('validateReferrerSetting', () => {
  it('accepts an empty field (check disabled) and ;-separated http(s) URLs', () => {
    assert.deepEqual(validateReferrerSetting(''), { ok: true, entries: [] });
    const r = validateReferrerSetting('https://shop.example;http://Shop.Example:8080/pay/Form.php;https://b.example/a/;');
    assert.ok(r.ok);
    assert.deepEqual(
      r.entries.map((e) => [e.origin, e.path]),
      [
        ['https://shop.example', null],
        ['http://shop.example:8080', '/pay/form.php'],
        ['https://b.example', '/a/'],
      ],
    );
  });

  it('names the problem', () => {
    const cases: Array<[string, unknown]> = [
      ['https://a.example; https://b.example', { code: 'contains_space' }],
      ['https://a.example\thttps://b.example', { code: 'contains_space' }],
      ['www.shop.example', { code: 'not_http', entry: 'www.shop.example' }],
      ['https://a.example;ftp://b.example', { code: 'not_http', entry: 'ftp://b.example' }],
      ['https://', { code: 'invalid_url', entry: 'https://' }],
      ['https://user:pw@shop.example', { code: 'invalid_url', entry: 'https://user:pw@shop.example' }],
      ['https://shop.example:99999', { code: 'invalid_url', entry: 'https://shop.example:99999' }],
      [`https://a.example/${'x'.repeat(2000)}`, { code: 'too_long', limit: 2000 }],
      [Array.from({ length: 51 }, (_, i) => `https://s${i}.example`).join(';'), { code: 'too_many', limit: 50 }],
    ];
    for (const [text, problem] of cases) assert.deepEqual(validateReferrerSetting(text), { ok: false, problem }, text);
  });
});

describe('checkReferrer', () => {
  const FULL = 'https://shop.example/checkout/pay.php';
  const DOMAIN = 'https://shop.example';

  it('full page URL: that page (with any query) and its bare origin, nothing else', () => {
    for (const ref of [
      FULL,
      `${FULL}?step=3`,
      'https://shop.example/Checkout/Pay.php',
      'https://shop.example/',
      'https://shop.example',
      'https://SHOP.example:443/',
    ]) {
      assert.deepEqual(checkReferrer(FULL, ref), { ok: true, enforced: true, matched: FULL }, ref);
    }
    for (const ref of [
      'https://shop.example/checkout/other.php',
      'https://shop.example/checkout/pay.php.evil',
      'https://shop.example/?q=1',
      'http://shop.example/',
      'https://shop.example:8443/',
    ]) {
      assert.deepEqual(checkReferrer(FULL, ref), { ok: false, reason: 'not_allowed' }, ref);
    }
  });

  it('domain: every page of that origin, not other hosts that merely start alike', () => {
    for (const ref of ['https://shop.example/', 'https://shop.example/a/b/c?x=1#y', 'https://shop.example:443/basket']) {
      assert.equal(checkReferrer(DOMAIN, ref).ok, true, ref);
    }
    for (const ref of ['https://shop.example.evil.test/', 'https://www.shop.example/', 'https://evil.test/https://shop.example/', 'http://shop.example/']) {
      assert.deepEqual(checkReferrer(DOMAIN, ref), { ok: false, reason: 'not_allowed' }, ref);
    }
  });

  it('a folder entry accepts the pages below it', () => {
    assert.equal(checkReferrer('https://shop.example/eshop/', 'https://shop.example/eshop/cart/pay').ok, true);
    assert.equal(checkReferrer('https://shop.example/eshop/', 'https://shop.example/eshopper').ok, false);
  });

  it('any entry of the list may match', () => {
    const list = 'https://a.example/pay;https://b.example';
    assert.deepEqual(checkReferrer(list, 'https://b.example/x'), { ok: true, enforced: true, matched: 'https://b.example' });
    assert.deepEqual(checkReferrer(list, 'https://c.example/'), { ok: false, reason: 'not_allowed' });
  });

  it('missing and unreadable referrers', () => {
    for (const ref of [undefined, null, '', '  ']) assert.deepEqual(checkReferrer(DOMAIN, ref), { ok: false, reason: 'missing' });
    for (const ref of ['not a url', 'android-app://com.shop/', 'about:blank', 'data:,x']) {
      assert.deepEqual(checkReferrer(DOMAIN, ref), { ok: false, reason: 'not_allowed' }, ref);
    }
  });

  it('an empty list disables the check; a corrupt non-empty one still enforces', () => {
    for (const ref of [undefined, 'https://anything.example/']) assert.deepEqual(checkReferrer('', ref), { ok: true, enforced: false });
    assert.deepEqual(checkReferrer([], 'https://x.example/'), { ok: true, enforced: false });
    assert.deepEqual(checkReferrer('garbage;;', 'https://x.example/'), { ok: false, reason: 'not_allowed' });
    assert.deepEqual(checkReferrer('garbage', undefined), { ok: false, reason: 'missing' });
  });

  it('accepts validated entries as well as the stored text, with IDN hosts normalised', () => {
    const v = validateReferrerSetting('https://bücher.example/kasse');
    assert.ok(v.ok);
    assert.equal(checkReferrer(v.entries, 'https://xn--bcher-kva.example/').ok, true);
    assert.equal(checkReferrer(v.entries, 'https://bücher.example/kasse').ok, true);
  });
});
