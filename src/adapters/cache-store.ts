/**
 * slipway's cache directory as a store of entries that can be listed, measured and removed:
 * build environments (`build-envs/<key>/`), README verdicts (`readme-v1/<2 hex>/<key>.json`),
 * README analyses (`readme-analysis-v1/<2 hex>/<key>.json`), Python identities
 * (`python-identity-v1/<slot>.json`), advisory database indexes (`advisories/<revision>.json`,
 * `advisories/listings/`) and lockfile reads (`lock-pins-v1/<key>.json`). The advisory feed
 * `scan update-db` downloads (`osv-pypi/`) is data the user asked for, not a cache entry: it is
 * never pruned. Anything else in the directory is not slipway's and is left alone.
 *
 * Last use is an entry's mtime, set on every use (atime is unreliable: noatime, relatime): a
 * verdict's or analysis' file, a build environment's `slipway-env.json`.
 *
 * Removal is safe against the two things a cache meets:
 * - concurrent runs: a build holds a lease on the environment it uses (`.in-use/build-envs/
 *   <key>.<pid>.<hex>.lease`, taken before it looks at the environment). A prune marks the key
 *   (`<key>.pruning`, exclusively) before it reads the leases; each side writes its mark and then
 *   reads the other's, so at least one of them sees the other: the build waits for the prune to
 *   finish, or the prune leaves the environment alone. A removed environment is renamed to
 *   `.trash-<hex>` in one step before it is deleted, so a run sees all of it or none.
 * - hostile entries: nothing is followed. Entries are read with lstat, a symlink is an entry of
 *   its own (removing it removes the link), fs.rm never descends into a symlink, and the
 *   directory an entry is removed from must resolve inside the cache root.
 */
import { randomBytes } from "node:crypto";
import type { Dirent, Stats } from "node:fs";
import { lstat, mkdir, readdir, realpath, rename, rm, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join, relative, sep } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  assemblePrunePlan,
  CACHE_KINDS,
  type CacheEntryFacts,
  type CacheKind,
  DEFAULT_MAX_SIZE,
  parseSize,
} from "../core/cache/prune-plan.ts";
import { AUTO_EVERY_MS, LAST_PRUNE } from "./cache-use.ts";
import { errnoOf, readSmallRegularFile, tryCreateExclusive, writeFileAtomic } from "./fs.ts";
import { isProcessAlive } from "./process-start.ts";
import { cacheDirOf } from "./readme-cache.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Where each kind lives under the root; the names are those readme-cache.ts, analysis-cache.ts and build-env.ts write. */
const LAYOUT: Record<CacheKind, { dir: string; shape: "dirs" | "fanned" | "flat" }> = {
  "build-envs": { dir: "build-envs", shape: "dirs" },
  verdicts: { dir: "readme-v1", shape: "fanned" },
  analyses: { dir: "readme-analysis-v1", shape: "fanned" },
  identities: { dir: "python-identity-v1", shape: "flat" },
  // advisory-db.ts: `<revision>.json` per advisory database, and `listings/` (one entry).
  "advisory-indexes": { dir: "advisories", shape: "flat" },
  "lock-pins": { dir: "lock-pins-v1", shape: "flat" },
};

/** `<root>/.in-use/<kind dir>/`: leases and prune marks, beside the entries rather than among them. */
const LEASES = ".in-use";
const leaseDirOf = (kindDir: string) => join(dirname(kindDir), LEASES, basename(kindDir));
/** A build environment's stamp (build-env.ts): its mtime is the environment's last use. */
const ENV_STAMP = "slipway-env.json";
/** A build environment's size, measured once when it is made (a walk of thousands of files). */
const ENV_SIZE = "slipway-size.json";
/** What the size record itself takes on disk: one block. */
const RECORD_SIZE = 4096;

const HOUR = 3_600_000;
/** A prune marks a key for a few syscalls; one older than this was left by a killed prune. */
const MARK_STALE_MS = 30_000;
/** A lease from another host cannot be checked; after this long it is taken as left behind. */
const FOREIGN_LEASE_MS = 7 * 24 * HOUR;

/** The cache directory `cache info|prune` work on: as the caches choose it, even when SLIPWAY_NO_CACHE turns them off. */
export function cacheRootOf(env: Env): string | undefined {
  return cacheDirOf({ ...env, SLIPWAY_NO_CACHE: undefined });
}

/** False when SLIPWAY_NO_CACHE turns caching off (runs then neither read nor add entries). */
export function cachingEnabled(env: Env): boolean {
  return cacheDirOf(env) !== undefined;
}

