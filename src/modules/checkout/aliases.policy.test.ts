import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALIAS_MAX, aliasNameProblem, generatedAliasName, namedByPlatform } from './aliases.policy.ts';

describe('alias names', () => {
  it('accept identifiers up to 50 characters', () => {
    for (const name of ['CUST-42', 'a', 'shop_1.user@example.com', 'x:y+z', 'A'.repeat(ALIAS_MAX)]) assert.equal(aliasNameProblem(name), undefined, name);
  });

  it('refuse a card number, separated or not, before anything else', () => {
    for (const name of ['4111111111111111', 'card-4111-1111-1111-1111', '5399 9999 9999 9999', `${'A'.repeat(50)}4111111111111111`])
      assert.equal(aliasNameProblem(name), 'card_number', name);
    // Fewer than 13 digits in a row is never a card number (a customer number may be digits).
    assert.equal(aliasNameProblem('CUST-123456789012'), undefined);
  });

  it('refuse other characters and longer names', () => {
    assert.equal(aliasNameProblem('two words'), 'invalid');
    assert.equal(aliasNameProblem('naïve'), 'invalid');
    assert.equal(aliasNameProblem('<script>'), 'invalid');
    assert.equal(aliasNameProblem('A'.repeat(ALIAS_MAX + 1)), 'too_long');
  });

  it('BYPSP (or BYOGONE) asks Varco for a name: 32 hexadecimal digits, a new one each time', () => {
    assert.ok(namedByPlatform('BYPSP') && namedByPlatform(' byogone ') && !namedByPlatform('BYMERCHANT') && !namedByPlatform(undefined));
    const a = generatedAliasName();
    assert.match(a, /^[0-9A-F]{32}$/);
    assert.notEqual(a, generatedAliasName());
    assert.equal(aliasNameProblem(a), undefined);
  });
});
