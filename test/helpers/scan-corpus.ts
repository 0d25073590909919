/**
 * The labelled corpus of `slipway scan secrets`, built by scripts/scan-corpus.mjs (`npm run
 * peers`): a git repository of real urllib3 and requests releases with synthetic secrets planted
 * in chosen commits, and its manifest. `scanCorpus()` finds the set this checkout's script would
 * build (its key is the script's hash) and never builds or downloads anything itself.
 * `scoreFindings` holds a scanner's findings against the manifest: recall per rule, and what was
 * reported elsewhere.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Plant {
  /** The plant's own name: "dotenv-stripe", "binary-ghp". */
  name: string;
  /** The slipway rule that must report it. */
  rule: string;
  severity: "error" | "warning";
  /** The commit that introduced it. */
  commit: string;
  path: string;
  line: number;
  /** How it is stored: "dotenv", "binary file (…)", "Jupyter notebook (…)". */
  encoding: string;
  /** The synthetic token (null for PEM blocks, found by their header line). */
  secret: string | null;
  /** The blob holding it at `commit:path`. */
  blob: string;
  /** Still at HEAD (the work tree), or only in the history. */
  inTree: boolean;
}

/** A secret stored in a form slipway's rules do not read (base64 of a token), and why. */
export interface Gap extends Plant {
  why: string;
}

export interface CorpusManifest {
  head: string;
  releases: { name: string; version: string; sha256: string }[];
  commits: { sha: string; message: string }[];
  planted: Plant[];
  gaps: Gap[];
}

export interface ScanCorpus {
  dir: string;
  repo: string;
  manifest: CorpusManifest;
}

/** The corpus this checkout's scripts/scan-corpus.mjs builds, or undefined when not built yet. */
export function scanCorpus(): ScanCorpus | undefined {
  const script = fileURLToPath(new URL("../../scripts/scan-corpus.mjs", import.meta.url));
  const key = createHash("sha256").update(readFileSync(script)).digest("hex").slice(0, 12);
  const dir = fileURLToPath(new URL(`../../.cache/corpus/scan-history-${key}`, import.meta.url));
  if (!existsSync(join(dir, ".complete"))) return undefined;
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as CorpusManifest;
  return { dir, repo: join(dir, "repo"), manifest };
}

/** What a scanner reports, reduced to what the score needs. */
export interface ScoredFinding {
  rule: string;
  severity: string;
  path: string;
  line: number;
  commit?: string | undefined;
}

export interface RuleScore {
  rule: string;
  planted: number;
  found: number;
  /** Found with another severity than the manifest's. */
  wrongSeverity: number;
  /** Findings of this rule on a planted line another rule is expected for (the same secret twice). */
  alsoOnPlanted: number;
  /** Findings of this rule away from every planted line, by severity: the real code's. */
  elsewhereErrors: number;
  elsewhereWarnings: number;
}

export interface CorpusScore {
  rules: RuleScore[];
  missed: Plant[];
  wrongSeverity: { plant: Plant; severity: string }[];
  /** Error findings on no planted line: false positives on the real history. */
  falseErrors: ScoredFinding[];
  /** Warnings on no planted line (the projects' own test keys, by design). */
  warnings: ScoredFinding[];
  recall: number;
}

/**
 * Holds `findings` against `plants` (the tree's or the whole history's). A plant is found by a
 * finding of its rule at its path and line. Gap lines count as neither found nor false.
 */
export function scoreFindings(
  plants: readonly Plant[],
  findings: readonly ScoredFinding[],
  gaps: readonly Gap[] = [],
): CorpusScore {
  const at = (f: { path: string; line: number }) => `${f.path}:${f.line}`;
  const plantedLines = new Set([...plants, ...gaps].map(at));
  const rules = new Map<string, RuleScore>();
  const score = (rule: string): RuleScore => {
    let s = rules.get(rule);
    if (s === undefined) {
      s = {
        rule,
        planted: 0,
        found: 0,
        wrongSeverity: 0,
        alsoOnPlanted: 0,
        elsewhereErrors: 0,
        elsewhereWarnings: 0,
      };
      rules.set(rule, s);
    }
    return s;
  };
  const missed: Plant[] = [];
  const wrongSeverity: CorpusScore["wrongSeverity"] = [];
  const matched = new Set<ScoredFinding>();
  for (const plant of plants) {
    const s = score(plant.rule);
    s.planted++;
    const hits = findings.filter((f) => f.rule === plant.rule && at(f) === at(plant));
    for (const h of hits) matched.add(h);
    if (hits.length === 0) {
      missed.push(plant);
      continue;
    }
    s.found++;
    const off = hits.find((h) => h.severity !== plant.severity);
    if (off !== undefined) {
      s.wrongSeverity++;
      wrongSeverity.push({ plant, severity: off.severity });
    }
  }
  const falseErrors: ScoredFinding[] = [];
  const warnings: ScoredFinding[] = [];
  for (const f of findings) {
    if (matched.has(f)) continue;
    const s = score(f.rule);
    if (plantedLines.has(at(f))) s.alsoOnPlanted++;
    else if (f.severity === "error") {
      s.elsewhereErrors++;
      falseErrors.push(f);
    } else {
      s.elsewhereWarnings++;
      warnings.push(f);
    }
  }
  const found = [...rules.values()].reduce((n, s) => n + s.found, 0);
  return {
    rules: [...rules.values()].sort((a, b) => a.rule.localeCompare(b.rule)),
    missed,
    wrongSeverity,
    falseErrors,
    warnings,
    recall: plants.length === 0 ? 1 : found / plants.length,
  };
}

/** The score as a Markdown table, one row per rule, for t.diagnostic and the docs. */
export function renderScore(score: CorpusScore): string {
  const rows = score.rules.map((s) => {
    const recall = s.planted === 0 ? "—" : `${s.found}/${s.planted}`;
    return `| ${s.rule} | ${recall} | ${s.alsoOnPlanted} | ${s.elsewhereErrors} | ${s.elsewhereWarnings} |`;
  });
  return [
    "| rule | planted found | same secret, other rule | errors elsewhere (FP) | warnings elsewhere |",
    "|---|---|---|---|---|",
    ...rows,
    `recall ${(score.recall * 100).toFixed(1)}%, ${score.falseErrors.length} false errors, ${score.warnings.length} warnings on real test material`,
  ].join("\n");
}
