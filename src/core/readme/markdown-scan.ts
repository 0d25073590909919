/**
 * A one-pass stand-in for micromark's CommonMark parse that reports only what the README checks
 * read: link and image destinations (as written, with their line) and raw HTML (the exact text
 * micromark's htmlFlow/htmlText tokens hold). It follows micromark's state machines, not the
 * spec's prose, where the two differ (each mirrored quirk is noted), and is ~30x faster.
 * test/unit/markdown-scan.test.ts holds it to micromark on real READMEs and generated documents;
 * the one known difference (tabs in a label of ~1000 characters) is listed there.
 *
 * Blocks follow micromark/lib/initialize/document.js (containers, laziness) and flow.js (leaves);
 * inline text follows label-end.js, html-text.js, code-text.js and autolink.js. Work is linear in
 * the input: searches that may fail remember where they failed.
 */

/** A destination or a raw HTML chunk, in document order. */
export interface MarkdownItem {
  /** "link"/"image": a destination as written (escapes and entities kept); "html": raw HTML. */
  type: "link" | "image" | "html";
  text: string;
  /** 1-based line where the destination or HTML starts. */
  line: number;
}

/** Inline content (a paragraph or heading) to scan once every definition is known. */
interface TextPart {
  type: "text";
  text: string;
  line: number;
}

interface Container {
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

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const BANG = 33;
const QUOTE = 34;
const HASH = 35;
const APOSTROPHE = 39;
const LPAREN = 40;
const RPAREN = 41;
const STAR = 42;
const PLUS = 43;
const DASH = 45;
const DOT = 46;
const SLASH = 47;
const DIGIT_ONE = 49;
const COLON = 58;
const LT = 60;
const EQUALS = 61;
const GT = 62;
const QUESTION = 63;
const AT = 64;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const UNDERSCORE = 95;
const BACKTICK = 96;
const TILDE = 126;

const NONE = 0;
const PARA = 1;
const FENCE = 2;
const INDENTED = 3;
const HTML = 4;

const CONTINUE = 0;
const END = 1;
const SETEXT = 2;
const LAZY_HTML = 3;

// micromark-util-html-tag-name: block names start kind 6, raw names kind 1.
const BLOCK_NAMES = new Set(
  "address article aside base basefont blockquote body caption center col colgroup dd details dialog dir div dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html iframe legend li link main menu menuitem nav noframes ol optgroup option p param search section summary table tbody td tfoot th thead title tr track ul".split(
    " ",
  ),
);
const RAW_NAMES = new Set(["pre", "script", "style", "textarea"]);
/** End conditions of HTML blocks 1-5, searched from just after the opener's first characters. */
const HTML_END: Record<number, string | RegExp> = {
  1: /<\/(?:pre|script|style|textarea)>/gi,
  2: "-->",
  3: "?>",
  4: ">",
  5: "]]>",
};
/** Where the end search starts, relative to `<`: `<!--` may close as `<!-->`, `<?` as `<?>`. */
const HTML_END_FROM: Record<number, number> = { 1: 1, 2: 2, 3: 1, 4: 2, 5: 9 };

const isSpace = (c: number): boolean => c === SPACE || c === TAB;
const isEol = (c: number): boolean => c === LF || c === CR;
const isWhitespace = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR;
const isAlpha = (c: number): boolean => (c | 32) >= 97 && (c | 32) <= 122;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);

/** Finds the destinations and raw HTML of a Markdown document, in order. */
export function scanMarkdownSyntax(source: string): MarkdownItem[] {
  // micromark's preprocess drops a leading BOM and reads NUL as U+FFFD.
  let text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (text.includes("\0")) text = text.replaceAll("\0", "\uFFFD");
  const blocks = new BlockScanner(text);
  blocks.run();
  const out: MarkdownItem[] = [];
  for (const part of blocks.parts) {
    if (part.type === "text") scanInline(part.text, part.line, blocks.defined, out);
    else out.push(part);
  }
  return out;
}

/** micromark-util-normalize-identifier: how labels are compared. */
function normalizeLabel(label: string): string {
  return label
    .replace(/[\t\n\r ]+/g, " ")
    .replace(/^ | $/g, "")
    .toLowerCase()
    .toUpperCase();
}

