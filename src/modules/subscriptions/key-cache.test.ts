import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKeyCache, type AuthContext } from './key-cache.ts';

// The verdict cache: bounded on both sides, and an invalidation drops a subscription's entries.

const context = (subscriptionId: string, keyHash: string): AuthContext => ({
  keyId: `key_${keyHash}`,
  keyHash,
  slot: 'primary',
  subscriptionId,
  subscriptionName: 'n',
  organisationId: 'org_1',
  organisationName: 'o',
  productId: 'prd_node',
  productCode: 'node',
  productName: 'Node connection',
  environment: 'test',
  routeGroups: ['ping'],
  rateLimitPerMinute: 600,
  validUntil: null,
});

test('valid and unknown keys are bounded separately: a flood of unknown keys does not evict a known one', () => {
  const cache = createKeyCache({ maxValid: 2, maxInvalid: 3 });
  cache.set('a', { kind: 'valid', context: context('sub_1', 'a'), storedAt: 0 });
  for (let i = 0; i < 1000; i++) cache.set(`unknown${i}`, { kind: 'invalid', subscriptionId: null, storedAt: 0 });
  assert.deepEqual(cache.size, { valid: 1, invalid: 3 });
  assert.equal(cache.get('a')?.kind, 'valid');
  assert.equal(cache.get('unknown0'), undefined);
  assert.equal(cache.get('unknown999')?.kind, 'invalid');
});

test('the least recently used entry is evicted first', () => {
  const cache = createKeyCache({ maxValid: 2, maxInvalid: 2 });
  cache.set('a', { kind: 'valid', context: context('sub_1', 'a'), storedAt: 0 });
  cache.set('b', { kind: 'valid', context: context('sub_2', 'b'), storedAt: 0 });
  cache.get('a');
  cache.set('c', { kind: 'valid', context: context('sub_3', 'c'), storedAt: 0 });
  assert.ok(cache.get('a'));
  assert.equal(cache.get('b'), undefined);
  // The evicted entry left no trace in the subscription index either.
  cache.invalidateSubscription('sub_2');
  assert.deepEqual(cache.size, { valid: 2, invalid: 0 });
});

test('a large cache is LRU within a quarter of its capacity: the 3/4 of its capacity most recently used are never evicted', () => {
  const capacity = 40;
  const cache = createKeyCache({ maxValid: capacity, maxInvalid: 1 });
  // The exact LRU order the cache approximates, most recent last.
  const recency: string[] = [];
  const touched = (hash: string): void => {
    const at = recency.indexOf(hash);
    if (at !== -1) recency.splice(at, 1);
    recency.push(hash);
  };
  const put = (hash: string): void => {
    cache.set(hash, { kind: 'valid', context: context(`sub_${hash}`, hash), storedAt: 0 });
    touched(hash);
  };
  const get = (hash: string): boolean => {
    const found = cache.get(hash) !== undefined;
    if (found) touched(hash);
    return found;
  };
  for (let i = 0; i < capacity; i++) put(`k${i}`);
  let seed = 7;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  let next = capacity;
  for (let step = 1; step <= 5000; step++) {
    if (random(3) === 0) put(`k${next++}`);
    else get(`k${next - 1 - random(capacity + 10)}`);
    if (step % 25 === 0) {
      // Checking is using: each probe counts as a use in the exact order too.
      const mustStay = recency.slice(-(capacity * 3) / 4);
      for (const hash of mustStay) assert.ok(get(hash), `${hash} was evicted while among the ${(capacity * 3) / 4} most recently used`);
    }
  }
  // Far more keys were inserted than fit: the bound held while evicting.
  assert.ok(next > capacity * 10);
  assert.equal(cache.size.valid, capacity);
});

test('invalidating a subscription drops its valid and invalid entries, and only those', () => {
  const cache = createKeyCache({ maxValid: 10, maxInvalid: 10 });
  cache.set('p', { kind: 'valid', context: context('sub_1', 'p'), storedAt: 0 });
  cache.set('s', { kind: 'invalid', subscriptionId: 'sub_1', storedAt: 0 });
  cache.set('x', { kind: 'valid', context: context('sub_2', 'x'), storedAt: 0 });
  cache.invalidateSubscription('sub_1');
  assert.equal(cache.get('p'), undefined);
  assert.equal(cache.get('s'), undefined);
  assert.ok(cache.get('x'));
  cache.clear();
  assert.deepEqual(cache.size, { valid: 0, invalid: 0 });
});

test('an entry that changes from invalid to valid lives in one side only', () => {
  const cache = createKeyCache({ maxValid: 10, maxInvalid: 10 });
  cache.set('k', { kind: 'invalid', subscriptionId: 'sub_1', storedAt: 0 });
  cache.set('k', { kind: 'valid', context: context('sub_1', 'k'), storedAt: 1 });
  assert.deepEqual(cache.size, { valid: 1, invalid: 0 });
});
