/**
 * `slipway scan`: secrets in the work tree (git's file list: tracked files and untracked ones
 * git does not ignore; a walk without junk directories outside git), in git's objects (the
 * history, a range of commits, the staged blobs: scan-history.ts) or in built distributions
 * (scan-dists.ts). Read: the project's scan configuration, its baseline and its files, through
 * adapters; assemble: the rule set (core/scan/secrets.ts); apply: the scanner over each text;
 * events: progress and the findings as data.
 */
import { isAbsolute, join, resolve } from "node:path";
import { fileSize, readSmallRegularFile, readTextIfExists, writeFileAtomic } from "../adapters/fs.ts";
import { listProjectFiles } from "../adapters/project.ts";
import { openProject } from "../adapters/snapshot.ts";
import type { Finding } from "../core/findings.ts";
import { getTable, type TomlTable } from "../core/pyproject/access.ts";
import {
  assembleBaseline,
  type Baseline,
  DEFAULT_BASELINE,
  dropBaselined,
  MAX_BASELINE_BYTES,
  parseBaseline,
  renderBaseline,
} from "../core/scan/baseline.ts";
import type { ScanSection } from "../core/scan/report.ts";
import {
  assembleSecretScan,
  notIgnored,
  type SecretScanSetup,
  scanTextDecoded,
  secretAsFinding,
  secretsSection,
} from "../core/scan/secrets.ts";

import type { SecretFinding } from "../core/secrets/scan-text.ts";
import { SlipwayError } from "../errors.ts";
import { scanDists } from "./scan-dists.ts";
import {
  type HistoryCounts,
  type ObjectScanEvent,
  type ObjectSelection,
  scanObjects,
} from "./scan-history.ts";

/** A file larger than this is not read: a secret hides in text, not in a 64 MiB blob. */
export const MAX_SCANNED_FILE = 64 * 1024 * 1024;

/** What a scan reads: the work tree (default), git's objects, or distribution files. */
export type ScanSource = { kind: "tree" } | ObjectSelection | { kind: "dists"; files: readonly string[] };

export interface ScanOptions {
  /** The project directory (configuration, baseline, git repository). */
  root: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: the work tree. */
  source?: ScanSource;
  /**
   * The baseline whose fingerprints are not reported (relative to `root`). Default: the
   * project's `.slipway-baseline.json` when it has one; `false`: none.
   */
  baseline?: string | false;
  /** Write the findings' fingerprints as a baseline to this file (relative to `root`) instead of failing. */
  baselineWrite?: string;
  onEvent?: (event: ScanEvent) => void;
}

export type ScanEvent =
  | { type: "scan-start"; root: string; files: number; rules: string[] }
  | { type: "file-scanned"; path: string; bytes: number; findings: number }
  | { type: "file-skipped"; path: string; reason: "too-large" | "not-a-regular-file"; bytes?: number }
  | ObjectScanEvent;

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
  /** What was scanned: "tree", "history", "range", "staged", "dists". */
  source: ScanSource["kind"];
  /** For git's objects: commits walked, blobs read (each once), their bytes, blobs not read. */
  history?: HistoryCounts;
  /** The baseline read, and how many findings it suppressed. */
  baseline?: { file: string; suppressed: number };
  /** The baseline written by `baselineWrite`, and how many fingerprints it holds. */
  baselineWritten?: { file: string; entries: number };
  /** The report as the section SARIF and the other renderers read. */
  section: ScanSection;
}

export async function scan(options: ScanOptions): Promise<ScanReport> {
  const root = resolve(options.root);
  const emit = options.onEvent ?? (() => {});
  const source = options.source ?? { kind: "tree" };
  const setup = await readSecretScanSetup(root, options.env);
  const baseline = await readBaseline(root, options.baseline);
  let found: { findings: Finding[]; fingerprints: string[] };
  let files = { scanned: 0, skipped: 0, bytes: 0 };
  let history: HistoryCounts | undefined;
  if (source.kind === "tree") {
    const tree = await scanTree(root, setup, emit);
    found = tree;
    files = tree.files;
  } else if (source.kind === "dists") {
    const dists = await scanDists({ cwd: root, files: source.files.map((f) => resolve(root, f)) });
    found = dists;
    files = { scanned: dists.files, skipped: 0, bytes: dists.bytes };
  } else {
    const objects = await scanObjects({
      root,
      ...(options.env === undefined ? {} : { env: options.env }),
      setup,
      selection: source,
      maxBytes: MAX_SCANNED_FILE,
      emit,
    });
    found = objects;
    history = objects.counts;
    files = { scanned: objects.counts.blobs, skipped: objects.counts.skipped, bytes: objects.counts.bytes };
  }
  let baselineRead: ScanReport["baseline"];
  if (baseline !== undefined && options.baselineWrite === undefined) {
    const kept = dropBaselined(found, baseline.baseline);
    found = kept;
    baselineRead = { file: baseline.file, suppressed: kept.suppressed };
  }
  let baselineWritten: ScanReport["baselineWritten"];
  if (options.baselineWrite !== undefined) {
    const file = options.baselineWrite;
    const written = assembleBaseline(found.findings, found.fingerprints);
    await writeFileAtomic(resolve(root, file), renderBaseline(written), { mkdirs: true });
    baselineWritten = { file, entries: written.entries.length };
  }
  const { findings, fingerprints } = found;
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  // A baseline just written accepts what was found: the run passes.
  const ok = errors === 0 || baselineWritten !== undefined;
  const report: ScanReport = {
    root,
    rules: setup.sources,
    files,
    findings,
    fingerprints,
    errors,
    warnings,
    ok,
    ignoreProblems: setup.ignoreProblems,
    source: source.kind,
    section: secretsSection({ findings, fingerprints, ok }, setup.rules),
  };
  if (history !== undefined) report.history = history;
  if (baselineRead !== undefined) report.baseline = baselineRead;
  if (baselineWritten !== undefined) report.baselineWritten = baselineWritten;
  return report;
}

