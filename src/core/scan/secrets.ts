/**
 * `slipway scan secrets`, the pure part: the rule set a project configures (the built-in table,
 * `[tool.slipway.scan]`, a `.gitleaks.toml` a team brings along), and the scanner's findings as
 * the Findings every renderer speaks. The secret itself never reaches a Finding: the scanner
 * keeps its first four characters at most.
 */
import type { Finding } from "../findings.ts";
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

/** The scanner's findings a `.gitleaksignore` does not silence. */
export function notIgnored(setup: SecretScanSetup, found: readonly SecretFinding[]): SecretFinding[] {
  return setup.ignores.length === 0 ? [...found] : found.filter((f) => !ignoredByGitleaks(setup.ignores, f));
}

/** A secret as a Finding: the rule, where, the first characters; the fingerprint for a baseline. */
export function secretAsFinding(found: SecretFinding): Finding {
  const why = found.why === undefined ? "" : ` (a warning: ${found.why})`;
  return {
    id: found.ruleId,
    severity: found.severity,
    message: `${found.description}: ${found.shown} at column ${found.column}${why}`,
    hint:
      found.severity === "error"
        ? "Revoke the secret where it was issued, then remove it from the file (and from the history if it was committed); if it is not a secret, add `# slipway: allow` on the line or its fingerprint to .gitleaksignore."
        : "Make sure this is a test or example value; if it is real, revoke it and remove it.",
    location: { file: found.path, line: found.line },
  };
}
