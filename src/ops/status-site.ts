/**
 * Writes the status site (`slipway status --site DIR`): the files assembled by
 * core/status/site.ts, each replaced atomically, so a static host serving DIR never shows half a
 * page. DIR is created when missing. A DIR that already holds files is written only when it is a
 * slipway site (it holds the marker file) or holds nothing but what a Pages branch keeps (`.git`,
 * `.nojekyll`, `CNAME`): slipway never mixes its files into someone else's directory.
 */
import { join, resolve } from "node:path";
import {
  isStrictlyInside,
  listDirIfExists,
  makeDir,
  pathKind,
  readSmallRegularFile,
  writeFileAtomic,
} from "../adapters/fs.ts";
import { SITE_MARKER } from "../core/status/site.ts";
import { SlipwayError } from "../errors.ts";

/** Names a directory may hold and still count as empty: what a GitHub Pages branch keeps. */
const NEUTRAL = new Set([".git", ".nojekyll", "CNAME"]);

export interface WriteStatusSiteOptions {
  /** The site directory, relative to `cwd`. */
  dir: string;
  cwd: string;
  /** Relative path → content, from assembleStatusSite. */
  files: ReadonlyMap<string, string>;
}

export interface StatusSiteWritten {
  /** The directory, absolute. */
  dir: string;
  /** The relative paths written, in order (the marker first). */
  written: string[];
}

/** Whether `text` is the marker a slipway site holds. */
function isMarker(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    const marker = JSON.parse(text) as { generator?: unknown };
    return marker.generator === "slipway";
  } catch {
    return false;
  }
}

/** Refuses a DIR that is not a directory, or that holds files of someone else. */
async function checkSiteDir(dir: string, shown: string): Promise<void> {
  const kind = await pathKind(dir);
  if (kind === undefined) return;
  if (kind !== "directory") {
    throw new SlipwayError("usage", `--site ${shown} is not a directory`, {
      hint: "name a new or empty directory, or the one an earlier `slipway status --site` wrote",
    });
  }
  const names = (await listDirIfExists(dir)) ?? [];
  if (names.every((name) => NEUTRAL.has(name))) return;
  if (names.includes(SITE_MARKER) && isMarker(await readSmallRegularFile(join(dir, SITE_MARKER), 4096)))
    return;
  throw new SlipwayError(
    "conflict",
    `--site ${shown} holds files slipway did not write (no ${SITE_MARKER} in it)`,
    { hint: "name a new or empty directory; slipway replaces only a site it wrote itself" },
  );
}

/**
 * Writes `files` into `dir` (created when missing): the marker first, so an interrupted first
 * run leaves a directory the next run may finish; each file through a temp file and a rename.
 */
export async function writeStatusSite(options: WriteStatusSiteOptions): Promise<StatusSiteWritten> {
  const dir = resolve(options.cwd, options.dir);
  await checkSiteDir(dir, options.dir);
  const paths = [...options.files.keys()].sort((a, b) =>
    a === SITE_MARKER ? -1 : b === SITE_MARKER ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  for (const path of paths) {
    if (!isStrictlyInside(dir, join(dir, path)) || path.includes("\\")) {
      throw new SlipwayError(
        "internal",
        `status site file ${JSON.stringify(path)} would land outside --site ${options.dir}`,
      );
    }
  }
  await makeDir(dir, { parents: true });
  for (const path of paths) {
    await writeFileAtomic(join(dir, path), options.files.get(path) ?? "", { mkdirs: true });
  }
  return { dir, written: paths };
}
