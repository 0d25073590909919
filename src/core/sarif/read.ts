/**
 * SARIF 2.1.0 from other scanners (bandit, semgrep, CodeQL, …) as scan sections, so one report
 * and one gate cover them too. The file is hostile input: its size is bounded, the fields
 * slipway reads must have their SARIF types (an error names the file and the JSON path),
 * fields it does not read may be anything, and every string shown is cut to a line of
 * bounded length. Pure: the text comes in, sections come out.
 */
import { createHash } from "node:crypto";
import { SlipwayError } from "../../errors.ts";
import type { Finding, Severity } from "../findings.ts";
import type { ScanRule, ScanSection } from "../scan/report.ts";

/** A SARIF file larger than this is refused: CodeQL's biggest runs stay far below. */
export const MAX_SARIF_BYTES = 64 * 1024 * 1024;

const MAX_ID = 200;
const MAX_MESSAGE = 2000;
const MAX_PATH = 1000;

type Json = Record<string, unknown>;

/** The results SARIF calls a problem: `pass` and `notApplicable` report none. */
const NOT_PROBLEMS = new Set(["pass", "notApplicable"]);

const SEVERITY: Record<string, Severity> = { error: "error", warning: "warning", note: "info", none: "info" };

/**
 * One section per run of `text` (the SARIF file `fileName`): each result a Finding (its rule,
 * level as severity — error → error, warning → warning, note and none → info —, first location,
 * message), the rules it names with their help and `security-severity`, and a fingerprint from
 * the result's `partialFingerprints` (or `fingerprints`), else a hash of tool, rule, path and
 * message. Suppressed results, results whose baseline state is `absent`, and `pass` /
 * `notApplicable` results are left out. Throws a SlipwayError ("config") naming the file and
 * JSON path of what is wrong.
 */
export function sectionsFromSarif(text: string, fileName: string): ScanSection[] {
  const fail = (path: string, what: string): never => {
    throw new SlipwayError("config", `${fileName}: ${path}: ${what}`, {
      hint: "pass a SARIF 2.1.0 file as the scanner writes it (e.g. `bandit -f sarif`, `semgrep --sarif`)",
    });
  };
  if (text.length > MAX_SARIF_BYTES) fail("$", `larger than ${MAX_SARIF_BYTES / 1024 / 1024} MiB`);
  let root: unknown;
  try {
    root = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    fail("$", `not JSON (${(error as Error).message})`);
  }
  const log = object(root, "$", fail);
  if (log.version !== "2.1.0")
    fail("$.version", `SARIF version ${JSON.stringify(log.version ?? null)}; slipway reads 2.1.0`);
  const runs = array(log.runs, "$.runs", fail);
  return runs.map((run, i) => sectionOf(object(run, `$.runs[${i}]`, fail), `$.runs[${i}]`, fileName, fail));
}

type Fail = (path: string, what: string) => never;

interface Component {
  rules: unknown[];
  path: string;
}

/** The rules of a run's components, and the first rule of each id across them (one pass). */
interface RuleTable {
  components: Component[];
  byId: Map<string, Json>;
}

function ruleTable(components: Component[]): RuleTable {
  const byId = new Map<string, Json>();
  for (const component of components)
    for (const rule of component.rules)
      if (isObject(rule) && typeof rule.id === "string" && !byId.has(rule.id)) byId.set(rule.id, rule);
  return { components, byId };
}

