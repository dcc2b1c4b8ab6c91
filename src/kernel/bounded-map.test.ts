import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { setBounded } from './bounded-map.ts';

// The bounded Map every in-memory cache uses: never more than `max` entries after a set, the key
// just set is the newest, and the oldest inserted go first. Checked against a plain list of keys in
// the order they were last set.

/** The entries in map order, as `key=value`. */
const shown = (map: Map<string, number>): string[] => [...map].map(([key, value]) => `${key}=${value}`);

test('a full map drops its oldest entry; setting a key again moves it to the newest end', () => {
  const map = new Map<string, number>();
  setBounded(map, 'a', 1, 2);
  setBounded(map, 'b', 2, 2);
  assert.deepEqual(shown(map), ['a=1', 'b=2']);
  setBounded(map, 'a', 3, 2);
  assert.deepEqual(shown(map), ['b=2', 'a=3'], 'no entry dropped: the key was already there');
  setBounded(map, 'c', 4, 2);
  assert.deepEqual(shown(map), ['a=3', 'c=4']);
});

test('evicted hears each dropped entry, oldest first; a map over its bound shrinks to it; 0 keeps nothing', () => {
  const map = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['d', 4],
  ]);
  const dropped: string[] = [];
  const evicted = (key: string, value: number): void => {
    assert.equal(map.has(key), false, 'called after the entry left the map');
    dropped.push(`${key}=${value}`);
  };
  setBounded(map, 'e', 5, 2, evicted);
  assert.deepEqual(shown(map), ['d=4', 'e=5']);
  assert.deepEqual(dropped, ['a=1', 'b=2', 'c=3']);
  setBounded(map, 'f', 6, 0, evicted);
  assert.equal(map.size, 0);
  assert.deepEqual(dropped.slice(3), ['d=4', 'e=5', 'f=6']);
});

test('property: after any sets, the map holds exactly the max most recently set keys, oldest first, with their last values', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer())), fc.boolean(), (max, sets, listen) => {
      const map = new Map<number, number>();
      // The reference: keys in the order they were last set, most recent last, each with its last value.
      const order: number[] = [];
      const last = new Map<number, number>();
      const dropped: number[] = [];
      const evicted = (key: number): void => {
        dropped.push(key);
      };
      for (const [key, value] of sets) {
        const before = [...map.keys()];
        setBounded(map, key, value, max, listen ? evicted : undefined);
        const at = order.indexOf(key);
        if (at !== -1) order.splice(at, 1);
        order.push(key);
        last.set(key, value);

        assert.ok(map.size <= max);
        const kept = order.slice(-max);
        assert.deepEqual([...map.keys()], kept, 'the min(max, distinct) most recently set keys, oldest first');
        for (const k of kept) assert.equal(map.get(k), last.get(k));
        // What left is what was oldest: the first keys of the map before, other than the one set.
        const gone = before.filter((k) => !map.has(k));
        assert.deepEqual(gone, before.filter((k) => k !== key).slice(0, gone.length));
        if (listen) assert.deepEqual(dropped.splice(0), gone, 'evicted heard exactly the dropped keys, oldest first');
      }
    }),
  );
});
