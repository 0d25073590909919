/**
 * Next versions for `slipway version bump|set`: PEP 440 increments that always move forward and
 * print normalized. `@renovatebot/pep440`'s `inc` has no post/dev bumps and skips `1.0.0` from
 * `1.0.0.dev3`; hatch's `validate-bump` only checks explicit versions. Rules (input → output):
 *
 * | kind      | final `1.2.3` | pre `1.2.4rc1` | dev `1.2.4.dev3` | post `1.2.3.post1` | notes |
 * |-----------|---------------|----------------|------------------|--------------------|-------|
 * | major     | 2.0.0         | 2.0.0          | 2.0.0            | 2.0.0              | `1.0.0rc1` → 1.0.0 |
 * | minor     | 1.3.0         | 1.3.0          | 1.3.0            | 1.3.0              | `1.2.0rc1` → 1.2.0 |
 * | patch     | 1.2.4         | 1.2.4          | 1.2.4            | 1.2.4              | `1.0.0.dev3` → 1.0.0 |
 * | pre       | 1.2.4a1       | 1.2.4rc2       | 1.2.4a1          | 1.2.4a1            | `1.2.4rc2.dev1` → rc2 |
 * | pre=rc    | 1.2.4rc1      | 1.2.4rc2       | 1.2.4rc1         | 1.2.4rc1           | a/b → rc1; rc → a refused |
 * | post      | 1.2.3.post1   | refused        | refused          | 1.2.3.post2        | `.post1.dev0` → .post1 |
 * | dev       | 1.2.4.dev0    | 1.2.4rc2.dev0  | 1.2.4.dev4       | 1.2.4.dev0         | |
 * | release   | refused       | 1.2.4          | 1.2.4            | refused            | `.post1.dev0` → .post1 |
 *
 * major/minor/patch change release part 0/1/2 (padding with zeros when the release is shorter,
 * keeping its length when longer: `2024.5` minor → `2024.6`, `1.2.3.4` patch → `1.2.4.0`). A pre
 * or dev release of the version a bump would reach becomes that version (npm semver's rule).
 * Epochs are kept; local versions are refused because PyPI refuses them.
 */
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { PreTag } from "./version.ts";
import { compareVersions, normalizeVersion, parseVersion } from "./version.ts";

export type BumpKind = "major" | "minor" | "patch" | { pre: PreTag | undefined } | "post" | "dev" | "release";

/** Versions as exact integers: bumps must not lose digits of a 20-digit dev timestamp. */
interface Parts {
  epoch: bigint;
  release: bigint[];
  pre?: [PreTag, bigint];
  post?: bigint;
  dev?: bigint;
}

