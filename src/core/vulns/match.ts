/**
 * Which advisories affect one pinned (name, version): OSV's evaluation (schema.md "Evaluation")
 * over `ECOSYSTEM` ranges, ordered by slipway's own PEP 440 code, plus explicit `versions` lists.
 * Withdrawn records never match; records that alias each other (PYSEC, GHSA, CVE for one flaw)
 * become one finding listing every id.
 */
import { pushAll } from "../arrays.ts";
import { normalizeName } from "../names/name.ts";
import { compareVersions, parseVersion, type Version } from "../pep440/version.ts";
import { compareLevels, cvss3BaseScore, levelOfScore, levelOfWord, type SeverityLevel } from "./cvss.ts";
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord, OsvSeverity } from "./osv.ts";

export interface VulnSeverity {
  level: SeverityLevel;
  /** CVSS v3 base score, when a v3 vector was given. */
  score?: number;
  vector?: string;
}

export interface VulnFinding {
  /** The preferred id (PYSEC, then GHSA, then any other, then CVE). */
  id: string;
  /** Every id of the vulnerability: the records' ids and their aliases, sorted. */
  ids: string[];
  name: string;
  version: string;
  summary?: string;
  /** Versions named by `fixed` events of the matching ranges, in PEP 440 order. */
  fixed: string[];
  /** The lowest fixed version above the pinned one, when there is one. */
  fixedIn?: string;
  severity: VulnSeverity;
}

export interface AdvisoryIndex {
  /** Non-withdrawn records per normalized PyPI name. */
  byName: Map<string, OsvRecord[]>;
}

/** Groups records by the PyPI packages they name; withdrawn records are left out. */
export function indexAdvisories(records: readonly OsvRecord[]): AdvisoryIndex {
  const byName = new Map<string, OsvRecord[]>();
  for (const record of records) {
    if (record.withdrawn !== undefined) continue;
    const names = new Set(record.affected.filter((a) => a.ecosystem === "PyPI").map((a) => a.name));
    for (const name of names) {
      const list = byName.get(name);
      if (list) list.push(record);
      else byName.set(name, [record]);
    }
  }
  return { byName };
}

const parsedCache = new Map<string, Version | null>();

function versionOf(text: string): Version | undefined {
  let parsed = parsedCache.get(text);
  if (parsed === undefined) {
    parsed = parseVersion(text) ?? null;
    if (parsedCache.size > 100_000) parsedCache.clear();
    parsedCache.set(text, parsed);
  }
  return parsed ?? undefined;
}

/** `introduced: "0"` is below every version. Unparseable event versions are left out (they order nothing). */
function eventVersion(event: OsvEvent): Version | "zero" | undefined {
  if (event.kind === "introduced" && event.version === "0") return "zero";
  return versionOf(event.version);
}

interface Placed {
  kind: OsvEvent["kind"];
  at: Version | "zero";
}

function compareAt(a: Version | "zero", b: Version | "zero"): number {
  if (a === "zero") return b === "zero" ? 0 : -1;
  if (b === "zero") return 1;
  return compareVersions(a, b);
}

interface PlacedRange {
  /** The events with parseable versions, in version order. */
  placed: Placed[];
  limits: Placed[];
}

// Each range's events parsed and ordered once, however many pins it is matched against.
const placedRanges = new WeakMap<OsvRange, PlacedRange>();

function placedOf(range: OsvRange): PlacedRange {
  let known = placedRanges.get(range);
  if (known === undefined) {
    const placed: Placed[] = [];
    for (const event of range.events) {
      const at = eventVersion(event);
      if (at !== undefined) placed.push({ kind: event.kind, at });
    }
    const limits = placed.filter((event) => event.kind === "limit");
    placed.sort((a, b) => compareAt(a.at, b.at));
    known = { placed, limits };
    placedRanges.set(range, known);
  }
  return known;
}

/** OSV's IncludedInRanges for one range. */
export function rangeAffects(range: OsvRange, version: Version): boolean {
  const { placed, limits } = placedOf(range);
  if (limits.length > 0 && !limits.some((limit) => compareAt(version, limit.at) < 0)) return false;
  let affected = false;
  for (const event of placed) {
    const order = compareAt(version, event.at);
    if (event.kind === "introduced" && order >= 0) affected = true;
    else if (event.kind === "fixed" && order >= 0) affected = false;
    else if (event.kind === "last_affected" && order > 0) affected = false;
  }
  return affected;
}

function entryAffects(entry: OsvAffected, text: string, version: Version | undefined): boolean {
  for (const listed of entry.versions) {
    if (listed === text) return true;
    const other = version && versionOf(listed);
    if (version && other && compareVersions(version, other) === 0) return true;
  }
  if (version === undefined) return false;
  return entry.ranges.some((range) => range.type === "ECOSYSTEM" && rangeAffects(range, version));
}

