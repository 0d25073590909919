/**
 * The one implementation of the file operations whose subtle parts matter: writing a file so a
 * reader sees the old content or the whole new one (never half), creating a file that must not
 * exist yet, and reading a file that may be absent. Every other module (journals, caches, the
 * index store, dist output, edits, locks) writes through these instead of its own copy.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface WriteOptions {
  /** The file's mode (not masked by the umask). Default 0o644. */
  mode?: number;
  /** fsync before closing, so the bytes survive a power loss once the call returns. Default false. */
  durable?: boolean;
  /** Create the parent directories first. Default false. */
  mkdirs?: boolean;
}

/** The errno code of a Node.js system error, or undefined. */
export function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** A temp name beside `path` that no other writer picks: `.<name>.<12 hex>.tmp`. */
export function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
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
    await handle.chmod(mode);
    if (options.durable) await handle.sync();
  } finally {
    await handle.close();
  }
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

/**
 * Replaces `path` with `data` through a temp file beside it and a rename: a reader sees the old
 * file or the whole new one, never half. A failure removes the temp and leaves `path` as it was.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  if (options.mkdirs) await mkdir(dirname(path), { recursive: true });
  const temp = tempBeside(path);
  try {
    await createExclusive(temp, data, { ...options, mkdirs: false });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
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
