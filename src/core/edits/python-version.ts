/**
 * Module-level version assignments in Python source: `__version__ = "1.2.3"`, annotated
 * `__version__: str = '1.2.3'`, chained `__version__ = VERSION = "1.2.3"`, and integer tuples
 * `VERSION = (1, 2, 3)`. Found by tokens, not by a regex: strings, comments, docstrings and
 * indented blocks (functions, classes, `if`/`try` fallbacks) never match, and a PEP 440 suffix
 * (`1.2.3rc1`) is part of the value rather than left behind as regex-based tools do.
 */
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { Token } from "./python-tokens.ts";
import { pythonLogicalLines } from "./python-tokens.ts";
import type { VersionSpot } from "./spot.ts";
import { checkNewVersion, makeSpot, positionAt, spliceSpot } from "./spot.ts";

// A logical line starting with one of these is a compound statement: what follows its `:` on the
// same line is a nested block, not module level.
const COMPOUND = new Set("if elif else while for try except finally with def class async lambda".split(" "));
const AUGMENTED = new Set(["+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=", "&=", "|=", "^=", "@="]);
const PLAIN_RELEASE = /^[0-9]+(?:\.[0-9]+)*$/;

/**
 * Every module-level statement that assigns a literal to `name` (default `__version__`): a
 * string without escapes (prefixes `u`/`r` and one pair of parentheses allowed), or for a tuple
 * of decimal integers the release it spells. Chained targets count (`__version__ = VERSION = "1.0"` is found for either
 * name). Fails, as a value, when a module-level statement binds `name` in a way that cannot be
 * edited: computed values, f-strings, bytes, augmented assignment, imports, tuple unpacking.
 */
export function findPythonVersion(text: string, name = "__version__"): Parsed<VersionSpot[]> {
  const lines = pythonLogicalLines(text);
  if (!lines.ok) return fail(`cannot read the Python source: ${lines.error}`);
  const spots: VersionSpot[] = [];
  for (const line of lines.value) {
    if (line.indented) continue;
    const first = line.tokens[0]!;
    if ((first.kind === "name" && COMPOUND.has(first.text)) || first.text === "@") continue;
    for (const statement of splitOn(line.tokens, ";")) {
      const found = readStatement(text, statement, name);
      if (!found.ok) return found;
      if (found.value !== undefined) spots.push(found.value);
    }
  }
  return ok(spots);
}

/**
 * Writes `newValue` (canonical PEP 440) into the spot: inside the quotes for a string; for a
 * tuple only a plain release fits, written item by item so spacing, line breaks and comments
 * stay. A different number of items is joined with the tuple's first separator, which only a
 * one-line tuple allows (comments between items would be lost).
 */
