/**
 * The step table of `slipway release`. Each step is small and leaves a record (paths, hashes,
 * commit ids) that later steps and a resumed run rely on; the runner (src/pipeline/runner.ts)
 * owns order, preflight-first, journaling, undo before the commit point and resume after it.
 *
 *   edit → build → check → stage → verify → commit-tag │ publish → push
 *                                      (private, undone on failure) │ (public: resumed, never undone)
 */
import { readFile, rm } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { digestFile } from "../adapters/file-digests.ts";
import { applyFileChanges, type FileChange, recoverFileChanges } from "../adapters/file-transaction.ts";
import {
  commitMessage,
  commitPaths,
  containsCommit,
  createTag,
  deleteRef,
  deleteTag,
  type GitContext,
  headCommit,
  lsRemote,
  parentOf,
  pushAtomic,
  resetTo,
  tagCommit,
  tagObject,
} from "../adapters/git.ts";
import type { PipSource } from "../adapters/python/build-env.ts";
import { addScratchWorktree, hasSubmodules, removeScratchWorktree } from "../adapters/scratch-worktree.ts";
import { normalizeName } from "../core/names/name.ts";
import { canonicalizeVersion } from "../core/pep440/version.ts";
import type { ReleaseConfig } from "../core/release/config.ts";
import { assembleFindingLines, renderFindingLine } from "../core/release/findings.ts";
import { type ReleasePlan, releaseStateRefs } from "../core/release/plan.ts";
import type { Credentials } from "../core/upload/credentials.ts";
import { SlipwayError } from "../errors.ts";
import type { JournalStore } from "../pipeline/journal.ts";
import {
  NoPublicEffectError,
  type Step,
  type StepContext,
  type StepRecord,
  type StepTable,
} from "../pipeline/steps.ts";
import type { Secret } from "../secret.ts";
import { build } from "./build.ts";
import { check } from "./check.ts";
import { publish } from "./publish.ts";
import { envPreflight, gatePreflight, gitPreflight, targetPreflight } from "./release-preflight.ts";
import {
  checkBuildRecord,
  checkCheckRecord,
  checkCommitTagRecord,
  checkEditRecord,
  checkPublishRecord,
  checkPushRecord,
  checkStageRecord,
  checkVerifyRecord,
  stepCheck,
} from "./release-records.ts";
import { checkpointStep } from "./release-remote.ts";
import { verifyInstall } from "./verify-install.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** An index to stage on, started (or resolved) on first use. */
export interface StageIndex {
  uploadUrl: string;
  simpleUrl: string;
  username: string;
  password: Secret | undefined;
}

/** What every release step reads; nothing in it changes while the steps run. */
export interface ReleaseInput {
  root: string;
  env: Env;
  plan: ReleasePlan;
  config: ReleaseConfig;
  resume: boolean;
  python: string | undefined;
  pip: PipSource;
  targetCredentials: Credentials;
  /** Starts the local stage (once) or returns the configured stage index. */
  stage: () => Promise<StageIndex>;
  /** Where the release's artifacts go (real runs). */
  distDir: string;
  toolVersion: string;
  userAgent: string;
  /** One line of progress inside a step (a build phase, an uploaded file, a verify result). */
  detail: (step: string, message: string) => void;
  /** The run's journal, for the checkpoint that copies it to the remote. */
  journal: JournalStore;
}

/** The journal of the release's own file edits (see file-transaction.ts). */
export const RELEASE_EDIT_JOURNAL = ".slipway/release-edit.json";

type Ctx = StepContext<ReleaseInput>;

interface ArtifactRecord {
  file: string;
  filename: string;
  kind: "sdist" | "wheel";
  sha256: string;
  size: number;
}

function git(ctx: Ctx): GitContext {
  return { dir: ctx.input.root, env: ctx.input.env };
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
    const text = await readFile(join(root, e.path), "utf8").catch(() => null);
    if (text === e.after) after++;
    if (text === e.before) before++;
  }
  if (after === plan.edits.length) return "after";
  if (before === plan.edits.length) return "before";
  return "mixed";
}

/**
 * Where a build happens: a scratch worktree of HEAD with the edits, in a dry run and a real run
 * alike. The project's own directory also holds `.slipway/` (this release's journal and lock,
 * earlier releases' artifacts) and other ignored files, which a backend that reads only the top
 * `.gitignore` (hatchling's default sdist: attrs) would ship. With submodules, which a worktree
 * does not check out, a real run builds the project itself.
 */
interface BuildPlace {
  source: string;
  out: string;
  /** The temp directory holding the worktree (and a dry run's output). */
  scratch?: string;
}

