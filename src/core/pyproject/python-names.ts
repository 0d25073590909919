/** Python identifiers and PEP 794 import names, as Python's str.isidentifier and keyword module judge them. */

// str.isidentifier: XID_Start or "_" first, XID_Continue after (no NFKC step).
const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

/** keyword.kwlist (soft keywords such as `match` and `type` are not in it). */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]);

// Python's str.isspace() characters (what rstrip/lstrip remove): JS `\s` differs at U+001C–U+001F,
// U+0085 and U+FEFF.
const PY_SPACE =
  "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const TRAILING_SPACE = new RegExp(`${PY_SPACE}+$`, "u");
const LEADING_SPACE = new RegExp(`^${PY_SPACE}+`, "u");

export const isIdentifier = (text: string): boolean => IDENTIFIER.test(text);

/** An import name entry split like packaging does: `name ; private`. */
export interface ImportName {
  /** The dotted name, right-stripped. */
  name: string;
  private: boolean;
}

/**
 * Parses an Import-Name/Import-Namespace value with packaging's `_process_import_names` rules:
 * split at the first `;`, every dotted part an identifier and not a keyword, and the only option
 * `private` (leading spaces allowed, trailing ones not).
 */
export function parseImportName(
  value: string,
): { ok: true; value: ImportName } | { ok: false; error: string } {
  const semicolon = value.indexOf(";");
  const head = semicolon < 0 ? value : value.slice(0, semicolon);
  const name = head.replace(TRAILING_SPACE, "");
  for (const part of name.split(".")) {
    if (!isIdentifier(part)) return { ok: false, error: `${JSON.stringify(part)} is not a valid identifier` };
    if (PYTHON_KEYWORDS.has(part)) return { ok: false, error: `${JSON.stringify(part)} is a Python keyword` };
  }
  if (semicolon >= 0 && value.slice(semicolon + 1).replace(LEADING_SPACE, "") !== "private") {
    return { ok: false, error: 'the only option after ";" is "private"' };
  }
  return { ok: true, value: { name, private: semicolon >= 0 } };
}
