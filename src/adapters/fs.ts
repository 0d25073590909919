/**
 * The one implementation of the file operations whose subtle parts matter: writing a file so a
 * reader sees the old content or the whole new one (never half), creating a file that must not
 * exist yet (and one that appears complete or not at all), and reading a file that may be absent.
 * Every other module (journals, caches, the index store, dist output, edits, locks) writes
 * through these instead of its own copy; ops, pipeline and cli reach the file system only here
 * and in the other adapters (biome.json enforces it).
 */
import { randomBytes } from "node:crypto";
import { constants, rmSync } from "node:fs";
import {
  type FileHandle,
  link,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  unlink,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { isProcessGone } from "./process-start.ts";

/**
 * The file system calls the writers below make. Tests replace some of them to watch a write or
 * make one call fail; everything else passes the real ones (the default).
 */
export interface FileCalls {
  readFile(path: string): Promise<string>;
  /** Creates `path`, which must not exist, holding all of `data` (see createExclusive). */
  writeFile(path: string, data: string | Uint8Array, options: WriteOptions): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is absent. */
  rm(path: string): Promise<void>;
  /** Creates a directory and its parents; no error when it exists. */
  mkdir(dir: string): Promise<void>;
}

export interface WriteOptions {
  /** The file's mode (not masked by the umask). Default 0o644. */
  mode?: number;
  /** fsync before closing, so the bytes survive a power loss once the call returns. Default false. */
  durable?: boolean;
  /** Create the parent directories first. Default false. */
  mkdirs?: boolean;
  /** Replaces some of the real calls (tests that break a rename or keep files in memory). */
  calls?: Partial<FileCalls>;
}

/** The errno code of a Node.js system error, or undefined. */
export function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** A temp name beside `path` that no other writer picks: `.<name>.slipway-<12 hex>.tmp`. */
export function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.slipway-${randomBytes(6).toString("hex")}.tmp`);
}

/** True when `temp` is a name `tempBeside(path)` makes (the only file a recovery may remove). */
export function isTempBeside(temp: string, path: string): boolean {
  const prefix = `.${basename(path)}.slipway-`;
  const name = basename(temp);
  return (
    dirname(temp) === dirname(path) &&
    name.startsWith(prefix) &&
    /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))
  );
}

/**
 * Creates `path`, which must not exist (EEXIST otherwise, never through an existing file or
 * symlink), with `data`, `mode` exactly, fsynced when `durable`.
 */
export async function createExclusive(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  if (options.mkdirs) await mkdir(dirname(path), { recursive: true });
  const mode = options.mode ?? 0o644;
  const handle = await open(path, "wx", mode);
  try {
    await handle.writeFile(data);
    // open's mode is masked by the umask; the file gets exactly the mode asked for.
    await handle.chmod(mode);
    if (options.durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens `path`, which must not exist (EEXIST otherwise, never through an existing file or
 * symlink), for content streamed in by the caller, who closes the handle. `mode` is masked by the
 * umask, as open(2) does; a caller that needs it exact sets it once the content is complete.
 */
export async function openExclusive(path: string, mode: number): Promise<FileHandle> {
  return await open(path, "wx", mode);
}

/** Like createExclusive, but false instead of an error when `path` exists already. */
export async function tryCreateExclusive(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<boolean> {
  try {
    await createExclusive(path, data, options);
    return true;
  } catch (error) {
    if (errnoOf(error) === "EEXIST") return false;
    throw error;
  }
}

/** The aside `tryCreateComplete` writes: `.<name>.slipway-<pid>-<12 hex>.aside`, named by its writer. */
function asideOf(path: string, pid: number): string {
  return join(dirname(path), `.${basename(path)}.slipway-${pid}-${randomBytes(6).toString("hex")}.aside`);
}

/**
 * The asides of `path` that a killed `tryCreateComplete` left behind (the window between writing
 * one and removing it), with the pid of the process that wrote each: the caller removes those
 * whose writer is gone (adapters/process-start.ts), never a live writer's.
 */
export async function listAsides(path: string): Promise<{ path: string; pid: number }[]> {
  const prefix = `.${basename(path)}.slipway-`;
  const found: { path: string; pid: number }[] = [];
  for (const name of (await listDirIfExists(dirname(path))) ?? []) {
    const match = name.startsWith(prefix)
      ? /^(\d+)-[0-9a-f]{12}\.aside$/.exec(name.slice(prefix.length))
      : null;
    if (match) found.push({ path: join(dirname(path), name), pid: Number(match[1]) });
  }
  return found;
}

/**
 * Removes the asides of `path` whose writer is gone (killed between writing and removing one);
 * a live writer's stays, so this is safe while another process creates `path`.
 */
export async function removeDeadAsides(path: string): Promise<void> {
  for (const aside of await listAsides(path)) {
    if (aside.pid !== process.pid && (await isProcessGone(aside.pid, undefined))) {
      await removeFile(aside.path);
    }
  }
}

/**
 * Creates `path`, which must not exist, so that no reader ever sees it half-written: the data is
 * written to an aside file beside it, then hard-linked into place — link(2) fails when the name
 * exists, exactly like an exclusive create. False when `path` exists already; the aside is
 * removed either way (a process killed meanwhile leaves it: see listAsides). For files whose
 * existence is the message (locks, edit journals).
 */
export async function tryCreateComplete(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<boolean> {
  if (options.mkdirs) await mkdir(dirname(path), { recursive: true });
  const temp = asideOf(path, process.pid);
  try {
    await createExclusive(temp, data, { ...options, mkdirs: false });
  } catch (error) {
    // Half an aside (a full disk) goes; a name another writer holds (EEXIST) is not ours to remove.
    if (errnoOf(error) !== "EEXIST") await unlink(temp).catch(() => {});
    throw error;
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (errnoOf(error) === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

const nodeCalls: FileCalls = {
  readFile: (path) => readFile(path, "utf8"),
  writeFile: createExclusive,
  rename,
  rm: (path) => rm(path, { force: true }),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
};

/** The real file system calls, with `replaced` ones instead where given. */
export function fileCalls(replaced: Partial<FileCalls> = {}): FileCalls {
  return { ...nodeCalls, ...replaced };
}

/**
 * Replaces `path` with `data` through a temp file beside it and a rename: a reader sees the old
 * file or the whole new one, never half. A failure removes the temp and leaves `path` as it was.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const calls = fileCalls(options.calls);
  if (options.mkdirs) await calls.mkdir(dirname(path));
  const temp = tempBeside(path);
  try {
    await calls.writeFile(temp, data, { ...options, mkdirs: false });
    await calls.rename(temp, path);
  } catch (error) {
    await calls.rm(temp).catch(() => {});
    throw error;
  }
}

/** Whether `path` lies strictly below `dir` by its spelling (no `..` escape; symlinks not resolved). */
export function isStrictlyInside(dir: string, path: string): boolean {
  const rel = relative(dir, resolve(path));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** The text of `path`, or undefined when it does not exist. Other errors are thrown. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The bytes of the regular file `path` and its permission bits (for a rewrite that keeps them);
 * undefined when it does not exist. Opening never blocks on a FIFO; anything but a regular file
 * (a directory, a FIFO, a device) is an error with code ENOTREG. Other errors are thrown.
 */
export async function readBytesAndMode(
  path: string,
  options: { noFollow?: boolean } = {},
): Promise<{ bytes: Uint8Array; mode: number } | undefined> {
  let handle: FileHandle;
  try {
    // With `noFollow`, a symlink at `path` is refused (ELOOP): a rename would replace the link.
    const follow = options.noFollow ? constants.O_NOFOLLOW : 0;
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | follow);
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return undefined;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw Object.assign(new Error(`${path} is not a regular file`), { code: "ENOTREG" });
    }
    return { bytes: await handle.readFile(), mode: info.mode & 0o7777 };
  } finally {
    await handle.close();
  }
}

/** The text of `path` (UTF-8). */
export async function readText(path: string): Promise<string> {
  return await readFile(path, "utf8");
}

/**
 * The text of the regular file `path` when it holds at most `maxBytes`; undefined when it does not
 * exist, is a symlink, a FIFO, a device or a directory, or is larger. For files a repository or
 * another user can plant (cache entries, state): opening never follows a symlink and never blocks
 * on a FIFO, and the size is bounded before anything is read.
 */
export async function readSmallRegularFile(path: string, maxBytes: number): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoOf(error);
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP" || code === "ENXIO") return undefined;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return undefined;
    // Sized by the stat (one byte more shows a file that grew since), never by the bound.
    const bytes = Buffer.allocUnsafe(info.size + 1);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // Changed since the stat (grown or replaced): not read in part; the caller treats it as absent.
    return filled > info.size ? undefined : bytes.subarray(0, filled).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Whether something (file, directory, symlink target) exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return false;
    throw error;
  }
}

/** What is at `path` (symlinks followed): a file, a directory, something else, or nothing. */
export async function pathKind(path: string): Promise<"file" | "directory" | "other" | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? "file" : info.isDirectory() ? "directory" : "other";
  } catch (error) {
    if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return undefined;
    throw error;
  }
}

/** When `path` was last modified (ms since the epoch); undefined when it does not exist. */
export async function modifiedAtMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** The names in directory `dir`, sorted; undefined when it does not exist. */
export async function listDirIfExists(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return undefined;
    throw error;
  }
}

/** Removes the file `path`; false when there was none. Other errors are thrown. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return false;
    throw error;
  }
}

/** Removes `path` and everything under it; nothing when it does not exist. */
export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Removes `path` and everything under it, synchronously: for exit and signal handlers only. */
export function removeTreeSync(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** The size in bytes of what `path` names; undefined when it does not exist. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return undefined;
    throw error;
  }
}

/** Creates directory `dir`; with `parents`, its parents too and no error when it exists. */
export async function makeDir(dir: string, options: { parents?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: options.parents === true });
}

/** A new empty directory under the system's temp directory, named `<prefix><random>`. */
export async function makeTempDir(prefix: string): Promise<string> {
  return await mkdtemp(join(tmpdir(), prefix));
}

/** Creates a symlink at `path` pointing to `target`. */
export async function createSymlink(target: string, path: string): Promise<void> {
  await symlink(target, path);
}

/**
 * fsyncs directory `dir`, so the renames and links in it survive a power loss; a file system
 * that cannot fsync a directory is no error.
 */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

/**
 * Fills a new directory `<parent>/<prefix><random>` through `fill`, then moves it to `dest` in
 * one rename, replacing what was there: `dest` holds all of it or, when `fill` throws, what it
 * held before (the partial directory is removed).
 */
export async function replaceDirWith(
  parent: string,
  prefix: string,
  dest: string,
  fill: (dir: string) => Promise<void>,
): Promise<void> {
  const temp = join(parent, `${prefix}${randomBytes(6).toString("hex")}`);
  await mkdir(temp);
  try {
    await fill(temp);
    const target = resolve(dest);
    await rm(target, { recursive: true, force: true });
    await mkdir(dirname(target), { recursive: true });
    await rename(temp, target);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