/** Remembers the next occurrence of a needle, so repeated searches stay linear. */
class NextIndex {
  private readonly text: string;
  private readonly cache = new Map<string | RegExp, [from: number, at: number]>();
  constructor(text: string) {
    this.text = text;
  }
  find(needle: string | RegExp, from: number): number {
    const hit = this.cache.get(needle);
    if (hit && hit[0] <= from && (hit[1] >= from || hit[1] < 0)) return hit[1];
    let at: number;
    if (typeof needle === "string") at = this.text.indexOf(needle, from);
    else {
      needle.lastIndex = from;
      at = needle.exec(this.text)?.index ?? -1;
    }
    this.cache.set(needle, [from, at]);
    return at;
  }
}

class BlockScanner {
  readonly parts: (MarkdownItem | TextPart)[] = [];
  readonly defined = new Set<string>();
  private readonly text: string;
  private readonly search: NextIndex;
  private readonly stack: Container[] = [];
  private line = 0;
  private lineEnd = 0;
  private eolStart = 0;
  private eolEnd = 0;
  /** Read position, its column, and whether a container took only part of the tab there. */
  private pos = 0;
  private col = 0;
  private midTab = false;
  /** First non-whitespace position from `pos`, and its column (see nextNonspace). */
  private nn = 0;
  private nnCol = 0;
  private leaf = NONE;
  /** Paragraph or HTML block text so far, and its first line. */
  private buf = "";
  private bufLine = 0;
  private htmlKind = 0;
  private fenceMarker = 0;
  private fenceSize = 0;

  constructor(text: string) {
    this.text = text;
    this.search = new NextIndex(text);
  }

  run(): void {
    const text = this.text;
    const n = text.length;
    const cr = text.includes("\r");
    let start = 0;
    for (;;) {
      let end = cr ? start : text.indexOf("\n", start);
      if (cr) while (end < n && !isEol(text.charCodeAt(end))) end++;
      else if (end < 0) end = n;
      this.line++;
      this.lineEnd = end;
      this.pos = start;
      this.col = 0;
      this.midTab = false;
      this.processLine();
      if (end >= n) break;
      this.eolStart = end;
      this.eolEnd = text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
      start = this.eolEnd;
    }
    this.closeLeaf();
  }

  private processLine(): void {
    const stack = this.stack;
    let matched = 0;
    let sibling = false;
    for (; matched < stack.length; matched++) {
      const c = stack[matched] as Container;
      if (c.quote ? this.continueQuote() : this.continueItem(c)) continue;
      // A new item of the same list closes the previous item (list.js notInCurrentItem).
      sibling = !c.quote && this.siblingItem(c);
      if (sibling) {
        this.closeLeaf(true);
        stack.length = ++matched;
      }
      break;
    }
    const allMatched = !sibling && matched === stack.length;
    if (allMatched && (this.leaf === FENCE || this.leaf === HTML)) {
      this.continueConcrete();
      return;
    }
    // document.js sets `interrupt` when the flow is inside a construct, and keeps it for every
    // container opened on this line; indented code counts, so `2.` cannot start a list after it.
    const interrupt = allMatched && (this.leaf === PARA || this.leaf === INDENTED);
    let opened = false;
    for (let c = this.startContainer(interrupt); c; c = this.startContainer(interrupt)) {
      if (!opened && !sibling) {
        this.closeLeaf(true);
        stack.length = matched;
      }
      opened = true;
      stack.push(c);
    }
    if (!opened && !sibling && matched < stack.length) {
      // Lazy line: only a paragraph continues through unmatched containers.
      const next = this.leaf === PARA ? this.paraContinues(true) : END;
      if (next === CONTINUE) {
        this.appendPara();
        return;
      }
      this.closeLeaf();
      // A kind 7 HTML block cutting the paragraph leaves the containers open: micromark's
      // interrupt check runs on until that block ends, and exits nothing meanwhile.
      if (next !== LAZY_HTML) stack.length = matched;
      this.startLeaf();
      // code-indented.js furtherStart refuses a lazy line before its own line ending.
      if (this.leaf === INDENTED) this.leaf = NONE;
      return;
    }
    if (this.leaf === PARA) {
      const next = this.paraContinues(false);
      if (next === CONTINUE) {
        this.appendPara();
        return;
      }
      if (next !== SETEXT) this.closeLeaf();
      else if (this.closeParaAsHeading()) return;
    } else if (this.leaf === INDENTED) {
      this.nextNonspace();
      if (this.nn >= this.lineEnd || this.nnCol - this.col >= 4) return;
      this.leaf = NONE;
    }
    this.startLeaf();
  }