function fixedOf(entry: OsvAffected): string[] {
  return entry.ranges
    .filter((range) => range.type === "ECOSYSTEM")
    .flatMap((range) => range.events.filter((event) => event.kind === "fixed").map((event) => event.version));
}

const scoreCache = new Map<string, ReturnType<typeof cvss3BaseScore>>();

/** A vector's score, computed once per vector (a database repeats a few hundred vectors). */
function scoreOf(vector: string): ReturnType<typeof cvss3BaseScore> {
  let score = scoreCache.get(vector);
  if (score === undefined) {
    score = cvss3BaseScore(vector);
    if (scoreCache.size > 100_000) scoreCache.clear();
    scoreCache.set(vector, score);
  }
  return score;
}

function severityOf(list: readonly OsvSeverity[], word: string | undefined): VulnSeverity | undefined {
  for (const entry of list) {
    if (entry.type !== "CVSS_V3") continue;
    const score = scoreOf(entry.score);
    if (score.ok) return { level: levelOfScore(score.value), score: score.value, vector: entry.score };
  }
  const level = levelOfWord(word);
  return level === "unknown" ? undefined : { level };
}

/** A scored severity beats a database's word; between equals the higher level wins. */
function better(candidate: VulnSeverity, best: VulnSeverity): boolean {
  if (candidate.level === "unknown") return false;
  if (best.level === "unknown") return true;
  const scored = candidate.score !== undefined;
  if (scored !== (best.score !== undefined)) return scored;
  return compareLevels(candidate.level, best.level) > 0;
}

function recordSeverity(record: OsvRecord, entries: readonly OsvAffected[]): VulnSeverity {
  let best: VulnSeverity = { level: "unknown" };
  for (const candidate of [
    severityOf(record.severity, record.databaseSeverity),
    ...entries.map((entry) => severityOf(entry.severity, entry.databaseSeverity)),
  ]) {
    if (candidate !== undefined && better(candidate, best)) best = candidate;
  }
  return best;
}

function idRank(id: string): number {
  if (id.startsWith("PYSEC-")) return 0;
  if (id.startsWith("GHSA-")) return 1;
  if (id.startsWith("CVE-")) return 3;
  return 2;
}

function preferredId(ids: readonly string[]): string {
  return [...ids].sort((a, b) => idRank(a) - idRank(b) || (a < b ? -1 : a > b ? 1 : 0))[0]!;
}

