/**
 * `slipway status`: the scans of bare `slipway scan` (or a saved `scan --json` document) plus
 * ingested SARIF, the earlier documents of the history, the project's name and versions, turned
 * into one SecurityStatus (core/status/build.ts) and written atomically: the document to `out`,
 * the history rotated to the last `keep` documents. Every file is checked before any is written.
 */
import { basename, resolve } from "node:path";
import { pathKind, readSmallRegularFile, writeFileAtomic } from "../adapters/fs.ts";
import { gitAt, headCommit } from "../adapters/git.ts";
import { openProject } from "../adapters/snapshot.ts";
import type { ScanSection } from "../core/scan/report.ts";
import { buildStatus, renderStatus } from "../core/status/build.ts";
import type { SecurityStatus, StatusScanner } from "../core/status/document.ts";
import { appendHistory } from "../core/status/history.ts";
import type { ScanDocSection } from "../core/status/levels.ts";
import {
  MAX_HISTORY_BYTES,
  MAX_STATUS_BYTES,
  parseHistory,
  parseScanDocument,
  parseSecurityStatus,
  renderHistory,
} from "../core/status/stored.ts";
import { AdvisoryFeedError } from "../core/vulns/feed.ts";
import { SlipwayError } from "../errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface StatusOptions {
  /** The project directory. */
  root: string;
  /** Where relative file options are resolved. */
  cwd: string;
  env: Env;
  /** The clock, milliseconds since the epoch. */
  now: number;
  /** slipway's version: the version of its own scanners. */
  slipwayVersion: string;
  /** A saved `slipway scan --json` document to read instead of scanning. */
  from?: string;
  /** The advisory database directory for the dependency scan. */
  db?: string;
  sarifIn?: readonly string[];
  /** The history file (JSON lines) to read and append to. */
  history?: string;
  keep: number;
  /** Where the document is written; undefined: returned only. */
  out?: string;
  /** A directory to write the static status site into (docs/status-site.md). */
  site?: string;
  /** The target index's simple API, to read the published version from. */
  indexUrl?: string;
  /** Total deadline of the index lookup. */
  indexDeadlineMs?: number;
}

export interface StatusResult {
  document: SecurityStatus;
  text: string;
  /** Scanners that did not run, with why (the command exits 3). */
  skipped: StatusScanner[];
  /** What the command should tell on stderr (why a scanner did not run). */
  notes: string[];
  historyEntries?: number;
  /** The site written with `site`: its directory and files. */
  site?: { dir: string; written: string[] };
}

/** Reads a bounded regular file or says clearly why not. */
async function readBounded(path: string, shown: string, max: number): Promise<string> {
  const text = await readSmallRegularFile(path, max).catch((error: unknown) => {
    throw new SlipwayError("io", `cannot read ${shown}: ${(error as Error).message}`, { cause: error });
  });
  if (text === undefined)
    throw new SlipwayError("usage", `${shown}: no such regular file, or larger than ${max} bytes`, {
      hint: "name a file `slipway scan --json` or `slipway status` wrote",
    });
  return text;
}

/** A file that may not exist yet (the history, the last document); never a FIFO, never unbounded. */
async function readOptional(path: string, shown: string, max: number): Promise<string | undefined> {
  const kind = await pathKind(path);
  if (kind === undefined) return undefined;
  if (kind !== "file")
    throw new SlipwayError("usage", `${shown}: not a regular file`, {
      hint: "name a file slipway status writes",
    });
  return readBounded(path, shown, max);
}

function docSection(section: ScanSection, extra: Partial<ScanDocSection> = {}): ScanDocSection {
  return {
    scanner: section.scanner,
    ...(section.version === undefined ? {} : { version: section.version }),
    findings: section.findings.map((f, i) => ({
      id: f.id,
      severity: f.severity,
      message: f.message,
      location: {
        file: f.location.file,
        ...(f.location.line === undefined ? {} : { line: f.location.line }),
      },
      fingerprint: section.fingerprints[i] ?? `${f.id}:${f.location.file}:${i}`,
    })),
    rules: section.rules,
    ...extra,
  };
}

interface Scanned {
  sections: ScanDocSection[];
  scanners: StatusScanner[];
  /** Why a scanner did not run, in full, for stderr. */
  notes: string[];
}

export const NO_DATABASE = "no advisory database (run `slipway scan update-db`, or pass --db)";