  /** Sets nn/nnCol to the first non-blank position from pos (tab stops of 4). */
  private nextNonspace(): void {
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
  private piece(): string {
    const rest = this.text.slice(this.midTab ? this.pos + 1 : this.pos, this.lineEnd);
    return this.midTab ? " ".repeat(4 - (this.col % 4)) + rest : rest;
  }

  private eol(): string {
    return this.text.slice(this.eolStart, this.eolEnd);
  }

  private continueQuote(): boolean {
    this.nextNonspace();
    if (this.nnCol - this.col > 3 || this.text.charCodeAt(this.nn) !== GT) return false;
    this.skipTo(this.nn + 1, this.nnCol + 1);
    if (isSpace(this.text.charCodeAt(this.pos))) this.advance(1);
    return true;
  }

  private continueItem(c: Container): boolean {
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

  private siblingItem(c: Container): boolean {
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

  private startContainer(interrupt: boolean): Container | undefined {
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

  /** Whether a paragraph goes on through this line (content.js tokenizeContinuation). */
  private paraContinues(lazy: boolean): number {
    this.nextNonspace();
    const { text, nn, lineEnd } = this;
    if (nn >= lineEnd) return END;
    if (this.nnCol - this.col >= 4) return CONTINUE;
    const ch = text.charCodeAt(nn);
    if (ch === HASH && atxHeading(text, nn, lineEnd)) return END;
    if ((ch === BACKTICK || ch === TILDE) && fenceSize(text, nn, lineEnd) > 0) return END;
    if (ch === LT) {
      const kind = htmlFlowKind(text, nn, lineEnd, !lazy);
      if (kind > 0) return kind === 7 ? LAZY_HTML : END;
    }
    if ((ch === EQUALS || ch === DASH) && !lazy && setextUnderline(text, nn, lineEnd)) return SETEXT;
    if ((ch === STAR || ch === DASH || ch === UNDERSCORE) && thematicBreak(text, nn, lineEnd)) return END;
    return CONTINUE;
  }

  private appendPara(): void {
    this.buf += this.eol() + this.piece();
  }

  /** A line where no leaf is open (flow.js initial). */
  private startLeaf(): void {
    this.nextNonspace();
    const { text, nn, lineEnd } = this;
    this.leaf = NONE;
    if (nn >= lineEnd) return;
    if (this.nnCol - this.col >= 4) {
      this.leaf = INDENTED;
      return;
    }
    const ch = text.charCodeAt(nn);
    if (ch === HASH) {
      const heading = atxHeading(text, nn, lineEnd);
      if (heading) {
        if (heading[1] > heading[0]) this.addText(text.slice(heading[0], heading[1]), this.line);
        return;
      }
    } else if (ch === BACKTICK || ch === TILDE) {
      this.fenceSize = fenceSize(text, nn, lineEnd);
      this.fenceMarker = ch;
      if (this.fenceSize > 0) {
        this.leaf = FENCE;
        return;
      }
    } else if (ch === LT) {
      const kind = htmlFlowKind(text, nn, lineEnd, false);
      if (kind > 0) {
        this.leaf = HTML;
        this.htmlKind = kind;
        this.buf = this.piece();
        this.bufLine = this.line;
        if (kind <= 5 && this.htmlEndsAt(nn + (HTML_END_FROM[kind] as number))) this.closeLeaf();
        return;
      }
    } else if ((ch === STAR || ch === DASH || ch === UNDERSCORE) && thematicBreak(text, nn, lineEnd)) return;
    this.leaf = PARA;
    this.buf = text.slice(nn, lineEnd);
    this.bufLine = this.line;
  }

  /** Fenced code and HTML blocks take every line while all containers match. */
  private continueConcrete(): void {
    this.nextNonspace();
    const { text, nn, lineEnd } = this;
    if (this.leaf === FENCE) {
      if (this.nnCol - this.col > 3 || text.charCodeAt(nn) !== this.fenceMarker) return;
      let k = nn;
      while (text.charCodeAt(k) === this.fenceMarker) k++;
      if (k - nn < this.fenceSize) return;
      while (isSpace(text.charCodeAt(k))) k++;
      if (k >= lineEnd) this.leaf = NONE;
      return;
    }
    if (this.htmlKind >= 6 && nn >= lineEnd) {
      this.closeLeaf();
      return;
    }
    this.buf += this.eol() + this.piece();
    if (this.htmlKind <= 5 && this.htmlEndsAt(this.pos)) this.closeLeaf();
  }

  private htmlEndsAt(from: number): boolean {
    const at = this.search.find(HTML_END[this.htmlKind] as string | RegExp, from);
    return at >= 0 && at < this.lineEnd;
  }

  /** A setext underline: a heading when the paragraph has text besides definitions. */
  private closeParaAsHeading(): boolean {
    this.leaf = NONE;
    return this.closePara();
  }

  /**
   * Ends the open leaf. When a new container closes the flow, kinds 1-5 keep the line ending
   * (html-flow.js nonLazyContinuation only fails on a lazy line or at the end).
   */
  private closeLeaf(flowClosed = false): void {
    if (this.leaf === PARA) this.closePara();
    else if (this.leaf === HTML) {
      const text = flowClosed && this.htmlKind <= 5 ? this.buf + this.eol() : this.buf;
      this.parts.push({ type: "html", text, line: this.bufLine });
    }
    this.leaf = NONE;
  }

  /** Link definitions at the start of a paragraph, then its text; false when only definitions. */
  private closePara(): boolean {
    const s = this.buf;
    let start = 0;
    let line = this.bufLine;
    while (s.charCodeAt(start) === LBRACKET) {
      const def = definition(s, start);
      if (!def) break;
      const [label, destStart, destEnd, end] = def;
      this.defined.add(normalizeLabel(label));
      line += countEols(s, start, destStart);
      if (destEnd > destStart) this.parts.push({ type: "link", text: s.slice(destStart, destEnd), line });
      line += countEols(s, destStart, end) + 1;
      start = end + (s.charCodeAt(end) === CR && s.charCodeAt(end + 1) === LF ? 2 : 1);
      while (isSpace(s.charCodeAt(start))) start++;
    }
    if (start >= s.length) return false;
    this.addText(start === 0 ? s : s.slice(start), line);
    return true;
  }

  private addText(text: string, line: number): void {
    // Only a resource link (`](`) or a `<` can yield a destination or HTML.
    if (text.includes("](") || text.includes("<")) this.parts.push({ type: "text", text, line });
  }
}

function countEols(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === LF || (c === CR && s.charCodeAt(i + 1) !== LF)) n++;
  }
  return n;
}

function thematicBreak(s: string, i: number, end: number): boolean {
  const marker = s.charCodeAt(i);
  let count = 0;
  for (let k = i; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === marker) count++;
    else if (!isSpace(c)) return false;
  }
  return count >= 3;
}

function setextUnderline(s: string, i: number, end: number): boolean {
  const marker = s.charCodeAt(i);
  let k = i;
  while (s.charCodeAt(k) === marker) k++;
  while (isSpace(s.charCodeAt(k))) k++;
  return k >= end;
}

/** Length of an opening code fence at i (0 if none); backtick info strings hold no backtick. */
function fenceSize(s: string, i: number, end: number): number {
  const marker = s.charCodeAt(i);
  let k = i;
  while (s.charCodeAt(k) === marker) k++;
  if (k - i < 3) return 0;
  if (marker === BACKTICK) for (let j = k; j < end; j++) if (s.charCodeAt(j) === BACKTICK) return 0;
  return k - i;
}

/** The text span of an ATX heading at i (heading-atx.js resolveHeadingAtx), or undefined. */
function atxHeading(s: string, i: number, end: number): [number, number] | undefined {
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
function htmlFlowKind(s: string, i: number, end: number, interrupt: boolean): number {
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

const isAttributeNameChar = (c: number): boolean =>
  c === DASH || c === DOT || c === COLON || c === UNDERSCORE || isAlnum(c);
const isUnquotedEnd = (c: number): boolean =>
  c === QUOTE ||
  c === APOSTROPHE ||
  c === SLASH ||
  c === LT ||
  c === EQUALS ||
  c === GT ||
  c === BACKTICK ||
  isWhitespace(c);

/**
 * A link reference definition at i (definition.js): label, destination span, and the index of
 * the line ending (or end) that closes it; undefined when there is none.
 */
function definition(s: string, i: number): [string, number, number, number] | undefined {
  const close = scanLabel(s, i);
  if (close < 0 || s.charCodeAt(close + 1) !== COLON) return undefined;
  let k = skipWhitespace(s, close + 2);
  const dest = scanDestination(s, k, Number.POSITIVE_INFINITY);
  if (!dest) return undefined;
  const [destStart, destEnd] = dest;
  k = dest[2];
  let end = -1;
  if (isWhitespace(s.charCodeAt(k))) {
    const t = skipWhitespace(s, k);
    const title = scanTitle(s, t);
    if (title > 0) {
      const after = skipSpaces(s, title);
      if (after >= s.length || isEol(s.charCodeAt(after))) end = after;
    }
  }
  if (end < 0) {
    const after = skipSpaces(s, k);
    if (after < s.length && !isEol(s.charCodeAt(after))) return undefined;
    end = after;
  }
  return [s.slice(i + 1, close), destStart, destEnd, end];
}

/**
 * A link label `[...]` at i (factory-label): the index of its `]`, or -1. At most 999
 * characters, no unescaped `[`, not only whitespace.
 */
function scanLabel(s: string, i: number): number {
  let size = 0;
  let seen = false;
  for (let k = i + 1; ; k++) {
    if (size > 999) return -1;
    const c = s.charCodeAt(k);
    if (c === RBRACKET) return seen ? k : -1;
    if (c === LBRACKET || Number.isNaN(c)) return -1;
    if (isEol(c)) continue;
    size++;
    seen ||= !isSpace(c);
    const next = s.charCodeAt(k + 1);
    if (c === BACKSLASH && (next === LBRACKET || next === BACKSLASH || next === RBRACKET)) {
      size++;
      k++;
    }
  }
}

/**
 * A link destination at k (factory-destination): [start, end] of its text and the index after
 * it, or undefined. `<...>` may be empty; a raw one balances up to `maxBalance` parentheses.
 */
function scanDestination(s: string, k: number, maxBalance: number): [number, number, number] | undefined {
  let c = s.charCodeAt(k);
  if (c === LT) {
    const start = k + 1;
    for (k = start; ; k++) {
      c = s.charCodeAt(k);
      if (c === GT) return [start, k, k + 1];
      if (c === LT || isEol(c) || Number.isNaN(c)) return undefined;
      const next = s.charCodeAt(k + 1);
      if (c === BACKSLASH && (next === LT || next === GT || next === BACKSLASH)) k++;
    }
  }
  if (c === RPAREN || isControl(c)) return undefined;
  const start = k;
  let balance = 0;
  for (; ; k++) {
    c = s.charCodeAt(k);
    if (balance === 0 && (c === RPAREN || isWhitespace(c) || Number.isNaN(c))) return [start, k, k];
    if (c === LPAREN) {
      if (balance >= maxBalance) return undefined;
      balance++;
    } else if (c === RPAREN) balance--;
    else if (isControl(c)) return undefined;
    else if (c === BACKSLASH) {
      const next = s.charCodeAt(k + 1);
      if (next === LPAREN || next === RPAREN || next === BACKSLASH) k++;
    }
  }
}

/** ASCII control, space or end of text: what a raw destination cannot hold. */
const isControl = (c: number): boolean => !(c > SPACE && c !== 127);

/** A title `"..."`, `'...'` or `(...)` at k (factory-title): the index after it, or -1. */
function scanTitle(s: string, k: number): number {
  const open = s.charCodeAt(k);
  if (open !== QUOTE && open !== APOSTROPHE && open !== LPAREN) return -1;
  const close = open === LPAREN ? 41 : open;
  for (k++; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === close) return k + 1;
    const next = s.charCodeAt(k + 1);
    if (c === BACKSLASH && (next === close || next === BACKSLASH)) k++;
  }
  return -1;
}

function skipWhitespace(s: string, k: number): number {
  while (isWhitespace(s.charCodeAt(k))) k++;
  return k;
}

function skipSpaces(s: string, k: number): number {
  while (isSpace(s.charCodeAt(k))) k++;
  return k;
}

interface Opener {
  /** Index just after `[` or `![`. */
  start: number;
  image: boolean;
  /** Items already found when the opener was seen: later ones are inside its label. */
  out: number;
  /** Openers seen before this one: any seen after it put a bracket inside its label. */
  seq: number;
}

/**
 * Destinations and raw HTML in a paragraph or heading, left to right like micromark's text
 * tokenizer: escapes, code spans, autolinks and HTML bind tighter than brackets; a `]` closes
 * the nearest open bracket as a resource, full/collapsed/shortcut reference or nothing.
 */
class InlineScanner {
  private readonly s: string;
  private readonly defined: ReadonlySet<string>;
  private readonly out: MarkdownItem[];
  private readonly search: NextIndex;
  private readonly openers: Opener[] = [];
  private openersSeen = 0;
  /** Link openers below this depth are dead: links do not nest (label-end.js `_inactive`). */
  private inactiveBelow = 0;
  /** Backtick run lengths with no closing run left, and title quotes never closed again. */
  private readonly noCloser = new Set<number>();
  private readonly titleFailedFrom = new Map<number, number>();
  private lineAt = 0;
  private line: number;

  constructor(s: string, line: number, defined: ReadonlySet<string>, out: MarkdownItem[]) {
    this.s = s;
    this.line = line;
    this.defined = defined;
    this.out = out;
    this.search = new NextIndex(s);
  }

  run(): void {
    const s = this.s;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c >= 128 || INLINE_SPECIAL[c] === 0) i++;
      else if (c === BACKSLASH) i += isPunctuation(s.charCodeAt(i + 1)) ? 2 : 1;
      else if (c === BACKTICK) i = this.codeSpanEnd(i);
      else if (c === LT) {
        const auto = autolinkEnd(s, i);
        const end = auto > 0 ? auto : htmlTextEnd(s, i, this.search);
        if (auto < 0 && end > 0) this.out.push({ type: "html", text: s.slice(i, end), line: this.lineOf(i) });
        i = end > 0 ? end : i + 1;
      } else if (c === LBRACKET || (c === BANG && s.charCodeAt(i + 1) === LBRACKET)) {
        i += c === BANG ? 2 : 1;
        this.openers.push({ start: i, image: c === BANG, out: this.out.length, seq: this.openersSeen++ });
      } else if (c === RBRACKET) i = this.closeLabel(i);
      else i++;
    }
  }

