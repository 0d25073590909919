/**
 * The text grammar of one version specifier (`>=1.0`, `==1.2.*`, `===foo`), as packaging's
 * `Specifier._specifier_regex_str` defines it. Compiled once; used whole (SpecifierSet parts)
 * and as a prefix matcher (the requirement tokenizer).
 */
import { PY_WS_CLASS } from "./python-text.ts";

const WS = `[${PY_WS_CLASS}]*`;
const PRE = "(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?";
const POST = "(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?";
const DEV = "(?:[-_.]?dev[-_.]?[0-9]*)?";
const LOCAL = "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";
const HEAD = "v?(?:[0-9]+!)?[0-9]+";

// `===` takes anything up to whitespace, `;` (marker) or `)` (parenthesised specifiers).
const ARBITRARY = `===${WS}[^${PY_WS_CLASS};)]*`;
// `.*` and local labels only with ==/!=; `~=` needs two release components; the ordered
// operators take neither wildcard nor local (spec: "Version specifiers", each operator section).
const EQUALITY = `(?:==|!=)${WS}${HEAD}(?:\\.[0-9]+)*(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})?`;
const COMPATIBLE = `~=${WS}${HEAD}(?:\\.[0-9]+)+${PRE}${POST}${DEV}`;
const ORDERED = `(?:<=|>=|<|>)${WS}${HEAD}(?:\\.[0-9]+)*${PRE}${POST}${DEV}`;
const SPECIFIER = `(?:${ARBITRARY}|${EQUALITY}|${COMPATIBLE}|${ORDERED})`;

// Case-insensitive without the `u` flag: JS then folds ASCII letters only, as packaging's
// `(?a:…)` groups do. (packaging leaves the `~=` branch in Unicode mode, so it also takes `ſ`
// for `s` and `ı`/`İ` for `i` there, which then fail as versions; we reject those outright.)
const FULL_RE = new RegExp(`^${WS}${SPECIFIER}${WS}$`, "i");
const PREFIX_RE = new RegExp(SPECIFIER, "iy");

/** Whether `text` is one whole specifier (surrounding whitespace allowed). */
export function isSpecifierText(text: string): boolean {
  return FULL_RE.test(text);
}

/** Length of the specifier that starts at `position` (regex `match` semantics), or -1. */
export function matchSpecifierAt(text: string, position: number): number {
  PREFIX_RE.lastIndex = position;
  const m = PREFIX_RE.exec(text);
  return m === null ? -1 : m[0].length;
}
