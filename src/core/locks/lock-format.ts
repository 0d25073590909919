/**
 * Which lockfile format a file name announces, apart from the readers (pins.ts) so that a scan
 * whose pins come from the cache never loads the TOML parser.
 */
export type LockFormat = "uv.lock" | "poetry.lock" | "pylock.toml" | "requirements" | "Pipfile.lock";

/** The format a file name announces (`requirements-dev.txt`, `pylock.ci.toml`), if it is one. */
export function lockFormatOf(path: string): LockFormat | undefined {
  const base = path.split(/[\\/]/).pop() ?? path;
  if (base === "uv.lock") return "uv.lock";
  if (base === "poetry.lock") return "poetry.lock";
  if (base === "Pipfile.lock") return "Pipfile.lock";
  if (/^pylock(?:\.[^.\\/]+)?\.toml$/.test(base)) return "pylock.toml";
  if (/^requirements.*\.(?:txt|in)$/i.test(base)) return "requirements";
  return undefined;
}

/**
 * Whether a file of a project's root is a lockfile the scans read when none is named: a
 * `requirements*.in` is what pip-compile reads, not pins.
 */
export function isProjectLockfile(name: string): boolean {
  const format = lockFormatOf(name);
  return format !== undefined && !(format === "requirements" && !name.toLowerCase().endsWith(".txt"));
}
