/**
 * XA04, field by field: each static `[project]` value against one distribution's METADATA or
 * PKG-INFO, compared the way the values mean (normalized names, parsed requirements and
 * specifiers, order-free lists) so that legitimate backend rewriting is never reported.
 */
import type { CheckInfo, Finding, Severity } from "../findings.ts";
import { finding } from "../findings.ts";
import { parseLicenseExpression } from "../license/spdx.ts";
import { LINE_BOUNDARY } from "../metadata/fields.ts";
import type { MetadataFile } from "../metadata/parse.ts";
import { field, fieldAll } from "../metadata/parse.ts";
import { normalizeName } from "../names/name.ts";
import { compareVersions, parseVersion } from "../pep440/version.ts";
import type { Provision, TomlTable } from "../pyproject/access.ts";
import { get, getString, getStrings, getTable, isTable, provision } from "../pyproject/access.ts";
import type { DependencyEntry } from "../pyproject/compare.ts";
import {
  dependencyEntry,
  dependencyKey,
  expandSelfReferences,
  multisetDiff,
  specifierSetKey,
} from "../pyproject/compare.ts";
import { declaredDependencies } from "../pyproject/mapping.ts";
import { parseImportName } from "../pyproject/python-names.ts";
import type { DistContext } from "./context.ts";

/** One distribution being compared with the project. */
export interface Comparison {
  project: TomlTable;
  dist: DistContext;
  md: MetadataFile;
  info: CheckInfo;
  /**
   * An sdist whose PKG-INFO predates Metadata 2.2: nothing promised it is complete (old
   * setuptools left out Requires-Dist), so only values present are compared.
   */
  incomplete: boolean;
}

/** Whether a distribution's metadata may legitimately leave fields out (sdist, Metadata-Version < 2.2). */
export function isIncompleteMetadata(dist: DistContext, md: MetadataFile): boolean {
  if (dist.artifact.kind !== "sdist") return false;
  const [major = 0, minor = 0] = (field(md, "Metadata-Version") ?? "").trim().split(".").map(Number);
  return major < 2 || (major === 2 && minor < 2);
}

/**
 * A finding on the distribution's metadata field; `member` names another member instead
 * (entry_points.txt), with `metaField` then the section inside it.
 */
export function mismatch(
  c: Comparison,
  metaField: string,
  detail: string,
  severity?: Severity,
  member?: string,
): Finding {
  const where = member ?? c.dist.metadataMember;
  const subject =
    member === undefined
      ? `${where?.split("/").at(-1) ?? "metadata"} ${metaField}`
      : `${member} ${metaField}`;
  const location = { file: c.dist.display, ...(where ? { member: where } : {}), field: metaField };
  return finding(c.info, `${c.dist.display}: ${subject} ${detail}`, location, severity ? { severity } : {});
}

const show = (value: string): string => JSON.stringify(value);

/** A single-value field: name, version, summary, requires-python, license expression. */
function compareScalar(
  c: Comparison,
  key: string,
  metaField: string,
  expected: string | undefined,
  same: (declared: string, written: string) => boolean,
): Finding[] {
  const state = provision(c.project, key);
  const actual = field(c.md, metaField);
  if (state === "dynamic" || state === "partial") return [];
  if (state === "absent" || expected === undefined) {
    // "UNKNOWN" is old setuptools' placeholder for an unset field (MD25 reports it).
    if (actual === undefined || ["", "UNKNOWN"].includes(actual.trim()) || state !== "absent") return [];
    return [
      mismatch(c, metaField, `is ${show(actual)}, but project.${key} is not set nor dynamic`, "warning"),
    ];
  }
  if (actual === undefined)
    return [mismatch(c, metaField, `is missing; project.${key} is ${show(expected)}`)];
  if (same(expected, actual)) return [];
  return [mismatch(c, metaField, `is ${show(actual)}, but project.${key} is ${show(expected)}`)];
}

const sameVersion = (a: string, b: string): boolean => {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  return va && vb ? compareVersions(va, vb) === 0 : a.trim() === b.trim();
};

const sameLicense = (a: string, b: string): boolean => {
  const la = parseLicenseExpression(a);
  const lb = parseLicenseExpression(b);
  return la.ok && lb.ok ? la.value.canonical === lb.value.canonical : a.trim() === b.trim();
};

export function compareScalars(c: Comparison): Finding[] {
  const p = c.project;
  const description = getString(p, "description");
  return [
    ...compareScalar(
      c,
      "name",
      "Name",
      getString(p, "name"),
      (a, b) => normalizeName(a) === normalizeName(b.trim()),
    ),
    ...compareScalar(c, "version", "Version", getString(p, "version"), sameVersion),
    // A multi-line description is PP07's error; backends fold or refuse it, so no comparison.
    ...(description !== undefined && LINE_BOUNDARY.test(description)
      ? []
      : compareScalar(c, "description", "Summary", description, (a, b) => a.trim() === b.trim())),
    ...compareScalar(
      c,
      "requires-python",
      "Requires-Python",
      getString(p, "requires-python"),
      (a, b) => specifierSetKey(a) === specifierSetKey(b),
    ),
    ...(isTable(get(p, "license"))
      ? []
      : compareScalar(c, "license", "License-Expression", getString(p, "license"), sameLicense)),
  ];
}

/**
 * A list field compared as a multiset of keys: missing values are errors; unexpected ones are
 * errors for a static key, warnings for an absent one, and allowed for a partial (PEP 808) one.
 */
