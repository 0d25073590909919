/**
 * `slipway release --resume` where there is no journal: the release a run on another machine
 * saved on the remote before its commit point (checkpoint.ts) is found (`git ls-remote`),
 * fetched, its journal checked as hostile input with each step's own record check and every
 * artifact's sha256 against it, the branch fast-forwarded to the release commit, and the
 * journal and `.slipway/dist/<version>/` left for the resume to continue from.
 */
import { join } from "node:path";
import { digestFile } from "../../adapters/file-digests.ts";
import { replaceDirWith } from "../../adapters/fs.ts";
import {
  containsCommit,
  createRef,
  currentBranch,
  deleteRef,
  exportBlob,
  fastForward,
  fetchRefs,
  type GitContext,
  headCommit,
  lsRemote,
  parentOf,
  readBlobText,
  readTagObject,
  readTree,
  resolveCommit,
  resolveObject,
} from "../../adapters/git.ts";
import { ensureStateDir } from "../../adapters/state-dir.ts";
import { normalizeVersion } from "../../core/pep440/version.ts";
import { type ReleasePlan, readStoredPlan } from "../../core/release/plan.ts";
import { isRefName } from "../../core/stored-shape.ts";
import { SlipwayError } from "../../errors.ts";
import { fileJournal, type Journal, parseJournal } from "../../pipeline/journal.ts";
import { readJournaledRecord } from "../../pipeline/steps.ts";
import { buildStep } from "./build.ts";
import { DIST, deleteRemoteRefs, JOURNAL_FILE, stateRef, tagStateRef } from "./checkpoint.ts";
import { commitTagStep } from "./commit-tag.ts";
import type { Env, RecordScope } from "./context.ts";
import type { ReleaseStepEvent } from "./events.ts";
import { ALL_RELEASE_STEPS } from "./steps.ts";

const STATE_PREFIX = stateRef("");

/** True when two version strings are one PEP 440 version (`v1.0.0` and `1.0.0`). */
export function sameVersion(a: string, b: string): boolean {
  const n = normalizeVersion(a);
  return n !== undefined && n === normalizeVersion(b);
}

export interface RestoreOptions {
  root: string;
  env: Env;
  /** The remote to look on (`[tool.slipway.release] remote`). */
  remote: string;
  /** Picks one release when the remote holds several (its plan's version). */
  version?: string;
  onEvent: (event: Extract<ReleaseStepEvent, { step: "resume" }>) => void;
}

/** `restored`: the journal is in place, resume it; `complete`: nothing is left to do. */
export interface Restored {
  kind: "restored" | "complete";
  tag: string;
  plan: ReleasePlan;
}

/**
 * Restores an interrupted release from the remote's refs (see the top of this file) into the
 * project: the artifacts into `.slipway/dist/<version>/`, the tag as a local tag, the branch
 * fast-forwarded to the release commit, and last the journal. Everything is checked before
 * anything is written. A release the remote already has (tag and commit) is `complete`: only its
 * state refs are removed. Throws a usage error when the remote holds no such release, or several
 * and `version` does not pick one.
 */
export async function restoreFromRemote(options: RestoreOptions): Promise<Restored> {
  const g: GitContext = { dir: options.root, env: options.env };
  const listed = await lsRemote(g, options.remote, ["refs/slipway/*"]);
  const tags = [...listed.keys()]
    .filter((ref) => ref.startsWith(STATE_PREFIX))
    .map((ref) => ref.slice(STATE_PREFIX.length))
    .filter(isRefName)
    .sort();
  if (tags.length === 0) {
    throw new SlipwayError(
      "usage",
      `nothing to resume: no .slipway/release.json here, and ${options.remote} holds no interrupted release (${STATE_PREFIX}*)`,
      { hint: "run without --resume to start a release" },
    );
  }
  if (tags.length > 1 && options.version === undefined) {
    throw new SlipwayError(
      "usage",
      `${options.remote} holds ${tags.length} interrupted releases: ${tags.join(", ")}; which one?`,
      {
        hint: `pick one with 'slipway release --resume --version VERSION'; to drop one you do not want: git push ${options.remote} --delete ${stateRef(tags[0]!)} ${tagStateRef(tags[0]!)}`,
      },
    );
  }
  // Local copies of the remote's refs, under slipway's own names: nothing else is touched yet.
  await fetchRefs(
    g,
    options.remote,
    tags.flatMap((t) => [
      `+${stateRef(t)}:${stateRef(t)}`,
      ...(listed.has(tagStateRef(t)) ? [`+${tagStateRef(t)}:${tagStateRef(t)}`] : []),
    ]),
  );
  let state: State | undefined;
  try {
    if (tags.length === 1) state = await readState(g, options, tags[0]!);
    else {
      // --version picks among states that read as slipway's; one that does not is no candidate.
      const read = await Promise.all(tags.map((tag) => readState(g, options, tag).catch(() => undefined)));
      const chosen = read.filter((c) => c !== undefined && sameVersion(c.plan.version, options.version!));
      if (chosen.length !== 1) {
        throw new SlipwayError(
          "usage",
          `${options.remote} holds ${chosen.length === 0 ? "no" : chosen.length} interrupted release${chosen.length === 1 ? "" : "s"} of version ${options.version} among ${tags.join(", ")}`,
          { hint: "pick the version of one of them with --version" },
        );
      }
      state = chosen[0];
    }
    const found = state!;
    const checked = await checkState(g, options, found);
    if (await isComplete(g, options, found, checked)) {
      await deleteRemoteRefs(g, options.remote, [stateRef(found.tag), tagStateRef(found.tag)]);
      options.onEvent({ type: "already-complete", step: "resume", tag: found.tag, remote: options.remote });
      return { kind: "complete", tag: found.tag, plan: found.plan };
    }
    await applyState(g, options, found, checked, await checkLocal(g, options, found, checked));
    return { kind: "restored", tag: found.tag, plan: found.plan };
  } finally {
    // The local copies served their purpose; the remote's refs go with the release's push.
    for (const tag of tags) await deleteLocalState(g, tag);
  }
}

