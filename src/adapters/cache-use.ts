/**
 * What every cache hit and store pays for `slipway cache`: the entry's last use recorded, and the
 * daily automatic prune checked (one lstat). The prune itself (cache-store.ts: a walk of the
 * whole cache) is loaded only on the day it is due, so a warm check does not load it at all.
 */
import { lstat, lutimes } from "node:fs/promises";
import { join } from "node:path";
import { cacheDirOf } from "./readme-cache.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Its mtime: when the last automatic prune ran. */
export const LAST_PRUNE = ".last-prune";
/** Automatic prunes of the small kinds run at most this often. */
export const AUTO_EVERY_MS = 24 * 3_600_000;

/** Sets `path`'s mtime to now: the entry's last use. Never follows a symlink; errors are ignored. */
export async function touchCacheEntry(path: string): Promise<void> {
  const now = new Date();
  await lutimes(path, now, now).catch(() => {});
}

/**
 * After a run stored a verdict or an analysis: once a day (one lstat otherwise), the whole
 * cache is pruned to the automatic cap (cache-store.ts decides, claims and prunes).
 */
export async function pruneWhenDue(env: Env): Promise<void> {
  const root = cacheDirOf(env);
  if (root === undefined) return;
  const last = await lstat(join(root, LAST_PRUNE)).catch(() => undefined);
  if (last !== undefined && Date.now() - last.mtimeMs < AUTO_EVERY_MS) return;
  const store = await import("./cache-store.ts");
  await store.pruneWhenDue(env);
}
