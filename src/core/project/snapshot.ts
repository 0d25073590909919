/**
 * The project as read once per command (see src/adapters/snapshot.ts): pyproject.toml's bytes,
 * text and parse, and the pure readings every command takes from them — `[tool.slipway]` typed
 * (version, changelog, release, indexes) and `[build-system]`. Each reading keeps the words its
 * command always used for a broken file, so reading once changes no message.
 */

import { SlipwayError } from "../../errors.ts";
import { assembleBuildSystem, type BuildSystem } from "../build/build-system.ts";
import type { TomlTable } from "../pyproject/access.ts";
import { parsePyproject, type TomlParse } from "../pyproject/toml.ts";
import { type IndexConfig, parseIndexesTable } from "../upload/targets.ts";
import { parseSlipwayConfig, type SlipwayConfig } from "../version/config.ts";

/** pyproject.toml as read: its bytes, its text, and the TOML parse of that text. */
export interface PyprojectFile {
  bytes: Uint8Array;
  /** Strictly decoded; for a file that is not UTF-8, decoded with replacement characters. */
  text: string;
  /** False when the bytes are not UTF-8 (tomllib refuses such a file; PP01 says why). */
  utf8: boolean;
  /** The parse of `text` (a BOM is kept in the text, as tomllib sees it). */
  parsed: TomlParse;
}

/** Decodes and parses pyproject.toml's bytes: the one parse of the file per command. */
export function assemblePyprojectFile(bytes: Uint8Array): PyprojectFile {
  let text: string;
  let utf8 = true;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    utf8 = false;
    text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  }
  return { bytes, text, utf8, parsed: parsePyproject(text) };
}

/** The table `version`, `changelog` and `release` read, and `[tool.slipway]` typed. */
export interface ProjectConfig {
  pyproject: TomlTable;
  config: SlipwayConfig;
}

/**
 * pyproject.toml's table and `[tool.slipway]` settings for version, changelog and release;
 * config errors say what is wrong with the file (absent, not UTF-8, not TOML, a bad setting).
 */
export function assembleProjectConfig(file: PyprojectFile | undefined, root: string): ProjectConfig {
  if (file === undefined) {
    throw new SlipwayError("config", `no pyproject.toml in ${root}`, {
      hint: "run slipway in the project root (where pyproject.toml is), or pass --project",
    });
  }
  if (!file.utf8) {
    throw new SlipwayError("config", "pyproject.toml is not UTF-8 text", {
      hint: "slipway edits UTF-8 files only",
    });
  }
  if (!file.parsed.ok) {
    const { line, column, message } = file.parsed.problem;
    throw new SlipwayError(
      "config",
      `pyproject.toml is not valid TOML (line ${line}, column ${column}): ${message}`,
      { hint: "fix the file; 'slipway check' explains TOML problems" },
    );
  }
  return { pyproject: file.parsed.value, config: parseSlipwayConfig(file.parsed.value) };
}

/** `[tool.slipway.indexes]`, empty without a pyproject.toml; `path` names the file in errors. */
export function assembleIndexes(file: PyprojectFile | undefined, path: string): Map<string, IndexConfig> {
  if (file === undefined) return new Map();
  if (!file.parsed.ok) {
    throw new SlipwayError("config", `${path} is not valid TOML (line ${file.parsed.problem.line})`, {
      hint: "Run `slipway check` for the details.",
    });
  }
  const tool = file.parsed.value["tool"] as Record<string, unknown> | undefined;
  const indexes = parseIndexesTable(tool?.["slipway"] as Record<string, unknown> | undefined);
  if (!indexes.ok) {
    throw new SlipwayError("config", indexes.error, indexes.hint === undefined ? {} : { hint: indexes.hint });
  }
  return indexes.value;
}

/**
 * `[build-system]` (PEP 517/518) for a build; `display` names the file in errors. Without a
 * pyproject.toml the legacy setuptools backend is assumed (the caller has seen setup.py).
 */
export function assembleProjectBuildSystem(file: PyprojectFile | undefined, display: string): BuildSystem {
  if (file !== undefined && !file.parsed.ok) {
    const { message, line, column } = file.parsed.problem;
    throw new SlipwayError("config", `${display}:${line}:${column}: invalid TOML: ${message}`, {
      hint: "Fix the syntax error; nothing was built.",
    });
  }
  const system = assembleBuildSystem(file?.parsed.ok ? file.parsed.value : undefined);
  if (!system.ok) {
    throw new SlipwayError("config", `${display}: ${system.error}`, {
      hint: "Fix [build-system]; see PEP 517/518.",
    });
  }
  return system.value;
}
