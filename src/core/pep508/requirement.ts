/** PEP 508 dependency specifiers (https://packaging.python.org/en/latest/specifications/dependency-specifiers/). */
import { compareCodePoints } from "../pep440/python-text.ts";
import {
  formatSpecifierSet,
  matchSpecifierAt,
  parseSpecifierSet,
  type Specifier,
} from "../pep440/specifier.ts";
import { fail, ok, type Parsed } from "../result.ts";
import { describeFailure, formatMarker, type Marker, readMarker } from "./marker.ts";
import {
  type Cursor,
  failAt,
  matchIdentifier,
  matchUrl,
  SyntaxFailure,
  skipWs,
  startsLocalLabel,
} from "./scanner.ts";

export interface Requirement {
  /** Name as written. */
  name: string;
  extras: string[];
  specifier: Specifier[];
  /** Direct reference (`name @ url`), rejected by PyPI in metadata. */
  url?: string;
  marker?: Marker;
}

/**
 * Parses `name [extras] (specifiers | @ url) [; marker]` as `packaging.requirements.Requirement`
 * 26.3 does. The name is any identifier token (`foo_` passes, as in packaging): validate it with
 * the name rules separately. Extras are kept as written, in order.
 */
export function parseRequirement(text: string): Parsed<Requirement> {
  const cursor: Cursor = { text, pos: 0 };
  try {
    return ok(readRequirement(cursor));
  } catch (error) {
    if (error instanceof SyntaxFailure) return fail(describeFailure(text, error));
    throw error;
  }
}

function readRequirement(cursor: Cursor): Requirement {
  skipWs(cursor);
  const nameEnd = matchIdentifier(cursor.text, cursor.pos);
  if (nameEnd < 0) failAt(cursor, "expected a package name at the start of the dependency specifier");
  const requirement: Requirement = {
    name: cursor.text.slice(cursor.pos, nameEnd),
    extras: [],
    specifier: [],
  };
  cursor.pos = nameEnd;
  skipWs(cursor);
  requirement.extras = readExtras(cursor);
  skipWs(cursor);
  if (cursor.text[cursor.pos] === "@") {
    cursor.pos++;
    skipWs(cursor);
    const urlEnd = matchUrl(cursor.text, cursor.pos);
    if (urlEnd < 0) failAt(cursor, "expected a URL after @");
    requirement.url = cursor.text.slice(cursor.pos, urlEnd);
    cursor.pos = urlEnd;
    if (atEnd(cursor)) return requirement;
    // The URL runs to the next space, so `url;marker` is all URL: a space must precede `;`.
    if (!skipWs(cursor)) failAt(cursor, "expected whitespace after the URL");
    if (atEnd(cursor)) return requirement;
    readMarkerPart(cursor, requirement, "expected `;` (after the URL and whitespace) or the end");
  } else {
    const start = cursor.pos;
    const specifiers = readSpecifiers(cursor);
    const set = parseSpecifierSet(specifiers);
    if (!set.ok) failAt(cursor, set.error, start);
    requirement.specifier = set.value;
    skipWs(cursor);
    if (atEnd(cursor)) return requirement;
    readMarkerPart(
      cursor,
      requirement,
      specifiers === ""
        ? "expected `;` (after a name with no version specifier) or the end"
        : "expected `,` (within the version specifier), `;` (after it) or the end",
    );
  }
  if (!atEnd(cursor)) failAt(cursor, "expected the end of the dependency specifier");
  return requirement;
}

function atEnd(cursor: Cursor): boolean {
  return cursor.pos === cursor.text.length;
}

function readMarkerPart(cursor: Cursor, requirement: Requirement, expected: string): void {
  if (cursor.text[cursor.pos] !== ";") failAt(cursor, expected);
  cursor.pos++;
  requirement.marker = readMarker(cursor);
  skipWs(cursor);
}

/** `extras = "[" WS? (identifier (WS? "," WS? identifier)*)? WS? "]"` */
function readExtras(cursor: Cursor): string[] {
  const { text } = cursor;
  if (text[cursor.pos] !== "[") return [];
  const open = cursor.pos++;
  skipWs(cursor);
  const extras: string[] = [];
  let end = matchIdentifier(text, cursor.pos);
  if (end >= 0) {
    extras.push(text.slice(cursor.pos, end));
    cursor.pos = end;
    for (;;) {
      skipWs(cursor);
      if (matchIdentifier(text, cursor.pos) >= 0) failAt(cursor, "expected a comma between extra names");
      if (text[cursor.pos] !== ",") break;
      cursor.pos++;
      skipWs(cursor);
      end = matchIdentifier(text, cursor.pos);
      if (end < 0) failAt(cursor, "expected an extra name after the comma");
      extras.push(text.slice(cursor.pos, end));
      cursor.pos = end;
    }
  }
  skipWs(cursor);
  if (text[cursor.pos] !== "]") failAt(cursor, "expected `]` to close the extras", open);
  cursor.pos++;
  return extras;
}

/**
 * `"(" WS? specifiers WS? ")"` or `specifiers`, where `specifiers = spec (WS? "," WS? spec)* ","?`.
 * Returns the specifier text with the whitespace between clauses removed, as packaging builds it.
 */
function readSpecifiers(cursor: Cursor): string {
  const { text } = cursor;
  const open = text[cursor.pos] === "(" ? cursor.pos++ : -1;
  skipWs(cursor);
  let out = "";
  for (;;) {
    const length = matchSpecifierAt(text, cursor.pos);
    if (length < 0) break;
    const start = cursor.pos;
    const spec = text.slice(start, start + length);
    out += spec;
    cursor.pos += length;
    if (text.startsWith(".*", cursor.pos)) {
      const withWildcard = spec.startsWith("!=") || (spec.startsWith("==") && !spec.startsWith("==="));
      failAt(
        cursor,
        withWildcard
          ? "`.*` cannot follow a pre-release, post-release, dev or local version"
          : "`.*` can only be used with == and !=",
        start,
      );
    }
    if (startsLocalLabel(text, cursor.pos))
      failAt(cursor, "a local version label can only be used with == and !=", start);
    skipWs(cursor);
    if (text[cursor.pos] !== ",") break;
    out += ",";
    cursor.pos++;
    skipWs(cursor);
  }
  skipWs(cursor);
  if (open >= 0) {
    if (text[cursor.pos] !== ")")
      failAt(cursor, "expected `)` to close the `(` of the version specifier", open);
    cursor.pos++;
  }
  return out;
}

/**
 * The canonical text, as `str(packaging.requirements.Requirement(...))`: extras sorted and
 * deduplicated, the specifier set sorted, `name @ url ; marker` with the space before `;`.
 */
export function formatRequirement(requirement: Requirement): string {
  let out = requirement.name;
  if (requirement.extras.length > 0) {
    out += `[${[...new Set(requirement.extras)].sort(compareCodePoints).join(",")}]`;
  }
  out += formatSpecifierSet(requirement.specifier);
  if (requirement.url !== undefined && requirement.url !== "") {
    out += ` @ ${requirement.url}`;
    if (requirement.marker !== undefined) out += " ";
  }
  if (requirement.marker !== undefined) out += `; ${formatMarker(requirement.marker)}`;
  return out;
}
