/** PP04 name, PP05 version, PP06 dynamic, PP07 description, PP09 requires-python, PP15 dependencies, PP16 import names. */
import type { Finding } from "../findings.ts";
import { LINE_BOUNDARY } from "../metadata/fields.ts";
import { isNormalizedName, isValidName, normalizeName } from "../names/name.ts";
import { parseSpecifierSet } from "../pep440/specifier.ts";
import { isCanonicalVersion, normalizeVersion, parseVersion } from "../pep440/version.ts";
import { parseRequirement } from "../pep508/requirement.ts";
import {
  EXTENSIBLE_KEYS,
  get,
  getString,
  getStrings,
  getTable,
  has,
  PROJECT_KEYS,
} from "../pyproject/access.ts";
import { declaredDependencies } from "../pyproject/mapping.ts";
import { parseImportName } from "../pyproject/python-names.ts";
import { PP04, PP05, PP06, PP07, PP09, PP15, PP16 } from "./pyproject-catalogue.ts";
import type { PyprojectView } from "./pyproject-view.ts";
import { report, show } from "./pyproject-view.ts";

const dynamicList = (view: PyprojectView): string[] => getStrings(view.project, "dynamic") ?? [];

/** PP04: name. */
export function checkName(view: PyprojectView): Finding[] {
  const project = view.project;
  if (!project) return [];
  const name = get(project, "name");
  if (name === undefined) {
    // A dynamic name is PP06's finding; here only the plain omission.
    if (dynamicList(view).includes("name")) return [];
    return [report(view, PP04, ["project"], "has no name; name is required and must be static")];
  }
  if (typeof name !== "string" || isValidName(name)) return [];
  return [report(view, PP04, ["project", "name"], `${show(name)} is not a valid project name`)];
}

/** PP05: version. */
export function checkVersion(view: PyprojectView): Finding[] {
  const project = view.project;
  if (!project) return [];
  const version = get(project, "version");
  if (version === undefined) {
    if (dynamicList(view).includes("version")) return [];
    return [report(view, PP05, ["project"], 'has no version and does not list "version" in dynamic')];
  }
  if (typeof version !== "string") return [];
  const path = ["project", "version"];
  const parsed = parseVersion(version);
  if (!parsed) return [report(view, PP05, path, `${show(version)} is not a valid PEP 440 version`)];
  const out: Finding[] = [];
  if (!isCanonicalVersion(version)) {
    const normal = normalizeVersion(version) ?? version;
    out.push(
      report(view, PP05, path, `${show(version)} is not normalized; backends write it as ${show(normal)}`, {
        severity: "warning",
        hint: `Write version = ${show(normal)} so tags, file names and metadata agree.`,
      }),
    );
  }
  if (parsed.local !== undefined) {
    out.push(
      report(view, PP05, path, `${show(version)} has a local segment, which PyPI refuses`, {
        severity: "warning",
        hint: "Drop the +local part before publishing to PyPI (private indexes accept it).",
      }),
    );
  }
  return out;
}

/** PP06: dynamic. */
export function checkDynamic(view: PyprojectView): Finding[] {
  const project = view.project;
  const path = ["project", "dynamic"];
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const key of dynamicList(view)) {
    if (seen.has(key)) {
      out.push(report(view, PP06, path, `lists ${show(key)} twice`, { item: key, severity: "warning" }));
      continue;
    }
    seen.add(key);
    if (key === "name") {
      out.push(report(view, PP06, path, 'lists "name", which must always be static', { item: key }));
    } else if (key === "dynamic" || !(PROJECT_KEYS as readonly string[]).includes(key)) {
      out.push(report(view, PP06, path, `lists ${show(key)}, which is not a [project] key`, { item: key }));
    } else if (has(project, key) && EXTENSIBLE_KEYS.has(key)) {
      // PEP 808: the backend may append to a static array/table; only Metadata 2.6 tools accept it.
      out.push(
        report(
          view,
          PP06,
          path,
          `lists ${show(key)}, which also has a static value (allowed only by PEP 808)`,
          {
            item: key,
            severity: "warning",
            hint: "Keep it only if your backend supports PEP 808 (Metadata 2.6); hatchling and validate-pyproject do not yet.",
          },
        ),
      );
    } else if (has(project, key)) {
      out.push(report(view, PP06, path, `lists ${show(key)}, which also has a static value`, { item: key }));
    }
  }
  return out;
}

