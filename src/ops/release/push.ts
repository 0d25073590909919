/** The `push` step: the release commit, its tag and the deletion of the state refs, in one atomic push. */
import { containsCommit, deleteRef, lsRemote, pushAtomic } from "../../adapters/git.ts";
import { type ReleasePlan, releaseStateRefs } from "../../core/release/plan.ts";
import { nullable, objectId, refName, string, record as struct } from "../../core/stored-shape.ts";
import { recordOf } from "../../pipeline/steps.ts";
import { commitTagStep, releaseCommit } from "./commit-tag.ts";
import { git, type ReleaseStep } from "./context.ts";

const pushRecord = struct({ remote: string, branch: refName, tag: refName, commit: nullable(objectId) });

export type PushRecord = ReturnType<typeof pushRecord>;

export interface PushPlan {
  argv: string[];
  cwd: string;
}

export const pushStep: ReleaseStep<PushRecord, PushPlan> = {
  id: "push",
  title: "Push the commit and tag",
  public: true,
  dryRun: "plan",
  record: pushRecord,
  async plan(ctx) {
    const { plan, root } = ctx.input;
    return { argv: pushArgv(plan), cwd: root };
  },
  async run(ctx) {
    const { plan } = ctx.input;
    const g = git(ctx);
    const { commit, tagObject: tagObj } = releaseCommit(ctx);
    const branchRef = `refs/heads/${plan.git.branch}`;
    const tagRef = `refs/tags/${plan.tag.name}`;
    const state = releaseStateRefs(plan.tag.name);
    const remote = await lsRemote(g, plan.git.remote, [branchRef, tagRef, state.state, state.tag]);
    // The recorded commit and tag object, never whatever HEAD is now (a resume in another clone);
    // the state refs go in the same atomic push, so they are gone exactly when the release is out.
    const refspecs: string[] = [];
    if (!(await containsCommit(g, remote.get(branchRef), commit))) refspecs.push(`${commit}:${branchRef}`);
    if (remote.get(tagRef) !== tagObj) refspecs.push(`${tagRef}:${tagRef}`);
    for (const ref of [state.state, state.tag]) if (remote.has(ref)) refspecs.push(`:${ref}`);
    if (refspecs.length > 0) await pushAtomic(g, plan.git.remote, refspecs);
    for (const ref of [state.state, state.tag]) await deleteRef(g, ref);
    return { remote: plan.git.remote, branch: plan.git.branch, tag: plan.tag.name, commit };
  },
  async verify(ctx, record) {
    const { plan } = ctx.input;
    const state = releaseStateRefs(plan.tag.name);
    const refs = await lsRemote(git(ctx), plan.git.remote, [
      `refs/heads/${plan.git.branch}`,
      `refs/tags/${plan.tag.name}`,
      state.state,
    ]);
    const tagObject = recordOf(ctx, commitTagStep)?.tagObject;
    return refs.get(`refs/heads/${plan.git.branch}`) === record.commit &&
      refs.get(`refs/tags/${plan.tag.name}`) === tagObject &&
      !refs.has(state.state)
      ? "done"
      : "redo";
  },
};

/** The push as the dry run shows it (the release commit is HEAD once it is made). */
export function pushArgv(plan: ReleasePlan): string[] {
  const state = releaseStateRefs(plan.tag.name);
  return [
    "git",
    "push",
    "--atomic",
    plan.git.remote,
    `HEAD:refs/heads/${plan.git.branch}`,
    `refs/tags/${plan.tag.name}:refs/tags/${plan.tag.name}`,
    `:${state.state}`,
    `:${state.tag}`,
  ];
}