  private lineOf(pos: number): number {
    this.line += countEols(this.s, this.lineAt, pos);
    this.lineAt = pos;
    return this.line;
  }

  private isDefined(label: string): boolean {
    return this.defined.size > 0 && this.defined.has(normalizeLabel(label));
  }

  /**
   * Whether the text of the top opener names a definition. Definition labels hold no bracket,
   * so a label with an opener inside is skipped unread: nested brackets stay linear.
   */
  private labelDefined(top: Opener, end: number): boolean {
    return top.seq === this.openersSeen - 1 && this.isDefined(this.s.slice(top.start, end));
  }

  /** A `]` at i (label-end.js); returns where scanning goes on. */
  private closeLabel(i: number): number {
    const { s, openers } = this;
    const top = openers.at(-1);
    if (!top) return i + 1;
    if (top.image || openers.length - 1 >= this.inactiveBelow) {
      const after = s.charCodeAt(i + 1);
      if (after === LPAREN) {
        const resource = this.resource(i + 1);
        if (resource) return this.form(top, resource[0], resource[1], resource[2]);
      } else if (after === LBRACKET) {
        const close = scanLabel(s, i + 1);
        if (close > 0 && this.isDefined(s.slice(i + 2, close))) return this.form(top, 0, 0, close + 1);
        if (s.charCodeAt(i + 2) === RBRACKET && this.labelDefined(top, i)) {
          return this.form(top, 0, 0, i + 3);
        }
      }
      if (after !== LBRACKET && this.labelDefined(top, i)) return this.form(top, 0, 0, i + 1);
    }
    openers.pop();
    this.inactiveBelow = Math.min(this.inactiveBelow, openers.length);
    return i + 1;
  }

