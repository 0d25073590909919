/**
 * SecurityStatus documents for the status site's tests: a realistic one with `n` findings whose
 * text is hostile (markup, quotes, `javascript:` URLs, control characters, long tokens), and a
 * history of earlier documents for the trend.
 */
import type {
  Grade,
  LevelCounts,
  SecurityStatus,
  StatusFinding,
  StatusLevel,
} from "../../src/core/status/document.ts";
import { STATUS_LEVELS } from "../../src/core/status/document.ts";

function zeroCounts(): LevelCounts {
  return { critical: 0, high: 0, moderate: 0, low: 0, info: 0 };
}

/** The n-th sample finding; every fifth carries hostile text. */
export function sampleFinding(i: number): StatusFinding {
  const level: StatusLevel = STATUS_LEVELS[i % STATUS_LEVELS.length] ?? "info";
  const hostile = i % 5 === 4;
  const finding: StatusFinding = {
    fingerprint: `fp${String(i).padStart(4, "0")}${"a".repeat(28)}`,
    source: i % 3 === 0 ? "deps" : i % 3 === 1 ? "secrets" : "bandit",
    id: hostile ? `<img src=x onerror=alert(${i})>` : `PYSEC-2024-${100 + i}`,
    aliases: hostile
      ? ['"><script>alert(1)</script>']
      : [`CVE-2024-${1000 + i}`, `GHSA-abcd-efgh-${String(i).padStart(4, "0")}`],
    level,
    severity: level === "critical" || level === "high" ? "error" : "warning",
    message: hostile
      ? `</td></tr></table><script>alert("x")</script>\u0000\u001b[31m ${"A".repeat(400)}`
      : `jinja2 ${i}.0 is affected by a sandbox escape through the format method of strings`,
    location: {
      file: hostile ? `src/${"very_long_directory_name/".repeat(12)}mod.py` : "pyproject.toml",
      line: 10 + i,
    },
    firstSeen: `2026-11-0${1 + (i % 9)}`,
    url: hostile
      ? "javascript:alert(document.domain)"
      : `https://osv.dev/vulnerability/PYSEC-2024-${100 + i}`,
  };
  if (finding.source === "deps") {
    finding.package = { name: "jinja2", version: "3.1.2", runtime: i % 2 === 0 };
    finding.fixedIn = i % 4 === 0 ? null : "3.1.6";
  }
  if (i % 7 === 6) finding.ignored = { reason: "not reachable <b>here</b>", expires: "2027-01-31" };
  return finding;
}

/** A document with `n` findings, counts consistent with them, generated on `date`. */
export function sampleStatus(
  n: number,
  options: { date?: string; grade?: Grade; name?: string } = {},
): SecurityStatus {
  const findings = Array.from({ length: n }, (_, i) => sampleFinding(i));
  const total = zeroCounts();
  const bySource: Record<string, LevelCounts> = {};
  for (const source of ["secrets", "deps", "bandit"]) bySource[source] = zeroCounts();
  for (const finding of findings) {
    total[finding.level]++;
    const counts = bySource[finding.source];
    if (counts !== undefined) counts[finding.level]++;
  }
  return {
    schema: 1,
    project: { name: options.name ?? "prompt-manager", version: "1.4.0", sourceVersion: "1.5.0.dev0" },
    commit: "0123456789abcdef0123456789abcdef01234567",
    generatedAt: `${options.date ?? "2026-12-07"}T06:00:00Z`,
    grade: options.grade ?? (n === 0 ? "A" : "D"),
    daysSinceHighOrCritical: n === 0 ? null : 0,
    counts: { total, bySource },
    findings,
    scanners: [
      { name: "secrets", version: "0.1.0" },
      { name: "deps", version: "0.1.0", database: "osv-2026-12-06" },
      { name: "bandit", version: "1.8.6" },
    ],
  };
}

/** `days` earlier documents, one a day before 2026-12-07, with findings falling towards today. */
export function sampleHistory(days: number): SecurityStatus[] {
  const grades: Grade[] = ["F", "E", "D", "C", "B"];
  return Array.from({ length: days }, (_, i) => {
    const date = new Date(Date.UTC(2026, 11, 7 - days + i)).toISOString().slice(0, 10);
    return sampleStatus(Math.max(0, days - i), { date, grade: grades[i % grades.length] ?? "C" });
  });
}
