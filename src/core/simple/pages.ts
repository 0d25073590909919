/**
 * Simple repository API pages (PEP 503 HTML, PEP 691 JSON) at api-version 1.3: `versions` and
 * `size` (PEP 700), `upload-time`, PEP 658/714 core metadata, PEP 740 `provenance`. Pure text
 * in, text out. (1.2 is PEP 708's `tracks`/`alternate-locations`, optional keys PyPI omits too.)
 */

import { escapeHtml } from "../html.ts";
import { parseSdistFilename, parseWheelFilename } from "../names/filename.ts";

export { escapeHtml };

import { compareVersions, formatVersion, parseVersion, type Version } from "../pep440/version.ts";

/**
 * The api-version this index speaks: 1.1 is the first with `versions` and `size` (PEP 700), 1.3
 * the first with `provenance` (PEP 740).
 */
export const API_VERSION = "1.3";

export interface SimpleFile {
  filename: string;
  /** Absolute, or relative to the page's URL. */
  url: string;
  /** Lowercase hex. */
  sha256: string;
  size: number;
  requiresPython?: string;
  /** ISO 8601 UTC with a `Z` suffix. */
  uploadTime?: string;
  /** sha256 of the PEP 658 `{url}.metadata` file, when there is one (wheels). */
  coreMetadataSha256?: string;
  /**
   * PEP 740: the fully qualified URL of the file's provenance object, or null when it has none
   * (`provenance` / `data-provenance`). Left out, the page says nothing about provenance.
   */
  provenance?: string | null;
}

export interface ProjectPage {
  /** The normalized project name. */
  name: string;
  files: readonly SimpleFile[];
}

/**
 * Every version that has a file, normalized and in PEP 440 order (PEP 700 `versions`). Files
 * whose names do not parse contribute nothing.
 */
export function projectVersions(filenames: readonly string[]): string[] {
  const seen = new Map<string, Version>();
  for (const filename of filenames) {
    const parsed = filename.endsWith(".whl") ? parseWheelFilename(filename) : parseSdistFilename(filename);
    const version = parsed.ok ? parseVersion(parsed.value.version) : undefined;
    if (version) seen.set(formatVersion(version), version);
  }
  return [...seen.entries()].sort((a, b) => compareVersions(a[1], b[1])).map(([text]) => text);
}

function fileJson(file: SimpleFile): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    filename: file.filename,
    url: file.url,
    hashes: { sha256: file.sha256 },
    "requires-python": file.requiresPython ?? null,
    size: file.size,
    yanked: false,
  };
  if (file.uploadTime !== undefined) entry["upload-time"] = file.uploadTime;
  if (file.coreMetadataSha256 !== undefined) {
    // PEP 714: only the new key in JSON. pip 22.3–23.0 crash on a `dist-info-metadata` dict
    // ("TypeError: unhashable type: 'dict'"), so the legacy key is never emitted here.
    entry["core-metadata"] = { sha256: file.coreMetadataSha256 };
  }
  if (file.provenance !== undefined) entry.provenance = file.provenance;
  return entry;
}

/** The PEP 691 JSON project page. */
export function renderProjectJson(page: ProjectPage): string {
  return JSON.stringify({
    meta: { "api-version": API_VERSION },
    name: page.name,
    versions: projectVersions(page.files.map((f) => f.filename)),
    files: page.files.map(fileJson),
  });
}

function fileAnchor(file: SimpleFile): string {
  const attrs = [`href="${escapeHtml(`${file.url}#sha256=${file.sha256}`)}"`];
  if (file.requiresPython !== undefined && file.requiresPython !== "") {
    attrs.push(`data-requires-python="${escapeHtml(file.requiresPython)}"`);
  }
  if (file.coreMetadataSha256 !== undefined) {
    // Both names, equal: PEP 714 allows the legacy attribute in HTML only, for HTML-only clients.
    attrs.push(`data-core-metadata="sha256=${file.coreMetadataSha256}"`);
    attrs.push(`data-dist-info-metadata="sha256=${file.coreMetadataSha256}"`);
  }
  if (typeof file.provenance === "string") attrs.push(`data-provenance="${escapeHtml(file.provenance)}"`);
  return `    <a ${attrs.join(" ")}>${escapeHtml(file.filename)}</a><br />`;
}

function htmlDocument(title: string, lines: readonly string[]): string {
  return [
    "<!DOCTYPE html>",
    "<html>",
    "  <head>",
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    "  </head>",
    "  <body>",
    `    <h1>${escapeHtml(title)}</h1>`,
    ...lines,
    "  </body>",
    "</html>",
    "",
  ].join("\n");
}

/** The PEP 503 HTML project page, one anchor per file with `#sha256=` and the data attributes. */
export function renderProjectHtml(page: ProjectPage): string {
  return htmlDocument(`Links for ${page.name}`, page.files.map(fileAnchor));
}

/** The PEP 691 JSON project list; `names` are normalized. */
export function renderIndexJson(names: readonly string[]): string {
  return JSON.stringify({
    meta: { "api-version": API_VERSION },
    projects: names.map((name) => ({ name })),
  });
}

/** The PEP 503 HTML project list, each name linking to `{name}/`. */
export function renderIndexHtml(names: readonly string[]): string {
  const anchors = names.map(
    (name) => `    <a href="${escapeHtml(`${name}/`)}">${escapeHtml(name)}</a><br />`,
  );
  return htmlDocument("Simple index", anchors);
}
