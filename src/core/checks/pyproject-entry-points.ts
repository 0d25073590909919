/** EP09: [project.scripts], [project.gui-scripts] and [project.entry-points] as [PPT] and [EP] define them. */
import { pushAll } from "../arrays.ts";
import { checkObjectReference, isValidGroupName } from "../dist/entry-points.ts";
import type { Finding } from "../findings.ts";
import type { TomlTable } from "../pyproject/access.ts";
import { get, isTable, tomlType } from "../pyproject/access.ts";
import { EP09 } from "./pyproject-catalogue.ts";
import type { PyprojectView } from "./pyproject-view.ts";
import { report, show } from "./pyproject-view.ts";

// Script names become files in bin/: warehouse and installers require `[\w.-]+` (Python's Unicode \w).
const SCRIPT_NAME = /^[\p{L}\p{N}_.-]+$/u;

const RESERVED_GROUPS: Readonly<Record<string, string>> = {
  console_scripts: "[project.scripts]",
  gui_scripts: "[project.gui-scripts]",
};

/** EP09: the three entry-point tables of [project]. */
export function checkProjectEntryPoints(view: PyprojectView): Finding[] {
  const project = view.project;
  if (!project) return [];
  const out: Finding[] = [];
  for (const key of ["scripts", "gui-scripts"] as const) {
    const table = get(project, key);
    if (isTable(table)) pushAll(out, checkGroup(view, ["project", key], table, true));
  }
  const groups = get(project, "entry-points");
  if (!isTable(groups)) return out;
  for (const [group, table] of Object.entries(groups)) {
    const path = ["project", "entry-points", group];
    const replacement = RESERVED_GROUPS[group];
    if (replacement !== undefined) {
      out.push(
        report(view, EP09, path, `is forbidden; backends must refuse it`, {
          hint: `Move these entries to ${replacement}.`,
        }),
      );
      continue;
    }
    if (!isValidGroupName(group)) {
      out.push(
        report(
          view,
          EP09,
          path,
          `names the group ${show(group)}, which is not a dotted identifier (^\\w+(\\.\\w+)*$)`,
        ),
      );
    }
    if (!isTable(table)) {
      out.push(
        report(view, EP09, path, `must be a table of name = "module:object" entries, not ${tomlType(table)}`),
      );
      continue;
    }
    pushAll(out, checkGroup(view, path, table, false));
  }
  return out;
}

function checkGroup(
  view: PyprojectView,
  path: readonly string[],
  table: TomlTable,
  scripts: boolean,
): Finding[] {
  const out: Finding[] = [];
  for (const [name, value] of Object.entries(table)) {
    const at = [...path, name];
    if (isTable(value)) {
      out.push(report(view, EP09, at, "is a nested table; entry-point groups are one level deep"));
      continue;
    }
    if (typeof value !== "string") {
      // PP03 reports wrong types for scripts and gui-scripts; groups of entry-points are EP09's.
      if (!scripts)
        out.push(report(view, EP09, at, `must be a string object reference, not ${tomlType(value)}`));
      continue;
    }
    if (scripts && !SCRIPT_NAME.test(name)) {
      out.push(
        report(view, EP09, at, `is not a valid script name; use letters, digits, "_", "." and "-" only`),
      );
    } else if (
      !scripts &&
      (name.includes("=") || name.startsWith("[") || name !== name.trim() || name === "")
    ) {
      out.push(
        report(
          view,
          EP09,
          at,
          "is not a valid entry point name (no '=', no leading '[', no surrounding spaces)",
        ),
      );
    }
    const problems = checkObjectReference(value);
    if (problems.length > 0) {
      out.push(report(view, EP09, at, `${show(value)} is not an object reference: ${problems.join("; ")}`));
    } else if (scripts && !value.replace(/\[.*$/s, "").includes(":")) {
      out.push(
        report(
          view,
          EP09,
          at,
          `${show(value)} names a module without ":function"; pip refuses such scripts`,
          {
            hint: `Point at the function to run, e.g. ${show(`${value.trim()}:main`)}.`,
          },
        ),
      );
    }
  }
  return out;
}
