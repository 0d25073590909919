/**
 * Evaluating markers as `packaging.markers.Marker.evaluate` 26.3 does: version comparison for
 * the version-valued variables when the constant makes a valid specifier, else plain string
 * rules (`<`/`>` false, `<=`/`>=` equality, `~=`/`===` undefined).
 */

import { canonicalizeName } from "../pep440/python-text.ts";
import { parseSpecifier, type Specifier, specifierContains } from "../pep440/specifier.ts";
import { fail, ok, type Parsed } from "../result.ts";
import { comparedTexts, type Marker, type MarkerOp } from "./marker.ts";

/** Variable → value; `extras` and `dependency_groups` take lists (sets in packaging). */
export type MarkerEnvironment = Readonly<Record<string, string | readonly string[]>>;

/**
 * Where the marker is evaluated: `metadata` (default) makes `extra` default to "",
 * `lock_file` makes `extras` and `dependency_groups` default to empty, `requirement` neither.
 */
export type MarkerContext = "metadata" | "lock_file" | "requirement";

// packaging's MARKERS_REQUIRING_VERSION: compared as versions when the constant allows it.
const VERSION_KEYS = new Set([
  "implementation_version",
  "platform_release",
  "python_full_version",
  "python_version",
]);
const SET_KEYS = new Set(["extras", "dependency_groups"]);
const EMPTY: readonly string[] = [];

class EvaluationFailure {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/**
 * Evaluates a marker in an environment (variable → value; `extra` may be given). Throws an
 * Error when a variable is missing from `env` or a comparison is undefined (`os_name ~= "x"`),
 * where packaging raises; use `tryEvaluateMarker` to get that as a value.
 */
export function evaluateMarker(
  marker: Marker,
  env: MarkerEnvironment,
  options: { context?: MarkerContext } = {},
): boolean {
  const result = tryEvaluateMarker(marker, env, options);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** `evaluateMarker` with failures returned as values. */
export function tryEvaluateMarker(
  marker: Marker,
  env: MarkerEnvironment,
  options: { context?: MarkerContext } = {},
): Parsed<boolean> {
  const lookup = environmentLookup(env, options.context ?? "metadata");
  try {
    return ok(evaluate(marker, lookup));
  } catch (error) {
    if (error instanceof EvaluationFailure) return fail(error.message);
    throw error;
  }
}

type Lookup = (key: string) => string | readonly string[];

function environmentLookup(env: MarkerEnvironment, context: MarkerContext): Lookup {
  return (key) => {
    let value = Object.hasOwn(env, key) ? env[key] : undefined;
    if (value === undefined) {
      if (key === "extra" && context === "metadata") value = "";
      else if (SET_KEYS.has(key) && context === "lock_file") value = EMPTY;
      else throw new EvaluationFailure(`marker variable ${key} is not defined in the environment`);
    }
    // packaging normalizes the requested extra, and repairs `3.14.0+` of untagged CPython builds.
    if (key === "extra" && typeof value === "string") return value === "" ? "" : canonicalizeName(value);
    if (key === "python_full_version" && typeof value === "string" && value.endsWith("+"))
      return `${value}local`;
    return value;
  };
}

// Every comparison is evaluated (no short-circuit), so an undefined one fails as in packaging.
function evaluate(marker: Marker, lookup: Lookup): boolean {
  if (marker.kind !== "compare") {
    const left = evaluate(marker.left, lookup);
    const right = evaluate(marker.right, lookup);
    return marker.kind === "and" ? left && right : left || right;
  }
  const [leftText, rightText] = comparedTexts(marker);
  let key: string;
  let lhs: string | readonly string[];
  let rhs: string | readonly string[];
  if (marker.left.kind === "variable") {
    key = leftText;
    lhs = lookup(key);
    rhs = rightText; // a variable on the right is compared as its own name, as packaging does
  } else {
    lhs = leftText;
    key = rightText;
    rhs = lookup(key);
  }
  if (typeof lhs !== "string") {
    throw new EvaluationFailure(`set-valued marker variable ${key} can only be used as "<name>" in ${key}`);
  }
  if (SET_KEYS.has(key)) {
    lhs = canonicalizeName(lhs);
    rhs = typeof rhs === "string" ? canonicalizeName(rhs) : rhs.map(canonicalizeName);
  }
  return compare(lhs, marker.op, rhs, key);
}

function compare(lhs: string, op: MarkerOp, rhs: string | readonly string[], key: string): boolean {
  if (VERSION_KEYS.has(key) && typeof rhs === "string") {
    const spec = markerSpecifier(op, rhs);
    if (spec !== undefined) return specifierContains(spec, lhs, { prereleases: true });
  }
  switch (op) {
    case "in":
      return rhs.includes(lhs);
    case "not in":
      return !rhs.includes(lhs);
    case "<":
    case ">":
      return false;
    case "<=":
    case "==":
    case ">=":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
    default:
      throw new EvaluationFailure(`undefined comparison ${JSON.stringify(lhs)} ${op} ${JSON.stringify(rhs)}`);
  }
}

// Markers repeat the same few constants; keep their parsed specifiers (bounded).
const SPEC_CACHE = new Map<string, Specifier | null>();

function markerSpecifier(op: MarkerOp, rhs: string): Specifier | undefined {
  const text = op + rhs;
  let spec = SPEC_CACHE.get(text);
  if (spec === undefined) {
    const parsed = parseSpecifier(text);
    spec = parsed.ok ? parsed.value : null;
    if (SPEC_CACHE.size >= 4096) SPEC_CACHE.clear();
    SPEC_CACHE.set(text, spec);
  }
  return spec ?? undefined;
}