interface State {
  tag: string;
  /** The state commit (fetched to the local `stateRef(tag)`). */
  commit: string;
  journal: Journal;
  plan: ReleasePlan;
  scope: RecordScope;
  where: string;
}

function notOurs(options: RestoreOptions, tag: string, why: string): SlipwayError {
  return new SlipwayError(
    "io",
    `${options.remote} ${stateRef(tag)} is not a release state slipway pushed: ${why}`,
    {
      hint: `if you do not know it, delete it: git push ${options.remote} --delete ${stateRef(tag)} ${tagStateRef(tag)}`,
    },
  );
}

/** One fetched state commit's journal, read as hostile input (B1 rules) and bound to its tag. */
async function readState(g: GitContext, options: RestoreOptions, tag: string): Promise<State> {
  const where = `${options.remote} ${stateRef(tag)}:${JOURNAL_FILE}`;
  const commit = await resolveCommit(g, stateRef(tag));
  if (commit === undefined) throw notOurs(options, tag, "not a commit");
  const entries = await readTree(g, `${commit}^{tree}`);
  const entry = entries.find((e) => e.name === JOURNAL_FILE && e.type === "blob");
  if (
    entry === undefined ||
    entries.length !== 2 ||
    !entries.some((e) => e.name === DIST && e.type === "tree")
  ) {
    throw notOurs(
      options,
      tag,
      `its tree holds ${entries.map((e) => e.name).join(", ")}, not ${JOURNAL_FILE} and ${DIST}/`,
    );
  }
  const journal = parseJournal(await readBlobText(g, entry.id), where);
  const plan = readStoredPlan(journal.plan, where);
  if (plan.tag.name !== tag) throw notOurs(options, tag, `its journal is the release ${plan.tag.name}`);
  const scope = { root: options.root, distDir: join(options.root, ".slipway", "dist", plan.version), plan };
  return { tag, commit, journal, plan, scope, where };
}

interface Checked {
  commit: string;
  parent: string;
  tagObject: string;
  artifacts: { filename: string; sha256: string; size: number; blob: string }[];
}

/**
 * Everything the restore relies on, checked before anything is written: every record of the
 * journal (paths inside the project, ids), the state commit on top of the release commit, the
 * tag object tagging it under the right name, and the artifacts exactly the build's.
 */
async function checkState(g: GitContext, options: RestoreOptions, state: State): Promise<Checked> {
  const { journal, scope, where, tag } = state;
  for (const [i, s] of journal.steps.entries()) {
    const step = ALL_RELEASE_STEPS.find((t) => t.id === s.id);
    if (step === undefined) throw notOurs(options, tag, `its journal records the unknown step "${s.id}"`);
    const at = `${where} steps[${i}].record`;
    await readJournaledRecord(step, scope, s.record, at);
  }
  const journaled = (id: string) => journal.steps.findIndex((s) => s.id === id);
  const commitTagAt = journaled(commitTagStep.id);
  const buildAt = journaled(buildStep.id);
  if (commitTagAt < 0 || buildAt < 0 || journaled("checkpoint") < 0) {
    throw notOurs(options, tag, "its journal has not reached the checkpoint");
  }
  // Read again typed: each record passed its step's check above.
  const { commit, parent, tagObject } = await readJournaledRecord(
    commitTagStep,
    scope,
    journal.steps[commitTagAt]!.record,
    where,
  );
  const { artifacts } = await readJournaledRecord(buildStep, scope, journal.steps[buildAt]!.record, where);
  if ((await parentOf(g, state.commit)) !== commit)
    throw notOurs(options, tag, "it is not on the release commit");
  const tagged = await readTagObject(g, tagStateRef(tag));
  if (
    (await resolveObject(g, tagStateRef(tag))) !== tagObject ||
    tagged === undefined ||
    tagged.object !== commit ||
    tagged.type !== "commit" ||
    tagged.tag !== tag
  ) {
    throw notOurs(
      options,
      tag,
      `${tagStateRef(tag)} is not the tag object ${tagObject.slice(0, 12)} of ${tag} on the release commit`,
    );
  }
  const files = await readTree(g, `${state.commit}:${DIST}`);
  const named = files.map((f) => f.name).sort();
  const expected = artifacts.map((a) => a.filename).sort();
  if (files.some((f) => f.type !== "blob") || named.join("\n") !== expected.join("\n")) {
    throw notOurs(
      options,
      tag,
      `its ${DIST}/ holds ${named.join(", ")}, not the build's ${expected.join(", ")}`,
    );
  }
  return {
    commit,
    parent,
    tagObject,
    artifacts: artifacts.map((a) => ({ ...a, blob: files.find((f) => f.name === a.filename)!.id })),
  };
}

