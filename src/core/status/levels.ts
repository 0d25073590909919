/**
 * One level scale for every source of a SecurityStatus (docs/status.md, "Levels"): the sections
 * of `slipway scan --json` (or of a live scan, in the same shape) become StatusFindings. Pure.
 */
import type { ScanRule } from "../scan/report.ts";
import type { StatusFinding, StatusLevel } from "./document.ts";

/** A finding of a scan section as `slipway scan --json` prints it (the fields status reads). */
export interface ScanDocFinding {
  id: string;
  severity: "error" | "warning" | "info";
  message: string;
  location: { file: string; line?: number };
  fingerprint: string;
}

/** One row of the deps section's `vulnerabilities` (the fields status reads). */
export interface ScanDocVuln {
  id: string;
  ids: string[];
  name: string;
  version: string;
  /** critical, high, moderate, low or unknown. */
  level: string;
  fixedIn?: string;
  file: string;
  url?: string;
}

/** One row of the deps section's `ignored`. */
export interface ScanDocIgnored {
  id: string;
  name: string;
  version: string;
  reason: string;
  expires: string;
  file?: string;
  level?: string;
  fixedIn?: string;
}

/** A section of `slipway scan --json`, reduced to what the status document needs. */
export interface ScanDocSection {
  scanner: string;
  version?: string;
  findings: ScanDocFinding[];
  rules: ScanRule[];
  vulnerabilities?: ScanDocVuln[];
  ignored?: ScanDocIgnored[];
}

/** A StatusFinding before firstSeen is known. */
export type LevelledFinding = Omit<StatusFinding, "firstSeen">;

const DEPS_LEVELS: Record<string, StatusLevel> = {
  critical: "critical",
  high: "high",
  moderate: "moderate",
  low: "low",
};

/** An advisory's level; "unknown" (nobody scored it) counts as high, as at the scan's gate. */
export function advisoryLevel(level: string | undefined): StatusLevel {
  return DEPS_LEVELS[level ?? ""] ?? "high";
}

/** SARIF's security-severity (0.0–10.0) in CVSS v3's bands; undefined when it says nothing. */
export function scoreLevel(score: number | undefined): StatusLevel | undefined {
  if (score === undefined || !Number.isFinite(score) || score <= 0) return undefined;
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "moderate";
  return "low";
}

type Verdict = ScanDocFinding["severity"];

const SECRET_LEVELS: Record<Verdict, StatusLevel> = { error: "critical", warning: "low", info: "info" };
const LOCK_LEVELS: Record<Verdict, StatusLevel> = { error: "moderate", warning: "low", info: "info" };
const SARIF_LEVELS: Record<Verdict, StatusLevel> = { error: "high", warning: "moderate", info: "low" };

/** Lockfile names that say the pins are for development, not for the installed package. */
const DEV_LOCKFILE = /(^|[/\\._-])(dev|test|tests|testing|docs?|lint|ci)([/\\._-]|$)/i;

/** Whether a lockfile's pins are what users install (a guess from its name: see docs/status.md). */
export function isRuntimeLockfile(file: string): boolean {
  return !DEV_LOCKFILE.test(file);
}

function depsPackage(name: string, version: string, file: string): NonNullable<StatusFinding["package"]> {
  return { name, version, runtime: isRuntimeLockfile(file) };
}

/** The levelled findings of one section, open ones first, then the ignored advisories. */
export function levelFindings(section: ScanDocSection): LevelledFinding[] {
  const source = section.scanner;
  const rules = new Map(section.rules.map((r) => [r.id, r]));
  const vulns = new Map(
    (section.vulnerabilities ?? []).map((v) => [vulnKey(v.id, v.name, v.version, v.file), v]),
  );
  const out: LevelledFinding[] = [];
  for (const f of section.findings) {
    const rule = rules.get(f.id);
    const base = {
      fingerprint: f.fingerprint,
      source,
      id: f.id,
    };
    const location = {
      file: f.location.file,
      ...(f.location.line === undefined ? {} : { line: f.location.line }),
    };
    if (source === "deps") {
      const vuln = vulns.get(depsKeyOf(f.fingerprint));
      if (vuln !== undefined) {
        const aliases = vuln.ids.filter((id) => id !== vuln.id);
        out.push({
          ...base,
          ...(aliases.length > 0 ? { aliases } : {}),
          level: advisoryLevel(vuln.level),
          severity: f.severity,
          message: f.message,
          location,
          ...urlOf(vuln.url ?? rule?.helpUri),
          package: depsPackage(vuln.name, vuln.version, vuln.file),
          fixedIn: vuln.fixedIn ?? null,
        });
        continue;
      }
    }
    out.push({
      ...base,
      level: levelOf(source, f.severity, rule?.securitySeverity),
      severity: f.severity,
      message: f.message,
      location,
      ...urlOf(rule?.helpUri),
    });
  }
  for (const i of section.ignored ?? []) {
    const file = i.file ?? "";
    out.push({
      fingerprint: `${i.id}:${i.name}:${i.version}:${file}`,
      source,
      id: i.id,
      level: advisoryLevel(i.level),
      severity: "info",
      message: `${i.name} ${i.version} is vulnerable to ${i.id} (ignored until ${i.expires}: ${i.reason})`,
      location: { file },
      ...urlOf(`https://osv.dev/vulnerability/${encodeURIComponent(i.id)}`),
      package: depsPackage(i.name, i.version, file),
      fixedIn: i.fixedIn ?? null,
      ignored: { reason: i.reason, expires: i.expires },
    });
  }
  return out;
}

function urlOf(url: string | undefined): { url?: string } {
  return url === undefined || !/^https?:\/\//.test(url) ? {} : { url };
}

/** The level of a non-advisory finding, by its source. */
export function levelOf(
  source: string,
  severity: Verdict,
  securitySeverity: number | undefined,
): StatusLevel {
  if (source === "secrets") return SECRET_LEVELS[severity];
  // The deps scan's findings about its inputs (a damaged record, an unpinned line) read like lock's.
  if (source === "lock" || source === "deps") return LOCK_LEVELS[severity];
  return scoreLevel(securitySeverity) ?? SARIF_LEVELS[severity];
}

function vulnKey(id: string, name: string, version: string, file: string): string {
  return `${id}\0${name}\0${version}\0${file}`;
}

/** The deps fingerprint is `ID:NAME:VERSION:FILE` (core/vulns/report.ts); a file may hold ':'. */
function depsKeyOf(fingerprint: string): string {
  const [id, name, version, ...file] = fingerprint.split(":");
  return vulnKey(id ?? "", name ?? "", version ?? "", file.join(":"));
}
