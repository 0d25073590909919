/**
 * Release tags as `[tool.slipway] tag-format` spells them (`v{version}` by default). The last
 * release is the highest PEP 440 version among the tags that match the format, not the newest
 * tag by date: a maintenance release tagged after 2.0.0 must not make 1.9.1 "the last release".
 */
import { compareVersions, normalizeVersion, parseVersion } from "../pep440/version.ts";

export interface ReleaseTag {
  /** The tag name as git has it. */
  name: string;
  /** The version it carries, normalized. */
  version: string;
}

/** The tag name of `version` (normalized by the caller) under `format`. */
export function formatTag(format: string, version: string): string {
  return format.replace("{version}", version);
}

/**
 * The normalized version a tag name carries under `format`, or undefined when the name does not
 * match the format or the middle is not PEP 440. With the default `v{version}`, `v1.2.0rc1`
 * and `v1.2.0-rc.1` both read as `1.2.0rc1`; local versions (`+…`) are not releases.
 */
export function parseTag(format: string, name: string): string | undefined {
  const [prefix = "", suffix = ""] = format.split("{version}");
  if (name.length <= prefix.length + suffix.length || !name.startsWith(prefix) || !name.endsWith(suffix)) {
    return undefined;
  }
  const middle = name.slice(prefix.length, name.length - suffix.length);
  // `v{version}` must not read `vv1.0` or ` 1.0`: only what PEP 440 allows after the prefix.
  if (!/^[0-9]/.test(middle)) return undefined;
  const version = parseVersion(middle);
  if (version === undefined || version.local !== undefined) return undefined;
  return normalizeVersion(middle);
}

/** The release tag with the highest version among `names`; undefined when none matches. */
export function pickLastRelease(format: string, names: readonly string[]): ReleaseTag | undefined {
  let best: { tag: ReleaseTag; parsed: NonNullable<ReturnType<typeof parseVersion>> } | undefined;
  for (const name of names) {
    const version = parseTag(format, name);
    if (version === undefined) continue;
    const parsed = parseVersion(version)!;
    // Two tags of one version (`v1.0` and `v1.0.0`): the first listed wins, deterministically.
    if (best === undefined || compareVersions(parsed, best.parsed) > 0) {
      best = { tag: { name, version }, parsed };
    }
  }
  return best?.tag;
}
