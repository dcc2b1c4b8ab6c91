import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DuplicateShaParameterError,
  SHA_IN_LIST,
  SHA_PASSPHRASE_MASK,
  SORT_ORDERS,
  composeShaString,
  isShaInParam,
  maskedShaInCandidates,
  maskedShaString,
  normalizeParamName,
  signShaIn,
  verifyShaIn,
} from './index.ts';
import type { HashingMethod, ShaAlgorithm, ShaCandidate, ShaEncoding, ShaParams } from './index.ts';

const ALGS: readonly ShaAlgorithm[] = ['sha1', 'sha256', 'sha512'];
const ENCODINGS: readonly ShaEncoding[] = ['utf8', 'latin1'];
const RUNS = 40;

const exactNames = [...SHA_IN_LIST.exact];
const familyPrefixes = [...SHA_IN_LIST.familyPrefixes];

/** Any listed SHA-IN name, family members with indices that straddle 9/10, in random case. */
const listedName = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...exactNames),
      fc.tuple(fc.constantFrom(...familyPrefixes), fc.integer({ min: 1, max: 120 })).map(([p, n]) => `${p}${n}`),
      // Names where the sort orders disagree, so every order is actually exercised.
      fc.constantFrom(
        'ITEM_COUNT',
        'OR_ORDERID',
        'ORDERID',
        'ORIG',
        'SUB_AM',
        'SUBSCRIPTION_ID',
        'REF_CUSTOMERID',
        'REFER',
        'ITEMNAME2',
        'ITEMNAME10',
        'ITEMID9',
        'ITEMID11',
        'AMOUNT3',
        'AMOUNT20',
      ),
    ),
    fc.boolean(),
  )
  .map(([name, lower]) => (lower ? name.toLowerCase() : name));

/**
 * Values the encoding can represent: in ISO-8859-1 mode characters above U+00FF all hash as '?'
 * (see encodeLatin1), so only Latin-1 text there keeps "a different value is a different hash".
 */
function textFor(encoding: ShaEncoding, minLength = 0): fc.Arbitrary<string> {
  const unit = encoding === 'utf8' ? 'binary' : fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c));
  return fc.string({ unit, minLength, maxLength: 12 });
}

function paramsFor(encoding: ShaEncoding): fc.Arbitrary<ShaParams> {
  const value = fc.oneof(fc.constant(''), fc.constant('0'), textFor(encoding));
  return fc.uniqueArray(fc.tuple(listedName, value), {
    selector: ([name]) => normalizeParamName(name),
    maxLength: 12,
  });
}

const unlistedName = fc
  .oneof(
    fc.constantFrom('SHASIGN', 'NCERRORPLUS', 'ITEMNAME', 'orderıd', 'PSPID1', 'x'),
    fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ_.0123456789abc'.split('')), minLength: 1, maxLength: 16 }),
  )
  .filter((name) => !isShaInParam(name));

for (const encoding of ENCODINGS) {
  for (const alg of ALGS) {
    const opts = { alg, method: 'each-parameter', encoding } as const;
    describe(`properties ${alg} ${encoding}`, () => {
      for (const order of SORT_ORDERS) {
        it(`sign (${order}) then verify round-trips`, () => {
          fc.assert(
            fc.property(paramsFor(encoding), textFor(encoding, 1), (params, passphrase) => {
              const digest = signShaIn(params, passphrase, { ...opts, order });
              const result = verifyShaIn(params, passphrase, digest, opts);
              assert.ok(result.ok);
              // Orders often coincide; whichever order is reported must compose the same string.
              const compose = (o: typeof order) => composeShaString(params, passphrase, { list: 'in', method: opts.method, order: o });
              assert.equal(compose(result.order), compose(order));
            }),
            { numRuns: RUNS },
          );
        });
      }

      it('changing any listed non-empty value breaks verification', () => {
        const withTarget = paramsFor(encoding).filter((ps) => ps.some(([, v]) => v !== ''));
        fc.assert(
          fc.property(
            withTarget,
            textFor(encoding, 1),
            fc.nat(),
            textFor(encoding),
            fc.constantFrom(...SORT_ORDERS),
            (params, passphrase, pick, replacement, order) => {
              const targets = params.flatMap(([, v], i) => (v !== '' ? [i] : []));
              const index = targets[pick % targets.length] ?? 0;
              const original = params[index]?.[1] ?? '';
              // A different value, possibly empty (which drops the parameter from the string).
              const changed = replacement === original ? `${original}x` : replacement;
              const tampered = params.map(([n, v], i): readonly [string, string] => [n, i === index ? changed : v]);
              const digest = signShaIn(params, passphrase, { ...opts, order });
              const result = verifyShaIn(tampered, passphrase, digest, opts);
              assert.ok(!result.ok && result.reason === 'mismatch');
            },
          ),
          { numRuns: RUNS },
        );
      });

      it('adding a non-listed parameter does not change the signature', () => {
        fc.assert(
          fc.property(
            paramsFor(encoding),
            textFor(encoding, 1),
            unlistedName,
            textFor(encoding),
            fc.nat(),
            fc.constantFrom(...SORT_ORDERS),
            (params, passphrase, name, value, at, order) => {
              const digest = signShaIn(params, passphrase, { ...opts, order });
              const position = at % (params.length + 1);
              const extended: ShaParams = [...params.slice(0, position), [name, value], ...params.slice(position)];
              assert.equal(signShaIn(extended, passphrase, { ...opts, order }), digest);
              assert.equal(verifyShaIn(extended, passphrase, digest, opts).ok, true);
            },
          ),
          { numRuns: RUNS },
        );
      });
    });
  }
}

describe('the signature debugger\u2019s candidates', () => {
  /** What it shows, spelled out: each order's masked string, an order giving an earlier one's string left out; none on a repeated name. */
  function expected(params: ShaParams, method: HashingMethod): ShaCandidate[] {
    const orders = method === 'main-parameters' ? (['ascii'] as const) : SORT_ORDERS;
    try {
      const all = orders.map((order) => ({ order, masked: maskedShaString(params, { list: 'in', method, order }) }));
      return all.filter((c, i) => all.findIndex((d) => d.masked === c.masked) === i);
    } catch (err) {
      if (err instanceof DuplicateShaParameterError) return [];
      throw err;
    }
  }
  // Sometimes a listed name twice (another case), which no string can be composed from.
  const maybeRepeated = fc.tuple(paramsFor('utf8'), fc.nat(), fc.boolean()).map(([ps, at, repeat]): ShaParams => {
    const first = ps[at % Math.max(1, ps.length)];
    return repeat && first ? [...ps, [first[0].toLowerCase(), 'again']] : ps;
  });

  // `#` is in no name and not in the mask, and the characters around it only in values: such a
  // passphrase can show in a string only from inside one value.
  const passphrase = fc.tuple(fc.stringMatching(/^[A-Za-z0-9!?.-]{8,24}$/), fc.nat()).map(([p, n]) => `${p}#${n}`);

  for (const method of ['each-parameter', 'main-parameters'] as const) {
    it(`${method}: one per distinct masked string, in SORT_ORDERS order, never the passphrase`, () => {
      fc.assert(
        fc.property(maybeRepeated, passphrase, (params, secret) => {
          const candidates = maskedShaInCandidates(params, method);
          assert.deepEqual(candidates, expected(params, method));
          for (const c of candidates) {
            assert.ok(c.masked === '' || c.masked.endsWith(SHA_PASSPHRASE_MASK));
            if (!params.some(([, v]) => v.includes(secret))) assert.equal(c.masked.includes(secret), false);
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});
