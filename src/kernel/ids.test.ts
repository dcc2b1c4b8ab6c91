import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isId, newId } from './ids.ts';

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
