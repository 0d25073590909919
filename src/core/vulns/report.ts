/**
 * `slipway scan deps`, the pure part: pins matched against advisories become one finding per
 * (package, version, vulnerability), judged against the gate, with the ignores of the project
 * applied, plus findings about the inputs themselves (a damaged advisory file, a lockfile that
 * cannot be read, an unpinned requirement, an expired ignore). The result is a ScanSection: what
 * every renderer, SARIF and the gate read.
 *
 * Levels: a CVSS v3 vector is scored (cvss.ts) and the score gives the level (CVSS v3.1's
 * qualitative scale: < 4 low, < 7 moderate, < 9 high, else critical); without one, the
 * database's own word (GHSA's LOW/MODERATE/HIGH/CRITICAL); without either the level is
 * "unknown", which the gate counts as high: a vulnerability nobody scored is not waved through.
 */
import type { Finding } from "../findings.ts";
import type { ScanRule, ScanSection } from "../scan/report.ts";
import { compareLevels, type SeverityLevel } from "./cvss.ts";
import { type DepsIgnore, ignoreFor, isExpired } from "./ignores.ts";
import { type AdvisoryIndex, findVulnerabilities, fixHint, type VulnFinding } from "./match.ts";

export type GateLevel = Exclude<SeverityLevel, "unknown">;
export const GATE_LEVELS: readonly GateLevel[] = ["low", "moderate", "high", "critical"];
export const DEFAULT_GATE: GateLevel = "high";
/** What an advisory without any severity counts as at the gate. */
export const UNKNOWN_COUNTS_AS: GateLevel = "high";

/** A package at a version, from a lockfile or a venv. */
export interface DepsPin {
  /** PEP 503-normalized. */
  name: string;
  version: string;
  marker?: string;
  /** The lockfile (or METADATA file) as shown to the user. */
  file: string;
  line?: number;
}

/** One vulnerability of one pinned package, as `--json` lists it. */
export interface VulnRow {
  id: string;
  ids: string[];
  name: string;
  version: string;
  level: SeverityLevel;
  score?: number;
  vector?: string;
  summary?: string;
  fixed: string[];
  fixedIn?: string;
  marker?: string;
  file: string;
  line?: number;
  /** Other inputs that pin the same version. */
  alsoIn: string[];
  severity: "error" | "warning";
  fix: string;
  url: string;
}

export interface IgnoredRow {
  id: string;
  name: string;
  version: string;
  reason: string;
  expires: string;
  /** Where it is pinned and how severe it is, so a status document can list it as ignored. */
  file: string;
  level: SeverityLevel;
  fixedIn?: string;
}

export interface DepsProblems {
  /** Advisory record files that could not be read (path relative to the database). */
  dbErrors: readonly { path: string; error: string }[];
  /** Where the database is, to name damaged files by. */
  dbLabel: string;
  /** Lockfiles that could not be read at all. */
  lockErrors: readonly { file: string; line: number; message: string }[];
  /** Requirement lines that pin no exact version (not checked). */
  unpinned: readonly { requirement: string; file: string; line: number }[];
  /** METADATA files of a venv that named no name or version. */
  unreadable: readonly string[];
}

export interface DepsReportInput {
  pins: readonly DepsPin[];
  index: AdvisoryIndex;
  gate: GateLevel;
  ignores: readonly DepsIgnore[];
  /** YYYY-MM-DD (UTC): the day ignores are judged against. */
  today: string;
  problems: DepsProblems;
  /** The database revision, for the section's version. */
  revision: string;
}

export interface DepsReport {
  section: ScanSection;
  vulnerabilities: VulnRow[];
  ignored: IgnoredRow[];
  errors: number;
  warnings: number;
}

/** Parses `--fail-on`; undefined when it is not a level. */
export function parseGate(text: string): GateLevel | undefined {
  const word = text.trim().toLowerCase();
  if (word === "medium") return "moderate";
  return GATE_LEVELS.find((level) => level === word);
}

/** The level a finding counts as at the gate. */
export function gateLevelOf(level: SeverityLevel): GateLevel {
  return level === "unknown" ? UNKNOWN_COUNTS_AS : level;
}

/** Whether a vulnerability of `level` fails a gate at `gate`. */
export function failsGate(level: SeverityLevel, gate: GateLevel): boolean {
  return compareLevels(gateLevelOf(level), gate) >= 0;
}

