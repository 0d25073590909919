/**
 * `[tool.slipway.release]`: how `slipway release` runs for this project, validated once so the
 * pipeline never meets a half-understood setting. Every mistake is a config error naming the key.
 *
 *     [tool.slipway.release]
 *     branch = "main"                 # releases only from here (default: the remote's default branch)
 *     remote = "origin"
 *     to = "pypi"                     # target index: a name or an upload URL
 *     stage = "local"                 # the embedded index, or a configured index name
 *     stage-upstream = "https://pypi.org/simple/"   # or "none"
 *     env = ["GEMINI_API_KEY"]        # must be set before anything starts
 *     gates = ["pytest -q", ["ruff", "check", "."]]
 *     commit-message = "chore(release): {version}"
 *     push = true
 *     verify = { extras = [], imports = [], scripts = [], max-import-ms = 2000 }
 *     scan = ["secrets", "deps"]      # preflight scans (the default); [] turns them off
 *     host = "github"                 # the host release after push (core/host/remote.ts)
 */
import { SlipwayError } from "../../errors.ts";
import { type HostSetting, parseHostSetting } from "../host/remote.ts";
import { get, isTable, type TomlTable, tomlType } from "../pyproject/access.ts";
import { booleanSetting, stringSetting, stringsSetting } from "../pyproject/settings.ts";

export interface VerifySettings {
  extras?: string[];
  imports?: string[];
  scripts?: string[];
  maxImportMs?: number;
}

export interface ReleaseConfig {
  branch: string | undefined;
  remote: string;
  to: string;
  stage: string;
  /** Simple root the embedded stage serves dependencies from; undefined for none. */
  stageUpstream: string | undefined;
  env: string[];
  /** Gate commands as argv arrays, in order. */
  gates: string[][];
  /** Contains `{version}`. */
  commitMessage: string;
  push: boolean;
  verify: VerifySettings;
  /** The scans of `slipway scan` run in preflight, with their gates; a finding blocks the release. */
  scan: ReleaseScan[];
  /** Where the host release goes (`host`); absent: auto, from the remote's URL. */
  host?: HostSetting;
}

export type ReleaseScan = "secrets" | "deps";
const RELEASE_SCANS: readonly ReleaseScan[] = ["secrets", "deps"];

export const DEFAULT_STAGE_UPSTREAM = "https://pypi.org/simple/";

const KEYS = new Set([
  "branch",
  "remote",
  "to",
  "stage",
  "stage-upstream",
  "env",
  "gates",
  "commit-message",
  "push",
  "verify",
  "scan",
  "host",
]);
const VERIFY_KEYS = new Set(["extras", "imports", "scripts", "max-import-ms"]);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function configError(key: string, message: string, hint: string): SlipwayError {
  return new SlipwayError("config", `pyproject.toml [tool.slipway.release] ${key}: ${message}`, { hint });
}

const string = (table: TomlTable, key: string, where = "") => stringSetting(table, key, where, configError);
const strings = (table: TomlTable, key: string, where = "") => stringsSetting(table, key, where, configError);

/**
 * Splits a command line into words the way a user expects from a config file: whitespace
 * separates, single and double quotes group (no expansion, no escapes inside single quotes).
 * No shell runs the result, so `&&`, pipes and `$VAR` are plain words. Undefined when a quote
 * is left open.
 */
export function splitCommandLine(text: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && (text[i + 1] === '"' || text[i + 1] === "\\"))
        word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
}

function readGates(table: TomlTable): string[][] {
  const value = get(table, "gates");
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw configError("gates", `expected an array, found ${tomlType(value)}`, 'e.g. gates = ["pytest -q"]');
  }
  return value.map((entry, i) => {
    const key = `gates[${i}]`;
    if (typeof entry === "string") {
      const words = splitCommandLine(entry);
      if (words === undefined) throw configError(key, "has an unclosed quote", "close the quote");
      if (words.length === 0) throw configError(key, "is empty", "write the command to run");
      return words;
    }
    if (Array.isArray(entry) && entry.length > 0 && entry.every((w) => typeof w === "string" && w !== "")) {
      return entry as string[];
    }
    throw configError(
      key,
      `expected a command line or an array of words, found ${tomlType(entry)}`,
      'write "pytest -q" or ["pytest", "-q"]; no shell runs it, so use ["sh", "-c", "…"] for pipes',
    );
  });
}

