/**
 * Scan sections as SARIF 2.1.0, the shape GitHub code scanning reads (its "SARIF support for
 * code scanning" page): one run per section, rules with help text and `security-severity`,
 * results with a relative location and a `partialFingerprints` entry that stays the same from
 * one run to the next. Pure and deterministic: the same sections give the same bytes.
 */
import { createHash } from "node:crypto";
import type { Finding, Severity } from "../findings.ts";
import type { ScanRule, ScanSection } from "../scan/report.ts";
import type { SarifLevel, SarifLog, SarifResult, SarifRule, SarifRun } from "./types.ts";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** GitHub's limits per upload (sarif-limits.md): past them it refuses the file or drops results. */
export const GITHUB_SARIF_LIMITS = {
  runsPerFile: 20,
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  /** gzip-compressed upload; the plain JSON limit is not documented. */
  compressedBytes: 10 * 1024 * 1024,
  descriptionChars: 1024,
} as const;

/** The scanners slipway runs itself: their runs are named "slipway", not after the scanner. */
export const OWN_SCANNERS: readonly string[] = ["secrets", "deps", "lock"];

/** The fingerprint key slipway writes; a new key name when its meaning ever changes. */
export const FINGERPRINT_KEY = "slipway/v1";

export interface SarifMeta {
  /** slipway's version: tool.driver.version of its own runs. */
  version: string;
  /** tool.driver.informationUri of slipway's own runs. */
  informationUri?: string;
  /** A base (e.g. `https://…/docs/scan-lock.md#`) a rule without its own helpUri links to, by scanner. */
  ruleDocs?: Readonly<Record<string, string>>;
}

const LEVEL: Record<Severity, SarifLevel> = { error: "error", warning: "warning", info: "note" };
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * The SARIF log of `sections`. A section of more results than GitHub takes per run keeps its
 * most severe ones (errors, then warnings), and says how many were left out in
 * `run.properties["slipway/omitted"]`.
 */
