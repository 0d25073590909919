/**
 * What a PEP 621 `[project]` table becomes in core metadata, per the mapping of [PPT] (the table in
 * validation.md section K). Backends differ in spelling (quoting, order, folding), so this is the
 * reference the checks compare against semantically, never byte for byte.
 */

import type { TomlTable } from "./access.ts";
import { get, getString, getStrings, getTable, isTable } from "./access.ts";

/** One header the static table yields, with the TOML key path it comes from. */
export interface ProjectedHeader {
  field: string;
  value: string;
  key: readonly string[];
}

/** One author or maintainer entry as written. */
export interface Person {
  name?: string;
  email?: string;
}

/** The people of `authors`/`maintainers` (entries that are not tables are skipped: PP12 reports them). */
export function peopleOf(project: TomlTable, key: "authors" | "maintainers"): Person[] {
  const value = get(project, key);
  if (!Array.isArray(value)) return [];
  return value.filter(isTable).map((entry) => {
    const person: Person = {};
    const name = getString(entry, "name");
    const email = getString(entry, "email");
    if (name !== undefined) person.name = name;
    if (email !== undefined) person.email = email;
    return person;
  });
}

/**
 * [PPT] authors/maintainers: name only → Author/Maintainer; email (with or without a name) →
 * Author-email/Maintainer-email as `name <email>`; several values joined with commas.
 */
export function personHeaders(people: readonly Person[]): { names?: string; emails?: string } {
  const names = people
    .filter((p) => p.email === undefined && p.name !== undefined)
    .map((p) => p.name as string);
  const emails = people
    .filter((p) => p.email !== undefined)
    .map((p) => (p.name === undefined ? (p.email as string) : `${p.name} <${p.email}>`));
  return {
    ...(names.length > 0 ? { names: names.join(", ") } : {}),
    ...(emails.length > 0 ? { emails: emails.join(", ") } : {}),
  };
}

const README_TYPES: Readonly<Record<string, string>> = { ".md": "text/markdown", ".rst": "text/x-rst" };

/** The suffix of a path (lower-cased, with the dot), or "" when it has none. */
export function suffixOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}

/** Description-Content-Type a string `readme` implies ([PPT]: `.md` and `.rst`, case-insensitive). */
export function readmeContentType(readme: unknown): string | undefined {
  if (typeof readme === "string") return README_TYPES[suffixOf(readme)];
  if (isTable(readme)) return getString(readme, "content-type");
  return undefined;
}

/** The readme file a `readme` value names, as written. */
export function readmeFile(readme: unknown): string | undefined {
  if (typeof readme === "string") return readme;
  return isTable(readme) ? getString(readme, "file") : undefined;
}

/** The dependency strings of `dependencies` and of each extra, with their key paths. */
export interface DeclaredDependency {
  text: string;
  /** The extra as written, for `optional-dependencies` entries. */
  extra?: string;
  key: readonly string[];
}

export function declaredDependencies(project: TomlTable): DeclaredDependency[] {
  const out: DeclaredDependency[] = (getStrings(project, "dependencies") ?? []).map((text) => ({
    text,
    key: ["project", "dependencies"],
  }));
  const extras = getTable(project, "optional-dependencies") ?? {};
  for (const extra of Object.keys(extras)) {
    for (const text of getStrings(extras, extra) ?? []) {
      out.push({ text, extra, key: ["project", "optional-dependencies", extra] });
    }
  }
  return out;
}

/**
 * The single-line headers the static `[project]` values become (Description excluded: it is the
 * message body). License-File values come from the caller, who knows which files matched.
 */
export function projectHeaders(project: TomlTable, licenseFiles: readonly string[] = []): ProjectedHeader[] {
  const headers: ProjectedHeader[] = [];
  const add = (field: string, value: string | undefined, ...key: string[]): void => {
    if (value !== undefined) headers.push({ field, value, key: ["project", ...key] });
  };
  add("Name", getString(project, "name"), "name");
  add("Version", getString(project, "version"), "version");
  add("Summary", getString(project, "description"), "description");
  add("Requires-Python", getString(project, "requires-python"), "requires-python");
  add("License-Expression", getString(project, "license"), "license");
  add("Description-Content-Type", readmeContentType(get(project, "readme")), "readme");
  const keywords = getStrings(project, "keywords");
  if (keywords && keywords.length > 0) add("Keywords", keywords.join(","), "keywords");
  for (const classifier of getStrings(project, "classifiers") ?? [])
    add("Classifier", classifier, "classifiers");
  const urls = getTable(project, "urls") ?? {};
  for (const label of Object.keys(urls))
    add("Project-URL", `${label}, ${getString(urls, label) ?? ""}`, "urls", label);
  for (const [key, prefix] of [
    ["authors", "Author"],
    ["maintainers", "Maintainer"],
  ] as const) {
    const { names, emails } = personHeaders(peopleOf(project, key));
    add(prefix, names, key);
    add(`${prefix}-email`, emails, key);
  }
  for (const dep of declaredDependencies(project)) {
    // biome-ignore lint/plugin/no-call-spread: a key path into pyproject.toml, at most three keys
    add("Requires-Dist", dep.text, ...dep.key.slice(1));
  }
  for (const extra of Object.keys(getTable(project, "optional-dependencies") ?? {})) {
    add("Provides-Extra", extra, "optional-dependencies", extra);
  }
  for (const name of getStrings(project, "import-names") ?? []) add("Import-Name", name, "import-names");
  for (const name of getStrings(project, "import-namespaces") ?? [])
    add("Import-Namespace", name, "import-namespaces");
  for (const path of licenseFiles) add("License-File", path, "license-files");
  return headers;
}
