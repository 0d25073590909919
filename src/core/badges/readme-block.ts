/**
 * The README's badge block: the lines between `<!-- slipway:badges:start -->` and
 * `<!-- slipway:badges:end -->` (Markdown) or the comments `.. slipway:badges:start` and
 * `.. slipway:badges:end` (reStructuredText). A pure `(bytes) => bytes` updater: only the block
 * changes; every other byte (a BOM, CRLF endings, a last line without an ending) stays as it was.
 * The first time, the block goes right under the document's title.
 */
import { SlipwayError } from "../../errors.ts";

export type ReadmeFormat = "markdown" | "rst";

const MARKERS: Record<ReadmeFormat, { start: string; end: string }> = {
  markdown: { start: "<!-- slipway:badges:start -->", end: "<!-- slipway:badges:end -->" },
  rst: { start: ".. slipway:badges:start", end: ".. slipway:badges:end" },
};

/** The markers of `format`, as a README holds them (each alone on its line). */
export function badgeMarkers(format: ReadmeFormat): { start: string; end: string } {
  return MARKERS[format];
}

/** The format a README's name says: `.rst`/`.rest` is reStructuredText, anything else Markdown. */
export function readmeFormatOf(path: string): ReadmeFormat {
  return /\.(rst|rest)$/i.test(path) ? "rst" : "markdown";
}

export interface ReadmeUpdate {
  /** The new bytes (the same bytes when nothing changed). */
  bytes: Uint8Array;
  /** The old and new texts, for a diff. */
  before: string;
  after: string;
  changed: boolean;
  /** True when the file had no block yet and one was inserted under the title. */
  inserted: boolean;
}

/**
 * The byte offset of the first byte of `bytes` that is not part of a well-formed UTF-8 sequence
 * (overlongs, surrogates and code points past U+10FFFF included), or -1 when all of it is UTF-8.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const [lo, hi] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return -1;
}

function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

interface Line {
  /** The line without its ending. */
  text: string;
  /** Offset of the line's first character in the text. */
  start: number;
  /** Offset just past its ending (`\n` or `\r\n`), or the text's end for a last line without one. */
  next: number;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    const body = text.slice(start, end);
    lines.push({
      text: body.endsWith("\r") ? body.slice(0, -1) : body,
      start,
      next: nl === -1 ? end : nl + 1,
    });
    start = nl === -1 ? text.length : nl + 1;
  }
  return lines;
}

/** The indices of the lines that are outside Markdown fenced code blocks (a marker shown in one is an example). */
function markdownProse(lines: readonly Line[]): boolean[] {
  const prose: boolean[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line.text);
    if (fence === undefined) {
      prose.push(open === null);
      if (open !== null) fence = open[1]!;
    } else {
      prose.push(false);
      if (
        open !== null &&
        open[1]![0] === fence[0] &&
        open[1]!.length >= fence.length &&
        line.text.trim() === open[1]
      ) {
        fence = undefined;
      }
    }
  }
  return prose;
}

/** The index of the closing line of a Markdown file's YAML front matter (`---` ... `---`), or -1. */
function frontMatterEnd(lines: readonly Line[]): number {
  if (lines[0]?.text.replace(/^\uFEFF/, "") !== "---") return -1;
  for (let i = 1; i < lines.length; i++) if (/^(---|\.\.\.)\s*$/.test(lines[i]!.text)) return i;
  return -1;
}

/**
 * The index of the line after which a first block goes: the title's last line (a Markdown
 * heading, setext title or one-line `<h1>`; an underlined or overlined rst title) when the
 * document starts with one, else after a Markdown front matter, else -1 (the very top).
 */
