/**
 * Array helpers that never spread into a call: `push(...items)` and `Math.max(...items)` put
 * every element on the stack and throw a RangeError past ~100k elements (a RECORD of 100,000
 * rows did). scripts/no-call-spread.grit keeps src/ free of such spreads.
 */

/** Appends every item to `into` (in place) and returns it. */
export function pushAll<T>(into: T[], items: Iterable<T>): T[] {
  for (const item of items) into.push(item);
  return into;
}

/** The largest of `values`, or `empty` when there are none. */
export function maxOf(values: Iterable<number>, empty = 0): number {
  let max: number | undefined;
  for (const value of values) if (max === undefined || value > max) max = value;
  return max ?? empty;
}

/** The smallest of `values`, or `empty` when there are none. */
export function minOf(values: Iterable<number>, empty = 0): number {
  let min: number | undefined;
  for (const value of values) if (min === undefined || value < min) min = value;
  return min ?? empty;
}