export function replacePythonVersion(text: string, spot: VersionSpot, newValue: string): Parsed<string> {
  const bad = checkNewVersion(newValue);
  if (bad !== undefined) return fail(bad);
  if (spot.quote !== "(") return spliceSpot(text, spot, newValue);
  if (!PLAIN_RELEASE.test(newValue)) {
    return fail(
      `cannot write ${newValue} into the tuple at line ${spot.line}: only a plain release like 1.2.4 fits a tuple`,
    );
  }
  const items = newValue.split(".");
  const numbers = [...spot.raw.matchAll(/#[^\r\n]*|[0-9]+/g)].filter((m) => m[0][0] !== "#");
  let replacement: string;
  if (numbers.length === items.length) {
    replacement = spot.raw;
    for (let k = numbers.length - 1; k >= 0; k--) {
      const at = numbers[k]!.index;
      replacement = replacement.slice(0, at) + items[k] + replacement.slice(at + numbers[k]![0].length);
    }
  } else if (/[#\r\n]/.test(spot.raw)) {
    // Rejoining would drop the comments and line breaks between the items.
    return fail(
      `cannot write ${newValue} into the tuple at line ${spot.line}: it has ${numbers.length} items on several lines; keep ${numbers.length} parts or edit it by hand`,
    );
  } else {
    const between = numbers.length > 1 ? spot.raw.slice(numbers[0]![0].length, numbers[1]!.index) : "";
    replacement = items.join(/^[ \t]*,[ \t]*$/.test(between) ? between : ", ");
  }
  return spliceSpot(text, spot, replacement);
}

/** One simple statement: a spot when it assigns a literal to `name`, undefined when unrelated. */
function readStatement(text: string, tokens: Token[], name: string): Parsed<VersionSpot | undefined> {
  if (tokens.length === 0) return ok(undefined);
  const line = positionAt(text, tokens[0]!.start).line;
  const refuse = (how: string): Parsed<never> =>
    fail(`${name} at line ${line} ${how}; slipway edits only a literal string or integer tuple`);
  const first = tokens[0]!;
  if (first.kind === "name" && (first.text === "import" || first.text === "from")) {
    if (!importBinds(tokens, name)) return ok(undefined);
    return fail(`${name} at line ${line} is imported; edit the version in the module it comes from`);
  }
  const segments = splitOn(tokens, "=");
  if (segments.length === 1) {
    const aug = tokens.findIndex((t) => t.depth === 0 && t.kind === "op" && AUGMENTED.has(t.text));
    return aug > 0 && bindsName(tokens.slice(0, aug), name)
      ? refuse(`is changed by ${tokens[aug]!.text}`)
      : ok(undefined);
  }
  const targets = segments.slice(0, -1);
  const direct = targets.some(
    (t, k) =>
      (t.length === 1 && isName(t[0], name)) ||
      (k === 0 && segments.length === 2 && isName(t[0], name) && t[1]?.text === ":"),
  );
  if (!direct)
    return targets.some((t) => bindsName(t, name)) ? refuse("is assigned by unpacking") : ok(undefined);
  const value = segments[segments.length - 1]!;
  // `("1.2.3")` is the string itself; `("1.2.3",)` would be a tuple of strings (refused below).
  const paren = value.length === 3 && value[0]!.text === "(" && value[2]!.text === ")";
  const only = value.length === 1 ? value[0]! : paren ? value[1]! : undefined;
  if (only?.kind === "string") {
    const prefix = only.prefix ?? "";
    if (/[bft]/.test(prefix)) return refuse(`is a ${prefix}-string`);
    const body = text.slice(only.bodyStart, only.bodyEnd);
    if (body.includes("\\")) return refuse("is a string with backslashes");
    return ok(makeSpot(text, only.bodyStart!, only.bodyEnd!, only.quote as VersionSpot["quote"]));
  }
  const tuple = readTuple(value);
  if (tuple === undefined) return refuse("is not a literal (it is computed or concatenated)");
  const [from, to] = tuple;
  const release = value
    .filter((t) => t.kind === "number")
    .map((t) => BigInt(t.text).toString())
    .join(".");
  return ok(makeSpot(text, from.start, to.end, "(", release));
}

/** `(1, 2, 3)`, `(1,)`, `1, 2, 3` of decimal integers: its first and last number tokens. */
function readTuple(value: Token[]): [Token, Token] | undefined {
  const inner =
    value[0]?.text === "(" && value[value.length - 1]?.text === ")" ? value.slice(1, -1) : [...value];
  if (inner.length > 0 && inner[inner.length - 1]!.text === ",") inner.pop();
  const numbers = inner.filter((_, k) => k % 2 === 0);
  const commas = inner.filter((_, k) => k % 2 === 1);
  const tuple =
    value[0]?.text === "(" ? inner.length < value.length - 2 || commas.length > 0 : commas.length > 0;
  if (numbers.length === 0 || inner.length % 2 === 0 || !tuple) return undefined;
  if (!numbers.every((t) => t.kind === "number" && /^[0-9]+$/.test(t.text))) return undefined;
  if (!commas.every((t) => t.text === ",")) return undefined;
  return [numbers[0]!, numbers[numbers.length - 1]!];
}

function isName(token: Token | undefined, name: string): boolean {
  return token?.kind === "name" && token.text === name;
}

/** Whether `name` is a bare target at bracket depth 0 (not an attribute like `pkg.__version__`). */
function bindsName(target: Token[], name: string): boolean {
  return target.some((t, k) => t.depth === 0 && isName(t, name) && target[k - 1]?.text !== ".");
}

/** `import a as __version__`, `from x import __version__`, `from x import (y as __version__)`. */
function importBinds(tokens: Token[], name: string): boolean {
  const start = tokens.findIndex((t) => t.kind === "name" && t.text === "import");
  const names = tokens.slice(start + 1).filter((t) => t.text !== "(" && t.text !== ")");
  return splitOn(names, ",", true).some((item) => {
    const bound = item[item.length - 2]?.text === "as" ? item[item.length - 1] : item[0];
    return isName(bound, name) && (item.length === 1 || item[item.length - 2]?.text === "as");
  });
}

/** Splits tokens at operators equal to `op` (at depth 0 unless `anyDepth`). */
function splitOn(tokens: Token[], op: string, anyDepth = false): Token[][] {
  const parts: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === "op" && token.text === op && (anyDepth || token.depth === 0)) parts.push([]);
    else parts[parts.length - 1]!.push(token);
  }
  return parts;
}
