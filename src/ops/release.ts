/**
 * `release`: plan the whole release (version, files, changelog, tag, stage, target), then drive
 * the step table through the pipeline runner under the project's release lock. A resumed run
 * takes its plan from the journal, never from the files it already changed. Never prints: the
 * caller renders the events and the report.
 */
import { join, resolve } from "node:path";
import { makeTempDir, removeTree } from "../adapters/fs.ts";
import { currentBranch, type GitContext, remoteDefaultBranch, remoteUrl } from "../adapters/git.ts";
import type { PipSource } from "../adapters/python/build-env.ts";
import { openProject, type ProjectSnapshot, type ReadBytes } from "../adapters/snapshot.ts";
import { checkStateDir, ensureStateDir } from "../adapters/state-dir.ts";
import { planHost } from "../core/host/remote.ts";
import type { BumpKind } from "../core/pep440/bump.ts";
import type { ReleaseConfig } from "../core/release/config.ts";
import {
  assembleReleasePlan,
  type ReleasePlan,
  readStoredPlan,
  releaseSubject,
} from "../core/release/plan.ts";
import type { Credentials } from "../core/upload/credentials.ts";
import { describeTagFormat } from "../core/version/tag-format.ts";
import { formatTag } from "../core/version/tags.ts";
import { SlipwayError } from "../errors.ts";
import { fileJournal } from "../pipeline/journal.ts";
import { type LockEvent, withLock } from "../pipeline/lock.ts";
import { type PipelineEvent, type PipelineResult, runPipeline } from "../pipeline/runner.ts";
import { Secret } from "../secret.ts";
import type { IndexWarning } from "../server/events.ts";
import { type RunningIndex, startIndex } from "../server/index-server.ts";
import { planReleaseChangelog } from "./changelog.ts";
import type { PublishOptions } from "./publish.ts";
import { loadPublishConfig } from "./publish-config.ts";
import type { TrustedPublishingOptions } from "./publish-trusted.ts";
import { restoreFromRemote, sameVersion } from "./release/restore.ts";
import { type ReleaseStepEvent, releaseSteps, type StageIndex, withoutTwine } from "./release/steps.ts";
import {
  assembleVersionPlan,
  blockedError,
  readVersionPlaces,
  type VersionRequest,
  type VersionState,
} from "./version.ts";
import { describeMenuArguments, readVersionMenu, type VersionMenuRead } from "./version-menu.ts";

type Env = Readonly<Record<string, string | undefined>>;

export type { ReleasePlan } from "../core/release/plan.ts";

export interface ReleaseOptions
  extends TrustedPublishingOptions,
    Pick<PublishOptions, "attestations" | "sigstore"> {
  cwd: string;
  env: Env;
  /** The project directory (default: cwd). */
  project?: string;
  bump?: BumpKind;
  /** An explicit version instead of a bump. */
  version?: string;
  /**
   * Asked when neither `bump` nor `version` is given (a terminal): the menu of next versions,
   * answered with a choice and an optional comment; undefined cancels (a usage error, nothing
   * changed). Without it, the conventional commits' suggestion is taken, or a usage error lists
   * the flags to pass.
   */
  chooseVersion?: (
    read: VersionMenuRead,
  ) => Promise<{ request: VersionRequest; comment?: string } | undefined>;
  /** A paragraph for the release commit's and the tag's messages. */
  comment?: string;
  /** A security-notes file (`status decide --notes`): its bullets go into the entry's Security section. */
  securityNotes?: string;
  /** `local` (the embedded index) or an index name; default from config, else local. */
  stage?: string;
  /** Simple root the local stage takes dependencies from; null for none. */
  stageUpstream?: string | null;
  /** Target index name or upload URL; default from config, else pypi. */
  to?: string;
  checkUrl?: string;
  username?: string;
  password?: Secret;
  pypirc?: string;
  /** False: commit and tag locally, push nothing (default from config, else true). */
  push?: boolean;
  dryRun?: boolean;
  resume?: boolean;
  python?: string;
  /** Where pip finds build backends and the stage's dependencies. */
  pip?: PipSource;
  toolVersion: string;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Called with the plan before anything runs (real runs); false stops the release. */
  confirm?: (plan: ReleasePlan) => Promise<boolean>;
  onEvent?: (event: ReleaseEvent) => void;
  /** How the project snapshot reads files (default: the file system); a test counts reads. */
  readBytes?: ReadBytes;
}

