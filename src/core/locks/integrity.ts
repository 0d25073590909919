/**
 * Lockfile integrity (`slipway scan lock`): a lockfile that no longer matches pyproject.toml,
 * or that pins artifacts without hashes, is refused before a release uses it. uv.lock is held
 * against the project's requirements uv records in it (`[package.metadata]`), as `uv lock
 * --check` does; poetry.lock against its `content-hash`, computed as poetry computes it.
 */
import { createHash } from "node:crypto";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { normalizeName } from "../names/name.ts";
import { parseSpecifierSet, type Specifier } from "../pep440/specifier.ts";
import { canonicalizeVersion, compareVersions, parseVersion } from "../pep440/version.ts";
import { type Marker, type MarkerValue, parseMarker } from "../pep508/marker.ts";
import { parseRequirement } from "../pep508/requirement.ts";
import { isTable, type TomlTable } from "../pyproject/access.ts";
import { arrayTableLines, type LockError, type LockRead, parseLockToml } from "./pins.ts";

const CHECKS: readonly CheckInfo[] = [
  {
    id: "LOCK01",
    severity: "error",
    title: "Lockfile cannot be read",
    why: "A lockfile that is not valid TOML or JSON, or lacks the fields of its format, pins nothing that can be checked.",
    fix: "Regenerate the lockfile with its tool (`uv lock`, `poetry lock`).",
    source: "uv.lock, poetry.lock, PEP 751",
  },
  {
    id: "LOCK02",
    severity: "error",
    title: "uv.lock does not match the requirements of pyproject.toml",
    why: "uv records the dependencies, optional dependencies and dependency groups it locked; when pyproject.toml changed since, `uv lock --check` and `uv sync --locked` fail and the lock installs other packages than the project asks for.",
    fix: "Run `uv lock` and commit the updated uv.lock.",
    source: "uv lock --check",
  },
  {
    id: "LOCK03",
    severity: "error",
    title: "uv.lock was made for another requires-python",
    why: "uv resolves for the project's requires-python; a lock made for another range may miss or forbid the versions the project supports.",
    fix: "Run `uv lock` and commit the updated uv.lock.",
    source: "uv lock --check",
  },
  {
    id: "LOCK04",
    severity: "error",
    title: "uv.lock has no entry for the project",
    why: "Without the project's own entry the lock does not say what it was made from; uv would relock.",
    fix: "Run `uv lock` in the project directory and commit uv.lock.",
    source: "uv lock --check",
  },
  {
    id: "LOCK05",
    severity: "error",
    title: "poetry.lock content-hash does not match pyproject.toml",
    why: "Poetry hashes the dependency sections of pyproject.toml into the lock; a mismatch means the lock is stale and `poetry install` refuses it (`poetry check --lock` fails).",
    fix: "Run `poetry lock` and commit the updated poetry.lock.",
    source: "poetry packages/locker.py (_get_content_hash)",
  },
  {
    id: "LOCK06",
    severity: "error",
    title: "Locked artifact without a hash",
    why: "A downloaded artifact without a recorded hash cannot be verified on install; a replaced file on the index goes unnoticed.",
    fix: "Regenerate the lock from an index that serves hashes, or add the hashes.",
    source: "PEP 751 (hashes), pip --require-hashes",
  },
  {
    id: "LOCK07",
    severity: "warning",
    title: "Requirement not pinned to one version",
    why: "A requirements file line without `==` installs whatever the index serves that day; no advisory can be matched against it and no hash can hold it.",
    fix: "Pin it (`name==version`), e.g. by compiling the file with `uv pip compile` or pip-tools.",
    source: "pip hash-checking mode (--require-hashes needs == pins)",
  },
];

export const LOCK_CHECKS = catalogue(CHECKS);
/** The LOCK checks in catalogue order (docs/scan-lock.md lists them). */
export const LOCK_CHECK_LIST: readonly CheckInfo[] = CHECKS;
const info = (id: string): CheckInfo => LOCK_CHECKS[id] as CheckInfo;