export function compareList<T>(
  c: Comparison,
  options: {
    key: string;
    metaField: string;
    state?: Provision;
    expected: readonly T[];
    actual: readonly T[];
    keyOf: (item: T) => string;
    text: (item: T) => string;
    /** What an absent key means: "none" (the field must be empty) or "free" (backends may fill it). */
    absent?: "none" | "free";
    /** Severity for values a static key does not declare (default error). */
    unexpected?: Severity;
    /** Another member than the metadata file (see `mismatch`). */
    member?: string;
  },
): Finding[] {
  const state = options.state ?? provision(c.project, options.key);
  if (state === "dynamic" || (state === "absent" && options.absent === "free")) return [];
  const diff = multisetDiff(options.expected, options.actual, options.keyOf);
  const { unexpected } = diff;
  const missing = c.incomplete ? [] : diff.missing;
  const out = missing.map((item) =>
    mismatch(
      c,
      options.metaField,
      `lacks ${show(options.text(item))}, which project.${options.key} declares`,
      undefined,
      options.member,
    ),
  );
  if (state === "partial") return out;
  const severity: Severity = state === "absent" ? "warning" : (options.unexpected ?? "error");
  const why = state === "absent" ? "is not set nor dynamic" : "does not declare it";
  for (const item of unexpected) {
    out.push(
      mismatch(
        c,
        options.metaField,
        `has ${show(options.text(item))}, but project.${options.key} ${why}`,
        severity,
        options.member,
      ),
    );
  }
  return out;
}

const unique = (values: readonly string[]): string[] => [...new Set(values.map((v) => v.trim()))];

export function compareLists(c: Comparison): Finding[] {
  const p = c.project;
  const keywords = (field(c.md, "Keywords") ?? "").split(",").filter((k) => k.trim() !== "");
  const urls = Object.entries(getTable(p, "urls") ?? {}).map(([label, url]) => `${label}, ${String(url)}`);
  const importNames = (values: readonly string[]): string[] =>
    values.map((v) => {
      const parsed = parseImportName(v);
      return parsed.ok ? `${parsed.value.name}${parsed.value.private ? "; private" : ""}` : v.trim();
    });
  const text = (s: string): string => s;
  return [
    ...compareList(c, {
      key: "keywords",
      metaField: "Keywords",
      expected: unique(getStrings(p, "keywords") ?? []),
      actual: unique(keywords),
      keyOf: text,
      text,
    }),
    ...compareList(c, {
      key: "classifiers",
      metaField: "Classifier",
      expected: unique(getStrings(p, "classifiers") ?? []),
      actual: unique(fieldAll(c.md, "Classifier")),
      keyOf: text,
      text,
    }),
    ...compareList(c, {
      key: "urls",
      metaField: "Project-URL",
      expected: urls,
      actual: fieldAll(c.md, "Project-URL"),
      // [CM]: split at the first comma, strip both parts.
      keyOf: (v) => {
        const comma = v.indexOf(",");
        return comma < 0 ? v.trim() : `${v.slice(0, comma).trim()}\n${v.slice(comma + 1).trim()}`;
      },
      text,
    }),
    // Import names are new (Metadata 2.5) and backend support lags: differences are warnings.
    ...["import-names", "import-namespaces"].flatMap((key) =>
      compareList(c, {
        key,
        metaField: key === "import-names" ? "Import-Name" : "Import-Namespace",
        expected: importNames(getStrings(p, key) ?? []),
        actual: importNames(fieldAll(c.md, key === "import-names" ? "Import-Name" : "Import-Namespace")),
        keyOf: text,
        text,
        absent: "free",
        unexpected: "warning",
      }).map((f) => ({ ...f, severity: "warning" as const })),
    ),
  ];
}

/** Requires-Dist and Provides-Extra against dependencies and optional-dependencies. */
export function compareDependencies(c: Comparison): Finding[] {
  const name = getString(c.project, "name") ?? field(c.md, "Name") ?? "";
  const declared = expandSelfReferences(
    declaredDependencies(c.project).map((d) => dependencyEntry(d.text, d.extra)),
    name,
  ).map((d) => (d.extra === undefined ? d : { ...d, text: `${d.text} (extra ${d.extra})` }));
  const written = expandSelfReferences(
    fieldAll(c.md, "Requires-Dist").map((text) => dependencyEntry(text)),
    name,
  );
  // Backends may drop duplicates (an expanded self-reference repeating a direct entry): compare sets.
  const uniqueBy = (list: DependencyEntry[]): DependencyEntry[] => [
    ...new Map(list.map((d) => [dependencyKey(d), d])).values(),
  ];
  const plain = (list: DependencyEntry[], want: boolean): DependencyEntry[] =>
    uniqueBy(list.filter((d) => (d.extra === undefined) === want));
  const byKey = dependencyKey;
  const extras = Object.keys(getTable(c.project, "optional-dependencies") ?? {});
  return [
    ...compareList(c, {
      key: "dependencies",
      metaField: "Requires-Dist",
      expected: plain(declared, true),
      actual: plain(written, true),
      keyOf: byKey,
      text: (d) => d.text,
      absent: "none",
    }),
    ...compareList(c, {
      key: "optional-dependencies",
      metaField: "Requires-Dist",
      expected: plain(declared, false),
      actual: plain(written, false),
      keyOf: byKey,
      text: (d) => d.text,
    }),
    ...compareList(c, {
      key: "optional-dependencies",
      metaField: "Provides-Extra",
      expected: unique(extras),
      actual: unique(fieldAll(c.md, "Provides-Extra")),
      keyOf: normalizeName,
      text: (s) => s,
    }),
  ];
}
