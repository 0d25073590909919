/** PEP 440 version specifiers, with packaging 26.3's semantics. */
import { fail, ok, type Parsed } from "../result.ts";
import { compareCodePoints, pyStrip } from "./python-text.ts";
import { specifierMatches } from "./specifier-match.ts";
import { isSpecifierText } from "./specifier-syntax.ts";
import { canonicalizeVersion, isPrerelease, parseVersion, type Version } from "./version.ts";

export type Operator = "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "===";

export interface Specifier {
  operator: Operator;
  /** The version text as written after the operator (may end in `.*` for == and !=). */
  version: string;
}

export { isSpecifierText, matchSpecifierAt } from "./specifier-syntax.ts";

/**
 * Parses one specifier (`>= 1.0`, `==1.2.*`, `~=2.2`, `===foo`) like packaging's `Specifier`:
 * surrounding whitespace is dropped, the version text is kept as written.
 */
export function parseSpecifier(text: string): Parsed<Specifier> {
  if (!isSpecifierText(text))
    return fail(`invalid version specifier ${JSON.stringify(text)}${specifierHint(text)}`);
  const spec = pyStrip(text);
  const width = spec.startsWith("===") ? 3 : TWO_CHAR_OPERATORS.has(spec.slice(0, 2)) ? 2 : 1;
  return ok({ operator: spec.slice(0, width) as Operator, version: pyStrip(spec.slice(width)) });
}
const TWO_CHAR_OPERATORS = new Set(["~=", "==", "!=", "<=", ">="]);

const BARE_VERSION = /^v?[0-9]/i;
const ORDERED_WILDCARD = /^(?:~=|<=|>=|<|>).*\.\*$/;
const ORDERED_LOCAL = /^(?:~=|<=|>=|<|>)[^+]*\+/;
const SHORT_COMPATIBLE = /^~=\s*v?(?:[0-9]+!)?[0-9]+(?![.0-9])/i;

/** Says which rule an invalid specifier breaks, for the common mistakes (validation.md (d) 18). */
function specifierHint(text: string): string {
  const spec = pyStrip(text);
  if (spec === "" || spec === "*") return ": a specifier needs an operator and a version (`>=3.9`)";
  if (BARE_VERSION.test(spec)) return ": a bare version needs an operator (`==` or `>=`)";
  if (ORDERED_WILDCARD.test(spec)) return ": `.*` is allowed only with == and !=";
  if (ORDERED_LOCAL.test(spec)) return ": a local version (`+…`) is allowed only with == and !=";
  if (SHORT_COMPATIBLE.test(spec)) return ": ~= needs at least two release components (`~=3.9`)";
  return "";
}

/** Parses a comma-separated specifier set (`>=3.9,<4`); an empty string is the empty set. */
export function parseSpecifierSet(text: string): Parsed<Specifier[]> {
  const set: Specifier[] = [];
  // packaging splits on every comma and drops empty parts, so `>=1,` and `,,` are valid.
  for (const part of text.split(",")) {
    if (pyStrip(part) === "") continue;
    const spec = parseSpecifier(part);
    if (!spec.ok) return spec;
    set.push(spec.value);
  }
  return ok(set);
}

/**
 * Whether `version` satisfies one specifier. Pre-releases match unless `prereleases` is false
 * (packaging ≥ 26: a single version has no alternatives, so PEP 440's fallback admits it).
 * `===` compares the raw text case-insensitively (a Version is compared by its normalized text).
 */
export function specifierContains(
  spec: Specifier,
  version: Version | string,
  options: { prereleases?: boolean } = {},
): boolean {
  return specifierSetContains([spec], version, options);
}

/**
 * Whether `version` satisfies every specifier, as `SpecifierSet.contains` in packaging 26.3:
 * pre-releases match unless `prereleases` is false; text that is not a version matches only
 * `===` specifiers, or the empty set (which admits anything).
 */
export function specifierSetContains(
  set: readonly Specifier[],
  version: Version | string,
  options: { prereleases?: boolean } = {},
): boolean {
  const raw = typeof version === "string" ? version : undefined;
  const parsed = raw === undefined ? (version as Version) : parseVersion(raw);
  if (parsed === undefined) {
    // packaging's filter keeps unparsable strings that passed every (===) specifier.
    for (const spec of set) {
      if (spec.operator !== "===" || raw!.toLowerCase() !== spec.version.toLowerCase()) return false;
    }
    return true;
  }
  if (options.prereleases === false && isPrerelease(parsed)) return false;
  for (const spec of set) {
    if (!specifierMatches(spec, parsed, raw)) return false;
  }
  return true;
}

/**
 * Canonical text of a specifier set as packaging prints it (`str(SpecifierSet(...))`): sorted
 * by text, duplicates (equal after version normalization) dropped, joined by commas.
 */
export function formatSpecifierSet(set: readonly Specifier[]): string {
  const texts = set.map(formatSpecifier);
  const order = texts.map((_, i) => i).sort((i, j) => compareCodePoints(texts[i]!, texts[j]!));
  const seen = new Set<string>();
  let out = "";
  for (const i of order) {
    const key = canonicalKey(set[i]!);
    if (seen.has(key)) continue;
    seen.add(key);
    out += out === "" ? texts[i]! : `,${texts[i]!}`;
  }
  return out;
}

/** `str(Specifier)`: operator and version text, no space. */
export function formatSpecifier(spec: Specifier): string {
  return spec.operator + spec.version;
}

/** packaging's `Specifier._canonical_spec`: equal keys mean the same specifier. */
function canonicalKey(spec: Specifier): string {
  const { operator, version } = spec;
  if (operator === "===" || version.endsWith(".*")) return `${operator}\u0000${version}`;
  return `${operator}\u0000${canonicalizeVersion(version, { stripTrailingZero: operator !== "~=" })}`;
}