/** A LockError as a LOCK01 finding. */
export function lockErrorFinding(error: LockError): Finding {
  return finding(info("LOCK01"), `${error.file}: ${error.message}`, { file: error.file, line: error.line });
}

/** Files as the user names them in findings. */
export interface LockFiles {
  pyproject: string;
  lock: string;
}

/**
 * uv.lock against pyproject.toml: the project's `requires-dist` (dependencies and optional
 * dependencies), `provides-extras`, `requires-dev` (dependency groups and tool.uv.dev-dependencies)
 * and the lock's `requires-python`. Requirements are compared by meaning (normalized names,
 * specifier sets, markers with uv's rewriting of `python_version`), not by spelling.
 */
export function checkUvLock(pyproject: TomlTable, lockText: string, files: LockFiles): Finding[] {
  const parsed = parseLockToml(files.lock, lockText);
  if (!parsed.ok) return [lockErrorFinding(parsed.error)];
  const lock = parsed.value;
  const project = isTable(pyproject.project) ? pyproject.project : undefined;
  const name = typeof project?.name === "string" ? project.name : undefined;
  const packages = Array.isArray(lock.package) ? lock.package : [];
  const lines = arrayTableLines(lockText, "package");
  const findings: Finding[] = artifactHashFindings(packages, lines, files.lock);
  if (!project || name === undefined) return findings;
  const dynamic = Array.isArray(project.dynamic) ? project.dynamic : [];
  const sourced = uvSourcedNames(pyproject);

  const requiresPython =
    typeof project["requires-python"] === "string" ? project["requires-python"] : undefined;
  const lockPython = typeof lock["requires-python"] === "string" ? lock["requires-python"] : undefined;
  if (requiresPython !== undefined && pythonKey(requiresPython) !== pythonKey(lockPython ?? "")) {
    findings.push(
      finding(
        info("LOCK03"),
        `${files.lock}: locked for requires-python ${JSON.stringify(lockPython ?? "(none)")}, but ${files.pyproject} asks for ${JSON.stringify(requiresPython)}`,
        { file: files.lock, field: "requires-python", line: lineOf(lockText, /^requires-python\s*=/) },
      ),
    );
  }

  const index = packages.findIndex(
    (entry) =>
      isTable(entry) && typeof entry.name === "string" && normalizeName(entry.name) === normalizeName(name),
  );
  const entry = packages[index];
  if (!isTable(entry)) {
    findings.push(
      finding(info("LOCK04"), `${files.lock}: no [[package]] entry for the project ${JSON.stringify(name)}`, {
        file: files.lock,
      }),
    );
    return findings;
  }
  const entryLine = lines[index] ?? 1;
  const metadata = isTable(entry.metadata) ? entry.metadata : {};
  const stale = (what: string): void => {
    findings.push(
      finding(info("LOCK02"), `${files.lock}: ${what}`, {
        file: files.lock,
        line: entryLine,
        field: "package.metadata",
      }),
    );
  };

  if (!dynamic.includes("dependencies") && !dynamic.includes("optional-dependencies")) {
    const wanted = projectRequiresDist(project, sourced);
    const locked = lockedRequirements(metadata["requires-dist"]);
    compareRequirementSets(wanted, locked, "dependency", files.pyproject, stale);
    const extras = Object.keys(
      isTable(project["optional-dependencies"]) ? project["optional-dependencies"] : {},
    )
      .map(normalizeName)
      .sort();
    const lockedExtras = (Array.isArray(metadata["provides-extras"]) ? metadata["provides-extras"] : [])
      .filter((extra): extra is string => typeof extra === "string")
      .map(normalizeName)
      .sort();
    if (Array.isArray(metadata["provides-extras"]) && extras.join(",") !== lockedExtras.join(",")) {
      stale(
        `the lock provides extras [${lockedExtras.join(", ")}], ${files.pyproject} defines [${extras.join(", ")}]`,
      );
    }
  }

  const groups = projectGroups(pyproject, sourced);
  const lockedGroups = isTable(metadata["requires-dev"]) ? metadata["requires-dev"] : {};
  const names = new Set([...groups.keys(), ...Object.keys(lockedGroups).map(normalizeName)]);
  for (const group of [...names].sort()) {
    const lockedEntry = Object.entries(lockedGroups).find(([key]) => normalizeName(key) === group)?.[1];
    compareRequirementSets(
      groups.get(group) ?? new Map(),
      lockedRequirements(lockedEntry),
      `dependency group ${JSON.stringify(group)} requirement`,
      files.pyproject,
      stale,
    );
  }
  return findings;
}

