/**
 * Where a version lives inside a file, and the one splice every version editor uses: only the
 * value's characters change, so formatting, comments, quotes and line endings stay byte-identical.
 */
import { isCanonicalVersion } from "../pep440/version.ts";
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";

/** How the value is delimited: a Python/TOML string quote, a Python tuple, or nothing (INI, marker). */
export type SpotQuote = '"' | "'" | '"""' | "'''" | "(" | "";

export interface VersionSpot {
  /** 1-based line and column (UTF-16 code units) of the value's first character. */
  line: number;
  column: number;
  /** Offsets of the value inside its delimiters: `text.slice(start, end) === raw`. */
  start: number;
  end: number;
  /** The version as declared: the string's content, or `1.2.3` for the tuple `(1, 2, 3)`. */
  value: string;
  /** The exact source text between `start` and `end` (`1, 2, 3` for a tuple). */
  raw: string;
  quote: SpotQuote;
}

/** 1-based line and column of `offset`; lines end at `\n`, `\r\n` or a lone `\r` (as in Python). */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (const m of text.slice(0, offset).matchAll(LINE_END)) {
    line++;
    start = m.index + m[0].length;
  }
  return { line, column: offset - start + 1 };
}

const LINE_END = /\r\n|\r|\n/g;

/** A spot for `text.slice(start, end)` declaring `value`. */
export function makeSpot(
  text: string,
  start: number,
  end: number,
  quote: SpotQuote,
  value = text.slice(start, end),
): VersionSpot {
  const { line, column } = positionAt(text, start);
  return { line, column, start, end, value, raw: text.slice(start, end), quote };
}

/**
 * The single spot, or a failure that says how many were found and where: "found 0" and
 * "found 2 (lines 3, 9)" read differently so the user knows whether to add or remove one.
 */
export function exactlyOne(found: Parsed<VersionSpot[]>, what: string): Parsed<VersionSpot> {
  if (!found.ok) return found;
  const spots = found.value;
  if (spots.length === 1) return ok(spots[0]!);
  if (spots.length === 0) return fail(`found 0 ${what}; expected exactly 1`);
  const lines = spots.map((s) => s.line).join(", ");
  return fail(`found ${spots.length} ${what} (lines ${lines}); expected exactly 1`);
}

/**
 * Replaces the spot's characters with `replacement`. Fails when the text no longer holds the
 * spot's raw value there (it was found in another text, or the file changed since).
 */
export function spliceSpot(text: string, spot: VersionSpot, replacement: string): Parsed<string> {
  if (spot.start < 0 || spot.end > text.length || text.slice(spot.start, spot.end) !== spot.raw) {
    return fail(`line ${spot.line} no longer holds ${JSON.stringify(spot.raw)}; find the version again`);
  }
  return ok(text.slice(0, spot.start) + replacement + text.slice(spot.end));
}

/**
 * New values must be canonical PEP 440 (`1.2.4rc1`, never `v1.2.4-RC1`): the characters of a
 * canonical version ([0-9a-z.!+]) need no escaping in any quote style the editors handle.
 */
export function checkNewVersion(newValue: string): string | undefined {
  if (isCanonicalVersion(newValue)) return undefined;
  return `${JSON.stringify(newValue)} is not a normalized PEP 440 version; normalize it before writing`;
}

/** The offset where the 1-based `line` starts (line ends as in `positionAt`), or -1 past the end. */
export function lineStart(text: string, line: number): number {
  if (line === 1) return 0;
  let n = 1;
  for (const m of text.matchAll(LINE_END)) {
    if (++n === line) return m.index + m[0].length;
  }
  return -1;
}
