/**
 * List-like constructs of the built-in reStructuredText lint (docutils Body.bullet, enumerator,
 * field_marker, option_marker, line_block, table, Text.indent): each item's body is the
 * indented block after its marker, and a list ending on an unindented line without a blank
 * line in between is a WARNING ("Bullet list ends without a blank line; unexpected unindent.").
 */
import type { BodyParser, Context } from "./rst-body.ts";
import { FIELD_MARKER } from "./rst-directives.ts";
import { appendChild, type RstNode } from "./rst-doc.ts";
import { type Enumerator, enumeratorAt, nextEnumeratorOk } from "./rst-lists.ts";
import { isolateGrid, isolateSimple, parseGrid, parseSimple } from "./rst-tables.ts";
import { escapeToNull, isBlank, type Line, takeIndented, unescapeNull } from "./rst-text.ts";

export const BULLET = /^[-+*\u2022\u2023\u2043]( +|$)/;
const ENUM = "(?:[0-9]+|[a-z]|[A-Z]|[ivxlcdm]+|[IVXLCDM]+|#)";
export const ENUMERATOR = new RegExp(
  `^(?:(?<parens>\\(${ENUM}\\))|(?<rparen>${ENUM}\\))|(?<period>${ENUM}\\.))( +|$)`,
);
const OPTARG = "([a-zA-Z][a-zA-Z0-9_-]*|<[^<>]+>)";
const OPTION = `((-|\\+)[a-zA-Z0-9]( ?${OPTARG})?|(--|/)[a-zA-Z0-9][a-zA-Z0-9_-]*([ =]${OPTARG})?)`;
export const OPTION_MARKER = new RegExp(`^${OPTION}(, ${OPTION})*(  +| ?$)`);
export const LINE_BLOCK = /^\|( +|$)/;

interface Item {
  last: number;
  blankFinish: boolean;
}

/** Items while `next` accepts the line after the previous one (blank lines allowed between). */
function list(
  parser: BodyParser,
  lines: Line[],
  i: number,
  what: string,
  item: (at: number) => Item,
  next: (at: number) => boolean,
): number {
  let { last, blankFinish } = item(i);
  for (;;) {
    let j = last + 1;
    while (j < lines.length && isBlank(lines[j]!.text)) j++;
    if (j >= lines.length || lines[j]!.text[0] === " " || !next(j)) break;
    ({ last, blankFinish } = item(j));
  }
  if (!blankFinish) parser.unindent(what, lines, last);
  return last;
}

/** docutils list_item: the body is indented to the text after the marker. */
function listItem(parser: BodyParser, lines: Line[], at: number, indent: number, into: RstNode): Item {
  const hasText = lines[at]!.text.slice(indent) !== "";
  const t = takeIndented(lines, at, hasText ? { blockIndent: indent } : { firstIndent: indent });
  const node: RstNode = { kind: "list_item", line: lines[at]!.line, children: [] };
  appendChild(into, node);
  if (t.block.length > 0) parser.nested(t.block, node);
  return { last: t.last, blankFinish: t.blankFinish };
}

const markerLength = (re: RegExp, text: string): number => re.exec(text)![0].length;

export function bulletList(parser: BodyParser, lines: Line[], i: number, ctx: Context): number {
  const bullet = lines[i]!.text[0]!;
  const node: RstNode = { kind: "bullet_list", line: lines[i]!.line, children: [] };
  parser.add(ctx, node);
  return list(
    parser,
    lines,
    i,
    "Bullet list",
    (at) => listItem(parser, lines, at, markerLength(BULLET, lines[at]!.text), node),
    (at) => lines[at]!.text[0] === bullet && BULLET.test(lines[at]!.text),
  );
}

/** An enumerated list, or undefined when the first marker does not start one (then: text). */
export function enumeratedList(
  parser: BodyParser,
  lines: Line[],
  i: number,
  ctx: Context,
): number | undefined {
  const first: Enumerator | undefined = enumeratorAt(ENUMERATOR.exec(lines[i]!.text)!);
  if (first === undefined || !nextEnumeratorOk(lines, i, first)) return undefined;
  const node: RstNode = { kind: "enumerated_list", line: lines[i]!.line, children: [] };
  parser.add(ctx, node);
  const expected = first.sequence === "#" ? "arabic" : first.sequence;
  let lastOrdinal = first.ordinal;
  let auto = first.sequence === "#";
  return list(
    parser,
    lines,
    i,
    "Enumerated list",
    (at) => listItem(parser, lines, at, markerLength(ENUMERATOR, lines[at]!.text), node),
    (at) => {
      const m = ENUMERATOR.exec(lines[at]!.text);
      const e = m ? enumeratorAt(m, expected) : undefined;
      if (!e || e.format !== first.format) return false;
      if (e.sequence !== "#" && (e.sequence !== expected || auto || e.ordinal !== lastOrdinal + 1))
        return false;
      if (!nextEnumeratorOk(lines, at, e)) return false;
      if (e.sequence === "#") auto = true;
      lastOrdinal = e.ordinal;
      return true;
    },
  );
}

