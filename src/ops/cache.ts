/**
 * `slipway cache info|prune`: what slipway keeps in its cache directory (build environments,
 * README verdicts and analyses, Python identities), and removing the least recently used of it
 * down to a size cap. Reads and removes through adapters/cache-store.ts; what to remove is
 * decided by core/cache/prune-plan.ts on plain data.
 */
import {
  autoMaxSize,
  cacheRootOf,
  cachingEnabled,
  markPruned,
  readCacheStore,
  removeCacheEntry,
  removeLeftover,
  type StoredEntry,
} from "../adapters/cache-store.ts";
import { maxOf, minOf } from "../core/arrays.ts";
import {
  assemblePrunePlan,
  CACHE_KINDS,
  type CacheKind,
  DEFAULT_MAX_SIZE,
} from "../core/cache/prune-plan.ts";
import { SlipwayError } from "../errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface CacheKindInfo {
  kind: CacheKind;
  entries: number;
  /** Bytes on disk. */
  size: number;
  /** Milliseconds since the epoch; undefined without entries. */
  oldestUse: number | undefined;
  newestUse: number | undefined;
  inUse: number;
}

export interface CacheInfo {
  root: string;
  /** False when SLIPWAY_NO_CACHE turns caching off. */
  enabled: boolean;
  kinds: CacheKindInfo[];
  total: { entries: number; size: number };
  leftovers: { count: number; size: number };
  /** The cap the automatic prune keeps to; undefined when SLIPWAY_CACHE_MAX_SIZE=off. */
  autoMaxSize: number | undefined;
  lastAutoPrune: number | undefined;
}

function rootOf(env: Env): string {
  const root = cacheRootOf(env);
  if (root === undefined) {
    throw new SlipwayError(
      "config",
      "there is no cache directory: neither SLIPWAY_CACHE_DIR nor HOME is set",
      {
        hint: "Set SLIPWAY_CACHE_DIR (or XDG_CACHE_HOME, or HOME) to the directory slipway caches in.",
      },
    );
  }
  return root;
}

function summarize(kind: CacheKind, entries: readonly StoredEntry[]): CacheKindInfo {
  const mine = entries.filter((e) => e.kind === kind);
  const uses = mine.map((e) => e.lastUse);
  return {
    kind,
    entries: mine.length,
    size: mine.reduce((sum, e) => sum + e.size, 0),
    oldestUse: uses.length === 0 ? undefined : minOf(uses),
    newestUse: uses.length === 0 ? undefined : maxOf(uses),
    inUse: mine.filter((e) => e.inUse).length,
  };
}

/** The cache root and, per kind, its entries, size and oldest and newest use. Changes nothing. */
export async function readCacheInfo(options: { env: Env; now: () => number }): Promise<CacheInfo> {
  const root = rootOf(options.env);
  const scan = await readCacheStore(root, { now: options.now() });
  const kinds = CACHE_KINDS.map((kind) => summarize(kind, scan.entries));
  return {
    root,
    enabled: cachingEnabled(options.env),
    kinds,
    total: { entries: scan.entries.length, size: kinds.reduce((sum, k) => sum + k.size, 0) },
    leftovers: {
      count: scan.leftovers.length,
      size: scan.leftovers.reduce((sum, l) => sum + l.size, 0),
    },
    autoMaxSize: autoMaxSize(options.env),
    lastAutoPrune: scan.lastAutoPrune,
  };
}

export interface PruneCacheOptions {
  env: Env;
  now: () => number;
  /** Bytes the kept entries may take (default: SLIPWAY_CACHE_MAX_SIZE, else 2 GiB). */
  maxSize?: number;
  /** Also remove entries unused for more than this many days. */
  olderThanDays?: number;
  /** Only these kinds (default: all); the cap then applies to them alone. */
  kinds?: readonly CacheKind[];
  /** Report what would be removed; remove nothing. */
  dryRun?: boolean;
}

export interface PrunedEntry {
  kind: CacheKind;
  name: string;
  size: number;
  lastUse: number;
  why: "older-than" | "max-size";
}

export interface PruneCacheReport {
  root: string;
  dryRun: boolean;
  maxSize: number;
  /** Removed (with --dry-run: would be removed), unused the longest first. */
  removed: PrunedEntry[];
  /** Chosen, but a run started using them (or another prune removing them) meanwhile: kept. */
  busy: string[];
  /** Entries and leftovers that could not be removed, with the system's reason. */
  failed: { name: string; message: string }[];
  /** Temp files and trash of interrupted runs, removed (or, with --dry-run, removable). */
  leftovers: { count: number; size: number };
  sizeBefore: number;
  sizeAfter: number;
  /** Entries in use alone take more than the cap. */
  capUnmet: boolean;
}

/** Removes the entries unused the longest until the rest fits under the cap; never one in use. */
export async function pruneCache(options: PruneCacheOptions): Promise<PruneCacheReport> {
  const root = rootOf(options.env);
  const now = options.now();
  const dryRun = options.dryRun === true;
  const maxSize = options.maxSize ?? autoMaxSize(options.env) ?? DEFAULT_MAX_SIZE;
  const scan = await readCacheStore(root, {
    now,
    recordSizes: !dryRun,
    ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
  });
  const plan = assemblePrunePlan(scan.entries, {
    maxSize,
    now,
    ...(options.olderThanDays === undefined ? {} : { olderThanMs: options.olderThanDays * 86_400_000 }),
  });
  const removed: PrunedEntry[] = [];
  const busy: string[] = [];
  let sizeAfter = plan.sizeAfter;
  const failed: { name: string; message: string }[] = [];
  for (const { entry, why } of plan.remove) {
    const outcome = dryRun
      ? "removed"
      : await removeCacheEntry(root, entry, now).catch((error: unknown) => {
          failed.push({ name: entry.name, message: error instanceof Error ? error.message : String(error) });
          return "failed" as const;
        });
    if (outcome === "failed") sizeAfter += entry.size;
    else if (outcome === "in-use") {
      busy.push(entry.name);
      sizeAfter += entry.size;
    } else {
      removed.push({ kind: entry.kind, name: entry.name, size: entry.size, lastUse: entry.lastUse, why });
    }
  }
  const leftovers = scan.leftovers.filter((l) => l.removable);
  if (!dryRun) {
    for (const leftover of leftovers) {
      await removeLeftover(root, leftover).catch((error: unknown) => {
        failed.push({ name: leftover.path, message: error instanceof Error ? error.message : String(error) });
      });
    }
    if (options.kinds === undefined) await markPruned(root); // the daily automatic prune can wait
  }
  return {
    root,
    dryRun,
    maxSize,
    removed,
    busy,
    failed,
    leftovers: { count: leftovers.length, size: leftovers.reduce((sum, l) => sum + l.size, 0) },
    sizeBefore: plan.sizeBefore,
    sizeAfter,
    capUnmet: sizeAfter > maxSize,
  };
}
