/**
 * What publishing tools SHOULD reject in a marker although it parses (dependency specifiers,
 * "Environment Markers"; validation.md (c)). packaging accepts most of these, and evaluates them
 * with legacy string rules, so the metadata checks report them as warnings.
 */
import { parseSpecifier } from "../pep440/specifier.ts";
import { parseVersion } from "../pep440/version.ts";
import { formatMarker, type Marker, type MarkerValue } from "./marker.ts";

/** Variables typed String in the spec's table (`extra` included). */
export const STRING_VARIABLES: ReadonlySet<string> = new Set([
  "os_name",
  "sys_platform",
  "platform_machine",
  "platform_python_implementation",
  "platform_system",
  "implementation_name",
  "extra",
]);
/** Variables typed Version. */
export const VERSION_VARIABLES: ReadonlySet<string> = new Set([
  "python_version",
  "python_full_version",
  "implementation_version",
]);
/** Variables typed "Version | String": version rules when both sides are versions. */
export const VERSION_OR_STRING_VARIABLES: ReadonlySet<string> = new Set([
  "platform_release",
  "platform_version",
]);
/** Defined only when installing from a lock file (PEP 751): an error anywhere else. */
export const LOCK_FILE_VARIABLES: ReadonlySet<string> = new Set(["extras", "dependency_groups"]);

const ORDERED = new Set(["<", "<=", ">", ">=", "~="]);

type Compare = Extract<Marker, { kind: "compare" }>;

/**
 * One line per comparison that a publishing tool SHOULD reject: ordered, `~=` or `===`
 * comparisons on String variables, `in`/`not in` on Version variables, constants that are not
 * versions under version operators, comparisons without exactly one variable, lock-file-only
 * variables and legacy variable spellings.
 */
export function checkMarkerSemantics(marker: Marker): string[] {
  const problems: string[] = [];
  visit(marker, problems);
  return problems;
}

function visit(marker: Marker, problems: string[]): void {
  if (marker.kind !== "compare") {
    visit(marker.left, problems);
    visit(marker.right, problems);
    return;
  }
  const text = formatMarker(marker);
  const { left, right } = marker;
  for (const side of [left, right]) {
    if (side.kind !== "variable") continue;
    if (side.alias !== undefined)
      problems.push(`${text}: ${side.alias} is a legacy spelling; write ${side.name}`);
    if (LOCK_FILE_VARIABLES.has(side.name)) {
      problems.push(`${text}: ${side.name} is defined only in lock files, not in metadata or requirements`);
    }
  }
  if (left.kind === right.kind) {
    problems.push(
      left.kind === "literal"
        ? `${text}: compares two constants; one side must be a marker variable`
        : `${text}: compares two variables; compare a variable with a quoted constant`,
    );
    return;
  }
  const variable = (left.kind === "variable" ? left : right) as Extract<MarkerValue, { kind: "variable" }>;
  const constant = (left.kind === "literal" ? left : right) as Extract<MarkerValue, { kind: "literal" }>;
  checkTyped(marker.op, variable.name, constant.value, left.kind === "literal", text, problems);
}

function checkTyped(
  op: Compare["op"],
  name: string,
  constant: string,
  constantFirst: boolean,
  text: string,
  problems: string[],
): void {
  const membership = op === "in" || op === "not in";
  if (STRING_VARIABLES.has(name)) {
    if (ORDERED.has(op) || op === "===") {
      problems.push(`${text}: ${op} on the string variable ${name}; only ==, !=, in and not in are defined`);
    }
    return;
  }
  if (VERSION_VARIABLES.has(name)) {
    if (membership) problems.push(`${text}: ${op} on the version variable ${name}; use a version comparison`);
    else if (!versionOperand(op, constant, constantFirst)) {
      problems.push(`${text}: ${JSON.stringify(constant)} is not a valid version for ${op}`);
    }
    return;
  }
  if (
    VERSION_OR_STRING_VARIABLES.has(name) &&
    ORDERED.has(op) &&
    !versionOperand(op, constant, constantFirst)
  ) {
    problems.push(
      `${text}: ordered comparison of ${name} with ${JSON.stringify(constant)}, which is not a version`,
    );
  }
}

/** Whether the comparison is a version comparison (else packaging falls back to strings). */
function versionOperand(op: string, constant: string, constantFirst: boolean): boolean {
  // `"3.8" <= python_version` tests the constant against `<=<env value>`: it must be a version.
  if (constantFirst) return op === "===" || parseVersion(constant) !== undefined;
  return parseSpecifier(op + constant).ok;
}