  /** A link or image formed: report its destination; links kill the link openers before. */
  private form(top: Opener, destStart: number, destEnd: number, next: number): number {
    const out = this.out;
    this.openers.pop();
    if (destEnd > destStart) {
      const type = top.image ? "image" : "link";
      out.push({ type, text: this.s.slice(destStart, destEnd), line: this.lineOf(destStart) });
    }
    // Any destination inside an image, a link's too, counts as an image (as micromark's token
    // nesting made the previous scan report it).
    for (const item of top.image ? out.slice(top.out) : []) if (item.type === "link") item.type = "image";
    this.inactiveBelow = top.image ? Math.min(this.inactiveBelow, this.openers.length) : this.openers.length;
    return next;
  }

  /** `(dest "title")` at j: [destStart, destEnd, index after `)`], or undefined. */
  private resource(j: number): [number, number, number] | undefined {
    const s = this.s;
    let k = skipWhitespace(s, j + 1);
    let destStart = k;
    let destEnd = k;
    if (s.charCodeAt(k) !== RPAREN) {
      const dest = scanDestination(s, k, 32);
      if (!dest) return undefined;
      [destStart, destEnd, k] = dest;
      if (isWhitespace(s.charCodeAt(k))) {
        k = skipWhitespace(s, k);
        const quote = s.charCodeAt(k);
        if (quote === QUOTE || quote === APOSTROPHE || quote === LPAREN) {
          // A title left open from k stays open from any later k: remember the failure.
          if ((this.titleFailedFrom.get(quote) ?? Number.POSITIVE_INFINITY) <= k) return undefined;
          const end = scanTitle(s, k);
          if (end < 0) this.titleFailedFrom.set(quote, k);
          if (end < 0) return undefined;
          k = skipWhitespace(s, end);
        }
      }
    }
    return s.charCodeAt(k) === RPAREN ? [destStart, destEnd, k + 1] : undefined;
  }

