// Channel passwords never reach the exchange log: masked in well-formed, odd and broken messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CART_MASK, encodeRequest, maskCartTokens, maskPasswords, PASSWORD_MASK, type CartMask } from './index.ts';
import { readXml } from './xml.ts';
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

describe('masking a cart for one of its institutions', () => {
  const cart = requestSamples.find((s) => s.name === 'sendPaymentOutcomeV2 OK full')!;
  const mine = 'd221820d258c4ab1b765fe902aae6d14';
  const theirs = 'c110729d258c4ab1b765fe902aae41d6';
  const mask: CartMask = { keep: new Set([mine]), hidden: [theirs, '302000000000000123', '77777777777'] };
  const read = (xml: string) => {
    const tree = readXml(xml);
    assert.ok(tree.ok, xml);
    return tree.root;
  };
  const tokens = (xml: string): string[] => [...xml.matchAll(/<(?:\w+:)?paymentToken>([^<]*)</g)].map((m) => m[1] ?? '');

  it('masks the other tokens and the elements of their notices; keeps its own, the rest, the namespaces; stays well-formed', () => {
    const xml = encodeRequest('sendPaymentOutcomeV2', cart.value as never);
    const masked = maskCartTokens(xml, mask) ?? '';
    assert.ok(!masked.includes(theirs), masked);
    assert.deepEqual(tokens(masked), [mine, CART_MASK, CART_MASK]);
    // The stamp of the other notice: its token, transfer and attachment.
    assert.match(
      masked,
      new RegExp(`<marcaDaBollo><paymentToken>\\*{8}</paymentToken><idTransfer>\\*{8}</idTransfer><MBDAttachment>\\*{8}</MBDAttachment></marcaDaBollo>`),
    );
    const root = read(masked);
    assert.equal(root.ns, 'http://schemas.xmlsoap.org/soap/envelope/');
    // Everything else as the codec wrote it: the tree is the original's with the masked texts.
    assert.equal(
      masked.replace(/^<\?xml[^>]*\?>/, ''),
      xml
        .replace(/^<\?xml[^>]*\?>/, '')
        .replaceAll(theirs, CART_MASK)
        .replace(/<idTransfer>2<\/idTransfer><MBDAttachment>[^<]*</, `<idTransfer>${CART_MASK}</idTransfer><MBDAttachment>${CART_MASK}<`),
    );
    // The PSP's own view (every token kept) is the message itself.
    assert.deepEqual(tokens(maskCartTokens(xml, { keep: new Set([mine, theirs]), hidden: [] }) ?? ''), [mine, theirs, theirs]);
  });

  it('what a parser reads is what is masked: comments, CDATA, references, prefixes, attributes, whitespace, unknown tokens', () => {
    const hex = [...theirs].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('');
    const half = theirs.length / 2;
    const cases = [
      `<a><paymentTokens><paymentToken>${mine}</paymentToken><!-- ${theirs} --><paymentToken>${theirs}</paymentToken></paymentTokens></a>`,
      `<a><paymentToken>${theirs.slice(0, half)}<![CDATA[${theirs.slice(half)}]]></paymentToken></a>`,
      `<a><paymentToken>${hex}</paymentToken></a>`,
      `<a xmlns:x="urn:x"><x:paymentToken>${theirs}</x:paymentToken><x:b x:note="${theirs}">token ${theirs} refused</x:b></a>`,
      `<a><paymentToken>\n  ${theirs}  </paymentToken><description>L’esito del token ${theirs} è già stato ricevuto; avviso 302000000000000123 (EC 77777777777)</description></a>`,
      `<a><paymentToken>not-a-token-of-ours</paymentToken><paymentToken><b>${theirs}</b></paymentToken></a>`,
      `<a><marcaDaBollo><idTransfer>2</idTransfer><paymentToken>${theirs}</paymentToken><MBDAttachment><![CDATA[PGE+]]></MBDAttachment></marcaDaBollo></a>`,
    ];
    for (const xml of cases) {
      const masked = maskCartTokens(xml, mask);
      assert.ok(masked !== undefined, xml);
      read(masked);
      for (const secret of [theirs, theirs.slice(0, half), theirs.slice(half), '302000000000000123', '77777777777', 'not-a-token', 'PGE+', '>2<'])
        assert.ok(!masked.includes(secret), `${secret} in ${masked}`);
    }
    // Its own token, with spaces around it, stays.
    assert.deepEqual(tokens(maskCartTokens(`<a><paymentToken> ${mine} </paymentToken></a>`, mask) ?? ''), [` ${mine} `]);
  });

  it('a message the parser refuses (cut short, malformed, a DTD) is not given back at all', () => {
    const xml = encodeRequest('sendPaymentOutcomeV2', cart.value as never);
    for (const broken of [
      xml.slice(0, xml.indexOf(theirs) + 10),
      `<!DOCTYPE a [<!ENTITY t "${theirs}">]><a>&t;</a>`,
      `<a><paymentToken>${theirs}</a>`,
      '',
      'not xml',
    ])
      assert.equal(maskCartTokens(broken, mask), undefined, broken);
  });

  it('no other token survives, whatever the cart (property)', () => {
    const token = fc.stringMatching(/^[0-9a-f]{32}$/);
    fc.assert(
      fc.property(fc.uniqueArray(token, { minLength: 2, maxLength: 5 }), fc.nat(), (cartTokens, pick) => {
        const own = cartTokens[pick % cartTokens.length] ?? '';
        const xml = encodeRequest('sendPaymentOutcomeV2', { ...(cart.value as object), paymentTokens: { paymentToken: cartTokens } } as never);
        const masked = maskCartTokens(xml, { keep: new Set([own]), hidden: cartTokens.filter((t) => t !== own) }) ?? '';
        for (const other of cartTokens.filter((t) => t !== own)) assert.ok(!masked.includes(other), masked);
        assert.ok(masked.includes(`<paymentToken>${own}</paymentToken>`));
      }),
    );
  });
});