/** The scans of bare `slipway scan` on the work tree, the dependency scan's absence recorded. */
async function runScans(options: StatusOptions, today: string): Promise<Scanned> {
  const [{ scan }, { projectLockfiles, scanDeps }, { scanLock }] = await Promise.all([
    import("./scan.ts"),
    import("./scan-deps.ts"),
    import("./scan-lock.ts"),
  ]);
  const own = { version: options.slipwayVersion };
  const secrets = await scan({ root: options.root, env: options.env, source: { kind: "tree" } });
  const out: Scanned = {
    sections: [docSection(secrets.section)],
    scanners: [{ name: "secrets", ...own }],
    notes: [],
  };
  const lockfiles = await projectLockfiles(options.root);
  if (lockfiles.length === 0) {
    if (options.db !== undefined)
      throw new SlipwayError(
        "usage",
        `--db is for the dependency scan, and ${options.root} has no lockfile`,
        {
          hint: "leave --db out, or add the project's lockfile (requirements.txt, uv.lock, …)",
        },
      );
    return out;
  }
  const lock = await scanLock({ path: options.root, env: options.env });
  out.sections.push(docSection(lock.section));
  out.scanners.push({ name: "lock", ...own });
  try {
    const deps = await scanDeps({
      root: options.root,
      lockfiles,
      env: options.env,
      today,
      ...(options.db === undefined ? {} : { db: options.db }),
    });
    out.sections.push(
      docSection(deps.section, { vulnerabilities: deps.vulnerabilities, ignored: deps.ignored }),
    );
    out.scanners.push({ name: "deps", ...own, database: deps.database.revision });
  } catch (error) {
    if (!(error instanceof AdvisoryFeedError)) throw error;
    // The document says why in fixed words (no path of this machine); stderr gets the details.
    out.scanners.push({ name: "deps", ...own, skipped: NO_DATABASE });
    out.notes.push(`the deps scan did not run: ${error.message}${error.hint ? ` (${error.hint})` : ""}`);
  }
  return out;
}

/** The sections of a saved scan; a deps scan that did not run there is recorded as skipped. */
async function readScans(options: StatusOptions, from: string): Promise<Scanned> {
  const doc = parseScanDocument(await readBounded(resolve(options.cwd, from), from, MAX_STATUS_BYTES), from);
  const scanners: StatusScanner[] = doc.sections.map((s) =>
    s.scanner === "deps"
      ? { name: s.scanner, ...(s.version === undefined ? {} : { database: s.version }) }
      : { name: s.scanner, ...(s.version === undefined ? {} : { version: s.version }) },
  );
  const has = (name: string) => doc.sections.some((s) => s.scanner === name);
  // The lockfile scan runs with the dependency scan; exit 3 is the scan's word for a missing database.
  if (!has("deps") && (has("lock") || doc.exit === 3)) scanners.push({ name: "deps", skipped: NO_DATABASE });
  return { sections: doc.sections, scanners, notes: [] };
}

/** The newest version among the index's files of `project`; null when it holds none. */
async function indexVersion(options: StatusOptions, project: string): Promise<string | null> {
  const [{ lookupProject, LookupError }, { parseSdistFilename, parseWheelFilename }, pep440] =
    await Promise.all([
      import("../adapters/http/simple-client.ts"),
      import("../core/names/filename.ts"),
      import("../core/pep440/version.ts"),
    ]);
  const deadline = options.indexDeadlineMs ?? 15_000;
  let listing: Awaited<ReturnType<typeof lookupProject>>["listing"];
  try {
    ({ listing } = await lookupProject({
      simpleUrl: options.indexUrl!,
      project,
      userAgent: `slipway/${options.slipwayVersion}`,
      timeoutMs: deadline,
      deadlineMs: deadline,
    }));
  } catch (error) {
    if (!(error instanceof LookupError)) throw error;
    throw new SlipwayError("network", `--index-url: could not read ${project}'s page: ${error.message}`, {
      hint: "check the URL (the simple API root, e.g. https://pypi.org/simple/), or leave --index-url out",
      cause: error,
    });
  }
  let best: { text: string; parsed: NonNullable<ReturnType<typeof pep440.parseVersion>> } | undefined;
  for (const file of listing.files) {
    const wheel = parseWheelFilename(file.filename);
    const sdist = wheel.ok ? undefined : parseSdistFilename(file.filename);
    const text = wheel.ok ? wheel.value.version : sdist?.ok ? sdist.value.version : undefined;
    const parsed = text === undefined ? undefined : pep440.parseVersion(text);
    if (text === undefined || parsed === undefined) continue;
    if (best === undefined || pep440.compareVersions(parsed, best.parsed) > 0) best = { text, parsed };
  }
  return best?.text ?? null;
}

