/**
 * The tokens of dependency specifiers and markers, matched as packaging's `_tokenizer.py` rules
 * match them (including Python's Unicode-aware `\b`). Each function reads at `position` and
 * returns the end of the token, or -1 when it is not there.
 */
import { isPyWordAt, isPyWordBoundary } from "../pep440/python-text.ts";

/** A parse failure at a position; caught by the parse functions and returned as a value. */
export class SyntaxFailure {
  readonly message: string;
  readonly position: number;
  constructor(message: string, position: number) {
    this.message = message;
    this.position = position;
  }
}

/** The cursor over one input text. */
export interface Cursor {
  readonly text: string;
  pos: number;
}

export function failAt(cursor: Cursor, message: string, position = cursor.pos): never {
  throw new SyntaxFailure(message, position);
}

/** `WS = [ \t]+`: only spaces and tabs separate tokens (the spec's `wsp`). */
export function skipWs(cursor: Cursor): boolean {
  const start = cursor.pos;
  const { text } = cursor;
  while (cursor.pos < text.length) {
    const c = text.charCodeAt(cursor.pos);
    if (c !== 0x20 && c !== 0x09) break;
    cursor.pos++;
  }
  return cursor.pos > start;
}

function isNameStart(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || code === 0x2d || code === 0x2e || code === 0x5f;
}

/** `IDENTIFIER = \b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`, backtracking to the last word boundary. */
export function matchIdentifier(text: string, position: number): number {
  if (!isNameStart(text.charCodeAt(position)) || isPyWordAt(text, position - 1)) return -1;
  let end = position + 1;
  while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
  while (end > position && !isPyWordBoundary(text, end)) end--;
  return end > position ? end : -1;
}

// Accepted spellings → the variable they mean (packaging's VARIABLE rule and process_env_var).
const VARIABLES: ReadonlyMap<string, string> = new Map([
  ["python_version", "python_version"],
  ["python_full_version", "python_full_version"],
  ["os_name", "os_name"],
  ["os.name", "os_name"],
  ["sys_platform", "sys_platform"],
  ["sys.platform", "sys_platform"],
  ["platform_release", "platform_release"],
  ["platform_system", "platform_system"],
  ["platform_version", "platform_version"],
  ["platform.version", "platform_version"],
  ["platform_machine", "platform_machine"],
  ["platform.machine", "platform_machine"],
  ["platform_python_implementation", "platform_python_implementation"],
  ["platform.python_implementation", "platform_python_implementation"],
  ["python_implementation", "platform_python_implementation"],
  ["implementation_name", "implementation_name"],
  ["implementation_version", "implementation_version"],
  ["extra", "extra"],
  ["extras", "extras"],
  ["dependency_groups", "dependency_groups"],
]);

// The spellings grouped by first letter, longest first, so a lookup allocates nothing.
const BY_FIRST_CHAR = new Map<number, [string, string][]>();
for (const entry of [...VARIABLES].sort((a, b) => b[0].length - a[0].length)) {
  const key = entry[0].charCodeAt(0);
  BY_FIRST_CHAR.set(key, [...(BY_FIRST_CHAR.get(key) ?? []), entry]);
}

/** A marker variable at `position`: its canonical name and the spelling used. */
export function matchVariable(text: string, position: number): { name: string; written: string } | undefined {
  const candidates = BY_FIRST_CHAR.get(text.charCodeAt(position));
  if (candidates === undefined || isPyWordAt(text, position - 1)) return undefined;
  // At most one spelling ends on a word boundary (`extra` inside `extras` does not).
  for (const [written, name] of candidates) {
    if (text.startsWith(written, position) && isPyWordBoundary(text, position + written.length)) {
      return { name, written };
    }
  }
  return undefined;
}

/** A keyword (`and`, `or`, `in`, `not`) between word boundaries. */
export function matchKeyword(text: string, position: number, word: string): boolean {
  return (
    text.startsWith(word, position) &&
    isPyWordBoundary(text, position) &&
    isPyWordBoundary(text, position + word.length)
  );
}

const OPERATORS = ["===", "==", "~=", "!=", "<=", ">=", "<", ">"] as const;

/** `OP = (===|==|~=|!=|<=|>=|<|>)`, the first alternative that matches. */
export function matchOperator(text: string, position: number): (typeof OPERATORS)[number] | undefined {
  for (const op of OPERATORS) if (text.startsWith(op, position)) return op;
  return undefined;
}

/** `QUOTED_STRING = '[^']*' | "[^"]*"`; returns the end after the closing quote, or -1. */
export function matchQuoted(text: string, position: number): number {
  const quote = text[position];
  if (quote !== "'" && quote !== '"') return -1;
  const close = text.indexOf(quote, position + 1);
  return close < 0 ? -1 : close + 1;
}

/** `URL = [^ \t]+`. */
export function matchUrl(text: string, position: number): number {
  let end = position;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 0x20 || c === 0x09) break;
    end++;
  }
  return end > position ? end : -1;
}

/** `VERSION_LOCAL_LABEL_TRAIL = \+[a-z0-9]+(?:[-_.][a-z0-9]+)*` (case-sensitive), peeked only. */
export function startsLocalLabel(text: string, position: number): boolean {
  if (text.charCodeAt(position) !== 0x2b) return false;
  const c = text.charCodeAt(position + 1);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
}
