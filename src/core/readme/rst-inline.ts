/**
 * Inline markup of the built-in reStructuredText lint: a port of the recognition rules of
 * docutils' Inliner (parsers/rst/states.py, "inline markup recognition rules" in the rst spec):
 * start-strings without end-strings, unknown roles, references, targets and substitutions.
 */
import type { RstDoc } from "./rst-doc.ts";
import { ROLE_ALIASES, ROLE_KINDS, type RoleKind } from "./rst-names.ts";
import { escapeToNull, normalizeName, unescapeNull, whitespaceNormalize } from "./rst-text.ts";

const R = String.raw;
// A backquote, interpolated: unicode-mode regexes reject an escaped one.
const BQ = "`";
// Python's \w on str patterns (letters, digits, underscore).
const WORD = R`[\p{L}\p{N}_]`;
export const SIMPLENAME = R`(?:(?!_)${WORD})+(?:[\-._+:](?:(?!_)${WORD})+)*`;
// docutils.utils.punctuation_chars, from Unicode categories (Ps/Pi/Pf open, Pe/Pf/Pi close,
// Pd/Po delimit); ASCII punctuation outside the lists below never delimits inline markup.
const OPENERS = R`"'\(<\[\{\p{Ps}\p{Pi}\p{Pf}`;
const CLOSERS = R`"'\)>\]\}\p{Pe}\p{Pf}\p{Pi}`;
const DELIMITERS = R`\-\/:¡·¿[[\p{Pd}\p{Po}]--[\x00-\xbf]]`;
const CLOSING_DELIMITERS = R`\\.,;!?`;
const START_PREFIX = R`(?:^|(?<=\s|[${OPENERS}${DELIMITERS}]))`;
export const END_SUFFIX = R`(?:$|(?=\s|[\x00${CLOSING_DELIMITERS}${DELIMITERS}${CLOSERS}]))`;
const NON_WS_AFTER = R`(?!\s)`;
const NON_WS_ESC_BEFORE = R`(?<![\s\x00])`;

const INITIAL = new RegExp(
  START_PREFIX +
    R`(?:(?<start>\*\*|\*(?!\*)|${BQ}${BQ}|_${BQ}|\|(?!\|))${NON_WS_AFTER}` +
    R`|(?<whole>(?<refname>${SIMPLENAME})(?<refend>__?)` +
    R`|\[(?<fnlabel>[0-9]+|#(?:${SIMPLENAME})?|\*|(?<citation>${SIMPLENAME}))(?<fnend>\]_))${END_SUFFIX}` +
    R`|(?<role>(?::${SIMPLENAME}:)?)(?<backquote>${BQ}(?!${BQ}))${NON_WS_AFTER})`,
  "dv",
);

const END_PATTERNS: Readonly<Record<string, RegExp>> = {
  "*": new RegExp(R`${NON_WS_ESC_BEFORE}(\*)${END_SUFFIX}`, "dv"),
  "**": new RegExp(R`${NON_WS_ESC_BEFORE}(\*\*)${END_SUFFIX}`, "dv"),
  "``": new RegExp(R`(?<!\s)(${BQ}${BQ})${END_SUFFIX}`, "dv"),
  "_`": new RegExp(R`${NON_WS_ESC_BEFORE}(${BQ})${END_SUFFIX}`, "dv"),
  "|": new RegExp(R`${NON_WS_ESC_BEFORE}(\|_{0,2})${END_SUFFIX}`, "dv"),
};
const NODE_NAMES: Readonly<Record<string, string>> = {
  "*": "emphasis",
  "**": "strong",
  "``": "literal",
  "_`": "target",
  "|": "substitution_reference",
};
const INTERPRETED_END = new RegExp(
  R`(?<!(?<!\x00)[\s\x00])(${BQ}(?<suffix>(?<role>:${SIMPLENAME}:)?(?<refend>__?)?))${END_SUFFIX}`,
  "dv",
);
const EMBEDDED = new RegExp(R`((?:[ \n]+|^)<${NON_WS_AFTER}(([^<>]|\x00[<>])+)${NON_WS_ESC_BEFORE}>)$`, "v");

