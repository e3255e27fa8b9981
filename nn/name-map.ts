// Objects keyed by names that come from users and files (tensor names, state-dict keys,
// metadata). A plain {} would treat '__proto__' as its prototype and find 'toString' or
// 'constructor' on Object.prototype; an object without a prototype holds any name as
// an ordinary key, and still reads like a record (Object.keys, JSON, spread).

export function nameMap<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const map: Record<string, T> = Object.create(null);
  for (const [name, value] of entries) map[name] = value;
  return map;
}

/** The own entries of a record or a Map (never inherited properties). */
export function entriesOf<T>(names: Record<string, T> | ReadonlyMap<string, T>): [string, T][] {
  return names instanceof Map ? [...names] : Object.entries(names);
}
