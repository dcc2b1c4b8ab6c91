import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DuplicateShaParameterError,
  SHA_IN_LIST,
  SHA_OUT_LIST,
  SHA_PASSPHRASE_MASK,
  composeShaString,
  isShaInParam,
  isShaOutParam,
  maskedShaString,
  shaDigest,
  signShaIn,
  signShaOut,
  verifyShaIn,
} from './index.ts';
import type { ShaAlgorithm, ShaOptions, ShaParams, SortOrder } from './index.ts';
import { compareFor } from './sort-order.ts';
import { SHA_VECTORS } from './sha.vectors.ts';

const EACH: ShaOptions = { alg: 'sha1', method: 'each-parameter', encoding: 'utf8' };
const ALGS: readonly ShaAlgorithm[] = ['sha1', 'sha256', 'sha512'];

/** Flips the last hex digit: same length, different digest. */
function corrupt(hex: string): string {
  return hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
}

describe('published vectors', () => {
  for (const v of SHA_VECTORS) {
    it(`${v.id}: composed string (${v.source})`, () => {
      assert.equal(composeShaString(v.params, v.passphrase, { list: v.list, method: v.method }), v.composed);
    });
    for (const alg of ALGS) {
      const expected = v.digests[alg];
      if (expected === undefined) continue;
      const label = `${v.id} ${alg}${expected.derived ? ' (derived)' : ''}`;
      it(`${label}: digest, in both encodings (the input is ASCII)`, () => {
        for (const encoding of ['utf8', 'latin1'] as const) {
          assert.equal(shaDigest(v.composed, alg, encoding), expected.hex);
          const opts = { alg, method: v.method, encoding };
          const signed = v.list === 'out' ? signShaOut(v.params, v.passphrase, opts) : signShaIn(v.params, v.passphrase, opts);
          assert.equal(signed, expected.hex);
        }
      });
      if (v.list === 'in') {
        it(`${label}: verifies in upper and lower case, fails when corrupted`, () => {
          const opts = { alg, method: v.method, encoding: 'utf8' as const };
          assert.deepEqual(verifyShaIn(v.params, v.passphrase, expected.hex, opts), { ok: true, order: 'ascii' });
          assert.equal(verifyShaIn(v.params, v.passphrase, expected.hex.toLowerCase(), opts).ok, true);
          assert.equal(verifyShaIn(v.params, v.passphrase, corrupt(expected.hex), opts).ok, false);
        });
      }
    }
  }
  it('A1 SHA-512 starts with the prefix b2u.eu publishes', () => {
    assert.ok(SHA_VECTORS[0]?.digests.sha512?.hex.startsWith('D1CFE8833A297D0922E908B2B44934B0'));
  });
});

