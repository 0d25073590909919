/**
 * Proof that what pip installed is the artifact under test: the archive hash pip reports for the
 * file it installed (`pip install --report`, pip >= 22.2) against the local file's sha256, and the
 * installed RECORD against the wheel's own files, path by path and hash by hash.
 */
import { normalizeName } from "../names/name.ts";

/** One `install` item of a pip installation report (report format version 1). */
export interface PipReportItem {
  name: string;
  version: string;
  url: string;
  /** Lowercase hex sha256 of the archive pip installed, when it reported one. */
  sha256?: string;
  /** The archive hash as pip wrote it (`alg=hex`), whatever the algorithm. */
  hash?: string;
}

/** The items of a `pip install --report` JSON document; throws a plain Error when it is not one. */
export function parsePipReport(text: string): PipReportItem[] {
  const doc = JSON.parse(text) as { install?: unknown };
  if (!Array.isArray(doc.install)) throw new Error("the report has no install list");
  return doc.install.map((raw): PipReportItem => {
    const item = raw as {
      metadata?: { name?: string; version?: string };
      download_info?: { url?: string; archive_info?: { hash?: string; hashes?: Record<string, string> } };
    };
    const archive = item.download_info?.archive_info;
    // pip >= 22.2 writes `hash`; `hashes` came with PEP 710's format in pip 23.
    const fromHash = /^sha256=([0-9a-f]{64})$/i.exec(archive?.hash ?? "")?.[1];
    const sha256 = (archive?.hashes?.["sha256"] ?? fromHash)?.toLowerCase();
    return {
      name: item.metadata?.name ?? "",
      version: item.metadata?.version ?? "",
      url: item.download_info?.url ?? "",
      ...(sha256 === undefined ? {} : { sha256 }),
      ...(archive?.hash === undefined ? {} : { hash: archive.hash }),
    };
  });
}

/** The report item of project `name`, if pip installed it. */
export function findReportItem(items: readonly PipReportItem[], name: string): PipReportItem | undefined {
  const want = normalizeName(name);
  return items.find((item) => normalizeName(item.name) === want);
}

