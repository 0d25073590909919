/** Typed access to a parsed pyproject.toml: the TOML types and the [project] key lists of [PPT]. */

export type TomlTable = Record<string, unknown>;

/** A TOML table (smol-toml builds prototype-less objects; dates are Date instances). */
export function isTable(value: unknown): value is TomlTable {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The TOML type name of a value, for messages ("expected a string, found an array"). */
export function tomlType(value: unknown): string {
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "number" || typeof value === "bigint") {
    return Number.isInteger(value) || typeof value === "bigint" ? "an integer" : "a float";
  }
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date-time";
  return "a table";
}

/** Own property lookup (a TOML key may be `constructor` or `__proto__`). */
export function get(table: TomlTable | undefined, key: string): unknown {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

export function has(table: TomlTable | undefined, key: string): boolean {
  return table !== undefined && Object.hasOwn(table, key);
}

export function getTable(table: TomlTable | undefined, key: string): TomlTable | undefined {
  const value = get(table, key);
  return isTable(value) ? value : undefined;
}

export function getString(table: TomlTable | undefined, key: string): string | undefined {
  const value = get(table, key);
  return typeof value === "string" ? value : undefined;
}

/** The string items of an array value (non-strings are dropped: PP03 reports them). */
export function getStrings(table: TomlTable | undefined, key: string): string[] | undefined {
  const value = get(table, key);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}

/** Every key of `[project]` the specification allows ([PPT], PEP 794 import names). */
export const PROJECT_KEYS = [
  "authors",
  "classifiers",
  "dependencies",
  "description",
  "dynamic",
  "entry-points",
  "gui-scripts",
  "import-names",
  "import-namespaces",
  "keywords",
  "license",
  "license-files",
  "maintainers",
  "name",
  "optional-dependencies",
  "readme",
  "requires-python",
  "scripts",
  "urls",
  "version",
] as const;

export type ProjectKey = (typeof PROJECT_KEYS)[number];

/**
 * Array and table keys: PEP 808 (Metadata 2.6) lets these be static and listed in `dynamic` at
 * once, the backend only appending to the static part.
 */
export const EXTENSIBLE_KEYS: ReadonlySet<string> = new Set([
  "authors",
  "classifiers",
  "dependencies",
  "entry-points",
  "gui-scripts",
  "import-names",
  "import-namespaces",
  "keywords",
  "license-files",
  "maintainers",
  "optional-dependencies",
  "scripts",
  "urls",
]);

/** How a [project] key is provided: absent, static, dynamic, or static extended by the backend. */
export type Provision = "absent" | "static" | "dynamic" | "partial";

/** The `dynamic` list as a set (non-string items ignored). */
export function dynamicKeys(project: TomlTable | undefined): ReadonlySet<string> {
  return new Set(getStrings(project, "dynamic") ?? []);
}

export function provision(project: TomlTable | undefined, key: string): Provision {
  const dynamic = dynamicKeys(project).has(key);
  if (!has(project, key)) return dynamic ? "dynamic" : "absent";
  return dynamic ? "partial" : "static";
}
