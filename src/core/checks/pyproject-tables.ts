/** PP01 top-level tables, PP02 [build-system], PP03 [project] keys and types, PP17 [dependency-groups]. */
import { pushAll } from "../arrays.ts";
import type { Finding } from "../findings.ts";
import { isValidName, normalizeName } from "../names/name.ts";
import { parseRequirement } from "../pep508/requirement.ts";
import { get, isTable, PROJECT_KEYS, tomlType } from "../pyproject/access.ts";
import { isIdentifier } from "../pyproject/python-names.ts";
import { PP01, PP02, PP03, PP17 } from "./pyproject-catalogue.ts";
import type { PyprojectView } from "./pyproject-view.ts";
import { report, show } from "./pyproject-view.ts";

const TOP_LEVEL = new Set(["build-system", "project", "tool", "dependency-groups"]);

/** PP01 (second half): top-level tables other than the four the specifications define. */
export function checkTopLevel(view: PyprojectView): Finding[] {
  return Object.keys(view.doc)
    .filter((key) => !TOP_LEVEL.has(key))
    .map((key) =>
      report(
        view,
        PP01,
        [key],
        "is not a standard top-level table (reserved by the pyproject.toml specification)",
        {
          severity: "warning",
          hint: `Move it under [tool.${key}] if it configures a tool; validate-pyproject rejects unknown top-level tables.`,
        },
      ),
    );
}

/**
 * A build-backend reference as pyproject_hooks loads it (pip and build): `import_module(module)`
 * then `getattr` for each dotted part after `:`. Nothing is stripped, so every module part must be
 * an identifier; validate-pyproject is laxer (it strips spaces and skips empty parts).
 */
export function backendReferenceProblem(value: string): string | undefined {
  const colon = value.indexOf(":");
  const module = colon < 0 ? value : value.slice(0, colon);
  const object = colon < 0 ? "" : value.slice(colon + 1);
  if (module === "") return "names no module";
  const parts = [...module.split("."), ...(object === "" ? [] : object.split("."))];
  const bad = parts.find((p) => !isIdentifier(p));
  return bad === undefined ? undefined : `has ${show(bad)}, which is not a Python identifier`;
}

/** PP02: [build-system]. */
export function checkBuildSystem(view: PyprojectView): Finding[] {
  const table = get(view.doc, "build-system");
  const path = ["build-system"];
  if (table === undefined) {
    return [
      report(view, PP02, path, "is missing: pip and build fall back to setuptools' legacy backend", {
        severity: "warning",
      }),
    ];
  }
  if (!isTable(table)) return [report(view, PP02, path, `must be a table, not ${tomlType(table)}`)];
  const out: Finding[] = [];
  const requires = get(table, "requires");
  if (requires === undefined) {
    out.push(report(view, PP02, path, "has no requires: frontends refuse a [build-system] table without it"));
  } else if (!Array.isArray(requires)) {
    out.push(
      report(view, PP02, [...path, "requires"], `must be an array of strings, not ${tomlType(requires)}`),
    );
  } else {
    for (const item of requires) {
      if (typeof item !== "string") {
        out.push(
          report(view, PP02, [...path, "requires"], `has ${tomlType(item)} item; items must be strings`),
        );
        continue;
      }
      const parsed = parseRequirement(item);
      if (!parsed.ok) {
        out.push(
          report(
            view,
            PP02,
            [...path, "requires"],
            `has an invalid requirement ${show(item)}: ${parsed.error}`,
            { item },
          ),
        );
      }
    }
  }
  const backend = get(table, "build-backend");
  if (backend === undefined) {
    if (requires !== undefined) {
      out.push(
        report(view, PP02, path, "has no build-backend: frontends use setuptools' legacy backend", {
          severity: "warning",
          hint: 'Name the backend explicitly, e.g. build-backend = "setuptools.build_meta".',
        }),
      );
    }
  } else if (typeof backend !== "string") {
    out.push(report(view, PP02, [...path, "build-backend"], `must be a string, not ${tomlType(backend)}`));
  } else {
    const problem = backendReferenceProblem(backend);
    if (problem) out.push(report(view, PP02, [...path, "build-backend"], `${show(backend)} ${problem}`));
  }
  pushAll(out, checkBackendPath(view, get(table, "backend-path")));
  for (const key of Object.keys(table)) {
    if (key !== "requires" && key !== "build-backend" && key !== "backend-path") {
      out.push(report(view, PP02, [...path, key], "is not a [build-system] key", { severity: "warning" }));
    }
  }
  return out;
}

