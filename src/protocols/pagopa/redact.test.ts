// Channel passwords never reach the exchange log: masked in well-formed, odd and broken messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRequest, maskPasswords, PASSWORD_MASK } from './index.ts';
import { requestSamples } from '../../../test/support/pagopa-samples.ts';

const verify = requestSamples.find((s) => s.operation === 'verifyPaymentNotice')!;

describe('password masking', () => {
  it('masks the password of an encoded request and leaves everything else', () => {
    const xml = encodeRequest('verifyPaymentNotice', verify.value as never);
    const masked = maskPasswords(xml);
    assert.ok(!masked.includes('pwdpwdpwd'));
    assert.equal(masked, xml.replace('<password>pwdpwdpwd</password>', `<password>${PASSWORD_MASK}</password>`));
  });

  it('masks with any prefix, attributes, CDATA, entities, and when the message is cut short', () => {
    const cases = [
      '<x:password>s3cr3tpw</x:password>',
      '<password xmlns="">s3cr3tpw</password>',
      '<password><![CDATA[s3cr3tpw]]></password>',
      '<password>s3cr&amp;3tpw</password>',
      '<password>s3cr3tpw',
      '<password><![CDATA[s3cr3tpw',
      '<password>s3cr<![CDATA[3t]]>pw</password>',
    ];
    for (const c of cases) assert.ok(!/s3cr|3tpw/.test(maskPasswords(`<a>${c}`)), c);
  });

  it('no password survives, whatever it contains (property)', () => {
    const secret = fc
      .string({ minLength: 8, maxLength: 15, unit: fc.constantFrom('a', 'Z', '9', '!', ']', '>', ' ', 'è') })
      .filter((s) => /[a-zA-Z9è]{3}/.test(s));
    fc.assert(
      fc.property(secret, (pw) => {
        const xml = encodeRequest('verifyPaymentNotice', { ...(verify.value as object), password: pw } as never);
        const masked = maskPasswords(xml);
        const escaped = pw.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
        assert.ok(!masked.includes(escaped), masked);
      }),
    );
  });

  it('takes linear time on start tags that never close (no backtracking over the rest of the text)', () => {
    for (const text of ['<password '.repeat(52_000), `<password>${'x'.repeat(262_144)}`, `<password>${'<![CDATA['.repeat(26_000)}`]) {
      const started = performance.now();
      maskPasswords(text);
      // Linear work takes milliseconds; the quadratic version took 8 s on the first input.
      assert.ok(performance.now() - started < 3000, text.slice(0, 20));
    }
  });
});
