/**
 * Semantic keys for comparing what pyproject.toml declares with what a backend wrote: two values
 * get the same key exactly when a backend may legitimately have turned one into the other
 * (name and extra normalization, version normalization, marker spacing, quoting and grouping,
 * the `extra == "x"` clause backends add to optional dependencies).
 */
import { normalizeName } from "../names/name.ts";
import type { Specifier } from "../pep440/specifier.ts";
import { parseSpecifierSet } from "../pep440/specifier.ts";
import { formatVersion, parseVersion } from "../pep440/version.ts";
import type { Marker, MarkerValue } from "../pep508/marker.ts";
import type { Requirement } from "../pep508/requirement.ts";
import { parseRequirement } from "../pep508/requirement.ts";

/**
 * One specifier: the operator and the normalized version. Trailing `.0` release parts are dropped
 * where PEP 440 pads with zeros anyway (`>=3.9` = `>=3.9.0`), never for `~=` (its length is its
 * meaning) or a `.*` prefix; `===` compares text.
 */
export function specifierKey(spec: Specifier): string {
  if (spec.operator === "===") return `===${spec.version}`;
  const wildcard = spec.version.endsWith(".*");
  const base = wildcard ? spec.version.slice(0, -2) : spec.version;
  const parsed = parseVersion(base);
  if (!parsed) return `${spec.operator}${base}`;
  if (wildcard || spec.operator === "~=")
    return `${spec.operator}${formatVersion(parsed)}${wildcard ? ".*" : ""}`;
  const release = [...parsed.release];
  while (release.length > 1 && release.at(-1) === 0) release.pop();
  return `${spec.operator}${formatVersion({ ...parsed, release })}`;
}

/** A specifier set as an order-free key; text that does not parse is kept trimmed. */
export function specifierSetKey(text: string): string {
  const parsed = parseSpecifierSet(text.trim());
  if (!parsed.ok) return `raw:${text.trim()}`;
  return [...new Set(parsed.value.map(specifierKey))].sort().join(",");
}

const isExtraVariable = (v: MarkerValue): boolean => v.kind === "variable" && v.name === "extra";

function valueKey(value: MarkerValue, normalize: boolean): string {
  if (value.kind === "variable") return value.name;
  return JSON.stringify(normalize ? normalizeName(value.value) : value.value);
}

/** The operands of a chain of one operator (`a and (b and c)` → a, b, c). */
function flatten(marker: Marker, kind: "and" | "or"): Marker[] {
  if (marker.kind !== kind) return [marker];
  return [...flatten(marker.left, kind), ...flatten(marker.right, kind)];
}

