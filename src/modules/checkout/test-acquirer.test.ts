import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectBrand, luhnValid } from './card.ts';
import { TEST_CARDS, testCardBehaviour } from './test-acquirer.ts';

// The twin's answers, kept in PostgreSQL, are tested against a real database in test/ecommerce/test-acquirer.test.ts.

describe('test card table', () => {
  it('every card passes the card form with the brand it claims', () => {
    for (const c of TEST_CARDS) {
      assert.ok(luhnValid(c.number), c.number);
      assert.equal(detectBrand(c.number), c.brand, c.number);
    }
    assert.equal(new Set(TEST_CARDS.map((c) => c.number)).size, TEST_CARDS.length);
  });

  it('covers every behaviour and the two cards the issue names', () => {
    assert.equal(testCardBehaviour('4111111111111111'), 'authorised');
    assert.equal(testCardBehaviour('4000000000000002'), 'challenge');
    for (const b of ['refused', 'uncertain', 'technical_error'] as const)
      assert.ok(
        TEST_CARDS.some((c) => c.behaviour === b),
        b,
      );
    assert.equal(testCardBehaviour('4242424242424242'), 'authorised');
  });

  it('docs/test-cards.md lists exactly these cards', () => {
    const doc = readFileSync(new URL('../../../docs/test-cards.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `([0-9]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2]?.trim().replace(/ \(.*\)$/, '')]);
    assert.deepEqual(
      documented,
      TEST_CARDS.map((c) => [c.number, c.brand]),
    );
  });
});
