/**
 * `slipway status diff`: what changed between two SecurityStatus documents, finding by
 * fingerprint. Pure: the documents come in parsed; the "now" of an expiry is the new document's
 * date, so the same two documents always give the same diff.
 */
import type { SecurityStatus, StatusFinding, StatusLevel } from "./document.ts";
import { STATUS_LEVELS } from "./document.ts";

export type ChangeKind = "new" | "resolved" | "severity-changed" | "fix-available" | "ignore-expired";

/** The order changes are listed in, and what the JSON and the text call them. */
export const CHANGE_KINDS: readonly ChangeKind[] = [
  "new",
  "severity-changed",
  "fix-available",
  "ignore-expired",
  "resolved",
];

export interface StatusChange {
  kind: ChangeKind;
  /** The finding as the new document holds it (the old one's for `resolved`). */
  finding: StatusFinding;
  /** For `severity-changed`: the level before, and whether it went up. */
  from?: StatusLevel;
  raised?: boolean;
  /** For `ignore-expired`: the expiry date that passed (absent when the ignore disappeared). */
  expired?: string;
}

export interface StatusDiff {
  project: string;
  /** generatedAt of each document. */
  from: string;
  to: string;
  /** The changes, ordered by kind, then level (critical first), then fingerprint. */
  changes: StatusChange[];
  /** Findings in both documents that did not change in any listed way. */
  unchanged: number;
}

const RANK = new Map(STATUS_LEVELS.map((level, i) => [level, i]));

/** Lower is more severe: critical 0 … info 4. */
export function levelRank(level: StatusLevel): number {
  return RANK.get(level) ?? STATUS_LEVELS.length;
}

/** The YYYY-MM-DD of an ISO 8601 time. */
export function dayOf(instant: string): string {
  return instant.slice(0, 10);
}

/** An ignore in force on `day`: its expiry is after that day. */
export function ignoreInForce(finding: StatusFinding, day: string): boolean {
  return finding.ignored !== undefined && finding.ignored.expires > day;
}

/**
 * Compares `older` and `newer`. One finding may change in more than one way (its level raised
 * and a fix published the same day): each way is one change. An ignore expired when the new
 * document holds it with an expiry on or before its own date, or when the old document's ignore
 * was in force and the new document holds the finding without one.
 */
export function assembleStatusDiff(older: SecurityStatus, newer: SecurityStatus): StatusDiff {
  const day = dayOf(newer.generatedAt);
  const oldDay = dayOf(older.generatedAt);
  const before = new Map(older.findings.map((f) => [f.fingerprint, f]));
  const after = new Set(newer.findings.map((f) => f.fingerprint));
  const changes: StatusChange[] = [];
  let unchanged = 0;
  for (const finding of newer.findings) {
    const old = before.get(finding.fingerprint);
    if (old === undefined) {
      changes.push({ kind: "new", finding });
      continue;
    }
    const found: StatusChange[] = [];
    if (old.level !== finding.level) {
      found.push({
        kind: "severity-changed",
        finding,
        from: old.level,
        raised: levelRank(finding.level) < levelRank(old.level),
      });
    }
    if ((old.fixedIn ?? null) === null && typeof finding.fixedIn === "string") {
      found.push({ kind: "fix-available", finding });
    }
    // Only an ignore that was in force in the old document can expire in this one.
    if (!ignoreInForce(old, oldDay)) {
      // nothing held it before
    } else if (finding.ignored !== undefined && !ignoreInForce(finding, day)) {
      found.push({ kind: "ignore-expired", finding, expired: finding.ignored.expires });
    } else if (finding.ignored === undefined) {
      found.push({ kind: "ignore-expired", finding });
    }
    if (found.length === 0) unchanged += 1;
    // biome-ignore lint/plugin/no-call-spread: three changes at most
    changes.push(...found);
  }
  for (const finding of older.findings) {
    if (!after.has(finding.fingerprint)) changes.push({ kind: "resolved", finding });
  }
  changes.sort(
    (a, b) =>
      CHANGE_KINDS.indexOf(a.kind) - CHANGE_KINDS.indexOf(b.kind) ||
      levelRank(a.finding.level) - levelRank(b.finding.level) ||
      (a.finding.fingerprint < b.finding.fingerprint
        ? -1
        : a.finding.fingerprint > b.finding.fingerprint
          ? 1
          : 0),
  );
  return { project: newer.project.name, from: older.generatedAt, to: newer.generatedAt, changes, unchanged };
}

/** How many changes of each kind. */
export function countChanges(diff: StatusDiff): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = {
    new: 0,
    resolved: 0,
    "severity-changed": 0,
    "fix-available": 0,
    "ignore-expired": 0,
  };
  for (const change of diff.changes) counts[change.kind] += 1;
  return counts;
}
