/**
 * pyproject.toml as Python's build tools read it: TOML 1.0 (tomllib up to Python 3.14, tomli).
 * smol-toml parses TOML 1.1, so a scan of the (already valid) text flags the 1.1-only syntax
 * that tomllib rejects, and records where each key is defined so findings can carry a line.
 */
import { parse, TomlError } from "smol-toml";
import type { TomlTable } from "./access.ts";
import { isTable } from "./access.ts";

/** Why a text is not TOML that Python's tomllib accepts, with a 1-based position. */
export interface TomlProblem {
  message: string;
  line: number;
  column: number;
}

export type TomlParse = { ok: true; value: TomlTable } | { ok: false; problem: TomlProblem };

/** One key definition: its full path (table headers included) and its 1-based line. */
export interface KeyLine {
  path: readonly string[];
  line: number;
}

export interface TomlScan {
  keys: KeyLine[];
  /** The first TOML 1.1-only construct, when there is one. */
  toml11?: TomlProblem;
}

/** Parses pyproject text; a TOML 1.1-only construct or a BOM is a failure, as in tomllib. */
export function parsePyproject(text: string): TomlParse {
  // tomllib decodes as plain UTF-8, so a BOM is the first character of the document and invalid.
  if (text.startsWith("\uFEFF")) {
    return fail("the file starts with a byte-order mark (U+FEFF), which tomllib rejects", 1, 1);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const first = (error.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
      return fail(first, error.line, error.column);
    }
    throw error;
  }
  const { toml11 } = scanToml(text);
  if (toml11) return { ok: false, problem: toml11 };
  return isTable(value) ? { ok: true, value } : fail("the document is not a table", 1, 1);
}

function fail(message: string, line: number, column: number): TomlParse {
  return { ok: false, problem: { message, line, column } };
}

const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };

/**
 * Walks a document that smol-toml accepted. It never throws: on anything unexpected it stops
 * and returns what it found so far (line numbers are a convenience, never a verdict).
 */
