/**
 * Block structure of the built-in reStructuredText lint: a port of docutils' Body/Text/Line
 * states (parsers/rst/states.py) deciding paragraphs, titles, lists, blocks and the
 * "... ends without a blank line" and "Unexpected indentation." problems.
 */

import {
  BULLET,
  bulletList,
  definitionList,
  ENUMERATOR,
  enumeratedList,
  fieldList,
  LINE_BLOCK,
  lineBlock,
  OPTION_MARKER,
  optionList,
  table,
} from "./rst-blocks.ts";
import type { DirectiveHost } from "./rst-directive-host.ts";
import { FIELD_MARKER } from "./rst-directives.ts";
import { appendChild, type RstDoc, type RstNode } from "./rst-doc.ts";
import { ANONYMOUS, anonymousTarget, EXPLICIT, explicitMarkup } from "./rst-explicit.ts";
import { parseInline } from "./rst-inline.ts";
import { blockQuote } from "./rst-quote.ts";
import { GRID_TOP, SIMPLE_TOP } from "./rst-tables.ts";
import {
  columnWidth,
  escapeToNull,
  isBlank,
  type Line,
  normalizeName,
  takeIndented,
  textBlock,
  unescapeNull,
} from "./rst-text.ts";

const DOCTEST = /^>>>( +|$)/;
/** A line of one repeated 7-bit punctuation character (title adornment or transition). */
export const PUNCTUATION_LINE = /^([!-/:-@[-`{-~])\1* *$/;

/** Where parsed nodes go and whether section titles are allowed there. */
export interface Context {
  matchTitles: boolean;
  into: RstNode;
}

export class BodyParser {
  /** Open sections of the document, outermost first (index = section level). */
  private readonly sections: RstNode[];

  readonly doc: RstDoc;

  constructor(doc: RstDoc, root: RstNode) {
    this.doc = doc;
    this.sections = [root];
  }

  /** Parses body elements of `lines` (docutils nested_parse when `matchTitles` is false). */
  parse(lines: Line[], ctx: Context): void {
    let i = 0;
    while (i < lines.length) i = this.step(lines, i, ctx) + 1;
  }

  nested(lines: Line[], into: RstNode): void {
    this.parse(lines, { matchTitles: false, into });
  }

  inline(text: string, line: number): void {
    parseInline(this.doc, text, line);
  }

  directiveHost(matchTitles: boolean): DirectiveHost {
    return {
      doc: this.doc,
      body: (lines, into) => this.nested(lines, into),
      inline: (text, line) => this.inline(text, line),
      matchTitles,
      inSubstitution: this.doc.inSubstitution,
    };
  }

  add(ctx: Context, node: RstNode): void {
    const parent = ctx.matchTitles ? this.sections.at(-1)! : ctx.into;
    appendChild(parent, node);
  }

  /** docutils unindent_warning. */
  unindent(what: string, lines: Line[], last: number): void {
    const line = lines[last + 1]?.line ?? lines[last]!.line + 1;
    this.doc.report("warning", line, `${what} ends without a blank line; unexpected unindent.`);
  }

  /** Handles the construct starting at line `i` (docutils Body transitions, in order). */
  private step(lines: Line[], i: number, ctx: Context): number {
    const text = lines[i]!.text;
    if (text === "") return i;
    if (text[0] === " ") return blockQuote(this, lines, i, ctx);
    if (BULLET.test(text)) return bulletList(this, lines, i, ctx);
    if (ENUMERATOR.test(text)) return enumeratedList(this, lines, i, ctx) ?? this.text(lines, i, ctx);
    if (FIELD_MARKER.test(text)) return fieldList(this, lines, i, ctx);
    if (OPTION_MARKER.test(text)) return optionList(this, lines, i, ctx) ?? this.text(lines, i, ctx);
    if (DOCTEST.test(text)) {
      this.add(ctx, { kind: "doctest_block", line: lines[i]!.line });
      return i + textBlock(lines, i, false).block.length - 1;
    }
    if (LINE_BLOCK.test(text)) return lineBlock(this, lines, i, ctx);
    if (GRID_TOP.test(text)) return table(this, lines, i, ctx, "grid");
    if (SIMPLE_TOP.test(text)) return table(this, lines, i, ctx, "simple");
    if (EXPLICIT.test(text)) return explicitMarkup(this, lines, i, ctx);
    if (ANONYMOUS.test(text)) return anonymousTarget(this, lines, i, ctx);
    if (PUNCTUATION_LINE.test(text)) return this.line(lines, i, ctx) ?? this.text(lines, i, ctx);
    return this.text(lines, i, ctx);
  }

  /** Body.line: a punctuation line opening a block (overline, transition or text). */
  private line(lines: Line[], i: number, ctx: Context): number | undefined {
    const overline = lines[i]!.text;
    const short = overline.trim().length < 4;
    if (!ctx.matchTitles) {
      if (overline.trim() === "::" || short) return undefined;
      this.doc.report("error", lines[i]!.line, "Unexpected section title or transition.");
      return i;
    }
    const next = lines[i + 1];
    if (next === undefined || isBlank(next.text)) {
      if (short) return undefined;
      this.add(ctx, { kind: "transition", line: lines[i]!.line });
      return next === undefined ? i : i + 1;
    }
    if (PUNCTUATION_LINE.test(next.text)) {
      if (short) return undefined;
      this.doc.report("error", lines[i]!.line, "Invalid section title or transition marker.");
      return i + 1;
    }
    const underline = lines[i + 2];
    if (underline === undefined) {
      if (short) return undefined;
      this.doc.report("error", lines[i]!.line, "Incomplete section title.");
      return i + 1;
    }
    if (!PUNCTUATION_LINE.test(underline.text) || overline !== underline.text) {
      if (short) return undefined;
      const message = PUNCTUATION_LINE.test(underline.text)
        ? "Title overline & underline mismatch."
        : "Missing matching underline for section title overline.";
      this.doc.report("error", lines[i]!.line, message);
      return i + 2;
    }
    const title = next.text.trimEnd();
    if (columnWidth(title) > overline.length) {
      if (short) return undefined;
      this.doc.report("warning", lines[i]!.line, "Title overline too short.");
    }
    this.section(title.trimStart(), `${overline[0]}${underline.text[0]}`, next.line);
    return i + 2;
  }

  /** docutils check_subsection + new_subsection: title styles must nest consistently. */
  private section(title: string, style: string, line: number): void {
    const styles = this.doc.titleStyles;
    const oldLevel = this.sections.length - 1;
    const known = styles.indexOf(style);
    const newLevel = known >= 0 ? known + 1 : styles.length + 1;
    if (newLevel > oldLevel + 1) {
      this.doc.report("error", line, `Inconsistent title style: skip from level ${oldLevel} to ${newLevel}.`);
      return;
    }
    this.sections.length = newLevel;
    if (known < 0) styles.push(style);
    const section: RstNode = { kind: "section", line, children: [{ kind: "title", line }] };
    appendChild(this.sections.at(-1)!, section);
    this.sections.push(section);
    this.inline(title, line);
    this.doc.noteName(normalizeName(plainText(title)), {}, false, line);
  }

  /** The Text state: the construct begun by a text line (paragraph, title, definition list). */
  text(lines: Line[], i: number, ctx: Context): number {
    const next = lines[i + 1];
    if (next === undefined || isBlank(next.text)) return this.paragraph(lines, [lines[i]!], ctx, i);
    if (next.text[0] === " ") return definitionList(this, lines, i, ctx, isTextLine);
    if (PUNCTUATION_LINE.test(next.text)) {
      const title = lines[i]!.text;
      const underline = next.text;
      const tooShort = columnWidth(title) > underline.length;
      // An underline shorter than 4 characters and the title is ordinary text (INFO only).
      if (!(tooShort && underline.length < 4)) {
        if (tooShort) this.doc.report("warning", next.line, "Title underline too short.");
        if (!ctx.matchTitles) {
          this.doc.report("error", next.line, "Unexpected section title.");
          return i + 1;
        }
        this.section(title, underline[0]!, lines[i]!.line);
        return i + 1;
      }
    }
    const tb = textBlock(lines, i + 1, true);
    if (tb.indentedAt !== undefined) {
      this.doc.report("error", lines[tb.indentedAt]!.line, "Unexpected indentation.");
    }
    return this.paragraph(lines, [lines[i]!, ...tb.block], ctx, i + tb.block.length);
  }

  /** docutils Text.paragraph; a paragraph ending in "::" introduces a literal block. */
  private paragraph(lines: Line[], block: Line[], ctx: Context, last: number): number {
    const data = block
      .map((l) => l.text)
      .join("\n")
      .trimEnd();
    const literal = /(?<!\\)(\\\\)*::$/.test(data);
    if (literal && data.length === 2) return this.literalBlock(lines, last + 1, ctx);
    let text = data;
    if (literal) text = " \n".includes(data.at(-3)!) ? data.slice(0, -3).trimEnd() : data.slice(0, -1);
    this.add(ctx, { kind: "paragraph", line: block[0]!.line });
    this.inline(text, block[0]!.line);
    return literal ? this.literalBlock(lines, last + 1, ctx) : last;
  }

  private literalBlock(lines: Line[], at: number, ctx: Context): number {
    const t = takeIndented(lines, at);
    let block = t.block;
    while (block.length > 0 && isBlank(block.at(-1)!.text)) block = block.slice(0, -1);
    if (block.length === 0) return this.quotedLiteral(lines, Math.min(t.last, lines.length), ctx);
    this.add(ctx, { kind: "literal_block", line: block[0]!.line });
    if (!t.blankFinish) this.unindent("Literal block", lines, t.last);
    return t.last;
  }

  /** docutils QuotedLiteralBlock: unindented lines all starting with the same punctuation. */
  private quotedLiteral(lines: Line[], at: number, ctx: Context): number {
    let quote: string | undefined;
    let j = at;
    for (; j < lines.length; j++) {
      const text = lines[j]!.text;
      if (quote !== undefined && text.startsWith(quote)) continue;
      if (text === "") {
        if (quote !== undefined) break;
        continue;
      }
      if (text[0] === " ") {
        this.doc.report("error", lines[j]!.line, "Unexpected indentation.");
        j--;
        break;
      }
      if (quote === undefined && /^[!-/:-@[-`{-~]/.test(text)) {
        quote = text[0]!;
        continue;
      }
      if (quote !== undefined)
        this.doc.report("error", lines[j]!.line, "Inconsistent literal block quoting.");
      j--;
      break;
    }
    if (quote === undefined) {
      const line = j + 1 < lines.length ? lines[j + 1]!.line : (lines.at(-1)?.line ?? 0) + 1;
      this.doc.report("warning", line, "Literal block expected; none found.");
      return Math.min(j, lines.length - 1);
    }
    this.add(ctx, { kind: "literal_block", line: lines[at]!.line });
    return Math.min(j, lines.length - 1);
  }
}

/** True when a line would reach the Body state's catch-all "text" transition. */
export function isTextLine(text: string): boolean {
  if (text === "" || text[0] === " ") return false;
  const starts = [
    BULLET,
    ENUMERATOR,
    FIELD_MARKER,
    OPTION_MARKER,
    DOCTEST,
    LINE_BLOCK,
    GRID_TOP,
    SIMPLE_TOP,
    EXPLICIT,
    ANONYMOUS,
    PUNCTUATION_LINE,
  ];
  return !starts.some((re) => re.test(text));
}

/** Roughly what docutils' astext() gives for a title: the text without inline markup. */
export function plainText(title: string): string {
  return unescapeNull(
    escapeToNull(title)
      .replace(/:[\w.+-]+:`([^`]*)`/gu, "$1")
      .replace(/`([^`<]*?)\s*<[^>]*>`__?/gu, "$1")
      .replace(/``(.*?)``/gu, "$1")
      .replace(/`([^`]*)`(?::[\w.+-]+:|__?)?/gu, "$1")
      .replace(/\*\*(.*?)\*\*|\*(.*?)\*/gu, "$1$2")
      .replace(/(\w)__?(?=\W|$)/gu, "$1"),
  );
}