/** A marker as an order-free key: chains flattened and sorted, `extra` values normalized. */
export function markerKey(marker: Marker): string {
  if (marker.kind === "compare") {
    const extra = isExtraVariable(marker.left) || isExtraVariable(marker.right);
    return `${valueKey(marker.left, extra)} ${marker.op} ${valueKey(marker.right, extra)}`;
  }
  const parts = [...new Set(flatten(marker, marker.kind).map(markerKey))].sort();
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(` ${marker.kind} `)})`;
}

/** The normalized extra an `extra == "x"` comparison names, if the marker is one. */
function extraOf(marker: Marker): string | undefined {
  if (marker.kind !== "compare" || marker.op !== "==") return undefined;
  if (isExtraVariable(marker.left) && marker.right.kind === "literal")
    return normalizeName(marker.right.value);
  if (isExtraVariable(marker.right) && marker.left.kind === "literal")
    return normalizeName(marker.left.value);
  return undefined;
}

/** One dependency, split into what backends keep and the `extra == "x"` clause they add. */
export interface DependencyEntry {
  /** The text as declared or written, for messages. */
  text: string;
  /** Normalized extra it belongs to (declaring table, or a top-level `extra == "x"` clause). */
  extra?: string;
  /** The parsed requirement; undefined when it does not parse (then the text is compared). */
  requirement?: Requirement;
  /** Top-level `and` clauses of the marker other than the extra clause. */
  clauses: readonly Marker[];
}

/** A Requires-Dist value, or a pyproject dependency declared under the extra `declaredExtra`. */
export function dependencyEntry(text: string, declaredExtra?: string): DependencyEntry {
  const parsed = parseRequirement(text.trim());
  const extraOfTable = declaredExtra === undefined ? undefined : normalizeName(declaredExtra);
  if (!parsed.ok)
    return extraOfTable === undefined ? { text, clauses: [] } : { text, extra: extraOfTable, clauses: [] };
  const conjuncts = parsed.value.marker ? flatten(parsed.value.marker, "and") : [];
  const written = conjuncts.map(extraOf).find((e) => e !== undefined);
  // A declared extra keeps every clause: an `extra ==` inside a pyproject string is the user's own.
  const clauses = extraOfTable === undefined ? conjuncts.filter((m) => extraOf(m) === undefined) : conjuncts;
  const extra = extraOfTable ?? written;
  const entry: DependencyEntry = { text, requirement: parsed.value, clauses };
  if (extra !== undefined) entry.extra = extra;
  return entry;
}

/**
 * Replaces self-references (`pkg[a,b]` in pkg's own extras) by the requirements of the extras
 * they name, recursively: hatchling writes them expanded, flit and setuptools as written, so both
 * sides are compared expanded.
 */
export function expandSelfReferences(
  entries: readonly DependencyEntry[],
  projectName: string,
): DependencyEntry[] {
  const self = normalizeName(projectName);
  const isSelf = (e: DependencyEntry): boolean =>
    e.requirement !== undefined &&
    normalizeName(e.requirement.name) === self &&
    e.requirement.specifier.length === 0 &&
    e.requirement.url === undefined;
  const byExtra = new Map<string, DependencyEntry[]>();
  for (const e of entries) {
    if (e.extra !== undefined) byExtra.set(e.extra, [...(byExtra.get(e.extra) ?? []), e]);
  }
  const expand = (entry: DependencyEntry, seen: ReadonlySet<string>): DependencyEntry[] => {
    if (!isSelf(entry)) return [entry];
    const out: DependencyEntry[] = [];
    for (const name of (entry.requirement as Requirement).extras.map(normalizeName)) {
      if (seen.has(name)) continue;
      for (const inner of byExtra.get(name) ?? []) {
        for (const e of expand(inner, new Set([...seen, name]))) {
          const copy: DependencyEntry = { ...e, clauses: [...e.clauses, ...entry.clauses] };
          if (entry.extra === undefined) delete copy.extra;
          else copy.extra = entry.extra;
          out.push(copy);
        }
      }
    }
    return out;
  };
  return entries.flatMap((e) => expand(e, new Set(e.extra === undefined ? [] : [e.extra])));
}

/** The order-free key of a dependency entry (name, extras, specifiers, URL, clauses, extra). */
export function dependencyKey(entry: DependencyEntry): string {
  const req = entry.requirement;
  const extra = entry.extra === undefined ? "" : `extra == ${JSON.stringify(entry.extra)}`;
  if (req === undefined) return `raw:${entry.text.trim()};${extra}`;
  const extras = [...new Set(req.extras.map(normalizeName))].sort().join(",");
  const specs = [...new Set(req.specifier.map(specifierKey))].sort().join(",");
  const clauses = [...new Set(entry.clauses.map(markerKey))].sort().join(" and ");
  return `${normalizeName(req.name)}[${extras}]${specs}${req.url === undefined ? "" : ` @ ${req.url}`};${clauses};${extra}`;
}

/** Items of `expected` missing from `actual` and items of `actual` not expected, as multisets. */
export function multisetDiff<T>(
  expected: readonly T[],
  actual: readonly T[],
  keyOf: (item: T) => string,
): { missing: T[]; unexpected: T[] } {
  const remaining = new Map<string, number>();
  for (const item of actual) remaining.set(keyOf(item), (remaining.get(keyOf(item)) ?? 0) + 1);
  const missing: T[] = [];
  for (const item of expected) {
    const count = remaining.get(keyOf(item)) ?? 0;
    if (count > 0) remaining.set(keyOf(item), count - 1);
    else missing.push(item);
  }
  const unexpected: T[] = [];
  for (const item of actual) {
    const count = remaining.get(keyOf(item)) ?? 0;
    if (count > 0) {
      unexpected.push(item);
      remaining.set(keyOf(item), count - 1);
    }
  }
  return { missing, unexpected };
}
