/**
 * `slipway scan`'s secret scanner over one text (a file of the tree, a blob of the history):
 * the keyword prefilter picks the rules, their regexes run, then entropy, the token's own
 * checks, allowlists, inline suppression and the severity of the place. A finding holds the
 * redacted secret and a fingerprint, never the secret.
 */
import { createHash } from "node:crypto";
import { CodeBlockTracker, docMarkupOf } from "./doc-blocks.ts";
import { KeywordMatcher } from "./keywords.ts";
import { fixtureOf, placeholderIn, redact } from "./patterns.ts";
import { GLOBAL_ALLOWLIST, SECRET_RULES, type SecretAllowlist, type SecretRule } from "./rules.ts";
import { githubChecksumValid, shannonEntropy } from "./token-checks.ts";

export interface SecretFinding {
  ruleId: string;
  description: string;
  path: string;
  /** 1-based line and column of the secret. */
  line: number;
  column: number;
  /** The first 4 characters and an ellipsis. */
  shown: string;
  /** `rule:path:sha256(secret)`: stable when the code moves, different for another secret. */
  fingerprint: string;
  severity: "error" | "warning";
  /** Why a finding is a warning: "in test or documentation material (tests/)". */
  why?: string;
  entropy: number;
}

interface CompiledAllowlist {
  and: boolean;
  regexes: RegExp[];
  target: "secret" | "match" | "line";
  paths: RegExp[];
  stopwords: string[];
  commits: string[];
}

interface CompiledRule {
  rule: SecretRule;
  /** Undefined for a rule on the path alone. */
  regex: RegExp | undefined;
  path: RegExp | undefined;
  allowlists: CompiledAllowlist[];
}

/** Rules ready to scan with: regexes compiled once, the keyword trie built once. */
export interface CompiledRules {
  rules: CompiledRule[];
  matcher: KeywordMatcher;
  /** For each keyword index, the rules it selects. */
  byKeyword: number[][];
  /** Rules without keywords: they always run. */
  always: number[];
  global: CompiledAllowlist[];
}

const compileAllowlist = (a: SecretAllowlist): CompiledAllowlist => ({
  and: a.condition === "AND",
  regexes: (a.regexes ?? []).map((r) => new RegExp(r)),
  target: a.regexTarget ?? "secret",
  paths: (a.paths ?? []).map((r) => new RegExp(r)),
  stopwords: (a.stopwords ?? []).map((w) => w.toLowerCase()),
  commits: [...(a.commits ?? [])],
});

/** Compiles a rule table (default: slipway's) and the allowlists applied to every rule. */
export function compileRules(
  rules: readonly SecretRule[] = SECRET_RULES,
  global: readonly SecretAllowlist[] = [GLOBAL_ALLOWLIST],
): CompiledRules {
  const keywords: string[] = [];
  const byKeyword: number[][] = [];
  const always: number[] = [];
  const targeted = global.filter((g) => g.targetRules !== undefined);
  const compiled = rules.map((rule, i) => {
    if (rule.keywords.length === 0) always.push(i);
    for (const word of rule.keywords) {
      const lower = word.toLowerCase();
      let k = keywords.indexOf(lower);
      if (k < 0) {
        k = keywords.push(lower) - 1;
        byKeyword.push([]);
      }
      byKeyword[k]!.push(i);
    }
    const own = [...(rule.allowlists ?? []), ...targeted.filter((g) => g.targetRules?.includes(rule.id))];
    return {
      rule,
      regex: rule.regex === "" ? undefined : new RegExp(rule.regex, `gd${rule.flags ?? ""}`),
      path: rule.path === undefined ? undefined : new RegExp(rule.path),
      allowlists: own.map(compileAllowlist),
    };
  });
  return {
    rules: compiled,
    matcher: new KeywordMatcher(keywords),
    byKeyword,
    always,
    global: global.filter((g) => g.targetRules === undefined).map(compileAllowlist),
  };
}

