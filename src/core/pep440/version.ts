/** PEP 440 versions (https://packaging.python.org/en/latest/specifications/version-specifiers/). */
import { pyStrip } from "./python-text.ts";

export type PreTag = "a" | "b" | "rc";

export interface Version {
  epoch: number;
  release: readonly number[];
  pre?: readonly [PreTag, number];
  post?: number;
  dev?: number;
  /** Local segment parts, normalized: numbers for digit-only parts, lowercase strings otherwise. */
  local?: readonly (string | number)[];
  /**
   * Exact decimal digits of integers above 2^53 − 1 (Python ints are unbounded, JS numbers are
   * not), keyed by position: `e`, `r0`…, `pre`, `post`, `dev`, `l0`…; the number field holds the
   * nearest double. Present only when such an integer occurs.
   */
  exactDigits?: Readonly<Record<string, string>>;
}

// The appendix regex of the spec (packaging's VERSION_PATTERN), anchored. packaging uses
// possessive quantifiers; every later part is optional, so greedy backtracking matches the same.
const VERSION_RE =
  /^v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?(?:-([0-9]+)|[._-]?(post|rev|r)[._-]?([0-9]+)?)?(?:[._-]?(dev)[._-]?([0-9]+)?)?(?:\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?$/i;
// packaging's fast path: only digits and dots skip the regex.
const SIMPLE_RE = /^[0-9]+(?:\.[0-9]+)*$/;
const LOCAL_SEPARATOR = /[._-]/;

const PRE_SPELLINGS: Readonly<Record<string, PreTag>> = {
  a: "a",
  alpha: "a",
  b: "b",
  beta: "b",
  c: "rc",
  rc: "rc",
  pre: "rc",
  preview: "rc",
};

/** Parses any PEP 440 spelling (`v1.0`, `1.0-r4`, `1.1RC1`); undefined when invalid. */
export function parseVersion(text: string): Version | undefined {
  exact = undefined;
  let version: { -readonly [K in keyof Version]: Version[K] };
  if (SIMPLE_RE.test(text)) {
    version = { epoch: 0, release: splitRelease(text) };
  } else {
    const m = VERSION_RE.exec(pyStrip(text));
    if (m === null) return undefined;
    version = { epoch: m[1] === undefined ? 0 : toInt(m[1], "e"), release: splitRelease(m[2]!) };
    if (m[3] !== undefined)
      version.pre = [PRE_SPELLINGS[m[3].toLowerCase()]!, m[4] === undefined ? 0 : toInt(m[4], "pre")];
    const post = m[5] ?? m[7];
    if (post !== undefined) version.post = toInt(post, "post");
    else if (m[6] !== undefined) version.post = 0;
    if (m[8] !== undefined) version.dev = m[9] === undefined ? 0 : toInt(m[9], "dev");
    if (m[10] !== undefined) {
      version.local = m[10]
        .split(LOCAL_SEPARATOR)
        .map((part, i) => (isDigits(part) ? toInt(part, "l", i) : part.toLowerCase()));
    }
  }
  if (exact !== undefined) version.exactDigits = exact;
  exact = undefined;
  return version;
}

// Exact digits of too-large integers met while parsing one version (parsing is synchronous).
let exact: Record<string, string> | undefined;

/** Python's `int(digits)`; records the exact digits when the value does not fit a double. */
function toInt(digits: string, key: string, index = -1): number {
  if (digits.length < 16) return Number(digits);
  const value = Number(digits);
  if (value > Number.MAX_SAFE_INTEGER) {
    exact ??= {};
    exact[index < 0 ? key : key + index] = BigInt(digits).toString();
  }
  return value;
}

/** `1.02.3` → [1, 2, 3] without intermediate strings for the usual short parts. */
function splitRelease(text: string): number[] {
  const release: number[] = [];
  let value = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c !== 0x2e) {
      value = value * 10 + (c - 0x30);
      continue;
    }
    release.push(i - start < 16 ? value : toInt(text.slice(start, i), "r", release.length));
    value = 0;
    start = i + 1;
  }
  return release;
}

