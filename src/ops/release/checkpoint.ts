/**
 * The `checkpoint` step, just before the first public step: the release's state goes to the
 * remote so that a release interrupted after its commit point on one machine (a CI runner that
 * died with its disk) can be resumed from a fresh clone on another (restore.ts). Two refs in one
 * atomic push: `refs/slipway/release/<tag>`, a commit whose parent is the release commit and whose
 * tree holds the journal (`release.json`) and the artifacts (`dist/<file>`: the exact bytes the
 * stage verified — a rebuild may not be reproducible), and `refs/slipway/release-tag/<tag>`, the
 * annotated tag object, so the resumed push publishes the same tag. The push step deletes both
 * refs in the same atomic push as the branch and the tag.
 */
import {
  type GitContext,
  lsRemote,
  pushAtomic,
  writeBlob,
  writeCommit,
  writeTree,
} from "../../adapters/git.ts";
import { releaseStateRefs } from "../../core/release/plan.ts";
import { string, record as struct } from "../../core/stored-shape.ts";
import { SlipwayError } from "../../errors.ts";
import type { Journal } from "../../pipeline/journal.ts";
import { recordOf } from "../../pipeline/steps.ts";
import { artifactsOf, buildStep, confirmArtifacts } from "./build.ts";
import { releaseCommit } from "./commit-tag.ts";
import { git, mismatch, type ReleaseStep } from "./context.ts";

/** The ref holding a release's state (journal and artifacts). */
export const stateRef = (tag: string) => releaseStateRefs(tag).state;
/** The ref holding a release's annotated tag object until the tag itself is pushed. */
export const tagStateRef = (tag: string) => releaseStateRefs(tag).tag;

/** The state commit's tree: the journal, and the artifacts under `dist/`. */
export const JOURNAL_FILE = "release.json";
export const DIST = "dist";

/** Deletes those of `refs` the remote has, in one atomic push. */
export async function deleteRemoteRefs(g: GitContext, remote: string, refs: string[]): Promise<void> {
  const present = await lsRemote(g, remote, refs);
  const gone = refs.filter((ref) => present.has(ref)).map((ref) => `:${ref}`);
  if (gone.length > 0) await pushAtomic(g, remote, gone);
}

const checkpointRecord = struct({ remote: string, stateRef: string, tagRef: string });

export type CheckpointRecord = ReturnType<typeof checkpointRecord>;

export interface CheckpointPlan {
  remote: string;
  refs: string[];
  files: string[];
}

export const checkpointStep: ReleaseStep<CheckpointRecord, CheckpointPlan> = {
  id: "checkpoint",
  title: "Save the release state on the remote",
  public: false,
  dryRun: "plan",
  record: checkpointRecord,
  async checkRecord(scope, value, where) {
    const refs = releaseStateRefs(scope.plan.tag.name);
    const expected = { remote: scope.plan.git.remote, stateRef: refs.state, tagRef: refs.tag };
    for (const key of ["remote", "stateRef", "tagRef"] as const) {
      if (value[key] !== expected[key]) throw mismatch(where, key, expected[key], value[key]);
    }
  },
  async plan(ctx) {
    const { plan } = ctx.input;
    const built = recordOf(ctx, buildStep)?.artifacts ?? [];
    return {
      remote: plan.git.remote,
      refs: [stateRef(plan.tag.name), tagStateRef(plan.tag.name)],
      files: [JOURNAL_FILE, ...built.map((a) => `${DIST}/${a.filename}`)],
    };
  },
  async run(ctx) {
    const { plan, journal } = ctx.input;
    const g = git(ctx);
    const { commit } = releaseCommit(ctx);
    const record = {
      remote: plan.git.remote,
      stateRef: stateRef(plan.tag.name),
      tagRef: tagStateRef(plan.tag.name),
    };
    // The journal as a resume elsewhere must find it: every step so far, this one done.
    const current = await journal.read();
    if (current === null) throw new SlipwayError("internal", `${journal.path} is missing mid-run`);
    const snapshot: Journal = {
      ...current,
      running: null,
      steps: [
        ...current.steps.filter((s) => s.id !== "checkpoint"),
        { id: "checkpoint", finishedAt: new Date(ctx.now()).toISOString(), record },
      ],
    };
    const artifacts = artifactsOf(ctx);
    const paths = await confirmArtifacts(ctx);
    const dist = await writeTree(
      g,
      await Promise.all(
        paths.map(async (path, i) => ({
          mode: "100644" as const,
          type: "blob" as const,
          id: await writeBlob(g, { path }),
          name: artifacts[i]!.filename,
        })),
      ),
    );
    const tree = await writeTree(g, [
      {
        mode: "100644",
        type: "blob",
        id: await writeBlob(g, { text: `${JSON.stringify(snapshot, null, 2)}\n` }),
        name: JOURNAL_FILE,
      },
      { mode: "040000", type: "tree", id: dist, name: DIST },
    ]);
    const state = await writeCommit(
      g,
      tree,
      commit,
      `slipway: state of the release ${plan.tag.name}\n\n'slipway release --resume' in any clone continues it; the push of the release deletes this ref.\n`,
    );
    ctx.input.emit({
      type: "checkpoint-saved",
      step: "checkpoint",
      ref: record.stateRef,
      remote: plan.git.remote,
      artifacts: paths.length,
    });
    await pushAtomic(g, plan.git.remote, [
      `+${state}:${record.stateRef}`,
      `+refs/tags/${plan.tag.name}:${record.tagRef}`,
    ]);
    return record;
  },
  async verify(ctx) {
    const { plan } = ctx.input;
    const refs = await lsRemote(git(ctx), plan.git.remote, [
      stateRef(plan.tag.name),
      tagStateRef(plan.tag.name),
    ]);
    return refs.has(stateRef(plan.tag.name)) &&
      refs.get(tagStateRef(plan.tag.name)) === releaseCommit(ctx).tagObject
      ? "done"
      : "redo";
  },
  async undo(ctx) {
    const { plan } = ctx.input;
    await deleteRemoteRefs(git(ctx), plan.git.remote, [stateRef(plan.tag.name), tagStateRef(plan.tag.name)]);
  },
};
