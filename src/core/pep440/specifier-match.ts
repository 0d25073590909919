/**
 * Matching one parsed version against one specifier, by the rules of the spec's operator
 * sections, which packaging 26.3 implements as version ranges (`packaging/_ranges.py`).
 * Each specifier is compiled once (bounds precomputed) and cached by object identity.
 */
import type { Specifier } from "./specifier.ts";
import {
  compareBase,
  comparePublic,
  compareVersions,
  formatVersion,
  incrementRelease,
  isPrerelease,
  parseVersion,
  type Version,
} from "./version.ts";

type Compiled =
  | { kind: "never" }
  | { kind: "arbitrary"; text: string }
  | { kind: "range"; lower: Version; upper: Version; negate: boolean }
  | { kind: "equal"; version: Version; withLocal: boolean; negate: boolean }
  | { kind: "at-most" | "at-least"; version: Version }
  | { kind: "below"; bound: Version }
  | { kind: "above"; version: Version; skipPosts: boolean }
  | { kind: "compatible"; lower: Version; upper: Version };

interface Entry {
  operator: string;
  version: string;
  compiled: Compiled;
}

const cache = new WeakMap<Specifier, Entry>();

/** Whether `version` satisfies `spec` (no pre-release policy: the caller applies it). */
export function specifierMatches(spec: Specifier, version: Version, raw: string | undefined): boolean {
  let entry = cache.get(spec);
  if (entry === undefined || entry.operator !== spec.operator || entry.version !== spec.version) {
    entry = { operator: spec.operator, version: spec.version, compiled: compile(spec) };
    cache.set(spec, entry);
  }
  const c = entry.compiled;
  switch (c.kind) {
    case "never":
      return false;
    case "arbitrary":
      // === is plain string equality, case-insensitive (packaging compares `str(item).lower()`).
      return (raw ?? formatVersion(version)).toLowerCase() === c.text;
    case "range":
      return (compareVersions(version, c.lower) >= 0 && compareVersions(version, c.upper) < 0) !== c.negate;
    case "equal":
      // Without a local label in the specifier, V+anything matches ==V (spec: "Version matching").
      return (
        ((c.withLocal ? compareVersions(version, c.version) : comparePublic(version, c.version)) === 0) !==
        c.negate
      );
    case "at-most":
      return comparePublic(version, c.version) <= 0;
    case "at-least":
      return compareVersions(version, c.version) >= 0;
    case "below":
      return compareVersions(version, c.bound) < 0;
    case "above":
      return comparePublic(version, c.version) > 0 && !(c.skipPosts && inPostFamily(version, c.version));
    case "compatible":
      return compareVersions(version, c.lower) >= 0 && compareVersions(version, c.upper) < 0;
  }
}

function compile(spec: Specifier): Compiled {
  const { operator, version: text } = spec;
  if (operator === "===") return { kind: "arbitrary", text: text.toLowerCase() };
  const wildcard = text.endsWith(".*");
  const version = parseVersion(wildcard ? text.slice(0, -2) : text);
  if (version === undefined) return { kind: "never" };
  if (wildcard) {
    if (operator !== "==" && operator !== "!=") return { kind: "never" };
    // ==X.Y.* is [X.Y.dev0, X.(Y+1).dev0): every version whose release starts with X.Y.
    const lower: Version = { epoch: version.epoch, release: version.release, dev: 0 };
    if (version.exactDigits !== undefined) lower.exactDigits = version.exactDigits;
    const upper = { ...incrementRelease(version, version.release.length), dev: 0 };
    return { kind: "range", lower, upper, negate: operator === "!=" };
  }
  switch (operator) {
    case "==":
    case "!=":
      return { kind: "equal", version, withLocal: text.includes("+"), negate: operator === "!=" };
    case "<=":
      return { kind: "at-most", version };
    case ">=":
      return { kind: "at-least", version };
    case "<":
      // <V excludes V's own pre-releases unless V is one: the bound is V.dev0 (spec: "Exclusive
      // ordered comparison").
      return { kind: "below", bound: isPrerelease(version) ? version : { ...version, dev: 0 } };
    case ">":
      // >V excludes V's post-releases unless V is itself a post (or dev) release.
      return { kind: "above", version, skipPosts: version.post === undefined && version.dev === undefined };
    case "~=": {
      // ~=X.Y.Z is >=X.Y.Z, ==X.Y.* (spec: "Compatible release").
      if (version.release.length < 2) return { kind: "never" };
      const upper = { ...incrementRelease(version, version.release.length - 1), dev: 0 };
      return { kind: "compatible", lower: version, upper };
    }
  }
}

/** V itself, V+local or a post-release of V (same epoch, release and pre-release). */
function inPostFamily(version: Version, base: Version): boolean {
  if (compareBase(version, base) !== 0) return false;
  const p = version.pre;
  const q = base.pre;
  if (p === undefined || q === undefined) return p === q;
  return p[0] === q[0] && p[1] === q[1];
}
