/**
 * PEP 508 environment markers ("Environment Markers" in
 * https://packaging.python.org/en/latest/specifications/dependency-specifiers/), parsed, printed
 * and evaluated as packaging 26.3 does.
 */
import { canonicalizeName } from "../pep440/python-text.ts";
import { fail, ok, type Parsed } from "../result.ts";
import { decodePythonString } from "./python-string.ts";
import {
  type Cursor,
  failAt,
  matchKeyword,
  matchOperator,
  matchQuoted,
  matchVariable,
  SyntaxFailure,
  skipWs,
} from "./scanner.ts";

export type MarkerOp = "<" | "<=" | "!=" | "==" | ">=" | ">" | "~=" | "===" | "in" | "not in";

export type MarkerValue =
  /** `name` is canonical (`os.name` → `os_name`); `alias` keeps a legacy spelling when one was used. */
  | { kind: "variable"; name: string; alias?: string }
  /** The constant's value, escapes decoded, as written (extra names are not normalized here). */
  | { kind: "literal"; value: string };

export type Marker =
  | { kind: "compare"; left: MarkerValue; op: MarkerOp; right: MarkerValue }
  /** `group` marks an expression the author wrapped in parentheses (kept when printing). */
  | { kind: "and" | "or"; left: Marker; right: Marker; group?: true };

export {
  evaluateMarker,
  type MarkerContext,
  type MarkerEnvironment,
  tryEvaluateMarker,
} from "./marker-eval.ts";
export {
  checkMarkerSemantics,
  LOCK_FILE_VARIABLES,
  STRING_VARIABLES,
  VERSION_OR_STRING_VARIABLES,
  VERSION_VARIABLES,
} from "./marker-semantics.ts";

/** Parses a marker expression (`python_version < "3.11" and os_name == 'nt'`). */
export function parseMarker(text: string): Parsed<Marker> {
  const cursor: Cursor = { text, pos: 0 };
  try {
    const marker = readMarker(cursor);
    if (cursor.pos !== text.length) failAt(cursor, "expected `and`, `or` or the end of the marker");
    return ok(marker);
  } catch (error) {
    if (error instanceof SyntaxFailure) return fail(describeFailure(text, error));
    throw error;
  }
}

/** One line naming the problem and where it is (`… at column 12 of "…"`). */
export function describeFailure(text: string, failure: SyntaxFailure): string {
  return `${failure.message} at column ${failure.position + 1} of ${JSON.stringify(text)}`;
}

/** `marker = atom (("and" | "or") atom)*`, folded so that `and` binds tighter than `or`. */
export function readMarker(cursor: Cursor): Marker {
  let term = readAtom(cursor);
  let result: Marker | undefined;
  for (;;) {
    const op = matchKeyword(cursor.text, cursor.pos, "or")
      ? "or"
      : matchKeyword(cursor.text, cursor.pos, "and")
        ? "and"
        : undefined;
    if (op === undefined) break;
    cursor.pos += op.length;
    const next = readAtom(cursor);
    if (op === "and") {
      term = { kind: "and", left: term, right: next };
    } else {
      result = result === undefined ? term : { kind: "or", left: result, right: term };
      term = next;
    }
  }
  return result === undefined ? term : { kind: "or", left: result, right: term };
}

/** `atom = WS? ("(" WS? marker WS? ")" | item) WS?` */
function readAtom(cursor: Cursor): Marker {
  skipWs(cursor);
  let marker: Marker;
  if (cursor.text[cursor.pos] === "(") {
    const open = cursor.pos++;
    skipWs(cursor);
    marker = readMarker(cursor);
    skipWs(cursor);
    if (cursor.text[cursor.pos] !== ")") failAt(cursor, "expected `)` to close the `(`", open);
    cursor.pos++;
    if (marker.kind !== "compare") marker.group = true;
  } else {
    marker = readItem(cursor);
  }
  skipWs(cursor);
  return marker;
}

/** `item = value WS? op WS? value`; no chaining (`"3" < python_version < "4"` fails after). */
function readItem(cursor: Cursor): Marker {
  const left = readValue(cursor);
  skipWs(cursor);
  const op = readOperator(cursor);
  skipWs(cursor);
  const right = readValue(cursor);
  return { kind: "compare", left, op, right };
}

