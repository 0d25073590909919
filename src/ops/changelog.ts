/**
 * `changelog`: the commits since the last release tag and the hand-written fragments become the
 * next Keep a Changelog entry, inserted into CHANGELOG.md, with release notes for the host
 * release. Reads (`readChangelogInputs`), plans (pure, core/changelog/plan.ts) and writes
 * (`applyChangelogPlan`: the changelog and the used fragments' deletion, all or nothing).
 */
import { join, resolve } from "node:path";
import {
  applyFileChanges,
  type FileChange,
  type Recovery,
  recoverFileChanges,
  type TransactionHooks,
} from "../adapters/file-transaction.ts";
import { readTextIfExists } from "../adapters/fs.ts";
import { type ProjectSnapshot, snapshotOf } from "../adapters/snapshot.ts";
import { checkStateDir } from "../adapters/state-dir.ts";
import { parseCommits } from "../core/changelog/commits.ts";
import { type FragmentFile, parseFragments } from "../core/changelog/fragments.ts";
import { assembleBump, type BumpDecision } from "../core/changelog/next-version.ts";
import {
  assessChangelogOwner,
  type ChangelogOwner,
  describeForeignChangelog,
} from "../core/changelog/owner.ts";
import { assembleChangelogPlan, type ChangelogInputs, type ChangelogPlan } from "../core/changelog/plan.ts";
import { assessHistoryRange } from "../core/changelog/range.ts";
import type { TomlTable } from "../core/pyproject/access.ts";
import { parsePyproject } from "../core/pyproject/toml.ts";
import type { ReleaseTag } from "../core/version/tags.ts";
import { SlipwayError } from "../errors.ts";
import { readVersionPlaces, snapshotOfState, type VersionState } from "./version.ts";

export type { ChangelogInputs, ChangelogPlan } from "../core/changelog/plan.ts";
export { assembleChangelogPlan } from "../core/changelog/plan.ts";

type Env = Readonly<Record<string, string | undefined>>;

async function readJournal(path: string): Promise<string | undefined> {
  return await readTextIfExists(path).catch((error: Error) => {
    throw new SlipwayError("io", `cannot read ${path}: ${error.message}`, {
      hint: "check the file's permissions",
      cause: error,
    });
  });
}

/** Where an interrupted changelog write leaves its journal, relative to the project. */
export const CHANGELOG_JOURNAL = ".slipway/changelog-edit.json";

async function readFragments(snapshot: ProjectSnapshot, dir: string): Promise<FragmentFile[]> {
  const files: FragmentFile[] = [];
  for (const name of (await snapshot.fileNames(dir)) ?? []) {
    files.push({ name, text: (await snapshot.utf8(join(dir, name))) ?? "" });
  }
  return files;
}

export interface ReadInputsOptions {
  env?: Env;
  /** The version state when the caller has read it already (the project is read once). */
  state?: VersionState;
  /** The command's snapshot of the project (read once); default: a new one. */
  snapshot?: ProjectSnapshot;
}

/** The caller's snapshot, else the one its version state was read from, else a new one. */
function snapshotFor(project: string, options: ReadInputsOptions): ProjectSnapshot {
  const ofState = options.state === undefined ? undefined : snapshotOfState(options.state, project);
  return snapshotOf(project, { snapshot: options.snapshot ?? ofState, env: options.env });
}

/**
 * Everything the changelog plan needs: config, last release tag, the commits since it (all
 * commits without one), the fragments folder and CHANGELOG.md. The files' version is used
 * only when the version places agree; drift is `slipway version`'s to report.
 */
export async function readChangelogInputs(
  project: string,
  options: ReadInputsOptions = {},
): Promise<ChangelogInputs> {
  const snapshot = snapshotFor(project, options);
  const root = snapshot.root;
  if ((await readJournal(join(root, CHANGELOG_JOURNAL))) !== undefined) {
    await checkStateDir(root, options.env === undefined ? {} : { env: options.env });
    throw new SlipwayError("io", `an interrupted changelog write left ${CHANGELOG_JOURNAL}`, {
      hint: "run 'slipway changelog' without --dry-run: it rolls the interrupted write back first",
    });
  }
  const { config } = await snapshot.projectConfig();
  const state = options.state ?? (await readVersionPlaces(root, { snapshot }));
  const lastTag = state.lastTag;
  const commits = await snapshot.commitsSince(lastTag?.name);
  const cut = assessHistoryRange({ shallow: state.history.shallow, lastTag, commits });
  if (cut !== undefined) throw cut;
  return {
    config: config.changelog,
    tagFormat: state.tagFormat,
    lastTag,
    current: state.mode.kind === "static" ? state.current : undefined,
    commits,
    fragments: await readFragments(snapshot, config.changelog.fragments),
    changelog: await snapshot.utf8(config.changelog.path),
  };
}

/**
 * The bump the commits and fragments since the last release call for (for `slipway version`'s
 * suggestions), with the tag it counts from.
 */
export async function readSuggestedBump(
  project: string,
  options: ReadInputsOptions = {},
): Promise<{ decision: BumpDecision; since: ReleaseTag | undefined; commits: number }> {
  const inputs = await readChangelogInputs(project, options);
  // Non-conventional commits never bump, listed or not.
  const history = parseCommits(inputs.commits, { nonConventional: "hide", squash: inputs.config.squash });
  const changes = [...parseFragments(inputs.fragments).changes, ...history.changes];
  const decision = assembleBump(changes, {
    current: inputs.lastTag?.version ?? inputs.current,
    rules: inputs.config.rules,
  });
  return { decision, since: inputs.lastTag, commits: inputs.commits.length };
}

