/**
 * Line handling of the built-in reStructuredText lint, following docutils' statemachine
 * (string2lines, StringList.get_indented, get_text_block) so indentation and blank-line
 * decisions match what PyPI's docutils decides.
 */

/** One source line: its text (indentation already stripped by enclosing blocks) and 1-based number. */
export interface Line {
  readonly text: string;
  readonly line: number;
}

// Python's str.splitlines() boundaries; \v and \f were turned into spaces before (string2lines).
const LINE_BREAK = /\r\n|[\n\r\x1c-\x1e\x85\u2028\u2029]/;

function expandTabs(text: string, width = 8): string {
  if (!text.includes("\t")) return text;
  let out = "";
  for (const ch of text) {
    out += ch === "\t" ? " ".repeat(width - (out.length % width)) : ch;
  }
  return out;
}

/** Splits a document like docutils' string2lines: tabs to 8 columns, right-stripped lines. */
export function toLines(source: string): Line[] {
  const parts = source.replace(/[\v\f]/g, " ").split(LINE_BREAK);
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.map((text, i) => ({ text: expandTabs(text).trimEnd(), line: i + 1 }));
}

export const isBlank = (text: string): boolean => text.trim() === "";

/** Leading indentation of a line, in columns (tabs are already expanded). */
export function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

export function sliceLine(line: Line, from: number): Line {
  return { text: line.text.slice(from), line: line.line };
}

export interface IndentedOptions {
  untilBlank?: boolean;
  stripIndent?: boolean;
  /** Indentation of the whole block when known (get_known_indented). */
  blockIndent?: number;
  /** Indentation of the first line when known (get_first_known_indented). */
  firstIndent?: number;
}

export interface Indented {
  /** The block, minimum indentation removed, leading blank lines kept. */
  raw: Line[];
  indent: number;
  /** True when the block ended with a blank line or the end of input (docutils "blank_finish"). */
  blankFinish: boolean;
}

/** docutils StringList.get_indented: the indented lines starting at `start`. */
export function indentedBlock(
  lines: readonly Line[],
  start: number,
  options: IndentedOptions = {},
): Indented {
  const { untilBlank = false, stripIndent = true, blockIndent } = options;
  const firstIndent = options.firstIndent ?? blockIndent;
  let indent = blockIndent;
  let end = firstIndent === undefined ? start : start + 1;
  let blankFinish = true;
  while (end < lines.length) {
    const text = lines[end]!.text;
    const tooShallow = blockIndent !== undefined && text.slice(0, blockIndent).trim() !== "";
    if (text !== "" && (text[0] !== " " || tooShallow)) {
      blankFinish = end > start && isBlank(lines[end - 1]!.text);
      break;
    }
    const stripped = text.trimStart();
    if (stripped === "") {
      if (untilBlank) break;
    } else if (blockIndent === undefined) {
      const lineIndent = text.length - stripped.length;
      indent = indent === undefined ? lineIndent : Math.min(indent, lineIndent);
    }
    end++;
  }
  let raw = lines.slice(start, end);
  if (firstIndent !== undefined && raw.length > 0) raw[0] = sliceLine(raw[0]!, firstIndent);
  if (indent && stripIndent) {
    const from = firstIndent === undefined ? 0 : 1;
    raw = raw.map((line, i) => (i < from ? line : sliceLine(line, indent)));
  }
  return { raw, indent: indent ?? 0, blankFinish };
}

export interface Taken {
  /** The block with leading blank lines removed. */
  block: Line[];
  indent: number;
  blankFinish: boolean;
  /** Index of the last input line the construct consumed. */
  last: number;
}

function dropLeadingBlanks(block: Line[]): Line[] {
  let i = 0;
  while (i < block.length && isBlank(block[i]!.text)) i++;
  return block.slice(i);
}

/** The state machine's get_indented/get_known_indented/get_first_known_indented, from line `at`. */
export function takeIndented(
  lines: readonly Line[],
  at: number,
  options: IndentedOptions & { stripTop?: boolean } = {},
): Taken {
  const { raw, indent, blankFinish } = indentedBlock(lines, at, options);
  const last = raw.length > 0 ? at + raw.length - 1 : at;
  const block = options.stripTop === false ? raw : dropLeadingBlanks(raw);
  return { block, indent, blankFinish, last };
}

