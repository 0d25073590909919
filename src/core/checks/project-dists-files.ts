/** XA04 for the values that come from files or tables: readme, licence files, people, entry points. */
import { pushAll } from "../arrays.ts";
import { parseEntryPoints } from "../dist/entry-points.ts";
import type { Finding } from "../findings.ts";
import { field, fieldAll } from "../metadata/parse.ts";
import { get, getString, getTable, isTable, provision } from "../pyproject/access.ts";
import { peopleOf, personHeaders, readmeContentType, readmeFile } from "../pyproject/mapping.ts";
import { licenseFileMatches, projectPath } from "../pyproject/plan.ts";
import type { ProjectContext } from "./context.ts";
import type { Comparison } from "./project-dists-fields.ts";
import { compareList, mismatch } from "./project-dists-fields.ts";

const decoder = new TextDecoder("utf-8");

/** Line endings unified and trailing whitespace dropped: backends differ there and nobody sees it. */
const normalizeText = (text: string): string => text.replace(/\r\n?/g, "\n").trimEnd();

const baseType = (contentType: string): string => (contentType.split(";")[0] ?? "").trim().toLowerCase();

/** Description-Content-Type and the description body against `readme`. */
export function compareReadme(c: Comparison, project: ProjectContext): Finding[] {
  const state = provision(c.project, "readme");
  if (state !== "static") return [];
  const readme = get(c.project, "readme");
  const out: Finding[] = [];
  const expectedType = readmeContentType(readme);
  const actualType = field(c.md, "Description-Content-Type");
  if (expectedType !== undefined) {
    if (actualType === undefined) {
      if (!c.incomplete)
        out.push(
          mismatch(
            c,
            "Description-Content-Type",
            `is missing; project.readme implies ${JSON.stringify(expectedType)}`,
          ),
        );
    } else if (baseType(actualType) !== baseType(expectedType)) {
      out.push(
        mismatch(
          c,
          "Description-Content-Type",
          `is ${JSON.stringify(actualType)}, but project.readme implies ${JSON.stringify(expectedType)}`,
        ),
      );
    }
  }
  const file = readmeFile(readme);
  const path = file === undefined ? undefined : projectPath(file);
  const bytes = path === undefined ? undefined : project.contents.get(path);
  const expected =
    bytes !== undefined ? decoder.decode(bytes) : isTable(readme) ? getString(readme, "text") : undefined;
  if (expected === undefined) return out;
  const actual = c.md.body ?? field(c.md, "Description");
  if (actual === undefined || actual.trim() === "") {
    if (expected.trim() !== "")
      out.push(mismatch(c, "Description", "is missing, but project.readme declares one"));
  } else if (normalizeText(actual) !== normalizeText(expected)) {
    out.push(
      mismatch(
        c,
        "Description",
        `differs from ${file === undefined ? "project.readme.text" : JSON.stringify(file)}`,
        "warning",
      ),
    );
  }
  return out;
}

/** License-File values against the files license-files matches in the project. */
export function compareLicenseFiles(c: Comparison, project: ProjectContext): Finding[] {
  return compareList(c, {
    key: "license-files",
    metaField: "License-File",
    expected: licenseFileMatches(c.project, project.files),
    actual: fieldAll(c.md, "License-File").map((v) => v.trim()),
    keyOf: (v) => v,
    text: (v) => v,
    // Without license-files, backends choose the files themselves ([PPT]).
    absent: "free",
    // A backend also sees files our list lacks (ignored by git), so extra ones are only suspicious.
    unexpected: "warning",
  });
}

/** The legacy `license = { text }` / `{ file }` table must still produce a License field. */
export function compareLicenseTable(c: Comparison): Finding[] {
  const license = get(c.project, "license");
  if (!isTable(license) || provision(c.project, "license") !== "static") return [];
  if (field(c.md, "License") !== undefined || fieldAll(c.md, "License-File").length > 0) return [];
  return [mismatch(c, "License", "is missing, but project.license declares a licence table", "warning")];
}

/** Author/Maintainer fields: every declared e-mail address and name-only entry appears. */
export function comparePeople(c: Comparison): Finding[] {
  const out: Finding[] = [];
  for (const [key, prefix] of [
    ["authors", "Author"],
    ["maintainers", "Maintainer"],
  ] as const) {
    const state = provision(c.project, key);
    if (state !== "static" && state !== "partial") continue;
    const people = peopleOf(c.project, key);
    const written = `${field(c.md, prefix) ?? ""}\n${field(c.md, `${prefix}-email`) ?? ""}`.toLowerCase();
    for (const person of people) {
      // Backends quote and fold names differently, so only presence is checked, as a warning.
      const needle = person.email ?? person.name;
      if (needle === undefined || written.includes(needle.toLowerCase())) continue;
      const target = person.email === undefined ? prefix : `${prefix}-email`;
      const declared = personHeaders([person]).emails ?? personHeaders([person]).names ?? needle;
      out.push(
        mismatch(c, target, `lacks ${JSON.stringify(declared)}, which project.${key} declares`, "warning"),
      );
    }
  }
  return out;
}

const GROUP_OF: Readonly<Record<string, string>> = {
  scripts: "console_scripts",
  "gui-scripts": "gui_scripts",
};
const KEY_OF_GROUP: Readonly<Record<string, string>> = {
  console_scripts: "scripts",
  gui_scripts: "gui-scripts",
};

/** An object reference without the spaces readers ignore (around `:`, before and inside `[...]`). */
const referenceKey = (value: string): string => value.replace(/\s+/g, "");

/** Wheels only: entry_points.txt against scripts, gui-scripts and entry-points. */
export function compareEntryPoints(c: Comparison): Finding[] {
  const member = c.dist.metadataMember;
  if (c.dist.artifact.kind !== "wheel" || member === undefined) return [];
  const path = `${member.slice(0, member.lastIndexOf("/"))}/entry_points.txt`;
  const bytes = c.dist.artifact.contents.get(path);
  const written = bytes === undefined ? [] : parseEntryPoints(decoder.decode(bytes)).entries;
  const declared: { group: string; name: string; value: string }[] = [];
  for (const key of ["scripts", "gui-scripts"] as const) {
    for (const [name, value] of Object.entries(getTable(c.project, key) ?? {})) {
      if (typeof value === "string") declared.push({ group: GROUP_OF[key] as string, name, value });
    }
  }
  for (const [group, table] of Object.entries(getTable(c.project, "entry-points") ?? {})) {
    if (KEY_OF_GROUP[group] !== undefined || !isTable(table)) continue;
    for (const [name, value] of Object.entries(table)) {
      if (typeof value === "string") declared.push({ group, name, value });
    }
  }
  const keyOfGroup = (group: string): string => KEY_OF_GROUP[group] ?? "entry-points";
  const groups = new Set([...declared.map((d) => d.group), ...written.map((w) => w.group)]);
  const out: Finding[] = [];
  for (const group of groups) {
    const key = keyOfGroup(group);
    const label = (e: { name: string; value: string }): string => `${e.name} = ${e.value}`;
    pushAll(
      out,
      compareList(c, {
        key,
        metaField: `[${group}]`,
        member: path,
        expected: declared.filter((d) => d.group === group),
        actual: written.filter((w) => w.group === group),
        keyOf: (e) => `${e.name}=${referenceKey(e.value)}`,
        text: label,
        unexpected: "warning",
      }),
    );
  }
  return out;
}