/**
 * Whether the local clone can take the release: the branch checked out at the release commit's
 * parent (a fresh clone) or at the commit, and no other tag of that name. Resolves to whether the
 * tag exists here already.
 */
async function checkLocal(
  g: GitContext,
  options: RestoreOptions,
  state: State,
  checked: Checked,
): Promise<boolean> {
  const { plan, tag } = state;
  const branch = await currentBranch(g);
  const head = await headCommit(g);
  if (branch !== plan.git.branch || (head !== checked.parent && head !== checked.commit)) {
    throw new SlipwayError(
      "conflict",
      `the release ${tag} continues from ${checked.parent.slice(0, 12)} on ${plan.git.branch}, but ${branch ?? "a detached HEAD"} is at ${head?.slice(0, 12) ?? "no commit"} here`,
      {
        hint: `resume in a fresh clone of ${options.remote} with ${plan.git.branch} checked out; if ${plan.git.branch} moved on since, the release commit can no longer be pushed as it is: finish it by hand`,
      },
    );
  }
  const localTag = await resolveObject(g, `refs/tags/${tag}`);
  if (localTag !== undefined && localTag !== checked.tagObject) {
    throw new SlipwayError("conflict", `a tag ${tag} exists here but is not the release's tag object`, {
      hint: `delete the local tag (git tag -d ${tag}) if it is not a release, then resume`,
    });
  }
  return localTag !== undefined;
}

/**
 * True when the remote already has the release: its tag is the recorded tag object and its branch
 * holds the release commit. The push comes after the publish, so the release is complete.
 */
async function isComplete(
  g: GitContext,
  options: RestoreOptions,
  state: State,
  checked: Checked,
): Promise<boolean> {
  const branchRef = `refs/heads/${state.plan.git.branch}`;
  const tagRef = `refs/tags/${state.tag}`;
  const refs = await lsRemote(g, options.remote, [branchRef, tagRef]);
  return (
    refs.get(tagRef) === checked.tagObject && (await containsCommit(g, refs.get(branchRef), checked.commit))
  );
}

/** Writes what was checked: artifacts (each re-hashed), the tag, the branch, and last the journal. */
async function applyState(
  g: GitContext,
  options: RestoreOptions,
  state: State,
  checked: Checked,
  tagHere: boolean,
): Promise<void> {
  const { root } = options;
  await ensureStateDir(root);
  await replaceDirWith(join(root, ".slipway"), "restore-", state.scope.distDir, async (temp) => {
    for (const a of checked.artifacts) {
      const path = join(temp, a.filename);
      await exportBlob(g, a.blob, path);
      const digest = await digestFile(path, a.filename);
      if (digest.sha256 !== a.sha256 || digest.size !== a.size) {
        throw new SlipwayError(
          "conflict",
          `${options.remote} ${stateRef(state.tag)}:${DIST}/${a.filename} is not the artifact the release built (sha256 ${a.sha256.slice(0, 12)}…)`,
          { hint: "the state on the remote was changed; do not publish from it — rebuild and check by hand" },
        );
      }
    }
  });
  if (!tagHere) await createRef(g, `refs/tags/${state.tag}`, checked.tagObject);
  if ((await headCommit(g)) === checked.parent) await fastForward(g, checked.commit);
  await fileJournal(root).write(state.journal);
  options.onEvent({
    type: "restored",
    step: "resume",
    tag: state.tag,
    remote: options.remote,
    ref: stateRef(state.tag),
    artifacts: checked.artifacts.length,
  });
}

/** Deletes the local copies `restoreFromRemote` fetched. */
async function deleteLocalState(g: GitContext, tag: string): Promise<void> {
  await deleteRef(g, stateRef(tag));
  await deleteRef(g, tagStateRef(tag));
}
