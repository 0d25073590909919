/**
 * The build's output directory: finished artifacts arrive all together or not at all, and the
 * checksums and the manifest are replaced atomically (written beside, then renamed).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  ARTIFACT_PATTERN,
  isOwnSumsFile,
  LEGACY_SUMS_FILE,
  MANIFEST_FILE,
  SUMS_FILE,
} from "../core/build/output.ts";
import { tempBeside } from "./fs.ts";

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return { sha256: hash.digest("hex"), size: (await stat(path)).size };
}

/** Distribution files directly in `dir` (none when it does not exist). */
export async function listArtifacts(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => ARTIFACT_PATTERN.test(n)).sort();
  } catch {
    return [];
  }
}

/** `--clean`: removes the distributions and slipway's own files from `dir`, nothing else. */
export async function cleanOutput(dir: string): Promise<string[]> {
  const removed = await listArtifacts(dir);
  for (const name of [...removed, SUMS_FILE, MANIFEST_FILE]) await rm(join(dir, name), { force: true });
  await removeLegacySums(dir);
  return removed;
}

/** More than any checksums file of one release; a larger `SHA256SUMS` is not slipway's. */
const LEGACY_SUMS_LIMIT = 1024 * 1024;

/**
 * Removes the visible `SHA256SUMS` an earlier slipway wrote into `dir` (it broke `twine upload
 * dist/*`); a file of that name that slipway did not write stays. True when one was removed.
 */
export async function removeLegacySums(dir: string): Promise<boolean> {
  const path = join(dir, LEGACY_SUMS_FILE);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile() || info.size > LEGACY_SUMS_LIMIT) return false;
  if (!isOwnSumsFile(await readFile(path, "utf8"))) return false;
  await rm(path, { force: true });
  return true;
}

/**
 * Moves finished files into `dir`: each is first copied beside its final name (a hidden temp
 * name), and only when every copy succeeded are they renamed into place, so a failure leaves
 * no artifact half-written or half of a set installed.
 */
export async function installArtifacts(files: readonly string[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const staged: { tmp: string; final: string }[] = [];
  try {
    for (const file of files) {
      const final = join(dir, basename(file));
      const tmp = tempBeside(final);
      staged.push({ tmp, final });
      await copyFile(file, tmp);
    }
  } catch (error) {
    for (const s of staged) await rm(s.tmp, { force: true });
    throw error;
  }
  for (const s of staged) await rename(s.tmp, s.final);
  return staged.map((s) => s.final);
}

/** Writes `text` to `path` through a temp file and a rename (adapters/fs.ts). */
// issue 12: ops/build.ts imports it under this name; the lead may point it at fs.ts after merging.
export { writeFileAtomic as writeAtomic } from "./fs.ts";
