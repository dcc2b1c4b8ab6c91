import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { SecretboxError, generateSecretboxKey, needsReseal, open, parseSecretboxKey, seal, sealedKeyId, secretboxKeyId } from './secretbox.ts';

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 9);

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SecretboxError, String(err));
    return err.reason;
  }
  return 'no error';
}

/** Flip one bit of the decoded payload at `index` and re-encode. */
function flip(sealed: string, index: number): string {
  const [v, kid, data] = sealed.split('.') as [string, string, string];
  const raw = Buffer.from(data, 'base64url');
  raw[index % raw.length] = (raw[index % raw.length] ?? 0) ^ 1;
  return `${v}.${kid}.${raw.toString('base64url')}`;
}

describe('secretbox', () => {
  it('round-trips any string, with and without aad', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 40 }), (text, aad) => {
        assert.equal(open(KEY, seal(KEY, text, aad), aad), text);
        assert.equal(open(KEY, seal(KEY, text)), text);
      }),
      { numRuns: 100 },
    );
  });

  it('is versioned, names its key, and is base64url after the header', () => {
    const sealed = seal(KEY, 'Mysecretsig1875!?');
    assert.match(sealed, /^sb1\.[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]+$/);
    assert.equal(sealedKeyId(sealed), secretboxKeyId(KEY));
    assert.notEqual(secretboxKeyId(KEY), secretboxKeyId(OTHER));
    assert.ok(!sealed.includes('Mysecret'));
  });

  it('uses a fresh IV per message: equal plaintexts seal differently', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(seal(KEY, 'same'));
    assert.equal(seen.size, 50);
  });

  it('is standard AES-256-GCM: iv ‖ ciphertext ‖ tag with the header in the AAD', () => {
    const sealed = seal(KEY, 'interop', 'ctx');
    const [, kid, data] = sealed.split('.') as [string, string, string];
    const raw = Buffer.from(data, 'base64url');
    const d = createDecipheriv('aes-256-gcm', KEY, raw.subarray(0, 12));
    d.setAAD(Buffer.from(`sb1.${kid}\u0000ctx`));
    d.setAuthTag(raw.subarray(raw.length - 16));
    assert.equal(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString(), 'interop');
  });

  it('detects tampering anywhere in iv, ciphertext or tag', () => {
    const sealed = seal(KEY, 'a passphrase of some length');
    const size = Buffer.from(sealed.split('.')[2] ?? '', 'base64url').length;
    for (let i = 0; i < size; i++)
      assert.equal(
        reason(() => open(KEY, flip(sealed, i))),
        'tampered',
        `byte ${i}`,
      );
  });

  it('binds the aad: a value moved to another field does not open', () => {
    const sealed = seal(KEY, 'secret', 'merchant:1:test:sha-in');
    assert.equal(
      reason(() => open(KEY, sealed, 'merchant:1:prod:sha-in')),
      'tampered',
    );
    assert.equal(
      reason(() => open(KEY, sealed)),
      'tampered',
    );
  });

  it('refuses a wrong or unknown key, and a header whose kid was swapped', () => {
    const sealed = seal(KEY, 'secret');
    assert.equal(
      reason(() => open(OTHER, sealed)),
      'unknown_key',
    );
    const swapped = sealed.replace(secretboxKeyId(KEY), secretboxKeyId(OTHER));
    assert.equal(
      reason(() => open([KEY, OTHER], swapped)),
      'tampered',
    );
  });

  it('rejects malformed input', () => {
    for (const bad of [
      '',
      'sb1',
      'sb2.AAAAAAAAAAA.AAAA',
      `sb1.${secretboxKeyId(KEY)}.`,
      `sb1.${secretboxKeyId(KEY)}.AAAA`,
      'sb1.short.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'plain text',
    ]) {
      assert.equal(
        reason(() => open(KEY, bad)),
        'malformed',
        bad,
      );
    }
  });

  it('supports rotation with a key ring', () => {
    const old = seal(OTHER, 'kept through rotation', 'x');
    assert.equal(open([KEY, OTHER], old, 'x'), 'kept through rotation');
    assert.equal(needsReseal(KEY, old), true);
    const fresh = seal(KEY, open([KEY, OTHER], old, 'x'), 'x');
    assert.equal(needsReseal(KEY, fresh), false);
    assert.equal(open(KEY, fresh, 'x'), 'kept through rotation');
  });

  it('accepts only 32-byte keys', () => {
    assert.throws(() => seal(Buffer.alloc(16), 'x'), RangeError);
    assert.throws(() => secretboxKeyId(Buffer.alloc(33)), RangeError);
    assert.equal(generateSecretboxKey().length, 32);
  });

  it('parses master keys from hex, base64 and base64url text', () => {
    const key = generateSecretboxKey();
    for (const text of [key.toString('hex'), key.toString('base64'), key.toString('base64url'), ` ${key.toString('hex').toUpperCase()}\n`]) {
      assert.deepEqual(parseSecretboxKey(text), key, text);
    }
    for (const bad of ['', 'abc', key.toString('hex').slice(2), Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64')]) {
      assert.equal(parseSecretboxKey(bad), undefined, bad);
    }
  });
});
