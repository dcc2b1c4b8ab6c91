import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idCursor, isId, newId, parseIdCursor } from './ids.ts';

test('ids are prefixed, well-formed and unique', () => {
  const ids = Array.from({ length: 5000 }, () => newId('ord'));
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => isId(id, 'ord')));
  assert.ok(!isId(ids[0]!, 'org'));
});

test('ids sort in creation order, also within one millisecond and when the clock steps back', () => {
  const t = Date.now() + 10_000;
  const made = [newId('err', t), newId('err', t), newId('err', t), newId('err', t - 5), newId('err', t + 1)];
  assert.deepEqual([...made].sort(), made);
});

test('an id is its millisecond and its 80 random bits in Crockford base32, 5 bits per character', () => {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  const t = Date.now() + 20_000;
  const first = newId('req', t);
  const second = newId('req', t);
  const decode = (text: string): bigint => [...text].reduce((n, c) => n * 32n + BigInt(alphabet.indexOf(c)), 0n);
  // The time part, then the random part: the second id of the millisecond is the first plus one.
  assert.equal(decode(first.slice(4, 14)), BigInt(t));
  assert.equal(second.slice(4, 14), first.slice(4, 14));
  assert.equal(decode(second.slice(14)), decode(first.slice(14)) + 1n);
  // Every character of the alphabet turns up in the random part (the 10-bit pairs cover all 32).
  const seen = new Set(Array.from({ length: 400 }, (_, i) => newId('req', t + 1 + i).slice(14)).join(''));
  assert.equal(seen.size, 32);
});

test('a keyset cursor is the time and id it was made of, and nothing else parses as one', () => {
  const at = new Date('2026-12-07T10:00:00.123Z');
  const id = newId('als', at.getTime());
  assert.equal(idCursor(at, id), `${at.getTime()}.${id}`);
  assert.deepEqual(parseIdCursor(idCursor(at, id), 'als'), { at, id });
  for (const bad of [
    id,
    `${at.getTime()}`,
    `x.${id}`,
    `${at.getTime()}.${id}x`,
    `-1.${id}`,
    `99999999999999999.${id}`,
    `9999999999999999.${id}`,
    ` ${at.getTime()}.${id}`,
  ])
    assert.equal(parseIdCursor(bad, 'als'), undefined, bad);
  assert.equal(parseIdCursor(idCursor(at, id), 'msg'), undefined, 'another kind of id');
  assert.equal(parseIdCursor(`1.als_${'i'.repeat(26)}`, 'als'), undefined, 'not Crockford base32');
});