  /** The end of a code span opened at i, or of the backtick run when it never closes. */
  private codeSpanEnd(i: number): number {
    const s = this.s;
    let k = i;
    while (s.charCodeAt(k) === BACKTICK) k++;
    const size = k - i;
    if (this.noCloser.has(size)) return k;
    for (let j = s.indexOf("`", k); j >= 0; j = s.indexOf("`", k)) {
      k = j;
      while (s.charCodeAt(k) === BACKTICK) k++;
      if (k - j === size) return k;
    }
    this.noCloser.add(size);
    return i + size;
  }
}

function scanInline(s: string, line: number, defined: ReadonlySet<string>, out: MarkdownItem[]): void {
  new InlineScanner(s, line, defined, out).run();
}

/** Characters that may start something in inline text: \\ ` < ! [ ] */
const INLINE_SPECIAL = new Uint8Array(128);
for (const c of "\\`<![]") INLINE_SPECIAL[c.charCodeAt(0)] = 1;

/** The end of an autolink `<scheme:...>` or `<user@host>` at i (autolink.js), or -1. */
function autolinkEnd(s: string, i: number): number {
  let k = i + 1;
  const first = s.charCodeAt(k);
  if (first === AT) return -1;
  if (isAlpha(first) && isSchemeChar(s.charCodeAt(++k))) {
    for (let size = 1; ; k++) {
      const c = s.charCodeAt(k);
      if (c === COLON) {
        for (k++; ; k++) {
          const d = s.charCodeAt(k);
          if (d === GT) return k + 1;
          if (d === LT || isControl(d)) return -1;
        }
      }
      if (!isSchemeChar(c) || size++ >= 32) break;
    }
  }
  while (isAtext(s.charCodeAt(k))) k++;
  if (s.charCodeAt(k) !== AT) return -1;
  // Domain labels: alphanumerics and inner dashes, at most 63 each, joined by dots.
  for (k++; ; k++) {
    if (!isAlnum(s.charCodeAt(k))) return -1;
    for (let size = 0; ; ) {
      const c = s.charCodeAt(k);
      if ((c === DASH || isAlnum(c)) && size++ < 63) k++;
      else return -1;
      if (s.charCodeAt(k - 1) === DASH) continue;
      const next = s.charCodeAt(k);
      if (next === GT) return k + 1;
      if (next === DOT) break;
    }
  }
}