/** Today as YYYY-MM-DD in the local time zone: the date people write under a release. */
export function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Whose changelog the project's is (core/changelog/owner.ts): slipway's, towncrier's, or
 * another file's (CHANGES.md, HISTORY.md…). `pyproject` is the project's, already read.
 */
export async function readChangelogOwner(
  snapshot: ProjectSnapshot,
  options: { pyproject: TomlTable; path: string },
): Promise<ChangelogOwner> {
  const files = (await snapshot.fileNames(".").catch(() => undefined)) ?? [];
  const towncrier = await snapshot.utf8("towncrier.toml");
  const parsed = towncrier === undefined ? undefined : parsePyproject(towncrier);
  return assessChangelogOwner({
    pyproject: options.pyproject,
    path: options.path,
    files,
    ...(parsed?.ok === true ? { towncrierToml: parsed.value } : {}),
  });
}

export interface PlanChangelogOptions extends ReadInputsOptions {
  /** The entry's version; default: from the files or the changes (see assembleEntryVersion). */
  version?: string;
  /** The release date, YYYY-MM-DD; default today from `now`. */
  date?: string;
  now?: () => Date;
  /** Keep the used fragment files instead of deleting them with the write. */
  keepFragments?: boolean;
  /** Bullets for the entry's Security section (`release --security-notes`). */
  securityItems?: readonly string[];
}

/**
 * Reads the inputs and plans the entry; writes nothing (this is `--dry-run`). A changelog that
 * towncrier builds or that another file holds (CHANGES.md…) gets no entry: a usage error says
 * why (an entry already there is still read, for its release notes).
 */
export async function planChangelog(
  project: string,
  options: PlanChangelogOptions = {},
): Promise<ChangelogPlan & { root: string }> {
  const snapshot = snapshotFor(project, options);
  const { pyproject, config } = await snapshot.projectConfig();
  const path = config.changelog.path;
  const owner = await readChangelogOwner(snapshot, { pyproject, path });
  if (owner.kind === "slipway") return await planEntry(snapshot, options);
  const plan = options.version === undefined ? undefined : await planEntry(snapshot, options);
  if (plan?.status === "exists") return plan;
  const { why, todo } = describeForeignChangelog(owner, { path, version: options.version ?? "X" });
  throw new SlipwayError("usage", `no entry written: ${why}`, { hint: todo });
}

/**
 * The release's changelog: slipway's when the project keeps one (the file, or the fragments
 * folder), else nothing. A changelog towncrier builds or another file holds is not written: its
 * entry for `version`, when already there, gives the release notes; else `note` says why.
 */
export async function planReleaseChangelog(
  snapshot: ProjectSnapshot,
  options: PlanChangelogOptions & { version: string },
): Promise<{ plan: (ChangelogPlan & { root: string }) | undefined; note: string | undefined }> {
  const { pyproject, config: project } = await snapshot.projectConfig();
  const config = project.changelog;
  const owner = await readChangelogOwner(snapshot, { pyproject, path: config.path });
  if (owner.kind === "slipway") {
    const kept = (await snapshot.exists(config.path)) || (await snapshot.exists(config.fragments));
    return { plan: kept ? await planEntry(snapshot, options) : undefined, note: undefined };
  }
  const plan = await planEntry(snapshot, options);
  if (plan.status === "exists") return { plan, note: undefined };
  const { why, todo } = describeForeignChangelog(owner, { path: config.path, version: options.version });
  return { plan: undefined, note: `changelog not written: ${why}; ${todo}` };
}

async function planEntry(
  snapshot: ProjectSnapshot,
  options: PlanChangelogOptions,
): Promise<ChangelogPlan & { root: string }> {
  const inputs = await readChangelogInputs(snapshot.root, {
    snapshot,
    ...(options.state === undefined ? {} : { state: options.state }),
  });
  const date = options.date ?? localDate(options.now?.() ?? new Date());
  const plan = assembleChangelogPlan(inputs, {
    version: options.version,
    date,
    ...(options.keepFragments === undefined ? {} : { keepFragments: options.keepFragments }),
    ...(options.securityItems === undefined ? {} : { securityItems: options.securityItems }),
  });
  return { ...plan, root: snapshot.root };
}

/**
 * Writes the entry and deletes the used fragments, all or nothing (the changelog must still be
 * exactly as planned). Does nothing for a plan whose status is `exists`.
 */
export async function applyChangelogPlan(
  plan: ChangelogPlan & { root: string },
  options: { now?: () => Date; hooks?: TransactionHooks } = {},
): Promise<{ written: string[]; deleted: string[] }> {
  if (plan.edit === undefined) return { written: [], deleted: [] };
  const changes: FileChange[] = [
    { path: plan.path, before: plan.edit.before ?? null, after: plan.edit.after },
    ...plan.deletions.map((f) => ({ path: f.path, before: f.text, after: null })),
  ];
  await applyFileChanges(changes, {
    root: plan.root,
    journal: CHANGELOG_JOURNAL,
    label: `changelog entry ${plan.version}`,
    recoverHint: "run 'slipway changelog' (without --dry-run): it rolls the interrupted write back first",
    startedAt: (options.now?.() ?? new Date()).toISOString(),
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  });
  return { written: [plan.path], deleted: plan.deletions.map((f) => f.path) };
}

/** Rolls back a changelog write interrupted by a crash; undefined when there was none. */
export async function recoverChangelogEdit(project: string): Promise<Recovery | undefined> {
  return await recoverFileChanges({ root: resolve(project), journal: CHANGELOG_JOURNAL });
}
