/**
 * The `[build-system]` table as a PEP 517 frontend reads it (PEP 517, PEP 518), and the question
 * every build asks of an environment: which requirements does it not satisfy?
 */

import { normalizeName } from "../names/name.ts";
import { type Specifier, specifierSetContains } from "../pep440/specifier.ts";
import { type MarkerEnvironment, tryEvaluateMarker } from "../pep508/marker-eval.ts";
import { parseRequirement } from "../pep508/requirement.ts";
import { isTable, type TomlTable } from "../pyproject/access.ts";
import { fail, ok, type Parsed } from "../result.ts";

export interface BuildSystem {
  /** PEP 508 strings, as written. */
  requires: string[];
  /** `module.path:object.path`. */
  backend: string;
  /** In-tree backend directories, relative to the project root. */
  backendPath: string[];
  /** True when the project has no `build-backend` and gets setuptools' legacy backend. */
  legacy: boolean;
}

/**
 * PEP 517: without `build-backend` a frontend falls back to setuptools' legacy backend; PEP 518:
 * without a `[build-system]` table, `requires` defaults to setuptools (pypa/build uses the same).
 */
export const LEGACY_BACKEND = "setuptools.build_meta:__legacy__";
export const DEFAULT_REQUIRES = ["setuptools>=40.8.0"];

/** Reads `[build-system]` from a parsed pyproject (undefined: no pyproject.toml at all). */
export function assembleBuildSystem(pyproject: TomlTable | undefined): Parsed<BuildSystem> {
  const table = pyproject?.["build-system"];
  if (table === undefined) {
    return ok({ requires: [...DEFAULT_REQUIRES], backend: LEGACY_BACKEND, backendPath: [], legacy: true });
  }
  if (!isTable(table)) return fail("[build-system] must be a table");
  const t = table;
  const requires = t["requires"];
  if (requires === undefined) {
    return fail("[build-system] has no `requires` key, which PEP 518 makes mandatory when the table exists");
  }
  if (!Array.isArray(requires) || !requires.every((r) => typeof r === "string")) {
    return fail("build-system.requires must be an array of strings (PEP 508 requirements)");
  }
  for (const r of requires) {
    const parsed = parseRequirement(r);
    if (!parsed.ok) return fail(`build-system.requires has an invalid requirement "${r}": ${parsed.error}`);
  }
  const backend = t["build-backend"];
  if (backend !== undefined && (typeof backend !== "string" || !isObjectReference(backend))) {
    return fail(
      `build-system.build-backend must name a module, optionally ":object": got ${JSON.stringify(backend)}`,
    );
  }
  const backendPath = t["backend-path"] ?? [];
  if (!Array.isArray(backendPath) || !backendPath.every((p) => typeof p === "string")) {
    return fail("build-system.backend-path must be an array of directory paths");
  }
  for (const p of backendPath) {
    // PEP 517: paths are relative to the project root and must stay inside it.
    if (p.startsWith("/") || /^[A-Za-z]:/.test(p) || p.split(/[\\/]/).includes("..")) {
      return fail(`build-system.backend-path entry "${p}" must be a relative path inside the project`);
    }
  }
  return ok({
    requires: [...requires],
    backend: backend ?? LEGACY_BACKEND,
    backendPath: [...backendPath],
    legacy: backend === undefined,
  });
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isObjectReference(text: string): boolean {
  const [module, object, ...rest] = text.split(":");
  if (module === undefined || rest.length > 0) return false;
  const dotted = (s: string) => s.split(".").every((part) => IDENTIFIER.test(part.trim()));
  return dotted(module) && (object === undefined || dotted(object));
}

/** What an environment has: installed distributions by normalized name, and its marker values. */
export interface EnvironmentFacts {
  installed: ReadonlyMap<string, string>;
  markers: MarkerEnvironment;
}

export interface UnmetRequirement {
  requirement: string;
  /** e.g. `not installed`, `hatchling 1.20.0 is installed`. */
  reason: string;
}

/**
 * The requirements an environment does not satisfy: not installed, or a version outside the
 * specifier. A requirement whose marker is false here is satisfied (it does not apply). Extras
 * are not followed: the named distribution's presence and version are what is checked.
 */
export function unmetRequirements(
  requirements: readonly string[],
  facts: EnvironmentFacts,
): UnmetRequirement[] {
  const unmet: UnmetRequirement[] = [];
  for (const text of requirements) {
    const parsed = parseRequirement(text);
    if (!parsed.ok) {
      unmet.push({ requirement: text, reason: `not a valid requirement (${parsed.error})` });
      continue;
    }
    const req = parsed.value;
    if (req.marker !== undefined) {
      const applies = tryEvaluateMarker(req.marker, facts.markers, { context: "requirement" });
      if (applies.ok && !applies.value) continue;
    }
    const name = normalizeName(req.name);
    const version = facts.installed.get(name);
    if (version === undefined) {
      unmet.push({ requirement: text, reason: "not installed" });
      continue;
    }
    if (req.url !== undefined) continue; // a direct reference names no version to compare
    if (req.specifier.length > 0 && !satisfies(req.specifier, version)) {
      unmet.push({ requirement: text, reason: `${req.name} ${version} is installed` });
    }
  }
  return unmet;
}

function satisfies(specifier: readonly Specifier[], version: string): boolean {
  // An installed pre-release satisfies a specifier that matches it (as in `pip check`).
  return specifierSetContains(specifier, version, { prereleases: true });
}
