// A Map used as a bounded cache. A Map keeps insertion order, so its first key is the oldest one
// inserted. The one rule, for every cache that uses this: after `setBounded` the map holds at most
// `max` entries; the key just set is the newest (an existing key moves to the end), and the
// oldest are dropped first. A cache that wants least-recently-used order also re-inserts an
// entry on a hit (delete, then set); that is its own choice, not this helper's.
//
// The oldest entry is found with a cursor kept per map (a live `keys()` iterator), not a new
// iterator each time: a Map's deleted slots stay at its front until the table is rebuilt, and a new
// iterator steps over all of them, so dropping one entry of a full map of 10,000 cost ~6 µs and of
// 100,000 ~43 µs (one per unknown API key during a flood of them); the cursor ~0.25 µs. A live
// iterator is sound here: every entry before the cursor was returned by it and dropped at once, and
// whatever is inserted, re-inserted or left after a `clear()` comes after it, so its next key is
// always the oldest one present.

const cursors = new WeakMap<Map<unknown, unknown>, MapIterator<unknown>>();

/**
 * Sets `key` to `value` as the newest entry, then drops the oldest entries until `map.size <= max`
 * (a full map loses one). `evicted`, if given, is called with each dropped entry after it has left
 * the map; pass a function made once, not a new one per call (hot paths). `max` ≥ 0; with 0
 * nothing is kept.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number, evicted?: (key: K, value: V) => void): void {
  map.delete(key);
  map.set(key, value);
  if (map.size <= max) return;
  let cursor = cursors.get(map) as MapIterator<K> | undefined;
  if (cursor === undefined) {
    cursor = map.keys();
    cursors.set(map, cursor);
  }
  while (map.size > max) {
    let next = cursor.next();
    // Never expected (an entry is present, so one is ahead of the cursor); a new cursor is always right.
    if (next.done === true) {
      cursor = map.keys();
      cursors.set(map, cursor);
      next = cursor.next();
    }
    const oldest = next.value as K;
    if (evicted === undefined) {
      map.delete(oldest);
    } else {
      const old = map.get(oldest) as V;
      map.delete(oldest);
      evicted(oldest, old);
    }
  }
}
