/**
 * Sets `key` in `map` as its newest entry, dropping the oldest entry first when the map already
 * holds `max`: memory bounded by `max` whatever the traffic. Map order is insertion order, so a
 * re-inserted key moves to the end (least recently set goes first).
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  map.delete(key);
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
  return value;
}
