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
  INLINE_ALLOW,
  type PlaceSeverity,
  type ScanTextOptions,
  type SecretFinding,
  scanText,
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

/** A run of base64 (standard or URL-safe) long enough to hide a token: 24 bytes encoded. */
const MIN_RUN = 32;
/** Longer runs (an image in a notebook) are not decoded. */
const MAX_DECODED_RUN = 1024 * 1024;
/** The characters of base64 and base64url, by code. */
const BASE64_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
  BASE64_CHAR[c.charCodeAt(0)] = 1;

const isBase64 = (c: number): boolean => c < 128 && BASE64_CHAR[c] === 1;

/**
 * The runs of base64 characters (and their `=` padding) of at least MIN_RUN characters, in
 * order. A run that long holds a whole aligned block of MIN_RUN / 2 characters, so only such
 * blocks are tested (from their end, where a space or a quote is met after a few characters
 * in source code), and a block that passes is widened to its run: most characters of a text
 * are never looked at.
 */
function base64Runs(text: string): { at: number; run: string }[] {
  const runs: { at: number; run: string }[] = [];
  const block = MIN_RUN / 2;
  const n = text.length;
  for (let b = 0; b + block <= n; b += block) {
    let j = b + block - 1;
    while (j >= b && isBase64(text.charCodeAt(j))) j--;
    if (j >= b) continue;
    let start = b;
    while (start > 0 && isBase64(text.charCodeAt(start - 1))) start--;
    let end = b + block;
    while (end < n && isBase64(text.charCodeAt(end))) end++;
    if (end - start >= MIN_RUN) {
      let padded = end;
      while (padded < n && padded - end < 2 && text.charCodeAt(padded) === 61) padded++;
      runs.push({ at: start, run: text.slice(start, padded) });
    }
    // The next block to test starts after the run's end (the character there is not base64).
    b = Math.floor(end / block) * block;
  }
  return runs;
}

/** The bytes a base64 run spells, one character per byte; undefined when it is not base64. */
function decodeBase64(run: string): string | undefined {
  const standard = run.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  if (standard.length % 4 === 1) return undefined;
  try {
    return atob(standard + "=".repeat((4 - (standard.length % 4)) % 4));
  } catch {
    return undefined;
  }
}

/** Whether decoded bytes read as text: nearly all printable ASCII or whitespace. */
function looksLikeText(bytes: string): boolean {
  let printable = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) printable++;
  }
  return printable >= bytes.length * 0.95;
}

/**
 * The scanner's findings in `text`, and in the text its base64 runs decode to (a token or a key
 * encoded into a config value, a notebook output or a data string), one level deep as gitleaks'
 * decoding does. A decoded finding is placed at the run (its line and column in `text`), says
 * "base64-encoded" in its description, and is silenced by an allow comment on the run's line.
 */
export function scanTextDecoded(text: string, options: ScanTextOptions): SecretFinding[] {
  const plain = scanText(text, options);
  const decoded: SecretFinding[] = [];
  let line = 1;
  let counted = 0;
  let lineStart = 0;
  for (const m of base64Runs(text)) {
    const { run } = m;
    if (run.length > MAX_DECODED_RUN) continue;
    const bytes = decodeBase64(run);
    if (bytes === undefined || bytes.length < 16 || !looksLikeText(bytes)) continue;
    const inner = scanText(bytes, options);
    if (inner.length === 0) continue;
    for (let at = text.indexOf("\n", counted); at >= 0 && at < m.at; at = text.indexOf("\n", at + 1)) {
      line++;
      lineStart = at + 1;
    }
    counted = m.at;
    const end = text.indexOf("\n", m.at);
    if (
      options.inlineAllow !== false &&
      INLINE_ALLOW.test(text.slice(lineStart, end < 0 ? text.length : end))
    )
      continue;
    for (const f of inner)
      decoded.push({
        ...f,
        description: `${f.description} (base64-encoded)`,
        line,
        column: m.at - lineStart + 1,
      });
  }
  if (decoded.length === 0) return plain;
  return [...plain, ...decoded].sort(
    (a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId),
  );
}
