import { pushAll } from "../arrays.ts";
/**
 * entry_points.txt ([EP]): INI read the way PyPI reads it — `configparser.ConfigParser` with
 * `delimiters=("=",)`, `optionxform=str` and the default strict mode (warehouse
 * utils/wheel.py). The rules below are configparser's `_read`, restated.
 */

export interface EntryPoint {
  group: string;
  name: string;
  /** The object reference as written (`pkg.mod:attr [extra]`). */
  value: string;
  /** 1-based line in the file. */
  line: number;
}

export interface EntryPointProblem {
  kind: "syntax" | "duplicate-section" | "duplicate-key";
  line: number;
  detail: string;
}

export interface EntryPointSection {
  name: string;
  line: number;
}

export interface EntryPointsFile {
  /** Section headers in order of first appearance (`DEFAULT` included, never duplicated). */
  sections: EntryPointSection[];
  entries: EntryPoint[];
  /** Empty exactly when `configparser` reads the file without raising. */
  problems: EntryPointProblem[];
}

// Python's str.isspace() / re `\s` on str: what strip() removes and `\s` matches.
const PY_SPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);
const NON_SPACE = new RegExp(`[^${PY_SPACE}]`);

export const pyStrip = (s: string): string => s.replace(LEADING_SPACE, "").replace(TRAILING_SPACE, "");
const pyRstrip = (s: string): string => s.replace(TRAILING_SPACE, "");

/** Text for a one-line problem: control and line-break characters escaped as in JSON. */
const escaped = (text: string): string => JSON.stringify(text).slice(1, -1);

/** configparser's DEFAULTSECT: its options are visible in every other section. */
export const DEFAULT_SECTION = "DEFAULT";

interface Option {
  group: string;
  name: string;
  lines: string[];
  line: number;
}

/**
 * Reads entry_points.txt like `configparser.read_string`: lines end at `\n` only (StringIO);
 * `#`/`;` full-line comments; a line indented deeper than its option's first line continues
 * the value (blank lines inside a value are kept, then trailing ones dropped); a section
 * header is `[` + anything + the last `]` on the line; an option splits at the first `=`.
 */
export function readEntryPointsFile(text: string): EntryPointsFile {
  const sections: EntryPointSection[] = [];
  const options: Option[] = [];
  const problems: EntryPointProblem[] = [];
  const seenSections = new Set<string>();
  const seenOptions = new Set<string>();
  let section: string | undefined;
  let option: Option | undefined;
  let indentLevel = 0;
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    const stripped = pyStrip(line);
    if (stripped.startsWith("#") || stripped.startsWith(";")) return;
    if (stripped === "") {
      option?.lines.push("");
      return;
    }
    const indent = line.search(NON_SPACE);
    if (section !== undefined && option !== undefined && indent > indentLevel) {
      option.lines.push(stripped);
      return;
    }
    indentLevel = indent;
    const close = stripped.lastIndexOf("]");
    if (stripped.startsWith("[") && close >= 2) {
      const name = stripped.slice(1, close);
      if (name !== DEFAULT_SECTION && seenSections.has(name)) {
        problems.push({
          kind: "duplicate-section",
          line: lineNo,
          detail: `section [${escaped(name)}] appears twice`,
        });
      } else if (!sections.some((s) => s.name === name)) {
        sections.push({ name, line: lineNo });
      }
      if (name !== DEFAULT_SECTION) seenSections.add(name);
      section = name;
      option = undefined;
      return;
    }
    if (section === undefined) {
      problems.push({
        kind: "syntax",
        line: lineNo,
        detail: `line before the first [section]: ${JSON.stringify(stripped)}`,
      });
      return;
    }
    const eq = stripped.indexOf("=");
    if (eq < 0) {
      problems.push({
        kind: "syntax",
        line: lineNo,
        detail: `line is neither a [section] nor name = value: ${JSON.stringify(stripped)}`,
      });
      return;
    }
    const name = pyRstrip(stripped.slice(0, eq));
    if (name === "")
      problems.push({
        kind: "syntax",
        line: lineNo,
        detail: `entry with an empty name: ${JSON.stringify(stripped)}`,
      });
    const key = `${section}\u0000${name}`;
    if (seenOptions.has(key)) {
      problems.push({
        kind: "duplicate-key",
        line: lineNo,
        detail: `"${escaped(name)}" appears twice in [${escaped(section)}]`,
      });
    }
    seenOptions.add(key);
    option = { group: section, name, lines: [pyStrip(stripped.slice(eq + 1))], line: lineNo };
    options.push(option);
  });
  const entries = options.map((o) => ({
    group: o.group,
    name: o.name,
    value: pyRstrip(o.lines.join("\n")),
    line: o.line,
  }));
  return { sections, entries, problems };
}

