/**
 * Just enough of Python's tokenizer to find module-level assignments: strings (prefixes, triple
 * quotes, escapes, f-string replacement fields with nested quotes as Python 3.12 allows),
 * comments, brackets, backslash continuations and logical lines with their indentation.
 * Tokens carry offsets into the original text so edits can splice exactly.
 */
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";
import { positionAt } from "./spot.ts";

export type TokenKind = "name" | "number" | "string" | "op";

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** Bracket depth before this token, within its logical line. */
  depth: number;
  /** Strings only: the lowercase prefix (`r`, `rb`, `f`...), the delimiter and the body's span. */
  prefix?: string;
  quote?: string;
  bodyStart?: number;
  bodyEnd?: number;
}

export interface LogicalLine {
  tokens: Token[];
  /** Whether the first physical line is indented, i.e. the statement is inside a block. */
  indented: boolean;
}

const PREFIXES = new Set(["r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"]);
const OPS = [..."**= //= >>= <<= ... -> := == != <= >= += -= *= /= %= &= |= ^= @= ** // << >>".split(" ")];
const IDENT = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}\u00b7]*/uy;
const NUMBER = /0[xXoObB][0-9a-fA-F_]+|[0-9]*\.?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?[jJ]?/y;

/** Splits Python source into logical lines; fails on an unterminated string. */
export function pythonLogicalLines(text: string): Parsed<LogicalLine[]> {
  const lines: LogicalLine[] = [];
  let tokens: Token[] = [];
  let depth = 0;
  let indented = false;
  let atLineStart = true;
  let i = text.startsWith("\uFEFF") ? 1 : 0;
  const n = text.length;
  const newlineLength = (at: number): number =>
    text[at] === "\n" ? 1 : text[at] === "\r" ? (text[at + 1] === "\n" ? 2 : 1) : 0;

  while (i < n) {
    const c = text[i]!;
    if (atLineStart) {
      let j = i;
      while (text[j] === " " || text[j] === "\t" || text[j] === "\f") j++;
      if (j >= n) break;
      if (text[j] === "#") while (j < n && newlineLength(j) === 0) j++;
      const blank = newlineLength(j);
      if (blank > 0 || j >= n) {
        i = j + blank;
        continue;
      }
      indented = j > i;
      atLineStart = false;
      i = j;
      continue;
    }
    if (c === " " || c === "\t" || c === "\f") {
      i++;
    } else if (c === "#") {
      while (i < n && newlineLength(i) === 0) i++;
    } else if (c === "\\" && newlineLength(i + 1) > 0) {
      i += 1 + newlineLength(i + 1);
    } else if (newlineLength(i) > 0) {
      i += newlineLength(i);
      if (depth === 0) {
        if (tokens.length > 0) lines.push({ tokens, indented });
        tokens = [];
        atLineStart = true;
      }
    } else if (c === '"' || c === "'") {
      const token = readString(text, i, "", depth);
      if (token === undefined) return unterminated(text, i);
      tokens.push(token);
      i = token.end;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text)!;
      tokens.push({ kind: "number", text: m[0], start: i, end: i + m[0].length, depth });
      i += m[0].length;
    } else {
      IDENT.lastIndex = i;
      const m = IDENT.exec(text);
      if (m !== null) {
        const end = i + m[0].length;
        const prefix = m[0].toLowerCase();
        if ((text[end] === '"' || text[end] === "'") && PREFIXES.has(prefix)) {
          const token = readString(text, end, prefix, depth, i);
          if (token === undefined) return unterminated(text, i);
          tokens.push(token);
          i = token.end;
        } else {
          tokens.push({ kind: "name", text: m[0], start: i, end, depth });
          i = end;
        }
        continue;
      }
      const op = OPS.find((o) => text.startsWith(o, i)) ?? c;
      tokens.push({ kind: "op", text: op, start: i, end: i + op.length, depth });
      if (op === "(" || op === "[" || op === "{") depth++;
      else if ((op === ")" || op === "]" || op === "}") && depth > 0) depth--;
      i += op.length;
    }
  }
  if (tokens.length > 0) lines.push({ tokens, indented });
  return ok(lines);
}

function unterminated(text: string, at: number): Parsed<never> {
  return fail(`unterminated string starting at line ${positionAt(text, at).line}`);
}

/** A string whose delimiter starts at `at` (its prefix, if any, at `from`). */
function readString(text: string, at: number, prefix: string, depth: number, from = at): Token | undefined {
  const q = text[at]!;
  const quote = text.startsWith(q.repeat(3), at) ? q.repeat(3) : q;
  const formatted = prefix.includes("f") || prefix.includes("t");
  const bodyStart = at + quote.length;
  const bodyEnd = skipBody(text, bodyStart, quote, formatted);
  if (bodyEnd < 0) return undefined;
  const end = bodyEnd + quote.length;
  return {
    kind: "string",
    text: text.slice(from, end),
    start: from,
    end,
    depth,
    prefix,
    quote,
    bodyStart,
    bodyEnd,
  };
}

/** Offset of the closing delimiter, or -1. Backslashes skip a character even in raw strings. */
function skipBody(text: string, j: number, quote: string, formatted: boolean): number {
  const triple = quote.length === 3;
  while (j < text.length) {
    if (text.startsWith(quote, j)) return j;
    const c = text[j]!;
    if (c === "\\") j += text.startsWith("\r\n", j + 1) ? 3 : 2;
    else if (!triple && (c === "\n" || c === "\r")) return -1;
    else if (formatted && c === "{" && text[j + 1] !== "{") {
      j = skipField(text, j + 1, quote, triple);
      if (j < 0) return -1;
    } else j += formatted && (c === "{" || c === "}") && text[j + 1] === c ? 2 : 1;
  }
  return -1;
}

/** Skips an f-string replacement field's expression and format spec; returns the offset after `}`. */
function skipField(text: string, j: number, quote: string, triple: boolean): number {
  let depth = 0;
  while (j < text.length) {
    const c = text[j]!;
    if (c === '"' || c === "'") {
      // Prefixes inside the expression are letters just read past; f-ness only matters for `{`.
      const prefix = /[fFtT][rR]?$|[rR][fFtT]$/.test(text.slice(Math.max(0, j - 2), j));
      const token = readString(text, j, prefix ? "f" : "", 0);
      if (token === undefined) return -1;
      j = token.end;
    } else if (c === "(" || c === "[" || c === "{") {
      depth++;
      j++;
    } else if (c === ")" || c === "]") {
      depth--;
      j++;
    } else if (c === "}") {
      if (depth === 0) return j + 1;
      depth--;
      j++;
    } else if (c === ":" && depth === 0) {
      return skipSpec(text, j + 1, quote, triple);
    } else if (c === "#") {
      while (j < text.length && text[j] !== "\n") j++;
    } else if (!triple && (c === "\n" || c === "\r") && depth === 0) {
      return -1;
    } else j++;
  }
  return -1;
}

/** A format spec is literal text with nested fields, up to the field's closing `}`. */
function skipSpec(text: string, j: number, quote: string, triple: boolean): number {
  while (j < text.length) {
    const c = text[j]!;
    if (c === "}") return j + 1;
    if (c === "{") {
      j = skipField(text, j + 1, quote, triple);
      if (j < 0) return -1;
    } else if (text.startsWith(quote, j) || (!triple && (c === "\n" || c === "\r"))) return -1;
    else j++;
  }
  return -1;
}
