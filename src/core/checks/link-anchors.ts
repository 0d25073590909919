/**
 * The anchors a document offers to `#fragment` links: GitHub's heading ids for Markdown
 * (github-slugger, as github.com renders README.md and docs/*.md) and docutils' section and
 * target ids for reStructuredText (nodes.make_id). Linear in the text; inline markup of a heading
 * is stripped in one pass, never by backtracking regexes.
 */
import { type MarkdownHeading, scanMarkdownHeadings } from "../readme/markdown-scan.ts";
import { PUNCTUATION_LINE, plainText } from "../readme/rst-body.ts";

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};
const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/y;
const TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>/y;
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>/y;
const WORD = /[\p{L}\p{N}]/u;

function entity(name: string): string {
  if (name.startsWith("#x") || name.startsWith("#X"))
    return safeCodePoint(Number.parseInt(name.slice(2), 16));
  if (name.startsWith("#")) return safeCodePoint(Number.parseInt(name.slice(1), 10));
  return ENTITIES[name] ?? "";
}

const safeCodePoint = (n: number): string => (n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : "\uFFFD");

/**
 * The text GitHub renders for a heading's inline Markdown: link and code text kept, image alt
 * text, HTML tags, destinations and emphasis markers dropped. One forward pass: every search that
 * can fail is done at most once.
 */
export function headingText(raw: string): string {
  let out = "";
  const opens: { at: number; image: boolean }[] = [];
  let noCloseParen = false;
  let noCloseBracket = false;
  let inCode = false;
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === "\\" && i + 1 < raw.length && /[!-/:-@[-`{-~]/.test(raw[i + 1]!)) {
      out += raw[i + 1];
      i += 2;
    } else if (ch === "`") {
      while (raw[i] === "`") i++;
      inCode = !inCode;
    } else if (inCode) {
      out += ch;
      i++;
    } else if (ch === "[" || (ch === "!" && raw[i + 1] === "[")) {
      opens.push({ at: out.length, image: ch === "!" });
      i += ch === "!" ? 2 : 1;
    } else if (ch === "]" && opens.length > 0) {
      const open = opens.pop()!;
      if (open.image) out = out.slice(0, open.at);
      i++;
      const next = raw[i];
      const close = next === "(" ? ")" : next === "[" ? "]" : undefined;
      if (close !== undefined && !(close === ")" ? noCloseParen : noCloseBracket)) {
        const end = raw.indexOf(close, i);
        if (end < 0) {
          if (close === ")") noCloseParen = true;
          else noCloseBracket = true;
        } else i = end + 1;
      }
    } else if (ch === "<") {
      AUTOLINK.lastIndex = i;
      const auto = AUTOLINK.exec(raw);
      TAG.lastIndex = i;
      if (auto) {
        out += auto[1];
        i = AUTOLINK.lastIndex;
      } else if (TAG.test(raw)) i = TAG.lastIndex;
      else {
        out += ch;
        i++;
      }
    } else if (ch === "&") {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(raw);
      if (m) {
        out += entity(m[1]!);
        i = ENTITY.lastIndex;
      } else {
        out += ch;
        i++;
      }
    } else if (ch === "_" || ch === "*") {
      // Emphasis delimiters flank words; an underscore inside a word (snake_case) is text.
      const start = i;
      while (raw[i] === ch) i++;
      const before = raw[start - 1];
      const after = raw[i];
      const intraword = before !== undefined && after !== undefined && WORD.test(before) && WORD.test(after);
      if (ch === "_" && intraword) out += raw.slice(start, i);
    } else {
      out += ch;
      i++;
    }
  }
  return out.trim();
}

// github-slugger: lower-case, drop what is not a letter, mark, number, connector, space or
// hyphen, then each space becomes a hyphen (runs are not collapsed).
const NOT_SLUG = /[^\p{L}\p{M}\p{N}\p{Pc} -]/gu;

/** GitHub's anchor for a heading's rendered text (before de-duplication). */
export function githubSlug(text: string): string {
  return text.toLowerCase().replace(NOT_SLUG, "").replaceAll(" ", "-");
}

const HTML_ID = /<[A-Za-z][^<>]*?\s(?:id|name)\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'|([^\s"'<>=`]+))/g;

/**
 * The anchors of a Markdown document as GitHub names them: heading slugs with `-1`, `-2` for
 * repeats, and the `id`/`name` of raw HTML elements. Lower-cased: GitHub matches fragments
 * without regard to case.
 */
export function markdownAnchors(
  text: string,
  headings: readonly MarkdownHeading[] = scanMarkdownHeadings(text),
): Set<string> {
  const anchors = new Set<string>();
  // github-slugger's occurrences: a repeated slug gets the next free `-N`.
  const occurrences = new Map<string, number>();
  for (const heading of headings) {
    const base = githubSlug(headingText(heading.text));
    let slug = base;
    while (occurrences.has(slug)) {
      const n = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, n);
      slug = `${base}-${n}`;
    }
    occurrences.set(slug, 0);
    anchors.add(slug);
  }
  for (const m of text.matchAll(HTML_ID)) {
    const id = m[1] ?? m[2] ?? m[3];
    if (id !== undefined && id !== "") anchors.add(id.toLowerCase());
  }
  return anchors;
}

// docutils nodes._non_id_translate(_digraphs): letters NFKD does not reduce to ASCII.
const ID_TRANSLATE: Readonly<Record<string, string>> = {
  ß: "sz",
  æ: "ae",
  œ: "oe",
  ø: "o",
  đ: "d",
  ħ: "h",
  ı: "i",
  ł: "l",
  ŀ: "l",
  ŧ: "t",
  ƀ: "b",
  ƈ: "c",
  ȼ: "c",
};

/** docutils nodes.make_id: the HTML id of a section title or target name. */
export function makeId(text: string): string {
  const lowered = [...text.toLowerCase()].map((c) => ID_TRANSLATE[c] ?? c).join("");
  const ascii = lowered.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
  const words = ascii.split(/\s+/).filter((w) => w !== "");
  return words
    .join(" ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[-0-9]+|-+$/g, "");
}

const MAX_TITLE = 2000;
const RST_TARGET = /^\.\. _(?:`([^`]+)`|([^:`][^:]*)):(?:\s|$)/;

/**
 * The ids of a reStructuredText document: its section titles (a title line at column 0 under an
 * optional overline, with an underline of one punctuation character) and its `.. _name:`
 * targets, through make_id. Indented text (literal blocks, directive bodies) holds no titles.
 */
export function rstAnchors(text: string): Set<string> {
  const lines = text.split(/\r\n|\r|\n/);
  const anchors = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const target = RST_TARGET.exec(line);
    if (target) {
      anchors.add(makeId(target[1] ?? target[2] ?? ""));
      continue;
    }
    const next = lines[i + 1];
    if (
      line.trim() === "" ||
      next === undefined ||
      !PUNCTUATION_LINE.test(next) ||
      PUNCTUATION_LINE.test(line)
    )
      continue;
    const overlined = i > 0 && PUNCTUATION_LINE.test(lines[i - 1]!) && lines[i - 1]!.trim() === next.trim();
    if (/^\s/.test(line) && !overlined) continue;
    // A title is one line; a megabyte "title" is hostile input, not a section worth an id.
    if (line.length > MAX_TITLE) continue;
    const id = makeId(plainText(line.trim()));
    if (id !== "") anchors.add(id);
  }
  return anchors;
}
