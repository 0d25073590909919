/**
 * What every scanner of `slipway scan` hands the renderers and the gate: one section per
 * scanner (secrets, dependencies, lockfile integrity, or an external tool read from SARIF),
 * each with its findings, a stable fingerprint per finding, and the metadata of the rules the
 * findings name (what SARIF, annotations and the step summary show). Pure data: nothing prints.
 */
import type { Finding } from "../findings.ts";

/** A rule a section's findings refer to by `Finding.id`. */
export interface ScanRule {
  id: string;
  /** One line: what the rule catches. */
  description: string;
  /** What to do about a finding of this rule (SARIF `help.text`). */
  help: string;
  /** A page about the rule or the advisory. */
  helpUri?: string;
  /** 0.0–10.0, as GitHub code scanning reads `security-severity`. */
  securitySeverity?: number;
}

export interface ScanSection {
  /** "secrets", "deps", "lock", or the name of the external tool a SARIF file came from. */
  scanner: string;
  /** The scanner's version or the database revision, when known. */
  version?: string;
  findings: Finding[];
  /** Stable across runs and line moves, one per finding, in the order of `findings`. */
  fingerprints: string[];
  /** Metadata of every rule id the findings use. */
  rules: ScanRule[];
  /** True when a finding of this section is at or above its gate. */
  failed: boolean;
}

/**
 * Exit status of every scan: 0 nothing at or above the gate, 1 findings at or above it, 2 a
 * usage or configuration error, 3 an advisory feed was needed and could not be reached (never
 * a silent pass).
 */
export type ScanExit = 0 | 1 | 2 | 3;