function sortVersions(texts: Iterable<string>): string[] {
  return [...new Set(texts)].sort((a, b) => {
    const va = versionOf(a);
    const vb = versionOf(b);
    if (va && vb) return compareVersions(va, vb) || (a < b ? -1 : a > b ? 1 : 0);
    if (va || vb) return va ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

interface Hit {
  record: OsvRecord;
  entries: OsvAffected[];
}

/** Every vulnerability affecting `name` at `version`, one finding per vulnerability, sorted by id. */
export function findVulnerabilities(index: AdvisoryIndex, name: string, version: string): VulnFinding[] {
  const normalized = normalizeName(name);
  const parsed = versionOf(version);
  const hits: Hit[] = [];
  for (const record of index.byName.get(normalized) ?? []) {
    const entries = record.affected.filter(
      (entry) =>
        entry.ecosystem === "PyPI" && entry.name === normalized && entryAffects(entry, version, parsed),
    );
    if (entries.length > 0) hits.push({ record, entries });
  }
  // Union of hits sharing any id (a record's own id or an alias).
  const groups: Hit[][] = [];
  const groupOfId = new Map<string, Hit[]>();
  for (const hit of hits) {
    const ids = [hit.record.id, ...hit.record.aliases];
    const joined = [
      ...new Set(ids.map((id) => groupOfId.get(id)).filter((g): g is Hit[] => g !== undefined)),
    ];
    let group: Hit[];
    if (joined.length === 0) {
      group = [];
      groups.push(group);
    } else {
      group = joined[0]!;
      for (const other of joined.slice(1)) {
        pushAll(group, other);
        groups.splice(groups.indexOf(other), 1);
        for (const member of other)
          for (const id of [member.record.id, ...member.record.aliases]) groupOfId.set(id, group);
      }
    }
    group.push(hit);
    for (const id of ids) groupOfId.set(id, group);
  }
  const findings = groups.map((group): VulnFinding => {
    const ids = [...new Set(group.flatMap((hit) => [hit.record.id, ...hit.record.aliases]))].sort();
    const fixed = sortVersions(group.flatMap((hit) => hit.entries.flatMap(fixedOf)));
    const fixedIn = parsed
      ? fixed.find((text) => {
          const v = versionOf(text);
          return v !== undefined && compareVersions(v, parsed) > 0;
        })
      : undefined;
    let severity: VulnSeverity = { level: "unknown" };
    for (const hit of group) {
      const candidate = recordSeverity(hit.record, hit.entries);
      if (better(candidate, severity)) severity = candidate;
    }
    const summary = group.map((hit) => hit.record.summary).find((s) => s !== undefined);
    return {
      id: preferredId(group.map((hit) => hit.record.id)),
      ids,
      name: normalized,
      version,
      ...(summary !== undefined && { summary }),
      fixed,
      ...(fixedIn !== undefined && { fixedIn }),
      severity,
    };
  });
  return findings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** "upgrade jinja2 to 3.1.6 or later", or what to say when no fixed version is known. */
export function fixHint(finding: VulnFinding): string {
  if (finding.fixedIn !== undefined) return `upgrade ${finding.name} to ${finding.fixedIn} or later`;
  return `no fixed version of ${finding.name} is known; remove or replace it, or ignore ${finding.id} with a reason`;
}

/**
 * The record as the index keeps it: only what matching reads. Ranges other than ECOSYSTEM (GIT,
 * SEMVER) are dropped, since only ECOSYSTEM ranges are evaluated for PyPI; so are the `versions`
 * entries the entry's own ranges already cover: PYSEC records list every affected release beside
 * the range that holds them, and those lists were most of a database's bytes. Matching is
 * unchanged: a listed version is dropped only when it parses and a range of the same entry
 * affects it, so any pin equal to it is affected anyway.
 */
export function trimCoveredVersions(record: OsvRecord): OsvRecord {
  let changed = false;
  const affected = record.affected.map((entry) => {
    const ranges = entry.ranges.filter((range) => range.type === "ECOSYSTEM");
    const versions = entry.versions.filter((text) => {
      const version = versionOf(text);
      return version === undefined || !ranges.some((range) => rangeAffects(range, version));
    });
    if (versions.length === entry.versions.length && ranges.length === entry.ranges.length) return entry;
    changed = true;
    return { ...entry, ranges, versions };
  });
  return changed ? { ...record, affected } : record;
}

/**
 * Above which version none of a package's records can affect it: the highest version any of
 * their ECOSYSTEM ranges or `versions` lists can reach, with `inclusive` when that version itself
 * may be affected (an `introduced` or `last_affected` there, or a listed version); null when a
 * range stays open (its last event introduces). Mirrors `rangeAffects`: a range with `limit`s
 * never affects a version at or above its highest limit.
 */
export type PackageBound = { version: string; inclusive: boolean } | null;

export function upperBoundOf(records: readonly OsvRecord[], name: string): PackageBound {
  let best: { at: Version; version: string; inclusive: boolean } | undefined;
  const raise = (version: string, at: Version, inclusive: boolean) => {
    const order = best === undefined ? 1 : compareVersions(at, best.at);
    if (order > 0) best = { at, version, inclusive };
    else if (order === 0 && inclusive && best) best.inclusive = true;
  };
  for (const record of records) {
    if (record.withdrawn !== undefined) continue;
    for (const entry of record.affected) {
      if (entry.ecosystem !== "PyPI" || entry.name !== name) continue;
      for (const listed of entry.versions) {
        const at = versionOf(listed);
        if (at) raise(listed, at, true);
      }
      for (const range of entry.ranges) {
        if (range.type !== "ECOSYSTEM") continue;
        const { placed, limits } = placedOf(range);
        if (limits.length > 0) {
          let top = limits[0]!;
          for (const limit of limits) if (compareAt(limit.at, top.at) > 0) top = limit;
          if (top.at !== "zero") raise(eventText(range, top), top.at, false);
          continue;
        }
        const last = placed[placed.length - 1];
        if (last === undefined) continue;
        const atTop = placed.filter((event) => compareAt(event.at, last.at) === 0);
        if (atTop.some((event) => event.kind === "introduced")) return null;
        if (last.at === "zero") continue;
        raise(
          eventText(range, last),
          last.at,
          atTop.some((event) => event.kind === "last_affected"),
        );
      }
    }
  }
  return best === undefined
    ? { version: "0", inclusive: false }
    : { version: best.version, inclusive: best.inclusive };
}

/** The text of the event of `range` placed at `placed.at` (for the index, which stores text). */
function eventText(range: OsvRange, placed: Placed): string {
  for (const event of range.events) {
    const at = eventVersion(event);
    if (at !== undefined && compareAt(at, placed.at) === 0) return event.version;
  }
  return "0";
}

/** True when no record under `bound` can affect `version` (a version that does not parse never is). */
export function isAboveBound(version: string, bound: PackageBound): boolean {
  if (bound === null) return false;
  const parsed = versionOf(version);
  const at = versionOf(bound.version);
  if (parsed === undefined || at === undefined) return false;
  const order = compareVersions(parsed, at);
  return order > 0 || (order === 0 && !bound.inclusive);
}