export type ReleaseEvent =
  | PipelineEvent
  | LockEvent
  | { type: "plan"; plan: ReleasePlan; resumed: boolean }
  | { type: "stage-started"; url: string }
  /** The embedded staging index had trouble (an upload it could not store, a route that failed). */
  | ({ type: "stage-warning" } & IndexWarning)
  | ReleaseStepEvent;

export interface ReleaseReport {
  plan: ReleasePlan;
  dryRun: boolean;
  /** Undefined when the user declined the confirmation. */
  result: PipelineResult | undefined;
  /** Where the artifacts are (real runs). */
  distDir: string;
}

const STAGE_DIR = ".slipway/stage";
const DIST_DIR = ".slipway/dist";

function projectName(root: string, pyproject: Record<string, unknown>): string {
  const project = pyproject["project"] as Record<string, unknown> | undefined;
  const tool = pyproject["tool"] as Record<string, Record<string, unknown> | undefined> | undefined;
  const name = project?.["name"] ?? tool?.["poetry"]?.["name"];
  if (typeof name !== "string" || name === "") {
    throw new SlipwayError("config", `${join(root, "pyproject.toml")} has no [project] name`, {
      hint: 'add name = "…" to [project]',
    });
  }
  return name;
}

async function releaseBranch(git: GitContext, config: ReleaseConfig): Promise<string> {
  if (config.branch !== undefined) return config.branch;
  const remoteDefault = await remoteDefaultBranch(git, config.remote);
  if (remoteDefault !== undefined) return remoteDefault;
  const current = await currentBranch(git);
  return current === "main" || current === "master" ? current : "main";
}

interface Planned {
  plan: ReleasePlan;
  config: ReleaseConfig;
  credentials: Credentials;
  /** A resume found the release already complete on the remote: nothing is left to run. */
  complete?: true;
}

/**
 * The request: an explicit version, a bump, the answer to `chooseVersion` (on a terminal), or the
 * bump the conventional commits since the last release call for. Without any of them, a usage
 * error that lists the exact flags for every candidate.
 */
async function versionRequest(
  state: VersionState,
  snapshot: ProjectSnapshot,
  options: ReleaseOptions,
): Promise<{ request: VersionRequest; why: string; comment: string | undefined }> {
  const comment = options.comment;
  if (options.version !== undefined) return { request: { set: options.version }, why: "", comment };
  if (options.bump !== undefined) return { request: { bump: options.bump }, why: "", comment };
  // Places in dispute (or a version nobody can know): say so before asking for a next one.
  if (state.errors.length > 0) throw blockedError(state);
  const read = await readVersionMenu(state, { snapshot });
  if (options.chooseVersion !== undefined) {
    const answer = await options.chooseVersion(read);
    if (answer === undefined) {
      throw new SlipwayError("usage", "no version chosen: nothing was changed", {
        hint: "run again and pick a version, or pass --bump KIND or --version X",
      });
    }
    return { request: answer.request, why: "", comment: answer.comment ?? comment };
  }
  const suggested = read.menu.suggested === undefined ? undefined : read.menu.choices[read.menu.suggested];
  if (suggested === undefined) {
    throw new SlipwayError(
      "usage",
      `which version comes after ${state.current ?? "nothing"}? ${read.why}, and no terminal to ask on`,
      { hint: `pass one of: ${describeMenuArguments(read.menu, "flags")}` },
    );
  }
  const n = read.commits ?? 0;
  return {
    request: suggested.request,
    why: `, from ${n} commit${n === 1 ? "" : "s"} since ${read.since ?? "the start"}`,
    comment,
  };
}