function readValue(cursor: Cursor): MarkerValue {
  const { text, pos } = cursor;
  const variable = matchVariable(text, pos);
  if (variable !== undefined) {
    cursor.pos += variable.written.length;
    return variable.written === variable.name
      ? { kind: "variable", name: variable.name }
      : { kind: "variable", name: variable.name, alias: variable.written };
  }
  const end = matchQuoted(text, pos);
  if (end < 0) failAt(cursor, "expected a marker variable or a quoted string");
  const value = decodePythonString(text.slice(pos, end));
  if (!value.ok) failAt(cursor, `invalid quoted string (${value.error})`);
  cursor.pos = end;
  return { kind: "literal", value: value.value };
}

function readOperator(cursor: Cursor): MarkerOp {
  const { text, pos } = cursor;
  if (matchKeyword(text, pos, "in")) {
    cursor.pos += 2;
    return "in";
  }
  if (matchKeyword(text, pos, "not")) {
    cursor.pos += 3;
    if (!skipWs(cursor)) failAt(cursor, "expected whitespace after `not`");
    if (!matchKeyword(text, cursor.pos, "in")) failAt(cursor, "expected `in` after `not`");
    cursor.pos += 2;
    return "not in";
  }
  const op = matchOperator(text, pos);
  if (op === undefined)
    failAt(cursor, "expected a marker operator (<=, <, !=, ==, >=, >, ~=, ===, in, not in)");
  cursor.pos += op.length;
  return op;
}

/**
 * The canonical text of a marker, as `str(packaging.markers.Marker(...))`: single spaces,
 * double quotes (single quotes when the value holds `"`), legacy variable names replaced,
 * extra names normalized, the author's parentheses kept.
 */
export function formatMarker(marker: Marker): string {
  return formatNode(marker, true);
}

function formatNode(marker: Marker, top: boolean): string {
  if (marker.kind === "compare") {
    const [left, right] = comparedTexts(marker);
    return `${formatValue(marker.left, left)} ${marker.op} ${formatValue(marker.right, right)}`;
  }
  // Parentheses are the author's (`group`); a hand-built `or` under `and` needs them too.
  const text = `${formatChild(marker.left, marker.kind)} ${marker.kind} ${formatChild(marker.right, marker.kind)}`;
  return !top && marker.group === true ? `(${text})` : text;
}

function formatChild(child: Marker, parent: "and" | "or"): string {
  if (child.kind === "or" && parent === "and" && child.group !== true) return `(${formatNode(child, true)})`;
  return formatNode(child, false);
}

function formatValue(value: MarkerValue, text: string): string {
  if (value.kind === "variable") return value.name;
  // packaging cannot print a value holding both quote kinds (it raises); we use double quotes.
  return text.includes('"') && !text.includes("'") ? `'${text}'` : `"${text}"`;
}

/**
 * The two sides' texts with packaging's normalization of extra names (PEP 685): the constant
 * compared with `extra`, and the constant tested `in extras` / `in dependency_groups`.
 */
export function comparedTexts(marker: Extract<Marker, { kind: "compare" }>): [string, string] {
  const { left, right } = marker;
  const l = left.kind === "variable" ? left.name : left.value;
  const r = right.kind === "variable" ? right.name : right.value;
  if (left.kind === "variable" && left.name === "extra" && right.kind === "literal")
    return [l, canonicalizeName(r)];
  if (right.kind === "variable" && left.kind === "literal") {
    if (right.name === "extra" || right.name === "extras" || right.name === "dependency_groups") {
      return [canonicalizeName(l), r];
    }
  }
  return [l, r];
}

/** The values compared with `extra` (`extra == "x"`), as written. */
export function markerExtras(marker: Marker): string[] {
  const out: string[] = [];
  collectExtras(marker, out);
  return out;
}

function collectExtras(marker: Marker, out: string[]): void {
  if (marker.kind !== "compare") {
    collectExtras(marker.left, out);
    collectExtras(marker.right, out);
    return;
  }
  const { left, right } = marker;
  if (left.kind === "variable" && left.name === "extra" && right.kind === "literal") out.push(right.value);
  else if (right.kind === "variable" && right.name === "extra" && left.kind === "literal")
    out.push(left.value);
}