function checkBackendPath(view: PyprojectView, value: unknown): Finding[] {
  const path = ["build-system", "backend-path"];
  if (value === undefined) return [];
  if (!Array.isArray(value))
    return [report(view, PP02, path, `must be an array of strings, not ${tomlType(value)}`)];
  const out: Finding[] = [];
  for (const item of value) {
    if (typeof item !== "string") {
      out.push(report(view, PP02, path, `has ${tomlType(item)} item; items must be strings`));
      continue;
    }
    // pyproject_hooks refuses backend paths that leave the source tree (PEP 517 "in-tree backends").
    const unified = item.replaceAll("\\", "/");
    let depth = 0;
    let escapes = unified.startsWith("/") || /^[A-Za-z]:/.test(unified);
    for (const part of unified.split("/")) {
      if (part === "..") depth--;
      else if (part !== "" && part !== ".") depth++;
      if (depth < 0) escapes = true;
    }
    if (escapes) out.push(report(view, PP02, path, `entry ${show(item)} is outside the project`, { item }));
  }
  return out;
}

type Shape = "string" | "string|table" | "strings" | "array" | "string-table" | "strings-table" | "table";

const SHAPES: Readonly<Record<(typeof PROJECT_KEYS)[number], Shape>> = {
  // Items of authors/maintainers are PP12's to judge.
  authors: "array",
  classifiers: "strings",
  dependencies: "strings",
  description: "string",
  dynamic: "strings",
  "entry-points": "table",
  "gui-scripts": "string-table",
  "import-names": "strings",
  "import-namespaces": "strings",
  keywords: "strings",
  license: "string|table",
  "license-files": "strings",
  maintainers: "array",
  name: "string",
  "optional-dependencies": "strings-table",
  readme: "string|table",
  "requires-python": "string",
  scripts: "string-table",
  urls: "string-table",
  version: "string",
};

const SHAPE_WORDS: Readonly<Record<Shape, string>> = {
  string: "a string",
  "string|table": "a string or a table",
  strings: "an array of strings",
  array: "an array",
  "string-table": "a table of strings",
  "strings-table": "a table of arrays of strings",
  table: "a table",
};

/** Common misspellings (setup.py / poetry habits) and the key meant. */
const MEANT: Readonly<Record<string, string>> = {
  author: "authors",
  maintainer: "maintainers",
  requires: "dependencies",
  "install-requires": "dependencies",
  "extras-require": "optional-dependencies",
  extras: "optional-dependencies",
  "python-requires": "requires-python",
  "long-description": "readme",
  homepage: "urls",
  url: "urls",
  "project-urls": "urls",
  "license-file": "license-files",
  "console-scripts": "scripts",
  classifier: "classifiers",
  keyword: "keywords",
  summary: "description",
};

/** PP03: [project] keys and the TOML type of each value. */
export function checkProjectKeys(view: PyprojectView): Finding[] {
  const project = view.project;
  const raw = get(view.doc, "project");
  if (raw !== undefined && project === undefined)
    return [report(view, PP03, ["project"], `must be a table, not ${tomlType(raw)}`)];
  if (!project) return [];
  const out: Finding[] = [];
  for (const key of Object.keys(project)) {
    const shape = SHAPES[key as keyof typeof SHAPES] as Shape | undefined;
    if (shape === undefined) {
      const guess = (PROJECT_KEYS as readonly string[]).includes(key.replaceAll("_", "-"))
        ? key.replaceAll("_", "-")
        : MEANT[key.toLowerCase().replaceAll("_", "-")];
      out.push(
        report(view, PP03, ["project", key], "is not a [project] key", {
          ...(guess ? { hint: `Did you mean project.${guess}? Rename the key.` } : {}),
        }),
      );
      continue;
    }
    const problem = shapeProblem(get(project, key), shape);
    if (problem) {
      const hint =
        key === "license-files" && isTable(get(project, key))
          ? 'license-files is an array of glob patterns since PEP 639 was accepted, e.g. ["LICEN[CS]E*"].'
          : undefined;
      out.push(
        report(
          view,
          PP03,
          ["project", key],
          `must be ${SHAPE_WORDS[shape]}, ${problem}`,
          hint ? { hint } : {},
        ),
      );
    }
  }
  return out;
}