// The normalized form that formatVersion prints; parsing it again keeps every digit exact.
const CANONICAL = /^(?:(\d+)!)?(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?(?:\+(.+))?$/;
const PRE_ORDER: Readonly<Record<PreTag, number>> = { a: 0, b: 1, rc: 2 };
const INDEX = { major: 0, minor: 1, patch: 2 } as const;

/**
 * The version after a `kind` bump of `current` (any PEP 440 spelling), normalized and strictly
 * greater than `current`. Fails, naming the version, when `current` is invalid or local, or when
 * the bump has no forward meaning (`release` of a final, `post` of a pre-release, `pre=a` from
 * `rc`). See the table at the top of this file.
 */
export function bumpVersion(current: string, kind: BumpKind): Parsed<string> {
  const parsed = readParts(current);
  if (!parsed.ok) return parsed;
  const from = parsed.value;
  const next = step(from, kind, current);
  if (!next.ok) return next;
  const text = render(next.value);
  const before = parseVersion(current);
  const after = parseVersion(text);
  // A guard, not a rule: every rule above moves forward, and this keeps it so.
  if (before === undefined || after === undefined || compareVersions(after, before) <= 0) {
    return fail(`bumping ${current} (${describeKind(kind)}) gave ${text}, which is not greater`);
  }
  return ok(text);
}

/**
 * An explicit next version: `next` normalized, when it is a valid public PEP 440 version strictly
 * greater than `current` (the monotonic rule hatch calls `validate-bump`). Equal (`1.0` vs
 * `1.0.0`) or lower versions fail with a message naming both.
 */
export function setVersion(current: string, next: string): Parsed<string> {
  const from = parseVersion(current);
  if (from === undefined) return fail(`the current version "${current}" is not a valid PEP 440 version`);
  const to = parseVersion(next);
  if (to === undefined) return fail(`"${next}" is not a valid PEP 440 version`);
  if (to.local !== undefined) return fail(localRefusal(next));
  const order = compareVersions(to, from);
  if (order <= 0) {
    const how = order === 0 ? "equal to" : "lower than";
    return fail(`${next} is ${how} the current version ${current}; a new version must be greater`);
  }
  return ok(normalizeVersion(next)!);
}

/** `major|minor|patch|pre[=a|b|rc]|post|dev|release`, as the CLI spells a bump. */
export function parseBumpKind(text: string): Parsed<BumpKind> {
  switch (text) {
    case "major":
    case "minor":
    case "patch":
    case "post":
    case "dev":
    case "release":
      return ok(text);
    case "pre":
      return ok({ pre: undefined });
    case "pre=a":
    case "pre=b":
    case "pre=rc":
      return ok({ pre: text.slice(4) as PreTag });
    default:
      return fail(`unknown bump "${text}"; expected major, minor, patch, pre[=a|b|rc], post, dev or release`);
  }
}

/** The bump as the CLI spells it (`pre=rc`), for messages. */
export function describeKind(kind: BumpKind): string {
  if (typeof kind === "string") return kind;
  return kind.pre === undefined ? "pre" : `pre=${kind.pre}`;
}

function step(v: Parts, kind: BumpKind, text: string): Parsed<Parts> {
  // Below its own final release: `1.2.0rc1` and `1.2.0.dev3` come before `1.2.0`.
  const belowFinal = v.pre !== undefined || (v.dev !== undefined && v.post === undefined);
  const base = { epoch: v.epoch, release: v.release };
  if (typeof kind === "object") return preStep(v, base, kind.pre, belowFinal, text);
  switch (kind) {
    case "major":
    case "minor":
    case "patch": {
      const k = INDEX[kind];
      const padded = pad(v.release, k + 1);
      // The pre/dev release of exactly the version this bump reaches becomes that version.
      if (belowFinal && padded.slice(k + 1).every((n) => n === 0n)) return ok({ ...base, release: padded });
      return ok({ ...base, release: increment(v.release, k) });
    }
    case "release":
      if (v.pre !== undefined) return ok(base);
      if (v.dev !== undefined) return ok(withPost(base, v.post));
      return fail(`${text} is already a final release; bump major, minor or patch instead of release`);
    case "post":
      if (v.pre !== undefined) {
        return fail(
          `${text} is a pre-release; PEP 440 strongly discourages post-releases of pre-releases (use pre or release)`,
        );
      }
      if (v.post === undefined && v.dev !== undefined) {
        return fail(`${text} is a development release of an unreleased version; use release before post`);
      }
      // `1.0.post1.dev0` is the development release of `1.0.post1`: that is the next post.
      return ok({ ...base, post: v.dev !== undefined ? v.post! : (v.post ?? 0n) + 1n });
    case "dev":
      if (v.dev !== undefined) return ok({ ...v, dev: v.dev + 1n });
      if (v.pre !== undefined) return ok({ ...base, pre: [v.pre[0], v.pre[1] + 1n], dev: 0n });
      return ok({ ...base, release: increment(v.release, 2), dev: 0n });
  }
}

function preStep(
  v: Parts,
  base: Pick<Parts, "epoch" | "release">,
  tag: PreTag | undefined,
  belowFinal: boolean,
  text: string,
): Parsed<Parts> {
  if (v.pre !== undefined) {
    const [current, n] = v.pre;
    const wanted = tag ?? current;
    if (PRE_ORDER[wanted] < PRE_ORDER[current]) {
      return fail(`${text} is already at ${current}; pre=${wanted} would go back (a < b < rc)`);
    }
    if (wanted !== current) return ok({ ...base, pre: [wanted, 1n] });
    // `1.0rc2.dev1` is the development release of `1.0rc2`: that is the next pre-release.
    const devOfThis = v.dev !== undefined && v.post === undefined;
    return ok({ ...base, pre: [current, devOfThis ? n : n + 1n] });
  }
  // `1.2.4.dev3` develops 1.2.4, so its first pre-release is 1.2.4a1; a final starts the next patch.
  const release = belowFinal ? v.release : increment(v.release, 2);
  return ok({ ...base, release, pre: [tag ?? "a", 1n] });
}

function withPost(base: Pick<Parts, "epoch" | "release">, post: bigint | undefined): Parts {
  return post === undefined ? base : { ...base, post };
}

/** Release padded with zeros to at least `length` parts. */
function pad(release: readonly bigint[], length: number): bigint[] {
  const out = [...release];
  while (out.length < length) out.push(0n);
  return out;
}

/** Part `k` plus one, later parts zero, length kept (at least k + 1). */
function increment(release: readonly bigint[], k: number): bigint[] {
  return pad(release, k + 1).map((n, i) => (i < k ? n : i === k ? n + 1n : 0n));
}

function readParts(text: string): Parsed<Parts> {
  const normalized = normalizeVersion(text);
  if (normalized === undefined) return fail(`"${text}" is not a valid PEP 440 version`);
  const m = CANONICAL.exec(normalized);
  if (m === null) return fail(`"${text}" is not a valid PEP 440 version`);
  if (m[7] !== undefined) return fail(localRefusal(text));
  const parts: Parts = { epoch: BigInt(m[1] ?? 0), release: m[2]!.split(".").map(BigInt) };
  if (m[3] !== undefined) parts.pre = [m[3] as PreTag, BigInt(m[4]!)];
  if (m[5] !== undefined) parts.post = BigInt(m[5]);
  if (m[6] !== undefined) parts.dev = BigInt(m[6]);
  return ok(parts);
}

function localRefusal(text: string): string {
  return `${text} has a local version label (+...), which PyPI refuses; remove it before a release`;
}

function render(v: Parts): string {
  let out = v.epoch === 0n ? "" : `${v.epoch}!`;
  out += v.release.join(".");
  if (v.pre !== undefined) out += v.pre[0] + v.pre[1];
  if (v.post !== undefined) out += `.post${v.post}`;
  if (v.dev !== undefined) out += `.dev${v.dev}`;
  return out;
}