const URIC = R`[\-_.!~*'\(\)\[\];\/:@&=+$,%a-zA-Z0-9\x00]`;
const URI_END = R`(?:[_~*\/=+a-zA-Z0-9]|${URIC}(?=[>]))`;
const EMAILC = R`[\-_!~*'\{\|\}\/#?^${BQ}&=+$%a-zA-Z0-9\x00]`;
const EMAIL = R`${EMAILC}+(?:\.${EMAILC}+)*(?<!\x00)@${EMAILC}+(?:\.${EMAILC}*)*${URI_END}`;
const URI_START = new RegExp(
  R`^(?:[a-zA-Z][a-zA-Z0-9.+\-]*:(?:(?:\/\/?)?${URIC}*${URI_END})(?:\?${URIC}*${URI_END})?(?:#${URIC}*${URI_END})?|${EMAIL})${END_SUFFIX}`,
  "v",
);
const EMAIL_ONLY = new RegExp(R`^${EMAIL}$`, "v");

/** Opening/closing pairs for the "quoted start-string" rule (docutils punctuation_chars.match_chars). */
const PAIRS: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "(": ")",
  "<": ">",
  "[": "]",
  "{": "}",
  "\u00ab": "\u00bb",
  "\u00bb": "\u00ab\u00bb",
  "\u2018": "\u2019\u201a",
  "\u2019": "\u2018\u2019",
  "\u201a": "\u201b\u2018\u2019",
  "\u201b": "\u201a",
  "\u201c": "\u201d\u201e",
  "\u201d": "\u201c\u201d",
  "\u201e": "\u201f\u201c\u201d",
  "\u201f": "\u201e",
  "\u2039": "\u203a",
  "\u203a": "\u2039\u203a",
  "\u301d": "\u301e\u301f",
};

function matchChars(open: string, close: string): boolean {
  const pair = PAIRS[open];
  if (pair !== undefined) return pair.includes(close);
  // Other Ps brackets close with the next code point (e.g. U+3008/U+3009).
  return /\p{Ps}/u.test(open) && close.codePointAt(0) === open.codePointAt(0)! + 1;
}

/** docutils Inliner.quoted_start: the start-string is enclosed in matching punctuation. */
function quotedStart(text: string, start: number, end: number): boolean {
  if (start === 0) return false;
  if (end >= text.length) return true;
  return matchChars(text[start - 1]!, text[end]!);
}

/** docutils Inliner.adjust_uri: bare e-mail addresses become mailto: URIs. */
export function adjustUri(uri: string): string {
  return EMAIL_ONLY.test(uri) ? `mailto:${uri}` : uri;
}

/** A URI with escaped whitespace kept and other whitespace removed (docutils directives.uri). */
export function cleanUri(escaped: string): string {
  return escaped
    .split(/\x00[ \n]/u)
    .map((part) => unescapeNull(part).replace(/\s+/gu, ""))
    .join(" ");
}

interface Cursor {
  doc: RstDoc;
  /** Line number of the text block's first line. */
  line: number;
  /** Offsets of the line breaks in the whole text block. */
  breaks: number[];
  /** Offset of the text being parsed (the unparsed rest) in the whole block. */
  base: number;
}

/** The line of `index` (relative to the unparsed rest): count the breaks before it. */
function lineAt(cursor: Cursor, index: number): number {
  const at = cursor.base + index;
  let lo = 0;
  let hi = cursor.breaks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cursor.breaks[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return cursor.line + lo;
}

/** Role lookup as docutils roles.role(): custom roles, English aliases, then canonical names. */
export function roleKind(doc: RstDoc, name: string): RoleKind | undefined {
  const lower = name.toLowerCase();
  if (lower === "") return doc.defaultRole === undefined ? "plain" : roleKind(doc, doc.defaultRole);
  const base = doc.customRoles.get(lower);
  if (base !== undefined) return base === "" ? "plain" : roleKind(doc, base);
  return ROLE_KINDS[ROLE_ALIASES[lower] ?? lower];
}

function checkRole(cursor: Cursor, role: string, content: string, at: number): void {
  const kind = roleKind(cursor.doc, role);
  const line = lineAt(cursor, at);
  const text = unescapeNull(content);
  if (kind === undefined) {
    cursor.doc.report("error", line, `Unknown interpreted text role "${role}".`);
  } else if (kind === "unimplemented") {
    cursor.doc.report("error", line, `Interpreted text role "${role}" not implemented.`);
  } else if (kind === "raw") {
    cursor.doc.report("warning", line, "raw (and derived) roles disabled");
  } else if (kind === "pep") {
    const n = /^\s*\+?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!(n >= 0 && n <= 9999)) {
      cursor.doc.report(
        "error",
        line,
        `PEP number must be a number from 0 to 9999; "${content}" is invalid.`,
      );
    }
  } else if (kind === "rfc") {
    const number = text.split("#")[0]!;
    const n = /^\s*\+?\d+\s*$/.test(number) ? Number(number) : Number.NaN;
    if (!(n >= 1)) {
      cursor.doc.report(
        "error",
        line,
        `RFC number must be a number greater than or equal to 1; "${content}" is invalid.`,
      );
    }
  }
}