function readVerify(table: TomlTable): VerifySettings {
  const value = get(table, "verify");
  if (value === undefined) return {};
  if (!isTable(value)) {
    throw configError(
      "verify",
      `expected a table, found ${tomlType(value)}`,
      "write verify = { extras = [] }",
    );
  }
  for (const key of Object.keys(value)) {
    if (!VERIFY_KEYS.has(key)) {
      throw configError(`verify.${key}`, "is not a setting", `verify takes ${[...VERIFY_KEYS].join(", ")}`);
    }
  }
  const settings: VerifySettings = {};
  const extras = strings(value, "extras", "verify.");
  const imports = strings(value, "imports", "verify.");
  const scripts = strings(value, "scripts", "verify.");
  if (extras !== undefined) settings.extras = extras;
  if (imports !== undefined) settings.imports = imports;
  if (scripts !== undefined) settings.scripts = scripts;
  const ms = get(value, "max-import-ms");
  if (ms !== undefined) {
    if (typeof ms !== "number" || !Number.isInteger(ms) || ms <= 0) {
      throw configError(
        "verify.max-import-ms",
        `expected a positive integer, found ${tomlType(ms)}`,
        "e.g. 2000",
      );
    }
    settings.maxImportMs = ms;
  }
  return settings;
}

/** The release settings of a parsed pyproject.toml, with defaults filled in. */
export function parseReleaseConfig(pyproject: TomlTable): ReleaseConfig {
  const tool = get(pyproject, "tool");
  const slipway = isTable(tool) ? get(tool, "slipway") : undefined;
  const raw = isTable(slipway) ? get(slipway, "release") : undefined;
  if (raw !== undefined && !isTable(raw)) {
    throw configError("", `expected a table, found ${tomlType(raw)}`, "write [tool.slipway.release]");
  }
  const table: TomlTable = raw ?? {};
  for (const key of Object.keys(table)) {
    if (!KEYS.has(key)) {
      throw configError(key, "is not a setting", `[tool.slipway.release] takes ${[...KEYS].join(", ")}`);
    }
  }
  const env = strings(table, "env") ?? [];
  for (const name of env) {
    if (!ENV_NAME.test(name)) {
      throw configError(
        "env",
        `"${name}" is not an environment variable name`,
        'e.g. env = ["GEMINI_API_KEY"]',
      );
    }
  }
  const commitMessage = string(table, "commit-message") ?? "chore(release): {version}";
  if (!commitMessage.includes("{version}")) {
    throw configError("commit-message", `"${commitMessage}" lacks {version}`, "put {version} in the message");
  }
  const push = booleanSetting(table, "push", "", configError);
  const upstream = string(table, "stage-upstream") ?? DEFAULT_STAGE_UPSTREAM;
  if (upstream !== "none" && !/^https?:\/\//.test(upstream)) {
    throw configError(
      "stage-upstream",
      `"${upstream}" is not an http(s) URL`,
      'write a simple-API root, or "none"',
    );
  }
  return {
    branch: string(table, "branch"),
    remote: string(table, "remote") ?? "origin",
    to: string(table, "to") ?? "pypi",
    stage: string(table, "stage") ?? "local",
    stageUpstream: upstream === "none" ? undefined : upstream,
    env,
    gates: readGates(table),
    commitMessage,
    push: push ?? true,
    verify: readVerify(table),
    scan: readScans(table),
    ...(get(table, "host") === undefined ? {} : { host: parseHostSetting(table) }),
  };
}

function readScans(table: TomlTable): ReleaseScan[] {
  const said = strings(table, "scan");
  if (said === undefined) return [...RELEASE_SCANS];
  const scans: ReleaseScan[] = [];
  for (const name of said) {
    const known = RELEASE_SCANS.find((s) => s === name);
    if (known === undefined) {
      throw configError("scan", `"${name}" is not a scan`, 'scan takes "secrets" and "deps"; [] runs none');
    }
    if (!scans.includes(known)) scans.push(known);
  }
  return scans;
}
