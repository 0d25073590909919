/**
 * Link reference definitions at the bottom of a Keep a Changelog file:
 *   [unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD
 *   [1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0
 * Only definitions after the insertion point are touched, and only the two that a release changes.
 */

import { SlipwayError } from "../../errors.ts";
import { parseVersion } from "../pep440/version.ts";
import { type ChangelogScan, sameVersion } from "./changelog-scan.ts";

export interface LinkOptions {
  /** Compare URL with `{from}` and `{to}` tag placeholders: `https://github.com/o/r/compare/{from}...{to}`. */
  compareUrl: string;
  /** URL of a first release, which has nothing to compare with: `https://github.com/o/r/releases/tag/{tag}`. */
  releaseUrl?: string;
  /** Tag name of a version; default `v{version}`. */
  tagFormat?: string;
  /** The release before this one; default: the newest release heading in the file. */
  previousVersion?: string;
}

export interface LinkUpdate {
  scan: ChangelogScan;
  /** Offset in the scanned text where `rest` begins. */
  restStart: number;
  version: string;
  previous: string | undefined;
  /** Add a `[version]` definition (only useful when headings are `[bracketed]`). */
  addVersion: boolean;
  /** Add an `[unreleased]` definition when there is none (new files). */
  addUnreleased?: boolean;
  eol: string;
  links: LinkOptions;
}

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

/** `rest` (the text after the insertion point) with its link definitions updated. */
export function updateLinks(rest: string, update: LinkUpdate): string {
  const { links, scan, restStart, eol } = update;
  if (!links.compareUrl.includes("{from}") || !links.compareUrl.includes("{to}")) {
    throw new SlipwayError("config", `changelog compare URL "${links.compareUrl}" lacks {from} or {to}`, {
      hint: "write it like https://github.com/OWNER/REPO/compare/{from}...{to}",
    });
  }
  const tag = (version: string) => (links.tagFormat ?? "v{version}").replaceAll("{version}", version);
  const compare = (from: string, to: string) =>
    links.compareUrl.replaceAll("{from}", from).replaceAll("{to}", to);
  const definitions = scan.links.filter((l) => scan.lines[l.line]!.start >= restStart);
  const edits: Edit[] = [];

  const unreleased = definitions.find((l) => /^unreleased$/i.test(l.label.trim()));
  const unreleasedUrl = compare(tag(update.version), "HEAD");
  if (unreleased !== undefined) {
    edits.push({
      at: unreleased.urlStart - restStart,
      remove: unreleased.urlEnd - unreleased.urlStart,
      insert: unreleasedUrl,
    });
  }

  const added: string[] = [];
  if (unreleased === undefined && update.addUnreleased === true) added.push(`[unreleased]: ${unreleasedUrl}`);
  const known = scan.links.some((l) => sameVersion(l.label.trim(), update.version));
  if (update.addVersion && !known) {
    const url =
      update.previous !== undefined
        ? compare(tag(update.previous), tag(update.version))
        : links.releaseUrl?.replaceAll("{tag}", tag(update.version));
    if (url !== undefined) added.push(`[${update.version}]: ${url}`);
  }

  if (added.length > 0) {
    const block = added.map((line) => line + eol).join("");
    // Newest first, like the headings: above the newest version definition, else below [unreleased].
    const newest = definitions.find((l) => parseVersion(l.label.trim()) !== undefined);
    if (newest !== undefined) {
      edits.push({ at: scan.lines[newest.line]!.start - restStart, remove: 0, insert: block });
    } else if (unreleased !== undefined) {
      const line = scan.lines[unreleased.line]!;
      edits.push({
        at: line.next - restStart,
        remove: 0,
        insert: (line.next === line.end ? eol : "") + block,
      });
    } else {
      const lastLine = rest.trimEnd().split("\n").pop() ?? "";
      let lead = rest !== "" && !rest.endsWith("\n") ? eol : "";
      if (rest.trim() !== "" && !/^ {0,3}\[[^\]]+\]:/.test(lastLine)) lead += eol;
      edits.push({ at: rest.length, remove: 0, insert: lead + block });
    }
  }

  let text = rest;
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    text = text.slice(0, edit.at) + edit.insert + text.slice(edit.at + edit.remove);
  }
  return text;
}