/** The file name at the end of a download URL (fragment and query dropped, percent-decoded). */
export function urlFilename(url: string): string {
  const path = url.replace(/[#?].*$/, "");
  const last = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** A local artifact the installed one is compared with. */
export interface LocalArtifact {
  filename: string;
  sha256: string;
}

/** What slipway gave pip to find distributions in: its only sources (pip runs without pip.conf). */
export interface PipSources {
  indexUrl?: string;
  /** Absolute directory paths or URLs (the local artifacts' directory among them, for local installs). */
  findLinks: readonly string[];
}

const originOf = (url: string): string | undefined =>
  /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0]?.toLowerCase();
const pathOfFileUrl = (url: string): string | undefined => {
  if (!url.toLowerCase().startsWith("file://")) return undefined;
  const path = url.slice("file://".length).replace(/[#?].*$/, "");
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/**
 * Which of `sources` a download URL from pip's report belongs to, in words ("the index URL",
 * "the find-links directory DIR"), or undefined when it is none of them.
 */
export function describeSource(url: string, sources: PipSources): string | undefined {
  const path = pathOfFileUrl(url);
  for (const link of sources.findLinks) {
    const dir = (pathOfFileUrl(link) ?? (link.includes("://") ? undefined : link))?.replace(/\/+$/, "");
    if (path !== undefined && dir !== undefined && path.startsWith(`${dir}/`))
      return `the find-links directory ${dir}`;
    if (path === undefined && dir === undefined && originOf(link) === originOf(url))
      return `the find-links page ${link}`;
  }
  if (sources.indexUrl !== undefined && path === undefined && originOf(sources.indexUrl) === originOf(url))
    return `the index ${sources.indexUrl}`;
  return undefined;
}

function listSources(sources: PipSources): string {
  const all = [
    ...(sources.indexUrl === undefined ? [] : [`index ${sources.indexUrl}`]),
    ...sources.findLinks.map((l) => `find-links ${l}`),
  ];
  return all.length > 0 ? all.join(", ") : "none";
}

/**
 * The hint for a file pip installed that is not the artifact under test: where pip took it
 * from (its report's `download_info.url`) and what puts another file there.
 */
function foreignFileHint(url: string, sources: PipSources, what: string): string {
  const source = describeSource(url, sources);
  if (source !== undefined) {
    return `pip took it from ${url}, through ${source}, which ${what}: an earlier upload of this version, or a mirror, upstream or extra index that answers for it. Replace the file there, or bump the version: PyPI never lets a file name be reused.`;
  }
  return `pip took it from ${url}, which is none of the places slipway gave pip (${listSources(sources)}). A pip configuration or an extra index (pip.conf, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL) sends plain pip to such places; slipway runs pip without them, so the index links or redirects there: check what it serves for this file.`;
}

export type ArchiveVerdict =
  | { ok: true; filename: string; sha256: string; message: string }
  | { ok: false; message: string; hint: string; installed?: string; local?: string }
  /** pip named no sha256 (an index that links with another hash): only RECORD can decide. */
  | { ok: "unknown"; filename: string; message: string };

/**
 * Compares the archive pip installed with the local artifact of the same file name; a failure's
 * hint says which of `sources` pip took the file from.
 */
export function checkArchiveHash(
  item: PipReportItem,
  locals: readonly LocalArtifact[],
  sources: PipSources = { findLinks: [] },
): ArchiveVerdict {
  const filename = urlFilename(item.url);
  const local = locals.find((l) => l.filename === filename);
  if (local === undefined) {
    return {
      ok: false,
      message: `pip installed ${filename} (from ${item.url}), which is not among the artifacts under test (${locals.map((l) => l.filename).join(", ")})`,
      hint: foreignFileHint(item.url, sources, "serves another file for this version"),
    };
  }
  if (item.sha256 === undefined) {
    return {
      ok: "unknown",
      filename,
      message: `pip reported no sha256 for ${filename} (${item.hash ?? "no hash at all"})`,
    };
  }
  if (item.sha256 !== local.sha256) {
    return {
      ok: false,
      message: `${filename} installed from ${item.url} has sha256 ${item.sha256}, but the local artifact has sha256 ${local.sha256}`,
      hint: foreignFileHint(item.url, sources, "holds other bytes under this file name"),
      installed: item.sha256,
      local: local.sha256,
    };
  }
  return { ok: true, filename, sha256: local.sha256, message: `sha256 ${local.sha256} matches ${filename}` };
}

/**
 * An installed file, placed by the scheme directory it landed in: `lib` (purelib or platlib),
 * `scripts`, `data` (the environment's root), or `other` (outside all of them; absolute path).
 */
export interface InstalledFile {
  scheme: "lib" | "scripts" | "data" | "other";
  /** Path inside the scheme directory, `/`-separated. */
  path: string;
  /** The RECORD hash field as pip wrote it (`sha256=<urlsafe b64>`), possibly empty. */
  hash: string;
}

/** A file of the wheel: its member path and the urlsafe-b64 sha256 of its content. */
export interface WheelFile {
  path: string;
  sha256: string;
}

export interface RecordDifference {
  path: string;
  problem: "missing" | "different" | "unexpected";
  installed?: string;
  expected?: string;
}

// Files the installer writes into dist-info itself (PEP 376, PEP 610, PEP 627), and the
// signature files that may never match an installed copy.
const INSTALLER_FILES = new Set(["RECORD", "INSTALLER", "REQUESTED", "direct_url.json"]);
const SIGNATURES = new Set(["RECORD", "RECORD.jws", "RECORD.p7s"]);

const isCompiled = (path: string) => path.endsWith(".pyc") || path.includes("__pycache__/");

/**
 * Where pip puts a wheel member ([BDF] "Installing a wheel"): root files and `.data/purelib|platlib`
 * into `lib`, `.data/scripts` into `scripts`, `.data/data` into the environment root. Headers go
 * somewhere installer-specific (`include/site/...`): matched by the end of the path.
 */
function destination(path: string): { scheme: InstalledFile["scheme"]; path: string; suffix?: true } {
  const [top = "", scheme = "", ...rest] = path.split("/");
  if (!top.endsWith(".data") || rest.length === 0) return { scheme: "lib", path };
  const inner = rest.join("/");
  if (scheme === "purelib" || scheme === "platlib") return { scheme: "lib", path: inner };
  if (scheme === "scripts") return { scheme: "scripts", path: inner };
  if (scheme === "data") return { scheme: "data", path: inner };
  return { scheme: "data", path: inner, suffix: true };
}

/**
 * Compares the installed files (from the installed RECORD, placed by scheme) with the wheel's
 * files. Scripts are compared by presence only: pip rewrites their `#!python` line. Files the
 * installer adds (its dist-info bookkeeping, bytecode, console-script wrappers, anything outside
 * `lib`) are not differences; any other file in `lib` that the wheel lacks is one.
 */
export function compareInstalledRecord(
  wheel: readonly WheelFile[],
  installed: readonly InstalledFile[],
  distInfo: string,
): RecordDifference[] {
  const byKey = new Map(installed.map((f) => [`${f.scheme}:${f.path}`, f]));
  const seen = new Set<string>();
  const differences: RecordDifference[] = [];
  for (const file of wheel) {
    const [top = "", base = ""] = file.path.split("/");
    if (top === distInfo && SIGNATURES.has(base) && file.path === `${top}/${base}`) continue;
    const to = destination(file.path);
    const found = to.suffix
      ? installed.find((f) => f.scheme !== "lib" && (f.path === to.path || f.path.endsWith(`/${to.path}`)))
      : byKey.get(`${to.scheme}:${to.path}`);
    if (found === undefined) {
      differences.push({ path: file.path, problem: "missing", expected: `sha256=${file.sha256}` });
      continue;
    }
    seen.add(`${found.scheme}:${found.path}`);
    if (to.scheme === "scripts") continue;
    if (found.hash !== `sha256=${file.sha256}`) {
      differences.push({
        path: file.path,
        problem: "different",
        installed: found.hash || "(no hash)",
        expected: `sha256=${file.sha256}`,
      });
    }
  }
  for (const file of installed) {
    if (file.scheme !== "lib" || seen.has(`lib:${file.path}`) || isCompiled(file.path)) continue;
    const [top = "", base = ""] = file.path.split("/");
    if (top === distInfo && file.path === `${top}/${base}` && INSTALLER_FILES.has(base)) continue;
    differences.push({ path: file.path, problem: "unexpected", installed: file.hash || "(no hash)" });
  }
  return differences;
}

/** One line per difference, for a failure message (the first `limit`, then a count). */
export function describeDifferences(differences: readonly RecordDifference[], limit = 10): string[] {
  const lines = differences.slice(0, limit).map((d) => {
    if (d.problem === "missing") return `${d.path}: in the wheel, not installed`;
    if (d.problem === "unexpected") return `${d.path}: installed (${d.installed}), not in the wheel`;
    return `${d.path}: installed ${d.installed}, local wheel ${d.expected}`;
  });
  if (differences.length > limit) lines.push(`... and ${differences.length - limit} more`);
  return lines;
}
