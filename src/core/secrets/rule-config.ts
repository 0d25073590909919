/**
 * User rules for the secret scan, from a project's `.gitleaks.toml` (gitleaks' rule format,
 * security-ci.md §1.1), its `.gitleaksignore` (§1.4) and `[tool.slipway.scan]` in
 * pyproject.toml (the same shapes with kebab-case keys). Pure functions on text and tables;
 * every mistake is a config error naming the file and the key.
 */
import { parse, TomlError } from "smol-toml";
import { SlipwayError } from "../../errors.ts";
import { get, isTable, type TomlTable, tomlType } from "../pyproject/access.ts";
import { SECRET_RULES, type SecretAllowlist, type SecretRule } from "./rules.ts";

/** The rules and allowlists one configuration adds. */
export interface RuleConfig {
  rules: SecretRule[];
  /** Allowlists for every rule, or for `targetRules` only. */
  allowlists: SecretAllowlist[];
  /** Rule ids turned off. */
  disabledRules: string[];
  /**
   * Whether slipway's own table stays: a `.gitleaks.toml` without `[extend] useDefault = true`
   * replaces the default rules, as in gitleaks; `[tool.slipway.scan]` always extends.
   */
  useDefault: boolean;
}

/** Key names: gitleaks' camelCase, or kebab-case in pyproject.toml. */
type Style = "gitleaks" | "pyproject";
const KEYS = {
  gitleaks: { secretGroup: "secretGroup", regexTarget: "regexTarget", targetRules: "targetRules" },
  pyproject: { secretGroup: "secret-group", regexTarget: "regex-target", targetRules: "target-rules" },
} as const;

interface Reader {
  file: string;
  style: Style;
}

function configError(reader: Reader, key: string, message: string, hint: string): SlipwayError {
  return new SlipwayError("config", `${reader.file} ${key}: ${message}`, { hint });
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: "A-Za-z0-9",
  alpha: "A-Za-z",
  digit: "0-9",
  lower: "a-z",
  upper: "A-Z",
  space: "\\s",
  xdigit: "0-9A-Fa-f",
  word: "\\w",
  punct: "!-\\/:-@\\[-`{-~",
};

/**
 * A Go RE2 pattern as a JavaScript RegExp source and flags. A leading `(?i)` becomes the `i`
 * flag; a `(?i)` or `(?i:…)` further in makes the whole pattern ignore case (JavaScript before
 * Node 23 has no inline modifiers): it finds a little more, never less. `\z` is the end of the
 * text, `[[:alnum:]]` a class, `(?P<n>` a named group.
 */
export function portGoRegex(source: string): { source: string; flags: string } {
  const flags = new Set<string>();
  let out = source;
  for (let m = /^\(\?([imsU]+)\)/.exec(out); m !== null; m = /^\(\?([imsU]+)\)/.exec(out)) {
    for (const f of m[1]!) if (f !== "U") flags.add(f);
    out = out.slice(m[0].length);
  }
  if (/\(\?i\)|\(\?i:/.test(out)) flags.add("i");
  out = out
    .replace(/\(\?i\)/g, "")
    .replace(/\(\?-?i:/g, "(?:")
    .replace(/\(\?P</g, "(?<")
    .replace(/\\z/g, "$")
    .replace(/\\A/g, "^")
    .replace(/\[:(\w+):\]/g, (whole, name: string) => POSIX_CLASSES[name] ?? whole);
  return { source: out, flags: [...flags].sort().join("") };
}

function str(reader: Reader, table: TomlTable, key: string, where: string): string | undefined {
  const value = get(table, key);
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw configError(
      reader,
      `${where}${key}`,
      `expected a string, found ${tomlType(value)}`,
      "write it as a quoted string",
    );
  }
  return value;
}

function strs(reader: Reader, table: TomlTable, key: string, where: string): string[] | undefined {
  const value = get(table, key);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw configError(
      reader,
      `${where}${key}`,
      `expected an array of strings, found ${tomlType(value)}`,
      'write it as ["one", "two"]',
    );
  }
  return value as string[];
}

function num(reader: Reader, table: TomlTable, key: string, where: string): number | undefined {
  const value = get(table, key);
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw configError(
      reader,
      `${where}${key}`,
      `expected a non-negative number, found ${tomlType(value)}`,
      "write a number such as 3.5",
    );
  }
  return value;
}

/** A regex from the config, ported from Go and compiled once to report mistakes by key. */
function regex(reader: Reader, source: string, key: string): { source: string; flags: string } {
  const ported = portGoRegex(source);
  try {
    new RegExp(ported.source, ported.flags);
  } catch (error) {
    throw configError(
      reader,
      key,
      `not a valid regular expression (${(error as Error).message})`,
      "write the pattern in RE2/JavaScript syntax; backslashes in a TOML basic string are doubled, or use a '''literal''' string",
    );
  }
  return ported;
}