/** docutils Inliner.phrase_ref: `text`_ / `text <uri>`_ / `text <alias_>`_ and anonymous forms. */
function phraseRef(cursor: Cursor, escaped: string, anonymous: boolean, at: number): void {
  const { doc } = cursor;
  const line = lineAt(cursor, at);
  const embedded = EMBEDDED.exec(escaped);
  let text = escaped;
  if (embedded) {
    text = escaped.slice(0, embedded.index);
    const alias = embedded[2]!;
    const escapedUnderscore = alias.endsWith("\0_");
    if (alias.endsWith("_") && !escapedUnderscore && !URI_START.test(alias)) {
      const refname = normalizeName(unescapeNull(alias.slice(0, -1)));
      if (!anonymous) illegal(doc, "Targets (names and identifiers)");
      if (anonymous) {
        doc.refs.push({ name: refname, line });
      } else {
        const name = text ? normalizeName(unescapeNull(text)) : refname;
        doc.noteName(name, { refname }, false, line);
        doc.indirect.push({ name, refname, line });
      }
      return;
    }
    const uri = adjustUri(cleanUri(alias));
    doc.links.push({ uri, line, kind: "link" });
    if (!anonymous) illegal(doc, "Targets (names and identifiers)");
    if (!anonymous)
      doc.noteName(normalizeName(text ? unescapeNull(text) : uri), { refuri: uri }, false, line);
    return;
  }
  if (anonymous) anonymousRef(doc, line);
  else doc.refs.push({ name: normalizeName(unescapeNull(text)), line });
}

/** Records a construct docutils refuses inside a substitution definition. */
function illegal(doc: RstDoc, what: string): void {
  if (doc.inSubstitution) doc.substitutionIllegal.push(what);
}

function anonymousRef(doc: RstDoc, line: number): void {
  doc.anonymousRefs.push(line);
  illegal(doc, "Anonymous references");
}

type Step = { rest: string; consumed: number };

function inlineObject(cursor: Cursor, text: string, m: RegExpExecArray): Step {
  const start = m.groups!["start"]!;
  const [matchStart, matchEnd] = m.indices!.groups!["start"]!;
  if (quotedStart(text, m.index, matchEnd)) return { rest: text.slice(matchEnd), consumed: matchEnd };
  const tail = text.slice(matchEnd);
  const end = END_PATTERNS[start]!.exec(tail);
  const endStart = end?.indices?.[1]?.[0] ?? 0;
  if (!end || endStart === 0) {
    const node = NODE_NAMES[start]!;
    cursor.doc.report(
      "warning",
      lineAt(cursor, matchStart),
      `Inline ${node} start-string without end-string.`,
    );
    return { rest: tail, consumed: matchEnd };
  }
  const content = tail.slice(0, endStart);
  const endString = end[1]!;
  const after = matchEnd + end.indices![1]![1];
  const line = lineAt(cursor, matchStart);
  if (start === "_`") {
    cursor.doc.noteName(normalizeName(unescapeNull(content)), {}, true, line);
    illegal(cursor.doc, "Targets (names and identifiers)");
  } else if (start === "|") {
    const name = whitespaceNormalize(unescapeNull(content));
    cursor.doc.substitutionRefs.push({ name, line });
    if (endString.endsWith("__")) anonymousRef(cursor.doc, line);
    else if (endString.endsWith("_")) cursor.doc.refs.push({ name: normalizeName(name), line });
  }
  return { rest: text.slice(after), consumed: after };
}

