/**
 * What a cache prune removes, decided on plain data: entries unused for longer than a limit go
 * first, then the least recently used until the rest fits under a size cap. An entry in use is
 * never chosen; it still counts towards the size, so a cap it alone exceeds is reported as unmet.
 */
import { fail, ok, type Parsed } from "../result.ts";

/** The kinds of entries slipway keeps in its cache directory. */
export const CACHE_KINDS = [
  "build-envs",
  "verdicts",
  "analyses",
  "identities",
  "advisory-indexes",
  "lock-pins",
] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

/** 2 GiB: a build environment is tens of megabytes, a verdict or an analysis a few hundred bytes. */
export const DEFAULT_MAX_SIZE = 2 * 1024 ** 3;

export interface CacheEntryFacts {
  kind: CacheKind;
  /** Unique within the cache (the path below the cache root). */
  name: string;
  /** Bytes on disk. */
  size: number;
  /** Milliseconds since the epoch. */
  lastUse: number;
  /** Held by a running build: never removed. */
  inUse: boolean;
}

export interface PruneLimits {
  /** Bytes the kept entries may take together. */
  maxSize: number;
  /** Entries unused for longer than this (milliseconds) go whatever the size. */
  olderThanMs?: number;
  /** Milliseconds since the epoch. */
  now: number;
}

export interface PrunePlan<E extends CacheEntryFacts> {
  /** In the order to remove them: unused the longest first. */
  remove: { entry: E; why: "older-than" | "max-size" }[];
  keep: E[];
  sizeBefore: number;
  sizeAfter: number;
  /** True when entries in use alone take more than the cap. */
  capUnmet: boolean;
}

/** Oldest last use first; ties by name so a plan is the same on every run. */
export function byLastUse<E extends CacheEntryFacts>(a: E, b: E): number {
  return a.lastUse - b.lastUse || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

export function assemblePrunePlan<E extends CacheEntryFacts>(
  entries: readonly E[],
  limits: PruneLimits,
): PrunePlan<E> {
  const sorted = [...entries].sort(byLastUse);
  const sizeBefore = sorted.reduce((sum, e) => sum + e.size, 0);
  const remove: PrunePlan<E>["remove"] = [];
  const keep: E[] = [];
  let size = sizeBefore;
  for (const entry of sorted) {
    if (entry.inUse) {
      keep.push(entry);
      continue;
    }
    const old = limits.olderThanMs !== undefined && limits.now - entry.lastUse > limits.olderThanMs;
    // A cap of 0 means "everything": entries of no size (a symlink) go too.
    if (old || size > limits.maxSize || limits.maxSize === 0) {
      remove.push({ entry, why: old ? "older-than" : "max-size" });
      size -= entry.size;
    } else keep.push(entry);
  }
  return { remove, keep, sizeBefore, sizeAfter: size, capUnmet: size > limits.maxSize };
}

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

/**
 * A size as people write it: `500M`, `2G`, `1.5GiB`, `800MB`, `0`. K, M, G, T and KiB, MiB,
 * GiB, TiB are powers of 1024 (as du and ls -h count); KB, MB, GB, TB powers of 1000.
 */
export function parseSize(text: string): Parsed<number> {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[match?.[2]?.toLowerCase() ?? "?"];
  if (match === null || unit === undefined) {
    return fail(`'${text}' is not a size (examples: 500M, 2G, 1.5GiB, 0)`);
  }
  return ok(Math.floor(Number(match[1]) * unit));
}

/** Bytes in the unit that reads best: `512 B`, `3.4 MiB`, `2.0 GiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