describe('sort orders', () => {
  const P = 'Secret-passphrase-42';
  // ITEM_COUNT moves with the underscore rule, ITEMNAME10 with the numeric rule.
  const params: ShaParams = [
    ['ITEMNAME10', 'ten'],
    ['ITEMNAME2', 'two'],
    ['ITEM_COUNT', '2'],
    ['ITEMID1', 'a'],
  ];
  const expected: Record<SortOrder, string[]> = {
    ascii: ['ITEMID1=a', 'ITEMNAME10=ten', 'ITEMNAME2=two', 'ITEM_COUNT=2'],
    'underscore-first': ['ITEM_COUNT=2', 'ITEMID1=a', 'ITEMNAME10=ten', 'ITEMNAME2=two'],
    natural: ['ITEMID1=a', 'ITEMNAME2=two', 'ITEMNAME10=ten', 'ITEM_COUNT=2'],
  };
  for (const order of Object.keys(expected) as SortOrder[]) {
    it(`${order}: composes, signs and verifies as ${order}`, () => {
      const pairs = expected[order];
      assert.equal(composeShaString(params, P, { list: 'in', method: 'each-parameter', order }), pairs.map((p) => p + P).join(''));
      for (const alg of ALGS) {
        const opts = { alg, method: 'each-parameter', encoding: 'utf8' } as const;
        const digest = signShaIn(params, P, { ...opts, order });
        assert.deepEqual(verifyShaIn(params, P, digest, opts), { ok: true, order });
        const bad = verifyShaIn(params, P, corrupt(digest), opts);
        assert.equal(bad.ok, false);
        assert.equal(bad.ok === false && bad.reason, 'mismatch');
      }
    });
  }
  it('two orders that agree share a string, and the third still verifies as itself (issue 15)', () => {
    // Single digits: ascii and natural sort alike; ITEM_COUNT moves only under underscore-first.
    const two: ShaParams = [
      ['ITEMNAME1', 'n'],
      ['ITEM_COUNT', '2'],
      ['ITEMID1', 'a'],
    ];
    const compose = (order: SortOrder) => composeShaString(two, P, { list: 'in', method: 'each-parameter', order });
    assert.equal(compose('ascii'), compose('natural'));
    assert.notEqual(compose('ascii'), compose('underscore-first'));
    for (const alg of ALGS) {
      const opts = { alg, method: 'each-parameter', encoding: 'utf8' } as const;
      // The first matching order in SORT_ORDERS is reported: natural's digest is ascii's.
      assert.deepEqual(verifyShaIn(two, P, signShaIn(two, P, { ...opts, order: 'natural' }), opts), { ok: true, order: 'ascii' });
      assert.deepEqual(verifyShaIn(two, P, signShaIn(two, P, { ...opts, order: 'underscore-first' }), opts), { ok: true, order: 'underscore-first' });
    }
    const refused = verifyShaIn(two, P, '00', EACH);
    assert.ok(!refused.ok);
    assert.deepEqual(
      refused.candidates.map((c) => [c.order, c.masked]),
      (['ascii', 'underscore-first', 'natural'] as const).map((order) => [order, maskedShaString(two, { list: 'in', method: 'each-parameter', order })]),
    );
  });

  it('mismatch reports one masked candidate per order', () => {
    const r = verifyShaIn(params, P, '00', EACH);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.candidates.map((c) => c.order),
      ['ascii', 'underscore-first', 'natural'],
    );
    assert.equal(new Set(r.candidates.map((c) => c.masked)).size, 3);
    for (const c of r.candidates) assert.ok(!c.masked.includes(P) && c.masked.includes(SHA_PASSPHRASE_MASK));
  });
  it('SHA-OUT: SCORING before SCO_CATEGORY in ascii, after it underscore-first', () => {
    const out: ShaParams = [
      ['SCORING', '1'],
      ['SCO_CATEGORY', 'G'],
    ];
    assert.equal(composeShaString(out, 'p', { list: 'out', method: 'each-parameter', order: 'ascii' }), 'SCORING=1pSCO_CATEGORY=Gp');
    assert.equal(composeShaString(out, 'p', { list: 'out', method: 'each-parameter', order: 'underscore-first' }), 'SCO_CATEGORY=GpSCORING=1p');
  });
  it('underscore-first equals ICU root collation over every listed name', () => {
    const collator = new Intl.Collator('und');
    for (const list of [SHA_IN_LIST, SHA_OUT_LIST]) {
      const names = list.official.map((n) => n.replace('*XX*', '12'));
      assert.deepEqual([...names].sort(compareFor('underscore-first')), [...names].sort(collator.compare));
    }
  });
  it('natural is a total order (leading zeros) and compares digit runs by value', () => {
    const natural = compareFor('natural');
    assert.ok(natural('ITEMNAME9', 'ITEMNAME10') < 0);
    assert.ok(natural('ITEMNAME01', 'ITEMNAME1') < 0 && natural('ITEMNAME1', 'ITEMNAME01') > 0);
    assert.ok(natural('AMOUNT1', 'AMOUNTHTVA') < 0 && natural('AMOUNT', 'AMOUNT1') < 0);
    assert.ok(natural(`ITEMID${'9'.repeat(30)}`, `ITEMID1${'0'.repeat(30)}`) < 0);
  });
});

