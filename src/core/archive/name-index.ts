/**
 * An archive's member names → the first position holding each. A Map or Set of 150,000 names
 * grows its table by copying (~14 MB allocated, ~7 MB kept, all of it promoted to V8's old
 * generation); here a position is 4 bytes in an Int32Array outside the JS heap, and a name is
 * never copied: the index asks `keyAt` for it. Names are untrusted: ones crafted to share a hash
 * cannot make lookups slow, since a probe longer than MAX_PROBE moves the index to a Map.
 */

/** Slots one lookup may probe before the index gives up on its own table. */
const MAX_PROBE = 64;

export class NameIndex {
  private readonly keyAt: (position: number) => string;
  /** Position + 1 per slot, 0 for empty: open addressing, linear probing, at most 1/4 full. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /** Where the names go once some lookup probed too far. */
  private map: Map<string, number> | undefined;
  /** Slots probed and Map operations: the unit of work (linear in the names, whatever they are). */
  work = 0;

  /** `keyAt(position)` is the name at a position (the same string every time); `expected` sizes the table. */
  constructor(keyAt: (position: number) => string, expected: number) {
    this.keyAt = keyAt;
    this.slots = new Int32Array(capacityFor(expected));
    this.mask = this.slots.length - 1;
  }

  /** Adds the name at `position`; returns the first position holding that name (`position` when new). */
  add(position: number): number {
    const key = this.keyAt(position);
    if (this.map !== undefined) return this.addToMap(key, position);
    let slot = hashOf(key) & this.mask;
    for (let probes = 0; ; probes++) {
      this.work++;
      const held = this.slots[slot]!;
      if (held === 0) break;
      if (this.keyAt(held - 1) === key) return held - 1;
      if (probes >= MAX_PROBE) {
        this.toMap();
        return this.addToMap(key, position);
      }
      slot = (slot + 1) & this.mask;
    }
    this.slots[slot] = position + 1;
    if (++this.count * 4 > this.slots.length) this.grow();
    return position;
  }

  /** The first position holding `name`. */
  get(name: string): number | undefined {
    if (this.map !== undefined) {
      this.work++;
      return this.map.get(name);
    }
    let slot = hashOf(name) & this.mask;
    for (let probes = 0; ; probes++) {
      this.work++;
      const held = this.slots[slot]!;
      if (held === 0) return undefined;
      if (this.keyAt(held - 1) === name) return held - 1;
      if (probes >= MAX_PROBE) {
        this.toMap();
        return this.get(name);
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Calls `fn` with the first position of each name, in no particular order. */
  forEach(fn: (position: number) => void): void {
    if (this.map !== undefined) {
      for (const position of this.map.values()) fn(position);
      return;
    }
    // Index loops over the slots: iterating a typed array makes a result object per slot until optimized.
    const slots = this.slots;
    for (let s = 0; s < slots.length; s++) if (slots[s] !== 0) fn(slots[s]! - 1);
  }

  /** Whether the index moved to a Map (crafted names). */
  get degraded(): boolean {
    return this.map !== undefined;
  }

  private addToMap(key: string, position: number): number {
    this.work++;
    const map = this.map!;
    const first = map.get(key);
    if (first !== undefined) return first;
    map.set(key, position);
    return position;
  }

  private toMap(from: Int32Array = this.slots): void {
    const map = new Map<string, number>();
    for (let s = 0; s < from.length; s++) if (from[s] !== 0) map.set(this.keyAt(from[s]! - 1), from[s]! - 1);
    this.work += from.length;
    this.map = map;
    this.slots = new Int32Array(0);
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length - 1;
    this.work += old.length;
    for (let s = 0; s < old.length; s++) {
      const held = old[s]!;
      if (held === 0) continue;
      let slot = hashOf(this.keyAt(held - 1)) & mask;
      for (let probes = 0; slots[slot] !== 0; probes++) {
        this.work++;
        if (probes >= MAX_PROBE) {
          this.toMap(old);
          return;
        }
        slot = (slot + 1) & mask;
      }
      slots[slot] = held;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** A power of two at least 4 x `expected` (a quarter full keeps probes short). */
function capacityFor(expected: number): number {
  let capacity = 16;
  while (capacity < expected * 4) capacity *= 2;
  return capacity;
}

/** FNV-1a over the UTF-16 code units, with a final mix so the low bits depend on every unit (exported for tests). */
export function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
