/**
 * The step table of `slipway release`. Each step is small, in its own file, and leaves a typed
 * record (paths, hashes, commit ids) that later steps and a resumed run rely on; the runner
 * (src/pipeline/runner.ts) owns order, preflight-first, journaling, undo before the commit point
 * and resume after it.
 *
 *   edit → build → check → stage → verify → commit-tag → checkpoint │ publish → push → host-release
 *                                      (private, undone on failure) │ (public: resumed, never undone)
 */
import type { ReleasePlan } from "../../core/release/plan.ts";
import type { StepTable } from "../../pipeline/steps.ts";
import { buildStep } from "./build.ts";
import { checkStep } from "./check.ts";
import { checkpointStep } from "./checkpoint.ts";
import { commitTagStep } from "./commit-tag.ts";
import type { ReleaseInput, ReleaseStep } from "./context.ts";
import { editStep } from "./edit.ts";
import { hostReleaseStep } from "./host-release.ts";
import { publishStep } from "./publish.ts";
import { pushStep } from "./push.ts";
import { stageStep } from "./stage.ts";
import { verifyStep } from "./verify.ts";

export type { ReleaseInput, StageIndex } from "./context.ts";
export { withoutTwine } from "./context.ts";
export type { ReleaseStepEvent } from "./events.ts";

/** Every release step, in order: what a journal may record (the restore checks against them). */
export const ALL_RELEASE_STEPS: readonly ReleaseStep<unknown, unknown>[] = [
  editStep,
  buildStep,
  checkStep,
  stageStep,
  verifyStep,
  commitTagStep,
  checkpointStep,
  publishStep,
  pushStep,
  hostReleaseStep,
];

/**
 * The release steps in order; `checkpoint` and `push` only when the plan pushes, `host-release`
 * only when it pushes to a code host the plan names (the release needs the tag there).
 */
export function releaseSteps(plan: ReleasePlan): StepTable<ReleaseInput> {
  // What a resume on another machine needs goes to the remote before anything public happens.
  return ALL_RELEASE_STEPS.filter(
    (s) =>
      (plan.git.push || (s !== checkpointStep && s !== pushStep)) &&
      (s !== hostReleaseStep || (plan.git.push && plan.host !== undefined)),
  );
}
