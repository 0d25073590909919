/**
 * Block quotes (an indented block after a paragraph) with their optional "-- attribution",
 * as docutils' Body.indent / block_quote / split_attribution handle them.
 */
import type { BodyParser, Context } from "./rst-body.ts";
import type { RstNode } from "./rst-doc.ts";
import { indentOf, isBlank, type Line, sliceLine, takeIndented } from "./rst-text.ts";

const ATTRIBUTION = /^(---?(?!-)|\u2014) *(?=[^ \n])/;

interface Split {
  quote: Line[];
  attribution?: Line[];
  rest: Line[];
}

/** docutils check_attribution: lines after the first must share one indentation. */
function attributionEnd(lines: readonly Line[], start: number): number | undefined {
  let indent: number | undefined;
  let i = start + 1;
  for (; i < lines.length; i++) {
    const text = lines[i]!.text;
    if (isBlank(text)) break;
    if (indent === undefined) indent = indentOf(text);
    else if (indentOf(text) !== indent) return undefined;
  }
  return i;
}

/** docutils split_attribution: an attribution follows a blank line and starts with a dash. */
function splitAttribution(lines: readonly Line[]): Split {
  let blank: number | undefined;
  let seen = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.text;
    if (isBlank(text)) {
      blank = i;
      continue;
    }
    if (seen && blank === i - 1) {
      const m = ATTRIBUTION.exec(text);
      const end = m ? attributionEnd(lines, i) : undefined;
      if (m && end !== undefined) {
        const attribution = [sliceLine(lines[i]!, m[0].length), ...lines.slice(i + 1, end)];
        return { quote: lines.slice(0, i), attribution, rest: lines.slice(end) };
      }
    }
    seen = true;
  }
  return { quote: [...lines], rest: [] };
}

/** Body.indent: parses the block quote starting at line `i`; returns its last line index. */
export function blockQuote(parser: BodyParser, lines: Line[], i: number, ctx: Context): number {
  const t = takeIndented(lines, i);
  let indented = t.block;
  while (indented.length > 0) {
    const split = splitAttribution(indented);
    const node: RstNode = { kind: "block_quote", line: indented[0]!.line, children: [] };
    parser.add(ctx, node);
    parser.nested(split.quote, node);
    if (split.attribution) {
      parser.inline(split.attribution.map((l) => l.text.trim()).join("\n"), split.attribution[0]!.line);
    }
    indented = split.rest;
    while (indented.length > 0 && indented[0]!.text === "") indented = indented.slice(1);
  }
  if (!t.blankFinish) parser.unindent("Block quote", lines, t.last);
  return t.last;
}
