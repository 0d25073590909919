/**
 * The next versions to offer when `slipway version` asks: what the commits call for first, then
 * every other bump that moves forward from the current version. Pure.
 */
import type { BumpKind as ChangeBump } from "../changelog/change.ts";
import { type BumpKind, bumpVersion, describeKind } from "../pep440/bump.ts";

export interface VersionChoice {
  bump: BumpKind;
  /** `patch`, `pre=rc`, ... as the CLI spells it. */
  label: string;
  version: string;
  /** True for the bump the commits since the last release call for. */
  suggested: boolean;
}

const ORDER: BumpKind[] = [
  "patch",
  "minor",
  "major",
  { pre: undefined },
  { pre: "b" },
  { pre: "rc" },
  "release",
  "post",
  "dev",
];

/**
 * Every bump of `current` that gives a new version, each version once, the one `suggested` by
 * the commits first. Empty when `current` is not a bumpable version.
 */
export function assembleVersionChoices(current: string, suggested: ChangeBump | undefined): VersionChoice[] {
  const seen = new Set<string>();
  const choices: VersionChoice[] = [];
  const first = suggested === undefined || suggested === "none" ? undefined : suggested;
  const kinds = first === undefined ? ORDER : [first, ...ORDER.filter((k) => k !== first)];
  for (const bump of kinds) {
    const next = bumpVersion(current, bump);
    if (!next.ok || seen.has(next.value)) continue;
    seen.add(next.value);
    choices.push({ bump, label: describeKind(bump), version: next.value, suggested: bump === first });
  }
  return choices;
}