function isDigits(part: string): boolean {
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Decimal text of the integer at `key` (exact even above 2^53 when parsed from text). */
function intText(v: Version, key: string, n: number, index = -1): string {
  if (n <= Number.MAX_SAFE_INTEGER) return String(n);
  const exact = v.exactDigits?.[index < 0 ? key : key + index];
  // A copy that changed the number no longer matches its recorded digits: trust the number.
  return exact !== undefined && Number(exact) === n ? exact : BigInt(n).toString();
}

/** Compares integers at the same position of two versions (`key` + `index` names it). */
function compareInt(a: number, av: Version, b: number, bv: Version, key: string, index = -1): number {
  if (a <= Number.MAX_SAFE_INTEGER && b <= Number.MAX_SAFE_INTEGER) return a - b;
  const x = BigInt(intText(av, key, a, index));
  const y = BigInt(intText(bv, key, b, index));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The normalized string, identical to Python's `str(packaging.version.Version(v))`. */
export function formatVersion(version: Version): string {
  const { epoch, release } = version;
  let out = epoch === 0 ? "" : `${intText(version, "e", epoch)}!`;
  for (let i = 0; i < release.length; i++) {
    if (i > 0) out += ".";
    out += intText(version, "r", release[i]!, i);
  }
  if (version.pre !== undefined) out += version.pre[0] + intText(version, "pre", version.pre[1]);
  if (version.post !== undefined) out += `.post${intText(version, "post", version.post)}`;
  if (version.dev !== undefined) out += `.dev${intText(version, "dev", version.dev)}`;
  if (version.local !== undefined) {
    out += "+";
    version.local.forEach((part, i) => {
      if (i > 0) out += ".";
      out += typeof part === "number" ? intText(version, "l", part, i) : part;
    });
  }
  return out;
}

/** normalize(text) === formatVersion(parseVersion(text)), or undefined when invalid. */
export function normalizeVersion(text: string): string | undefined {
  const version = parseVersion(text);
  return version === undefined ? undefined : formatVersion(version);
}

/** True when `text` is already in canonical (normalized) form: `str(Version(text)) == text`. */
export function isCanonicalVersion(text: string): boolean {
  return normalizeVersion(text) === text;
}

/** Total order of PEP 440: negative, zero or positive like a comparator. */
export function compareVersions(a: Version, b: Version): number {
  return compareParts(a, b, true);
}

/** Compares the public parts only (the local segment of both sides is ignored). */
export function comparePublic(a: Version, b: Version): number {
  return compareParts(a, b, false);
}

function compareParts(a: Version, b: Version, withLocal: boolean): number {
  let d = compareInt(a.epoch, a, b.epoch, b, "e");
  if (d !== 0) return d;
  d = compareRelease(a, b);
  if (d !== 0) return d;
  d = preRank(a) - preRank(b);
  if (d !== 0) return d;
  if (a.pre !== undefined && b.pre !== undefined) {
    d = compareInt(a.pre[1], a, b.pre[1], b, "pre");
    if (d !== 0) return d;
  }
  // No post-release sorts before any post-release; a dev release before the same without dev.
  if (a.post === undefined || b.post === undefined)
    d = (a.post === undefined ? 0 : 1) - (b.post === undefined ? 0 : 1);
  else d = compareInt(a.post, a, b.post, b, "post");
  if (d !== 0) return d;
  if (a.dev === undefined || b.dev === undefined)
    d = (a.dev === undefined ? 1 : 0) - (b.dev === undefined ? 1 : 0);
  else d = compareInt(a.dev, a, b.dev, b, "dev");
  if (d !== 0 || !withLocal) return d;
  return compareLocal(a, b);
}

/** Release segments compare as if padded with zeros (`1.0.0 == 1`). */
function compareRelease(a: Version, b: Version): number {
  const x = a.release;
  const y = b.release;
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const p = x[i] ?? 0;
    const q = y[i] ?? 0;
    if (p !== q || p > Number.MAX_SAFE_INTEGER) {
      const d = compareInt(p, a, q, b, "r", i);
      if (d !== 0) return d;
    }
  }
  return 0;
}

/** dev-only (`1.0.dev1`) < a < b < rc < no pre-release, as packaging's `_cmpkey` ranks them. */
function preRank(v: Version): number {
  if (v.pre === undefined) return v.post === undefined && v.dev !== undefined ? -1 : 3;
  return v.pre[0] === "a" ? 0 : v.pre[0] === "b" ? 1 : 2;
}

/** No local < any local; parts pairwise: strings before numbers, shorter prefix first. */
function compareLocal(a: Version, b: Version): number {
  const x = a.local;
  const y = b.local;
  if (x === undefined || y === undefined) return (x === undefined ? 0 : 1) - (y === undefined ? 0 : 1);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (typeof p === "number") {
      if (typeof q !== "number") return 1;
      const d = compareInt(p, a, q, b, "l", i);
      if (d !== 0) return d;
    } else if (typeof q === "number") {
      return -1;
    } else if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  return x.length - y.length;
}

/** A pre-release or development release (`is_prerelease`). */
export function isPrerelease(version: Version): boolean {
  return version.pre !== undefined || version.dev !== undefined;
}

/** The version without its local segment (`Version.public`). */
export function publicVersion(version: Version): Version {
  if (version.local === undefined) return version;
  const { local: _, ...rest } = version;
  return rest;
}

/**
 * `packaging.utils.canonicalize_version`: the normalized string, with trailing zeros of the
 * release removed unless `stripTrailingZero` is false (`1.0.0` → `1`). Invalid text is returned
 * unchanged, as packaging does. Used to compare versions in filenames (PEP 625), never to print.
 */
export function canonicalizeVersion(
  version: Version | string,
  options: { stripTrailingZero?: boolean } = {},
): string {
  const parsed = typeof version === "string" ? parseVersion(version) : version;
  if (parsed === undefined) return version as string;
  if (options.stripTrailingZero === false) return formatVersion(parsed);
  let end = parsed.release.length;
  while (end > 1 && parsed.release[end - 1] === 0) end--;
  return formatVersion(
    end === parsed.release.length ? parsed : { ...parsed, release: parsed.release.slice(0, end) },
  );
}

/** Compares epoch and release only (`1.0` and `1.0.0` are equal), ignoring every suffix. */
export function compareBase(a: Version, b: Version): number {
  return compareInt(a.epoch, a, b.epoch, b, "e") || compareRelease(a, b);
}

/**
 * The first `length` release parts with the last one plus one, as a final release in the same
 * epoch: `(1.4.5, 2)` → `1.5`. The upper bound of `~=` and `==X.*` is this version's `.dev0`.
 */
export function incrementRelease(version: Version, length: number): Version {
  const release = version.release.slice(0, length);
  const last = length - 1;
  const big: Record<string, string> = {};
  const epochDigits = version.exactDigits?.e;
  if (epochDigits !== undefined) big.e = epochDigits;
  for (let i = 0; i < last; i++) {
    const digits = version.exactDigits?.[`r${i}`];
    if (digits !== undefined) big[`r${i}`] = digits;
  }
  const value = release[last]!;
  if (value < Number.MAX_SAFE_INTEGER) release[last] = value + 1;
  else {
    const digits = (BigInt(intText(version, "r", value, last)) + 1n).toString();
    big[`r${last}`] = digits;
    release[last] = Number(digits);
  }
  for (const _ in big) return { epoch: version.epoch, release, exactDigits: big };
  return { epoch: version.epoch, release };
}
