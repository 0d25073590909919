/**
 * The release's state on the remote, so that a release interrupted after its commit point on one
 * machine (a CI runner that died with its disk) can be resumed from a fresh clone on another:
 *
 * - the `checkpoint` step, just before the first public step, pushes two refs in one atomic push:
 *   `refs/slipway/release/<tag>`, a commit whose parent is the release commit and whose tree holds
 *   the journal (`release.json`) and the artifacts (`dist/<file>`: the exact bytes the stage
 *   verified — a rebuild may not be reproducible), and `refs/slipway/release-tag/<tag>`, the
 *   annotated tag object, so the resumed push publishes the same tag;
 * - `restoreFromRemote`: `slipway release --resume` where there is no journal finds those refs
 *   (`git ls-remote`), fetches them, checks the journal as hostile input and every artifact's
 *   sha256 against it, fast-forwards the branch to the release commit, and leaves the journal and
 *   `.slipway/dist/<version>/` for the resume to continue from;
 * - the push step deletes both refs in the same atomic push as the branch and the tag.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { digestFile } from "../adapters/file-digests.ts";
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
  pushAtomic,
  readBlobText,
  readTagObject,
  readTree,
  resolveCommit,
  resolveObject,
  writeBlob,
  writeCommit,
  writeTree,
} from "../adapters/git.ts";
import { ensureStateDir } from "../adapters/state-dir.ts";
import { normalizeVersion } from "../core/pep440/version.ts";
import { type ReleasePlan, readStoredPlan, releaseStateRefs } from "../core/release/plan.ts";
import { isRefName } from "../core/stored-shape.ts";
import { SlipwayError } from "../errors.ts";
import { fileJournal, type Journal, parseJournal } from "../pipeline/journal.ts";
import type { Step, StepContext } from "../pipeline/steps.ts";
import {
  checkBuildRecord,
  checkCheckpointRecord,
  checkCommitTagRecord,
  RECORD_CHECKS,
  type RecordScope,
  stepCheck,
} from "./release-records.ts";
import { confirmArtifacts, type ReleaseInput, releaseCommit } from "./release-steps.ts";

type Env = Readonly<Record<string, string | undefined>>;
type Ctx = StepContext<ReleaseInput>;

/** The ref holding a release's state (journal and artifacts). */
const stateRef = (tag: string) => releaseStateRefs(tag).state;
/** The ref holding a release's annotated tag object until the tag itself is pushed. */
const tagStateRef = (tag: string) => releaseStateRefs(tag).tag;
const STATE_PREFIX = stateRef("");

const JOURNAL_FILE = "release.json";
const DIST = "dist";

function git(ctx: Ctx): GitContext {
  return { dir: ctx.input.root, env: ctx.input.env };
}

/** Deletes those of `refs` the remote has, in one atomic push. */
async function deleteRemoteRefs(g: GitContext, remote: string, refs: string[]): Promise<void> {
  const present = await lsRemote(g, remote, refs);
  const gone = refs.filter((ref) => present.has(ref)).map((ref) => `:${ref}`);
  if (gone.length > 0) await pushAtomic(g, remote, gone);
}

export const checkpointStep: Step<ReleaseInput> = {
  id: "checkpoint",
  title: "Save the release state on the remote",
  public: false,
  dryRun: "plan",
  checkRecord: stepCheck(checkCheckpointRecord),
  async plan(ctx) {
    const { plan } = ctx.input;
    const built = (ctx.records["build"]?.["artifacts"] ?? []) as { filename: string }[];
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
    const artifacts = ctx.records["build"]?.["artifacts"] as { filename: string }[];
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
    ctx.input.detail(
      "checkpoint",
      `${record.stateRef} → ${plan.git.remote}: the journal and ${paths.length} artifacts`,
    );
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
  detail: (message: string) => void;
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
      options.detail(
        `the release ${found.tag} is already complete on ${options.remote} (its tag and commit are there); removed its state refs`,
      );
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
  for (const [i, step] of journal.steps.entries()) {
    const check = RECORD_CHECKS[step.id];
    if (check === undefined) throw notOurs(options, tag, `its journal records the unknown step "${step.id}"`);
    await check(scope, step.record, `${where} steps[${i}].record`);
  }
  const record = (id: string) => journal.steps.find((s) => s.id === id)?.record;
  const commitTag = record("commit-tag");
  const build = record("build");
  if (commitTag === undefined || build === undefined || record("checkpoint") === undefined) {
    throw notOurs(options, tag, "its journal has not reached the checkpoint");
  }
  const { commit, parent, tagObject } = await checkCommitTagRecord(scope, commitTag, where);
  const { artifacts } = await checkBuildRecord(scope, build, where);
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
  const temp = join(root, ".slipway", `restore-${randomBytes(6).toString("hex")}`);
  await mkdir(temp);
  try {
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
    const dist = resolve(state.scope.distDir);
    await rm(dist, { recursive: true, force: true });
    await mkdir(join(dist, ".."), { recursive: true });
    await rename(temp, dist);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  if (!tagHere) await createRef(g, `refs/tags/${state.tag}`, checked.tagObject);
  if ((await headCommit(g)) === checked.parent) await fastForward(g, checked.commit);
  await fileJournal(root).write(state.journal);
  options.detail(
    `restored the release ${state.tag} from ${options.remote} (${stateRef(state.tag)}): the journal and ${checked.artifacts.length} artifacts, sha256 checked`,
  );
}

/** Deletes the local copies `restoreFromRemote` fetched. */
async function deleteLocalState(g: GitContext, tag: string): Promise<void> {
  await deleteRef(g, stateRef(tag));
  await deleteRef(g, tagStateRef(tag));
}
