/**
 * How the block scanner of markdown-scan.ts reads one line: its columns and tabs, the container
 * prefixes it continues or opens (document.js, block-quote.js, list.js), and the first line of
 * each leaf construct (flow.js: thematic break, setext underline, fence, ATX heading, HTML block).
 */

import {
  APOSTROPHE,
  BACKTICK,
  BANG,
  COLON,
  DASH,
  DIGIT_ONE,
  DOT,
  EQUALS,
  GT,
  HASH,
  isAlnum,
  isAlpha,
  isAttributeNameChar,
  isDigit,
  isSpace,
  isWhitespace,
  LBRACKET,
  LT,
  PLUS,
  QUESTION,
  QUOTE,
  RPAREN,
  SLASH,
  SPACE,
  STAR,
  TAB,
  UNDERSCORE,
} from "./markdown-chars.ts";

export interface Container {
  quote: boolean;
  /** List item: columns of content indentation (indent + marker + following whitespace). */
  size: number;
  /** List item: the bullet, or the delimiter after an ordered number. */
  marker: number;
  ordered: boolean;
  /** Item started with a blank line (list.js initialBlankLine / furtherBlankLines). */
  blankStart: boolean;
  furtherBlank: boolean;
}

// micromark-util-html-tag-name: block names start kind 6, raw names kind 1.
const BLOCK_NAMES = new Set(
  "address article aside base basefont blockquote body caption center col colgroup dd details dialog dir div dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html iframe legend li link main menu menuitem nav noframes ol optgroup option p param search section summary table tbody td tfoot th thead title tr track ul".split(
    " ",
  ),
);
const RAW_NAMES = new Set(["pre", "script", "style", "textarea"]);
/** End conditions of HTML blocks 1-5, searched from just after the opener's first characters. */
export const HTML_END: Record<number, string | RegExp> = {
  1: /<\/(?:pre|script|style|textarea)>/gi,
  2: "-->",
  3: "?>",
  4: ">",
  5: "]]>",
};
/** Where the end search starts, relative to `<`: `<!--` may close as `<!-->`, `<?` as `<?>`. */
export const HTML_END_FROM: Record<number, number> = { 1: 1, 2: 2, 3: 1, 4: 2, 5: 9 };

/**
 * The line half of BlockScanner: the read position in the current line and the open containers.
 * BlockScanner (markdown-scan.ts) extends it with the leaves.
 */
export class LineScanner {
  protected readonly text: string;
  protected readonly stack: Container[] = [];
  protected line = 0;
  protected lineEnd = 0;
  protected eolStart = 0;
  protected eolEnd = 0;
  /** Read position, its column, and whether a container took only part of the tab there. */
  protected pos = 0;
  protected col = 0;
  protected midTab = false;
  /** First non-whitespace position from `pos`, and its column (see nextNonspace). */
  protected nn = 0;
  protected nnCol = 0;

  constructor(text: string) {
    this.text = text;
  }

  /** Sets nn/nnCol to the first non-blank position from pos (tab stops of 4). */
  protected nextNonspace(): void {
    const text = this.text;
    let i = this.pos;
    let c = this.col;
    for (; i < this.lineEnd; i++) {
      const ch = text.charCodeAt(i);
      if (ch === SPACE) c++;
      else if (ch === TAB) c += 4 - (c % 4);
      else break;
    }
    this.nn = i;
    this.nnCol = c;
  }

  /** Consumes up to `cols` columns of whitespace, possibly part of a tab. */
  private advance(cols: number): void {
    const text = this.text;
    while (cols > 0 && this.pos < this.lineEnd) {
      const ch = text.charCodeAt(this.pos);
      if (ch === TAB) {
        const width = 4 - (this.col % 4);
        if (width > cols) {
          this.col += cols;
          this.midTab = true;
          return;
        }
        this.col += width;
        cols -= width;
      } else if (ch === SPACE) {
        this.col++;
        cols--;
      } else return;
      this.pos++;
      this.midTab = false;
    }
  }

  private skipTo(pos: number, col: number): void {
    this.pos = pos;
    this.col = col;
    this.midTab = false;
  }

  /** The rest of the line as the flow sees it: a tab's unconsumed columns become spaces. */
  protected piece(): string {
    const rest = this.text.slice(this.midTab ? this.pos + 1 : this.pos, this.lineEnd);
    return this.midTab ? " ".repeat(4 - (this.col % 4)) + rest : rest;
  }

  protected eol(): string {
    return this.text.slice(this.eolStart, this.eolEnd);
  }

