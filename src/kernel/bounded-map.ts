// A Map used as a bounded cache. A Map keeps insertion order, so its first key is the oldest one
// inserted. The one rule, for every cache that uses this: after `setBounded` the map holds at most
// `max` entries; the key just set is the newest (an existing key moves to the end), and the
// oldest are dropped first. A cache that wants least-recently-used order also re-inserts an
// entry on a hit (delete, then set); that is its own choice, not this helper's.

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
  // Deleting the key being visited is safe: a Map iterator moves on to the next live entry.
  for (const oldest of map.keys()) {
    if (evicted === undefined) {
      map.delete(oldest);
    } else {
      const old = map.get(oldest) as V;
      map.delete(oldest);
      evicted(oldest, old);
    }
    if (map.size <= max) return;
  }
}
