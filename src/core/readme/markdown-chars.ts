/**
 * Shared by the markdown-*.ts scanner files: the item they report, character codes and classes,
 * and searches that stay linear.
 */

/** A destination or a raw HTML chunk, in document order. */
export interface MarkdownItem {
  /** "link"/"image": a destination as written (escapes and entities kept); "html": raw HTML. */
  type: "link" | "image" | "html";
  text: string;
  /** 1-based line where the destination or HTML starts. */
  line: number;
}

export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const BANG = 33;
export const QUOTE = 34;
export const HASH = 35;
export const APOSTROPHE = 39;
export const LPAREN = 40;
export const RPAREN = 41;
export const STAR = 42;
export const PLUS = 43;
export const DASH = 45;
export const DOT = 46;
export const SLASH = 47;
export const DIGIT_ONE = 49;
export const COLON = 58;
export const LT = 60;
export const EQUALS = 61;
export const GT = 62;
export const QUESTION = 63;
export const AT = 64;
export const LBRACKET = 91;
export const BACKSLASH = 92;
export const RBRACKET = 93;
export const UNDERSCORE = 95;
export const BACKTICK = 96;
export const TILDE = 126;

export const isSpace = (c: number): boolean => c === SPACE || c === TAB;
export const isEol = (c: number): boolean => c === LF || c === CR;
export const isWhitespace = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR;
export const isAlpha = (c: number): boolean => (c | 32) >= 97 && (c | 32) <= 122;
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);
export const isAttributeNameChar = (c: number): boolean =>
  c === DASH || c === DOT || c === COLON || c === UNDERSCORE || isAlnum(c);

export function countEols(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === LF || (c === CR && s.charCodeAt(i + 1) !== LF)) n++;
  }
  return n;
}

/** Remembers the next occurrence of a needle, so repeated searches stay linear. */
export class NextIndex {
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
