import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  LEGACY_SHA_IN_FIELDS,
  SHA_IN_LIST,
  SORT_ORDERS,
  decodeForm,
  encodeForm,
  maskedShaString,
  normalizeParamName,
  shaEncodingFor,
  signShaIn,
  verifyShaIn,
  type PageCharset,
  type ShaAlgorithm,
  type ShaParams,
} from '../../src/protocols/ogone/index.ts';
import { formBytes } from '../support/ecommerce.ts';

// Property-based tests of the SHA composition and the form decoding together (issue 6, fuzz). The
// unit properties next to the code (sha.property.test.ts, form.test.ts) check each part alone;
// these check what a shop meets end to end — it signs values, a browser encodes them for the page,
// Varco decodes the bytes and verifies — and the invariants an attacker would probe: any input is
// an answer (never an exception), hex case and name case do not matter, one digit does, a repeated
// name is refused, and the passphrase never shows in the debugger's string.

const ALGS: readonly ShaAlgorithm[] = ['sha1', 'sha256', 'sha512'];
const CHARSETS: readonly PageCharset[] = ['latin1', 'utf8'];
const RUNS = 150;

const listedName = fc.oneof(
  fc.constantFrom(...SHA_IN_LIST.exact),
  fc.tuple(fc.constantFrom(...SHA_IN_LIST.familyPrefixes), fc.integer({ min: 1, max: 30 })).map(([p, n]) => `${p}${n}`),
);
const randomCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((flags) => [...name].map((c, i) => (flags[i] ? c.toLowerCase() : c)).join(''));
/** No NUL (refused by the decoder on purpose) and, on the ISO page, only what ISO-8859-1 can carry. */
function text(charset: PageCharset, minLength = 0): fc.Arbitrary<string> {
  const unit =
    charset === 'utf8' ? fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) : fc.integer({ min: 1, max: 0xff }).map((c) => String.fromCharCode(c));
  return fc.array(unit, { minLength, maxLength: 16 }).map((a) => a.join('').replaceAll('\u0000', ''));
}
function orderPairs(charset: PageCharset): fc.Arbitrary<ShaParams> {
  return fc.uniqueArray(fc.tuple(listedName.chain(randomCase), fc.oneof(fc.constant(''), fc.constant('0'), text(charset))), {
    minLength: 1,
    maxLength: 14,
    selector: ([n]) => normalizeParamName(n),
  });
}
const passphrase = fc.tuple(fc.stringMatching(/^[A-Za-z0-9!?.-]{8,24}$/), fc.nat()).map(([p, n]) => `${p}#${n}`);

