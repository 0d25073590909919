/**
 * `license-files` glob patterns (https://packaging.python.org/en/latest/specifications/glob-patterns/):
 * which patterns are valid, and which project files a valid one matches. Matching follows the
 * spec's reference implementation, Python's `glob.glob(pattern, recursive=True)` on POSIX:
 * case-sensitive, `*`/`?`/`[...]` stay inside one path segment, `**` alone spans segments, and
 * wildcards skip names starting with `.` unless the pattern segment itself starts with `.`.
 */

export interface GlobProblem {
  severity: "error" | "warning";
  reason: string;
}

// The reference implementation's character check; Python's `\w` is Unicode letters, digits and `_`.
const ALLOWED = /^[\p{L}\p{N}_ \-./*?[\]]+$/u;
const DISALLOWED = /[^\p{L}\p{N}_ \-./*?[\]]/u;

/** Why a pattern is not a valid glob for `license-files`; empty when it is. */
export function globProblems(pattern: string): GlobProblem[] {
  if (pattern === "") return [{ severity: "error", reason: "is empty" }];
  const problems: GlobProblem[] = [];
  if (pattern.includes("\\")) {
    problems.push({ severity: "error", reason: "uses `\\`; the path delimiter must be `/`" });
  }
  if (pattern.startsWith("/") || /^[A-Za-z]:/.test(pattern)) {
    problems.push({ severity: "error", reason: "is absolute; patterns are relative to the project root" });
  }
  const segments = pattern.split("/");
  if (segments.includes("..")) {
    problems.push({ severity: "error", reason: "contains `..`; patterns must stay inside the project" });
  } else if (pattern.includes("..")) {
    // The spec's reference code refuses any "..", so backends that copied it fail on LICENSE..txt.
    problems.push({
      severity: "warning",
      reason: "contains `..`, which the reference implementation refuses",
    });
  }
  if (!ALLOWED.test(pattern)) {
    const bad = DISALLOWED.exec(pattern)?.[0];
    if (bad !== undefined && bad !== "\\") {
      problems.push({
        severity: "error",
        reason: `contains ${JSON.stringify(bad)}, which glob patterns may not use`,
      });
    }
  }
  return problems;
}

const MAGIC = /[*?[]/;

const isHidden = (name: string): boolean => name.startsWith(".");

/** fnmatch's translation of one segment into a regular expression (POSIX, case-sensitive). */
export function segmentRegExp(segment: string): RegExp {
  let source = "";
  let i = 0;
  while (i < segment.length) {
    const c = segment[i] as string;
    i++;
    if (c === "*") {
      if (!source.endsWith(".*")) source += ".*";
    } else if (c === "?") {
      source += ".";
    } else if (c === "[") {
      const close = classEnd(segment, i);
      if (close < 0) source += literal("[");
      else {
        source += charClass(segment.slice(i, close));
        i = close + 1;
      }
    } else source += literal(c);
  }
  return new RegExp(`^${source}$`, "su");
}

/** Index of the `]` closing a class whose content starts at `from`, or -1 (then `[` is literal). */
function classEnd(segment: string, from: number): number {
  let j = from;
  if (segment[j] === "!") j++;
  if (segment[j] === "]") j++;
  return segment.indexOf("]", j);
}

const literal = (c: string): string => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`;

/**
 * A bracket expression as fnmatch reads it: `!` first negates; a `-` between two characters is a
 * range (the character after a range's end is never a range start, so `a-b-c` is a-b, `-`, `c`);
 * a leading or trailing `-` is literal; a range whose start is above its end matches nothing.
 */
function charClass(content: string): string {
  const negate = content.startsWith("!");
  const body = [...(negate ? content.slice(1) : content)];
  // Split at range hyphens: the search starts after the first character and resumes two
  // characters after each range end, so the character right after a range is never a hyphen.
  const chunks: string[][] = [];
  let start = 0;
  for (let k = 1; ; ) {
    const hyphen = body.indexOf("-", k);
    if (hyphen < 0) break;
    chunks.push(body.slice(start, hyphen));
    start = hyphen + 1;
    k = hyphen + 3;
  }
  const last = body.slice(start);
  if (last.length > 0) chunks.push(last);
  else chunks.at(-1)?.push("-");
  // Drop empty ranges (start above end), as fnmatch does before compiling.
  const code = (c: string | undefined): number => c?.codePointAt(0) ?? -1;
  for (let k = chunks.length - 1; k > 0; k--) {
    const before = chunks[k - 1] as string[];
    const after = chunks[k] as string[];
    if (code(before.at(-1)) > code(after[0])) {
      chunks[k - 1] = [...before.slice(0, -1), ...after.slice(1)];
      chunks.splice(k, 1);
    }
  }
  const items = chunks.map((chunk) => chunk.map(literal).join("")).join("-");
  if (items === "") return negate ? "." : "(?!)";
  return negate ? `[^${items}]` : `[${items}]`;
}

/**
 * A compiled pattern: a predicate over relative POSIX file paths. `hidden: true` lets wildcards
 * match names starting with `.` too (an allow-list meant "everything under tests/").
 */
export function compileGlob(pattern: string, options: { hidden?: boolean } = {}): (path: string) => boolean {
  const skips = options.hidden === true ? () => false : isHidden;
  const raw = pattern.split("/");
  // A trailing `/` selects directories only, so no file matches; empty and `.` segments are no-ops.
  if (raw.length > 1 && raw.at(-1) === "") return () => false;
  const segments = raw.filter((s) => s !== "" && s !== ".");
  const compiled = segments.map((s) =>
    s === "**" ? ("**" as const) : MAGIC.test(s) ? { re: segmentRegExp(s), dotted: isHidden(s) } : s,
  );
  const match = (names: readonly string[], at: number, from: number): boolean => {
    if (at === compiled.length) return from === names.length;
    const part = compiled[at];
    if (part === "**") {
      // Zero or more segments, none hidden (glob's _rlistdir skips dot names).
      for (let end = from; end <= names.length; end++) {
        if (match(names, at + 1, end)) return true;
        const name = names[end];
        if (name === undefined || skips(name)) return false;
      }
      return false;
    }
    const name = names[from];
    if (name === undefined) return false;
    if (typeof part === "string") return part === name && match(names, at + 1, from + 1);
    if (part === undefined || (skips(name) && !part.dotted)) return false;
    return part.re.test(name) && match(names, at + 1, from + 1);
  };
  return (path: string) => match(path.split("/"), 0, 0);
}

/** The files (relative POSIX paths) a pattern matches, in input order. */
export function matchGlob(pattern: string, files: readonly string[]): string[] {
  const test = compileGlob(pattern);
  return files.filter(test);
}

/** Whether a pattern matches only directories (a prefix of some file path) and no file. */
export function matchesOnlyDirectories(pattern: string, files: readonly string[]): boolean {
  const trimmed = pattern.replace(/\/+$/, "");
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.split("/");
    for (let n = 1; n < parts.length; n++) dirs.add(parts.slice(0, n).join("/"));
  }
  return matchGlob(trimmed, [...dirs]).length > 0;
}
