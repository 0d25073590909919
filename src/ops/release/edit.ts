/**
 * The `edit` step: the version and changelog written into the project's files, all or none
 * (through the file transaction and its journal). Its preflight is the release's: git state,
 * declared environment variables, the scans (secrets, dependencies), gate commands.
 */
import { join } from "node:path";
import { applyFileChanges, type FileChange, recoverFileChanges } from "../../adapters/file-transaction.ts";
import { readTextIfExists } from "../../adapters/fs.ts";
import type { ReleasePlan } from "../../core/release/plan.ts";
import { list, relativePath, record as struct } from "../../core/stored-shape.ts";
import { envPreflight, gatePreflight, gitPreflight } from "../release-preflight.ts";
import { git, type ReleaseStep } from "./context.ts";
import { scanPreflight } from "./scan-preflight.ts";

/** The journal of the release's own file edits (see file-transaction.ts). */
export const RELEASE_EDIT_JOURNAL = ".slipway/release-edit.json";

const editRecord = struct({ paths: list(relativePath) });

export type EditRecord = ReturnType<typeof editRecord>;

export interface EditPlan {
  from: string | null;
  to: string;
  files: { path: string; purpose: string; diff: string }[];
  changelog: string | null;
}

function changes(plan: ReleasePlan, direction: "forward" | "back"): FileChange[] {
  return plan.edits.map((e) =>
    direction === "forward"
      ? { path: e.path, before: e.before, after: e.after }
      : { path: e.path, before: e.after, after: e.before },
  );
}

/** What each planned file holds now: all `after` (done), all `before` (not started), or a mix. */
async function editState(root: string, plan: ReleasePlan): Promise<"after" | "before" | "mixed"> {
  let after = 0;
  let before = 0;
  for (const e of plan.edits) {
    // null: the file is not there (an edit that creates it has not run, or one that deletes it has).
    // Unreadable (absent, a directory, no permission) counts as not holding the text.
    const text = (await readTextIfExists(join(root, e.path)).catch(() => undefined)) ?? null;
    if (text === e.after) after++;
    if (text === e.before) before++;
  }
  if (after === plan.edits.length) return "after";
  if (before === plan.edits.length) return "before";
  return "mixed";
}

export const editStep: ReleaseStep<EditRecord, EditPlan> = {
  id: "edit",
  title: "Write the version and changelog",
  public: false,
  dryRun: "plan",
  record: editRecord,
  async preflight(ctx) {
    const { input } = ctx;
    return [
      ...(await gitPreflight({
        git: git(ctx),
        plan: input.plan,
        configuredBranch: input.config.branch,
        resume: input.resume,
      })),
      ...envPreflight(input.config.env, input.env),
      ...(await scanPreflight(input)),
      ...(await gatePreflight(input.config.gates, {
        cwd: input.root,
        env: input.env,
        onGate: (argv) => input.emit({ type: "gate", step: "edit", argv }),
      })),
    ];
  },
  async plan(ctx) {
    const { plan } = ctx.input;
    return {
      from: plan.from,
      to: plan.version,
      files: plan.edits.map((e) => ({ path: e.path, purpose: e.purpose, diff: e.diff })),
      changelog: plan.changelog?.entry ?? null,
    };
  },
  async run(ctx) {
    const { root, plan } = ctx.input;
    // A run killed mid-write left the transaction journal: put every file back, then write again.
    await recoverFileChanges({ root, journal: RELEASE_EDIT_JOURNAL });
    if (plan.edits.length > 0 && (await editState(root, plan)) !== "after") {
      await applyFileChanges(changes(plan, "forward"), {
        root,
        journal: RELEASE_EDIT_JOURNAL,
        label: `release ${plan.name} ${plan.version}`,
        startedAt: new Date(ctx.now()).toISOString(),
        recoverHint: "run 'slipway release --resume': it rolls the interrupted write back first",
      });
    }
    return { paths: plan.edits.map((e) => e.path) };
  },
  async verify(ctx) {
    const { root, plan } = ctx.input;
    if (plan.edits.length === 0) return "done";
    const state = await editState(root, plan);
    return state === "after" ? "done" : state === "before" ? "redo" : "conflict";
  },
  async undo(ctx) {
    const { root, plan } = ctx.input;
    if (plan.edits.length === 0 || (await editState(root, plan)) === "before") return;
    await applyFileChanges(changes(plan, "back"), {
      root,
      journal: RELEASE_EDIT_JOURNAL,
      label: `undo release ${plan.name} ${plan.version}`,
      startedAt: new Date(ctx.now()).toISOString(),
      recoverHint: "run 'slipway release --resume' or restore the files with git",
    });
  },
};
