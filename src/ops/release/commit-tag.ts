/** The `commit-tag` step: the release commit (of the edited files) and its annotated tag, locally. */
import {
  commitMessage,
  commitPaths,
  createTag,
  deleteTag,
  headCommit,
  parentOf,
  resetTo,
  tagCommit,
  tagObject,
} from "../../adapters/git.ts";
import { objectId, refName, record as struct } from "../../core/stored-shape.ts";
import { SlipwayError } from "../../errors.ts";
import { needRecord } from "../../pipeline/steps.ts";
import { type Ctx, git, mismatch, type ReleaseStep } from "./context.ts";

const commitTagRecord = struct({ commit: objectId, parent: objectId, tag: refName, tagObject: objectId });

export type CommitTagRecord = ReturnType<typeof commitTagRecord>;

export interface CommitTagPlan {
  commit: { message: string; paths: string[]; cwd: string } | null;
  tag: { name: string; message: string };
}

export const commitTagStep: ReleaseStep<CommitTagRecord, CommitTagPlan> = {
  id: "commit-tag",
  title: "Commit and tag locally",
  public: false,
  dryRun: "plan",
  record: commitTagRecord,
  async checkRecord(scope, value, where) {
    const tag = scope.plan.tag.name;
    if (value.tag !== tag) throw mismatch(where, "tag", tag, value.tag);
  },
  async plan(ctx) {
    const { plan, root } = ctx.input;
    return {
      commit:
        plan.commit === null ? null : { message: plan.commit.message, paths: plan.commit.paths, cwd: root },
      tag: { name: plan.tag.name, message: plan.tag.message },
    };
  },
  async run(ctx) {
    const g = git(ctx);
    const { plan, resume } = ctx.input;
    let head = (await headCommit(g))!;
    let parent = head;
    if (plan.commit !== null) {
      const message = await commitMessage(g, head);
      // After a kill between the commit and the journal write, the commit is already there.
      const made = resume && message.trim() === plan.commit.message.trim();
      if (made) parent = await parentOf(g, head);
      else head = await commitPaths(g, plan.commit.paths, plan.commit.message);
    }
    const tagged = await tagCommit(g, plan.tag.name);
    if (tagged === undefined) await createTag(g, plan.tag.name, plan.tag.message, head);
    else if (tagged !== head) {
      throw new SlipwayError(
        "conflict",
        `the tag ${plan.tag.name} exists on another commit (${tagged.slice(0, 12)})`,
        {
          hint: "delete the stale tag if it is not a release, then resume",
        },
      );
    }
    const tagObj = await tagObject(g, plan.tag.name);
    return { commit: head, parent, tag: plan.tag.name, tagObject: tagObj };
  },
  async verify(ctx, record) {
    const g = git(ctx);
    const head = await headCommit(g);
    const tagged = await tagCommit(g, record.tag);
    if (head === record.commit && tagged === record.commit) return "done";
    if (head === record.parent && tagged === undefined) return "redo";
    return "conflict";
  },
  async undo(ctx, record) {
    const g = git(ctx);
    const { tag } = record;
    if ((await tagCommit(g, tag)) === record.commit) await deleteTag(g, tag);
    if (record.commit === record.parent) return;
    const head = await headCommit(g);
    if (head !== record.commit) {
      throw new SlipwayError("conflict", `HEAD moved to ${head?.slice(0, 12)} after the release commit`, {
        hint: `reset it by hand: git reset ${record.parent.slice(0, 12)}`,
      });
    }
    await resetTo(g, record.parent);
  },
};

/** The release commit and tag object, as the commit-tag step recorded them. */
export function releaseCommit(ctx: Ctx): { commit: string; tagObject: string } {
  const { commit, tagObject } = needRecord(ctx, commitTagStep);
  return { commit, tagObject };
}
