// What the exchange log stores of a message: no password in any shape, bounded, storable text, and
// never an exception or a slow regular expression, whatever arrives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRequest, maskPasswords, PASSWORD_MASK } from '../../protocols/pagopa/index.ts';
import { requestSamples } from '../../../test/support/pagopa-samples.ts';
import { boundMessage, cleanField, cutUtf8, maskSecrets, MAX_MESSAGE_BYTES } from './exchanges.sanitize.ts';
import { exchangeRow } from './exchanges.service.ts';

const SECRET = 'Zq9sEcr3tPw';
const leaks = (text: string): boolean => /Zq9|sEcr|3tPw|cr3t/i.test(text);
const verify = requestSamples.find((s) => s.operation === 'verifyPaymentNotice')!;
const envelope = (password: string): string => encodeRequest('verifyPaymentNotice', { ...(verify.value as object), password } as never);

// Shapes of a password the codec's mask (maskPasswords) leaves in the text, each seen in a real
// attempt to break it; every one must be masked by the log.
const CODEC_MISSES = [
  `<password><!-- c -->${SECRET}</password>`,
  `<password><?pi x?>${SECRET}</password>`,
  `<password>Zq9s<b/>Ecr3tPw</password>`,
  `<password>Zq9s<Ecr3tPw</password>`,
  `<ñs:password>${SECRET}</ñs:password>`,
  `<Password>${SECRET}</Password>`,
  `<PASSWORD>${SECRET}</PASSWORD>`,
  `<password\n>${SECRET}</password\n>`,
  `&lt;password&gt;${SECRET}&lt;/password&gt;`,
  `&lt;ns2:password&gt;${SECRET}`,
  `<x password="${SECRET}"/>`,
  `<x ns:password='${SECRET}'>`,
  `<x password=${SECRET}>`,
];