/** The end of inline raw HTML at i (html-text.js), or -1. */
function htmlTextEnd(s: string, i: number, search: NextIndex): number {
  let c = s.charCodeAt(i + 1);
  const past = (at: number, length: number): number => (at < 0 ? -1 : at + length);
  if (c === BANG) {
    c = s.charCodeAt(i + 2);
    if (c === DASH) return s.charCodeAt(i + 3) === DASH ? past(search.find("-->", i + 2), 3) : -1;
    if (c === LBRACKET) return s.startsWith("CDATA[", i + 3) ? past(search.find("]]>", i + 9), 3) : -1;
    return isAlpha(c) ? past(search.find(">", i + 3), 1) : -1;
  }
  if (c === QUESTION) return past(search.find("?>", i + 2), 2);
  const closing = c === SLASH;
  let k = closing ? i + 2 : i + 1;
  if (!isAlpha(s.charCodeAt(k))) return -1;
  while (isAlnum(s.charCodeAt(k)) || s.charCodeAt(k) === DASH) k++;
  if (closing) {
    k = skipWhitespace(s, k);
    return s.charCodeAt(k) === GT ? k + 1 : -1;
  }
  c = s.charCodeAt(k);
  if (c !== SLASH && c !== GT && !isWhitespace(c)) return -1;
  for (;;) {
    c = s.charCodeAt(k);
    if (isWhitespace(c)) k++;
    else if (c === COLON || c === UNDERSCORE || isAlpha(c)) {
      k = attributeText(s, k + 1, search);
      if (k < 0) return -1;
    } else if (c === SLASH) return s.charCodeAt(k + 1) === GT ? k + 2 : -1;
    else return c === GT ? k + 1 : -1;
  }
}