export function fieldList(parser: BodyParser, lines: Line[], i: number, ctx: Context): number {
  const node: RstNode = { kind: "field_list", line: lines[i]!.line, fields: [] };
  parser.add(ctx, node);
  const item = (at: number): Item => {
    const m = FIELD_MARKER.exec(lines[at]!.text)!;
    const name = m[0].slice(1, m[0].trimEnd().lastIndexOf(":"));
    const t = takeIndented(lines, at, { firstIndent: m[0].length });
    parser.inline(name, lines[at]!.line);
    const body: RstNode = { kind: "field_body", line: lines[at]!.line, children: [] };
    if (t.block.length > 0) parser.nested(t.block, body);
    const kinds = body.children!.filter((c) => c.kind !== "system_message").map((c) => c.kind);
    node.fields!.push({ name: unescapeNull(escapeToNull(name)), line: lines[at]!.line, body: kinds });
    return { last: t.last, blankFinish: t.blankFinish };
  };
  return list(parser, lines, i, "Field list", item, (at) => FIELD_MARKER.test(lines[at]!.text));
}

/** An option list, or undefined when the first option has no description (then: text). */
export function optionList(parser: BodyParser, lines: Line[], i: number, ctx: Context): number | undefined {
  const item = (at: number): Item | undefined => {
    const t = takeIndented(lines, at, { firstIndent: markerLength(OPTION_MARKER, lines[at]!.text) });
    if (t.block.length === 0) return undefined;
    parser.nested(t.block, { kind: "description", line: lines[at]!.line });
    return { last: t.last, blankFinish: t.blankFinish };
  };
  const first = item(i);
  if (!first) return undefined;
  parser.add(ctx, { kind: "option_list", line: lines[i]!.line });
  let { last, blankFinish } = first;
  for (;;) {
    let j = last + 1;
    while (j < lines.length && isBlank(lines[j]!.text)) j++;
    const next = j < lines.length && OPTION_MARKER.test(lines[j]!.text) ? item(j) : undefined;
    if (!next) break;
    ({ last, blankFinish } = next);
  }
  if (!blankFinish) parser.unindent("Option list", lines, last);
  return last;
}

export function lineBlock(parser: BodyParser, lines: Line[], i: number, ctx: Context): number {
  parser.add(ctx, { kind: "line_block", line: lines[i]!.line });
  let at = i;
  for (;;) {
    const t = takeIndented(lines, at, {
      firstIndent: markerLength(LINE_BLOCK, lines[at]!.text),
      untilBlank: true,
    });
    parser.inline(t.block.map((l) => l.text).join("\n"), lines[at]!.line);
    if (t.blankFinish) return t.last;
    at = t.last + 1;
    if (at >= lines.length || !LINE_BLOCK.test(lines[at]!.text)) {
      parser.doc.report("warning", lines[i]!.line + 1, "Line block ends without a blank line.");
      return t.last;
    }
  }
}

export function table(
  parser: BodyParser,
  lines: Line[],
  i: number,
  ctx: Context,
  kind: "grid" | "simple",
): number {
  const isolated = kind === "grid" ? isolateGrid(lines, i) : isolateSimple(lines, i);
  const { doc } = parser;
  for (const p of isolated.problems) doc.report(p.level, p.line, p.message);
  const parsed =
    isolated.block.length === 0
      ? undefined
      : kind === "grid"
        ? parseGrid(isolated.block)
        : parseSimple(isolated.block);
  if (parsed?.problem) doc.report(parsed.problem.level, parsed.problem.line, parsed.problem.message);
  if (parsed && !parsed.problem) {
    const cell: RstNode = { kind: "entry", line: lines[i]!.line, children: [] };
    for (const cellLines of parsed.cells) parser.nested(cellLines, cell);
    parser.add(ctx, { kind: "table", line: lines[i]!.line });
  } else {
    parser.add(ctx, { kind: "system_message", line: lines[i]!.line });
  }
  if (!isolated.blankFinish) {
    const line = lines[isolated.last + 1]?.line ?? lines[isolated.last]!.line + 1;
    doc.report("warning", line, "Blank line required after table.");
  }
  return isolated.last;
}

/** Text.indent: a one-line term followed by an indented definition. */
export function definitionList(
  parser: BodyParser,
  lines: Line[],
  i: number,
  ctx: Context,
  isText: (text: string) => boolean,
): number {
  parser.add(ctx, { kind: "definition_list", line: lines[i]!.line });
  const item = (at: number): Item => {
    parser.inline(lines[at]!.text, lines[at]!.line);
    const t = takeIndented(lines, at + 1);
    parser.nested(t.block, { kind: "definition", line: lines[at + 1]!.line });
    return { last: t.last, blankFinish: t.blankFinish };
  };
  const isTerm = (at: number) => {
    const next = lines[at + 1]?.text ?? "";
    return isText(lines[at]!.text) && next !== "" && next[0] === " ";
  };
  return list(parser, lines, i, "Definition list", item, isTerm);
}