/** Requirement key (name, extras, specifiers, marker) → the text to show. */
type RequirementSet = Map<string, string>;

function compareRequirementSets(
  wanted: RequirementSet,
  locked: RequirementSet,
  what: string,
  pyprojectFile: string,
  report: (message: string) => void,
): void {
  for (const [key, text] of wanted) {
    if (!locked.has(key))
      report(`${what} ${JSON.stringify(text)} of ${pyprojectFile} is not what the lock was made from`);
  }
  for (const [key, text] of locked) {
    if (!wanted.has(key))
      report(`the lock was made from ${what} ${JSON.stringify(text)}, which ${pyprojectFile} no longer has`);
  }
}

/** project.dependencies plus each optional dependency with `extra == '<name>'` added to its marker. */
function projectRequiresDist(project: TomlTable, sourced: ReadonlySet<string>): RequirementSet {
  const set: RequirementSet = new Map();
  for (const text of stringsOf(project.dependencies)) addRequirement(set, text, undefined, sourced);
  const optional = isTable(project["optional-dependencies"]) ? project["optional-dependencies"] : {};
  for (const [extra, list] of Object.entries(optional)) {
    for (const text of stringsOf(list)) addRequirement(set, text, normalizeName(extra), sourced);
  }
  return set;
}

/** [dependency-groups] with include-group expanded, plus tool.uv.dev-dependencies in `dev`. */
function projectGroups(pyproject: TomlTable, sourced: ReadonlySet<string>): Map<string, RequirementSet> {
  const table = isTable(pyproject["dependency-groups"]) ? pyproject["dependency-groups"] : {};
  const byName = new Map(Object.entries(table).map(([key, value]) => [normalizeName(key), value]));
  const expand = (group: string, seen: Set<string>): string[] => {
    if (seen.has(group)) return [];
    seen.add(group);
    const list = byName.get(group);
    if (!Array.isArray(list)) return [];
    return list.flatMap((item) => {
      if (typeof item === "string") return [item];
      if (isTable(item) && typeof item["include-group"] === "string")
        return expand(normalizeName(item["include-group"]), seen);
      return [];
    });
  };
  const groups = new Map<string, RequirementSet>();
  for (const group of byName.keys()) {
    const set: RequirementSet = new Map();
    for (const text of expand(group, new Set())) addRequirement(set, text, undefined, sourced);
    groups.set(group, set);
  }
  const tool = isTable(pyproject.tool) ? pyproject.tool : {};
  const uv = isTable(tool.uv) ? tool.uv : {};
  const legacy = stringsOf(uv["dev-dependencies"]);
  if (legacy.length > 0) {
    const dev = groups.get("dev") ?? new Map();
    for (const text of legacy) addRequirement(dev, text, undefined, sourced);
    groups.set("dev", dev);
  }
  return groups;
}

function addRequirement(
  set: RequirementSet,
  text: string,
  extra: string | undefined,
  sourced: ReadonlySet<string>,
): void {
  const parsed = parseRequirement(text);
  if (!parsed.ok) {
    // Kept by its text: it can match nothing in the lock, so the difference is reported.
    set.set(`unparsed:${text}`, text);
    return;
  }
  const { name, extras, url, marker } = parsed.value;
  // A requirement uv takes from a path, URL or VCS source is locked without its specifier.
  const fromSource = url !== undefined || sourced.has(normalizeName(name));
  const specifier = fromSource ? [] : parsed.value.specifier;
  let markerKey = marker ? canonicalMarker(marker) : "";
  if (extra !== undefined) {
    const extraKey = `extra=='${extra}'`;
    markerKey =
      markerKey === "" ? extraKey : joinCanonical("and", [...splitCanonical(marker!, "and"), extraKey]);
  }
  set.set(
    requirementKey(name, extras, specifier, markerKey, fromSource),
    extra === undefined ? text : `${text} (extra ${extra})`,
  );
}