export interface StoredEntry extends CacheEntryFacts {
  /** Absolute path (never followed: a symlink here is the entry). */
  path: string;
  directory: boolean;
}

/** Debris of interrupted runs: temp files and directories, environments moved to the trash. */
export interface Leftover {
  path: string;
  size: number;
  /** False while a run may still be writing it. */
  removable: boolean;
}

export interface CacheScan {
  root: string;
  entries: StoredEntry[];
  leftovers: Leftover[];
  /** Milliseconds since the epoch; undefined when none ran yet. */
  lastAutoPrune: number | undefined;
}

const diskSize = (st: Stats) => (typeof st.blocks === "number" ? st.blocks * 512 : st.size);

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return undefined;
    throw error;
  }
}

async function listDir(path: string): Promise<Dirent[]> {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (error) {
    if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return [];
    throw error;
  }
}

/** Bytes on disk under `path`, itself included; symlinks count as themselves and are not followed. */
export async function measureTree(path: string): Promise<number> {
  const st = await lstatOrUndefined(path);
  if (st === undefined) return 0;
  if (!st.isDirectory()) return diskSize(st);
  const children = await listDir(path);
  const sizes = await Promise.all(children.map((c) => measureTree(join(path, c.name))));
  return sizes.reduce((sum, n) => sum + n, diskSize(st));
}

/**
 * The text of a small regular file; undefined for anything else. A symlink to /dev/zero or a
 * FIFO planted in the cache would otherwise make a prune read forever.
 */
const readSmallFile = (path: string) => readSmallRegularFile(path, 4096);

interface LeaseFile {
  pid: number;
  host: string;
}

function parseLease(text: string): LeaseFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<LeaseFile>;
    return Number.isInteger(value.pid) && typeof value.host === "string"
      ? { pid: value.pid as number, host: value.host }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a lease still holds: its process runs (this host), or it is recent (another host). */
function leaseHolds(lease: LeaseFile | undefined, mtime: number, now: number): boolean {
  if (lease === undefined) return now - mtime < MARK_STALE_MS; // being written, or not ours
  if (lease.host !== hostname()) return now - mtime < FOREIGN_LEASE_MS;
  return isProcessAlive(lease.pid);
}

/** The keys of entries of `kindDir` with a live lease; stale leases are dropped when `clean`. */
async function liveLeases(kindDir: string, now: number, clean: boolean): Promise<Set<string>> {
  const dir = leaseDirOf(kindDir);
  const live = new Set<string>();
  for (const item of await listDir(dir)) {
    if (!item.isFile() || !item.name.endsWith(".lease")) continue;
    const path = join(dir, item.name);
    const key = item.name.slice(0, item.name.indexOf("."));
    const [text, st] = await Promise.all([readSmallFile(path).catch(() => ""), lstatOrUndefined(path)]);
    if (st === undefined) continue;
    if (leaseHolds(parseLease(text ?? ""), st.mtimeMs, now)) live.add(key);
    else if (clean) await unlink(path).catch(() => {});
  }
  return live;
}

/** `.tmp-<key>-<pid>-<hex>` (build-env.ts): removable once its maker is gone and it has been still an hour. */
function tmpRemovable(name: string, st: Stats, now: number): boolean {
  const pid = Number(/^\.tmp-[^-]+-(\d+)-/.exec(name)?.[1]);
  const makerGone = !Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid);
  return makerGone && now - st.mtimeMs > HOUR;
}

interface ScanOptions {
  kinds?: readonly CacheKind[];
  now: number;
  /** Write the size of a build environment that had none recorded (made by an older slipway). */
  recordSizes?: boolean;
}

