/**
 * `slipway scan`: secrets in the work tree (git's file list: tracked files and untracked ones
 * git does not ignore; a walk without junk directories outside git). Read: the project's scan
 * configuration and files, through adapters; assemble: the rule set (core/scan/secrets.ts);
 * apply: the scanner over each file's text; events: progress and the findings as data.
 */
import { join, resolve } from "node:path";
import { fileSize, readSmallRegularFile, readTextIfExists } from "../adapters/fs.ts";
import { listProjectFiles } from "../adapters/project.ts";
import { openProject } from "../adapters/snapshot.ts";
import type { Finding } from "../core/findings.ts";
import { getTable, type TomlTable } from "../core/pyproject/access.ts";
import { assembleSecretScan, notIgnored, secretAsFinding } from "../core/scan/secrets.ts";
import { scanText } from "../core/secrets/scan-text.ts";
import { SlipwayError } from "../errors.ts";

/** A file larger than this is not read: a secret hides in text, not in a 64 MiB blob. */
export const MAX_SCANNED_FILE = 64 * 1024 * 1024;

export interface ScanOptions {
  /** The project directory. */
  root: string;
  env?: Readonly<Record<string, string | undefined>>;
  onEvent?: (event: ScanEvent) => void;
}

export type ScanEvent =
  | { type: "scan-start"; root: string; files: number; rules: string[] }
  | { type: "file-scanned"; path: string; bytes: number; findings: number }
  | { type: "file-skipped"; path: string; reason: "too-large" | "not-a-regular-file"; bytes?: number };

export interface ScanReport {
  root: string;
  /** Where the rules came from: "built-in", ".gitleaks.toml", "pyproject.toml [tool.slipway.scan]". */
  rules: string[];
  files: { scanned: number; skipped: number; bytes: number };
  findings: Finding[];
  /** Fingerprints (`rule:path:sha256`) of the findings, in the order of `findings`, for a baseline. */
  fingerprints: string[];
  errors: number;
  warnings: number;
  ok: boolean;
  /** Lines of `.gitleaksignore` that were not fingerprints. */
  ignoreProblems: string[];
}

export async function scan(options: ScanOptions): Promise<ScanReport> {
  const root = resolve(options.root);
  const emit = options.onEvent ?? (() => {});
  const project = openProject(root, options.env === undefined ? {} : { env: options.env });
  const pyproject = await project.pyproject();
  if (pyproject !== undefined && !pyproject.parsed.ok) {
    throw new SlipwayError("config", `${join(root, "pyproject.toml")} is not valid TOML`, {
      hint: "fix it first: `slipway check` says where",
    });
  }
  const setup = assembleSecretScan({
    scanTable: scanTableOf(pyproject?.parsed.ok ? pyproject.parsed.value : undefined),
    gitleaksToml: await readTextIfExists(join(root, ".gitleaks.toml")),
    gitleaksIgnore: await readTextIfExists(join(root, ".gitleaksignore")),
  });
  const paths = await listProjectFiles(root);
  emit({ type: "scan-start", root, files: paths.length, rules: setup.sources });
  const findings: Finding[] = [];
  const fingerprints: string[] = [];
  let scanned = 0;
  let skipped = 0;
  let bytes = 0;
  for (const path of paths) {
    const full = join(root, path);
    const size = await fileSize(full).catch(() => undefined);
    if (size !== undefined && size > MAX_SCANNED_FILE) {
      skipped++;
      emit({ type: "file-skipped", path, reason: "too-large", bytes: size });
      continue;
    }
    // Never through a symlink, never blocking on a FIFO a tree can hold.
    const text = await readSmallRegularFile(full, MAX_SCANNED_FILE);
    if (text === undefined) {
      skipped++;
      emit({ type: "file-skipped", path, reason: "not-a-regular-file" });
      continue;
    }
    const found = notIgnored(setup, scanText(text, { path, rules: setup.rules, place: setup.place }));
    for (const f of found) {
      findings.push(secretAsFinding(f));
      fingerprints.push(f.fingerprint);
    }
    scanned++;
    const length = Buffer.byteLength(text);
    bytes += length;
    emit({ type: "file-scanned", path, bytes: length, findings: found.length });
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  return {
    root,
    rules: setup.sources,
    files: { scanned, skipped, bytes },
    findings,
    fingerprints,
    errors,
    warnings,
    ok: errors === 0,
    ignoreProblems: setup.ignoreProblems,
  };
}

/** `[tool.slipway.scan]`, when the project has one. */
function scanTableOf(pyproject: TomlTable | undefined): TomlTable | undefined {
  return getTable(getTable(getTable(pyproject, "tool"), "slipway"), "scan");
}