/** A regex whose flags must fold into the source: allowlist entries have no flags field. */
function flaglessRegex(reader: Reader, source: string, key: string): string {
  const ported = regex(reader, source, key);
  return ported.flags.includes("i") ? foldCase(ported.source) : ported.source;
}

/** Letters outside escapes and classes become `[aA]`: case-insensitive without a flag. */
function foldCase(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      out += c + (source[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (lower !== upper) out += inClass ? `${lower}${upper}` : `[${lower}${upper}]`;
    else out += c;
  }
  return out;
}

function readAllowlist(reader: Reader, table: unknown, where: string): SecretAllowlist {
  if (!isTable(table)) {
    throw configError(
      reader,
      where.slice(0, -1),
      `expected a table, found ${tomlType(table)}`,
      "write it as a [[…allowlists]] table",
    );
  }
  const keys = KEYS[reader.style];
  const list: {
    -readonly [K in keyof SecretAllowlist]: SecretAllowlist[K];
  } = {};
  const description = str(reader, table, "description", where);
  if (description !== undefined) list.description = description;
  const condition = str(reader, table, "condition", where);
  if (condition !== undefined) {
    const upper = condition.toUpperCase();
    if (upper !== "OR" && upper !== "AND") {
      throw configError(
        reader,
        `${where}condition`,
        `"${condition}" is neither "OR" nor "AND"`,
        'write "OR" (any part allows) or "AND" (all parts must)',
      );
    }
    list.condition = upper;
  }
  const regexes = strs(reader, table, "regexes", where);
  if (regexes !== undefined)
    list.regexes = regexes.map((r, i) => flaglessRegex(reader, r, `${where}regexes[${i}]`));
  const target = str(reader, table, keys.regexTarget, where);
  if (target !== undefined) {
    if (target !== "secret" && target !== "match" && target !== "line") {
      throw configError(
        reader,
        `${where}${keys.regexTarget}`,
        `"${target}" is not secret, match or line`,
        'write "secret" (default), "match" or "line"',
      );
    }
    list.regexTarget = target;
  }
  const paths = strs(reader, table, "paths", where);
  if (paths !== undefined) list.paths = paths.map((r, i) => flaglessRegex(reader, r, `${where}paths[${i}]`));
  const stopwords = strs(reader, table, "stopwords", where);
  if (stopwords !== undefined) list.stopwords = stopwords.map((w) => w.toLowerCase());
  const commits = strs(reader, table, "commits", where);
  if (commits !== undefined) list.commits = commits;
  const targetRules = strs(reader, table, keys.targetRules, where);
  if (targetRules !== undefined) list.targetRules = targetRules;
  return list;
}

/** `[[rules.allowlists]]` (gitleaks ≥ 8.21) and the older single `[rules.allowlist]`. */
function readAllowlists(reader: Reader, table: TomlTable, where: string): SecretAllowlist[] {
  const lists: SecretAllowlist[] = [];
  const many = get(table, "allowlists");
  if (many !== undefined) {
    if (!Array.isArray(many)) {
      throw configError(
        reader,
        `${where}allowlists`,
        `expected an array of tables, found ${tomlType(many)}`,
        "write [[…allowlists]] tables",
      );
    }
    many.forEach((a, i) => {
      lists.push(readAllowlist(reader, a, `${where}allowlists[${i}].`));
    });
  }
  const one = get(table, "allowlist");
  if (one !== undefined) lists.push(readAllowlist(reader, one, `${where}allowlist.`));
  return lists;
}

function readRule(reader: Reader, table: unknown, where: string): SecretRule {
  if (!isTable(table)) {
    throw configError(
      reader,
      where.slice(0, -1),
      `expected a table, found ${tomlType(table)}`,
      "write each rule as a [[rules]] table",
    );
  }
  const keys = KEYS[reader.style];
  const id = str(reader, table, "id", where);
  if (id === undefined || id.trim() === "") {
    throw configError(reader, `${where}id`, "a rule needs an id", 'add id = "my-token"');
  }
  const source = str(reader, table, "regex", where);
  const pathSource = str(reader, table, "path", where);
  if (source === undefined && pathSource === undefined) {
    throw configError(
      reader,
      `${where}regex`,
      `rule "${id}" has neither regex nor path`,
      "add a regex (or a path regex for a rule on file names)",
    );
  }
  const ported = source === undefined ? { source: "", flags: "" } : regex(reader, source, `${where}regex`);
  const rule: { -readonly [K in keyof SecretRule]: SecretRule[K] } = {
    id,
    description: str(reader, table, "description", where) ?? id,
    regex: ported.source,
    keywords: (strs(reader, table, "keywords", where) ?? []).map((k) => k.toLowerCase()),
    source: "user",
  };
  if (ported.flags !== "") rule.flags = ported.flags;
  if (pathSource !== undefined) rule.path = flaglessRegex(reader, pathSource, `${where}path`);
  const entropy = num(reader, table, "entropy", where);
  if (entropy !== undefined) rule.entropy = entropy;
  const group = num(reader, table, keys.secretGroup, where);
  if (group !== undefined) {
    const groups = new RegExp(`${ported.source}|`).exec("")!.length - 1;
    if (!Number.isInteger(group) || group > groups) {
      throw configError(
        reader,
        `${where}${keys.secretGroup}`,
        `the regex has ${groups} capture groups, not ${group}`,
        "name a capture group of the regex (1 is the first)",
      );
    }
    rule.secretGroup = group;
  }
  const allowlists = readAllowlists(reader, table, where);
  if (allowlists.length > 0) rule.allowlists = allowlists;
  return rule;
}

function readRuleConfig(reader: Reader, table: TomlTable, useDefault: boolean): RuleConfig {
  const rulesValue = get(table, "rules");
  const rules: SecretRule[] = [];
  if (rulesValue !== undefined) {
    if (!Array.isArray(rulesValue)) {
      throw configError(
        reader,
        "rules",
        `expected an array of tables, found ${tomlType(rulesValue)}`,
        "write each rule as a [[rules]] table",
      );
    }
    rulesValue.forEach((r, i) => {
      rules.push(readRule(reader, r, `rules[${i}].`));
    });
  }
  const seen = new Set<string>();
  for (const [i, r] of rules.entries()) {
    if (seen.has(r.id))
      throw configError(reader, `rules[${i}].id`, `"${r.id}" is defined twice`, "give each rule its own id");
    seen.add(r.id);
  }
  const allowlists = readAllowlists(reader, table, "");
  const disabledKey = reader.style === "gitleaks" ? "disabledRules" : "disabled-rules";
  return { rules, allowlists, disabledRules: strs(reader, table, disabledKey, "") ?? [], useDefault };
}

/**
 * A `.gitleaks.toml`: `[[rules]]` (id, description, regex, path, keywords, entropy, secretGroup,
 * `[[rules.allowlists]]`), the global `[allowlist]` / `[[allowlists]]` with `targetRules`, and
 * `[extend] useDefault` / `disabledRules`. `[extend] path` (another file) is not followed.
 */
export function parseGitleaksConfig(text: string, file = ".gitleaks.toml"): RuleConfig {
  const reader: Reader = { file, style: "gitleaks" };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      throw configError(
        reader,
        `line ${error.line}`,
        (error.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, ""),
        "fix the TOML syntax",
      );
    }
    throw error;
  }
  const table = doc as TomlTable;
  const extend = get(table, "extend");
  if (extend !== undefined && !isTable(extend)) {
    throw configError(
      reader,
      "extend",
      `expected a table, found ${tomlType(extend)}`,
      "write [extend] useDefault = true",
    );
  }
  const useDefault = extend !== undefined && get(extend, "useDefault") === true;
  const config = readRuleConfig(reader, table, useDefault);
  const disabled = extend === undefined ? undefined : strs(reader, extend, "disabledRules", "extend.");
  return disabled === undefined
    ? config
    : { ...config, disabledRules: [...config.disabledRules, ...disabled] };
}

