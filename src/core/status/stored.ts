/**
 * SecurityStatus documents, their history file and saved `slipway scan --json` documents, read
 * as hostile input: strict shapes, errors that name the file, the line (for the history) and the
 * JSON path, and bounds on what is read. What comes out is rebuilt with the document's key order,
 * so a document read and written again is byte-identical. Pure.
 */
import { SlipwayError } from "../../errors.ts";
import type { ScanRule } from "../scan/report.ts";
import { MAX_MESSAGE, orderedFinding, orderedScanner } from "./build.ts";
import {
  type Grade,
  type LevelCounts,
  type SecurityStatus,
  STATUS_LEVELS,
  type StatusFinding,
  type StatusLevel,
  type StatusScanner,
} from "./document.ts";
import type { ScanDocFinding, ScanDocIgnored, ScanDocSection, ScanDocVuln } from "./levels.ts";

export const STATUS_SCHEMA = 1;
/** A document (or a saved scan) larger than this is refused. */
export const MAX_STATUS_BYTES = 64 * 1024 * 1024;
/** A history file larger than this is refused (90 documents of a large project fit many times). */
export const MAX_HISTORY_BYTES = 256 * 1024 * 1024;
/** Names, ids, paths, fingerprints: generous, but bounded. */
const MAX_TEXT = 16 * 1024;

type Json = unknown;

class Shape extends Error {}

function fail(path: string, what: string): never {
  throw new Shape(`${path}: ${what}`);
}

function obj(v: Json, path: string): Record<string, Json> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "not an object");
  return v as Record<string, Json>;
}

function arr(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) fail(path, "not an array");
  return v;
}

function str(v: Json, path: string, max = MAX_TEXT): string {
  if (typeof v !== "string") fail(path, "not a string");
  if (v.length > max) fail(path, `longer than ${max} characters`);
  return v;
}

function optStr(v: Json, path: string): string | undefined {
  return v === undefined ? undefined : str(v, path);
}

function strOrNull(v: Json, path: string): string | null {
  return v === null ? null : str(v, path);
}

function count(v: Json, path: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) fail(path, "not a whole number ≥ 0");
  return v;
}

function oneOf<T extends string>(v: Json, path: string, allowed: readonly T[]): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v))
    fail(path, `not one of ${allowed.join(", ")}`);
  return v as T;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const GRADES: readonly Grade[] = ["A", "B", "C", "D", "E", "F"];
const VERDICTS = ["error", "warning", "info"] as const;