async function buildPlace(ctx: Ctx): Promise<BuildPlace> {
  const { root, env, distDir, plan } = ctx.input;
  if (!ctx.dryRun && (await hasSubmodules({ project: root, env }))) return { source: root, out: distDir };
  const tree = await addScratchWorktree({
    project: root,
    env,
    edits: plan.edits.map((e) => ({ path: e.path, after: e.after })),
  });
  return {
    source: tree.project,
    out: ctx.dryRun ? join(tree.scratch, "dist") : distDir,
    scratch: tree.scratch,
  };
}

/** `path` is strictly below `root` (both absolute). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

function artifactsOf(ctx: Ctx): ArtifactRecord[] {
  const record = ctx.records["build"];
  if (record === undefined) throw new SlipwayError("internal", "the build step left no record");
  return record["artifacts"] as unknown as ArtifactRecord[];
}

/** The build's artifacts as `filename sha256` lines: what a later step's record says it worked on. */
function fingerprint(ctx: Ctx): string[] {
  return artifactsOf(ctx).map((a) => `${a.filename} ${a.sha256}`);
}

/**
 * Resume check for a step that worked on the artifacts: done only when the build it worked on is
 * the build now on record (a rebuild, after an artifact went missing, must be checked again).
 */
async function sameArtifacts(ctx: Ctx, record: StepRecord): Promise<"done" | "redo"> {
  if (ctx.records["build"] === undefined) return "redo";
  const now = fingerprint(ctx);
  const then = record["artifacts"];
  return Array.isArray(then) && then.length === now.length && then.every((a, i) => a === now[i])
    ? "done"
    : "redo";
}

/** Each artifact still holds the bytes the build recorded: what was checked is what goes out. */
export async function confirmArtifacts(ctx: Ctx): Promise<string[]> {
  const paths: string[] = [];
  for (const a of artifactsOf(ctx)) {
    const path = resolve(ctx.input.root, a.file);
    const digest = await digestFile(path, a.file).catch(() => undefined);
    if (digest === undefined || digest.sha256 !== a.sha256) {
      throw new SlipwayError(
        "io",
        `${a.file} is not the file the release built (sha256 ${a.sha256.slice(0, 12)}…)`,
        {
          hint: "something replaced or removed it; start the release again",
        },
      );
    }
    paths.push(path);
  }
  return paths;
}