function sectionOf(run: Json, at: string, fileName: string, fail: Fail): ScanSection {
  const tool = object(run.tool, `${at}.tool`, fail);
  const driver = object(tool.driver, `${at}.tool.driver`, fail);
  if (typeof driver.name !== "string" || driver.name.trim() === "")
    fail(`${at}.tool.driver.name`, "the tool has no name");
  const name = line(driver.name as string, 100);
  const version =
    optionalString(driver.semanticVersion, `${at}.tool.driver.semanticVersion`, fail) ??
    optionalString(driver.version, `${at}.tool.driver.version`, fail);
  const components: Component[] = [
    { rules: optionalArray(driver.rules, `${at}.tool.driver.rules`, fail), path: `${at}.tool.driver` },
  ];
  optionalArray(tool.extensions, `${at}.tool.extensions`, fail).forEach((ext, i) => {
    const path = `${at}.tool.extensions[${i}]`;
    const component = object(ext, path, fail);
    components.push({ rules: optionalArray(component.rules, `${path}.rules`, fail), path });
  });
  const table = ruleTable(components);
  const bases = isObject(run.originalUriBaseIds) ? run.originalUriBaseIds : {};
  const artifacts = Array.isArray(run.artifacts) ? run.artifacts : [];

  const findings: Finding[] = [];
  const keys: { own: string | undefined; fallback: string }[] = [];
  const rules = new Map<string, ScanRule>();
  optionalArray(run.results, `${at}.results`, fail).forEach((value, r) => {
    const path = `${at}.results[${r}]`;
    const result = object(value, path, fail);
    if (typeof result.kind === "string" && NOT_PROBLEMS.has(result.kind)) return;
    if (result.baselineState === "absent") return;
    if (suppressed(result.suppressions, `${path}.suppressions`, fail)) return;
    const rule = ruleOf(result, table, path, fail);
    const ruleId = line(
      optionalString(result.ruleId, `${path}.ruleId`, fail) ??
        (rule !== undefined && typeof rule.id === "string" ? rule.id : "(no rule)"),
      MAX_ID,
    );
    const level =
      result.level ??
      levelOf(rule) ??
      (result.kind === undefined || result.kind === "fail" ? "warning" : "none");
    if (typeof level !== "string" || !(level in SEVERITY))
      fail(`${path}.level`, `${JSON.stringify(level)} is not one of none, note, warning, error`);
    const message = line(messageOf(result.message, rule, `${path}.message`, fail), MAX_MESSAGE);
    const location = locationOf(result.locations, bases, artifacts, `${path}.locations`, fail) ?? {
      file: fileName,
    };
    if (!rules.has(ruleId))
      rules.set(
        ruleId,
        rule === undefined ? { id: ruleId, description: ruleId, help: "" } : scanRuleOf(rule, ruleId),
      );
    const known = rules.get(ruleId) as ScanRule;
    findings.push({
      id: ruleId,
      severity: SEVERITY[level as string] as Severity,
      message,
      hint:
        known.helpUri !== undefined
          ? `${name} rule ${ruleId}: see ${known.helpUri}`
          : known.help !== ""
            ? line(known.help, 300)
            : `${name} rule ${ruleId}: see the tool's documentation`,
      location,
    });
    keys.push({
      own: ownFingerprint(result),
      fallback: createHash("sha256")
        .update(`${name}\0${ruleId}\0${location.file}\0${message}`, "utf8")
        .digest("hex"),
    });
  });
  const fingerprints = disambiguate(keys);
  return {
    scanner: name,
    ...(version === undefined ? {} : { version: line(version, 100) }),
    findings,
    fingerprints,
    rules: [...rules.values()],
    failed: findings.some((f) => f.severity === "error"),
  };
}

/** A suppression without a status, or `accepted`, hides the result (SARIF §3.35.3). */
function suppressed(value: unknown, path: string, fail: Fail): boolean {
  return optionalArray(value, path, fail).some(
    (s) => isObject(s) && (s.status === undefined || s.status === "accepted"),
  );
}

/** The rule a result names: by `rule.toolComponent.index` and index, by `ruleIndex`, or by id. */
function ruleOf(result: Json, table: RuleTable, path: string, fail: Fail): Json | undefined {
  const ref = isObject(result.rule) ? result.rule : undefined;
  const componentIndex =
    ref !== undefined && isObject(ref.toolComponent) && typeof ref.toolComponent.index === "number"
      ? ref.toolComponent.index + 1
      : 0;
  const index = typeof ref?.index === "number" ? ref.index : result.ruleIndex;
  if (index !== undefined && index !== -1) {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0)
      fail(`${path}.ruleIndex`, `${JSON.stringify(index)} is not a rule index`);
    const rule = table.components[componentIndex]?.rules[index as number];
    if (isObject(rule)) return rule;
  }
  const id =
    typeof result.ruleId === "string" ? result.ruleId : typeof ref?.id === "string" ? ref.id : undefined;
  return id === undefined ? undefined : table.byId.get(id);
}

function levelOf(rule: Json | undefined): unknown {
  const config =
    rule !== undefined && isObject(rule.defaultConfiguration) ? rule.defaultConfiguration : undefined;
  return config?.level;
}

/** `message.text`, or the rule's message string `message.id` with its `{0}` arguments filled in. */
function messageOf(value: unknown, rule: Json | undefined, path: string, fail: Fail): string {
  const message = object(value, path, fail);
  if (typeof message.text === "string") return message.text;
  if (typeof message.id === "string" && rule !== undefined && isObject(rule.messageStrings)) {
    const template = rule.messageStrings[message.id];
    if (isObject(template) && typeof template.text === "string") {
      const args = Array.isArray(message.arguments) ? message.arguments : [];
      return template.text.replace(/\{(\d+)\}/g, (whole, n: string) => {
        const arg = args[Number(n)];
        return typeof arg === "string" ? arg : whole;
      });
    }
  }
  return fail(path, 'a message needs "text" (or an "id" the rule\'s messageStrings define)');
}

