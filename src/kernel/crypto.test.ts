import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomPooled, randomToken } from './crypto.ts';

// The pooled CSPRNG (issue 15): one randomBytes() call per 4 KB instead of one per token or id.
describe('randomPooled', () => {
  it('hands out every byte once: views that never overlap, across refills', () => {
    const views: Buffer[] = [];
    // ~40 KB in draws of 10 and 33 bytes: several refills of the 4,096-byte pool, and draws that do not fit what is left.
    for (let i = 0; i < 3000; i++) views.push(randomPooled(i % 7 === 0 ? 33 : 10));
    const regions = new Map<ArrayBufferLike, Array<[number, number]>>();
    for (const v of views) {
      const list = regions.get(v.buffer) ?? [];
      for (const [from, to] of list) assert.ok(v.byteOffset >= to || v.byteOffset + v.length <= from, 'two draws share bytes');
      list.push([v.byteOffset, v.byteOffset + v.length]);
      regions.set(v.buffer, list);
    }
    assert.ok(regions.size >= 7, `${regions.size} pools for ~40 KB drawn`);
    // Random, not a constant: 3,000 draws of 80 bits or more are all different.
    assert.equal(new Set(views.map((v) => v.toString('hex'))).size, views.length);
  });

  it('refuses a count that is not a non-negative integer, and the pool still works after', () => {
    for (const bad of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY]) assert.throws(() => randomPooled(bad), RangeError);
    assert.throws(() => randomToken(Number.NaN), RangeError);
    assert.equal(randomPooled(0).length, 0);
    assert.match(randomToken(32), /^[A-Za-z0-9_-]{43}$/);
  });

  it('gives the requested length, and large requests straight from the CSPRNG', () => {
    assert.equal(randomPooled(1).length, 1);
    assert.equal(randomPooled(256).length, 256);
    const large = randomPooled(5000);
    assert.equal(large.length, 5000);
    assert.notEqual(large.toString('hex'), randomPooled(5000).toString('hex'));
  });
});

describe('randomToken', () => {
  it('is base64url of the requested bytes, and tokens differ', () => {
    const tokens = Array.from({ length: 2000 }, () => randomToken(32));
    for (const t of tokens.slice(0, 50)) {
      assert.match(t, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(t, 'base64url').length, 32);
    }
    assert.equal(new Set(tokens).size, tokens.length);
    assert.match(randomToken(24), /^[A-Za-z0-9_-]{32}$/);
  });

  it('leaves no token in the pool: its bytes are zeroed once encoded', () => {
    // Drawn at the start of a fresh pool, so the three draws below share it: a refill is when the view's buffer changes.
    const first = randomPooled(1);
    let draws = 0;
    while (randomPooled(1).buffer === first.buffer && draws < 5000) draws++;
    assert.ok(draws < 5000, 'the pool refills after at most 4,096 one-byte draws');
    const before = randomPooled(8);
    const token = randomToken(32);
    const after = randomPooled(8);
    assert.equal(after.buffer, before.buffer, 'same pool');
    const tokenBytes = Buffer.from(after.buffer, before.byteOffset + 8, 32);
    assert.deepEqual(tokenBytes, Buffer.alloc(32));
    assert.notDeepEqual(Buffer.from(token, 'base64url'), Buffer.alloc(32));
  });
});
