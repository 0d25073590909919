/**
 * A version string at a TOML key path (`project.version`, `tool.poetry.version`, any path),
 * edited in place: smol-toml validates the document and says what the value is, the scan of
 * src/core/pyproject/toml.ts says on which line the key is defined, and a small reader on that
 * line finds the string's span (release-please's toml-edit idea, without a second parser).
 */
import { formatKeyPath, parsePyproject, scanToml } from "../pyproject/toml.ts";
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { SpotQuote, VersionSpot } from "./spot.ts";
import { checkNewVersion, lineStart, makeSpot, spliceSpot } from "./spot.ts";

const BARE_KEY = /[A-Za-z0-9_-]/;
const SIMPLE_ESCAPES: Record<string, string> = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  '"': '"',
  "\\": "\\",
};

/**
 * Every definition of the string at `path` (0 or 1 in valid TOML; 0 when the key is absent).
 * Fails, as a value, when the text is not TOML that Python's tomllib reads, when the path holds
 * something other than a string or crosses an array of tables, when the key is written inside an
 * inline table (not edited: rewriting one safely needs a TOML writer), or when the string uses
 * escapes or line breaks (its text would differ from its value).
 */
export function findTomlVersion(text: string, path: readonly string[]): Parsed<VersionSpot[]> {
  const where = formatKeyPath(path);
  const parsed = parsePyproject(text);
  if (!parsed.ok) {
    const { message, line, column } = parsed.problem;
    return fail(`not valid TOML (line ${line}, column ${column}): ${message}`);
  }
  let node: unknown = parsed.value;
  for (let n = 0; n < path.length; n++) {
    if (Array.isArray(node))
      return fail(`${formatKeyPath(path.slice(0, n))} is an array, so ${where} is ambiguous`);
    if (!isRecord(node))
      return fail(`${formatKeyPath(path.slice(0, n))} is a ${typeName(node)}, not a table`);
    node = node[path[n]!];
    if (node === undefined) return ok([]);
  }
  if (typeof node !== "string") return fail(`${where} is a ${typeName(node)}, not a string`);

  const spots: VersionSpot[] = [];
  const lines = new Set<number>();
  for (const key of scanToml(text).keys) {
    if (key.path.length === path.length && key.path.every((p, n) => p === path[n])) lines.add(key.line);
  }
  for (const line of lines) {
    const spot = locateOnLine(text, line, path, node);
    if (!spot.ok) return spot;
    spots.push(spot.value);
  }
  // The scan stops at constructs it does not understand; a parsed key it did not reach is a bug.
  if (spots.length === 0)
    return fail(`${where} parses but its line could not be located; please report this`);
  return ok(spots);
}

/** Writes `newValue` (canonical PEP 440) into the string's span; quotes and comments stay. */
export function replaceTomlVersion(text: string, spot: VersionSpot, newValue: string): Parsed<string> {
  const bad = checkNewVersion(newValue);
  if (bad !== undefined) return fail(bad);
  if (spot.quote === "(") return fail(`line ${spot.line} is not a TOML string`);
  return spliceSpot(text, spot, newValue);
}

/** Reads `key.path = "value"` at the start of `line`, where scanToml recorded `path`. */
function locateOnLine(
  text: string,
  line: number,
  path: readonly string[],
  value: string,
): Parsed<VersionSpot> {
  const where = formatKeyPath(path);
  const inline = fail<VersionSpot>(
    `cannot edit ${where} at line ${line}: it is inside an inline table; write it as a plain key under its [table]`,
  );
  let i = lineStart(text, line);
  const skipBlank = (): void => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  const parts: string[] = [];
  for (;;) {
    skipBlank();
    const part = readKeyPart(text, i);
    if (part === undefined) return inline;
    parts.push(part.key);
    i = part.end;
    skipBlank();
    if (text[i] !== ".") break;
    i++;
  }
  const tail = path.slice(path.length - parts.length);
  if (parts.length > path.length || !parts.every((p, n) => p === tail[n]) || text[i] !== "=") return inline;
  i++;
  skipBlank();
  const c = text[i];
  if (c !== '"' && c !== "'") return inline;
  const quote = (text.startsWith(c.repeat(3), i) ? c.repeat(3) : c) as SpotQuote;
  const start = i + quote.length;
  const end = text.indexOf(quote, start);
  const raw = end < 0 ? "" : text.slice(start, end);
  // Equal text and value rules out escapes, line breaks and a multi-line string's trimmed newline.
  if (end < 0 || raw !== value || (c === '"' && raw.includes("\\"))) {
    return fail(`cannot edit ${where} at line ${line}: the string uses escapes or line breaks`);
  }
  return ok(makeSpot(text, start, end, quote));
}

/** One bare or quoted key part starting at `i`; undefined when none starts there. */
function readKeyPart(text: string, i: number): { key: string; end: number } | undefined {
  const c = text[i];
  if (c === "'") {
    const end = text.indexOf("'", i + 1);
    return end < 0 ? undefined : { key: text.slice(i + 1, end), end: end + 1 };
  }
  if (c === '"') {
    let key = "";
    for (let j = i + 1; j < text.length; j++) {
      const d = text[j]!;
      if (d === '"') return { key, end: j + 1 };
      if (d === "\n") return undefined;
      if (d !== "\\") {
        key += d;
        continue;
      }
      const e = text[j + 1] ?? "";
      const hex = e === "u" ? 4 : e === "U" ? 8 : 0;
      if (hex > 0) {
        key += String.fromCodePoint(Number.parseInt(text.slice(j + 2, j + 2 + hex), 16));
        j += 1 + hex;
      } else {
        key += SIMPLE_ESCAPES[e] ?? e;
        j++;
      }
    }
    return undefined;
  }
  let j = i;
  while (j < text.length && BARE_KEY.test(text[j]!)) j++;
  return j === i ? undefined : { key: text.slice(i, j), end: j };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "date-time";
  if (isRecord(value)) return "table";
  return typeof value === "bigint" ? "integer" : typeof value === "number" ? "number" : typeof value;
}
