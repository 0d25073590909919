/**
 * Character classes as Python's `str` and `re` define them, so parsers that mirror `packaging`
 * accept exactly the same text (Python's `\s` and `str.strip()` know more blanks than JS `\s`).
 */

/** `chr(code).isspace()` in Python 3.11 (also what `re`'s `\s` matches in str patterns). */
export function isPyWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python's whitespace as a regex character-class body (for patterns compiled once). */
export const PY_WS_CLASS =
  "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** `text.strip()` in Python; returns `text` itself when there is nothing to strip. */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPyWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPyWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

// Python's `\w` for str patterns is `isalnum() or "_"`; Unicode letters and numbers cover it
// (checked against CPython 3.11: no Python word character falls outside this class).
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Whether the character at `index` is a Python regex word character (`\w`). */
export function isPyWordAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 0x80) {
    return (
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      code === 0x5f
    );
  }
  // A low surrogate belongs to the astral character that starts one unit earlier.
  const start = code >= 0xdc00 && code <= 0xdfff && index > 0 ? index - 1 : index;
  const point = text.codePointAt(start) ?? code;
  return WORD_CHAR.test(String.fromCodePoint(point));
}

/** Python's `\b` at `index`: a word character on exactly one side. */
export function isPyWordBoundary(text: string, index: number): boolean {
  return isPyWordAt(text, index - 1) !== isPyWordAt(text, index);
}

/** Orders strings by code point, as Python compares `str` (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate starts an astral character, which sorts above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    return xs === ys ? x - y : xs ? 1 : -1;
  }
  return a.length - b.length;
}

/** `packaging.utils.canonicalize_name` without validation: lowercase, runs of `-_.` → `-`. */
export function canonicalizeName(name: string): string {
  return name.toLowerCase().replace(RUNS_OF_SEPARATORS, "-");
}
const RUNS_OF_SEPARATORS = /[-_.]+/g;