describe('composition rules', () => {
  const compose = (params: ShaParams, list: 'in' | 'out' = 'in') => composeShaString(params, 'P', { list, method: 'each-parameter' });
  it('skips empty values, keeps "0" and whitespace exactly', () => {
    assert.equal(
      compose([
        ['AMOUNT', '0'],
        ['CURRENCY', ''],
        ['COM', ' a b '],
      ]),
      'AMOUNT=0PCOM= a b P',
    );
  });
  it('ignores non-listed parameters, including SHASIGN itself', () => {
    assert.equal(
      compose([
        ['PSPID', 'x'],
        ['SHASIGN', 'AB'],
        ['FOO', 'bar'],
        ['ITEMNAME', 'no index'],
      ]),
      'PSPID=xP',
    );
    assert.equal(
      compose(
        [
          ['NCERRORPLUS', '!'],
          ['NCERROR', '5'],
        ],
        'out',
      ),
      'NCERROR=5P',
    );
  });
  it('upper-cases names but never values', () => {
    assert.equal(
      compose([
        ['orderId', 'aBc'],
        ['Pspid', 'MyPSPID'],
      ]),
      'ORDERID=aBcPPSPID=MyPSPIDP',
    );
    const lower: ShaParams = [
      ['amount', '1500'],
      ['currency', 'EUR'],
      ['language', 'en_US'],
      ['orderid', '1234'],
      ['pspid', 'MyPSPID'],
    ];
    assert.equal(signShaIn(lower, 'Mysecretsig1875!?', EACH), 'F4CC376CD7A834D997B91598FA747825A238BE0A');
  });
  it('folds ASCII letters only: a dotless ı does not make ORDERID', () => {
    assert.equal(
      compose([
        ['orderıd', 'x'],
        ['PSPID', 'y'],
      ]),
      'PSPID=yP',
    );
  });
  it('rejects a listed name given twice, in any case, even if one copy is empty', () => {
    assert.throws(
      () =>
        compose([
          ['ORDERID', '1'],
          ['orderID', '2'],
        ]),
      DuplicateShaParameterError,
    );
    assert.throws(
      () =>
        compose(
          [
            ['BRAND', ''],
            ['brand', 'VISA'],
          ],
          'out',
        ),
      DuplicateShaParameterError,
    );
    assert.throws(
      () =>
        signShaOut(
          [
            ['PM', 'a'],
            ['pm', 'a'],
          ],
          'p',
          EACH,
        ),
      DuplicateShaParameterError,
    );
    assert.deepEqual(
      verifyShaIn(
        [
          ['AMOUNT', '1'],
          ['amount', '2'],
        ],
        'p',
        'AB',
        EACH,
      ),
      { ok: false, reason: 'duplicate', param: 'AMOUNT', candidates: [] },
    );
    assert.equal(
      compose([
        ['FOO', '1'],
        ['foo', '2'],
        ['PSPID', 'x'],
      ]),
      'PSPID=xP',
    );
  });
  it('masked string equals the composed one with the mask as passphrase', () => {
    const params: ShaParams = [
      ['PSPID', 'secret'],
      ['COM', 'secret'],
    ];
    const masked = maskedShaString(params, { list: 'in', method: 'each-parameter' });
    assert.equal(masked, `COM=secret${SHA_PASSPHRASE_MASK}PSPID=secret${SHA_PASSPHRASE_MASK}`);
    assert.equal(maskedShaString(params, { list: 'in', method: 'main-parameters' }), `secret${SHA_PASSPHRASE_MASK}`);
  });
  it('refuses an empty passphrase when signing or verifying', () => {
    assert.throws(() => signShaOut([['PM', 'x']], '', EACH), RangeError);
    assert.throws(() => verifyShaIn([['PM', 'x']], '', 'AB', EACH), RangeError);
  });
});

describe('verification edge cases', () => {
  const params: ShaParams = [
    ['PSPID', 'MyPSPID'],
    ['ORDERID', '1'],
    ['AMOUNT', '100'],
    ['CURRENCY', 'EUR'],
  ];
  const P = 'Passphrase-0123456789';
  const good = signShaIn(params, P, EACH);
  it('missing digest', () => {
    for (const given of [undefined, null, '']) {
      const r = verifyShaIn(params, P, given, EACH);
      assert.ok(!r.ok && r.reason === 'missing' && r.candidates.length === 3);
    }
  });
  it('non-hex, truncated, wrong-algorithm and padded digests are mismatches', () => {
    for (const given of [good.slice(0, -1), `${good}0`, ` ${good}`, good.replace(/.$/, 'G'), signShaIn(params, P, { ...EACH, alg: 'sha256' })]) {
      const r = verifyShaIn(params, P, given, EACH);
      assert.ok(!r.ok && r.reason === 'mismatch', given);
    }
  });
  it('mixed-case hex is accepted', () => {
    const mixed = [...good].map((c, i) => (i % 2 ? c.toLowerCase() : c)).join('');
    assert.equal(verifyShaIn(params, P, mixed, EACH).ok, true);
  });
  it('wrong passphrase fails', () => {
    assert.equal(verifyShaIn(params, `${P}x`, good, EACH).ok, false);
  });
});

