/**
 * Explicit markup blocks ("..") of the built-in reStructuredText lint: footnotes, citations,
 * hyperlink targets, substitution definitions, directives and comments, following docutils'
 * Body.explicit_construct / explicit_list.
 */
import { minOf } from "../arrays.ts";
import type { BodyParser, Context } from "./rst-body.ts";
import { runDirective, TARGET_REFERENCE } from "./rst-directives.ts";
import type { RstNode } from "./rst-doc.ts";
import { adjustUri, cleanUri, SIMPLENAME } from "./rst-inline.ts";
import {
  escapeToNull,
  isBlank,
  type Line,
  normalizeName,
  takeIndented,
  unescapeNull,
  whitespaceNormalize,
} from "./rst-text.ts";

export const EXPLICIT = /^\.\.( +|$)/;
export const ANONYMOUS = /^__( +|$)/;
const FOOTNOTE = new RegExp(String.raw`^\.\. +\[([0-9]+|#|#${SIMPLENAME}|\*)\]( +|$)`, "u");
const CITATION = new RegExp(String.raw`^\.\. +\[(${SIMPLENAME})\]( +|$)`, "u");
const HYPERLINK = /^\.\. +_(?! |$)/;
const SUBSTITUTION = /^\.\. +\|(?! |$)/;
const DIRECTIVE = new RegExp(String.raw`^\.\. +(${SIMPLENAME}) ?::( +|$)`, "u");
const TARGET = /^(?:_|(?!_)(`?)(?![ `])(.+?)(?<![\s\x00])\1)(?<!(?<!\x00):)(?<![\s\x00]) ?:( +|$)/u;
const SUBSTITUTION_NAME = /^(?! )(.+?)(?<![\s\x00])\|( +|$)/u;
const EMBEDDED_DIRECTIVE = new RegExp(`^(${SIMPLENAME})::( +|$)`, "u");

interface Built {
  nodes: RstNode[];
  last: number;
  blankFinish: boolean;
}

class MarkupError extends Error {}

function isNextLineBlank(lines: readonly Line[], i: number): boolean {
  const next = lines[i + 1];
  return next === undefined || isBlank(next.text);
}

/** states.py parse_target: `name_` / `phrase`_ is an indirect target, anything else a URI. */
function parseTarget(block: string[]): { refname?: string; refuri?: string } {
  if (block.length > 0 && block.at(-1)!.trim().endsWith("_")) {
    const reference = whitespaceNormalize(block.map((l) => l.trim()).join(" "));
    const m = TARGET_REFERENCE.exec(reference);
    if (m) return { refname: unescapeNull(m.groups!["simple"] ?? m.groups!["phrase"]!) };
  }
  return { refuri: cleanUri(block.join(" ")) };
}