function date(v: Json, path: string): string {
  const s = str(v, path);
  if (!DATE.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`))) fail(path, "not a YYYY-MM-DD date");
  return s;
}

function noExtra(o: Record<string, Json>, path: string, keys: readonly string[]): void {
  for (const key of Object.keys(o))
    if (!keys.includes(key)) fail(`${path}.${key}`, "not a field of schema 1");
}

function counts(v: Json, path: string): LevelCounts {
  const o = obj(v, path);
  noExtra(o, path, STATUS_LEVELS);
  const out = {} as LevelCounts;
  for (const level of STATUS_LEVELS) out[level] = count(o[level], `${path}.${level}`);
  return out;
}

const FINDING_KEYS = [
  "fingerprint",
  "source",
  "id",
  "aliases",
  "level",
  "severity",
  "message",
  "location",
  "firstSeen",
  "url",
  "package",
  "fixedIn",
  "ignored",
];

function finding(v: Json, path: string): StatusFinding {
  const o = obj(v, path);
  noExtra(o, path, FINDING_KEYS);
  const loc = obj(o["location"], `${path}.location`);
  noExtra(loc, `${path}.location`, ["file", "line"]);
  const f: StatusFinding = {
    fingerprint: str(o["fingerprint"], `${path}.fingerprint`),
    source: str(o["source"], `${path}.source`),
    id: str(o["id"], `${path}.id`),
    level: oneOf<StatusLevel>(o["level"], `${path}.level`, STATUS_LEVELS),
    severity: oneOf(o["severity"], `${path}.severity`, VERDICTS),
    message: str(o["message"], `${path}.message`, MAX_MESSAGE),
    location: {
      file: str(loc["file"], `${path}.location.file`),
      ...(loc["line"] === undefined ? {} : { line: count(loc["line"], `${path}.location.line`) }),
    },
    firstSeen: date(o["firstSeen"], `${path}.firstSeen`),
  };
  if (o["aliases"] !== undefined)
    f.aliases = arr(o["aliases"], `${path}.aliases`).map((a, i) => str(a, `${path}.aliases[${i}]`));
  const url = optStr(o["url"], `${path}.url`);
  // A page reads it as a link: never a javascript: or data: URL.
  if (url !== undefined && !/^https?:\/\//i.test(url)) fail(`${path}.url`, "not an http(s) URL");
  if (url !== undefined) f.url = url;
  if (o["package"] !== undefined) {
    const p = obj(o["package"], `${path}.package`);
    noExtra(p, `${path}.package`, ["name", "version", "runtime"]);
    if (typeof p["runtime"] !== "boolean") fail(`${path}.package.runtime`, "not true or false");
    f.package = {
      name: str(p["name"], `${path}.package.name`),
      version: str(p["version"], `${path}.package.version`),
      runtime: p["runtime"],
    };
  }
  if (o["fixedIn"] !== undefined) f.fixedIn = strOrNull(o["fixedIn"], `${path}.fixedIn`);
  if (o["ignored"] !== undefined) {
    const g = obj(o["ignored"], `${path}.ignored`);
    noExtra(g, `${path}.ignored`, ["reason", "expires"]);
    f.ignored = {
      reason: str(g["reason"], `${path}.ignored.reason`),
      expires: date(g["expires"], `${path}.ignored.expires`),
    };
  }
  return orderedFinding(f);
}

function scanner(v: Json, path: string): StatusScanner {
  const o = obj(v, path);
  noExtra(o, path, ["name", "version", "database", "skipped"]);
  const version = optStr(o["version"], `${path}.version`);
  const database = optStr(o["database"], `${path}.database`);
  const skipped = optStr(o["skipped"], `${path}.skipped`);
  return orderedScanner({
    name: str(o["name"], `${path}.name`),
    ...(version === undefined ? {} : { version }),
    ...(database === undefined ? {} : { database }),
    ...(skipped === undefined ? {} : { skipped }),
  });
}

const TOP_KEYS = [
  "schema",
  "project",
  "commit",
  "generatedAt",
  "grade",
  "daysSinceHighOrCritical",
  "counts",
  "findings",
  "scanners",
];

/** A parsed JSON value checked as a SecurityStatus of schema 1; errors are `$.path: what`. */
function statusOf(v: Json): SecurityStatus {
  const o = obj(v, "$");
  if (o["schema"] !== STATUS_SCHEMA) {
    const said = typeof o["schema"] === "number" ? `schema ${o["schema"]}` : "no schema number";
    throw new Shape(`$.schema: ${said}; this slipway reads SecurityStatus schema ${STATUS_SCHEMA}`);
  }
  noExtra(o, "$", TOP_KEYS);
  const p = obj(o["project"], "$.project");
  noExtra(p, "$.project", ["name", "version", "sourceVersion"]);
  const generatedAt = str(o["generatedAt"], "$.generatedAt");
  if (!DATETIME.test(generatedAt) || Number.isNaN(Date.parse(generatedAt)))
    fail("$.generatedAt", "not an ISO 8601 UTC time");
  const days = o["daysSinceHighOrCritical"];
  const c = obj(o["counts"], "$.counts");
  noExtra(c, "$.counts", ["total", "bySource"]);
  const by = obj(c["bySource"], "$.counts.bySource");
  const bySource: Record<string, LevelCounts> = {};
  for (const [k, n] of Object.entries(by)) bySource[k] = counts(n, `$.counts.bySource[${JSON.stringify(k)}]`);
  return {
    schema: 1,
    project: {
      name: str(p["name"], "$.project.name"),
      version: strOrNull(p["version"], "$.project.version"),
      sourceVersion: strOrNull(p["sourceVersion"], "$.project.sourceVersion"),
    },
    commit: strOrNull(o["commit"], "$.commit"),
    generatedAt,
    grade: oneOf(o["grade"], "$.grade", GRADES),
    daysSinceHighOrCritical: days === null ? null : count(days, "$.daysSinceHighOrCritical"),
    counts: { total: counts(c["total"], "$.counts.total"), bySource },
    findings: arr(o["findings"], "$.findings").map((f, i) => finding(f, `$.findings[${i}]`)),
    scanners: arr(o["scanners"], "$.scanners").map((s, i) => scanner(s, `$.scanners[${i}]`)),
  };
}

function parseJson(text: string, where: string): Json {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SlipwayError("config", `${where} is not JSON: ${(error as Error).message}`, {
      hint: "it must be a document written by slipway status",
    });
  }
}

/**
 * A SecurityStatus read from `fileName`'s text: strict (unknown fields are errors), another
 * schema version an error that says which one this slipway reads.
 */
export function parseSecurityStatus(text: string, fileName: string): SecurityStatus {
  if (text.length > MAX_STATUS_BYTES)
    throw new SlipwayError("config", `${fileName}: larger than ${MAX_STATUS_BYTES} bytes`, {
      hint: "a SecurityStatus document is far smaller; is it the right file?",
    });
  const value = parseJson(text.replace(/^\uFEFF/, ""), fileName);
  try {
    return statusOf(value);
  } catch (error) {
    if (!(error instanceof Shape)) throw error;
    throw new SlipwayError("config", `${fileName}: not a SecurityStatus document: ${error.message}`, {
      hint: "write it again with this slipway's `slipway status`",
    });
  }
}

/**
 * The history file: one SecurityStatus per line (JSON lines), oldest first. A blank line, a line
 * that is not a document, or a document of another schema is an error naming the line.
 */
export function parseHistory(text: string, fileName: string): SecurityStatus[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line, i) => {
    const where = `${fileName} line ${i + 1}`;
    let value: Json;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new SlipwayError("config", `${where} is not JSON: ${(error as Error).message}`, {
        hint: "the history is one `slipway status` document per line; restore the file or start a new one",
      });
    }
    try {
      return statusOf(value);
    } catch (error) {
      if (!(error instanceof Shape)) throw error;
      throw new SlipwayError("config", `${where}: not a SecurityStatus document: ${error.message}`, {
        hint: "the history is one `slipway status` document per line; restore the file or start a new one",
      });
    }
  });
}

/** The history file's text: one compact document per line. */
export function renderHistory(documents: readonly SecurityStatus[]): string {
  return documents.map((d) => `${JSON.stringify(d)}\n`).join("");
}

export interface ScanDocument {
  exit: number;
  sections: ScanDocSection[];
}

function scanFinding(v: Json, path: string): ScanDocFinding {
  const o = obj(v, path);
  const loc = obj(o["location"], `${path}.location`);
  const line = loc["line"];
  return {
    id: str(o["id"], `${path}.id`),
    severity: oneOf(o["severity"], `${path}.severity`, VERDICTS),
    message: str(o["message"], `${path}.message`, 64 * 1024),
    location: {
      file: str(loc["file"], `${path}.location.file`),
      ...(line === undefined ? {} : { line: count(line, `${path}.location.line`) }),
    },
    fingerprint: str(o["fingerprint"], `${path}.fingerprint`),
  };
}

function scanRule(v: Json, path: string): ScanRule {
  const o = obj(v, path);
  const helpUri = optStr(o["helpUri"], `${path}.helpUri`);
  const score = o["securitySeverity"];
  if (score !== undefined && (typeof score !== "number" || !Number.isFinite(score)))
    fail(`${path}.securitySeverity`, "not a number");
  return {
    id: str(o["id"], `${path}.id`),
    description: "",
    help: "",
    ...(helpUri === undefined ? {} : { helpUri }),
    ...(score === undefined ? {} : { securitySeverity: score }),
  };
}

function vuln(v: Json, path: string): ScanDocVuln {
  const o = obj(v, path);
  const fixedIn = optStr(o["fixedIn"], `${path}.fixedIn`);
  const url = optStr(o["url"], `${path}.url`);
  return {
    id: str(o["id"], `${path}.id`),
    ids: arr(o["ids"], `${path}.ids`).map((a, i) => str(a, `${path}.ids[${i}]`)),
    name: str(o["name"], `${path}.name`),
    version: str(o["version"], `${path}.version`),
    level: str(o["level"], `${path}.level`, 20),
    file: str(o["file"], `${path}.file`),
    ...(fixedIn === undefined ? {} : { fixedIn }),
    ...(url === undefined ? {} : { url }),
  };
}

function ignoredRow(v: Json, path: string): ScanDocIgnored {
  const o = obj(v, path);
  const file = optStr(o["file"], `${path}.file`);
  const level = optStr(o["level"], `${path}.level`);
  const fixedIn = optStr(o["fixedIn"], `${path}.fixedIn`);
  return {
    id: str(o["id"], `${path}.id`),
    name: str(o["name"], `${path}.name`),
    version: str(o["version"], `${path}.version`),
    reason: str(o["reason"], `${path}.reason`),
    expires: date(o["expires"], `${path}.expires`),
    ...(file === undefined ? {} : { file }),
    ...(level === undefined ? {} : { level }),
    ...(fixedIn === undefined ? {} : { fixedIn }),
  };
}

function scanSection(v: Json, path: string): ScanDocSection {
  const o = obj(v, path);
  const version = optStr(o["version"], `${path}.version`);
  const section: ScanDocSection = {
    scanner: str(o["scanner"], `${path}.scanner`),
    ...(version === undefined ? {} : { version }),
    findings: arr(o["findings"], `${path}.findings`).map((f, i) => scanFinding(f, `${path}.findings[${i}]`)),
    rules: arr(o["rules"], `${path}.rules`).map((r, i) => scanRule(r, `${path}.rules[${i}]`)),
  };
  if (o["vulnerabilities"] !== undefined)
    section.vulnerabilities = arr(o["vulnerabilities"], `${path}.vulnerabilities`).map((r, i) =>
      vuln(r, `${path}.vulnerabilities[${i}]`),
    );
  if (o["ignored"] !== undefined)
    section.ignored = arr(o["ignored"], `${path}.ignored`).map((r, i) =>
      ignoredRow(r, `${path}.ignored[${i}]`),
    );
  return section;
}

/** A saved `slipway scan --json` document (hostile): its exit status and sections. */
export function parseScanDocument(text: string, fileName: string): ScanDocument {
  const value = parseJson(text.replace(/^\uFEFF/, ""), fileName);
  try {
    const o = obj(value, "$");
    if (o["type"] === "error")
      fail(
        "$",
        `the scan did not run (${typeof o["message"] === "string" ? o["message"].slice(0, 200) : "an error"})`,
      );
    const exit = o["exit"];
    if (exit !== 0 && exit !== 1 && exit !== 3) fail("$.exit", "not 0, 1 or 3");
    return {
      exit,
      sections: arr(o["sections"], "$.sections").map((s, i) => scanSection(s, `$.sections[${i}]`)),
    };
  } catch (error) {
    if (!(error instanceof Shape)) throw error;
    throw new SlipwayError(
      "config",
      `${fileName}: not a \`slipway scan --json\` document: ${error.message}`,
      {
        hint: "save the output of `slipway scan --json` (the whole document) and pass that file",
      },
    );
  }
}
