/**
 * What earlier SecurityStatus documents tell the next one: when each finding was first seen, and
 * when a high or critical finding was last open. And the history file's rotation. Pure.
 */
import type { SecurityStatus, StatusFinding } from "./document.ts";
import { daysBetween } from "./grade.ts";

export const DEFAULT_KEEP = 90;

/** The key a finding is followed by across documents. */
export function findingKey(f: Pick<StatusFinding, "source" | "fingerprint">): string {
  return `${f.source}\0${f.fingerprint}`;
}

/** Per finding key, the earliest firstSeen any of `documents` records. */
export function firstSeenFrom(documents: readonly SecurityStatus[]): Map<string, string> {
  const seen = new Map<string, string>();
  for (const doc of documents) {
    for (const f of doc.findings) {
      const key = findingKey(f);
      const was = seen.get(key);
      if (was === undefined || f.firstSeen < was) seen.set(key, f.firstSeen);
    }
  }
  return seen;
}

function isOpenHigh(f: StatusFinding): boolean {
  return f.ignored === undefined && (f.level === "high" || f.level === "critical");
}

/**
 * The last day (YYYY-MM-DD) a high or critical finding was open, as far as `documents` know:
 * a document that held one, or one that counted days since one (which outlives the rotation).
 */
export function lastHighOrCritical(documents: readonly SecurityStatus[]): string | undefined {
  let last: string | undefined;
  for (const doc of documents) {
    const day = doc.generatedAt.slice(0, 10);
    let at: string | undefined;
    if (doc.findings.some(isOpenHigh)) at = day;
    else if (doc.daysSinceHighOrCritical !== null) {
      const ms = Date.parse(`${day}T00:00:00Z`) - doc.daysSinceHighOrCritical * 86_400_000;
      at = Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : undefined;
    }
    if (at !== undefined && (last === undefined || at > last)) last = at;
  }
  return last;
}

/** Days since a high or critical finding was open on `today`: 0 when one is open now; null: none on record. */
export function daysSinceHighOrCritical(
  findings: readonly StatusFinding[],
  documents: readonly SecurityStatus[],
  today: string,
): number | null {
  if (findings.some(isOpenHigh)) return 0;
  const last = lastHighOrCritical(documents);
  return last === undefined ? null : Math.max(0, daysBetween(last, today));
}

/** The history after `doc`: the last `keep` documents, oldest first. */
export function appendHistory(
  history: readonly SecurityStatus[],
  doc: SecurityStatus,
  keep: number,
): SecurityStatus[] {
  return [...history, doc].slice(-Math.max(1, keep));
}