  protected continueQuote(): boolean {
    this.nextNonspace();
    if (this.nnCol - this.col > 3 || this.text.charCodeAt(this.nn) !== GT) return false;
    this.skipTo(this.nn + 1, this.nnCol + 1);
    if (isSpace(this.text.charCodeAt(this.pos))) this.advance(1);
    return true;
  }

  protected continueItem(c: Container): boolean {
    this.nextNonspace();
    if (this.nn >= this.lineEnd) {
      c.furtherBlank ||= c.blankStart;
      this.advance(c.size);
      return true;
    }
    const further = c.furtherBlank;
    c.furtherBlank = false;
    c.blankStart = false;
    if (further || this.nnCol - this.col < c.size) return false;
    this.advance(c.size);
    return true;
  }

  protected siblingItem(c: Container): boolean {
    const [pos, col, midTab] = [this.pos, this.col, this.midTab];
    const item = this.listItem(false, c);
    if (item) {
      c.size = item.size;
      c.blankStart = item.blankStart;
      c.furtherBlank = false;
      return true;
    }
    this.pos = pos;
    this.col = col;
    this.midTab = midTab;
    return false;
  }

  protected startContainer(interrupt: boolean): Container | undefined {
    this.nextNonspace();
    if (this.nnCol - this.col > 3) return undefined;
    if (this.text.charCodeAt(this.nn) !== GT) return this.listItem(interrupt, undefined);
    this.skipTo(this.nn + 1, this.nnCol + 1);
    if (isSpace(this.text.charCodeAt(this.pos))) this.advance(1);
    return { quote: true, size: 0, marker: 0, ordered: false, blankStart: false, furtherBlank: false };
  }

  /** A list item marker at pos (list.js tokenizeListStart); `same` is the list it must extend. */
  private listItem(interrupt: boolean, same: Container | undefined): Container | undefined {
    const text = this.text;
    this.nextNonspace();
    const indent = this.nnCol - this.col;
    let i = this.nn;
    const ch = text.charCodeAt(i);
    let marker = ch;
    const ordered = isDigit(ch);
    if (ch === STAR || ch === PLUS || ch === DASH) {
      if (same && (same.ordered || same.marker !== ch)) return undefined;
      if (ch !== PLUS && thematicBreak(text, i, this.lineEnd)) return undefined;
      i++;
    } else if (ordered) {
      if ((same && !same.ordered) || (interrupt && ch !== DIGIT_ONE)) return undefined;
      let size = 0;
      while (isDigit(text.charCodeAt(i)) && ++size < 10) i++;
      marker = text.charCodeAt(i);
      const delimiter = same ? marker === same.marker : marker === RPAREN || marker === DOT;
      if ((interrupt && size >= 2) || !delimiter) return undefined;
      i++;
    } else return undefined;
    if (indent > 3) return undefined;
    const width = i - this.nn;
    const markerCol = this.nnCol + width;
    let k = i;
    let kCol = markerCol;
    for (; k < this.lineEnd && isSpace(text.charCodeAt(k)); k++) {
      kCol += text.charCodeAt(k) === TAB ? 4 - (kCol % 4) : 1;
    }
    const item = { quote: false, size: 0, marker, ordered, blankStart: false, furtherBlank: false };
    if (k >= this.lineEnd) {
      if (interrupt) return undefined;
      item.blankStart = true;
      item.size = indent + width + 1;
      this.skipTo(i, markerCol);
    } else if (kCol === markerCol) {
      return undefined;
    } else if (kCol - markerCol <= 4) {
      item.size = indent + width + (kCol - markerCol);
      this.skipTo(k, kCol);
    } else {
      item.size = indent + width + 1;
      this.skipTo(i, markerCol);
      this.advance(1);
    }
    return item;
  }
}

export function thematicBreak(s: string, i: number, end: number): boolean {
  const marker = s.charCodeAt(i);
  let count = 0;
  for (let k = i; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === marker) count++;
    else if (!isSpace(c)) return false;
  }
  return count >= 3;
}

export function setextUnderline(s: string, i: number, end: number): boolean {
  const marker = s.charCodeAt(i);
  let k = i;
  while (s.charCodeAt(k) === marker) k++;
  while (isSpace(s.charCodeAt(k))) k++;
  return k >= end;
}

/** Length of an opening code fence at i (0 if none); backtick info strings hold no backtick. */
export function fenceSize(s: string, i: number, end: number): number {
  const marker = s.charCodeAt(i);
  let k = i;
  while (s.charCodeAt(k) === marker) k++;
  if (k - i < 3) return 0;
  if (marker === BACKTICK) for (let j = k; j < end; j++) if (s.charCodeAt(j) === BACKTICK) return 0;
  return k - i;
}