/** Keys of a uv.lock requirement taken from a source other than an index. */
const LOCK_SOURCE_KEYS = ["path", "directory", "editable", "virtual", "url", "git"];

/**
 * Names that [tool.uv.sources] takes from a path, URL, VCS or workspace member (an `index`
 * source keeps the specifier). Only whether a name has such a source is compared, not where it
 * points.
 */
function uvSourcedNames(pyproject: TomlTable): Set<string> {
  const tool = isTable(pyproject.tool) ? pyproject.tool : {};
  const uv = isTable(tool.uv) ? tool.uv : {};
  const sources = isTable(uv.sources) ? uv.sources : {};
  const names = new Set<string>();
  for (const [name, value] of Object.entries(sources)) {
    const entries = Array.isArray(value) ? value : [value];
    if (
      entries.some(
        (entry) =>
          isTable(entry) &&
          !(
            "index" in entry &&
            Object.keys(entry).every(
              (key) => key === "index" || key === "marker" || key === "extra" || key === "group",
            )
          ),
      )
    ) {
      names.add(normalizeName(name));
    }
  }
  return names;
}

/** uv's inline requirement tables: `{ name, specifier?, marker?, extras? }`. */
function lockedRequirements(value: unknown): RequirementSet {
  const set: RequirementSet = new Map();
  if (!Array.isArray(value)) return set;
  for (const item of value) {
    if (!isTable(item) || typeof item.name !== "string") continue;
    const extras = stringsOf(item.extras);
    const specText = typeof item.specifier === "string" ? item.specifier : "";
    const spec = specText === "" ? { ok: true as const, value: [] } : parseSpecifierSet(specText);
    const markerText = typeof item.marker === "string" ? item.marker : "";
    const marker = markerText === "" ? undefined : parseMarker(markerText);
    const markerKey =
      marker === undefined ? "" : marker.ok ? canonicalMarker(marker.value) : `unparsed:${markerText}`;
    const fromSource = LOCK_SOURCE_KEYS.some((key) => key in item);
    const shown = `${item.name}${extras.length ? `[${extras.join(",")}]` : ""}${specText}${markerText ? `; ${markerText}` : ""}`;
    set.set(
      requirementKey(
        item.name,
        extras,
        fromSource ? [] : spec.ok ? spec.value : [{ operator: "===", version: specText }],
        markerKey,
        fromSource,
      ),
      shown,
    );
  }
  return set;
}

function requirementKey(
  name: string,
  extras: readonly string[],
  specifier: readonly Specifier[],
  marker: string,
  fromSource: boolean,
): string {
  const extraKey = [...new Set(extras.map(normalizeName))].sort().join(",");
  return `${normalizeName(name)}[${extraKey}]${fromSource ? "@source" : specifierKey(specifier)};${marker}`;
}

function specifierKey(specifier: readonly Specifier[]): string {
  const clauses = specifier.map(({ operator, version }) =>
    operator === "===" || version.endsWith(".*")
      ? `${operator}${version}`
      : `${operator}${canonicalizeVersion(version, { stripTrailingZero: operator !== "~=" })}`,
  );
  return [...new Set(clauses)].sort().join(",");
}

/**
 * requires-python by meaning: `~=3.10` is `>=3.10, <4` (as uv writes it), clauses sorted,
 * versions canonical.
 */
