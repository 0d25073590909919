/**
 * The SecurityStatus document (`slipway status`, schema 1): the project's security state at one
 * moment, built from the sections of `slipway scan` (and ingested SARIF), published as
 * `index.json` of the status site, compared by `status diff`, judged by `status decide`, and
 * read by `slipway badges`. Deterministic: the same scans, previous documents and clock give
 * byte-identical JSON. Its JSON Schema is docs/schemas/security-status-1.schema.json.
 */

/** A finding's level, one scale for every source (see docs/status.md, "Levels"). */
export type StatusLevel = "critical" | "high" | "moderate" | "low" | "info";

export const STATUS_LEVELS: readonly StatusLevel[] = ["critical", "high", "moderate", "low", "info"];

export type Grade = "A" | "B" | "C" | "D" | "E" | "F";

export interface StatusFinding {
  /** Stable across runs and line moves: the scanner's fingerprint. */
  fingerprint: string;
  /** "secrets", "deps", "lock", or the external tool's name. */
  source: string;
  /** Rule or advisory id (`pypi-upload-token`, `PYSEC-2019-217`, `B602`). */
  id: string;
  /** Other ids of the same vulnerability (CVE, GHSA), when known. */
  aliases?: string[];
  level: StatusLevel;
  /** The gate's verdict in the scan: an error fails it. */
  severity: "error" | "warning" | "info";
  /** One line, never a secret (the scans keep 4 characters at most). */
  message: string;
  location: { file: string; line?: number };
  /** YYYY-MM-DD: the first document that held this fingerprint (this one's date when new). */
  firstSeen: string;
  /** The advisory's or rule's page. */
  url?: string;
  /** For a dependency: the package, its pinned version, and whether it is a runtime dependency. */
  package?: { name: string; version: string; runtime: boolean };
  /** The lowest fixed version above the pin, when one is known; null: no fix known. */
  fixedIn?: string | null;
  /** A ignore in [tool.slipway.scan] that holds this finding, with its expiry. */
  ignored?: { reason: string; expires: string };
}

export interface StatusScanner {
  name: string;
  /** The tool's version (slipway's for its own scanners). */
  version?: string;
  /** The advisory database's revision, for `deps`. */
  database?: string;
  /**
   * Why the scanner did not run (e.g. `deps` without an advisory database); absent when it ran.
   * A document with a skipped scanner grades C at best, and `slipway status` exits 3.
   */
  skipped?: string;
}

export type LevelCounts = Record<StatusLevel, number>;

export interface SecurityStatus {
  schema: 1;
  project: {
    name: string;
    /** The version on the index (PyPI or the configured target), null when not published or unknown. */
    version: string | null;
    /** The version in the source tree. */
    sourceVersion: string | null;
  };
  /** The commit scanned, when in a git repository. */
  commit: string | null;
  /** ISO 8601 UTC, from the clock passed in. */
  generatedAt: string;
  grade: Grade;
  /** Days since a high or critical finding was last open (0: one is open now); null: none on record. */
  daysSinceHighOrCritical: number | null;
  counts: {
    total: LevelCounts;
    /** Per source, in the order of `scanners`. */
    bySource: Record<string, LevelCounts>;
  };
  /** The open findings, ordered by level, then source, then fingerprint. */
  findings: StatusFinding[];
  scanners: StatusScanner[];
}