let defaults: CompiledRules | undefined;

/** slipway's own table, compiled on first use. */
export function defaultRules(): CompiledRules {
  defaults ??= compileRules();
  return defaults;
}

/** Where a finding is a warning rather than an error. */
export interface PlaceSeverity {
  /** Test, example and documentation paths (patterns.ts fixtureOf) are warnings; default true. */
  fixtures?: boolean;
  /** Code blocks of Markdown and reStructuredText documents are warnings; default true. */
  docCodeBlocks?: boolean;
  /** More paths whose findings are warnings (regexes, or globs compiled to a test). */
  warnPaths?: readonly { test(path: string): boolean }[];
}

export interface ScanTextOptions {
  /** The file's path relative to the project, `/`-separated. */
  path: string;
  rules?: CompiledRules;
  place?: PlaceSeverity;
  /** The commit a history blob was seen in, for commit allowlists. */
  commit?: string;
  /** Honour `gitleaks:allow` and `slipway: allow` on the line; default true. */
  inlineAllow?: boolean;
  /** Counts regex runs (tests, benchmarks): incremented once per rule whose regex ran. */
  stats?: { regexRuns: number };
}

/** On a line, these silence its findings (gitleaks' `gitleaksAllowSignature`, and ours). */
export const INLINE_ALLOW = /gitleaks:allow|slipway:\s?allow/;

/** `rule:path:sha256hex(secret)`. */
export function secretFingerprint(ruleId: string, path: string, secret: string): string {
  return `${ruleId}:${path}:${createHash("sha256").update(secret).digest("hex")}`;
}

function allowed(
  list: CompiledAllowlist,
  parts: { secret: string; match: string; line: string; path: string; commit: string | undefined },
): boolean {
  const target = list.target === "match" ? parts.match : list.target === "line" ? parts.line : parts.secret;
  const lower = parts.secret.toLowerCase();
  const checks: boolean[] = [];
  if (list.regexes.length > 0) checks.push(list.regexes.some((r) => r.test(target)));
  if (list.paths.length > 0) checks.push(list.paths.some((r) => r.test(parts.path)));
  if (list.stopwords.length > 0) checks.push(list.stopwords.some((w) => lower.includes(w)));
  if (list.commits.length > 0) checks.push(parts.commit !== undefined && list.commits.includes(parts.commit));
  if (checks.length === 0) return false;
  return list.and ? checks.every(Boolean) : checks.some(Boolean);
}

const pathOnly = (list: CompiledAllowlist): boolean =>
  list.paths.length > 0 && list.regexes.length + list.stopwords.length + list.commits.length === 0;

/** Line starts of `text`, built when the first finding needs one. */
class Lines {
  private starts: number[] | undefined;
  private readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
  private get all(): number[] {
    if (this.starts === undefined) {
      this.starts = [0];
      for (let at = this.source.indexOf("\n"); at >= 0; at = this.source.indexOf("\n", at + 1))
        this.starts.push(at + 1);
    }
    return this.starts;
  }
  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    const starts = this.all;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  start(line: number): number {
    return this.all[line - 1] ?? 0;
  }
  lineText(line: number): string {
    const from = this.start(line);
    const end = this.source.indexOf("\n", from);
    return this.source.slice(from, end < 0 ? this.source.length : end).replace(/\r$/, "");
  }
}

/** The secret of a match: the rule's group, else the first group that matched, else the match. */
function secretOf(m: RegExpExecArray, group: number | undefined): { secret: string; at: number } {
  const indices = m.indices!;
  const pick = (g: number): { secret: string; at: number } | undefined => {
    const value = m[g];
    const span = indices[g];
    return value === undefined || value === "" || span === undefined
      ? undefined
      : { secret: value, at: span[0] };
  };
  if (group !== undefined) return pick(group) ?? { secret: m[0], at: m.index };
  for (let g = 1; g < m.length; g++) {
    const found = pick(g);
    if (found !== undefined) return found;
  }
  return { secret: m[0], at: m.index };
}