describe('legacy "main parameters only" method', () => {
  const legacy = { alg: 'sha1', method: 'main-parameters', encoding: 'utf8' } as const;
  it('SHA-IN hashes ORDERID AMOUNT CURRENCY PSPID values, whatever else is sent and in any order', () => {
    const params: ShaParams = [
      ['pspid', 'MyPSPID'],
      ['COM', 'ignored'],
      ['currency', 'EUR'],
      ['Amount', '1500'],
      ['orderID', '1234'],
    ];
    const digest = signShaIn(params, 'Mysecretsig1875!?', legacy);
    assert.equal(digest, 'DC60B48E780C38137EB5B86CEC037427062B30CC');
    assert.deepEqual(verifyShaIn(params, 'Mysecretsig1875!?', digest, legacy), { ok: true, order: 'ascii' });
    assert.equal(verifyShaIn(params, 'Mysecretsig1875!?', digest, EACH).ok, false);
  });
  it('absent fields contribute nothing; duplicates of a legacy field are refused', () => {
    assert.equal(
      composeShaString(
        [
          ['ORDERID', 'o'],
          ['PSPID', 'p'],
        ],
        'K',
        { list: 'in', method: 'main-parameters' },
      ),
      'opK',
    );
    assert.throws(
      () =>
        composeShaString(
          [
            ['PM', 'a'],
            ['pm', 'b'],
          ],
          'K',
          { list: 'out', method: 'main-parameters' },
        ),
      DuplicateShaParameterError,
    );
  });
});

describe('character encoding', () => {
  const P = 'pass';
  const params: ShaParams = [['COM', 'Café']];
  const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'ascii') : Buffer.from(p))));
  const utf8Bytes = bytes('COM=Caf', [0xc3, 0xa9], P);
  const latin1Bytes = bytes('COM=Caf', [0xe9], P);
  for (const alg of ALGS) {
    it(`${alg}: Café hashes as C3 A9 in UTF-8 and E9 in ISO-8859-1`, () => {
      const u = createHash(alg).update(utf8Bytes).digest('hex').toUpperCase();
      const l = createHash(alg).update(latin1Bytes).digest('hex').toUpperCase();
      assert.notEqual(u, l);
      assert.equal(signShaIn(params, P, { alg, method: 'each-parameter', encoding: 'utf8' }), u);
      assert.equal(signShaIn(params, P, { alg, method: 'each-parameter', encoding: 'latin1' }), l);
      const opts = (encoding: 'utf8' | 'latin1') => ({ alg, method: 'each-parameter', encoding }) as const;
      assert.equal(verifyShaIn(params, P, u, opts('utf8')).ok, true);
      assert.equal(verifyShaIn(params, P, u, opts('latin1')).ok, false);
      assert.equal(verifyShaIn(params, P, l, opts('latin1')).ok, true);
      assert.equal(verifyShaIn(params, P, l, opts('utf8')).ok, false);
    });
  }
  it('values are not Unicode-normalized: decomposed é signs differently', () => {
    const nfd: ShaParams = [['COM', 'Café'.normalize('NFD')]];
    assert.notEqual(signShaIn(nfd, P, EACH), signShaIn(params, P, EACH));
  });
  it('ISO-8859-1: a character outside Latin-1 becomes one "?" instead of its low byte', () => {
    assert.equal(shaDigest('x€', 'sha1', 'latin1'), shaDigest('x?', 'sha1', 'latin1'));
    assert.equal(shaDigest('x\u{1F600}', 'sha1', 'latin1'), shaDigest('x?', 'sha1', 'latin1'));
    assert.notEqual(shaDigest('\u012C', 'sha1', 'latin1'), shaDigest(',', 'sha1', 'latin1'));
  });
});

describe('parameter lists', () => {
  const docs = (file: string) =>
    readFileSync(new URL(`../../../docs/reference/ogone/${file}`, import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  it('match the copies in docs/reference/ogone, in official order', () => {
    assert.deepEqual(SHA_IN_LIST.official, docs('shain-params.txt'));
    assert.deepEqual(SHA_OUT_LIST.official, docs('shaout-params.txt'));
    assert.equal(SHA_IN_LIST.official.length, 382);
    assert.equal(SHA_OUT_LIST.official.length, 65);
  });
  it('recognise exact names case-insensitively and numbered families by digits only', () => {
    for (const n of ['PSPID', 'orderID', 'ITEMNAME1', 'itemname10', 'AMOUNT7', 'AIDESTCITYL3', 'LINE_REF6', 'MPI.TRANSACTIONACTIVITYLASTYEAR', 'CAVV_3D']) {
      assert.ok(isShaInParam(n), n);
    }
    for (const n of ['SHASIGN', 'ITEMNAME', 'ITEMNAMEX', 'ITEMNAME1X', 'LINE_REF7', 'PSPID1', 'NCERROR', '', '12']) {
      assert.ok(!isShaInParam(n), n);
    }
    for (const n of ['SCO_CATEGORY', 'orderID', 'amount', 'NCERROR', 'TICKET']) assert.ok(isShaOutParam(n), n);
    for (const n of ['NCERRORPLUS', 'NCSTATUS', 'SHASIGN', 'PSPID', 'LANGUAGE']) assert.ok(!isShaOutParam(n), n);
  });
});
