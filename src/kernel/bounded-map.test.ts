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

type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'touch'; key: number } | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 40 }), value: fc.integer() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('touch' as const), key: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

test('property: with deletes, re-inserts (an LRU hit) and clears made by the cache itself between sets, the oldest present entry is always the one dropped', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 16 }), fc.array(op, { maxLength: 400 }), (max, ops) => {
      const map = new Map<number, number>();
      // The reference: keys oldest first, as the map orders them.
      let order: number[] = [];
      for (const o of ops) {
        if (o.kind === 'set') {
          setBounded(map, o.key, o.value, max);
          order = [...order.filter((k) => k !== o.key), o.key];
          order = order.slice(Math.max(0, order.length - max));
        } else if (o.kind === 'delete') {
          map.delete(o.key);
          order = order.filter((k) => k !== o.key);
        } else if (o.kind === 'touch') {
          const value = map.get(o.key);
          if (value === undefined) continue;
          map.delete(o.key);
          map.set(o.key, value);
          order = [...order.filter((k) => k !== o.key), o.key];
        } else {
          map.clear();
          order = [];
        }
        assert.deepEqual([...map.keys()], order);
      }
    }),
    { numRuns: 300 },
  );
});

test('two maps keep their own oldest entry', () => {
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  for (let i = 0; i < 5; i++) {
    setBounded(a, `a${i}`, i, 3);
    setBounded(b, `b${i}`, i, 2);
  }
  assert.deepEqual([...a.keys()], ['a2', 'a3', 'a4']);
  assert.deepEqual([...b.keys()], ['b3', 'b4']);
});
