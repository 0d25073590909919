/**
 * The hand-written content of a `## [Unreleased]` section, read so a release can take it over:
 * bullets under the Keep a Changelog subsections become items of the new entry (ahead of the
 * generated ones); anything else moves along verbatim.
 */

import { pushAll } from "../arrays.ts";
import { SECTIONS, type Section, sameWordsKey } from "./change.ts";
import type { ChangelogEntry, EntryItem, EntrySection } from "./keep-a-changelog.ts";

export interface EntryParts {
  /** Prose before the first subsection. */
  intro: string | undefined;
  sections: EntrySection[];
  /** Subsections that are not Keep a Changelog categories, or whose body is not a plain list. */
  extra: string | undefined;
}

const SUBHEADING = /^ {0,3}#{3,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ITEM = /^[-*+][ \t]+/;

function trimBlank(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}

// The list items of a subsection body, or undefined when it holds anything but one list.
function listItems(lines: readonly string[]): EntryItem[] | undefined {
  const items: string[][] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const opener = FENCE.exec(line)?.[1];
    if (fence === undefined && ITEM.test(line)) {
      items.push([line.replace(ITEM, "")]);
    } else if (items.length === 0) {
      if (line.trim() !== "") return undefined;
    } else items[items.length - 1]!.push(line);
    if (opener !== undefined) {
      if (fence === undefined) fence = opener;
      else if (opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener)
        fence = undefined;
    }
  }
  return items.map((item) => {
    const text = trimBlank(item).join("\n");
    return { text, key: sameWordsKey(text) };
  });
}

/** Reads Unreleased content (LF line endings, without its heading). */
export function parseUnreleased(lines: readonly string[]): EntryParts {
  const intro: string[] = [];
  const blocks: { title: string; heading: string; body: string[] }[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const opener = FENCE.exec(line)?.[1];
    const heading = fence === undefined ? SUBHEADING.exec(line) : null;
    if (heading !== null) blocks.push({ title: heading[1]!, heading: line, body: [] });
    else (blocks[blocks.length - 1]?.body ?? intro).push(line);
    if (opener !== undefined) {
      if (fence === undefined) fence = opener;
      else if (opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener)
        fence = undefined;
    }
  }
  const sections = new Map<Section, EntryItem[]>();
  const extra: string[] = [];
  for (const block of blocks) {
    const section = SECTIONS.find((s) => s.toLowerCase() === block.title.trim().toLowerCase());
    const body = trimBlank(block.body);
    const items = section === undefined ? undefined : listItems(body);
    if (section !== undefined && items !== undefined) {
      sections.set(section, [...(sections.get(section) ?? []), ...items]);
    } else if (body.length > 0 || section === undefined) {
      extra.push(block.heading, "");
      pushAll(extra, body);
      extra.push("");
    }
  }
  const introText = trimBlank(intro).join("\n");
  const extraText = trimBlank(extra).join("\n");
  return {
    intro: introText === "" ? undefined : introText,
    sections: SECTIONS.flatMap((section) => {
      const items = sections.get(section) ?? [];
      return items.length === 0 ? [] : [{ section, items }];
    }),
    extra: extraText === "" ? undefined : extraText,
  };
}

/** True when the Unreleased content holds anything worth moving. */
export function hasContent(parts: EntryParts): boolean {
  return parts.intro !== undefined || parts.extra !== undefined || parts.sections.length > 0;
}

/**
 * The entry with hand-written parts merged in: their items first in each section, identical
 * bullets once, intros and extras joined (hand-written first).
 */
export function mergeParts(hand: EntryParts, entry: ChangelogEntry): ChangelogEntry {
  const join = (a: string | undefined, b: string | undefined) =>
    a === undefined ? b : b === undefined ? a : `${a}\n\n${b}`;
  const sections = SECTIONS.flatMap((section) => {
    const seen = new Set<string>();
    const items = [
      ...(hand.sections.find((s) => s.section === section)?.items ?? []),
      ...(entry.sections.find((s) => s.section === section)?.items ?? []),
    ].filter((item) => {
      if (seen.has(item.key)) return false;
      seen.add(item.key);
      return true;
    });
    return items.length === 0 ? [] : [{ section, items }];
  });
  return { ...entry, intro: join(hand.intro, entry.intro), sections, extra: join(hand.extra, entry.extra) };
}
