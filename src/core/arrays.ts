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

/** What a CappedList did not keep under one key. */
export interface Dropped<T> {
  count: number;
  first: T;
  /** Whether any dropped item was marked severe. */
  severe: boolean;
}

/**
 * The first `limit` items of each key, in arrival order; past that only a count and the first,
 * so a broken RECORD of a million rows costs a few hundred findings, not a million. Each `add`
 * is constant work, and an item is only made when it is kept (issue 11 B4: re-copying the
 * dropped items made this quadratic, and making a message per row was most of the rest).
 */
export class CappedList<T> {
  readonly kept: T[] = [];
  readonly dropped = new Map<string, Dropped<T>>();
  private readonly counts = new Map<string, number>();
  private readonly limit: number;
  /** Items added: each costs a constant amount of work (the linearity tests count it). */
  work = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  add(key: string, make: () => T, severe = false): void {
    this.work++;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count <= this.limit) {
      this.kept.push(make());
      return;
    }
    const dropped = this.dropped.get(key);
    if (dropped === undefined) this.dropped.set(key, { count: 1, first: make(), severe });
    else {
      dropped.count++;
      dropped.severe ||= severe;
    }
  }
}
