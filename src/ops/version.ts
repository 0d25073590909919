/**
 * `version`: where the project's version lives (`readVersionPlaces`), what a bump or an explicit
 * version changes (`assembleVersionPlan`, pure), and the all-or-nothing write of that plan or the
 * tag that makes it (`applyVersionPlan`). Never prints.
 */
import { resolve } from "node:path";
import {
  applyFileChanges,
  type FileChange,
  type Recovery,
  recoverFileChanges,
  type TransactionHooks,
} from "../adapters/file-transaction.ts";
import { createTag, gitAt, resolveObject } from "../adapters/git.ts";
import { type ProjectSnapshot, snapshotOf } from "../adapters/snapshot.ts";
import { checkStateDir } from "../adapters/state-dir.ts";
import { describeLocation, findVersion } from "../core/edits/version-edit.ts";
import { normalizeVersion } from "../core/pep440/version.ts";
import { getString, getTable, type TomlTable } from "../core/pyproject/access.ts";
import {
  assessVersion,
  type VersionPlace,
  type VersionPlan,
  type VersionState,
} from "../core/version/plan.ts";
import { assembleVersionSources, type VersionCandidate } from "../core/version/sources.ts";
import {
  configuredTagFormat,
  inferTagFormat,
  type TagFormatDecision,
  tagFormatMismatch,
} from "../core/version/tag-format.ts";
import { pickLastRelease } from "../core/version/tags.ts";
import { SlipwayError } from "../errors.ts";

export type {
  FileEdit,
  VersionPlace,
  VersionPlan,
  VersionRequest,
  VersionState,
} from "../core/version/plan.ts";
export {
  assembleNextVersion,
  assembleVersionPlan,
  blockedError,
  describePlace,
} from "../core/version/plan.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Where an interrupted version edit leaves its journal, relative to the project. */
export const VERSION_JOURNAL = ".slipway/version-edit.json";

export interface ReadVersionOptions {
  /** Environment for git; default: this process's. */
  env?: Env;
  /** The command's snapshot of the project (read once); default: a new one. */
  snapshot?: ProjectSnapshot;
}

/**
 * The snapshot each state was read from: what a command reads next of that project (the menu's
 * suggestion, the changelog's inputs) comes from it instead of a second read. Keyed by the state
 * object, so it lives exactly as long as the state.
 */
const readFrom = new WeakMap<VersionState, ProjectSnapshot>();

/** The snapshot `state` was read from (see readVersionPlaces), when it is of `root`. */
export function snapshotOfState(state: VersionState, root: string = state.root): ProjectSnapshot | undefined {
  const snapshot = readFrom.get(state);
  return snapshot?.root === resolve(root) ? snapshot : undefined;
}

interface Resolved {
  places: VersionPlace[];
  texts: Record<string, string>;
  errors: string[];
  notes: string[];
}

async function resolveCandidate(
  snapshot: ProjectSnapshot,
  candidate: VersionCandidate,
  out: Resolved,
): Promise<void> {
  let path: string | undefined;
  let text: string | undefined;
  for (const p of candidate.paths) {
    text = await snapshot.text(p);
    if (text !== undefined) {
      path = p;
      break;
    }
  }
  if (path === undefined || text === undefined) {
    if (candidate.required)
      out.errors.push(`${candidate.origin}: ${candidate.paths.join(" or ")} does not exist`);
    return;
  }
  for (const location of candidate.locations) {
    const where = describeLocation(location);
    const found = findVersion(location, text);
    if (!found.ok) {
      if (candidate.required) out.errors.push(`${path} (${candidate.origin}): ${found.error}`);
      else out.notes.push(`skipped ${path}: ${found.error}`);
      return;
    }
    if (found.value.length === 0) continue;
    if (found.value.length > 1) {
      const lines = found.value.map((s) => s.line).join(", ");
      out.errors.push(`${path}: found ${found.value.length} ${where} (lines ${lines}); expected exactly 1`);
      return;
    }
    if (out.places.some((p) => p.path === path && p.where === where)) return;
    const spot = found.value[0]!;
    out.texts[path] = text;
    out.places.push({
      path,
      kind: "file",
      location,
      where,
      origin: candidate.origin,
      value: spot.value,
      normalized: normalizeVersion(spot.value),
      line: spot.line,
    });
    return;
  }
  if (candidate.required) {
    out.errors.push(
      `${path} (${candidate.origin}): found 0 ${describeLocation(candidate.locations[0]!)}; expected exactly 1`,
    );
  }
}

/**
 * Every place the project's version lives, read: the pyproject key (or the file a dynamic
 * version is read from), conventional `__version__` modules, setup.cfg, the files configured in
 * `[tool.slipway.version] files`, and the last release tag reachable from HEAD. The state says
 * the current version, or why there is none (drift, a missing place). Throws an io error when an
 * interrupted edit left its journal (recover it first) and config errors for an unreadable
 * pyproject.toml or `[tool.slipway]`.
 */
