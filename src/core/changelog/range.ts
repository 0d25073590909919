/**
 * Whether the commits read since the last release are all of them. CI checkouts are often
 * shallow (actions/checkout fetches one commit and no tags by default): the history then stops
 * at the cut, and "every commit since the last release" would silently be the few fetched.
 */
import { SlipwayError } from "../../errors.ts";
import type { ReleaseTag } from "../version/tags.ts";
import type { CommitRecord } from "./commits.ts";

const FETCH_HINT =
  "fetch the whole history and the tags, then run again: git fetch --unshallow --tags (on GitHub Actions: actions/checkout with fetch-depth: 0)";

/**
 * A config error when the range cannot be trusted, else undefined. `shallow`: the commits where
 * the clone is cut (empty in a full clone). Without a release tag reachable from HEAD, the range
 * would be the whole fetched history; with one, a cut commit inside the range hides its parents.
 */
export function assessHistoryRange(input: {
  shallow: readonly string[];
  lastTag: ReleaseTag | undefined;
  commits: readonly CommitRecord[];
}): SlipwayError | undefined {
  if (input.shallow.length === 0) return undefined;
  const n = input.commits.length;
  if (input.lastTag === undefined) {
    return new SlipwayError(
      "config",
      `this is a shallow clone and no release tag is reachable from HEAD: the changelog would cover only the ${n} commit${n === 1 ? "" : "s"} fetched, not everything since the last release`,
      { hint: FETCH_HINT },
    );
  }
  const cut = new Set(input.shallow);
  const inside = input.commits.find((c) => cut.has(c.hash));
  if (inside === undefined) return undefined;
  return new SlipwayError(
    "config",
    `this is a shallow clone cut at ${inside.hash.slice(0, 12)}, after the last release ${input.lastTag.name}: the commits between them were not fetched`,
    { hint: FETCH_HINT },
  );
}