function pythonKey(text: string): string {
  const parsed = parseSpecifierSet(text);
  if (!parsed.ok) return `unparsed:${text.replace(/\s+/g, "")}`;
  const expanded: Specifier[] = parsed.value.flatMap((spec) => {
    if (spec.operator !== "~=") return [spec];
    const parts = spec.version.split(".");
    const prefix = parts.slice(0, -1);
    const last = Number(prefix[prefix.length - 1]);
    if (prefix.length === 0 || !Number.isInteger(last)) return [spec];
    return [
      { operator: ">=", version: spec.version },
      { operator: "<", version: [...prefix.slice(0, -1), String(last + 1)].join(".") },
    ];
  });
  return specifierKey(expanded);
}

/**
 * A marker in a canonical form that is the same for the ways uv rewrites one: and/or chains
 * flattened and sorted, quotes and spaces dropped, literal-first comparisons flipped, extra and
 * group names normalized, and `python_version` turned into uv's `python_full_version`.
 */
function canonicalMarker(marker: Marker): string {
  if (marker.kind === "compare") return canonicalCompare(marker);
  return joinCanonical(marker.kind, splitCanonical(marker, marker.kind));
}

function splitCanonical(marker: Marker, kind: "and" | "or"): string[] {
  if (marker.kind === kind)
    return [...splitCanonical(marker.left, kind), ...splitCanonical(marker.right, kind)];
  const text = canonicalMarker(marker);
  return [marker.kind === "compare" ? text : `(${text})`];
}

function joinCanonical(kind: "and" | "or", parts: readonly string[]): string {
  return [...new Set(parts)].sort().join(` ${kind} `);
}

const FLIPPED: Record<string, string> = {
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
  "==": "==",
  "!=": "!=",
};

function canonicalCompare(marker: Extract<Marker, { kind: "compare" }>): string {
  let { left, op, right } = marker;
  if (left.kind === "literal" && right.kind === "variable" && FLIPPED[op]) {
    [left, right] = [right, left];
    op = FLIPPED[op] as typeof op;
  }
  const variable = left.kind === "variable" ? left.name : undefined;
  let value = valueText(right, variable);
  let name = valueText(left, undefined);
  if (variable === "python_version" && right.kind === "literal" && /^\d+\.\d+$/.test(right.value)) {
    const [major = "", minor = ""] = right.value.split(".");
    const next = `${major}.${Number(minor) + 1}`;
    name = "python_full_version";
    if (op === "==" || op === "!=") value = `${right.value}.*`;
    else if (op === ">") [op, value] = [">=", next];
    else if (op === "<=") [op, value] = ["<", next];
  }
  return `${name}${op}${value}`;
}

function valueText(value: MarkerValue, variable: string | undefined): string {
  if (value.kind === "variable") return value.name;
  const text =
    variable === "extra" || variable === "dependency_groups" ? normalizeName(value.value) : value.value;
  return `'${text}'`;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function lineOf(text: string, pattern: RegExp): number {
  const index = text.split("\n").findIndex((line) => pattern.test(line));
  return index < 0 ? 1 : index + 1;
}

/**
 * Every artifact uv downloads (`url` wheels and sdists) has a hash. Local artifacts (`path`,
 * from a directory or --find-links) are recorded without one by uv itself and are not reported.
 */
function artifactHashFindings(
  packages: readonly unknown[],
  lines: readonly number[],
  file: string,
): Finding[] {
  const findings: Finding[] = [];
  packages.forEach((entry, index) => {
    if (!isTable(entry)) return;
    const artifacts = [entry.sdist, ...(Array.isArray(entry.wheels) ? entry.wheels : [])].filter(isTable);
    for (const artifact of artifacts) {
      if (typeof artifact.url !== "string" || typeof artifact.hash === "string") continue;
      findings.push(
        finding(
          info("LOCK06"),
          `${file}: ${String(entry.name)} ${String(entry.version ?? "")} artifact ${withoutUserinfo(artifact.url)} has no hash`,
          {
            file,
            line: lines[index] ?? 1,
          },
        ),
      );
    }
  });
  return findings;
}

/** A URL as findings show it: credentials an index URL may carry never reach a report. */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@");
}