/** Why `path` (or the line of a document) makes a finding a warning; undefined: an error. */
function placeReason(path: string, place: PlaceSeverity, codeBlock: () => boolean): string | undefined {
  if (place.fixtures !== false) {
    const fixture = fixtureOf(path);
    if (fixture !== undefined)
      return "dir" in fixture ? `in test or documentation material (${fixture.dir}/)` : "in a test file";
  }
  if (place.warnPaths?.some((r) => r.test(path))) return "in a path configured as test material";
  if (place.docCodeBlocks !== false && codeBlock()) return "in a code block of the document";
  return undefined;
}

/** The findings in one text. Pure: the same text and options give the same findings. */
export function scanText(text: string, options: ScanTextOptions): SecretFinding[] {
  const compiled = options.rules ?? defaultRules();
  const { path, commit } = options;
  const base = { secret: "", match: "", line: "", path, commit };
  if (compiled.global.some((g) => pathOnly(g) && allowed(g, base))) return [];
  const selected = new Set(compiled.always);
  for (const k of compiled.matcher.present(text.toLowerCase()))
    for (const r of compiled.byKeyword[k]!) selected.add(r);
  if (selected.size === 0) return [];
  const lines = new Lines(text);
  let blocks: boolean[] | undefined;
  const codeBlockAt = (line: number) => (): boolean => {
    const markup = docMarkupOf(path);
    if (markup === undefined) return false;
    if (blocks === undefined) {
      const tracker = new CodeBlockTracker(markup);
      tracker.feed(text.endsWith("\n") ? text : `${text}\n`);
      blocks = [];
      const count = lines.lineOf(text.length);
      for (let l = 1; l <= count; l++) blocks.push(tracker.isCode(l));
    }
    return blocks[line - 1] ?? false;
  };
  const findings: SecretFinding[] = [];
  for (const index of [...selected].sort((a, b) => a - b)) {
    const { rule, regex, path: pathRegex, allowlists } = compiled.rules[index]!;
    if (allowlists.some((a) => pathOnly(a) && allowed(a, base))) continue;
    if (pathRegex !== undefined && !pathRegex.test(path)) continue;
    if (regex === undefined) {
      // A rule on the path alone (gitleaks' pkcs12-file): the file itself is the finding.
      findings.push({
        ruleId: rule.id,
        description: rule.description,
        path,
        line: 1,
        column: 1,
        shown: "",
        fingerprint: secretFingerprint(rule.id, path, ""),
        severity: "error",
        entropy: 0,
      });
      continue;
    }
    if (options.stats !== undefined) options.stats.regexRuns++;
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0] === "") regex.lastIndex++;
      const { secret, at } = secretOf(m, rule.secretGroup);
      const entropy = shannonEntropy(secret);
      if (rule.entropy !== undefined && entropy <= rule.entropy) continue;
      if (rule.validate === "github-crc32" && !githubChecksumValid(secret)) continue;
      const line = lines.lineOf(at);
      const lineText = lines.lineText(line);
      if (options.inlineAllow !== false && INLINE_ALLOW.test(lineText)) continue;
      const parts = { secret, match: m[0], line: lineText, path, commit };
      if (compiled.global.some((a) => allowed(a, parts)) || allowlists.some((a) => allowed(a, parts)))
        continue;
      const placeholder = placeholderIn(secret);
      const why =
        placeholder !== undefined
          ? `with a placeholder value ("${placeholder}")`
          : placeReason(path, options.place ?? {}, codeBlockAt(line));
      const finding: SecretFinding = {
        ruleId: rule.id,
        description: rule.description,
        path,
        line,
        column: at - lines.start(line) + 1,
        shown: redact(secret),
        fingerprint: secretFingerprint(rule.id, path, secret),
        severity: why === undefined ? "error" : "warning",
        entropy,
      };
      findings.push(why === undefined ? finding : { ...finding, why });
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
}