/** The project's rule set: pyproject's `[tool.slipway.scan]`, `.gitleaks.toml`, `.gitleaksignore`. */
async function readSecretScanSetup(
  root: string,
  env: Readonly<Record<string, string | undefined>> | undefined,
): Promise<SecretScanSetup> {
  const project = openProject(root, env === undefined ? {} : { env });
  const pyproject = await project.pyproject();
  if (pyproject !== undefined && !pyproject.parsed.ok) {
    throw new SlipwayError("config", `${join(root, "pyproject.toml")} is not valid TOML`, {
      hint: "fix it first: `slipway check` says where",
    });
  }
  return assembleSecretScan({
    scanTable: scanTableOf(pyproject?.parsed.ok ? pyproject.parsed.value : undefined),
    gitleaksToml: await readTextIfExists(join(root, ".gitleaks.toml")),
    gitleaksIgnore: await readTextIfExists(join(root, ".gitleaksignore")),
  });
}

/**
 * The baseline to apply: the file named, or the project's default one when it exists. A
 * committed file is hostile input: bounded before it is read, parsed strictly.
 */
async function readBaseline(
  root: string,
  named: string | false | undefined,
): Promise<{ file: string; baseline: Baseline } | undefined> {
  if (named === false) return undefined;
  const file = named ?? DEFAULT_BASELINE;
  const full = isAbsolute(file) ? file : resolve(root, file);
  const size = await fileSize(full).catch(() => undefined);
  if (size === undefined) {
    if (named === undefined) return undefined;
    throw new SlipwayError("config", `the baseline ${file} does not exist`, {
      hint: "Write one with `slipway scan --baseline-write`, or leave --baseline out.",
    });
  }
  if (size > MAX_BASELINE_BYTES) {
    throw new SlipwayError("config", `the baseline ${file} is larger than ${MAX_BASELINE_BYTES} bytes`, {
      hint: "A baseline holds one short line per accepted finding; write it again with `slipway scan --baseline-write`.",
    });
  }
  const text = await readSmallRegularFile(full, MAX_BASELINE_BYTES);
  if (text === undefined) {
    throw new SlipwayError("config", `the baseline ${file} is not a regular file`, {
      hint: "Point --baseline at the JSON file `slipway scan --baseline-write` wrote.",
    });
  }
  return { file, baseline: parseBaseline(text, file) };
}

/** Files read at once: the scan of one file is short next to waiting for its read. */
const READS_IN_FLIGHT = 8;

/** The work tree, a few files in flight at a time; findings in the order of git's file list. */
async function scanTree(
  root: string,
  setup: SecretScanSetup,
  emit: (event: ScanEvent) => void,
): Promise<{ findings: Finding[]; fingerprints: string[]; files: ScanReport["files"] }> {
  const paths = await listProjectFiles(root);
  emit({ type: "scan-start", root, files: paths.length, rules: setup.sources });
  const perFile: (SecretFinding[] | undefined)[] = new Array(paths.length);
  let scanned = 0;
  let skipped = 0;
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const index = next++;
      const path = paths[index]!;
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
      const found = notIgnored(
        setup,
        scanTextDecoded(text, { path, rules: setup.rules, place: setup.place }),
      );
      perFile[index] = found;
      scanned++;
      const length = Buffer.byteLength(text);
      bytes += length;
      emit({ type: "file-scanned", path, bytes: length, findings: found.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, paths.length) }, worker));
  const findings: Finding[] = [];
  const fingerprints: string[] = [];
  for (const found of perFile) {
    for (const f of found ?? []) {
      findings.push(secretAsFinding(f));
      fingerprints.push(f.fingerprint);
    }
  }
  return { findings, fingerprints, files: { scanned, skipped, bytes } };
}

/** `[tool.slipway.scan]`, when the project has one. */
function scanTableOf(pyproject: TomlTable | undefined): TomlTable | undefined {
  return getTable(getTable(getTable(pyproject, "tool"), "slipway"), "scan");
}
