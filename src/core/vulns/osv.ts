/**
 * OSV records (ossf/osv-schema 1.x), from the PyPA advisory database's YAML or OSV's JSON (the same
 * schema), checked into a typed shape. Input is hostile: anything unexpected is an error that names
 * the field, never a throw. Fields that do not change which versions are affected or how a finding
 * reads (references, credits, details) are dropped.
 */
import { normalizeName } from "../names/name.ts";
import { fail, ok, type Parsed } from "../result.ts";

export type OsvEventKind = "introduced" | "fixed" | "last_affected" | "limit";

export interface OsvEvent {
  kind: OsvEventKind;
  version: string;
}

export interface OsvRange {
  /** ECOSYSTEM, SEMVER or GIT; only ECOSYSTEM is evaluated for PyPI. */
  type: string;
  events: OsvEvent[];
}

export interface OsvSeverity {
  /** CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, ... */
  type: string;
  score: string;
}

export interface OsvAffected {
  ecosystem: string;
  /** PEP 503-normalized when the ecosystem is PyPI; as given otherwise. */
  name: string;
  ranges: OsvRange[];
  versions: string[];
  severity: OsvSeverity[];
  /** `ecosystem_specific.severity` or `database_specific.severity` of this entry, when a string. */
  databaseSeverity?: string;
}

export interface OsvRecord {
  id: string;
  modified: string;
  aliases: string[];
  /** `summary`, else the first line of `details` (at most 200 characters); details are not kept. */
  summary?: string;
  withdrawn?: string;
  severity: OsvSeverity[];
  /** The record's `database_specific.severity` (GHSA's "HIGH", "MODERATE"...), when a string. */
  databaseSeverity?: string;
  affected: OsvAffected[];
}

const MAX_TEXT = 64 * 1024;
const EVENT_KINDS: readonly OsvEventKind[] = ["introduced", "fixed", "last_affected", "limit"];

/**
 * Parses one JSON record from its text (OSV's feed). YAML records are parsed by osv-yaml.ts,
 * kept apart so a warm scan, which reads only the cached index, never loads a YAML parser.
 */
