/**
 * Keep a Changelog 1.1.0 entries (https://keepachangelog.com/en/1.1.0/): assembled from changes,
 * rendered, and inserted into an existing CHANGELOG.md without touching a byte above the
 * insertion point or any past entry. Pure: the text comes in, the new text goes out.
 */

import { SlipwayError } from "../../errors.ts";
import { type Change, changeKey, SECTIONS, type Section, sameWordsKey } from "./change.ts";
import {
  detectEol,
  isUnreleasedHeading,
  type Line,
  releaseOfHeading,
  sameVersion,
  scanChangelog,
} from "./changelog-scan.ts";
import { type LinkOptions, updateLinks } from "./links.ts";
import { hasContent, mergeParts, parseUnreleased } from "./unreleased.ts";

export interface EntryItem {
  /** Markdown of the bullet without the `- ` marker; continuation lines already indented. */
  text: string;
  /** Wording for de-duplication: scope and description, without hash or issue links. */
  key: string;
}

export interface EntrySection {
  section: Section;
  items: EntryItem[];
}

export interface ChangelogEntry {
  /** As it should appear in the heading (the normalized PEP 440 version). */
  version: string;
  /** ISO 8601 calendar date, `YYYY-MM-DD`. */
  date: string;
  /** Prose under the heading (moved from Unreleased). */
  intro: string | undefined;
  /** Non-empty sections in Keep a Changelog order. */
  sections: EntrySection[];
  /** Verbatim Markdown after the sections (moved from Unreleased). */
  extra: string | undefined;
}