async function scanKind(root: string, kind: CacheKind, options: ScanOptions, scan: CacheScan): Promise<void> {
  const now = options.now;
  const { dir, shape } = LAYOUT[kind];
  const kindDir = join(root, dir);
  const st = await lstatOrUndefined(kindDir);
  if (st === undefined || !st.isDirectory()) return; // absent, or a symlink or file that is not ours
  const leases = shape === "dirs" ? await liveLeases(kindDir, now, false) : new Set<string>();
  const entry = async (path: string, item: Stats): Promise<StoredEntry> => {
    const name = relative(root, path).split(sep).join("/");
    const base = { kind, name, path, directory: item.isDirectory(), inUse: false };
    if (!item.isDirectory()) return { ...base, size: diskSize(item), lastUse: item.mtimeMs };
    const key = path.slice(kindDir.length + 1);
    const [stamp, recorded] = await Promise.all([
      lstatOrUndefined(join(path, ENV_STAMP)),
      readSmallFile(join(path, ENV_SIZE)).then(
        (text) => (JSON.parse(text ?? "{}") as { bytes?: unknown }).bytes,
        () => undefined,
      ),
    ]);
    const known = typeof recorded === "number" && Number.isSafeInteger(recorded) && recorded >= 0;
    // An environment without a record counts the record it is about to get, so a dry run and
    // the prune that writes it agree.
    const size = known ? recorded : (await measureTree(path)) + (stamp === undefined ? 0 : RECORD_SIZE);
    if (!known && options.recordSizes && stamp !== undefined) await writeSize(path, size);
    return { ...base, size, lastUse: (stamp ?? item).mtimeMs, inUse: leases.has(key) };
  };
  for (const child of await listDir(kindDir)) {
    const path = join(kindDir, child.name);
    const item = await lstatOrUndefined(path);
    if (item === undefined) continue;
    if (child.name.startsWith(".trash-") || child.name.startsWith(".tmp-") || child.name.endsWith(".tmp")) {
      const removable = child.name.startsWith(".trash-") || tmpRemovable(child.name, item, now);
      scan.leftovers.push({ path, size: await measureTree(path), removable });
    } else if (shape === "fanned" && item.isDirectory()) {
      for (const file of await listDir(path)) {
        const filePath = join(path, file.name);
        const fileStat = await lstatOrUndefined(filePath);
        if (fileStat === undefined) continue;
        if (file.name.endsWith(".tmp")) {
          const size = await measureTree(filePath);
          scan.leftovers.push({ path: filePath, size, removable: now - fileStat.mtimeMs > HOUR });
        } else scan.entries.push(await entry(filePath, fileStat));
      }
    } else scan.entries.push(await entry(path, item));
  }
}

/** Every entry of `kinds` (default: all) under `root`, measured; an absent root is an empty cache. */
export async function readCacheStore(root: string, options: ScanOptions): Promise<CacheScan> {
  const last = await lstatOrUndefined(join(root, LAST_PRUNE));
  const scan: CacheScan = { root, entries: [], leftovers: [], lastAutoPrune: last?.mtimeMs };
  for (const kind of options.kinds ?? CACHE_KINDS) await scanKind(root, kind, options, scan);
  return scan;
}

/** Throws unless the directory holding `path` resolves inside `root` (a symlinked directory on the way would not). */
async function assertInside(root: string, path: string): Promise<void> {
  const [realRoot, realParent] = await Promise.all([realpath(root), realpath(dirname(path))]);
  if (realParent !== realRoot && !realParent.startsWith(realRoot + sep)) {
    throw new Error(`${path} resolves outside the cache ${root}; not removed`);
  }
}

/** Renames `path` to a trash name beside it, then deletes that: others see all of it or none. */
async function removeTree(path: string): Promise<boolean> {
  const trash = join(dirname(path), `.trash-${randomBytes(6).toString("hex")}`);
  try {
    await rename(path, trash);
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return false;
    throw error;
  }
  await rm(trash, { recursive: true, force: true });
  return true;
}

export type RemoveOutcome = "removed" | "in-use" | "gone";

/** Removes one entry unless a run holds it. */
export async function removeCacheEntry(
  root: string,
  entry: StoredEntry,
  now: number,
): Promise<RemoveOutcome> {
  await assertInside(root, entry.path);
  if (!entry.directory) {
    try {
      await unlink(entry.path); // a symlink: the link itself
      return "removed";
    } catch (error) {
      if (errnoOf(error) === "ENOENT") return "gone";
      throw error;
    }
  }
  if (entry.kind !== "build-envs") return (await removeTree(entry.path)) ? "removed" : "gone";
  const envsDir = dirname(entry.path);
  const key = entry.path.slice(envsDir.length + 1);
  await mkdir(leaseDirOf(envsDir), { recursive: true });
  const mark = join(leaseDirOf(envsDir), `${key}.pruning`);
  if (!(await tryCreateExclusive(mark, JSON.stringify({ pid: process.pid, host: hostname() })))) {
    return "in-use"; // another prune is at it
  }
  try {
    if ((await liveLeases(envsDir, now, true)).has(key)) return "in-use";
    return (await removeTree(entry.path)) ? "removed" : "gone";
  } finally {
    await unlink(mark).catch(() => {});
  }
}

/** Removes a leftover; false when it was gone already. */
export async function removeLeftover(root: string, leftover: Leftover): Promise<boolean> {
  await assertInside(root, leftover.path);
  const st = await lstatOrUndefined(leftover.path);
  if (st === undefined) return false;
  await rm(leftover.path, { recursive: true, force: true });
  return true;
}