function shapeProblem(value: unknown, shape: Shape): string | undefined {
  const type = tomlType(value);
  switch (shape) {
    case "string":
      return typeof value === "string" ? undefined : `not ${type}`;
    case "string|table":
      return typeof value === "string" || isTable(value) ? undefined : `not ${type}`;
    case "table":
      return isTable(value) ? undefined : `not ${type}`;
    case "array":
      return Array.isArray(value) ? undefined : `not ${type}`;
    case "strings": {
      if (!Array.isArray(value)) return `not ${type}`;
      const bad = value.find((v) => typeof v !== "string");
      return bad === undefined ? undefined : `but has ${tomlType(bad)} item`;
    }
    case "string-table":
    case "strings-table": {
      if (!isTable(value)) return `not ${type}`;
      for (const [key, item] of Object.entries(value)) {
        const fits =
          shape === "string-table"
            ? typeof item === "string"
            : Array.isArray(item) && item.every((v) => typeof v === "string");
        if (!fits)
          return `but ${show(key)} is ${tomlType(item)}${Array.isArray(item) ? " with non-string items" : ""}`;
      }
      return undefined;
    }
  }
}

/** PP17: [dependency-groups] (PEP 735). */
export function checkDependencyGroups(view: PyprojectView): Finding[] {
  const raw = get(view.doc, "dependency-groups");
  if (raw === undefined) return [];
  if (!isTable(raw))
    return [report(view, PP17, ["dependency-groups"], `must be a table, not ${tomlType(raw)}`)];
  const out: Finding[] = [];
  const byNormalized = new Map<string, string>();
  for (const name of Object.keys(raw)) {
    const path = ["dependency-groups", name];
    if (!isValidName(name))
      out.push(report(view, PP17, path, "is not a valid group name (same rules as project names)"));
    const normalized = normalizeName(name);
    const other = byNormalized.get(normalized);
    if (other !== undefined)
      out.push(report(view, PP17, path, `normalizes to the same name as ${show(other)}`));
    else byNormalized.set(normalized, name);
  }
  const includes = new Map<string, string[]>();
  for (const [name, items] of Object.entries(raw)) {
    const path = ["dependency-groups", name];
    if (!Array.isArray(items)) {
      out.push(report(view, PP17, path, `must be an array, not ${tomlType(items)}`));
      continue;
    }
    const targets: string[] = [];
    for (const item of items) {
      if (typeof item === "string") {
        const parsed = parseRequirement(item);
        if (!parsed.ok)
          out.push(
            report(view, PP17, path, `has an invalid requirement ${show(item)}: ${parsed.error}`, { item }),
          );
      } else if (
        isTable(item) &&
        Object.keys(item).length === 1 &&
        typeof get(item, "include-group") === "string"
      ) {
        const target = get(item, "include-group") as string;
        targets.push(normalizeName(target));
        if (!byNormalized.has(normalizeName(target))) {
          out.push(
            report(view, PP17, path, `includes the group ${show(target)}, which does not exist`, {
              item: target,
            }),
          );
        }
      } else {
        out.push(
          report(
            view,
            PP17,
            path,
            `has ${tomlType(item)} item; use a requirement string or { include-group = "name" }`,
          ),
        );
      }
    }
    const key = normalizeName(name);
    includes.set(key, [...(includes.get(key) ?? []), ...targets]);
  }
  const cycle = findCycle(includes);
  if (cycle) {
    const first = byNormalized.get(cycle[0] as string) ?? (cycle[0] as string);
    out.push(
      report(view, PP17, ["dependency-groups", first], `includes itself through ${cycle.join(" → ")}`),
    );
  }
  return out;
}

/** The first include cycle found (normalized names, first repeated at the end), if any. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const found = graph.has(next) ? visit(next) : undefined;
      if (found) return found;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}
