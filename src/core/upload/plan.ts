/**
 * The order of a publish: files grouped by release (normalized name + version), wheels first
 * and the sdist last in each, as twine and uv order them. The sdist going last means a release
 * whose sdist is on the index was sent whole.
 */
import { normalizeName } from "../names/name.ts";
import { canonicalizeVersion } from "../pep440/version.ts";

export interface PlannedFile {
  path: string;
  filename: string;
  /** Name and version from the file's metadata. */
  project: string;
  version: string;
  kind: "wheel" | "sdist";
}

export interface PlannedRelease<F extends PlannedFile = PlannedFile> {
  /** `normalized-name version`, the grouping key. */
  key: string;
  project: string;
  version: string;
  wheels: F[];
  sdists: F[];
}

export function releaseKey(project: string, version: string): string {
  return `${normalizeName(project)} ${canonicalizeVersion(version)}`;
}

/**
 * Groups `files` by release, releases in order of first appearance, wheels sorted by filename
 * and sdists after them. A path given twice is kept once.
 */
export function assembleReleases<F extends PlannedFile>(files: readonly F[]): PlannedRelease<F>[] {
  const releases = new Map<string, PlannedRelease<F>>();
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    const key = releaseKey(file.project, file.version);
    let release = releases.get(key);
    if (release === undefined) {
      release = { key, project: file.project, version: file.version, wheels: [], sdists: [] };
      releases.set(key, release);
    }
    (file.kind === "wheel" ? release.wheels : release.sdists).push(file);
  }
  const byName = (a: F, b: F) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0);
  for (const release of releases.values()) {
    release.wheels.sort(byName);
    release.sdists.sort(byName);
  }
  return [...releases.values()];
}

/** The files of a release in upload order. */
export function releaseFiles<F extends PlannedFile>(release: PlannedRelease<F>): F[] {
  return [...release.wheels, ...release.sdists];
}