async function targetOf(
  snapshot: ProjectSnapshot,
  options: ReleaseOptions,
  to: string,
  checkUrl: string | undefined,
) {
  return await loadPublishConfig({
    cwd: options.cwd,
    env: options.env,
    project: snapshot.root,
    snapshot,
    to,
    ...(checkUrl === undefined ? {} : { checkUrl }),
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.pypirc === undefined ? {} : { pypirc: options.pypirc }),
  });
}

/** Plans a fresh release from the project as it is (its snapshot); reads only. */
async function planFresh(snapshot: ProjectSnapshot, options: ReleaseOptions): Promise<Planned> {
  const root = snapshot.root;
  const { pyproject } = await snapshot.projectConfig();
  const config = await snapshot.releaseConfig();
  const name = projectName(root, pyproject);
  const target = await targetOf(snapshot, options, options.to ?? config.to, options.checkUrl);
  const state = await readVersionPlaces(root, { snapshot });
  const { request, why, comment } = await versionRequest(state, snapshot, options);
  const version = assembleVersionPlan(state, request);
  const securityItems =
    options.securityNotes === undefined
      ? undefined
      : await (await import("./status-decide.ts")).readSecurityNotes(
          resolve(options.cwd, options.securityNotes),
          options.securityNotes,
        );
  const { plan: changelog, note: changelogNote } = await planReleaseChangelog(snapshot, {
    state,
    version: version.to,
    now: () => new Date(now(options)),
    ...(securityItems === undefined ? {} : { securityItems }),
  });
  if (securityItems !== undefined && securityItems.length > 0 && changelog?.status !== "inserted") {
    throw new SlipwayError(
      "usage",
      `--security-notes ${options.securityNotes}: this release writes no changelog entry to put them in`,
      {
        hint:
          changelogNote ??
          "slipway writes the entry when the project keeps a CHANGELOG.md (or changelog fragments) it owns; see docs/changelog.md",
      },
    );
  }
  const stageName = options.stage ?? config.stage;
  const upstream =
    (options.stageUpstream === undefined ? config.stageUpstream : options.stageUpstream) ?? null;
  let stage: ReleasePlan["stage"];
  if (stageName === "local") {
    stage = { kind: "local", upstream };
  } else {
    const staged = await loadPublishConfig({
      cwd: options.cwd,
      env: withoutTwine(options.env),
      project: root,
      snapshot,
      to: stageName,
    });
    stage = {
      kind: "index",
      upstream,
      name: stageName,
      uploadUrl: staged.target.uploadUrl,
      simpleUrl: staged.target.simpleUrl,
    };
  }
  const plan = assembleReleasePlan({
    name,
    version: {
      ...version,
      change: `${version.change}${why}`,
      notes: [
        ...version.notes,
        describeTagFormat(state.tagFormatDecision),
        ...(changelogNote === undefined ? [] : [changelogNote]),
      ],
    },
    ...(comment === undefined || comment.trim() === "" ? {} : { comment: comment.trim() }),
    changelog,
    config,
    stage,
    target: {
      ...(target.target.name === undefined ? {} : { name: target.target.name }),
      uploadUrl: target.target.uploadUrl,
      simpleUrl: target.target.simpleUrl,
    },
    branch: await releaseBranch(snapshot.git, config),
    push: options.push ?? config.push,
    tagName: version.tag?.name ?? formatTag(state.tagFormat, version.to),
    host: planHost(config.host ?? { kind: "auto" }, await remoteUrl(snapshot.git, config.remote)),
  });
  return { plan, config, credentials: target.credentials };
}

function now(options: ReleaseOptions): number {
  return options.now?.() ?? Date.now();
}

/**
 * The plan of an interrupted run, from its journal, with the credentials resolved again. Without
 * a journal here, the release is looked for on the remote (a run interrupted on another machine,
 * see release/restore.ts) and restored first.
 */
