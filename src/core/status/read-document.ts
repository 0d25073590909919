/**
 * A strict reader of SecurityStatus documents for `status diff` and `status decide`: the text of
 * a file (or a fetched index.json) to a typed document, or a config error naming the file and the
 * JSON path of the first thing wrong. It checks what diff and decide rely on, not the whole
 * schema; at merge it can give way to the status command's own `parseSecurityStatus`.
 */
import { SlipwayError } from "../../errors.ts";
import { type SecurityStatus, STATUS_LEVELS, type StatusFinding } from "./document.ts";

/** A document larger than this is refused: a real one holds a few hundred findings. */
export const MAX_STATUS_BYTES = 16 * 1024 * 1024;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Parses `text` as a SecurityStatus of schema 1. `name` is how the document is shown in errors
 * (a path, a URL, "standard input").
 */
export function readSecurityStatus(text: string, name: string): SecurityStatus {
  const fail = (path: string, what: string): never => {
    throw new SlipwayError("config", `${name}: ${path} ${what}`, {
      hint: "give a SecurityStatus document (schema 1) written by `slipway status`",
    });
  };
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const what = text.trim() === "" ? "is empty" : `is not JSON (${(error as Error).message})`;
    throw new SlipwayError("config", `${name} ${what}`, {
      hint: "give a SecurityStatus document (schema 1) written by `slipway status`; a truncated download looks like this",
    });
  }
  if (!isObject(value)) return fail("$", "is not an object");
  if (value["schema"] !== 1) {
    return fail(
      "$.schema",
      `is ${JSON.stringify(value["schema"]) ?? "missing"}, not 1: this slipway reads schema 1 only`,
    );
  }
  const project = value["project"];
  if (!isObject(project) || typeof project["name"] !== "string")
    return fail("$.project.name", "is not a string");
  for (const key of ["version", "sourceVersion"]) {
    const v = project[key];
    if (v !== undefined && v !== null && typeof v !== "string")
      fail(`$.project.${key}`, "is not a string or null");
  }
  if (typeof value["generatedAt"] !== "string" || !INSTANT.test(value["generatedAt"])) {
    fail("$.generatedAt", "is not an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)");
  }
  const findings = value["findings"];
  if (!Array.isArray(findings)) return fail("$.findings", "is not an array");
  const seen = new Set<string>();
  findings.forEach((f, i) => {
    checkFinding(f, `$.findings[${i}]`, fail);
    const fingerprint = (f as StatusFinding).fingerprint;
    if (seen.has(fingerprint))
      fail(`$.findings[${i}].fingerprint`, "repeats an earlier finding's fingerprint");
    seen.add(fingerprint);
  });
  return value as unknown as SecurityStatus;
}

function checkFinding(f: unknown, at: string, fail: (path: string, what: string) => never): void {
  if (!isObject(f)) fail(at, "is not an object");
  const finding = f as Json;
  for (const key of ["fingerprint", "source", "id", "message"]) {
    if (typeof finding[key] !== "string" || finding[key] === "")
      fail(`${at}.${key}`, "is not a non-empty string");
  }
  if (!STATUS_LEVELS.includes(finding["level"] as never)) {
    fail(`${at}.level`, `is not one of ${STATUS_LEVELS.join(", ")}`);
  }
  const location = finding["location"];
  if (!isObject(location) || typeof location["file"] !== "string")
    fail(`${at}.location.file`, "is not a string");
  const pkg = finding["package"];
  if (pkg !== undefined) {
    if (!isObject(pkg)) fail(`${at}.package`, "is not an object");
    const p = pkg as Json;
    if (typeof p["name"] !== "string") fail(`${at}.package.name`, "is not a string");
    if (typeof p["version"] !== "string") fail(`${at}.package.version`, "is not a string");
    if (typeof p["runtime"] !== "boolean") fail(`${at}.package.runtime`, "is not true or false");
  }
  const fixedIn = finding["fixedIn"];
  if (fixedIn !== undefined && fixedIn !== null && typeof fixedIn !== "string") {
    fail(`${at}.fixedIn`, "is not a string or null");
  }
  const aliases = finding["aliases"];
  if (aliases !== undefined && (!Array.isArray(aliases) || aliases.some((a) => typeof a !== "string"))) {
    fail(`${at}.aliases`, "is not an array of strings");
  }
  const ignored = finding["ignored"];
  if (ignored !== undefined) {
    if (!isObject(ignored) || typeof ignored["reason"] !== "string")
      fail(`${at}.ignored.reason`, "is not a string");
    if (
      typeof (ignored as Json)["expires"] !== "string" ||
      !DATE.test((ignored as Json)["expires"] as string)
    ) {
      fail(`${at}.ignored.expires`, "is not a date (YYYY-MM-DD)");
    }
  }
  for (const key of ["url", "firstSeen"]) {
    if (finding[key] !== undefined && typeof finding[key] !== "string")
      fail(`${at}.${key}`, "is not a string");
  }
}