export function toSarif(sections: readonly ScanSection[], meta: SarifMeta): SarifLog {
  // GitHub refuses two runs of one tool in one category (since June 2025): a second run of a
  // scanner (two bandit files) gets a numbered category of its own.
  const seen = new Map<string, number>();
  const categories = sections.map((section) => {
    const base = categoryOf(section.scanner);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: sections.map((section, i) => runOf(section, meta, categories[i] as string)),
  };
}

/** What GitHub would refuse or cut in `log`, one line each (empty when it takes it all). */
export function sarifLimitProblems(log: SarifLog): string[] {
  const problems: string[] = [];
  if (log.runs.length > GITHUB_SARIF_LIMITS.runsPerFile)
    problems.push(
      `${log.runs.length} runs: GitHub code scanning takes at most ${GITHUB_SARIF_LIMITS.runsPerFile} in one file`,
    );
  for (const run of log.runs) {
    const omitted = run.properties?.["slipway/omitted"];
    if (typeof omitted === "number" && omitted > 0)
      problems.push(
        `${run.tool.driver.name} (${run.automationDetails.id}): ${omitted} results left out, GitHub takes ${GITHUB_SARIF_LIMITS.resultsPerRun} per run`,
      );
  }
  return problems;
}

function runOf(section: ScanSection, meta: SarifMeta, category: string): SarifRun {
  const own = OWN_SCANNERS.includes(section.scanner);
  const order = sortedIndexes(section.findings, section.fingerprints);
  const kept = order.slice(0, GITHUB_SARIF_LIMITS.resultsPerRun);
  const rules = rulesOf(section, meta);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = kept.map((i) =>
    resultOf(section, section.findings[i] as Finding, section.fingerprints[i], ruleIndex),
  );
  const driver: SarifRun["tool"]["driver"] = own
    ? {
        name: "slipway",
        version: meta.version,
        ...(meta.informationUri === undefined ? {} : { informationUri: meta.informationUri }),
        rules,
      }
    : {
        name: section.scanner,
        ...(section.version === undefined ? {} : { version: section.version }),
        rules,
      };
  const properties: Record<string, unknown> = { "slipway/scanner": section.scanner };
  if (own && section.version !== undefined) properties["slipway/scanner-version"] = section.version;
  if (order.length > kept.length) properties["slipway/omitted"] = order.length - kept.length;
  return {
    tool: { driver },
    // GitHub keeps the alerts of each category apart: one per scanner, so a run of one
    // scanner never closes the alerts of another.
    automationDetails: { id: `slipway/${category}/` },
    columnKind: "utf16CodeUnits",
    results,
    properties,
  };
}

/** Findings in output order: the most severe first, then by file, member, line, rule and words. */
function sortedIndexes(findings: readonly Finding[], fingerprints: readonly string[]): number[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return findings
    .map((_, i) => i)
    .sort((i, j) => {
      const a = findings[i] as Finding;
      const b = findings[j] as Finding;
      return (
        RANK[a.severity] - RANK[b.severity] ||
        cmp(a.location.file, b.location.file) ||
        cmp(a.location.member ?? "", b.location.member ?? "") ||
        (a.location.line ?? 0) - (b.location.line ?? 0) ||
        cmp(a.id, b.id) ||
        cmp(a.message, b.message) ||
        cmp(fingerprints[i] ?? "", fingerprints[j] ?? "") ||
        i - j
      );
    });
}

function categoryOf(scanner: string): string {
  const safe = scanner
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return safe === "" ? "tool" : safe.slice(0, 64);
}

/** Every rule the section describes or its findings name (a missing one from its first finding). */
function rulesOf(section: ScanSection, meta: SarifMeta): SarifRule[] {
  const byId = new Map<string, ScanRule>();
  for (const rule of section.rules) if (!byId.has(rule.id)) byId.set(rule.id, rule);
  const worst = new Map<string, Severity>();
  for (const f of section.findings) {
    const was = worst.get(f.id);
    if (was === undefined || RANK[f.severity] < RANK[was]) worst.set(f.id, f.severity);
    if (!byId.has(f.id)) byId.set(f.id, { id: f.id, description: f.id, help: f.hint });
  }
  const docs = meta.ruleDocs?.[section.scanner];
  return [...byId.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((rule) => {
      const helpUri = rule.helpUri ?? (docs === undefined ? undefined : `${docs}${rule.id.toLowerCase()}`);
      const properties: SarifRule["properties"] = { tags: ["security", categoryOf(section.scanner)] };
      if (rule.securitySeverity !== undefined && Number.isFinite(rule.securitySeverity))
        properties["security-severity"] = Math.min(10, Math.max(0, rule.securitySeverity)).toFixed(1);
      const description = clip(oneLine(rule.description) || rule.id, GITHUB_SARIF_LIMITS.descriptionChars);
      const help = rule.help.trim() === "" ? description : rule.help.trim();
      return {
        id: rule.id,
        name: ruleName(rule.id),
        shortDescription: { text: description },
        fullDescription: { text: description },
        help: { text: help, markdown: helpMarkdown(rule, help, helpUri) },
        ...(helpUri === undefined ? {} : { helpUri }),
        defaultConfiguration: { level: LEVEL[worst.get(rule.id) ?? "warning"] },
        properties,
      };
    });
}

/** `LOCK02` → `LOCK02`; `python.lang.eval-detected` → `PythonLangEvalDetected` (a rule's name has no dots). */
function ruleName(id: string): string {
  const words = id.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  if (words.length <= 1) return clip(words[0] ?? "rule", 255);
  return clip(words.map((w) => (w[0] as string).toUpperCase() + w.slice(1)).join(""), 255);
}

function helpMarkdown(rule: ScanRule, help: string, helpUri: string | undefined): string {
  const lines = [
    `**${escapeMarkdown(rule.id)}**: ${escapeMarkdown(oneLine(rule.description))}`,
    "",
    escapeMarkdown(help),
  ];
  if (helpUri !== undefined)
    lines.push(
      "",
      `[More about ${escapeMarkdown(rule.id)}](${helpUri.replace(/[()\s]/g, encodeURIComponent)})`,
    );
  return lines.join("\n");
}

function resultOf(
  section: ScanSection,
  f: Finding,
  fingerprint: string | undefined,
  ruleIndex: ReadonlyMap<string, number>,
): SarifResult {
  const index = ruleIndex.get(f.id) as number;
  const at =
    f.location.member === undefined
      ? ""
      : ` (in ${f.location.member}${f.location.line === undefined ? "" : ` line ${f.location.line}`})`;
  const text = `${f.message}${at}`;
  return {
    ruleId: f.id,
    ruleIndex: index,
    level: LEVEL[f.severity],
    message: { text: f.hint === "" ? text : `${text}\nHint: ${f.hint}` },
    locations: [{ physicalLocation: physicalLocationOf(f) }],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprintOf(section.scanner, f, fingerprint) },
  };
}

function physicalLocationOf(f: Finding): SarifResult["locations"][number]["physicalLocation"] {
  const uri = relativeUri(f.location.file);
  const artifactLocation = uri.relative ? { uri: uri.uri, uriBaseId: "%SRCROOT%" } : { uri: uri.uri };
  // A line inside an archive member is no line of the archive file itself.
  const line = f.location.member === undefined ? f.location.line : undefined;
  return line !== undefined && Number.isInteger(line) && line >= 1
    ? { artifactLocation, region: { startLine: line } }
    : { artifactLocation };
}

/**
 * A path as a URI reference: relative (forward slashes, each segment percent-encoded) when the
 * path is; `file:` for an absolute one. `./` and empty segments are dropped.
 */
export function relativeUri(path: string): { uri: string; relative: boolean } {
  const slashed = path.replaceAll("\\", "/");
  const drive = /^[A-Za-z]:\//.test(slashed);
  const absolute = slashed.startsWith("/") || drive;
  const segments = slashed.split("/").filter((s, i) => s !== "" && !(s === "." && i >= 0));
  const encoded = segments.map((s, i) => (drive && i === 0 ? s : encodeURIComponent(s))).join("/");
  if (absolute) return { uri: `file:///${encoded}`, relative: false };
  return { uri: encoded === "" ? "." : encoded, relative: true };
}

/**
 * The section's fingerprint of a finding hashed again with the scanner's name: as stable, and
 * never the scanner's own key (a secret scanner's holds the hash of the secret, which a short
 * password can be guessed back from).
 */
function fingerprintOf(scanner: string, f: Finding, given: string | undefined): string {
  const base = given ?? `${f.id}\0${f.location.file}\0${f.location.member ?? ""}\0${f.message}`;
  return createHash("sha256").update(`${scanner}\0${base}`, "utf8").digest("hex").slice(0, 32);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Markdown punctuation escaped, so a rule's text never turns into a link, an image or HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~]/g, "\\$&");
}
