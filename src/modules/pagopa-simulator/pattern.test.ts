import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstMatch, matchesPattern, normalisePattern, parsePattern, patternCovers, shadowedBy } from './pattern.ts';

// Notice-number patterns: exact 18 digits or a digit prefix ending in `*`; first match wins.

const digits = (min: number, max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const notice = digits(18, 18);
const pattern = fc.oneof(
  notice,
  digits(0, 17).map((d) => `${d}*`),
);

test('accepts exactly an 18-digit number or up to 17 digits and a star; spaces between groups are dropped', () => {
  for (const ok of ['302000100000009424', '3020*', '*', '30200010000000942*', '3020 0010 0000 0094 24']) assert.ok(normalisePattern(ok), ok);
  assert.equal(normalisePattern(' 3020 * '), '3020*');
  for (const bad of ['', '30200010000000942', '3020000100000009424', '3020*1', '**', '302000100000009424*', 'abc*', '3020?', '+3020*', '３０２０*']) {
    assert.equal(normalisePattern(bad), undefined, bad);
  }
});

test('an exact pattern matches only its notice, a prefix every notice starting with its digits', () => {
  fc.assert(
    fc.property(pattern, notice, (p, n) => {
      const parsed = parsePattern(p);
      assert.ok(parsed);
      const expected = parsed.kind === 'exact' ? n === p : n.startsWith(p.slice(0, -1));
      assert.equal(matchesPattern(p, n), expected);
    }),
  );
  assert.ok(matchesPattern('*', '999999999999999999'));
  assert.ok(!matchesPattern('not a pattern', '302000100000009424'));
});

test('first match wins, in the order given', () => {
  fc.assert(
    fc.property(fc.array(pattern, { maxLength: 8 }), notice, (list, n) => {
      const i = firstMatch(list, n);
      if (i === -1) assert.ok(list.every((p) => !matchesPattern(p, n)));
      else {
        assert.ok(matchesPattern(list[i]!, n));
        assert.ok(list.slice(0, i).every((p) => !matchesPattern(p, n)));
      }
    }),
  );
  assert.equal(firstMatch(['3*', '30*', '*'], '302000100000009424'), 0);
  assert.equal(firstMatch(['4*', '30*', '*'], '302000100000009424'), 1);
});

test('covers is exact: every notice of the later pattern is matched by the earlier, and otherwise a witness exists', () => {
  fc.assert(
    fc.property(pattern, pattern, notice, (a, b, n) => {
      if (patternCovers(a, b) && matchesPattern(b, n)) assert.ok(matchesPattern(a, n));
      if (!patternCovers(a, b)) {
        const stem = b.endsWith('*') ? b.slice(0, -1) : b;
        const witnesses = ['0', '1'].map((pad) => stem.padEnd(18, pad));
        assert.ok(
          witnesses.some((w) => matchesPattern(b, w) && !matchesPattern(a, w)),
          `${a} vs ${b}`,
        );
      }
    }),
  );
});

test('shadowedBy names the earlier scenario that hides a later one', () => {
  assert.deepEqual(shadowedBy(['30*', '302000100000009424', '4*', '302*', '*', '5*']), [undefined, 0, undefined, 0, undefined, 4]);
});