export interface ItemOptions {
  /** Link short hashes: `https://github.com/o/r/commit/{hash}`. */
  commitUrl?: string;
  /** Show `(abc1234)` after commit bullets even without `commitUrl`. */
  showHashes?: boolean;
  /** Link numeric fragment ids: `https://github.com/o/r/issues/{id}`; plain `(#12)` without it. */
  issueUrl?: string;
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const EMPTY_ENTRY = "No user-facing changes.";
const HTML_COMMENT_LINE = /^ {0,3}<!--.*-->\s*$/;

/** The header of a new CHANGELOG.md. slipway versions are PEP 440, so it says so (not SemVer). */
export const CHANGELOG_HEADER = [
  "# Changelog",
  "",
  "All notable changes to this project will be documented in this file.",
  "",
  "The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),",
  "and this project's versions follow [PEP 440](https://peps.python.org/pep-0440/).",
].join("\n");

function indent(text: string): string {
  return text.replace(/\n(?=[^\n])/g, "\n  ");
}

/** One bullet: `**scope**: description (hash)`, then breaking notes as indented paragraphs. */
export function renderItem(change: Change, options: ItemOptions = {}): EntryItem {
  let text = "";
  if (change.scope !== undefined && change.scope.toLowerCase() !== change.section?.toLowerCase()) {
    text += `**${change.scope}**: `;
  }
  if (change.breaking) text += "**Breaking:** ";
  text += change.description.trim();
  const key = sameWordsKey(text);
  const origin = change.origin;
  if (origin.kind === "commit") {
    const short = origin.hash.slice(0, 7);
    if (options.commitUrl !== undefined) {
      text += ` ([${short}](${options.commitUrl.replaceAll("{hash}", origin.hash)}))`;
    } else if (options.showHashes === true) text += ` (${short})`;
  } else if (origin.id !== undefined && /^\d+$/.test(origin.id)) {
    text +=
      options.issueUrl === undefined
        ? ` (#${origin.id})`
        : ` ([#${origin.id}](${options.issueUrl.replaceAll("{id}", origin.id)}))`;
  }
  for (const note of change.breakingNotes) {
    if (note.trim() !== change.description.trim()) text += `\n\n${note.trim()}`;
  }
  return { text: indent(text), key };
}

/**
 * The entry for `version` released on `date`: listed changes grouped by section in Keep a
 * Changelog order, input order within a section (pass fragments first), identical bullets once.
 * Hidden changes (no section) are left out. Throws a usage error for a date that is not YYYY-MM-DD.
 */
export function assembleEntry(
  changes: readonly Change[],
  options: ItemOptions & { version: string; date: string },
): ChangelogEntry {
  if (!DATE.test(options.date)) {
    throw new SlipwayError("usage", `changelog date "${options.date}" is not an ISO 8601 date (YYYY-MM-DD)`, {
      hint: "pass the release date as YYYY-MM-DD, e.g. 2026-11-22",
    });
  }
  const seen = new Set<string>();
  const sections = SECTIONS.flatMap((section) => {
    const items = changes
      .filter((change) => {
        if (change.section !== section || seen.has(changeKey(change))) return false;
        seen.add(changeKey(change));
        return true;
      })
      .map((change) => renderItem(change, options));
    return items.length === 0 ? [] : [{ section, items }];
  });
  return { version: options.version, date: options.date, intro: undefined, sections, extra: undefined };
}

function renderBody(entry: ChangelogEntry): string[] {
  const lines: string[] = [];
  if (entry.intro !== undefined) lines.push(entry.intro, "");
  for (const { section, items } of entry.sections) {
    lines.push(`### ${section}`, "");
    for (const item of items) lines.push(`- ${item.text}`);
    lines.push("");
  }
  if (entry.extra !== undefined) lines.push(entry.extra, "");
  if (lines.length === 0) lines.push(EMPTY_ENTRY, "");
  lines.pop();
  return lines;
}

/**
 * The entry as Markdown: `## [1.2.0] - 2026-11-22` (no brackets with `bracketed: false`), then the
 * sections; ends with one line ending. `eol` is used for every line ending.
 */
export function renderEntry(
  entry: ChangelogEntry,
  options: { eol?: string; bracketed?: boolean } = {},
): string {
  const version = options.bracketed === false ? entry.version : `[${entry.version}]`;
  const text = [`## ${version} - ${entry.date}`, "", ...renderBody(entry), ""].join("\n");
  return options.eol === undefined || options.eol === "\n" ? text : text.replaceAll("\n", options.eol);
}

/** Markdown for the host release (GitHub/GitLab/Gitea): the entry's sections without its heading. */
export function renderReleaseNotes(entry: ChangelogEntry): string {
  return `${renderBody(entry).join("\n")}\n`;
}

export type InsertResult =
  | {
      status: "inserted";
      text: string;
      /** The entry as written, including content moved from Unreleased (use it for release notes). */
      entry: ChangelogEntry;
      /** `text` and the old file agree on every character before this offset. */
      offset: number;
      movedUnreleased: boolean;
      created: boolean;
    }
  /** The file already has a heading for this version (e.g. a resumed release): nothing to do. */
  | { status: "exists"; line: number };

/**
 * Inserts `entry` into a CHANGELOG.md (undefined or blank: a new file with the standard header).
 *
 * - After a `## [Unreleased]` heading that precedes every release: its content moves into the
 *   entry (hand-written bullets first) and the heading stays, empty.
 * - Else before the first release heading (`## [1.1.0]`, `## v1.1.0 (…)`, release-please `###`).
 * - Else at the end, above a trailing block of link reference definitions.
 *
 * Everything before the insertion point is unchanged; past entries are unchanged; the file's line
 * ending (CRLF or LF) and heading style (with or without brackets) are kept. With `links`, the
 * `[unreleased]` definition is pointed at the new tag and a `[version]` definition is added.
 */
export function insertEntry(
  existing: string | undefined,
  entry: ChangelogEntry,
  options: { links?: LinkOptions } = {},
): InsertResult {
  if (existing === undefined || existing.trim() === "")
    return createChangelog(existing ?? "", entry, options);
  const eol = detectEol(existing);
  const scan = scanChangelog(existing);
  const { lines, headings } = scan;
  const releases = headings.flatMap((h) => {
    const version = releaseOfHeading(h);
    return version === undefined ? [] : [{ heading: h, version }];
  });
  const same = releases.find((r) => sameVersion(r.version, entry.version));
  if (same !== undefined) return { status: "exists", line: same.heading.line + 1 };
  const first = releases[0];
  const unreleased = headings.find(
    (h) => isUnreleasedHeading(h) && (first === undefined || h.line < first.heading.line),
  );
  const bracketed = first === undefined || first.heading.text.startsWith("[");
  const lineStart = (index: number) => lines[index]?.start ?? existing.length;

  let head: string; // kept verbatim
  let restStart: number; // where the kept tail begins
  let final = entry;
  let moved = false;
  if (unreleased !== undefined) {
    const end = headings.find(
      (h) => h.line > unreleased.line && (h.level <= unreleased.level || releaseOfHeading(h) !== undefined),
    );
    const endLine = Math.min(end?.line ?? lines.length, scan.trailer);
    // HTML comments right under the heading ("<!-- add entries below -->") guide the next
    // release's authors: they stay with the heading instead of moving into this release.
    let kept = unreleased.line;
    for (let i = unreleased.line + 1; i < endLine; i++) {
      const text = lines[i]!.text;
      if (HTML_COMMENT_LINE.test(text)) kept = i;
      else if (text.trim() !== "") break;
    }
    const headingLine = lines[kept]!;
    head = existing.slice(0, headingLine.next);
    if (headingLine.next === headingLine.end) head += eol;
    const content = lines.slice(kept + 1, endLine).map((l: Line) => l.text);
    const parts = parseUnreleased(content);
    moved = hasContent(parts);
    final = moved ? mergeParts(parts, entry) : entry;
    head += eol;
    restStart = lineStart(endLine);
  } else {
    const at = first === undefined ? scan.trailer : first.heading.line;
    restStart = lineStart(at);
    head = existing.slice(0, restStart);
    if (head !== "" && !head.endsWith("\n")) head += eol;
    const previous = at > 0 ? lines[at - 1] : undefined;
    if (previous !== undefined && previous.text.trim() !== "") head += eol;
  }
  let rest = existing.slice(restStart);
  if (options.links !== undefined) {
    rest = updateLinks(rest, {
      scan,
      restStart,
      version: entry.version,
      previous: options.links.previousVersion ?? first?.version,
      addVersion: bracketed,
      eol,
      links: options.links,
    });
  }
  const body = renderEntry(final, { eol, bracketed });
  const offset = Math.min(restStart, existing.length, commonPrefix(existing, head));
  return {
    status: "inserted",
    text: head + body + (rest === "" ? "" : eol) + rest,
    entry: final,
    offset,
    movedUnreleased: moved,
    created: false,
  };
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function createChangelog(
  existing: string,
  entry: ChangelogEntry,
  options: { links?: LinkOptions },
): InsertResult {
  const eol = detectEol(existing);
  let text = `${CHANGELOG_HEADER}\n\n## [Unreleased]\n\n${renderEntry(entry)}`;
  if (options.links !== undefined) {
    const links = updateLinks("", {
      scan: scanChangelog(""),
      restStart: 0,
      version: entry.version,
      previous: options.links.previousVersion,
      addVersion: true,
      addUnreleased: true,
      eol: "\n",
      links: options.links,
    });
    if (links !== "") text += `\n${links}`;
  }
  if (eol !== "\n") text = text.replaceAll("\n", eol);
  return { status: "inserted", text, entry, offset: 0, movedUnreleased: false, created: true };
}
