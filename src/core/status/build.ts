/**
 * `buildStatus`: scan sections, earlier documents and a clock in, one SecurityStatus out. Pure
 * and deterministic: keys in a fixed order, findings in a fixed order, time passed in, so the
 * same inputs give byte-identical `renderStatus` text.
 */
import type { LevelCounts, SecurityStatus, StatusFinding, StatusLevel, StatusScanner } from "./document.ts";
import { gradeOf } from "./grade.ts";
import { daysSinceHighOrCritical, findingKey, firstSeenFrom } from "./history.ts";
import { levelFindings, type ScanDocSection } from "./levels.ts";

export interface BuildStatusInput {
  sections: readonly ScanDocSection[];
  project: SecurityStatus["project"];
  commit: string | null;
  /** The clock, in milliseconds since the epoch. */
  now: number;
  /** The last published document: firstSeen dates and the days count carry on from it. */
  previous?: SecurityStatus;
  /** Earlier documents, oldest first. */
  history?: readonly SecurityStatus[];
  /** Every scanner of the run, in order, with those that did not run (`skipped`). */
  scanners: readonly StatusScanner[];
}

const RANK: Record<StatusLevel, number> = { critical: 0, high: 1, moderate: 2, low: 3, info: 4 };

/** Compares by UTF-16 code units: the same order on every machine and locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFindings(a: StatusFinding, b: StatusFinding): number {
  return (
    RANK[a.level] - RANK[b.level] ||
    cmp(a.source, b.source) ||
    cmp(a.fingerprint, b.fingerprint) ||
    cmp(a.id, b.id) ||
    cmp(a.location.file, b.location.file) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    cmp(a.message, b.message)
  );
}

export function zeroCounts(): LevelCounts {
  return { critical: 0, high: 0, moderate: 0, low: 0, info: 0 };
}

/** A message longer than this is cut (with an ellipsis): one line of a table, not a report. */
export const MAX_MESSAGE = 4096;

function cut(text: string): string {
  if (text.length <= MAX_MESSAGE) return text;
  let end = MAX_MESSAGE - 1;
  // Never half of a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

/** A finding with its keys in the document's order. */
export function orderedFinding(f: StatusFinding): StatusFinding {
  return {
    fingerprint: f.fingerprint,
    source: f.source,
    id: f.id,
    ...(f.aliases === undefined ? {} : { aliases: [...f.aliases] }),
    level: f.level,
    severity: f.severity,
    message: cut(f.message),
    location: { file: f.location.file, ...(f.location.line === undefined ? {} : { line: f.location.line }) },
    firstSeen: f.firstSeen,
    ...(f.url === undefined ? {} : { url: f.url }),
    ...(f.package === undefined
      ? {}
      : { package: { name: f.package.name, version: f.package.version, runtime: f.package.runtime } }),
    ...(f.fixedIn === undefined ? {} : { fixedIn: f.fixedIn }),
    ...(f.ignored === undefined ? {} : { ignored: { reason: f.ignored.reason, expires: f.ignored.expires } }),
  };
}

export function orderedScanner(s: StatusScanner): StatusScanner {
  return {
    name: s.name,
    ...(s.version === undefined ? {} : { version: s.version }),
    ...(s.database === undefined ? {} : { database: s.database }),
    ...(s.skipped === undefined ? {} : { skipped: s.skipped }),
  };
}

/** ISO 8601 UTC to the second. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function buildStatus(input: BuildStatusInput): SecurityStatus {
  const generatedAt = isoSeconds(input.now);
  const today = generatedAt.slice(0, 10);
  const earlier = [...(input.history ?? []), ...(input.previous === undefined ? [] : [input.previous])];
  const seen = firstSeenFrom(earlier);
  const findings = input.sections
    .flatMap((section) => levelFindings(section))
    .map((f) => orderedFinding({ ...f, firstSeen: minDate(seen.get(findingKey(f)), today) }))
    .sort(compareFindings);

  const scanners = input.scanners.map(orderedScanner);
  for (const section of input.sections) {
    if (!scanners.some((s) => s.name === section.scanner))
      scanners.push(
        orderedScanner({
          name: section.scanner,
          ...(section.version === undefined ? {} : { version: section.version }),
        }),
      );
  }
  const total = zeroCounts();
  const bySource: Record<string, LevelCounts> = {};
  for (const s of scanners) bySource[s.name] = zeroCounts();
  for (const f of findings) {
    if (f.ignored !== undefined) continue;
    total[f.level]++;
    const source = bySource[f.source] ?? zeroCounts();
    bySource[f.source] = source;
    source[f.level]++;
  }
  const incomplete = scanners.some((s) => s.skipped !== undefined);
  return {
    schema: 1,
    project: {
      name: input.project.name,
      version: input.project.version,
      sourceVersion: input.project.sourceVersion,
    },
    commit: input.commit,
    generatedAt,
    grade: gradeOf(findings, today, incomplete),
    daysSinceHighOrCritical: daysSinceHighOrCritical(findings, earlier, today),
    counts: { total, bySource },
    findings,
    scanners,
  };
}

/** A firstSeen never later than today (a clock set back does not date a finding in the future). */
function minDate(seen: string | undefined, today: string): string {
  return seen !== undefined && seen < today ? seen : today;
}

/** The document as published: two-space JSON, one trailing newline. */
export function renderStatus(doc: SecurityStatus): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
