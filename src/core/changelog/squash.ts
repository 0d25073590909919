/**
 * Squash-merge bodies. GitHub writes one `* <subject>` line per original commit, that commit's
 * body below it, then `---------` and `Co-authored-by:` trailers (python-semantic-release#1025:
 * reading only the subject loses every `fix:` inside). Bitbucket writes the same bullets.
 */

import { bodyLines, type Header, isFooterLine, parseHeader } from "./message.ts";

const SQUASH_ITEM = /^[*-][ \t]+(\S.*)$/;
const SQUASH_END = /^-{3,}[ \t]*$/;

export interface SquashItem {
  header: Header;
  line: string;
  body: string;
}

/**
 * Items of a squash-merge body (GitHub: `* <subject>` per original commit, its body below, then
 * `---------` and co-author trailers) and the rest of the body, which belongs to the subject.
 * Only bullets with a known conventional type start an item, so ordinary lists stay body text.
 * An item's subject is its first paragraph, as git reads a subject: lines right under the bullet
 * (GitHub indents them by two spaces) continue its text until a blank line, another bullet, a
 * trailer or the `---------` rule.
 */
export function splitSquash(
  body: string,
  isKnownType: (type: string) => boolean,
): { items: SquashItem[]; rest: string } {
  const items: { header: Header; line: string; lines: string[]; open: boolean }[] = [];
  const rest: string[] = [];
  let ended = false;
  for (const line of bodyLines(body)) {
    const m = ended ? null : SQUASH_ITEM.exec(line);
    const header = m === null ? undefined : parseHeader(m[1]!);
    const last = ended ? undefined : items[items.length - 1];
    if (header !== undefined && isKnownType(header.type)) {
      items.push({ header, line: m![1]!, lines: [], open: true });
    } else if (last !== undefined && SQUASH_END.test(line)) {
      ended = true;
    } else if (last?.open && line.trim() !== "" && m === null && !isFooterLine(line)) {
      last.line = `${last.line} ${line.trim()}`;
      last.header = parseHeader(last.line) ?? last.header;
    } else if (last !== undefined) {
      last.open = false;
      last.lines.push(line);
    } else rest.push(line);
  }
  return {
    items: items.map((item) => ({ header: item.header, line: item.line, body: item.lines.join("\n") })),
    rest: rest.join("\n"),
  };
}
