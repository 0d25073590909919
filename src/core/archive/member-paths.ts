/**
 * Member paths as an extractor would resolve them: traversal, link targets, collisions and
 * the sdist's top directory. Pure string logic over the member list ([P706] tarfile data
 * filter, [PIP] unpacking.py, cpython gh-107845 and gh-149486 for the link rules).
 */
import { PATH_SYMLINK, PathIndex } from "./path-index.ts";

/** Path segments with `.` and empty segments dropped; `\` counts as a separator (Windows). */
function segments(path: string): string[] {
  return path.split(/[/\\]/).filter((s) => s !== "" && s !== ".");
}

/** True for `/x`, `\x`, `C:x`, `//host/share` — anything not relative to the extraction root. */
export function isAbsolute(path: string): boolean {
  return /^[/\\]/.test(path) || /^[A-Za-z]:/.test(path);
}

/**
 * Resolves `..` like `posixpath.normpath` from the extraction root. `escapes` is true when a
 * `..` climbs above the root at any point (what pip and the data filter refuse).
 */
export function resolvePath(path: string): { parts: string[]; escapes: boolean } {
  const parts: string[] = [];
  let escapes = false;
  for (const s of segments(path)) {
    if (s !== "..") parts.push(s);
    else if (parts.length > 0) parts.pop();
    else escapes = true;
  }
  return { parts, escapes };
}

/** SEC01: why extracting a member named `name` is unsafe, with the severity. */
export function traversalProblem(name: string): { severity: "error" | "warning"; why: string } | undefined {
  if (/^(\/\/|\\\\)/.test(name)) return { severity: "error", why: "is a UNC path" };
  if (/^[A-Za-z]:/.test(name)) return { severity: "error", why: "starts with a drive letter" };
  if (/^[/\\]/.test(name)) return { severity: "error", why: "is an absolute path" };
  // Only a `..` segment can climb: most names have none and need no splitting (runs per member).
  if (!name.includes("..")) return undefined;
  const { escapes } = resolvePath(name);
  if (escapes) return { severity: "error", why: "resolves outside the extraction directory" };
  if (segments(name).includes("..")) return { severity: "warning", why: "contains a `..` segment" };
  return undefined;
}

const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** The member's path relative to the root: `./` and trailing `/` removed. */
export function memberPath(name: string): string {
  // Most names are already clean (no `\`, no empty, `.` or `..` segment): they resolve to
  // themselves, less a trailing `/`, without splitting (this runs several times per member).
  if (!name.startsWith("/") && !name.includes("\\") && !name.includes("//") && !DOT_SEGMENT.test(name)) {
    return name.endsWith("/") ? name.slice(0, -1) : name;
  }
  return resolvePath(name).parts.join("/");
}

/** A set of paths that can only be asked whether it has one. */
export interface PathSet {
  has(path: string): boolean;
}

/**
 * Every path that exists after extraction: the members and their parent directories. A tree of
 * segments, not a set of every prefix string: that costs the square of a deep path's length.
 */
export function existingPaths(names: Iterable<string>): PathSet {
  const index = new PathIndex();
  for (const name of names) {
    const { parts, escapes } = resolvePath(name);
    if (!escapes && parts.length > 0) index.add(parts.join("/"));
  }
  return { has: (path) => path !== "" && index.find(path) !== undefined };
}

export interface LinkVerdict {
  severity: "error" | "warning";
  why: string;
}

/**
 * SEC03: a symlink target is relative to the link's directory, a hardlink target to the
 * archive root (gh-107845); both are normalized before the containment test, and a link that
 * resolves to the root itself is refused too (gh-149486).
 */
export function linkProblem(
  link: { name: string; kind: "symlink" | "hardlink"; target: string },
  existing: PathSet,
): LinkVerdict | undefined {
  const target = link.target;
  if (target === "") return { severity: "error", why: "has an empty target" };
  if (isAbsolute(target)) return { severity: "error", why: `points to the absolute path ${target}` };
  const linkParts = resolvePath(link.name).parts;
  const base = link.kind === "symlink" ? linkParts.slice(0, -1).join("/") : "";
  const { parts, escapes } = resolvePath(base === "" ? target : `${base}/${target}`);
  if (escapes)
    return { severity: "error", why: `target ${target} resolves outside the extraction directory` };
  if (parts.length === 0)
    return { severity: "error", why: `target ${target} resolves to the extraction directory itself` };
  const resolved = parts.join("/");
  if (resolved === linkParts.join("/")) return { severity: "error", why: "points to itself" };
  if (!existing.has(resolved)) {
    return { severity: "warning", why: `target ${target} (${resolved}) is not in the archive` };
  }
  return undefined;
}