describe('masking (exchange log)', () => {
  it('masks every password shape the codec masks, and the ones it misses', () => {
    const codecCases = [
      `<x:password>${SECRET}</x:password>`,
      `<password xmlns="">${SECRET}</password>`,
      `<password><![CDATA[${SECRET}]]></password>`,
      `<password>${SECRET}`,
      `<password><![CDATA[${SECRET}`,
      `<password>Zq9s<![CDATA[Ecr]]>3tPw</password>`,
      `<soapenv:Body><nod:x><password>${SECRET}</password></nod:x>`,
      `<password a=">">${SECRET}</password>`,
    ];
    for (const c of [...codecCases, ...CODEC_MISSES]) assert.ok(!leaks(maskSecrets(`<a>${c}</a>`)), c);
    assert.ok(
      CODEC_MISSES.some((c) => leaks(maskPasswords(c))),
      'control: the codec alone leaves some of these',
    );
  });

  it('leaves the rest of a real envelope as it was', () => {
    const xml = envelope(SECRET);
    assert.equal(maskSecrets(xml), xml.replace(`<password>${SECRET}</password>`, `<password>${PASSWORD_MASK}</password>`));
    assert.equal(maskSecrets(maskSecrets(xml)), maskSecrets(xml), 'masking twice changes nothing');
    assert.equal(maskSecrets('<a><passwordHint>kept</passwordHint><password/></a>'), '<a><passwordHint>kept</passwordHint><password/></a>');
  });

  it('no password survives truncation at any point of the message', () => {
    const xml = envelope(SECRET);
    const start = xml.indexOf('<password>');
    for (let cut = start; cut <= start + 40; cut++) {
      const stored = boundMessage(xml, cut).text;
      assert.ok(!leaks(stored), `cut at ${cut}: ${stored.slice(start - 5)}`);
    }
  });

  it('no password survives, whatever it contains and wherever the message is cut (property)', () => {
    // Whatever the password holds (the encoder escapes it), with a comment in front of it (which the
    // codec's mask alone stops at) or not, and wherever the message is cut: between <password> and
    // its end tag (or the end of the text) the log has the mask, or the part of it the cut left.
    const secret = fc
      .string({ minLength: 8, maxLength: 15, unit: fc.constantFrom('a', 'Z', '9', '!', ']', '>', '<', ' ', 'è', '&', '-') })
      .filter((s) => /[aZ9è]{3}/.test(s));
    fc.assert(
      fc.property(secret, fc.boolean(), fc.nat(60), (pw, comment, cut) => {
        const plain = envelope(pw);
        const xml = comment ? plain.replace('<password>', '<password><!--x-->') : plain;
        const open = xml.indexOf('<password>') + '<password>'.length;
        for (const max of [xml.length, open - 10 + cut]) {
          const stored = boundMessage(xml, max).text;
          if (stored.length < open) continue;
          const content = stored.slice(open).split('</password>')[0] ?? '';
          assert.ok(PASSWORD_MASK.startsWith(content), `${max}: ${content}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('runs in linear time on inputs built to make a regular expression backtrack', () => {
    const n = MAX_MESSAGE_BYTES;
    const hostile = [
      '<password '.repeat(n / 10),
      '<password>x'.repeat(n / 11),
      `<password>${'<![CDATA['.repeat(n / 9)}`,
      `<${'a'.repeat(n)}`,
      '&lt;password '.repeat(n / 13),
      ' password='.repeat(n / 10),
      `<password>${'</a:passwor'.repeat(n / 11)}`,
      '<a:'.repeat(n / 3),
    ];
    for (const text of hostile) {
      const started = performance.now();
      boundMessage(text);
      const ms = performance.now() - started;
      // Linear: well under a second even on a loaded machine; the quadratic mask took 8 s unloaded.
      assert.ok(ms < 3000, `${text.slice(0, 20)}…: ${Math.round(ms)} ms`);
    }
  });
});

describe('bounds and storable text', () => {
  it('keeps at most 256 KiB of a message, cut on a character boundary, and says how big it was', () => {
    const big = `<a>${'è'.repeat(MAX_MESSAGE_BYTES)}</a>`;
    const stored = boundMessage(big);
    assert.ok(Buffer.byteLength(stored.text) <= MAX_MESSAGE_BYTES);
    assert.ok(Buffer.byteLength(stored.text) >= MAX_MESSAGE_BYTES - 3);
    assert.equal(stored.bytes, Buffer.byteLength(big));
    assert.equal(stored.truncated, true);
    assert.ok(!stored.text.includes('\uFFFD'), 'no character cut in half');
    const small = boundMessage('<a>ok</a>');
    assert.deepEqual(small, { text: '<a>ok</a>', bytes: 9, truncated: false });
    assert.equal(boundMessage(Buffer.alloc(10 * MAX_MESSAGE_BYTES, 0x41)).bytes, 10 * MAX_MESSAGE_BYTES);
  });

  it('a mask longer than the password cannot push the text over the bound', () => {
    const xml = `${'x'.repeat(100)}<password>a</password>`;
    const stored = boundMessage(xml, xml.length);
    assert.ok(Buffer.byteLength(stored.text) <= xml.length);
    assert.equal(stored.truncated, true);
  });

  it('invalid UTF-8, NUL and lone surrogates become U+FFFD; nothing throws', () => {
    const bytes = Buffer.concat([Buffer.from('<a>'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\u0000</a>')]);
    const stored = boundMessage(bytes);
    assert.equal(stored.text, '<a>\uFFFD\uFFFD\uFFFD\uFFFD</a>');
    assert.equal(stored.bytes, bytes.length);
    assert.equal(boundMessage('x\uD800y\u0000').text, 'x\uFFFDy\uFFFD');
    assert.equal(boundMessage(undefined).text, '');
    assert.equal(cutUtf8('aè', 2), 'a');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(400), (raw, max) => {
        const out = boundMessage(raw, Math.max(1, max));
        assert.ok(Buffer.byteLength(out.text) <= Math.max(1, max));
        assert.ok(!out.text.includes('\u0000'));
        assert.equal(out.text, out.text.toWellFormed());
      }),
    );
  });

  it('short fields are bounded, masked and never empty strings', () => {
    assert.equal(cleanField('', 10), null);
    assert.equal(cleanField(undefined, 10), null);
    assert.equal(cleanField('x'.repeat(100), 10)?.length, 10);
    assert.ok(!leaks(cleanField(`timeout after <password>${SECRET}`, 2000) ?? ''));
  });

  it('a whole row: odd numbers and dates are corrected, not refused', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    const row = exchangeRow(
      'msg_x',
      {
        env: 'test',
        direction: 'in',
        operation: 'x'.repeat(500),
        at: new Date(Number.NaN),
        durationMs: Number.POSITIVE_INFINITY,
        httpStatus: 1e9,
        request: `<password>${SECRET}</password>`,
        response: '',
        error: `<password>${SECRET}`,
      },
      now,
    );
    assert.equal(row.at, now);
    assert.equal(row.duration_ms, 0);
    assert.equal(row.http_status, 999);
    assert.equal(row.operation.length, 64);
    assert.equal(row.response, '');
    assert.ok(!Object.values(row).some((v) => typeof v === 'string' && leaks(v)));
  });
});