function locationOf(
  value: unknown,
  bases: Json,
  artifacts: readonly unknown[],
  path: string,
  fail: Fail,
): Finding["location"] | undefined {
  const locations = optionalArray(value, path, fail);
  const first = locations[0];
  if (first === undefined) return undefined;
  const location = object(first, `${path}[0]`, fail);
  if (location.physicalLocation === undefined) return undefined;
  const physical = object(location.physicalLocation, `${path}[0].physicalLocation`, fail);
  let artifact = isObject(physical.artifactLocation) ? physical.artifactLocation : undefined;
  if (artifact !== undefined && artifact.uri === undefined && typeof artifact.index === "number") {
    const listed = artifacts[artifact.index];
    if (isObject(listed) && isObject(listed.location)) artifact = listed.location;
  }
  const uri = optionalString(artifact?.uri, `${path}[0].physicalLocation.artifactLocation.uri`, fail);
  if (uri === undefined) return undefined;
  const file = line(pathOf(uri, artifact?.uriBaseId, bases), MAX_PATH);
  const region = isObject(physical.region) ? physical.region : undefined;
  const start = region?.startLine;
  return typeof start === "number" && Number.isInteger(start) && start >= 1
    ? { file, line: start }
    : { file };
}

/**
 * A URI as a path: `file:` URIs and percent-encoding decoded; a relative one prefixed with its
 * base when the log defines that base as a relative URI (an absolute base is the checkout
 * itself, so the path stays relative to the repository, as GitHub shows it).
 */
function pathOf(uri: string, baseId: unknown, bases: Json): string {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (/^file:/i.test(uri)) return decode(uri.replace(/^file:(\/\/[^/]*)?/i, ""));
  let path = decode(uri);
  const base = typeof baseId === "string" ? bases[baseId] : undefined;
  if (isObject(base) && typeof base.uri === "string" && !/^[a-z][a-z0-9+.-]*:/i.test(base.uri)) {
    path = `${decode(base.uri).replace(/\/?$/, "/")}${path}`;
  }
  return path.replace(/^\.\//, "");
}

function scanRuleOf(rule: Json, id: string): ScanRule {
  const text = (value: unknown) =>
    isObject(value) && typeof value.text === "string" ? value.text : undefined;
  const description =
    text(rule.shortDescription) ??
    (typeof rule.name === "string" ? rule.name : undefined) ??
    text(rule.fullDescription) ??
    id;
  const help = text(rule.help) ?? text(rule.fullDescription) ?? "";
  const out: ScanRule = { id, description: line(description, 1024), help: clipText(help, 4000) };
  if (
    typeof rule.helpUri === "string" &&
    /^https?:\/\/\S+$/i.test(rule.helpUri) &&
    rule.helpUri.length <= MAX_PATH
  )
    out.helpUri = rule.helpUri;
  const props = isObject(rule.properties) ? rule.properties : {};
  const severity = Number(props["security-severity"]);
  if (
    props["security-severity"] !== undefined &&
    Number.isFinite(severity) &&
    severity >= 0 &&
    severity <= 10
  )
    out.securitySeverity = severity;
  return out;
}

/** The result's own fingerprints (sorted `key=value` pairs of `partialFingerprints`, else `fingerprints`). */
function ownFingerprint(result: Json): string | undefined {
  for (const key of ["partialFingerprints", "fingerprints"]) {
    const value = result[key];
    if (!isObject(value)) continue;
    const pairs = Object.entries(value)
      .filter((entry): entry is [string, string] => typeof entry[1] === "string")
      .map(([k, v]) => `${line(k, 100)}=${line(v, 200)}`)
      .sort();
    if (pairs.length > 0) return pairs.join(";");
  }
  return undefined;
}

/**
 * One fingerprint per result: its own when no other result of the run has the same (semgrep
 * writes the placeholder "requires login" on every result), else the hash of tool, rule, path
 * and message; a key still shared is numbered by occurrence, as GitHub numbers its line hashes.
 */
function disambiguate(keys: readonly { own: string | undefined; fallback: string }[]): string[] {
  const ownCount = new Map<string, number>();
  for (const { own } of keys) if (own !== undefined) ownCount.set(own, (ownCount.get(own) ?? 0) + 1);
  const chosen = keys.map(({ own, fallback }) =>
    own !== undefined && ownCount.get(own) === 1 ? own : fallback,
  );
  const total = new Map<string, number>();
  for (const key of chosen) total.set(key, (total.get(key) ?? 0) + 1);
  const seen = new Map<string, number>();
  return chosen.map((key) => {
    if (total.get(key) === 1) return key;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return `${key}:${n}`;
  });
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string, fail: Fail): Json {
  if (!isObject(value)) fail(path, `expected an object, found ${kindOf(value)}`);
  return value as Json;
}

function array(value: unknown, path: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) fail(path, `expected an array, found ${kindOf(value)}`);
  return value as unknown[];
}

function optionalArray(value: unknown, path: string, fail: Fail): unknown[] {
  return value === undefined || value === null ? [] : array(value, path, fail);
}

function optionalString(value: unknown, path: string, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(path, `expected a string, found ${kindOf(value)}`);
  return value as string;
}

function kindOf(value: unknown): string {
  return value === undefined
    ? "nothing"
    : value === null
      ? "null"
      : Array.isArray(value)
        ? "an array"
        : typeof value === "object"
          ? "an object"
          : `a ${typeof value}`;
}

/** One line of at most `max` characters, control characters gone. */
function line(text: string, max: number): string {
  return clipText(text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim(), max);
}

function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