describe('a shop signs, a browser encodes, Varco decodes and verifies', () => {
  for (const charset of CHARSETS) {
    it(`accepts every correctly signed form on the ${charset} page, whichever sort order and algorithm the shop used`, () => {
      fc.assert(
        fc.property(
          orderPairs(charset),
          passphrase,
          fc.constantFrom(...ALGS),
          fc.constantFrom(...SORT_ORDERS),
          fc.boolean(),
          (pairs, secret, alg, order, ownEncoder) => {
            const encoding = shaEncodingFor('page', charset);
            const digest = signShaIn(pairs, secret, { alg, method: 'each-parameter', encoding, order });
            const signed: Array<[string, string]> = [
              ...pairs.map(([n, v]): [string, string] => [n, v]),
              ['SHASIGN', ownEncoder ? digest.toLowerCase() : digest],
            ];
            // Two encoders: Varco's own and the test support's byte-by-byte one (as a browser does it).
            const bytes = ownEncoder ? Buffer.from(encodeForm(signed, charset), 'ascii') : formBytes(signed, charset);
            const decoded = decodeForm(bytes, charset);
            assert.ok(decoded.ok, JSON.stringify(decoded));
            const result = verifyShaIn(decoded.form.pairs, secret, decoded.form.values.get('SHASIGN'), { alg, method: 'each-parameter', encoding });
            assert.ok(result.ok, `refused: ${JSON.stringify(result)}`);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe('SHA-IN verification invariants', () => {
  const opts = { alg: 'sha256', method: 'each-parameter', encoding: 'utf8' } as const;

  it('hex case does not matter; changing any one hex digit does', () => {
    fc.assert(
      fc.property(orderPairs('utf8'), passphrase, fc.nat(), (pairs, secret, at) => {
        const digest = signShaIn(pairs, secret, opts);
        assert.ok(verifyShaIn(pairs, secret, digest.toLowerCase(), opts).ok);
        const i = at % digest.length;
        const flipped = `${digest.slice(0, i)}${digest[i] === '0' ? '1' : '0'}${digest.slice(i + 1)}`;
        const result = verifyShaIn(pairs, secret, flipped, opts);
        assert.ok(!result.ok && result.reason === 'mismatch');
      }),
      { numRuns: RUNS },
    );
  });

  it('the case of parameter names does not change the signature', () => {
    fc.assert(
      fc.property(orderPairs('utf8'), passphrase, fc.constantFrom(...ALGS), (pairs, secret, alg) => {
        const upper = pairs.map(([n, v]): [string, string] => [n.toUpperCase(), v]);
        const lower = pairs.map(([n, v]): [string, string] => [n.toLowerCase(), v]);
        assert.equal(signShaIn(lower, secret, { ...opts, alg }), signShaIn(upper, secret, { ...opts, alg }));
      }),
      { numRuns: RUNS },
    );
  });

  it('a listed name sent twice (in any case) is refused by the decoder and by verification, never half-read', () => {
    fc.assert(
      fc.property(orderPairs('utf8'), passphrase, fc.nat(), text('utf8'), (pairs, secret, at, other) => {
        const [name, value] = pairs[at % pairs.length] ?? ['ORDERID', '1'];
        const doubled: ShaParams = [...pairs, [name.toLowerCase() === name ? name.toUpperCase() : name.toLowerCase(), other]];
        const result = verifyShaIn(doubled, secret, signShaIn(pairs, secret, opts), opts);
        assert.ok(!result.ok && result.reason === 'duplicate', JSON.stringify(result));
        const decoded = decodeForm(Buffer.from(encodeForm([...doubled, ['X', value]], 'utf8'), 'ascii'), 'utf8');
        assert.ok(!decoded.ok && decoded.problem.code === 'duplicate');
      }),
      { numRuns: RUNS },
    );
  });

  it('any parameters and any digest give an answer, never an exception', () => {
    const anyPairs = fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 40 })), { maxLength: 20 });
    const anyDigest = fc.option(fc.oneof(fc.string({ maxLength: 140 }), fc.stringMatching(/^[0-9a-fA-F]{0,140}$/)), { nil: undefined });
    fc.assert(
      fc.property(
        anyPairs,
        passphrase,
        anyDigest,
        fc.constantFrom(...ALGS),
        fc.constantFrom('each-parameter', 'main-parameters'),
        (pairs, secret, digest, alg, method) => {
          const result = verifyShaIn(pairs, secret, digest, { alg, method, encoding: 'latin1' });
          assert.equal(typeof result.ok, 'boolean');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the debugger\u2019s string never contains the passphrase when no value does', () => {
    fc.assert(
      fc.property(orderPairs('utf8'), passphrase, fc.constantFrom('each-parameter', 'main-parameters'), (pairs, secret, method) => {
        fc.pre(pairs.every(([, v]) => !v.includes(secret)));
        const masked = maskedShaString(pairs, { list: 'in', method });
        assert.equal(masked.includes(secret), false);
        const result = verifyShaIn(pairs, secret, 'AB', { alg: 'sha1', method, encoding: 'utf8' });
        assert.ok(!result.ok);
        for (const candidate of result.candidates) assert.equal(candidate.masked.includes(secret), false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('legacy "main parameters only" hashing', () => {
  const legacyPairs = fc
    .tuple(...LEGACY_SHA_IN_FIELDS.map(() => fc.stringMatching(/^[A-Za-z0-9]{1,10}$/)))
    .map((values) => LEGACY_SHA_IN_FIELDS.map((n, i): [string, string] => [n, values[i] ?? '']));
  const opts = { alg: 'sha1', method: 'main-parameters', encoding: 'utf8' } as const;

  it('round-trips, ignores other listed parameters, and notices a change to any main parameter', () => {
    fc.assert(
      fc.property(legacyPairs, passphrase, fc.nat(), fc.stringMatching(/^[a-z]{1,8}$/), (pairs, secret, at, extra) => {
        const digest = signShaIn(pairs, secret, opts);
        assert.ok(verifyShaIn([...pairs, ['COM', extra], ['CN', extra]], secret, digest, opts).ok);
        const i = at % pairs.length;
        const changed = pairs.map(([n, v], j): [string, string] => [n, j === i ? `${v}${extra}` : v]);
        assert.equal(verifyShaIn(changed, secret, digest, opts).ok, false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('form decoding under tight limits', () => {
  it('any bytes under any limits decode within the limits or name the problem', () => {
    const limits = fc.record({
      maxBytes: fc.integer({ min: 1, max: 300 }),
      maxParameters: fc.integer({ min: 1, max: 10 }),
      maxNameLength: fc.integer({ min: 1, max: 12 }),
      maxValueLength: fc.integer({ min: 0, max: 40 }),
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), limits, fc.constantFrom(...CHARSETS), (bytes, lim, charset) => {
        const result = decodeForm(bytes, charset, lim);
        if (!result.ok) return;
        assert.ok(bytes.length <= lim.maxBytes && result.form.pairs.length <= lim.maxParameters);
        for (const [n, v] of result.form.pairs) {
          assert.ok(n.length <= lim.maxNameLength && v.length <= lim.maxValueLength && !n.includes('\u0000') && !v.includes('\u0000'));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