/** The text span of an ATX heading at i (heading-atx.js resolveHeadingAtx), or undefined. */
export function atxHeading(s: string, i: number, end: number): [number, number] | undefined {
  let k = i;
  while (s.charCodeAt(k) === HASH) k++;
  if (k - i > 6 || (k < end && !isSpace(s.charCodeAt(k)))) return undefined;
  while (k < end && isSpace(s.charCodeAt(k))) k++;
  let stop = end;
  while (stop > k && isSpace(s.charCodeAt(stop - 1))) stop--;
  if (stop > k && s.charCodeAt(stop - 1) === HASH) {
    let run = stop;
    while (run > k && s.charCodeAt(run - 1) === HASH) run--;
    if (run === k) stop = k;
    else if (isSpace(s.charCodeAt(run - 1))) {
      stop = run;
      while (stop > k && isSpace(s.charCodeAt(stop - 1))) stop--;
    }
  }
  return [k, stop];
}

/**
 * The kind (1-7) of an HTML block starting at i, or 0 (html-flow.js). Kind 7 (any complete tag
 * alone on its line) cannot interrupt a paragraph, except on a lazy line.
 */
export function htmlFlowKind(s: string, i: number, end: number, interrupt: boolean): number {
  let k = i + 1;
  let c = s.charCodeAt(k);
  if (c === BANG) {
    c = s.charCodeAt(k + 1);
    if (c === DASH) return s.charCodeAt(k + 2) === DASH ? 2 : 0;
    if (c === LBRACKET) return s.startsWith("CDATA[", k + 2) ? 5 : 0;
    return isAlpha(c) ? 4 : 0;
  }
  if (c === QUESTION) return 3;
  const closing = c === SLASH;
  if (closing) c = s.charCodeAt(++k);
  if (!isAlpha(c)) return 0;
  const nameStart = k;
  while (isAlnum(s.charCodeAt(k)) || s.charCodeAt(k) === DASH) k++;
  c = s.charCodeAt(k);
  if (k < end && c !== SLASH && c !== GT && !isSpace(c)) return 0;
  const name = s.slice(nameStart, k).toLowerCase();
  if (!closing && c !== SLASH && RAW_NAMES.has(name)) return 1;
  if (BLOCK_NAMES.has(name)) return c !== SLASH || s.charCodeAt(k + 1) === GT ? 6 : 0;
  if (interrupt) return 0;
  return completeTagLine(s, k, end, closing) ? 7 : 0;
}

/** A complete open or closing tag from k (after its name), then only whitespace to the end. */
function completeTagLine(s: string, k: number, end: number, closing: boolean): boolean {
  if (!closing) {
    for (;;) {
      const c = s.charCodeAt(k);
      if (isSpace(c)) k++;
      else if (c === COLON || c === UNDERSCORE || isAlpha(c)) {
        k = attributeFlow(s, k + 1, end);
        if (k < 0) return false;
      } else break;
    }
    if (s.charCodeAt(k) === SLASH) k++;
  }
  while (closing && isSpace(s.charCodeAt(k))) k++;
  if (s.charCodeAt(k) !== GT) return false;
  k++;
  while (isSpace(s.charCodeAt(k))) k++;
  return k >= end;
}

/** An attribute in an HTML block's first line, from after its first character; -1 if bad. */
function attributeFlow(s: string, k: number, end: number): number {
  while (isAttributeNameChar(s.charCodeAt(k))) k++;
  for (;;) {
    while (isSpace(s.charCodeAt(k))) k++;
    if (s.charCodeAt(k) !== EQUALS) return k;
    k++;
    while (isSpace(s.charCodeAt(k))) k++;
    const c = s.charCodeAt(k);
    if (k >= end || c === LT || c === EQUALS || c === GT || c === BACKTICK) return -1;
    if (c === QUOTE || c === APOSTROPHE) {
      k++;
      while (k < end && s.charCodeAt(k) !== c) k++;
      if (k >= end) return -1;
      const after = s.charCodeAt(++k);
      return after === SLASH || after === GT || isSpace(after) ? k : -1;
    }
    // micromark ends an unquoted value at `/` too (spec: only whitespace, quotes, =<>`).
    while (k < end && !isUnquotedEnd(s.charCodeAt(k))) k++;
  }
}

const isUnquotedEnd = (c: number): boolean =>
  c === QUOTE ||
  c === APOSTROPHE ||
  c === SLASH ||
  c === LT ||
  c === EQUALS ||
  c === GT ||
  c === BACKTICK ||
  isWhitespace(c);
