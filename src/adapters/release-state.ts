/**
 * The file operations of `slipway release`'s steps that src/adapters/fs.ts does not cover:
 * removing a directory tree (a build's output, a scratch stage) and putting a directory in place
 * whole (the artifacts a resume restores from the remote), so ops/ holds no node:fs.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { readTextIfExists } from "./fs.ts";

/** Removes `path` and everything under it; nothing there is fine. */
export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** The text of `path`, or null when it cannot be read (absent, a directory, unreadable). */
export async function readTextOrNull(path: string): Promise<string | null> {
  return (await readTextIfExists(path).catch(() => undefined)) ?? null;
}

/**
 * Fills a new directory `<parent>/<prefix><random>` through `fill`, then
 * moves it to `dest` in one rename, replacing what was there: `dest` holds all of it or, when
 * `fill` throws, what it held before (the partial directory is removed).
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