/** entry_points.txt entries and the reasons configparser would refuse the file. */
export function parseEntryPoints(text: string): { entries: EntryPoint[]; problems: EntryPointProblem[] } {
  const { entries, problems } = readEntryPointsFile(text);
  return { entries, problems };
}

// Python's str.isidentifier(): XID_Start or `_`, then XID_Continue.
const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;
// Python's `\w` on str: alphanumeric (str.isalnum) or `_`.
const WORD = "[\\p{L}\\p{N}_]";
const GROUP = new RegExp(`^${WORD}+(?:\\.${WORD}+)*$`, "u");
const ENTRY_NAME = new RegExp(`^(?:${WORD}|[.-])+$`, "u");
const EXTRA = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** True when `group` matches `^\w+(\.\w+)*$` (Unicode `\w`, as Python's re). */
export function isValidGroupName(group: string): boolean {
  return GROUP.test(group);
}

/** True when an entry name fullmatches `[\w.-]+`: required in console_scripts/gui_scripts (warehouse). */
export function isRecommendedEntryName(name: string): boolean {
  return ENTRY_NAME.test(name);
}

export const isPythonIdentifier = (s: string): boolean => IDENTIFIER.test(s);

export interface ObjectReference {
  module: string;
  attr?: string;
  /** Deprecated `[extra, ...]` suffix, names as written. */
  extras: string[];
}

/**
 * Parses `module(.module)*( *: *attr(.attr)*)?( *\[ *extra( *, *extra)* *\])?` ([EP] data
 * model). Spaces are accepted around `:`, before `[`, inside the brackets and around the
 * whole value, as readers must; never around dots.
 */
export function parseObjectReference(value: string):
  | { ok: true; value: ObjectReference }
  | {
      ok: false;
      problems: string[];
    } {
  const problems: string[] = [];
  let rest = value.trim();
  let extras: string[] = [];
  const open = rest.indexOf("[");
  if (open >= 0) {
    const inside = rest.slice(open + 1);
    if (!inside.endsWith("]")) problems.push(`"[" without a closing "]" at the end`);
    extras = inside
      .replace(/\]$/, "")
      .split(",")
      .map((e) => e.trim());
    const bad = extras.filter((e) => !EXTRA.test(e));
    if (problems.length === 0 && bad.length > 0) {
      problems.push(`extras ${bad.map((e) => JSON.stringify(e)).join(", ")} are not valid extra names`);
    }
    rest = rest.slice(0, open).trimEnd();
  }
  const colon = rest.indexOf(":");
  const module = colon >= 0 ? rest.slice(0, colon).trimEnd() : rest;
  const attr = colon >= 0 ? rest.slice(colon + 1).trimStart() : undefined;
  pushAll(problems, dottedProblems("module", module));
  if (attr !== undefined) pushAll(problems, dottedProblems("object", attr));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: attr === undefined ? { module, extras } : { module, attr, extras } };
}

function dottedProblems(what: string, dotted: string): string[] {
  if (dotted === "") return [`the ${what} part is empty`];
  const bad = dotted.split(".").filter((part) => !IDENTIFIER.test(part));
  if (bad.length === 0) return [];
  const parts = bad.map((p) => JSON.stringify(p)).join(", ");
  return [`the ${what} part ${JSON.stringify(dotted)} has ${parts}, not a Python identifier`];
}

/** Problems with an object reference (`mod(.sub)*(:attr(.attr)*)?( [extras])?`), empty when valid. */
export function checkObjectReference(value: string): string[] {
  const parsed = parseObjectReference(value);
  return parsed.ok ? [] : parsed.problems;
}
