/**
 * Versions in arbitrary files (README install lines, Dockerfiles, docs config, YAML), marked by a
 * comment on the same line, like release-please's `x-release-please-version`:
 *
 *     pip install demo==1.2.3   # slipway: version
 *     <span>v1.2.3</span>       <!-- slipway: version -->
 *
 * The version is the first PEP 440-looking token on the marked line outside the marker itself.
 */
import { parseVersion } from "../pep440/version.ts";
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { VersionSpot } from "./spot.ts";
import { checkNewVersion, makeSpot, spliceSpot } from "./spot.ts";

export const DEFAULT_MARKER = "slipway: version";

// PEP 440's grammar without the leading `v` and blanks (the token must start with a digit).
const TOKEN =
  /(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:alpha|beta|preview|pre|rc|a|b|c)[-_.]?[0-9]*)?(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?/iy;
// A token is cut out of a longer word or number when one of these touches it.
const WORD = /[A-Za-z0-9_+!-]/;

/**
 * One spot per line containing `marker` (every line: the caller decides how many it expects).
 * A token counts when it starts at a word boundary (a `v` right before it is kept, as is the
 * `name-` of `demo-1.2.3.tar.gz`), does not run on into letters or digits, and parses as
 * PEP 440: in `python3.11 ghcr.io/x/y:1.2.3` only `1.2.3` qualifies, and `2024-05-01` never does. A marked line
 * without a version fails, so a marker is never silently ignored.
 */
export function findMarkedVersion(text: string, marker = DEFAULT_MARKER): Parsed<VersionSpot[]> {
  if (marker.trim() === "") return fail("the version marker is empty");
  const spots: VersionSpot[] = [];
  let line = 0;
  for (const { start, content } of lines(text)) {
    line++;
    const at = content.indexOf(marker);
    if (at < 0) continue;
    const token = firstToken(content, at, at + marker.length);
    if (token === undefined) return fail(`line ${line} has the marker "${marker}" but no version on it`);
    spots.push(makeSpot(text, start + token[0], start + token[1], ""));
  }
  return ok(spots);
}

/** Lines without their endings (`\n`, `\r\n` or a lone `\r`) and where each starts. */
function* lines(text: string): Generator<{ start: number; content: string }> {
  const ending = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = ending.exec(text); m !== null; m = ending.exec(text)) {
    yield { start, content: text.slice(start, m.index) };
    start = m.index + m[0].length;
  }
  yield { start, content: text.slice(start) };
}

/** Writes `newValue` (canonical PEP 440) over the token; a `v` before it and the marker stay. */
export function replaceMarkedVersion(text: string, spot: VersionSpot, newValue: string): Parsed<string> {
  const bad = checkNewVersion(newValue);
  if (bad !== undefined) return fail(bad);
  return spliceSpot(text, spot, newValue);
}

/** Start and end of the first version token of `line`, skipping the marker's own span. */
function firstToken(line: string, markerStart: number, markerEnd: number): [number, number] | undefined {
  for (let i = 0; i < line.length; i++) {
    if (i >= markerStart && i < markerEnd) {
      i = markerEnd - 1;
      continue;
    }
    if (!isDigit(line, i) || !startsWord(line, i)) continue;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(line);
    const end = i + (m?.[0].length ?? 0);
    const overlapsMarker = i < markerStart && end > markerStart;
    if (m !== null && !overlapsMarker && endsWord(line, end) && parseVersion(m[0]) !== undefined)
      return [i, end];
    // Skip the rest of this word so `2024-05-01` does not yield `05-01`.
    while (i + 1 < line.length && /[A-Za-z0-9_+!.-]/.test(line[i + 1]!)) i++;
  }
  return undefined;
}

function isDigit(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

function startsWord(line: string, i: number): boolean {
  const before = line[i - 1];
  if (before === undefined) return true;
  const prev = line[i - 2] ?? "";
  // `v1.2.3` keeps its `v`; `demo-1.2.3.tar.gz` names a distribution: a letter, then `-` or `_`.
  if (before === "v" || before === "V") return !(WORD.test(prev) || prev === ".");
  if (before === "-" || before === "_") return /[A-Za-z]/.test(prev);
  return !(WORD.test(before) || before === ".");
}

function endsWord(line: string, end: number): boolean {
  const after = line[end];
  if (after === undefined) return true;
  // `1.2.3.`, `1.2.3-py3`, `1.2.3.tar.gz` end the version; `2024-05-01` and `1.2.3.4x` do not.
  if (after === "." || after === "-" || after === "_") return !/[0-9]/.test(line[end + 1] ?? "");
  return !WORD.test(after);
}