/** The page of an advisory: OSV's, which knows every id form (PYSEC, GHSA, CVE, MAL...). */
export function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** A representative CVSS score per level, for SARIF's security-severity when none was given. */
const LEVEL_SCORE: Record<SeverityLevel, number> = {
  low: 3.0,
  moderate: 5.5,
  high: 8.0,
  critical: 9.5,
  unknown: 8.0,
};

const META_RULES: Record<string, Omit<ScanRule, "id">> = {
  "DEPS-DB": {
    description: "An advisory record of the database could not be read; the others were scanned.",
    help: "Fix or remove the damaged file, or run `slipway scan update-db` for a fresh database.",
  },
  "DEPS-LOCK": {
    description: "A lockfile could not be read, so its pins were not scanned.",
    help: "Fix the lockfile (regenerate it with its tool), then scan again.",
  },
  "DEPS-UNPINNED": {
    description: "A requirement pins no exact version, so it was not scanned.",
    help: "Pin it with == (pip-compile or `uv pip compile` write such files), or scan the lockfile instead.",
  },
  "DEPS-INSTALLED": {
    description: "An installed distribution's METADATA names no name or version.",
    help: "Reinstall the distribution.",
  },
  "DEPS-IGNORE-EXPIRED": {
    description: "An ignore of [tool.slipway.scan] has expired.",
    help: "Look at the vulnerability again: upgrade, or renew the ignore with a new reason and expiry date.",
  },
};

function levelText(v: VulnFinding): string {
  const { level, score } = v.severity;
  if (level === "unknown") return `no severity given (counted as ${UNKNOWN_COUNTS_AS})`;
  return score === undefined ? level : `${level} ${score.toFixed(1)}`;
}

interface Merged {
  pin: DepsPin;
  vuln: VulnFinding;
  alsoIn: string[];
}

