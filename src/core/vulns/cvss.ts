/**
 * CVSS 3.0/3.1 base score from a vector string (FIRST's CVSS v3.1 specification, section 7.1 and
 * Appendix A for Roundup). Temporal and environmental metrics may follow the base ones; they do
 * not change the base score and are accepted but ignored.
 */
import { fail, ok, type Parsed } from "../result.ts";

export type SeverityLevel = "low" | "moderate" | "high" | "critical" | "unknown";

const WEIGHTS: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  PR: { N: 0.85, L: 0.62, H: 0.27 },
  UI: { N: 0.85, R: 0.62 },
  S: { U: 0, C: 1 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};
const BASE = Object.keys(WEIGHTS);
const OTHER = new Set([
  "E",
  "RL",
  "RC",
  "CR",
  "IR",
  "AR",
  "MAV",
  "MAC",
  "MPR",
  "MUI",
  "MS",
  "MC",
  "MI",
  "MA",
]);

/** The smallest number with one decimal that is >= x, robust to floating point (spec Appendix A). */
export function roundUp(x: number): number {
  const scaled = Math.round(x * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

/** Base score (0.0–10.0) of a `CVSS:3.x/...` vector; an error names what is wrong with it. */
export function cvss3BaseScore(vector: string): Parsed<number> {
  const parts = vector.trim().split("/");
  const head = parts.shift();
  if (head !== "CVSS:3.0" && head !== "CVSS:3.1")
    return fail(`not a CVSS 3.x vector: ${JSON.stringify(vector)}`);
  const values = new Map<string, string>();
  for (const part of parts) {
    const [key, value, extra] = part.split(":");
    if (key === undefined || value === undefined || extra !== undefined)
      return fail(`malformed CVSS metric ${JSON.stringify(part)}`);
    if (values.has(key)) return fail(`CVSS metric ${key} given twice`);
    if (!(key in WEIGHTS) && !OTHER.has(key)) return fail(`unknown CVSS metric ${key}`);
    const weights = WEIGHTS[key];
    if (weights !== undefined && !(value in weights))
      return fail(`bad value ${value} for CVSS metric ${key}`);
    values.set(key, value);
  }
  const missing = BASE.filter((key) => !values.has(key));
  if (missing.length > 0) return fail(`CVSS vector lacks ${missing.join(", ")}`);
  const w = (key: string) => WEIGHTS[key]![values.get(key)!]!;
  const changed = values.get("S") === "C";
  const pr = changed ? ({ N: 0.85, L: 0.68, H: 0.5 } as Record<string, number>)[values.get("PR")!]! : w("PR");
  const iss = 1 - (1 - w("C")) * (1 - w("I")) * (1 - w("A"));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * w("AV") * w("AC") * pr * w("UI");
  if (impact <= 0) return ok(0);
  return ok(roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10)));
}

/** Qualitative level of a score (CVSS v3.1 table 14; "none" 0.0 counts as low, "medium" is moderate). */
export function levelOfScore(score: number): SeverityLevel {
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "moderate";
  return "low";
}

/** A database's own word for severity ("MEDIUM", "Moderate", "HIGH") as a level. */
export function levelOfWord(word: string | undefined): SeverityLevel {
  switch (word?.trim().toLowerCase()) {
    case "low":
      return "low";
    case "moderate":
    case "medium":
      return "moderate";
    case "high":
      return "high";
    case "critical":
      return "critical";
    default:
      return "unknown";
  }
}

const RANK: Record<SeverityLevel, number> = { unknown: 0, low: 1, moderate: 2, high: 3, critical: 4 };

/** Orders levels: unknown < low < moderate < high < critical. */
export function compareLevels(a: SeverityLevel, b: SeverityLevel): number {
  return RANK[a] - RANK[b];
}