/**
 * `[tool.slipway.scan]` of pyproject.toml: `[[tool.slipway.scan.rules]]` and
 * `[[tool.slipway.scan.allowlists]]` (kebab-case keys: `secret-group`, `regex-target`,
 * `target-rules`), `disabled-rules`. Extends slipway's table.
 */
export function readScanRuleConfig(scan: TomlTable | undefined): RuleConfig {
  if (scan === undefined) return { rules: [], allowlists: [], disabledRules: [], useDefault: true };
  return readRuleConfig({ file: "pyproject.toml [tool.slipway.scan]", style: "pyproject" }, scan, true);
}

/**
 * The rule table and global allowlists after the configurations, in order: a rule with an
 * existing id replaces it, disabled ids are dropped, allowlists are appended.
 */
export function assembleRuleSet(
  configs: readonly RuleConfig[],
  base: { rules: readonly SecretRule[]; allowlists: readonly SecretAllowlist[] } = {
    rules: SECRET_RULES,
    allowlists: [],
  },
): { rules: SecretRule[]; allowlists: SecretAllowlist[] } {
  let rules = [...base.rules];
  const allowlists = [...base.allowlists];
  for (const config of configs) {
    if (!config.useDefault) rules = rules.filter((r) => r.source === "user");
    for (const rule of config.rules) {
      const at = rules.findIndex((r) => r.id === rule.id);
      if (at >= 0) rules[at] = rule;
      else rules.push(rule);
    }
    rules = rules.filter((r) => !config.disabledRules.includes(r.id));
    for (const list of config.allowlists) allowlists.push(list);
  }
  return { rules, allowlists };
}
