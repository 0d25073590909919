/**
 * `version` in setup.cfg's `[metadata]`, located the way Python's configparser reads the file
 * (setuptools reads it with `ConfigParser`, option names case-folded): section names are
 * case-sensitive, option names are not, `=` or `:` separate, full-line comments start with `#` or
 * `;`, a line indented deeper than its option continues that option's value, and there are no
 * inline comments. So `version_file`, `[metadata.extra]` or an indented `version = ...` that is
 * really a continuation never match, unlike release-please's unanchored regex.
 */
import { isPyWhitespace, PY_WS_CLASS } from "../pep440/python-text.ts";
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { VersionSpot } from "./spot.ts";
import { checkNewVersion, makeSpot, spliceSpot } from "./spot.ts";

// configparser's SECTCRE and OPTCRE (RawConfigParser, default delimiters), with Python's `\s`.
const SECTION = /^\[(.+)\]/;
const OPTION = new RegExp(`^(.*?)[${PY_WS_CLASS}]*(=|:)[${PY_WS_CLASS}]*(.*)$`, "s");
const DEFAULT_SECTION = "DEFAULT";

export interface SetupCfgTarget {
  /** The section, matched case-sensitively as configparser does; default `metadata`. */
  section?: string;
  /** The option, matched case-insensitively; default `version`. */
  key?: string;
}

interface Candidate {
  spot: VersionSpot;
  section: string;
  /** The option name as written (setuptools keeps case until after the DEFAULT merge). */
  name: string;
  continued: boolean;
}

/**
 * Every `version` option of `[metadata]` (several means configparser would refuse the file or
 * setuptools would pick one silently). A `[DEFAULT]` `version` counts when `[metadata]` exists
 * and has no option of exactly that spelling: setuptools keeps option case while merging
 * defaults (`optionxform = str`), so `Version` there and `version` in DEFAULT are two options and
 * the result is "found 2". Fails, as a value, when configparser
 * could not read the file, when the value continues on indented lines, or when it is
 * `attr:`/`file:` (the version lives elsewhere; edit that place instead).
 */
export function findSetupCfgVersion(text: string, target: SetupCfgTarget = {}): Parsed<VersionSpot[]> {
  const wantedSection = target.section ?? "metadata";
  const wantedKey = (target.key ?? "version").toLowerCase();
  const candidates: Candidate[] = [];
  let section: string | undefined;
  let sawWanted = false;
  let option: string | undefined;
  let current: Candidate | undefined;
  let indentLevel = 0;
  let lineNumber = 0;

  for (const { start, content } of physicalLines(text)) {
    lineNumber++;
    const first = firstNonBlank(content);
    const value = content.slice(first, lastNonBlank(content));
    if (value.length === 0 || value.startsWith("#") || value.startsWith(";")) continue;
    if (section !== undefined && option !== undefined && first > indentLevel) {
      if (current !== undefined) current.continued = true;
      continue;
    }
    indentLevel = first;
    const header = SECTION.exec(value);
    if (header !== null) {
      section = header[1]!;
      if (section === wantedSection) sawWanted = true;
      option = undefined;
      current = undefined;
      continue;
    }
    if (section === undefined)
      return fail(`not readable by configparser: line ${lineNumber} is before any [section]`);
    const m = OPTION.exec(value);
    if (m === null || m[1] === "") {
      return fail(
        `not readable by configparser: line ${lineNumber} is neither a [section] nor a key = value`,
      );
    }
    option = m[1]!.trimEnd();
    current = undefined;
    if (option.toLowerCase() !== wantedKey) continue;
    if (section !== wantedSection && section !== DEFAULT_SECTION) continue;
    const valueStart = start + first + value.length - m[3]!.length;
    const spot = makeSpot(text, valueStart, start + first + value.length, "");
    current = { spot, section, name: option, continued: false };
    candidates.push(current);
  }

  // configparser's options(section) lists the section's names, then DEFAULT's names not among them.
  const own = candidates.filter((c) => c.section === wantedSection);
  const defaults = candidates.filter(
    (c) => c.section === DEFAULT_SECTION && !own.some((o) => o.name === c.name),
  );
  const found = sawWanted ? [...own, ...defaults] : [];
  for (const { spot, continued } of found) {
    const where = `[${wantedSection}] ${wantedKey} at line ${spot.line}`;
    if (continued) return fail(`${where} continues on indented lines; write the version on one line`);
    const source = /^(attr|file)\s*:/.exec(spot.value);
    if (source !== null)
      return fail(`${where} reads the version from ${source[1]}:; edit that place instead`);
  }
  return ok(found.map((c) => c.spot));
}

/** Writes `newValue` (canonical PEP 440) in place of the value; everything around it stays. */
export function replaceSetupCfgVersion(text: string, spot: VersionSpot, newValue: string): Parsed<string> {
  const bad = checkNewVersion(newValue);
  if (bad !== undefined) return fail(bad);
  return spliceSpot(text, spot, newValue);
}

/** Lines as Python's universal newlines split them (`\n`, `\r\n`, `\r`), without the ending. */
function* physicalLines(text: string): Generator<{ start: number; content: string }> {
  const ending = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = ending.exec(text); m !== null; m = ending.exec(text)) {
    yield { start, content: text.slice(start, m.index) };
    start = m.index + m[0].length;
  }
  if (start < text.length) yield { start, content: text.slice(start) };
}

function firstNonBlank(line: string): number {
  let i = 0;
  while (i < line.length && isPyWhitespace(line.charCodeAt(i))) i++;
  return i;
}

function lastNonBlank(line: string): number {
  let end = line.length;
  while (end > 0 && isPyWhitespace(line.charCodeAt(end - 1))) end--;
  return end;
}
