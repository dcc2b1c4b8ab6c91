import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkKeyFormat, generateKey, hashKey, KEY_LENGTH, maskKey } from './keys.ts';

// The key format: environment prefix, 256 random bits, a checksum that catches typos offline.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

test('a generated key names its environment, has the fixed length and passes its own checksum', () => {
  for (const env of ['test', 'prod'] as const) {
    const { key, prefix, last4 } = generateKey(env);
    assert.match(key, new RegExp(`^vk_${env}_[0-9A-Za-z]{49}$`));
    assert.equal(key.length, KEY_LENGTH);
    assert.equal(prefix, `vk_${env}_`);
    assert.equal(last4, key.slice(-4));
    assert.equal(checkKeyFormat(key), env);
  }
});

test('the stored hash is the SHA-256 of the whole key, and differs from the key', () => {
  const generated = generateKey('test');
  assert.equal(generated.hash, createHash('sha256').update(generated.key).digest('hex'));
  assert.equal(hashKey(generated.key), generated.hash);
  assert.equal(generated.hash.includes(generated.key.slice(8, 20)), false);
});

test('keys are unique and their bodies use the whole alphabet (no visible bias or repetition)', () => {
  const keys = new Set<string>();
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const { key } = generateKey('prod');
    keys.add(key);
    for (const c of key.slice(8, 8 + 43)) seen.add(c);
  }
  assert.equal(keys.size, 2000);
  assert.equal(seen.size, 62);
});

test('every single-character change and every swap of neighbours is rejected by the checksum', () => {
  const { key } = generateKey('test');
  const start = 'vk_test_'.length;
  for (let i = start; i < key.length; i++) {
    for (const c of ALPHABET) {
      if (c === key[i]) continue;
      const typo = key.slice(0, i) + c + key.slice(i + 1);
      assert.equal(checkKeyFormat(typo), undefined, `substitution at ${i}`);
    }
    if (i + 1 < key.length && key[i] !== key[i + 1]) {
      const swapped = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
      assert.equal(checkKeyFormat(swapped), undefined, `swap at ${i}`);
    }
  }
});

test('malformed keys are rejected without a lookup: truncated, extended, wrong prefix, other characters', () => {
  const { key } = generateKey('prod');
  const bad = [
    '',
    'vk_prod_',
    key.slice(0, -1),
    `${key}A`,
    key.replace('vk_prod_', 'vk_test_'),
    key.replace('vk_prod_', 'vk_live_'),
    key.replace('vk_', 'VK_'),
    `${key.slice(0, 20)}-${key.slice(21)}`,
    ` ${key.slice(1)}`,
    'a'.repeat(KEY_LENGTH),
    key.toLowerCase(),
  ];
  for (const value of bad) {
    if (value === key) continue;
    assert.equal(checkKeyFormat(value), undefined, JSON.stringify(value));
  }
});

test('a stored key is shown as prefix and last four characters only', () => {
  assert.equal(maskKey('vk_test_', 'Ab12'), 'vk_test_…Ab12');
});
