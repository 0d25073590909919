/**
 * The next versions to offer for a project as read (`readVersionMenu`): the choices from the
 * current version, with the bump its conventional commits call for as the suggestion. Used by
 * `slipway version` and `slipway release` to ask on a terminal, and to say which flag to pass
 * off one. Never prints, never asks.
 */
import type { ProjectSnapshot } from "../adapters/snapshot.ts";
import { assembleVersionMenu, type VersionMenu } from "../core/version/choices.ts";
import { SlipwayError } from "../errors.ts";
import { readSuggestedBump } from "./changelog.ts";
import { snapshotOfState, type VersionState } from "./version.ts";

export type { VersionAnswer, VersionChoice, VersionMenu } from "../core/version/choices.ts";
export {
  describeMenuArguments,
  parseVersionAnswer,
  requestArguments,
} from "../core/version/choices.ts";

export interface VersionMenuRead {
  menu: VersionMenu;
  /** One line on where the suggestion comes from, or why there is none. */
  why: string;
  /** Commits since the last release, and the tag they count from (when the history was read). */
  commits: number | undefined;
  since: string | undefined;
}

const plural = (n: number) => `${n} commit${n === 1 ? "" : "s"}`;

/**
 * The menu for `state` (read by readVersionPlaces). A history that cannot be read for a
 * suggestion (a shallow clone) gives a menu without one, and says why.
 */
export async function readVersionMenu(
  state: VersionState,
  options: { env?: Readonly<Record<string, string | undefined>>; snapshot?: ProjectSnapshot } = {},
): Promise<VersionMenuRead> {
  if (state.current === undefined) {
    return {
      menu: assembleVersionMenu(undefined, undefined),
      why: "no version yet",
      commits: undefined,
      since: undefined,
    };
  }
  let suggestion: Awaited<ReturnType<typeof readSuggestedBump>>;
  try {
    const snapshot = options.snapshot ?? snapshotOfState(state);
    suggestion = await readSuggestedBump(state.root, {
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(snapshot === undefined ? {} : { snapshot }),
      state,
    });
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    return {
      menu: assembleVersionMenu(state.current, undefined),
      why: `no suggestion: ${error.message}`,
      commits: undefined,
      since: undefined,
    };
  }
  const { decision, commits } = suggestion;
  const since = suggestion.since?.name;
  const range = `${plural(commits)} since ${since ?? "the first commit"}`;
  const menu = assembleVersionMenu(state.current, decision.kind);
  const reason = decision.reasons[0];
  const source =
    reason?.change.origin.kind === "fragment" ? "the changes/ fragments" : "conventional commits";
  const why =
    menu.suggested !== undefined
      ? `${range}; ${source} call for ${decision.kind} (${reason?.why ?? ""}: ${reason?.change.description ?? ""})`
      : commits === 0
        ? `no commit since ${since ?? "the start"}`
        : `${range}; none of them is a conventional commit that calls for a release`;
  return { menu, why, commits, since };
}