/**
 * poetry.lock: `[metadata].content-hash` against the hash of pyproject.toml's relevant content,
 * and every package from an index lists its files with hashes.
 */
export function checkPoetryLock(pyproject: TomlTable, lockText: string, files: LockFiles): Finding[] {
  const parsed = parseLockToml(files.lock, lockText);
  if (!parsed.ok) return [lockErrorFinding(parsed.error)];
  const lock = parsed.value;
  const findings: Finding[] = [];
  const metadata = isTable(lock.metadata) ? lock.metadata : {};
  const recorded = metadata["content-hash"];
  const expected = poetryContentHash(pyproject);
  const fresh =
    recorded === expected ||
    (writtenBeforePoetry23(lockText) &&
      recorded === poetryContentHash(pyproject, { withDependencyGroups: false }));
  if (!fresh) {
    findings.push(
      finding(
        info("LOCK05"),
        `${files.lock}: content-hash ${JSON.stringify(recorded ?? "(none)")} does not match ${files.pyproject} (${expected})`,
        { file: files.lock, field: "metadata.content-hash", line: lineOf(lockText, /^content-hash\s*=/) },
      ),
    );
  }
  const packages = Array.isArray(lock.package) ? lock.package : [];
  const lines = arrayTableLines(lockText, "package");
  packages.forEach((entry, index) => {
    if (!isTable(entry)) return;
    const source = isTable(entry.source) ? entry.source : undefined;
    const sourceType = typeof source?.type === "string" ? source.type : undefined;
    // Directory and VCS dependencies are built from source: nothing to hash.
    if (sourceType === "directory" || sourceType === "git") return;
    const list = Array.isArray(entry.files) ? entry.files : [];
    const unhashed = list.filter(
      (file) => !isTable(file) || typeof file.hash !== "string" || file.hash === "",
    );
    if (list.length === 0 || unhashed.length > 0) {
      findings.push(
        finding(
          info("LOCK06"),
          `${files.lock}: ${String(entry.name)} ${String(entry.version ?? "")} has ${list.length === 0 ? "no files with hashes" : `${unhashed.length} file(s) without a hash`}`,
          { file: files.lock, line: lines[index] ?? 1 },
        ),
      );
    }
  });
  return findings;
}

const POETRY_LEGACY_KEYS = ["dependencies", "source", "extras", "dev-dependencies"];
const POETRY_RELEVANT_KEYS = [...POETRY_LEGACY_KEYS, "group"];
const POETRY_PROJECT_KEYS = ["requires-python", "dependencies", "optional-dependencies"];

/**
 * Poetry's content hash (poetry 2.5.1, poetry/packages/locker.py, `_get_content_hash`): sha256
 * of `json.dumps(relevant, sort_keys=True)`, where `relevant` holds the dependency keys of
 * [project], [dependency-groups] and [tool.poetry] (or, for a [tool.poetry]-only project, the
 * [tool.poetry] keys at the top level, with missing legacy keys as null).
 */
export function poetryContentHash(
  pyproject: TomlTable,
  options: { withDependencyGroups?: boolean } = {},
): string {
  const project = isTable(pyproject.project) ? pyproject.project : {};
  const groupTable = options.withDependencyGroups === false ? undefined : pyproject["dependency-groups"];
  const groups = isTable(groupTable) && Object.keys(groupTable).length > 0 ? groupTable : undefined;
  const tool = isTable(pyproject.tool) ? pyproject.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : {};
  const relevantProject: TomlTable = {};
  for (const key of POETRY_PROJECT_KEYS) if (project[key] !== undefined) relevantProject[key] = project[key];
  const hasProject = Object.keys(relevantProject).length > 0;
  const relevantPoetry: TomlTable = {};
  for (const key of POETRY_RELEVANT_KEYS) {
    const data = poetry[key];
    // Missing legacy keys are kept as null only for a [tool.poetry]-only project.
    if (data === undefined && (!POETRY_LEGACY_KEYS.includes(key) || hasProject || groups)) continue;
    relevantPoetry[key] = data ?? null;
  }
  let relevant: TomlTable = {};
  if (hasProject) relevant.project = relevantProject;
  if (groups) relevant["dependency-groups"] = groups;
  if (Object.keys(relevant).length > 0) relevant.tool = { poetry: relevantPoetry };
  else relevant = relevantPoetry;
  return createHash("sha256").update(pythonJsonDumps(relevant), "utf8").digest("hex");
}