/** PP07: description → Summary. */
export function checkDescription(view: PyprojectView): Finding[] {
  const description = getString(view.project, "description");
  if (description === undefined) return [];
  const path = ["project", "description"];
  const out: Finding[] = [];
  if (LINE_BOUNDARY.test(description))
    out.push(report(view, PP07, path, `contains a line break: ${show(description)}`));
  if ([...description].length > 512) {
    out.push(
      report(view, PP07, path, `is ${[...description].length} characters long; PyPI accepts at most 512`),
    );
  }
  return out;
}

/** PP09: requires-python. */
export function checkRequiresPython(view: PyprojectView): Finding[] {
  const value = getString(view.project, "requires-python");
  if (value === undefined) return [];
  const parsed = parseSpecifierSet(value);
  if (parsed.ok) return [];
  return [
    report(
      view,
      PP09,
      ["project", "requires-python"],
      `${show(value)} is not a valid specifier set: ${parsed.error}`,
    ),
  ];
}

/** PP15: dependencies and optional-dependencies. */
export function checkDependencies(view: PyprojectView): Finding[] {
  const project = view.project;
  if (!project) return [];
  const out: Finding[] = [];
  for (const dep of declaredDependencies(project)) {
    const parsed = parseRequirement(dep.text);
    if (!parsed.ok) {
      out.push(
        report(view, PP15, dep.key, `has an invalid requirement ${show(dep.text)}: ${parsed.error}`, {
          item: dep.text,
        }),
      );
    } else if (parsed.value.url !== undefined) {
      out.push(
        report(view, PP15, dep.key, `has the direct reference ${show(dep.text)}, which PyPI refuses`, {
          item: dep.text,
          hint: "Depend on a released version from an index; keep URL dependencies for private builds only.",
        }),
      );
    }
  }
  const extras = getTable(project, "optional-dependencies") ?? {};
  const byNormalized = new Map<string, string>();
  for (const extra of Object.keys(extras)) {
    const path = ["project", "optional-dependencies", extra];
    if (!isValidName(extra)) {
      out.push(report(view, PP15, path, `names the extra ${show(extra)}, which is not a valid extra name`));
      continue;
    }
    const normalized = normalizeName(extra);
    const other = byNormalized.get(normalized);
    if (other !== undefined) {
      out.push(report(view, PP15, path, `normalizes to ${show(normalized)} like the extra ${show(other)}`));
    } else byNormalized.set(normalized, extra);
    if (!isNormalizedName(extra)) {
      out.push(
        report(view, PP15, path, `is not normalized; backends publish it as ${show(normalized)} (PEP 685)`, {
          severity: "warning",
          hint: `Rename the extra to ${show(normalized)} so users and metadata spell it alike.`,
        }),
      );
    }
  }
  return out;
}

/** PP16: import-names and import-namespaces (PEP 794). */
export function checkImportNames(view: PyprojectView): Finding[] {
  const out: Finding[] = [];
  const listed = new Map<string, string>();
  for (const key of ["import-names", "import-namespaces"] as const) {
    const path = ["project", key];
    const seen = new Set<string>();
    for (const value of getStrings(view.project, key) ?? []) {
      const parsed = parseImportName(value);
      if (!parsed.ok) {
        out.push(report(view, PP16, path, `has ${show(value)}: ${parsed.error}`, { item: value }));
        continue;
      }
      const name = parsed.value.name;
      if (seen.has(name)) {
        out.push(report(view, PP16, path, `lists ${show(name)} twice`, { item: value, severity: "warning" }));
        continue;
      }
      seen.add(name);
      const other = listed.get(name);
      if (other !== undefined && other !== key) {
        out.push(
          report(view, PP16, path, `lists ${show(name)}, which is also in project.${other}`, { item: value }),
        );
      }
      listed.set(name, key);
    }
  }
  for (const [name, key] of listed) {
    const parts = name.split(".");
    for (let n = 1; n < parts.length; n++) {
      const parent = parts.slice(0, n).join(".");
      if (!listed.has(parent)) {
        out.push(
          report(view, PP16, ["project", key], `lists ${show(name)} but not its parent ${show(parent)}`, {
            item: name,
            severity: "warning",
            hint: `Add ${show(parent)} to import-names, or to import-namespaces if it is a namespace package.`,
          }),
        );
        break;
      }
    }
  }
  return out;
}
