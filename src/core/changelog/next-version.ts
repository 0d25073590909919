/**
 * Which part of the version the changes call for. Returns the kind only: turning it into a PEP 440
 * version (pre-releases, post, dev, epochs) is the bump engine's job (core/pep440/bump.ts).
 */

import { SlipwayError } from "../../errors.ts";
import { parseVersion } from "../pep440/version.ts";
import { type BumpKind, type Change, compareBump, maxBump } from "./change.ts";

/**
 * How changes bump while the major version is 0. SemVer item 4 says anything goes below 1.0;
 * the common convention (release-please `bump-minor-pre-major`, PSR `major_on_zero = false`) keeps
 * a breaking change from leaving 0.x by accident.
 */
export interface BumpRules {
  /** Below 1.0, a breaking change bumps the minor part. Default true. */
  preOneBreakingIsMinor: boolean;
  /** Below 1.0, a new feature bumps the patch part. Default false. */
  preOneFeatIsPatch: boolean;
}

export const DEFAULT_BUMP_RULES: Readonly<BumpRules> = {
  preOneBreakingIsMinor: true,
  preOneFeatIsPatch: false,
};

export interface BumpReason {
  change: Change;
  /** What the change implies on its own, before pre-1.0 rules. */
  implied: BumpKind;
  /** After pre-1.0 rules; equals the decision's kind. */
  kind: BumpKind;
  /** Human words: `"BREAKING CHANGE footer"`, `"type feat"`, `"type feat (minor → patch below 1.0)"`. */
  why: string;
}

export interface BumpDecision {
  kind: BumpKind;
  /** True when the pre-1.0 rules applied (the current major is 0). */
  preOne: boolean;
  /** The changes that decided `kind`, in input order; empty when `kind` is "none". */
  reasons: BumpReason[];
}

function underPreOne(kind: BumpKind, rules: BumpRules): BumpKind {
  if (kind === "major" && rules.preOneBreakingIsMinor) return "minor";
  if (kind === "minor" && rules.preOneFeatIsPatch) return "patch";
  return kind;
}

/**
 * The bump kind implied by `changes` (breaking → major, feat → minor, fix/perf → patch, nothing
 * that bumps → none), with the pre-1.0 rules applied when `current`'s major is 0.
 *
 * `current` is the version being released from (PEP 440 text); undefined for a project with no
 * release yet, where the rules for 1.0 and later apply. Throws a config error when it does not
 * parse. Pure.
 */
export function assembleBump(
  changes: readonly Change[],
  options: { current: string | undefined; rules?: Partial<BumpRules> },
): BumpDecision {
  const rules: BumpRules = { ...DEFAULT_BUMP_RULES, ...options.rules };
  let preOne = false;
  if (options.current !== undefined) {
    const version = parseVersion(options.current);
    if (version === undefined) {
      throw new SlipwayError("config", `current version "${options.current}" is not a PEP 440 version`, {
        hint: "fix the version in pyproject.toml or the last release tag, then run again",
      });
    }
    preOne = version.release[0] === 0;
  }
  const graded = changes.map((change) => {
    const kind = preOne ? underPreOne(change.bump, rules) : change.bump;
    const why =
      kind === change.bump ? change.bumpReason : `${change.bumpReason} (${change.bump} → ${kind} below 1.0)`;
    return { change, implied: change.bump, kind, why };
  });
  const kind = graded.reduce<BumpKind>((max, g) => maxBump(max, g.kind), "none");
  const reasons = kind === "none" ? [] : graded.filter((g) => compareBump(g.kind, kind) === 0);
  return { kind, preOne, reasons };
}
