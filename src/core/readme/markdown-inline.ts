/**
 * Inline text (label-end.js, code-text.js, autolink.js, html-text.js) and the link syntax that
 * definitions share with it (factory-label, factory-destination, factory-title, definition.js).
 */

import {
  APOSTROPHE,
  AT,
  BACKSLASH,
  BACKTICK,
  BANG,
  COLON,
  countEols,
  DASH,
  DOT,
  EQUALS,
  GT,
  isAlnum,
  isAlpha,
  isAttributeNameChar,
  isEol,
  isSpace,
  isWhitespace,
  LBRACKET,
  LPAREN,
  LT,
  type MarkdownItem,
  NextIndex,
  PLUS,
  QUESTION,
  QUOTE,
  RBRACKET,
  RPAREN,
  SLASH,
  SPACE,
  STAR,
  UNDERSCORE,
} from "./markdown-chars.ts";

/** micromark-util-normalize-identifier: how labels are compared. */
export function normalizeLabel(label: string): string {
  return label
    .replace(/[\t\n\r ]+/g, " ")
    .replace(/^ | $/g, "")
    .toLowerCase()
    .toUpperCase();
}

/**
 * A link reference definition at i (definition.js): label, destination span, and the index of
 * the line ending (or end) that closes it; undefined when there is none.
 */
export function definition(s: string, i: number): [string, number, number, number] | undefined {
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

export function scanInline(s: string, line: number, defined: ReadonlySet<string>, out: MarkdownItem[]): void {
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