function interpreted(cursor: Cursor, text: string, m: RegExpExecArray): Step {
  const [roleStart] = m.indices!.groups!["role"]!;
  const [matchStart, matchEnd] = m.indices!.groups!["backquote"]!;
  let role = m.groups!["role"] ? m.groups!["role"].slice(1, -1) : undefined;
  if (role === undefined && quotedStart(text, m.index, matchEnd)) {
    return { rest: text.slice(matchEnd), consumed: matchEnd };
  }
  const tail = text.slice(matchEnd);
  const end = INTERPRETED_END.exec(tail);
  const endStart = end?.indices?.[1]?.[0] ?? 0;
  const line = lineAt(cursor, matchStart);
  if (!end || endStart === 0) {
    cursor.doc.report(
      "warning",
      line,
      "Inline interpreted text or phrase reference start-string without end-string.",
    );
    return { rest: tail, consumed: matchEnd };
  }
  const after = matchEnd + end.index + end[0].length;
  const rest = { rest: text.slice(after), consumed: after };
  const suffixRole = end.groups!["role"];
  if (suffixRole) {
    if (role !== undefined) {
      cursor.doc.report(
        "warning",
        line,
        "Multiple roles in interpreted text (both prefix and suffix present; only one allowed).",
      );
      return rest;
    }
    role = suffixRole.slice(1, -1);
  }
  const content = tail.slice(0, endStart);
  const refend = end.groups!["refend"];
  if (refend) {
    if (role !== undefined) {
      const position = suffixRole ? "suffix" : "prefix";
      cursor.doc.report(
        "warning",
        line,
        `Mismatch: both interpreted text role ${position} and reference suffix.`,
      );
      return rest;
    }
    phraseRef(cursor, content, refend === "__", matchStart);
    return rest;
  }
  checkRole(cursor, role ?? "", content, roleStart);
  return rest;
}

function footnoteRef(cursor: Cursor, m: RegExpExecArray): void {
  const label = m.groups!["fnlabel"]!;
  const line = lineAt(cursor, m.index);
  const name = normalizeName(label);
  if (m.groups!["citation"] !== undefined) {
    cursor.doc.refs.push({ name, line });
  } else if (name.startsWith("#")) {
    illegal(cursor.doc, "References to auto-numbered and auto-symbol footnotes");
    cursor.doc.autoFootnoteRefs.push(name.length > 1 ? { line, label: name.slice(1) } : { line });
  } else if (name === "*") {
    illegal(cursor.doc, "References to auto-numbered and auto-symbol footnotes");
    cursor.doc.symbolFootnoteRefs.push(line);
  } else {
    cursor.doc.refs.push({ name, line });
  }
}

/** Parses one text block's inline markup (docutils Inliner.parse), recording what it finds. */
export function parseInline(doc: RstDoc, source: string, line: number): void {
  const full = escapeToNull(source);
  const breaks: number[] = [];
  for (let i = full.indexOf("\n"); i >= 0; i = full.indexOf("\n", i + 1)) breaks.push(i);
  let remaining = full;
  let offset = 0;
  while (remaining) {
    const m = INITIAL.exec(remaining);
    if (!m) break;
    const local: Cursor = { doc, line, breaks, base: offset };
    let step: Step;
    if (m.groups!["start"] !== undefined) {
      step = inlineObject(local, remaining, m);
    } else if (m.groups!["backquote"] !== undefined) {
      step = interpreted(local, remaining, m);
    } else {
      const [, wholeEnd] = m.indices!.groups!["whole"]!;
      if (m.groups!["fnend"] !== undefined) {
        footnoteRef(local, m);
      } else if (m.groups!["refend"] === "__") {
        anonymousRef(doc, lineAt(local, m.index));
      } else {
        doc.refs.push({ name: normalizeName(m.groups!["refname"]!), line: lineAt(local, m.index) });
      }
      step = { rest: remaining.slice(wholeEnd), consumed: wholeEnd };
    }
    remaining = step.rest;
    offset += step.consumed;
  }
}