async function projectOf(options: StatusOptions): Promise<{ name: string; sourceVersion: string | null }> {
  const { pyproject } = await openProject(options.root, { env: options.env }).projectConfig();
  const table = pyproject["project"];
  const project = typeof table === "object" && table !== null && !Array.isArray(table) ? table : {};
  const name = (project as Record<string, unknown>)["name"];
  const version = (project as Record<string, unknown>)["version"];
  return {
    name: typeof name === "string" && name !== "" ? name : basename(options.root),
    sourceVersion: typeof version === "string" ? version : null,
  };
}

export async function status(options: StatusOptions): Promise<StatusResult> {
  const today = new Date(options.now).toISOString().slice(0, 10);
  // Every input is read and checked before anything is scanned or written.
  const historyText =
    options.history === undefined
      ? undefined
      : await readOptional(resolve(options.cwd, options.history), options.history, MAX_HISTORY_BYTES);
  const history = historyText === undefined ? [] : parseHistory(historyText, options.history!);
  const outText =
    options.out === undefined
      ? undefined
      : await readOptional(resolve(options.cwd, options.out), options.out, MAX_STATUS_BYTES);
  const previous = outText === undefined ? history.at(-1) : parseSecurityStatus(outText, options.out!);

  // Independent reads, at once (git's HEAD is a process of its own).
  const [project, scanned, commit] = await Promise.all([
    projectOf(options),
    options.from === undefined ? runScans(options, today) : readScans(options, options.from),
    headCommit(gitAt(options.root, options.env)).then(
      (sha) => sha ?? null,
      () => null,
    ),
  ]);
  if (options.sarifIn !== undefined && options.sarifIn.length > 0) {
    const { readSarifSections } = await import("./scan-sarif-in.ts");
    for (const section of await readSarifSections(options.sarifIn, options.cwd)) {
      scanned.sections.push(docSection(section));
      scanned.scanners.push({
        name: section.scanner,
        ...(section.version === undefined ? {} : { version: section.version }),
      });
    }
  }
  const version = options.indexUrl === undefined ? null : await indexVersion(options, project.name);

  const document = buildStatus({
    sections: scanned.sections,
    project: { name: project.name, version, sourceVersion: project.sourceVersion },
    commit,
    now: options.now,
    ...(previous === undefined ? {} : { previous }),
    history,
    scanners: uniqueScanners(scanned.scanners),
  });
  const text = renderStatus(document);
  const result: StatusResult = {
    document,
    text,
    skipped: document.scanners.filter((s) => s.skipped !== undefined),
    notes: scanned.notes,
  };
  // Another run that appended to the history meanwhile would lose its document under ours:
  // refuse before anything is written.
  if (options.history !== undefined) {
    const now = await readOptional(resolve(options.cwd, options.history), options.history, MAX_HISTORY_BYTES);
    if (now !== historyText)
      throw new SlipwayError(
        "io",
        `${options.history} changed while slipway status ran; nothing was written`,
        {
          hint: "another run appended to it: run slipway status again",
        },
      );
  }
  const kept = options.history === undefined ? undefined : appendHistory(history, document, options.keep);
  // The site next: it refuses a directory that is not a slipway site before writing a file.
  if (options.site !== undefined) {
    const [{ assembleStatusSite }, { writeStatusSite }] = await Promise.all([
      import("../core/status/site.ts"),
      import("./status-site.ts"),
    ]);
    result.site = await writeStatusSite({
      dir: options.site,
      cwd: options.cwd,
      files: assembleStatusSite(document, { history: kept ?? [...history, document], documentText: text }),
    });
  }
  // The history before --out: a document it holds and --out lacks is still what the next run starts from.
  if (options.history !== undefined && kept !== undefined) {
    await write(resolve(options.cwd, options.history), options.history, renderHistory(kept));
    result.historyEntries = kept.length;
  }
  if (options.out !== undefined) await write(resolve(options.cwd, options.out), options.out, text);
  return result;
}

/** Atomically (a temp file beside it, then a rename): a reader sees the old file or the new one. */
async function write(path: string, shown: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    throw new SlipwayError("io", `${shown}: could not be written (${(error as Error).message})`, {
      hint: "name a file in a directory that exists and is writable",
      cause: error,
    });
  }
}

/** Two SARIF runs of one tool are one scanner. */
function uniqueScanners(scanners: readonly StatusScanner[]): StatusScanner[] {
  const seen = new Set<string>();
  return scanners.filter((s) => {
    if (seen.has(s.name)) return false;
    seen.add(s.name);
    return true;
  });
}