/** Poetry before 2.3.0 hashed without [dependency-groups]; poetry accepts its locks so. */
function writtenBeforePoetry23(lockText: string): boolean {
  const version = /Poetry ([^ ]+)/.exec(lockText.split("\n", 1)[0] ?? "")?.[1];
  const parsed = version === undefined ? undefined : parseVersion(version);
  const threshold = parseVersion("2.3.0");
  return parsed !== undefined && threshold !== undefined && compareVersions(parsed, threshold) < 0;
}

/** Python's `json.dumps(value, sort_keys=True)` (ensure_ascii, `, ` and `: ` separators). */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloat(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (value instanceof Date) return pythonString(value.toISOString());
  if (isTable(value)) {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((key) => `${pythonString(key)}: ${pythonJsonDumps(value[key])}`).join(", ")}}`;
  }
  return pythonString(String(value));
}

function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  const text = String(value);
  return /[.e]/.test(text) ? text.replace(/e([+-])(\d)$/, "e$10$2") : `${text}.0`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function pythonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    const code = text.charCodeAt(i);
    if (SHORT_ESCAPES[char]) out += SHORT_ESCAPES[char];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * Hashes of pylock.toml and requirements files: PEP 751 requires `hashes` on every wheel,
 * sdist and archive; a requirements file that gives one `--hash` puts pip in hash-checking mode,
 * where every requirement needs its hashes and an exact pin. Unpinned requirements are LOCK07.
 */
export function checkLockHashes(
  format: "pylock.toml" | "requirements",
  file: string,
  text: string,
  read: LockRead,
): Finding[] {
  if (!read.ok) return [lockErrorFinding(read.error)];
  const findings: Finding[] = [];
  if (format === "requirements") {
    const hashMode = read.pins.some((pin) => pin.hashes.length > 0);
    for (const pin of read.pins) {
      if (!hashMode || pin.hashes.length > 0) continue;
      findings.push(
        finding(
          info("LOCK06"),
          `${file}: ${pin.name}==${pin.version} has no --hash while other requirements do (pip refuses it in hash-checking mode)`,
          {
            file,
            line: pin.line,
          },
        ),
      );
    }
    for (const entry of read.unpinned) {
      findings.push(
        finding(
          info("LOCK07"),
          `${file}: ${JSON.stringify(entry.requirement)} is not pinned to one version`,
          { file, line: entry.line },
          hashMode ? { severity: "error" } : {},
        ),
      );
    }
    return findings;
  }
  const parsed = parseLockToml(file, text);
  if (!parsed.ok) return [lockErrorFinding(parsed.error)];
  const packages = Array.isArray(parsed.value.packages) ? parsed.value.packages : [];
  const lines = arrayTableLines(text, "packages");
  packages.forEach((entry, index) => {
    if (!isTable(entry)) return;
    const artifacts = [
      entry.sdist,
      entry.archive,
      ...(Array.isArray(entry.wheels) ? entry.wheels : []),
    ].filter(isTable);
    const unhashed = artifacts.filter(
      (artifact) => !isTable(artifact.hashes) || Object.keys(artifact.hashes).length === 0,
    );
    if (unhashed.length === 0) return;
    findings.push(
      finding(
        info("LOCK06"),
        `${file}: ${String(entry.name)} ${String(entry.version ?? "")} has ${unhashed.length} artifact(s) without hashes (PEP 751 requires them)`,
        { file, line: lines[index] ?? 1 },
      ),
    );
  });
  return findings;
}