export function scanToml(text: string): TomlScan {
  const keys: KeyLine[] = [];
  let toml11: TomlProblem | undefined;
  let i = 0;
  let table: string[] = [];

  // Line starts, for positions in O(log n): keys are recorded as the scan goes.
  const starts = [0];
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) starts.push(at + 1);
  const position = (at: number): { line: number; column: number } => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] as number) <= at) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: at - (starts[low] as number) + 1 };
  };
  const flag = (at: number, what: string): void => {
    if (toml11) return;
    const { line, column } = position(at);
    toml11 = {
      message: `${what} is TOML 1.1 syntax; tomllib (TOML 1.0, Python ≤ 3.14) rejects it`,
      line,
      column,
    };
  };
  const skipBlank = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  };
  /** Skips whitespace, newlines and comments; returns whether a newline or comment was crossed. */
  const skipLines = (): boolean => {
    let crossed = false;
    for (;;) {
      skipBlank();
      const c = text[i];
      if (c === "#") {
        crossed = true;
        while (i < text.length && text[i] !== "\n") i++;
      } else if (c === "\n" || c === "\r") {
        crossed = true;
        i++;
      } else return crossed;
    }
  };

  const readString = (): string => {
    const quote = text[i] as '"' | "'";
    const triple = text.startsWith(quote.repeat(3), i);
    const basic = quote === '"';
    i += triple ? 3 : 1;
    let out = "";
    while (i < text.length) {
      const c = text[i] as string;
      if (triple && text.startsWith(quote.repeat(3), i)) {
        // Up to two more quotes right before the closing delimiter belong to the string.
        let run = 3;
        while (run < 5 && text[i + run] === quote) run++;
        out += quote.repeat(run - 3);
        i += run;
        return out;
      }
      if (!triple && c === quote) {
        i++;
        return out;
      }
      if (basic && c === "\\") {
        const next = text[i + 1] ?? "";
        if (next === "e" || next === "x") flag(i, `the escape \\${next}`);
        out += ESCAPES[next] ?? next;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    return out;
  };

  const readKey = (): string[] | undefined => {
    const parts: string[] = [];
    for (;;) {
      skipBlank();
      const c = text[i];
      if (c === '"' || c === "'") parts.push(readString());
      else if (c !== undefined && BARE_KEY.test(c)) {
        const start = i;
        while (i < text.length && BARE_KEY.test(text[i] as string)) i++;
        parts.push(text.slice(start, i));
      } else return undefined;
      skipBlank();
      if (text[i] !== ".") return parts;
      i++;
    }
  };

  const readBare = (): void => {
    const start = i;
    for (;;) {
      while (i < text.length && !/[\s,\]}#]/.test(text[i] as string)) i++;
      // A date-time may separate date and time with one space: 1979-05-27 07:32:00.
      if (
        text[i] === " " &&
        /^\d{4}-\d{2}-\d{2}$/.test(text.slice(start, i)) &&
        /\d/.test(text[i + 1] ?? "")
      ) {
        i++;
        continue;
      }
      break;
    }
    const token = text.slice(start, i);
    const time = /(^|[^\d:+-])(\d{2}:\d{2})(?!:)/.exec(token);
    if (time) flag(start + time.index + (time[1] ?? "").length, `the time ${time[2]} without seconds`);
  };

  const readValue = (path: string[]): void => {
    const c = text[i];
    if (c === '"' || c === "'") readString();
    else if (c === "[") readArray(path);
    else if (c === "{") readInlineTable(path);
    else readBare();
  };

  const readArray = (path: string[]): void => {
    i++;
    for (let guard = 0; guard < text.length; guard++) {
      skipLines();
      if (text[i] === "]" || i >= text.length) {
        i++;
        return;
      }
      const before = i;
      readValue(path);
      skipLines();
      if (text[i] === ",") i++;
      if (i === before) return;
    }
  };

  const readInlineTable = (path: string[]): void => {
    i++;
    let afterComma = false;
    for (let guard = 0; guard < text.length; guard++) {
      const at = i;
      if (skipLines()) flag(at, "a line break inside an inline table");
      if (text[i] === "}" || i >= text.length) {
        if (afterComma) flag(i, "a trailing comma in an inline table");
        i++;
        return;
      }
      const before = i;
      if (!readKeyValue(path)) return;
      const after = i;
      if (skipLines()) flag(after, "a line break inside an inline table");
      afterComma = text[i] === ",";
      if (afterComma) i++;
      if (i === before) return;
    }
  };

  const readKeyValue = (prefix: string[]): boolean => {
    const line = position(i).line;
    const key = readKey();
    if (!key) return false;
    const path = [...prefix, ...key];
    keys.push({ path, line });
    skipBlank();
    if (text[i] !== "=") return false;
    i++;
    skipBlank();
    readValue(path);
    return true;
  };

  while (i < text.length) {
    skipLines();
    if (i >= text.length) break;
    if (text[i] === "[") {
      const double = text[i + 1] === "[";
      const line = position(i).line;
      i += double ? 2 : 1;
      const key = readKey();
      if (!key) break;
      table = key;
      keys.push({ path: key, line });
      skipBlank();
      i += double ? 2 : 1;
    } else if (!readKeyValue(table)) break;
    skipBlank();
    if (text[i] === "#") while (i < text.length && text[i] !== "\n") i++;
  }
  return toml11 ? { keys, toml11 } : { keys };
}

/**
 * The 1-based line where `path` (or, failing that, its longest defined prefix) is defined;
 * `item` narrows to the first line after it that contains that string literal.
 */
export function lineOf(
  scan: TomlScan,
  text: string,
  path: readonly string[],
  item?: string,
): number | undefined {
  let best: KeyLine | undefined;
  for (const key of scan.keys) {
    if (key.path.length > path.length || !key.path.every((part, n) => part === path[n])) continue;
    if (!best || key.path.length > best.path.length) best = key;
  }
  if (!best) return undefined;
  if (item === undefined || best.path.length !== path.length) return best.line;
  const lines = text.split("\n");
  const quoted = [JSON.stringify(item), `'${item}'`];
  for (let n = best.line - 1; n < lines.length && n < best.line + 200; n++) {
    const content = lines[n] ?? "";
    if (n > best.line - 1 && /^\s*\[/.test(content) && !/^\s*\[\s*["'\d]/.test(content)) break;
    if (quoted.some((q) => content.includes(q))) return n + 1;
  }
  return best.line;
}

/** A TOML key path as a user would write it: `project.optional-dependencies."my extra"`. */
export function formatKeyPath(path: readonly string[]): string {
  return path.map((part) => (/^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part))).join(".");
}
