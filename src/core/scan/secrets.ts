/**
 * `slipway scan secrets`, the pure part: the rule set a project configures (the built-in table,
 * `[tool.slipway.scan]`, a `.gitleaks.toml` a team brings along), and the scanner's findings as
 * the Findings every renderer speaks. The secret itself never reaches a Finding: the scanner
 * keeps its first four characters at most.
 */
import type { Finding, Location } from "../findings.ts";
import type { TomlTable } from "../pyproject/access.ts";
import { type GitleaksIgnore, ignoredByGitleaks, parseGitleaksIgnore } from "../secrets/gitleaks-ignore.ts";
import { readScanPlaceConfig } from "../secrets/place-config.ts";
import {
  assembleRuleSet,
  parseGitleaksConfig,
  type RuleConfig,
  readScanRuleConfig,
} from "../secrets/rule-config.ts";
import {
  type CompiledRules,
  compileRules,
  type PlaceSeverity,
  type SecretFinding,
} from "../secrets/scan-text.ts";
import type { ScanRule, ScanSection } from "./report.ts";

/** What the project says about secret scanning, ready to scan with. */
export interface SecretScanSetup {
  rules: CompiledRules;
  place: PlaceSeverity;
  ignores: readonly GitleaksIgnore[];
  /** Where the rules came from, for the report: "built-in", "pyproject.toml", ".gitleaks.toml". */
  sources: string[];
  /** Lines of `.gitleaksignore` that were not fingerprints (reported, never fatal). */
  ignoreProblems: string[];
}

export interface SecretScanInputs {
  /** `[tool.slipway.scan]` of pyproject.toml, when there is one. */
  scanTable: TomlTable | undefined;
  /** The text of `.gitleaks.toml`, when the project has one. */
  gitleaksToml: string | undefined;
  /** The text of `.gitleaksignore`, when the project has one. */
  gitleaksIgnore: string | undefined;
}

/** Throws a SlipwayError ("config") naming the file and key when a configuration is wrong. */
export function assembleSecretScan(inputs: SecretScanInputs): SecretScanSetup {
  const configs: RuleConfig[] = [];
  const sources = ["built-in"];
  if (inputs.gitleaksToml !== undefined) {
    configs.push(parseGitleaksConfig(inputs.gitleaksToml));
    sources.push(".gitleaks.toml");
  }
  if (inputs.scanTable !== undefined) {
    configs.push(readScanRuleConfig(inputs.scanTable));
    sources.push("pyproject.toml [tool.slipway.scan]");
  }
  const set = assembleRuleSet(configs);
  const ignore =
    inputs.gitleaksIgnore === undefined
      ? { entries: [], problems: [] }
      : parseGitleaksIgnore(inputs.gitleaksIgnore);
  return {
    rules: compileRules(set.rules, set.allowlists),
    place: readScanPlaceConfig(inputs.scanTable),
    ignores: ignore.entries,
    sources,
    ignoreProblems: ignore.problems,
  };
}

/**
 * The scanner's findings a `.gitleaksignore` does not silence; `commit` is the commit a history
 * blob was seen in (gitleaks' `commit:file:rule:line` entries match it).
 */
export function notIgnored(
  setup: SecretScanSetup,
  found: readonly SecretFinding[],
  commit?: string,
): SecretFinding[] {
  if (setup.ignores.length === 0) return [...found];
  return found.filter((f) => !ignoredByGitleaks(setup.ignores, commit === undefined ? f : { ...f, commit }));
}

/**
 * A secret as a Finding: the rule, where (and, for the history, a commit that holds the blob),
 * the first characters; the fingerprint for a baseline.
 */
export function secretAsFinding(found: SecretFinding, commit?: string): Finding {
  const why = found.why === undefined ? "" : ` (a warning: ${found.why})`;
  const seen = commit === undefined ? "" : ` in commit ${commit.slice(0, 12)}`;
  return {
    id: found.ruleId,
    severity: found.severity,
    message: `${found.description}: ${found.shown} at column ${found.column}${seen}${why}`,
    hint:
      found.severity === "error"
        ? "Revoke the secret where it was issued, then remove it from the file (and from the history if it was committed); if it is not a secret, add `# slipway: allow` on the line or its fingerprint to .gitleaksignore."
        : "Make sure this is a test or example value; if it is real, revoke it and remove it.",
    location: locationOf(found, commit),
  };
}

function locationOf(found: SecretFinding, commit: string | undefined): Location {
  const at: Location = { file: found.path, line: found.line };
  if (commit !== undefined) at.commit = commit;
  return at;
}

/** What a finding of each severity weighs for code scanning (GitHub reads >= 7.0 as high). */
const SECURITY_SEVERITY = { error: 8.5, warning: 4.0, info: 1.0 } as const;

const RULE_HELP =
  "Revoke the secret where it was issued and remove it from the file (and the history, if it was committed). If it is test material or not a secret, add `# slipway: allow` on its line, or put its fingerprint in the baseline (`slipway scan --baseline-write`).";

/**
 * The secret scan as the section every renderer, SARIF writer and gate reads: the findings
 * and their fingerprints, and the metadata of each rule they name, from the rule table (a
 * distribution's SEC findings keep their check ids).
 */
export function secretsSection(
  report: { findings: readonly Finding[]; fingerprints: readonly string[]; ok: boolean },
  rules: CompiledRules,
): ScanSection {
  const byId = new Map(rules.rules.map((r) => [r.rule.id, r.rule]));
  const used = new Map<string, ScanRule>();
  for (const f of report.findings) {
    const known = used.get(f.id);
    const weight = SECURITY_SEVERITY[f.severity];
    if (known !== undefined) {
      if ((known.securitySeverity ?? 0) < weight) known.securitySeverity = weight;
      continue;
    }
    const rule = byId.get(f.id);
    used.set(f.id, {
      id: f.id,
      description: rule?.description ?? f.message,
      help: rule === undefined ? f.hint : RULE_HELP,
      securitySeverity: weight,
    });
  }
  return {
    scanner: "secrets",
    findings: [...report.findings],
    fingerprints: [...report.fingerprints],
    rules: [...used.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    failed: !report.ok,
  };
}