const edit: Step<ReleaseInput> = {
  id: "edit",
  checkRecord: stepCheck(checkEditRecord),
  title: "Write the version and changelog",
  public: false,
  dryRun: "plan",
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
      ...(await gatePreflight(input.config.gates, {
        cwd: input.root,
        env: input.env,
        onGate: (argv) => input.detail("edit", `gate: ${argv.join(" ")}`),
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

/** Builds into `place.out` and records the artifacts, refusing any of another name or version. */
async function buildInto(ctx: Ctx, place: BuildPlace): Promise<StepRecord> {
  const { input } = ctx;
  const { plan } = input;
  await rm(place.out, { recursive: true, force: true });
  // A version from tags: the tag is made after the build, so the backend is told the version.
  const env =
    plan.mode === "vcs" ? { ...input.env, SETUPTOOLS_SCM_PRETEND_VERSION: plan.version } : input.env;
  const report = await build({
    cwd: input.root,
    env,
    project: place.source,
    outDir: place.out,
    python: input.python,
    pip: input.pip,
    clean: true,
    // The check step checks the artifacts (and refuses a local version, which build only warns of).
    check: false,
    toolVersion: input.toolVersion,
    onEvent: (e) => {
      if (e.type !== "phase") return;
      // A dry run writes into its scratch, which is gone when the user could look.
      const detail = e.phase === "write" && ctx.dryRun ? "a scratch directory" : e.detail;
      input.detail("build", detail === undefined ? e.phase : `${e.phase}: ${detail}`);
    },
  });
  const wanted = { name: normalizeName(plan.name), version: canonicalizeVersion(plan.version) };
  const release = report.manifest.project;
  if (
    release === null ||
    normalizeName(release.name) !== wanted.name ||
    canonicalizeVersion(release.version) !== wanted.version
  ) {
    const made = report.artifacts.map((a) => a.filename).join(", ");
    throw new SlipwayError(
      "check",
      `the build made ${made}, but the release is ${plan.name} ${plan.version}`,
      {
        hint:
          plan.mode === "vcs"
            ? "the backend did not take the version from SETUPTOOLS_SCM_PRETEND_VERSION; make the tag with 'slipway version bump' and build from it"
            : "the project's metadata says another name or version; check [project] in pyproject.toml",
      },
    );
  }
  const artifacts: ArtifactRecord[] = report.artifacts.map((a) => ({
    file: ctx.dryRun ? a.path : relative(input.root, a.path),
    filename: a.filename,
    kind: a.kind,
    sha256: a.sha256,
    size: a.size,
  }));
  // A real run's worktree is gone after the build: its later steps read the project itself,
  // which holds the same files (HEAD + the edits, and a clean tree was required).
  return {
    out: ctx.dryRun ? place.out : relative(input.root, place.out),
    source: ctx.dryRun ? place.source : ".",
    ...(ctx.dryRun && place.scratch !== undefined ? { scratch: place.scratch } : {}),
    artifacts: artifacts as unknown as StepRecord[string],
  };
}

const buildStep: Step<ReleaseInput> = {
  id: "build",
  checkRecord: stepCheck(checkBuildRecord),
  title: "Build the sdist and wheel",
  public: false,
  dryRun: "run",
  async run(ctx) {
    const place = await buildPlace(ctx);
    const removeScratch = async () => {
      if (place.scratch !== undefined)
        await removeScratchWorktree({ repo: ctx.input.root, scratch: place.scratch, env: ctx.input.env });
    };
    let record: StepRecord;
    try {
      record = await buildInto(ctx, place);
    } catch (error) {
      // Nothing half-built stays behind: the scratch worktree, and the release's dist dir.
      if (!ctx.dryRun) await rm(place.out, { recursive: true, force: true });
      await removeScratch();
      throw error;
    }
    // A dry run's checks and install read the scratch; its undo removes it.
    if (!ctx.dryRun) await removeScratch();
    return record;
  },
  async verify(ctx, record) {
    const root = ctx.input.root;
    for (const a of record["artifacts"] as unknown as ArtifactRecord[]) {
      const digest = await digestFile(resolve(root, a.file)).catch(() => undefined);
      if (digest?.sha256 !== a.sha256) return "redo";
    }
    return "done";
  },
  async undo(ctx, record) {
    const { scratch, out } = record;
    // Only a dry run has a scratch (its records are never journaled); a real run's output is
    // inside the project, whatever a journal read back says.
    if (ctx.dryRun && typeof scratch === "string")
      await removeScratchWorktree({ repo: ctx.input.root, scratch, env: ctx.input.env });
    else if (!ctx.dryRun) {
      const dir = resolve(ctx.input.root, String(out));
      if (!isInside(ctx.input.root, dir)) {
        throw new SlipwayError("io", `the build's recorded output ${String(out)} is outside the project`, {
          hint: "remove the release's artifacts by hand; the journal was not written by this release",
        });
      }
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** At most this many findings in a failed check's error message; the rest are counted. */
const SHOWN_ERRORS = 10;

const checkStep: Step<ReleaseInput> = {
  id: "check",
  checkRecord: stepCheck(checkCheckRecord),
  title: "Check the project and artifacts",
  public: false,
  dryRun: "run",
  async run(ctx) {
    const { input } = ctx;
    const source = resolve(input.root, String(ctx.records["build"]?.["source"] ?? "."));
    const dists = await confirmArtifacts(ctx);
    // Findings name files as the user knows them: project files relative to the project (not to
    // a dry run's scratch worktree) and artifacts by filename, or by path inside the project.
    const report = await check({
      cwd: source,
      env: input.env,
      project: source,
      dists,
      // A relative --python is relative to the project, not to the directory the check runs in.
      ...(input.python === undefined
        ? {}
        : { python: /[\\/]/.test(input.python) ? resolve(input.root, input.python) : input.python }),
      displayNames: Object.fromEntries(
        dists.map((d) => [d, ctx.dryRun ? basename(d) : relative(input.root, d)]),
      ),
    });
    const lines = assembleFindingLines(report.findings);
    if (!report.ok) {
      const errors = lines.filter((l) => l.severity === "error");
      const more = errors.length - SHOWN_ERRORS;
      throw new SlipwayError(
        "check",
        [
          `${report.errors} check error${report.errors === 1 ? "" : "s"}:`,
          ...errors.slice(0, SHOWN_ERRORS).map(renderFindingLine),
          ...(more > 0 ? [`and ${more} more`] : []),
        ].join("\n"),
        { hint: "fix them (each finding's hint: 'slipway check' in the project) and run the release again" },
      );
    }
    input.detail("check", `no errors, ${report.warnings} warning${report.warnings === 1 ? "" : "s"}`);
    for (const line of lines) input.detail("check", renderFindingLine(line));
    return {
      errors: report.errors,
      warnings: report.warnings,
      findings: lines as unknown as StepRecord[string],
      artifacts: fingerprint(ctx),
    };
  },
  verify: sameArtifacts,
};

const stageStep: Step<ReleaseInput> = {
  id: "stage",
  checkRecord: stepCheck(checkStageRecord),
  title: "Publish to the staging index",
  public: false,
  dryRun: "run",
  async run(ctx) {
    const { input } = ctx;
    const dists = await confirmArtifacts(ctx);
    const stage = await input.stage();
    const report = await publish({
      cwd: input.root,
      env: withoutTwine(input.env),
      dists,
      to: stage.uploadUrl,
      checkUrl: stage.simpleUrl,
      username: stage.username,
      ...(stage.password === undefined ? {} : { password: stage.password }),
      check: false,
      userAgent: input.userAgent,
      onEvent: (e) => {
        if (e.type === "file-done") input.detail("stage", `${e.outcome.filename}: ${e.outcome.status}`);
      },
    });
    if (!report.ok) throw publishFailure(report.outcomes, "the staging index");
    return { simpleUrl: stage.simpleUrl, files: report.outcomes.length };
  },
  // The stage is cheap and idempotent by hash: publishing again is how a resume re-checks it.
  async verify() {
    return "redo";
  },
};

const verifyStep: Step<ReleaseInput> = {
  id: "verify",
  checkRecord: stepCheck(checkVerifyRecord),
  title: "Install from the stage and smoke-test",
  public: false,
  dryRun: "run",
  async run(ctx) {
    const { input } = ctx;
    const paths = await confirmArtifacts(ctx);
    const wheels = paths.filter((p) => p.endsWith(".whl"));
    const stage = await input.stage();
    const v = input.config.verify;
    const report = await verifyInstall({
      cwd: input.root,
      env: input.env,
      dists: wheels.length > 0 ? wheels : paths,
      indexUrl: stage.simpleUrl,
      ...(input.pip.findLinks === undefined ? {} : { findLinks: input.pip.findLinks }),
      ...(input.python === undefined ? {} : { pythons: [input.python] }),
      ...(v.extras === undefined ? {} : { extras: v.extras }),
      ...(v.imports === undefined ? {} : { imports: v.imports }),
      ...(v.scripts === undefined ? {} : { scripts: v.scripts }),
      ...(v.maxImportMs === undefined ? {} : { maxImportMs: v.maxImportMs }),
      onEvent: (e) => {
        if (e.type === "step")
          input.detail(
            "verify",
            `${e.step.ok ? (e.step.warning ? "warning" : "ok") : "FAILED"} ${e.step.kind} ${e.step.subject}${e.step.warning ? `: ${e.step.message}` : ""}`,
          );
      },
    });
    if (!report.ok) {
      const failed = report.runs.flatMap((r) => r.steps.filter((s) => !s.ok));
      const first = failed[0];
      throw new SlipwayError(
        "check",
        `installing from the stage failed: ${failed.map((s) => `${s.kind} ${s.subject}`).join(", ")}${first ? `\n${first.message}${first.command ? `\n$ ${first.command}` : ""}${first.output ? `\n${first.output}` : ""}` : ""}`,
        {
          // A failed byte proof knows its cause (where pip took the file); the package may be fine.
          hint: first?.hint
            ? `${first.hint} Nothing was published.`
            : "fix the package (or [tool.slipway.release] verify) and run the release again: nothing was published",
        },
      );
    }
    const steps = report.runs.reduce((n, r) => n + r.steps.length, 0);
    return { ok: true, runs: report.runs.length, steps, artifacts: fingerprint(ctx) };
  },
  verify: sameArtifacts,
};

const commitTag: Step<ReleaseInput> = {
  id: "commit-tag",
  checkRecord: stepCheck(checkCommitTagRecord),
  title: "Commit and tag locally",
  public: false,
  dryRun: "plan",
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
    const tagged = await tagCommit(g, String(record["tag"]));
    if (head === record["commit"] && tagged === record["commit"]) return "done";
    if (head === record["parent"] && tagged === undefined) return "redo";
    return "conflict";
  },
  async undo(ctx, record) {
    const g = git(ctx);
    const tag = String(record["tag"]);
    if ((await tagCommit(g, tag)) === record["commit"]) await deleteTag(g, tag);
    if (record["commit"] === record["parent"]) return;
    const head = await headCommit(g);
    if (head !== record["commit"]) {
      throw new SlipwayError("conflict", `HEAD moved to ${head?.slice(0, 12)} after the release commit`, {
        hint: `reset it by hand: git reset ${String(record["parent"]).slice(0, 12)}`,
      });
    }
    await resetTo(g, String(record["parent"]));
  },
};

const publishStep: Step<ReleaseInput> = {
  id: "publish",
  checkRecord: stepCheck(checkPublishRecord),
  title: "Publish to the target index",
  public: true,
  dryRun: "plan",
  async preflight(ctx) {
    const { input } = ctx;
    return await targetPreflight({
      plan: input.plan,
      credentials: input.targetCredentials,
      userAgent: input.userAgent,
      resume: input.resume,
    });
  },
  async plan(ctx) {
    const { plan } = ctx.input;
    const built = ctx.records["build"] === undefined ? [] : artifactsOf(ctx);
    return {
      to: plan.target.name ?? plan.target.uploadUrl,
      uploadUrl: plan.target.uploadUrl,
      uploads: built.map((a) => ({ filename: a.filename, sha256: a.sha256, size: a.size })),
    };
  },
  async run(ctx) {
    const { input } = ctx;
    const dists = await confirmArtifacts(ctx);
    const credentials = input.targetCredentials;
    const report = await publish({
      cwd: input.root,
      env: withoutTwine(input.env),
      dists,
      to: input.plan.target.uploadUrl,
      checkUrl: input.plan.target.simpleUrl,
      username: credentials.username,
      ...(credentials.password === undefined ? {} : { password: credentials.password }),
      check: false,
      userAgent: input.userAgent,
      onEvent: (e) => {
        if (e.type === "file-done") input.detail("publish", `${e.outcome.filename}: ${e.outcome.status}`);
      },
    });
    if (!report.ok) {
      const failure = publishFailure(report.outcomes, input.plan.target.name ?? input.plan.target.uploadUrl);
      // The commit point is the first file the target accepts: refused outright, nothing is
      // public, and the commit and tag are undone. A resumed run may have published before.
      throw report.publicEffect || input.resume ? failure : new NoPublicEffectError(failure);
    }
    return {
      files: report.outcomes.map((o) => ({
        filename: o.filename,
        sha256: o.sha256,
        status: o.status,
        url: o.url,
      })),
    };
  },
  // Publishing is idempotent by hash: running it again uploads only what the index lacks.
  async verify() {
    return "redo";
  },
};

const pushStep: Step<ReleaseInput> = {
  id: "push",
  title: "Push the commit and tag",
  public: true,
  dryRun: "plan",
  checkRecord: stepCheck(checkPushRecord),
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
    const tagObject = ctx.records["commit-tag"]?.["tagObject"];
    return refs.get(`refs/heads/${plan.git.branch}`) === record["commit"] &&
      refs.get(`refs/tags/${plan.tag.name}`) === tagObject &&
      !refs.has(state.state)
      ? "done"
      : "redo";
  },
};

/** The release commit and tag object, as the commit-tag step recorded them. */
export function releaseCommit(ctx: Ctx): { commit: string; tagObject: string } {
  const record = ctx.records["commit-tag"];
  if (record === undefined) throw new SlipwayError("internal", "the commit-tag step left no record");
  return { commit: String(record["commit"]), tagObject: String(record["tagObject"]) };
}

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

/** The environment without TWINE_*: those name the target, never the stage. */
export function withoutTwine(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("TWINE_")));
}

function publishFailure(
  outcomes: readonly { filename: string; status: string; message: string; hint?: string }[],
  where: string,
): SlipwayError {
  const bad = outcomes.filter((o) => o.status !== "uploaded" && o.status !== "exists-identical");
  const first = bad[0];
  return new SlipwayError(
    bad.some((o) => o.status === "conflict") ? "conflict" : "network",
    `publishing to ${where} failed for ${bad.map((o) => `${o.filename} (${o.status})`).join(", ")}${first ? `: ${first.message}` : ""}`,
    { hint: first?.hint ?? "fix the cause and run 'slipway release --resume'" },
  );
}

/** The release steps in order; `checkpoint` and `push` only when the plan pushes. */
export function releaseSteps(plan: ReleasePlan): StepTable<ReleaseInput> {
  const steps = [edit, buildStep, checkStep, stageStep, verifyStep, commitTag];
  // What a resume on another machine needs goes to the remote before anything public happens.
  if (plan.git.push) steps.push(checkpointStep);
  steps.push(publishStep);
  if (plan.git.push) steps.push(pushStep);
  return steps;
}