function titleEnd(lines: readonly Line[], format: ReadmeFormat, prose: readonly boolean[]): number {
  const adornment = /^([!-/:-@[-`{-~])\1{2,}\s*$/;
  const floor = format === "markdown" ? frontMatterEnd(lines) : -1;
  for (let i = floor + 1; i < lines.length; i++) {
    const text = i === 0 ? lines[i]!.text.replace(/^\uFEFF/, "") : lines[i]!.text;
    if (text.trim() === "") continue;
    if (format === "markdown") {
      if (!prose[i]) return floor;
      if (/^ {0,3}#{1,6}(\s|$)/.test(text)) return i;
      if (/^ {0,3}<h1[\s>].*<\/h1>\s*$/i.test(text)) return i;
      if (/^ {0,3}=+\s*$/.test(lines[i + 1]?.text ?? "") && !/^\s/.test(text)) return i + 1;
      return floor;
    }
    // reStructuredText: an overlined title (adornment, text, adornment) or an underlined one.
    if (adornment.test(text) && lines[i + 2] !== undefined && adornment.test(lines[i + 2]!.text))
      return i + 2;
    if (lines[i + 1] !== undefined && adornment.test(lines[i + 1]!.text) && !adornment.test(text))
      return i + 1;
    return -1;
  }
  return floor;
}

export interface ReadmeBlockInput {
  bytes: Uint8Array;
  /** How the file is named in errors. */
  file: string;
  format: ReadmeFormat;
  /** The block's lines, without endings (the file's own ending is used). */
  lines: readonly string[];
}

/**
 * The README with its badge block set to `lines`. Errors (config) name the file and line: bytes
 * that are not UTF-8, a start marker without an end marker (or the reverse), a marker twice.
 */
export function assembleReadmeUpdate(input: ReadmeBlockInput): ReadmeUpdate {
  const { bytes, file, format } = input;
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    throw new SlipwayError("config", `${file}:${lineOfByte(bytes, bad)}: not UTF-8 text (byte ${bad})`, {
      hint: "slipway edits UTF-8 files only; convert the README to UTF-8",
    });
  }
  const before = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  const lines = splitLines(before);
  const eol = lines.find((l) => l.next > l.start + l.text.length)?.next;
  const crlf = eol !== undefined && before[eol - 2] === "\r";
  const nl = crlf ? "\r\n" : "\n";
  const prose = format === "markdown" ? markdownProse(lines) : lines.map(() => true);
  const { start, end } = MARKERS[format];
  const starts: number[] = [];
  const ends: number[] = [];
  lines.forEach((line, i) => {
    // A marker is a line of its own at the left margin (a BOM before the first one is allowed).
    const text = (i === 0 ? line.text.replace(/^\uFEFF/, "") : line.text).trimEnd();
    if (!prose[i]) return;
    if (text === start) starts.push(i);
    else if (text === end) ends.push(i);
  });
  const at = (i: number) => `${file}:${i + 1}`;
  if (starts.length > 1 || ends.length > 1) {
    const [first, second] = starts.length > 1 ? starts : ends;
    const which = starts.length > 1 ? start : end;
    throw new SlipwayError(
      "config",
      `${at(second!)}: a second ${which} marker (the first is on line ${first! + 1})`,
      {
        hint: "keep one start and one end marker; slipway replaces what is between them",
      },
    );
  }
  if (starts.length !== ends.length) {
    const [line, has, lacks] = starts.length === 1 ? [starts[0]!, start, end] : [ends[0]!, end, start];
    throw new SlipwayError("config", `${at(line)}: a ${has} marker without a ${lacks} marker`, {
      hint: "add the missing marker, or remove this one so slipway inserts the block under the title",
    });
  }
  if (starts.length === 1 && ends[0]! < starts[0]!) {
    throw new SlipwayError(
      "config",
      `${at(ends[0]!)}: the ${end} marker comes before the ${start} marker (line ${starts[0]! + 1})`,
      {
        hint: "put the start marker first",
      },
    );
  }
  const body = input.lines.map((l) => `${l}${nl}`).join("");
  let after: string;
  let inserted = false;
  if (starts.length === 1) {
    const from = lines[starts[0]!]!;
    const to = lines[ends[0]!]!;
    // The start marker line's own ending may be missing only if it is the last line, which the end marker rules out.
    after = before.slice(0, from.next) + body + before.slice(to.start);
  } else {
    inserted = true;
    const title = titleEnd(lines, format, prose);
    const block = `${start}${nl}${body}${end}${nl}`;
    if (title === -1) {
      const bom = before.startsWith("\uFEFF") ? 1 : 0;
      const rest = before.slice(bom);
      after = before.slice(0, bom) + block + (rest === "" ? "" : nl) + rest;
    } else {
      const line = lines[title]!;
      const ended = line.next > line.start + line.text.length;
      const head = before.slice(0, line.next) + (ended ? "" : nl);
      const rest = before.slice(line.next);
      after = `${head}${nl}${block}${rest === "" || rest.startsWith(nl) ? "" : nl}${rest}`;
    }
  }
  const changed = after !== before;
  return { bytes: changed ? new TextEncoder().encode(after) : bytes, before, after, changed, inserted };
}