export interface Lease {
  /** Ends the use; safe to call twice. */
  release(): Promise<void>;
}

/**
 * Marks entry `key` of `kindDir` (a build environment: `<root>/build-envs`, key) as in use by
 * this process until `release`: prune leaves it alone. Taken before the entry is looked at;
 * waits while a prune is removing that key this moment (a few syscalls). Any trouble gives a
 * lease that protects nothing rather than a failed build.
 */
export async function leaseCacheEntry(kindDir: string, key: string): Promise<Lease> {
  const dir = leaseDirOf(kindDir);
  const path = join(dir, `${key}.${process.pid}.${randomBytes(4).toString("hex")}.lease`);
  try {
    await mkdir(dir, { recursive: true });
    await tryCreateExclusive(path, JSON.stringify({ pid: process.pid, host: hostname() }));
    const mark = join(dir, `${key}.pruning`);
    for (let waited = 0; ; waited += 20) {
      const st = await lstatOrUndefined(mark);
      if (st === undefined) break;
      if (Date.now() - st.mtimeMs > MARK_STALE_MS || waited > MARK_STALE_MS) {
        await unlink(mark).catch(() => {});
        break;
      }
      await sleep(20);
    }
  } catch {
    // an unwritable cache: the build goes on (it will fail on its own terms if it must)
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await unlink(path).catch(() => {});
    },
  };
}

/** Records the size of a build environment just made in `dir` (before it is renamed into place). */
export async function recordEnvSize(dir: string): Promise<void> {
  const bytes = await measureTree(dir).catch(() => undefined);
  if (bytes !== undefined) await writeSize(dir, bytes + RECORD_SIZE);
}

/** A failure leaves the size to be measured again by the next prune. */
async function writeSize(dir: string, bytes: number): Promise<void> {
  await writeFileAtomic(join(dir, ENV_SIZE), JSON.stringify({ bytes })).catch(() => {});
}

/** The automatic cap: SLIPWAY_CACHE_MAX_SIZE (a size, or `off`), else 2 GiB. */
export function autoMaxSize(env: Env): number | undefined {
  const said = env["SLIPWAY_CACHE_MAX_SIZE"]?.trim();
  if (said === undefined || said === "") return DEFAULT_MAX_SIZE;
  if (/^(off|none|no)$/i.test(said)) return undefined;
  const parsed = parseSize(said);
  return parsed.ok ? parsed.value : DEFAULT_MAX_SIZE;
}

async function pruneTo(
  root: string,
  kinds: readonly CacheKind[] | undefined,
  maxSize: number,
): Promise<void> {
  const now = Date.now();
  const scan = await readCacheStore(root, {
    now,
    recordSizes: true,
    ...(kinds === undefined ? {} : { kinds }),
  });
  const plan = assemblePrunePlan(scan.entries, { maxSize, now });
  for (const { entry } of plan.remove) await removeCacheEntry(root, entry, now).catch(() => {});
  for (const leftover of scan.leftovers) {
    if (leftover.removable) await removeLeftover(root, leftover).catch(() => {});
  }
}

/**
 * After a build made a new environment: keeps build environments under the automatic cap.
 * Bounded: one readdir and two small reads per environment (sizes are recorded when made).
 */
export async function pruneAfterNewEnv(env: Env): Promise<void> {
  const root = cacheDirOf(env);
  const max = autoMaxSize(env);
  if (root === undefined || max === undefined) return;
  await pruneTo(root, ["build-envs"], max).catch(() => {});
}

/**
 * After a run stored a verdict or an analysis: once a day (one lstat otherwise), the whole
 * cache is pruned to the automatic cap.
 */
export async function pruneWhenDue(env: Env): Promise<void> {
  const root = cacheDirOf(env);
  const max = autoMaxSize(env);
  if (root === undefined || max === undefined) return;
  try {
    const last = await lstatOrUndefined(join(root, LAST_PRUNE));
    if (last !== undefined && Date.now() - last.mtimeMs < AUTO_EVERY_MS) return;
    // Claimed first, so the runs that store at the same moment do not all prune.
    await writeFileAtomic(join(root, LAST_PRUNE), "", { mkdirs: true });
    await pruneTo(root, undefined, max);
  } catch {
    // the cache is only an optimisation
  }
}

/** Marks that a prune just ran (an explicit one counts too). */
export async function markPruned(root: string): Promise<void> {
  await writeFileAtomic(join(root, LAST_PRUNE), "").catch(() => {}); // no cache directory: nothing to mark
}
