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
 *
 * This file keeps the entry point and the leaves; markdown-lines.ts reads each line's containers
 * and leaf openers, markdown-inline.ts scans inline text, markdown-chars.ts holds what they share.
 */

import {
  BACKTICK,
  CR,
  countEols,
  DASH,
  EQUALS,
  HASH,
  isEol,
  isSpace,
  LBRACKET,
  LF,
  LT,
  type MarkdownItem,
  NextIndex,
  STAR,
  TILDE,
  UNDERSCORE,
} from "./markdown-chars.ts";
import { definition, normalizeLabel, scanInline } from "./markdown-inline.ts";
import {
  atxHeading,
  type Container,
  fenceSize,
  HTML_END,
  HTML_END_FROM,
  htmlFlowKind,
  LineScanner,
  setextUnderline,
  thematicBreak,
} from "./markdown-lines.ts";

export type { MarkdownItem };

/** Inline content (a paragraph or heading) to scan once every definition is known. */
interface TextPart {
  type: "text";
  text: string;
  line: number;
}

const NONE = 0;
const PARA = 1;
const FENCE = 2;
const INDENTED = 3;
const HTML = 4;

const CONTINUE = 0;
const END = 1;
const SETEXT = 2;
const LAZY_HTML = 3;

/** A heading's raw inline text (ATX or setext, markup kept) and its 1-based line. */
export interface MarkdownHeading {
  text: string;
  line: number;
}

function runBlocks(source: string): BlockScanner {
  // micromark's preprocess drops a leading BOM and reads NUL as U+FFFD.
  let text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (text.includes("\0")) text = text.replaceAll("\0", "\uFFFD");
  const blocks = new BlockScanner(text);
  blocks.run();
  return blocks;
}

/** The headings of a Markdown document, in order, from the same block parse (for anchors). */
export function scanMarkdownHeadings(source: string): MarkdownHeading[] {
  return runBlocks(source).headings;
}

/** Finds the destinations and raw HTML of a Markdown document, in order. */
export function scanMarkdownSyntax(source: string): MarkdownItem[] {
  const blocks = runBlocks(source);
  const out: MarkdownItem[] = [];
  for (const part of blocks.parts) {
    if (part.type === "text") scanInline(part.text, part.line, blocks.defined, out);
    else out.push(part);
  }
  return out;
}

class BlockScanner extends LineScanner {
  readonly parts: (MarkdownItem | TextPart)[] = [];
  readonly defined = new Set<string>();
  readonly headings: MarkdownHeading[] = [];
  private readonly search: NextIndex;
  private leaf = NONE;
  /** Paragraph or HTML block text so far, and its first line. */
  private buf = "";
  private bufLine = 0;
  private htmlKind = 0;
  private fenceMarker = 0;
  private fenceSize = 0;

  constructor(text: string) {
    super(text);
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
        this.headings.push({ text: text.slice(heading[0], heading[1]), line: this.line });
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
    return this.closePara(true);
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
  private closePara(heading = false): boolean {
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
    if (heading) this.headings.push({ text: s.slice(start), line });
    this.addText(start === 0 ? s : s.slice(start), line);
    return true;
  }

  private addText(text: string, line: number): void {
    // Only a resource link (`](`) or a `<` can yield a destination or HTML.
    if (text.includes("](") || text.includes("<")) this.parts.push({ type: "text", text, line });
  }
}
