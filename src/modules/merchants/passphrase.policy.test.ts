import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PASSPHRASE_FORBIDDEN, checkPassphrase, generatePassphrase } from './passphrase.policy.ts';

describe('checkPassphrase', () => {
  it('accepts the published example style and GUID-like passphrases', () => {
    for (const ok of ['Mysecretsig1875!?', 'abcdefghijklmnop1', 'AAAAbbbbCCCC-___', '0f8fad5b-d9cb-469f-a165-70867728950e']) {
      assert.equal(checkPassphrase(ok), undefined, ok);
    }
  });

  it('names the rule that is broken', () => {
    const cases: Array<[string, string]> = [
      ['Short1!', 'too_short'],
      ['abcdefghijklmno', 'too_short'],
      [`a1${'b'.repeat(127)}`, 'too_long'],
      ['abababababababab1', 'too_few_distinct'],
      ['aaaaaaaaaaaaaaa1', 'too_few_distinct'],
      ['1234567890123456', 'needs_letter'],
      ['----------------++++', 'too_few_distinct'],
      ['-=+*-=+*-=+*-=+*', 'needs_letter'],
      ['abcdefghijklmnopq', 'needs_digit_or_symbol'],
      ['Abcdefghijklmnopq', 'needs_digit_or_symbol'],
      ['Mysecretsig1875 !', 'invalid_character'],
      ['Mysecretsig1875é!', 'invalid_character'],
      ['Mysecretsig1875\t!', 'invalid_character'],
    ];
    // "abab…1" has three distinct characters (a, b, 1): still too few.
    for (const [input, problem] of cases) assert.equal(checkPassphrase(input), problem, input);
  });

  it('rejects each forbidden character', () => {
    for (const ch of PASSPHRASE_FORBIDDEN) assert.equal(checkPassphrase(`Mysecretsig1875${ch}x`), 'forbidden_character', ch);
    assert.deepEqual([...PASSPHRASE_FORBIDDEN].join(''), '^{}[]"\'|<>');
  });
});

describe('generatePassphrase', () => {
  it('always produces a compliant passphrase of the asked length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 128 }), (n) => {
        const p = generatePassphrase(n);
        assert.equal(p.length, n);
        assert.equal(checkPassphrase(p), undefined, p);
      }),
      { numRuns: 200 },
    );
    assert.equal(generatePassphrase().length, 32);
  });

  it('is random', () => {
    const seen = new Set(Array.from({ length: 100 }, () => generatePassphrase(16)));
    assert.equal(seen.size, 100);
  });

  it('refuses lengths the policy would reject', () => {
    for (const n of [15, 129, 20.5, Number.NaN]) assert.throws(() => generatePassphrase(n), RangeError, String(n));
  });
});