function footnote(parser: BodyParser, lines: Line[], i: number, m: RegExpExecArray): Built {
  const t = takeIndented(lines, i, { firstIndent: m[0].length });
  const { doc } = parser;
  const line = lines[i]!.line;
  const name = normalizeName(m[1]!);
  if (name === "#") doc.autoFootnotes++;
  else if (name === "*") doc.symbolFootnotes++;
  else {
    if (name.startsWith("#")) doc.autoFootnoteLabels.add(name.slice(1));
    doc.noteName(name.replace(/^#/, ""), {}, true, line);
  }
  const node: RstNode = { kind: "footnote", line, children: [] };
  if (t.block.length > 0) parser.nested(t.block, node);
  else doc.report("warning", line, "Footnote content expected.");
  return { nodes: [node], last: t.last, blankFinish: t.blankFinish };
}

function citation(parser: BodyParser, lines: Line[], i: number, m: RegExpExecArray): Built {
  const t = takeIndented(lines, i, { firstIndent: m[0].length });
  const line = lines[i]!.line;
  parser.doc.noteName(normalizeName(m[1]!), {}, true, line);
  const node: RstNode = { kind: "citation", line, children: [] };
  if (t.block.length > 0) parser.nested(t.block, node);
  else parser.doc.report("warning", line, "Citation content expected.");
  return { nodes: [node], last: t.last, blankFinish: t.blankFinish };
}

/** A hyperlink target: `.. _name: uri`, `.. _name: other_`, `.. _name:` or `.. __: uri`. */
function hyperlinkTarget(
  parser: BodyParser,
  lines: Line[],
  i: number,
  start: number,
  anonymous: boolean,
): Built {
  const t = takeIndented(lines, i, {
    firstIndent: start,
    untilBlank: true,
    stripIndent: false,
    stripTop: false,
  });
  const line = lines[i]!.line;
  let block = t.block.map((l) => escapeToNull(l.text));
  let name: string | undefined;
  if (!anonymous) {
    let escaped = block[0] ?? "";
    let index = 0;
    let m = TARGET.exec(escaped);
    while (!m) {
      index++;
      if (index >= block.length) throw new MarkupError("malformed hyperlink target.");
      escaped += block[index];
      m = TARGET.exec(escaped);
    }
    name = m[2];
    block = block.slice(index);
    // Python slicing with a negative start: the rest of the line after the target name.
    block[0] = `${block[0]} `.slice(m[0].length - escaped.length - 1).trim();
  }
  const target = parseTarget(block);
  const { doc } = parser;
  if (target.refuri) {
    target.refuri = adjustUri(target.refuri);
    doc.links.push({ uri: target.refuri, line, kind: "link" });
  }
  if (name === undefined) {
    doc.anonymousTargets.push(line);
    if (target.refname !== undefined) doc.refs.push({ name: normalizeName(target.refname), line });
  } else {
    const key = normalizeName(unescapeNull(name));
    const info =
      target.refname !== undefined
        ? { refname: normalizeName(target.refname) }
        : target.refuri
          ? { refuri: target.refuri }
          : {};
    doc.noteName(key, info, true, line);
    if (info.refname !== undefined) doc.indirect.push({ name: key, refname: info.refname, line });
  }
  const visible = name !== undefined && target.refuri === "" && target.refname === undefined;
  return {
    nodes: [{ kind: visible ? "internal_target" : "target", line }],
    last: t.last,
    blankFinish: t.blankFinish,
  };
}

/** `.. |name| directive:: ...`: only image, replace, unicode and date give inline content. */
function substitutionDefinition(parser: BodyParser, lines: Line[], i: number, start: number): Built {
  const t = takeIndented(lines, i, { firstIndent: start, stripIndent: false, stripTop: false });
  const { doc } = parser;
  const line = lines[i]!.line;
  let block = t.block;
  let escaped = escapeToNull(block[0]?.text.trimEnd() ?? "");
  let index = 0;
  let m = SUBSTITUTION_NAME.exec(escaped);
  while (!m) {
    index++;
    if (index >= block.length) throw new MarkupError("malformed substitution definition.");
    escaped = `${escaped} ${escapeToNull(block[index]!.text.trim())}`;
    m = SUBSTITUTION_NAME.exec(escaped);
  }
  const name = unescapeNull(m[1]!);
  const rest = `${block[index]!.text.trim()} `.slice(m[0].length - escaped.length - 1, -1);
  block = [{ text: rest, line: block[index]!.line }, ...block.slice(index + 1)];
  if (block[0]!.text === "") block = block.slice(1);
  while (block.length > 0 && isBlank(block.at(-1)!.text)) block = block.slice(0, -1);
  const node: RstNode = { kind: "substitution_definition", line };
  const result = { nodes: [node], last: t.last, blankFinish: t.blankFinish };
  if (block.length === 0) {
    doc.report("warning", line, `Substitution definition "${name}" missing contents.`);
    return result;
  }
  const first = block[0]!.text.trim();
  const directive = EMBEDDED_DIRECTIVE.exec(first);
  if (!directive) {
    doc.report("warning", line, `Substitution definition "${name}" empty or invalid.`);
    return result;
  }
  const before = doc.issues.length;
  doc.inSubstitution = true;
  doc.substitutionIllegal.length = 0;
  let made: RstNode[];
  try {
    const body = [
      { text: first.slice(directive[0].length), line: block[0]!.line },
      ...dedent(block.slice(1)),
    ];
    made = runDirective(parser.directiveHost(false), directive[1]!, body, block[0]!.line);
  } finally {
    doc.inSubstitution = false;
  }
  if (doc.substitutionIllegal.length > 0) {
    doc.report(
      "error",
      line,
      `${doc.substitutionIllegal[0]} are not supported in a substitution definition.`,
    );
  } else if (!made.some((n) => n.kind === "image" || n.kind === "inline")) {
    if (doc.issues.length === before)
      doc.report("warning", line, `Substitution definition "${name}" empty or invalid.`);
  } else {
    const key = whitespaceNormalize(name);
    if (doc.substitutionDefs.has(key))
      doc.report("error", line, `Duplicate substitution definition name: "${key}".`);
    doc.substitutionDefs.set(key, line);
  }
  return result;
}

/** Removes the common indentation of a directive's continuation lines. */
function dedent(block: Line[]): Line[] {
  const indents = block.filter((l) => !isBlank(l.text)).map((l) => l.text.length - l.text.trimStart().length);
  const cut = minOf(indents);
  return block.map((l) => ({ text: l.text.slice(cut), line: l.line }));
}

function directive(parser: BodyParser, lines: Line[], i: number, m: RegExpExecArray, ctx: Context): Built {
  const t = takeIndented(lines, i, { firstIndent: m[0].length, stripTop: false });
  const nodes = runDirective(parser.directiveHost(ctx.matchTitles), m[1]!, t.block, lines[i]!.line);
  return { nodes, last: t.last, blankFinish: t.blankFinish || isNextLineBlank(lines, t.last) };
}

function comment(lines: Line[], i: number, m: RegExpExecArray): Built {
  const line = lines[i]!.line;
  if (isNextLineBlank(lines, i) && lines[i]!.text.slice(m[0].length).trim() === "") {
    return { nodes: [{ kind: "empty_comment", line }], last: i, blankFinish: true };
  }
  const t = takeIndented(lines, i, { firstIndent: m[0].length });
  return { nodes: [{ kind: "comment", line }], last: t.last, blankFinish: t.blankFinish };
}

/** docutils explicit_construct: tries each construct, falling back to a comment. */
function construct(parser: BodyParser, lines: Line[], i: number, ctx: Context): Built {
  const text = lines[i]!.text;
  const m = EXPLICIT.exec(text)!;
  let failure: string | undefined;
  try {
    const footnoteMatch = FOOTNOTE.exec(text);
    if (footnoteMatch) return footnote(parser, lines, i, footnoteMatch);
    const citationMatch = CITATION.exec(text);
    if (citationMatch) return citation(parser, lines, i, citationMatch);
    const hyperlinkMatch = HYPERLINK.exec(text);
    if (hyperlinkMatch) return hyperlinkTarget(parser, lines, i, hyperlinkMatch[0].length, false);
    const substitutionMatch = SUBSTITUTION.exec(text);
    if (substitutionMatch) return substitutionDefinition(parser, lines, i, substitutionMatch[0].length);
    const directiveMatch = DIRECTIVE.exec(text);
    if (directiveMatch) return directive(parser, lines, i, directiveMatch, ctx);
  } catch (error) {
    if (!(error instanceof MarkupError)) throw error;
    failure = error.message;
  }
  if (failure !== undefined) parser.doc.report("warning", lines[i]!.line, failure);
  return comment(lines, i, m);
}

function explicitList(parser: BodyParser, lines: Line[], ctx: Context, first: Built): number {
  let { last, blankFinish } = first;
  for (const node of first.nodes) parser.add(ctx, node);
  for (;;) {
    const next = lines[last + 1];
    if (next === undefined || isBlank(next.text)) break;
    let built: Built;
    if (EXPLICIT.test(next.text)) built = construct(parser, lines, last + 1, ctx);
    else if (ANONYMOUS.test(next.text)) built = anonymous(parser, lines, last + 1);
    else break;
    for (const node of built.nodes) parser.add(ctx, node);
    ({ last, blankFinish } = built);
  }
  if (!blankFinish) parser.unindent("Explicit markup", lines, last);
  return last;
}

function anonymous(parser: BodyParser, lines: Line[], i: number): Built {
  return hyperlinkTarget(parser, lines, i, ANONYMOUS.exec(lines[i]!.text)![0].length, true);
}

/** Body.explicit_markup at line `i`; returns the index of the last line consumed. */
export function explicitMarkup(parser: BodyParser, lines: Line[], i: number, ctx: Context): number {
  return explicitList(parser, lines, ctx, construct(parser, lines, i, ctx));
}

/** Body.anonymous (`__ uri`) at line `i`. */
export function anonymousTarget(parser: BodyParser, lines: Line[], i: number, ctx: Context): number {
  return explicitList(parser, lines, ctx, anonymous(parser, lines, i));
}