export function parseOsvJson(text: string): Parsed<OsvRecord> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON: ${firstMessageLine(error)}`);
  }
  return osvRecordFrom(value);
}

/** The first line of an error's message. */
export function firstMessageLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** YAML reads unquoted `2.0` as a number and `2020-01-01` as text; versions and dates are text. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value.length <= MAX_TEXT ? value : undefined;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function optionalText(
  record: Record<string, unknown>,
  key: string,
  where: string,
): Parsed<string | undefined> {
  const value = record[key];
  if (value === undefined || value === null) return ok(undefined);
  if (value instanceof Date) return ok(value.toISOString());
  const text = scalarText(value);
  return text === undefined ? fail(`${where}${key} is not a string`) : ok(text);
}

function textList(value: unknown, where: string): Parsed<string[]> {
  if (value === undefined || value === null) return ok([]);
  if (!Array.isArray(value)) return fail(`${where} is not a list`);
  const out: string[] = [];
  for (const [i, item] of value.entries()) {
    const text = scalarText(item);
    if (text === undefined) return fail(`${where}[${i}] is not a string`);
    out.push(text);
  }
  return ok(out);
}

function severityList(value: unknown, where: string): Parsed<OsvSeverity[]> {
  if (value === undefined || value === null) return ok([]);
  if (!Array.isArray(value)) return fail(`${where} is not a list`);
  const out: OsvSeverity[] = [];
  for (const [i, item] of value.entries()) {
    if (!isObject(item) || typeof item["type"] !== "string" || typeof item["score"] !== "string") {
      return fail(`${where}[${i}] needs a string type and score`);
    }
    out.push({ type: item["type"], score: item["score"] });
  }
  return ok(out);
}

function severityWord(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const word = value["severity"];
  return typeof word === "string" && word.length <= 64 ? word : undefined;
}

function rangeFrom(value: unknown, where: string): Parsed<OsvRange> {
  if (!isObject(value)) return fail(`${where} is not a mapping`);
  const type = value["type"];
  if (typeof type !== "string") return fail(`${where}.type is not a string`);
  const events = value["events"];
  if (!Array.isArray(events) || events.length === 0) return fail(`${where}.events is not a non-empty list`);
  const out: OsvEvent[] = [];
  for (const [i, event] of events.entries()) {
    const keys = isObject(event) ? Object.keys(event) : [];
    const kind = keys[0] as OsvEventKind | undefined;
    if (keys.length !== 1 || kind === undefined || !EVENT_KINDS.includes(kind)) {
      return fail(`${where}.events[${i}] must have exactly one of ${EVENT_KINDS.join(", ")}`);
    }
    const version = scalarText((event as Record<string, unknown>)[kind]);
    if (version === undefined) return fail(`${where}.events[${i}].${kind} is not a string`);
    out.push({ kind, version });
  }
  if (!out.some((event) => event.kind === "introduced")) return fail(`${where} has no introduced event`);
  return ok({ type, events: out });
}

function affectedFrom(value: unknown, where: string): Parsed<OsvAffected> {
  if (!isObject(value)) return fail(`${where} is not a mapping`);
  const pkg = value["package"];
  if (!isObject(pkg) || typeof pkg["ecosystem"] !== "string" || typeof pkg["name"] !== "string") {
    return fail(`${where}.package needs a string ecosystem and name`);
  }
  const ecosystem = pkg["ecosystem"];
  const name = ecosystem === "PyPI" ? normalizeName(pkg["name"]) : pkg["name"];
  const rawRanges = value["ranges"] ?? [];
  if (!Array.isArray(rawRanges)) return fail(`${where}.ranges is not a list`);
  const ranges: OsvRange[] = [];
  for (const [i, raw] of rawRanges.entries()) {
    const range = rangeFrom(raw, `${where}.ranges[${i}]`);
    if (!range.ok) return range;
    ranges.push(range.value);
  }
  const versions = textList(value["versions"], `${where}.versions`);
  if (!versions.ok) return versions;
  const severity = severityList(value["severity"], `${where}.severity`);
  if (!severity.ok) return severity;
  const databaseSeverity =
    severityWord(value["ecosystem_specific"]) ?? severityWord(value["database_specific"]);
  return ok({
    ecosystem,
    name,
    ranges,
    versions: versions.value,
    severity: severity.value,
    ...(databaseSeverity !== undefined && { databaseSeverity }),
  });
}

function firstLine(text: string | undefined): string | undefined {
  const line = text?.trim().split("\n")[0]?.trim();
  if (!line) return undefined;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Checks an already-decoded value (a YAML/JSON document, or an index entry read back). */
export function osvRecordFrom(value: unknown): Parsed<OsvRecord> {
  if (!isObject(value)) return fail("the record is not a mapping");
  const id = value["id"];
  if (typeof id !== "string" || id === "" || id.length > 256) return fail("id is missing or not a string");
  const at = `${id}: `;
  const schema = optionalText(value, "schema_version", at);
  if (!schema.ok) return schema;
  if (schema.value !== undefined && !/^1(\.|$)/.test(schema.value)) {
    return fail(`${at}schema_version ${schema.value} is not 1.x`);
  }
  const modified = optionalText(value, "modified", at);
  if (!modified.ok) return modified;
  if (modified.value === undefined) return fail(`${at}modified is missing`);
  const texts: Record<"summary" | "details" | "withdrawn", string | undefined> = {
    summary: undefined,
    details: undefined,
    withdrawn: undefined,
  };
  for (const key of ["summary", "details", "withdrawn"] as const) {
    const text = optionalText(value, key, at);
    if (!text.ok) return text;
    texts[key] = text.value;
  }
  const aliases = textList(value["aliases"], `${at}aliases`);
  if (!aliases.ok) return aliases;
  const severity = severityList(value["severity"], `${at}severity`);
  if (!severity.ok) return severity;
  const rawAffected = value["affected"] ?? [];
  if (!Array.isArray(rawAffected)) return fail(`${at}affected is not a list`);
  const affected: OsvAffected[] = [];
  for (const [i, raw] of rawAffected.entries()) {
    const entry = affectedFrom(raw, `${at}affected[${i}]`);
    if (!entry.ok) return entry;
    affected.push(entry.value);
  }
  const databaseSeverity = severityWord(value["database_specific"]);
  const summary = texts.summary?.trim() || firstLine(texts.details);
  return ok({
    id,
    modified: modified.value,
    aliases: aliases.value,
    ...(summary !== undefined && { summary }),
    ...(texts.withdrawn !== undefined && { withdrawn: texts.withdrawn }),
    severity: severity.value,
    ...(databaseSeverity !== undefined && { databaseSeverity }),
    affected,
  });
}

/**
 * The record back in OSV's own JSON shape, trimmed to what matching and reporting use (details
 * dropped), e.g. to hand a record to another OSV tool. (The index caches the typed shape itself,
 * checked back with `isOsvRecord`.)
 */
export function compactRecord(record: OsvRecord): Record<string, unknown> {
  return {
    id: record.id,
    modified: record.modified,
    ...(record.aliases.length > 0 && { aliases: record.aliases }),
    ...(record.summary !== undefined && { summary: record.summary }),
    ...(record.withdrawn !== undefined && { withdrawn: record.withdrawn }),
    ...(record.severity.length > 0 && { severity: record.severity }),
    ...(record.databaseSeverity !== undefined && {
      database_specific: { severity: record.databaseSeverity },
    }),
    affected: record.affected.map((entry) => ({
      package: { ecosystem: entry.ecosystem, name: entry.name },
      ...(entry.ranges.length > 0 && {
        ranges: entry.ranges.map((range) => ({
          type: range.type,
          events: range.events.map((event) => ({ [event.kind]: event.version })),
        })),
      }),
      ...(entry.versions.length > 0 && { versions: entry.versions }),
      ...(entry.severity.length > 0 && { severity: entry.severity }),
      ...(entry.databaseSeverity !== undefined && {
        ecosystem_specific: { severity: entry.databaseSeverity },
      }),
    })),
  };
}

const isStr = (v: unknown): v is string => typeof v === "string" && v.length <= MAX_TEXT;
const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isSeverityList = (v: unknown): v is OsvSeverity[] =>
  Array.isArray(v) && v.every((s) => isObject(s) && isStr(s["type"]) && isStr(s["score"]));
const optionalStr = (o: Record<string, unknown>, key: string) => o[key] === undefined || isStr(o[key]);

function isEvent(v: unknown): v is OsvEvent {
  return isObject(v) && EVENT_KINDS.includes(v["kind"] as OsvEventKind) && isStr(v["version"]);
}

function isAffected(v: unknown): v is OsvAffected {
  if (!isObject(v) || !isStr(v["ecosystem"]) || !isStr(v["name"])) return false;
  if (v["ecosystem"] === "PyPI" && normalizeName(v["name"]) !== v["name"]) return false;
  const ranges = v["ranges"];
  if (!Array.isArray(ranges)) return false;
  for (const range of ranges) {
    if (!isObject(range) || !isStr(range["type"])) return false;
    const events = range["events"];
    if (!Array.isArray(events) || events.length === 0 || !events.every(isEvent)) return false;
  }
  return isStrList(v["versions"]) && isSeverityList(v["severity"]) && optionalStr(v, "databaseSeverity");
}

/**
 * Whether a decoded value already has the typed shape of an OsvRecord (what the index stores):
 * checked in place, without copying, so reading a cached index back costs little more than
 * JSON.parse while a planted or damaged one is still refused.
 */
export function isOsvRecord(value: unknown): value is OsvRecord {
  if (!isObject(value)) return false;
  const id = value["id"];
  if (typeof id !== "string" || id === "" || id.length > 256 || !isStr(value["modified"])) return false;
  if (
    !optionalStr(value, "summary") ||
    !optionalStr(value, "withdrawn") ||
    !optionalStr(value, "databaseSeverity")
  )
    return false;
  const affected = value["affected"];
  return (
    isStrList(value["aliases"]) &&
    isSeverityList(value["severity"]) &&
    Array.isArray(affected) &&
    affected.every(isAffected)
  );
}