export async function readVersionPlaces(
  project: string,
  options: ReadVersionOptions = {},
): Promise<VersionState> {
  const snapshot = snapshotOf(project, options);
  const root = snapshot.root;
  if ((await snapshot.text(VERSION_JOURNAL)) !== undefined) {
    // A journal the repository carries is no interrupted edit of ours: say that, not "recover".
    await checkStateDir(root, options.env === undefined ? {} : { env: options.env });
    throw new SlipwayError(
      "io",
      `an interrupted version edit left ${VERSION_JOURNAL}; its files may be half-written`,
      {
        hint: "run 'slipway version recover' to roll it back",
      },
    );
  }
  const { pyproject, config } = await snapshot.projectConfig();
  const setupCfg = await snapshot.text("setup.cfg");
  const sources = assembleVersionSources({ pyproject, setupCfg, config });
  const resolved: Resolved = { places: [], texts: {}, errors: [...sources.problems], notes: [] };
  for (const candidate of sources.candidates) await resolveCandidate(snapshot, candidate, resolved);
  const tags = await snapshot.releaseTags();
  const tagFormat = decideTagFormat(pyproject, config.tagFormat, tags);
  const lastTag = pickLastRelease(tagFormat.format, tags.merged);
  if (lastTag !== undefined) {
    resolved.places.push({
      path: lastTag.name,
      kind: "tag",
      where: "git tag",
      origin: "last release tag",
      value: lastTag.name,
      normalized: lastTag.version,
    });
  }
  const mismatch = tagFormatMismatch(tagFormat);
  if (mismatch !== undefined) resolved.notes.push(mismatch);
  const history = { shallow: tags.shallow };
  const assessed = assessVersion(sources.mode, resolved.places, lastTag, { history, tagFormat });
  const state: VersionState = {
    root,
    mode: sources.mode,
    tagFormat: tagFormat.format,
    tagFormatDecision: tagFormat,
    history,
    places: resolved.places,
    lastTag,
    texts: resolved.texts,
    current: assessed.current,
    errors: [...resolved.errors, ...assessed.errors],
    notes: [...resolved.notes, ...assessed.notes],
  };
  readFrom.set(state, snapshot);
  return state;
}

/**
 * The configured tag format, or the one the tags show. Tags may name the project (`[project]
 * name` or `[tool.poetry] name`) or, for a project below the repository's top, its directory.
 */
function decideTagFormat(
  pyproject: TomlTable,
  configured: string | undefined,
  tags: { all: string[]; prefix: string },
): TagFormatDecision {
  const names = [
    getString(getTable(pyproject, "project"), "name"),
    getString(getTable(getTable(pyproject, "tool"), "poetry"), "name"),
    tags.prefix === ""
      ? undefined
      : tags.prefix
          .split("/")
          .filter((p) => p !== "")
          .pop(),
  ].flatMap((n) => (n === undefined || n === "" ? [] : [n]));
  if (configured !== undefined) return configuredTagFormat(configured, { tags: tags.all, names });
  return inferTagFormat({ tags: tags.all, names, nested: tags.prefix !== "" });
}

export interface ApplyVersionOptions {
  env?: Env;
  /** The clock, for the journal's start time; default the system clock. */
  now?: () => Date;
  /** Test seams of the file transaction (a failing rename, a pause between renames). */
  hooks?: TransactionHooks;
}

export interface AppliedVersion {
  version: string;
  /** Files written, relative to the project. */
  written: string[];
  tag?: string;
}

/**
 * Writes the plan: all files or none (see src/adapters/file-transaction.ts: each file must
 * still hold the plan's `before` text, new texts are staged beside their targets and renamed,
 * and any failure restores every file), or in vcs mode creates the annotated tag on HEAD.
 */
export async function applyVersionPlan(
  plan: VersionPlan,
  options: ApplyVersionOptions = {},
): Promise<AppliedVersion> {
  if (plan.tag !== undefined) {
    const git = gitAt(plan.root, options.env);
    if ((await resolveObject(git, `refs/tags/${plan.tag.name}`)) !== undefined) {
      throw new SlipwayError("usage", `the tag ${plan.tag.name} exists already`, {
        hint: "pick another version, or delete the tag if it was made by mistake",
      });
    }
    await createTag(git, plan.tag.name, plan.tag.message, "HEAD");
  }
  const changes: FileChange[] = plan.edits.map((e) => ({ path: e.path, before: e.before, after: e.after }));
  if (changes.length > 0) {
    await applyFileChanges(changes, {
      root: plan.root,
      journal: VERSION_JOURNAL,
      label: `version ${plan.from ?? "(none)"} → ${plan.to}`,
      recoverHint: "run 'slipway version recover' to roll it back",
      startedAt: (options.now?.() ?? new Date()).toISOString(),
      ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
    });
  }
  return {
    version: plan.to,
    written: changes.map((c) => c.path),
    ...(plan.tag === undefined ? {} : { tag: plan.tag.name }),
  };
}

/**
 * Rolls back a version edit interrupted by a crash (every file back to its text before it);
 * undefined when there was none. See `recoverFileChanges` for when it refuses.
 */
export async function recoverVersionEdit(project: string): Promise<Recovery | undefined> {
  return await recoverFileChanges({ root: resolve(project), journal: VERSION_JOURNAL });
}
