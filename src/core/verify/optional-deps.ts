/**
 * Console scripts that need an extra (httpx's `httpx` needs `httpx[cli]`): what a failed
 * script's output says about a missing optional dependency, read against the distribution's
 * own METADATA (`Requires-Dist: click; extra == "cli"`), and the words of the warning.
 */
import { normalizeName } from "../names/name.ts";
import { markerExtras } from "../pep508/marker.ts";
import { parseRequirement } from "../pep508/requirement.ts";
import { baseRequirements } from "./smoke-targets.ts";

/**
 * The dependencies declared only under extras: normalized distribution name → the extras
 * (as the markers spell them) that require it. A dependency a plain install also needs is not
 * optional, whatever extras mention it too.
 */
export function optionalDependencies(requires: readonly string[]): Map<string, string[]> {
  const base = new Set<string>();
  for (const text of baseRequirements(requires)) {
    const parsed = parseRequirement(text);
    if (parsed.ok) base.add(normalizeName(parsed.value.name));
  }
  const optional = new Map<string, string[]>();
  for (const text of requires) {
    const parsed = parseRequirement(text);
    if (!parsed.ok || parsed.value.marker === undefined) continue;
    const name = normalizeName(parsed.value.name);
    if (base.has(name)) continue;
    const extras = optional.get(name) ?? [];
    for (const extra of markerExtras(parsed.value.marker)) if (!extras.includes(extra)) extras.push(extra);
    if (extras.length > 0) optional.set(name, extras);
  }
  return optional;
}

const NO_MODULE = /No module named '([^']+)'/;

/** The last line of `output` that says a module could not be found, and that module's name. */
export function missingModule(output: string): { module: string; line: string } | undefined {
  const lines = output.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? "";
    const match = NO_MODULE.exec(line);
    if (match?.[1] !== undefined) return { module: match[1], line: line.trim() };
  }
  return undefined;
}

/** Why a script failed, when the cause is a missing optional dependency. */
export interface OptionalCause {
  /** The extras that bring it in, spelled as in Provides-Extra; any one of them is enough. */
  extras: string[];
  /** The line of output that shows it (`ModuleNotFoundError: No module named 'click'`). */
  evidence: string;
}

export interface DistFacts {
  /** The project's name (to recognise `pip install 'httpx[cli]'` in a script's advice). */
  project: string;
  /** Provides-Extra. */
  extras: readonly string[];
  /** Requires-Dist. */
  requires: readonly string[];
}

/** The declared extras among `names` (compared normalized, PEP 685), spelled as declared. */
function declared(names: readonly string[], provided: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const found = provided.find((p) => normalizeName(p) === normalizeName(name));
    if (found !== undefined && !out.includes(found)) out.push(found);
  }
  return out;
}

/**
 * Reads a failed script's output for a missing optional dependency: a module that is not found
 * whose top-level name is a dependency declared only under extras (`No module named 'click'`
 * with `Requires-Dist: click; extra == "cli"`), or the script's own advice to install
 * `project[extra]` (httpx prints `pip install 'httpx[cli]'`). Undefined when it shows neither;
 * an import name that differs from its distribution's (yaml, from PyYAML) is only found by
 * running the script again with the extras installed.
 */
export function diagnoseScriptFailure(output: string, facts: DistFacts): OptionalCause | undefined {
  const missing = missingModule(output);
  if (missing !== undefined) {
    const top = normalizeName(missing.module.split(".")[0] ?? "");
    // The project's own module is no extra's (`all = ["pkg[a,b]"]` makes the project "optional").
    const extras =
      top === normalizeName(facts.project) ? undefined : optionalDependencies(facts.requires).get(top);
    const named = extras === undefined ? [] : declared(extras, facts.extras);
    if (named.length > 0) return { extras: named, evidence: missing.line };
  }
  const project = normalizeName(facts.project);
  for (const line of output.split("\n")) {
    for (const match of line.matchAll(/([A-Za-z0-9][A-Za-z0-9._-]*)\[([^\]]+)\]/g)) {
      if (normalizeName(match[1] ?? "") !== project) continue;
      const named = declared(
        (match[2] ?? "").split(",").map((e) => e.trim()),
        facts.extras,
      );
      if (named.length > 0) return { extras: named, evidence: line.trim() };
    }
  }
  return undefined;
}

/** The last non-empty line of a failure's output: what to quote when nothing more precise is known. */
export function lastLine(output: string): string {
  return (
    output
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .at(-1) ?? ""
  );
}

const quoted = (extras: readonly string[]) => extras.map((e) => `'${e}'`).join(" or ");

/**
 * The warning for a script that fails without an extra: `httpx needs the 'cli' extra: it failed
 * with ModuleNotFoundError: No module named 'click'; verify with --extras cli`. `proven` when it
 * ran with the extra installed; `unavailable` when the extra could not be installed.
 */
export function optionalExtraMessage(options: {
  script: string;
  cause: OptionalCause;
  outcome: "unverified" | "proven" | "unavailable";
}): string {
  const { script, cause } = options;
  const needs = `${script} needs the ${quoted(cause.extras)} extra`;
  const failed = cause.evidence === "" ? "it failed" : `it failed with ${cause.evidence}`;
  if (options.outcome === "proven") return `${needs}: without it, ${failed}; with it, it ran`;
  if (options.outcome === "unavailable")
    return `${needs}: ${failed}, and the extra could not be installed (see its step)`;
  return `${needs}: ${failed}; verify with --extras ${cause.extras[0] ?? ""}`;
}