export interface TextBlock {
  block: Line[];
  /** Index of the first indented line when `flushLeft` stopped at one (docutils "Unexpected indentation."). */
  indentedAt?: number;
}

/** docutils get_text_block: contiguous non-blank lines from `start`. */
export function textBlock(lines: readonly Line[], start: number, flushLeft: boolean): TextBlock {
  let end = start;
  while (end < lines.length) {
    const text = lines[end]!.text;
    if (isBlank(text)) break;
    if (flushLeft && text[0] === " ") return { block: lines.slice(start, end), indentedAt: end };
    end++;
  }
  return { block: lines.slice(start, end) };
}

// Unicode East Asian Width W and F (assigned code points, Unicode 14 as in Python 3.11), merged
// ranges; docutils.utils.column_width counts these as two columns.
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x3247],
  [0x3250, 0x4dbf],
  [0x4e00, 0xa4c6],
  [0xa960, 0xa97c],
  [0xac00, 0xd7a3],
  [0xf900, 0xfad9],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6b],
  [0xff01, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x1b2fb],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f320],
  [0x1f32d, 0x1f335],
  [0x1f337, 0x1f37c],
  [0x1f37e, 0x1f393],
  [0x1f3a0, 0x1f3ca],
  [0x1f3cf, 0x1f3d3],
  [0x1f3e0, 0x1f3f0],
  [0x1f3f4, 0x1f3f4],
  [0x1f3f8, 0x1f43e],
  [0x1f440, 0x1f440],
  [0x1f442, 0x1f4fc],
  [0x1f4ff, 0x1f53d],
  [0x1f54b, 0x1f54e],
  [0x1f550, 0x1f567],
  [0x1f57a, 0x1f57a],
  [0x1f595, 0x1f596],
  [0x1f5a4, 0x1f5a4],
  [0x1f5fb, 0x1f64f],
  [0x1f680, 0x1f6c5],
  [0x1f6cc, 0x1f6cc],
  [0x1f6d0, 0x1f6d2],
  [0x1f6d5, 0x1f6df],
  [0x1f6eb, 0x1f6ec],
  [0x1f6f4, 0x1f6fc],
  [0x1f7e0, 0x1f7f0],
  [0x1f90c, 0x1f93a],
  [0x1f93c, 0x1f945],
  [0x1f947, 0x1f9ff],
  [0x1fa70, 0x1faf6],
  [0x20000, 0x3134a],
];

export function isWide(codePoint: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = WIDE[mid]!;
    if (codePoint < from) hi = mid - 1;
    else if (codePoint > to) lo = mid + 1;
    else return true;
  }
  return false;
}

const COMBINING = /\p{Mn}/u;

/** docutils.utils.column_width: wide characters count two columns, combining marks none. */
export function columnWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    if (COMBINING.test(ch)) continue;
    width += isWide(ch.codePointAt(0)!) ? 2 : 1;
  }
  return width;
}

/** Pads wide characters with a NUL so string indices equal columns (docutils pad_double_width). */
export function padWide(text: string): string {
  let out = "";
  for (const ch of text) out += isWide(ch.codePointAt(0)!) ? `${ch}\0` : ch;
  return out;
}

export function stripCombining(text: string): string {
  return text.replace(/\p{Mn}/gu, "");
}

/** docutils escape2null: a backslash escape becomes NUL + the escaped character. */
export function escapeToNull(text: string): string {
  return text.replace(/\\(.?)/gsu, "\0$1");
}

/** docutils unescape: drops NULs, and escaped whitespace entirely. */
export function unescapeNull(text: string): string {
  return text.replace(/\0[ \n]?/g, "");
}

/** docutils fully_normalize_name: lower case, whitespace collapsed. */
export function normalizeName(name: string): string {
  return whitespaceNormalize(name.toLowerCase());
}

/** docutils whitespace_normalize_name. */
export function whitespaceNormalize(name: string): string {
  return name.split(/\s+/u).filter(Boolean).join(" ");
}