/** Matches every pin, merges repeats, applies ignores and the gate. Pure. */
export function assembleDepsReport(input: DepsReportInput): DepsReport {
  const merged = new Map<string, Merged>();
  const order: Merged[] = [];
  const memo = new Map<string, VulnFinding[]>();
  for (const pin of input.pins) {
    const key = `${pin.name}\0${pin.version}`;
    let found = memo.get(key);
    if (found === undefined) {
      found = findVulnerabilities(input.index, pin.name, pin.version);
      memo.set(key, found);
    }
    for (const vuln of found) {
      const id = `${vuln.id}\0${key}`;
      const seen = merged.get(id);
      if (seen === undefined) {
        const entry = { pin, vuln, alsoIn: [] };
        merged.set(id, entry);
        order.push(entry);
        continue;
      }
      if (seen.pin.file !== pin.file && !seen.alsoIn.includes(pin.file)) seen.alsoIn.push(pin.file);
      // One path that always installs it wins over conditions; different conditions add up.
      const a = seen.pin.marker;
      const b = pin.marker;
      if (a !== undefined && a !== b) {
        seen.pin = b === undefined ? withoutMarker(seen.pin) : { ...seen.pin, marker: `(${a}) or (${b})` };
      }
    }
  }
  const findings: Finding[] = [];
  const fingerprints: string[] = [];
  const rules = new Map<string, ScanRule>();
  const vulnerabilities: VulnRow[] = [];
  const ignored: IgnoredRow[] = [];
  let failed = false;
  for (const { pin, vuln, alsoIn } of order) {
    const ignore = ignoreFor(input.ignores, vuln.ids, pin.name, input.today);
    if (ignore !== undefined) {
      ignored.push({
        id: vuln.id,
        name: pin.name,
        version: pin.version,
        reason: ignore.reason,
        expires: ignore.expires,
        file: pin.file,
        level: vuln.severity.level,
        ...(vuln.fixedIn === undefined ? {} : { fixedIn: vuln.fixedIn }),
      });
      continue;
    }
    const error = failsGate(vuln.severity.level, input.gate);
    failed ||= error;
    const others = vuln.ids.filter((id) => id !== vuln.id);
    const when = pin.marker === undefined ? "" : ` (only when ${pin.marker})`;
    const also = alsoIn.length === 0 ? "" : `; also pinned in ${alsoIn.join(", ")}`;
    const summary = vuln.summary === undefined ? "" : `: ${vuln.summary}`;
    const fix = fixHint(vuln);
    findings.push({
      id: vuln.id,
      severity: error ? "error" : "warning",
      message: `${pin.name} ${pin.version} is vulnerable to ${vuln.id}${others.length > 0 ? ` (${others.join(", ")})` : ""}, ${levelText(vuln)}${summary}${when}${also}`,
      hint: `${fix[0]!.toUpperCase()}${fix.slice(1)}${vuln.fixedIn === undefined ? "" : ` (${advisoryUrl(vuln.id)})`}.`,
      location: { file: pin.file, ...(pin.line === undefined ? {} : { line: pin.line }) },
    });
    fingerprints.push(`${vuln.id}:${pin.name}:${pin.version}:${pin.file}`);
    if (!rules.has(vuln.id)) {
      rules.set(vuln.id, {
        id: vuln.id,
        description: vuln.summary ?? `${vuln.id}: a vulnerability in ${pin.name}`,
        help: fix,
        helpUri: advisoryUrl(vuln.id),
        securitySeverity: vuln.severity.score ?? LEVEL_SCORE[vuln.severity.level],
      });
    }
    vulnerabilities.push({
      id: vuln.id,
      ids: vuln.ids,
      name: pin.name,
      version: pin.version,
      level: vuln.severity.level,
      ...(vuln.severity.score === undefined ? {} : { score: vuln.severity.score }),
      ...(vuln.severity.vector === undefined ? {} : { vector: vuln.severity.vector }),
      ...(vuln.summary === undefined ? {} : { summary: vuln.summary }),
      fixed: vuln.fixed,
      ...(vuln.fixedIn === undefined ? {} : { fixedIn: vuln.fixedIn }),
      ...(pin.marker === undefined ? {} : { marker: pin.marker }),
      file: pin.file,
      ...(pin.line === undefined ? {} : { line: pin.line }),
      alsoIn,
      severity: error ? "error" : "warning",
      fix,
      url: advisoryUrl(vuln.id),
    });
  }
  const meta = (id: string, finding: Omit<Finding, "id" | "hint"> & { hint?: string }, print: string) => {
    findings.push({ id, hint: META_RULES[id]!.help, ...finding });
    fingerprints.push(`${id}:${print}`);
    if (!rules.has(id)) rules.set(id, { id, ...META_RULES[id]! });
    if (finding.severity === "error") failed = true;
  };
  for (const ignore of input.ignores) {
    if (!isExpired(ignore, input.today)) continue;
    meta(
      "DEPS-IGNORE-EXPIRED",
      {
        severity: "error",
        message: `the ignore of ${ignore.id}${ignore.package ? ` in ${ignore.package}` : ""} (ignore[${ignore.index}], "${ignore.reason}") expired on ${ignore.expires}`,
        location: { file: "pyproject.toml", field: `tool.slipway.scan.ignore[${ignore.index}]` },
      },
      `${ignore.id}:${ignore.expires}`,
    );
  }
  for (const error of input.problems.lockErrors) {
    meta(
      "DEPS-LOCK",
      {
        severity: "error",
        message: `cannot read the pins: ${error.message}`,
        location: { file: error.file, line: error.line },
      },
      error.file,
    );
  }
  for (const damaged of input.problems.dbErrors) {
    meta(
      "DEPS-DB",
      {
        severity: "warning",
        message: `advisory record ${damaged.path} could not be read: ${damaged.error}`,
        location: { file: `${input.problems.dbLabel}/${damaged.path}` },
      },
      damaged.path,
    );
  }
  for (const line of input.problems.unpinned) {
    meta(
      "DEPS-UNPINNED",
      {
        severity: "warning",
        message: `\`${line.requirement}\` pins no exact version; not scanned`,
        location: { file: line.file, line: line.line },
      },
      `${line.file}:${line.requirement}`,
    );
  }
  for (const file of input.problems.unreadable) {
    meta(
      "DEPS-INSTALLED",
      {
        severity: "warning",
        message: "no Name or Version in this METADATA; not scanned",
        location: { file },
      },
      file,
    );
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  return {
    section: {
      scanner: "deps",
      version: input.revision,
      findings,
      fingerprints,
      rules: [...rules.values()],
      failed,
    },
    vulnerabilities,
    ignored,
    errors,
    warnings: findings.length - errors,
  };
}

function withoutMarker(pin: DepsPin): DepsPin {
  const { marker: _, ...rest } = pin;
  return rest;
}