/** Members whose path passes through a symlink member: extraction would write through it. */
export function throughSymlink(names: readonly string[], symlinks: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  if (symlinks.size === 0) return out;
  const index = new PathIndex();
  for (const link of symlinks) index.add(link, PATH_SYMLINK);
  for (const name of names) {
    let via: number | undefined;
    index.find(resolvePath(name).parts.join("/"), (parent) => {
      if (via === undefined && (index.flagsOf(parent) & PATH_SYMLINK) !== 0) via = parent;
    });
    if (via !== undefined) out.set(name, index.nameOf(via) ?? "");
  }
  return out;
}

/**
 * SEC07: groups of distinct member paths that land on the same file on a case-insensitive or
 * normalizing file system (macOS, Windows): same path after NFC and case folding.
 */
export function collisions(names: readonly string[]): string[][] {
  // Two paths collide only through one that NFC and case folding change: those are collected
  // first (a few per wheel: METADATA, LICENSE...), then one more pass finds the unchanged paths
  // equal to their keys. No map of every member: for 150,000 members it cost ~30 MB.
  const groups = new Map<string, { first: number; paths: Map<string, number> }>();
  const join = (key: string, path: string, index: number) => {
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { first: index, paths: new Map([[path, index]]) });
    else if (!group.paths.has(path)) {
      group.paths.set(path, index);
      group.first = Math.min(group.first, index);
    }
  };
  for (let i = 0; i < names.length; i++) {
    const path = memberPath(names[i]!);
    const key = path.normalize("NFC").toLowerCase();
    if (path !== "" && key !== path) join(key, path, i);
  }
  if (groups.size === 0) return [];
  // A key is NFC and lower case: only a path folding leaves unchanged can equal one.
  for (let i = 0; i < names.length; i++) {
    const path = memberPath(names[i]!);
    if (groups.has(path)) join(path, path, i);
  }
  const byOrder = (a: [unknown, number], b: [unknown, number]) => a[1] - b[1];
  return [...groups.values()]
    .filter((g) => g.paths.size > 1)
    .sort((a, b) => a.first - b.first)
    .map((g) => [...g.paths].sort(byOrder).map(([path]) => path));
}

/** Exact duplicate member names, with how often each appears. */
export function duplicates(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) {
    const key = memberPath(name) || name;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [k, n] of counts) if (n < 2) counts.delete(k);
  return counts;
}

/**
 * ART08: the single top-level directory of an sdist, as `os.path.commonpath` sees it (twine
 * sdist.py). `undefined` when there is none: members in several top-level entries, or none.
 */
export function topLevelDirectory(names: readonly string[]): { top?: string; tops: string[] } {
  const tops = new Set<string>();
  let absolute = false;
  let relative = false;
  for (const name of names) {
    if (/^[/\\]/.test(name)) absolute = true;
    else relative = true;
    tops.add(segments(name)[0] ?? "");
  }
  const list = [...tops];
  if (absolute && relative) return { tops: list };
  if (list.length !== 1 || list[0] === "" || list[0] === "..") return { tops: list };
  return { top: list[0]!, tops: list };
}

/**
 * The deepest nesting slipway accepts. pip, installer and tarfile create a member's parent
 * directories with os.makedirs, which recurses once per missing directory: with CPython's
 * recursion limit of 1000, a wheel member 1,000 directories deep fails to install with
 * RecursionError (measured with pip 23.2 and installer 1.1 on CPython 3.11; 980 installs).
 * 900 leaves room for the frames of whatever calls os.makedirs.
 */
export const MAX_PATH_DEPTH = 900;
/** Linux's PATH_MAX: a longer path cannot be given to open() or mkdir() (ENAMETOOLONG). */
export const MAX_PATH_BYTES = 4096;
/** NAME_MAX of Linux and macOS file systems (Windows: 255 UTF-16 units): no longer file name. */
export const MAX_NAME_BYTES = 255;

/** ART11: why a member's path cannot be created on disk, looked at once, character by character. */
export function pathLimitProblem(name: string): string | undefined {
  let bytes = 0;
  let depth = 0;
  let segment = 0;
  let longest = 0;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0x2f) {
      depth++;
      longest = Math.max(longest, segment);
      segment = 0;
      bytes++;
      continue;
    }
    // UTF-8 length: a surrogate pair is one 4-byte character, counted 2 + 2.
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code < 0xe000 ? 2 : 3;
    bytes += size;
    segment += size;
  }
  longest = Math.max(longest, segment);
  if (depth > MAX_PATH_DEPTH) {
    return `is ${depth} directories deep: installers create directories with os.makedirs, which fails with RecursionError past ~990 levels (slipway's limit is ${MAX_PATH_DEPTH})`;
  }
  if (bytes > MAX_PATH_BYTES) {
    return `has a path of ${bytes} bytes: no path over ${MAX_PATH_BYTES} bytes (PATH_MAX) can be created on Linux`;
  }
  if (longest > MAX_NAME_BYTES) {
    return `has a name of ${longest} bytes in its path: file systems refuse names over ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
}
