/**
 * Just enough Markdown to find where a release goes in a CHANGELOG.md: lines with their exact
 * offsets (so every byte we do not mean to change is copied, CRLF included), ATX headings and
 * link reference definitions outside fenced code blocks (CommonMark 0.31 §4.2, §4.5, §4.7).
 */

import { compareVersions, parseVersion } from "../pep440/version.ts";

export interface Line {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the content, before the line ending. */
  end: number;
  /** Offset of the next line (past "\n" / "\r\n"); equals `end` on a last line without one. */
  next: number;
  text: string;
}

export interface Heading {
  /** Index into the lines. */
  line: number;
  level: number;
  text: string;
}

export interface LinkDefinition {
  line: number;
  label: string;
  /** Offsets of the destination, for replacing it alone. */
  urlStart: number;
  urlEnd: number;
}

export interface ChangelogScan {
  lines: Line[];
  headings: Heading[];
  links: LinkDefinition[];
  /** First line of the trailing run of link definitions (and blank lines); `lines.length` if none. */
  trailer: number;
}

const HEADING = /^ {0,3}(#{1,6})(?=[ \t]|$)[ \t]*(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LINK_DEFINITION = /^( {0,3}\[([^\]]+)\]:[ \t]*)(\S+)/;
const UNRELEASED = /^\[?unreleased\b/i;
// `[1.2.0] - 2026-01-02`, `v1.2.0 (2026-01-02)`, `[1.2.0](https://…) (2026-01-02)`.
const RELEASE = /^\[?v?(\d[0-9A-Za-z.!+_-]*)/;

/** Splits text into lines, keeping the exact offsets of each line and its ending. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const next = newline < 0 ? text.length : newline + 1;
    const end =
      newline < 0 ? text.length : newline > start && text[newline - 1] === "\r" ? newline - 1 : newline;
    lines.push({ start, end, next, text: text.slice(start, end) });
    start = next;
  }
  return lines;
}

/** The line ending the file already uses (its first one); "\n" for a file without any. */
export function detectEol(text: string): "\n" | "\r\n" {
  const newline = text.indexOf("\n");
  return newline > 0 && text[newline - 1] === "\r" ? "\r\n" : "\n";
}

/** Reads headings and link definitions outside fenced code blocks. */
export function scanChangelog(text: string): ChangelogScan {
  const lines = splitLines(text);
  const headings: Heading[] = [];
  const links: LinkDefinition[] = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const content = index === 0 ? line.text.replace(/^\uFEFF/, "") : line.text;
    const offset = line.start + line.text.length - content.length;
    const opener = FENCE.exec(content)?.[1];
    if (fence !== undefined) {
      // A closing fence: same character, at least as long, nothing after it but spaces.
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) {
        if (content.trim() === opener) fence = undefined;
      }
      return;
    }
    if (opener !== undefined) {
      fence = opener;
      return;
    }
    const heading = HEADING.exec(content);
    if (heading !== null) {
      headings.push({ line: index, level: heading[1]!.length, text: heading[2]! });
      return;
    }
    const link = LINK_DEFINITION.exec(content);
    if (link !== null) {
      const urlStart = offset + link[1]!.length;
      links.push({ line: index, label: link[2]!, urlStart, urlEnd: urlStart + link[3]!.length });
    }
  });
  let trailer = lines.length;
  const linkLines = new Set(links.map((l) => l.line));
  for (let i = lines.length - 1; i >= 0; i--) {
    if (linkLines.has(i)) trailer = i;
    else if (lines[i]!.text.trim() !== "") break;
  }
  return { lines, headings, links, trailer };
}

/** The version a release heading names (`[1.2.0] - …` → `1.2.0`); undefined for other headings. */
export function releaseOfHeading(heading: Heading): string | undefined {
  if (heading.level > 3) return undefined;
  return RELEASE.exec(heading.text)?.[1];
}

export function isUnreleasedHeading(heading: Heading): boolean {
  return heading.level <= 3 && UNRELEASED.test(heading.text);
}

/** Equal as PEP 440 versions when both parse (`v1.2` = `1.2.0`), else as written. */
export function sameVersion(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x !== undefined && y !== undefined) return compareVersions(x, y) === 0;
  return a.replace(/^v/i, "") === b.replace(/^v/i, "");
}