/** An attribute of an inline tag, from after its first character; -1 if malformed. */
function attributeText(s: string, k: number, search: NextIndex): number {
  while (isAttributeNameChar(s.charCodeAt(k))) k++;
  k = skipWhitespace(s, k);
  if (s.charCodeAt(k) !== EQUALS) return k;
  k = skipWhitespace(s, k + 1);
  const c = s.charCodeAt(k);
  if (Number.isNaN(c) || c === LT || c === EQUALS || c === GT || c === BACKTICK) return -1;
  if (c === QUOTE || c === APOSTROPHE) {
    const close = search.find(c === QUOTE ? '"' : "'", k + 1);
    const next = s.charCodeAt(close + 1);
    return close >= 0 && (next === SLASH || next === GT || isWhitespace(next)) ? close + 1 : -1;
  }
  for (k++; ; k++) {
    const d = s.charCodeAt(k);
    if (d === SLASH || d === GT || isWhitespace(d)) return k;
    if (Number.isNaN(d) || d === QUOTE || d === APOSTROPHE || d === LT || d === EQUALS || d === BACKTICK)
      return -1;
  }
}

const isPunctuation = (c: number): boolean =>
  (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
const isSchemeChar = (c: number): boolean => c === PLUS || c === DASH || c === DOT || isAlnum(c);
// micromark-util-character asciiAtext: [#-'*+\--9=?A-Z^-~]
const isAtext = (c: number): boolean =>
  (c >= 35 && c <= 39) ||
  c === STAR ||
  c === PLUS ||
  (c >= 45 && c <= 57) ||
  c === EQUALS ||
  c === QUESTION ||
  (c >= 65 && c <= 90) ||
  (c >= 94 && c <= 126);
