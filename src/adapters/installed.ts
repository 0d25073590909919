/**
 * `slipway scan deps --installed VENV`: the packages installed in a virtual environment, read
 * from each `*.dist-info/METADATA` of its site-packages (what `pip list` reports), without
 * running its Python.
 */
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { normalizeName } from "../core/names/name.ts";
import { listDirIfExists, readSmallRegularFile } from "./fs.ts";

export interface InstalledPackage {
  /** `Name:` as the metadata writes it. */
  name: string;
  normalized: string;
  version: string;
  /** The METADATA file it was read from. */
  file: string;
}

const METADATA_BYTES = 16 * 1024 * 1024;

/**
 * The site-packages directories of `venv`: `lib/pythonX.Y/site-packages` (POSIX, also
 * `lib64`) and `Lib/site-packages` (Windows). A directory that is itself a site-packages (it
 * holds `*.dist-info` folders) is accepted as given.
 */
export async function sitePackagesDirs(venv: string): Promise<string[]> {
  const dirs: string[] = [];
  // lib64 is often a symlink to lib: each directory is listed once, by its real path.
  const seen = new Set<string>();
  const add = async (dir: string): Promise<void> => {
    const real = await realpath(dir).catch(() => dir);
    if (seen.has(real)) return;
    seen.add(real);
    dirs.push(dir);
  };
  for (const lib of ["lib", "lib64"]) {
    for (const entry of (await listDirIfExists(join(venv, lib))) ?? []) {
      if (!/^(?:python|pypy)\d/.test(entry)) continue;
      const site = join(venv, lib, entry, "site-packages");
      if ((await listDirIfExists(site)) !== undefined) await add(site);
    }
  }
  const windows = join(venv, "Lib", "site-packages");
  if ((await listDirIfExists(windows)) !== undefined) await add(windows);
  if (
    dirs.length === 0 &&
    ((await listDirIfExists(venv)) ?? []).some((entry) => entry.endsWith(".dist-info"))
  ) {
    dirs.push(venv);
  }
  return dirs;
}

/**
 * Every installed distribution of `venv`, sorted by normalized name. A dist-info without a
 * readable `Name`/`Version` is skipped and reported in `unreadable`.
 */
export async function listInstalled(
  venv: string,
): Promise<{ packages: InstalledPackage[]; unreadable: string[] }> {
  const packages: InstalledPackage[] = [];
  const unreadable: string[] = [];
  for (const site of await sitePackagesDirs(venv)) {
    for (const entry of ((await listDirIfExists(site)) ?? []).sort()) {
      if (!entry.endsWith(".dist-info")) continue;
      const file = join(site, entry, "METADATA");
      const text = await readSmallRegularFile(file, METADATA_BYTES).catch(() => undefined);
      const fields = text === undefined ? undefined : nameAndVersion(text);
      if (!fields) {
        unreadable.push(file);
        continue;
      }
      packages.push({ ...fields, normalized: normalizeName(fields.name), file });
    }
  }
  packages.sort((a, b) => (a.normalized < b.normalized ? -1 : a.normalized > b.normalized ? 1 : 0));
  return { packages, unreadable };
}

/** `Name` and `Version` from the header block of a METADATA text (RFC 822 style). */
export function nameAndVersion(text: string): { name: string; version: string } | undefined {
  let name: string | undefined;
  let version: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    const match = /^([A-Za-z-]+):[ \t]*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const key = (match[1] ?? "").toLowerCase();
    if (key === "name" && name === undefined) name = match[2];
    else if (key === "version" && version === undefined) version = match[2];
  }
  return name && version ? { name, version } : undefined;
}