async function planResumed(snapshot: ProjectSnapshot, options: ReleaseOptions): Promise<Planned> {
  const root = snapshot.root;
  const journal = fileJournal(root);
  const config = await snapshot.releaseConfig();
  let stored = await journal.read();
  let complete: ReleasePlan | undefined;
  if (stored === null) {
    const restored = await restoreFromRemote({
      root,
      env: options.env,
      remote: config.remote,
      ...(options.version === undefined ? {} : { version: options.version }),
      onEvent: (event) => options.onEvent?.(event),
    });
    if (restored.kind === "complete") complete = restored.plan;
    else stored = await journal.read();
  }
  if (stored === null && complete === undefined) {
    throw new SlipwayError("usage", `nothing to resume: ${journal.path} does not exist`, {
      hint: "run without --resume to start a release",
    });
  }
  const plan = complete ?? readStoredPlan(stored!.plan, journal.path);
  if (options.version !== undefined && !sameVersion(options.version, plan.version)) {
    throw new SlipwayError(
      "usage",
      `${journal.path} records the release of ${plan.version}, not ${options.version}`,
      {
        hint: "run 'slipway release --resume' to continue it, or finish it before another",
      },
    );
  }
  const target = await targetOf(
    snapshot,
    options,
    plan.target.name ?? plan.target.uploadUrl,
    plan.target.simpleUrl,
  );
  return {
    plan,
    config,
    credentials: target.credentials,
    ...(complete === undefined ? {} : { complete: true }),
  };
}

/** Starts the stage on first use and stops it at the end of the run. */
function stageProvider(
  snapshot: ProjectSnapshot,
  plan: ReleasePlan,
  options: ReleaseOptions,
  dryRun: boolean,
): { get: () => Promise<StageIndex>; close: () => Promise<void> } {
  let running: Promise<{ index?: RunningIndex; stage: StageIndex; temp?: string }> | undefined;
  const start = async () => {
    // A dry run stages on a throwaway embedded index, whatever the configured stage: it must
    // leave no trace anywhere, and a named stage is a real index.
    if (plan.stage.kind === "index" && !dryRun) {
      const staged = await loadPublishConfig({
        cwd: options.cwd,
        env: withoutTwine(options.env),
        project: snapshot.root,
        snapshot,
        to: plan.stage.name ?? plan.stage.uploadUrl,
        checkUrl: plan.stage.simpleUrl,
      });
      return {
        stage: {
          uploadUrl: staged.target.uploadUrl,
          simpleUrl: staged.target.simpleUrl,
          username: staged.credentials.username,
          password: staged.credentials.password,
        },
      };
    }
    const temp = dryRun ? await makeTempDir("slipway-stage-") : undefined;
    const index = await startIndex({
      root: temp ?? join(snapshot.root, STAGE_DIR),
      ownProjects: [plan.name],
      ...(plan.stage.upstream === null ? {} : { upstream: plan.stage.upstream }),
      onEvent: (event) => {
        if (event.type === "warning") {
          const { type: _type, ...warning } = event;
          options.onEvent?.({ type: "stage-warning", ...warning });
        }
      },
    });
    options.onEvent?.({ type: "stage-started", url: index.url });
    return {
      index,
      ...(temp === undefined ? {} : { temp }),
      stage: {
        uploadUrl: index.uploadUrl,
        simpleUrl: index.simpleUrl,
        username: "__token__",
        password: new Secret(index.token),
      },
    };
  };
  return {
    get: async () => {
      running ??= start();
      return (await running).stage;
    },
    close: async () => {
      if (running === undefined) return;
      const r = await running.catch(() => undefined);
      await r?.index?.close();
      if (r?.temp !== undefined) await removeTree(r.temp);
    },
  };
}

/**
 * Runs the release (or its dry run). Resolves to a report for every outcome the pipeline knows
 * (blocked, done, planned, failed); throws a SlipwayError for usage and configuration mistakes,
 * a release already running (the lock), and an unfinished run when not resuming.
 */
