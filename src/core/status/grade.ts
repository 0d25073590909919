/**
 * The grade of a SecurityStatus, A–F, from its open (not ignored) findings and how long they
 * have been open (docs/status.md, "The grade"). Pure: "today" is passed in.
 *
 *   F  a critical finding is open (every secret the scan fails on is critical)
 *   E  a high finding has been open 30 days or more
 *   D  a high finding has been open 7 days or more, with a fix known (or not a dependency)
 *   C  a high finding is open (newer than that, or an advisory with no fix known yet);
 *      or a scanner did not run (the grade says nothing better than C without it)
 *   B  moderate findings at most, none open 90 days or more
 *   A  nothing above low
 */
import type { Grade, StatusFinding } from "./document.ts";

export const HIGH_GRACE_DAYS = 7;
export const HIGH_STALE_DAYS = 30;
export const MODERATE_STALE_DAYS = 90;

const DAY_MS = 86_400_000;

/** Whole days from date `from` to date `to` (YYYY-MM-DD, UTC); NaN when either is not a date. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

const ORDER: Grade[] = ["A", "B", "C", "D", "E", "F"];

/** The shields color of each grade: the security badge's, on the status site and in the README. */
export const GRADE_COLORS: Readonly<Record<Grade, string>> = {
  A: "brightgreen",
  B: "green",
  C: "yellowgreen",
  D: "yellow",
  E: "orange",
  F: "red",
};

function worse(a: Grade, b: Grade): Grade {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/** The grade of `findings` on `today`; `incomplete`: a scanner of the project did not run. */
export function gradeOf(findings: readonly StatusFinding[], today: string, incomplete: boolean): Grade {
  let grade: Grade = incomplete ? "C" : "A";
  for (const f of findings) {
    if (f.ignored !== undefined) continue;
    const age = Math.max(0, daysBetween(f.firstSeen, today) || 0);
    if (f.level === "critical") return "F";
    if (f.level === "high") {
      const noFixYet = f.package !== undefined && f.fixedIn === null;
      if (age >= HIGH_STALE_DAYS) grade = worse(grade, "E");
      else if (age >= HIGH_GRACE_DAYS && !noFixYet) grade = worse(grade, "D");
      else grade = worse(grade, "C");
    } else if (f.level === "moderate") {
      grade = worse(grade, age >= MODERATE_STALE_DAYS ? "C" : "B");
    }
  }
  return grade;
}