export async function release(options: ReleaseOptions): Promise<ReleaseReport> {
  const root = resolve(options.cwd, options.project ?? ".");
  const dryRun = options.dryRun ?? false;
  if (dryRun && options.resume) {
    throw new SlipwayError("usage", "--dry-run and --resume cannot be combined", {
      hint: "resume for real, or dry-run a fresh release",
    });
  }
  // The project as read once for this run: every part of the plan comes from it.
  const snapshot = openProject(root, {
    env: options.env,
    ...(options.readBytes === undefined ? {} : { readBytes: options.readBytes }),
  });
  if (!(await snapshot.exists("pyproject.toml"))) {
    throw new SlipwayError("config", `no pyproject.toml in ${root}`, {
      hint: "run slipway release in the project root, or pass the project directory",
    });
  }
  // Run state a repository carries (a committed journal or lock) is refused before it is read.
  await checkStateDir(root, { env: options.env });
  const clock = () => now(options);
  if (dryRun) return await run(snapshot, options, clock);
  await ensureStateDir(root);
  return await withLock(
    root,
    { now: clock, onEvent: (e) => options.onEvent?.(e) },
    async () => await run(snapshot, options, clock),
  );
}

async function run(
  snapshot: ProjectSnapshot,
  options: ReleaseOptions,
  clock: () => number,
): Promise<ReleaseReport> {
  const root = snapshot.root;
  const dryRun = options.dryRun ?? false;
  const resume = options.resume ?? false;
  const journal = fileJournal(root);
  if (!resume && !dryRun) {
    // Fail before planning when an unfinished run is recorded: planning would bump past it.
    const previous = await journal.read();
    if (previous !== null && previous.status !== "done") {
      throw new SlipwayError(
        "usage",
        `an unfinished release (${previous.subject}) is recorded in ${journal.path}`,
        {
          hint: "continue it with 'slipway release --resume'",
        },
      );
    }
  }
  const planned = resume ? await planResumed(snapshot, options) : await planFresh(snapshot, options);
  const { plan, config, credentials } = planned;
  const distDir = join(root, DIST_DIR, plan.version);
  options.onEvent?.({ type: "plan", plan, resumed: resume });
  if (planned.complete) {
    const steps = releaseSteps(plan).map((s) => ({
      id: s.id,
      title: s.title,
      public: s.public,
      status: "skipped" as const,
    }));
    return { plan, dryRun, result: { status: "done", problems: [], steps }, distDir };
  }
  if (!dryRun && options.confirm !== undefined && !(await options.confirm(plan))) {
    return { plan, dryRun, result: undefined, distDir };
  }
  // A fresh run starts from an empty local stage: files left by an undone attempt may differ.
  if (!dryRun && !resume) await removeTree(join(root, STAGE_DIR));
  const stage = stageProvider(snapshot, plan, options, dryRun);
  try {
    const result = await runPipeline(releaseSteps(plan), {
      input: {
        root,
        env: options.env,
        plan,
        config,
        resume,
        python: options.python,
        pip: options.pip ?? {},
        targetCredentials: credentials,
        trusted: {
          ...(options.trustedPublishing === undefined
            ? {}
            : { trustedPublishing: options.trustedPublishing }),
          ...(options.oidcProvider === undefined ? {} : { oidcProvider: options.oidcProvider }),
          ...(options.maskToken === undefined ? {} : { maskToken: options.maskToken }),
          ...(options.attestations === undefined ? {} : { attestations: options.attestations }),
          ...(options.sigstore === undefined ? {} : { sigstore: options.sigstore }),
        },
        stage: stage.get,
        distDir,
        toolVersion: options.toolVersion,
        userAgent: `slipway/${options.toolVersion}`,
        emit: (event) => options.onEvent?.(event),
        journal,
      },
      journal,
      subject: releaseSubject(plan),
      plan,
      dryRun,
      resume,
      now: clock,
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    });
    if (result.status === "done") await removeTree(join(root, STAGE_DIR));
    return { plan, dryRun, result, distDir };
  } finally {
    await stage.close();
  }
}
