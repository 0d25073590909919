/**
 * The ReleasePlan: everything `slipway release` will do, as plain JSON, decided before anything
 * runs — the version change, every file edit (before/after text and diff), the changelog entry,
 * the commit and tag, the stage and the target. The journal stores it, so a resumed run carries
 * out the plan it started with instead of planning again from files it already changed.
 */
import { SlipwayError } from "../../errors.ts";
import type { ChangelogPlan } from "../changelog/plan.ts";
import { type PlannedHost, plannedHostShape } from "../host/remote.ts";
import { isValidName } from "../names/name.ts";
import { parseVersion } from "../pep440/version.ts";
import {
  boolean,
  checked,
  checkStored,
  httpUrl,
  list,
  literal,
  matching,
  nullable,
  optional,
  record,
  refName,
  relativePath,
  string,
} from "../stored-shape.ts";
import type { VersionPlan } from "../version/plan.ts";
import type { ReleaseConfig } from "./config.ts";

/** A file the release writes: `before` null creates it, `after` null deletes it. */
export interface PlannedEdit {
  path: string;
  before: string | null;
  after: string | null;
  diff: string;
  /** What the edit is for: `version`, `changelog`, `fragment`. */
  purpose: string;
}

export interface PlannedIndex {
  /** The configured name (`pypi`, a `.pypirc` section), when there is one. */
  name?: string;
  uploadUrl: string;
  simpleUrl: string;
}

export interface ReleasePlan {
  schema: 1;
  /** The project name as pyproject.toml spells it. */
  name: string;
  from: string | null;
  version: string;
  /** `bump patch`, `set 2.0.0`, `bump minor (from commits)`. */
  change: string;
  /** `vcs`: the version comes from the tag; no file holds it. */
  mode: "static" | "vcs";
  edits: PlannedEdit[];
  changelog: { path: string; status: "inserted" | "exists"; entry: string; releaseNotes: string } | null;
  commit: { message: string; paths: string[] } | null;
  tag: { name: string; message: string };
  /**
   * Where the artifacts are staged. `upstream` is where an embedded stage takes dependencies
   * from: the local stage's, and a dry run's throwaway stage when the configured one is an index.
   */
  stage:
    | { kind: "local"; upstream: string | null }
    | ({ kind: "index"; upstream: string | null } & PlannedIndex);
  target: PlannedIndex;
  git: { remote: string; branch: string; push: boolean };
  notes: string[];
  /** The code host whose release the `host-release` step makes after the push (absent: none). */
  host?: PlannedHost;
}

export interface ReleasePlanInput {
  name: string;
  version: VersionPlan;
  /** Undefined when the project keeps no changelog. */
  changelog: ChangelogPlan | undefined;
  config: ReleaseConfig;
  stage: ReleasePlan["stage"];
  target: PlannedIndex;
  branch: string;
  push: boolean;
  /** Tag name for the new version (the project's tag format applied). */
  tagName: string;
  /** The releaser's words (asked on a terminal): a paragraph of the commit and tag messages. */
  comment?: string;
  host?: PlannedHost | undefined;
}

/**
 * The remote refs that carry an interrupted release to another machine (see
 * src/ops/release-remote.ts): its state (journal and artifacts) and its annotated tag object.
 */
export function releaseStateRefs(tag: string): { state: string; tag: string } {
  return { state: `refs/slipway/release/${tag}`, tag: `refs/slipway/release-tag/${tag}` };
}

/** `name version → target`: what the journal is about; a resume must name the same. */
export function releaseSubject(plan: Pick<ReleasePlan, "name" | "version" | "target">): string {
  return `${plan.name} ${plan.version} → ${plan.target.name ?? plan.target.uploadUrl}`;
}

/**
 * Assembles the plan. Throws a SlipwayError when two parts of it want to write the same file
 * (a changelog that is also a version marker file): slipway will not guess an order.
 */
export function assembleReleasePlan(input: ReleasePlanInput): ReleasePlan {
  const { version, changelog } = input;
  const edits: PlannedEdit[] = version.edits.map((e) => ({
    path: e.path,
    before: e.before,
    after: e.after,
    diff: e.diff,
    purpose: "version",
  }));
  if (changelog?.edit !== undefined) {
    edits.push({
      path: changelog.path,
      before: changelog.edit.before ?? null,
      after: changelog.edit.after,
      diff: changelog.edit.diff,
      purpose: "changelog",
    });
  }
  for (const fragment of changelog?.deletions ?? []) {
    edits.push({ path: fragment.path, before: fragment.text, after: null, diff: "", purpose: "fragment" });
  }
  const seen = new Set<string>();
  for (const edit of edits) {
    if (seen.has(edit.path)) {
      throw new SlipwayError("config", `the release would edit ${edit.path} twice (version and changelog)`, {
        hint: "keep the version out of the changelog file, or drop it from [tool.slipway.version] files",
      });
    }
    seen.add(edit.path);
  }
  const notes = [...version.notes];
  const releaseNotes = changelog?.releaseNotes.trim() ?? "";
  // As `git commit -m` keeps it (cleanup=whitespace), so a resume finds the message it recorded.
  const words = (input.comment ?? "")
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  const comment = words === "" ? "" : `\n\n${words}`;
  const tagMessage = `${input.name} ${version.to}${comment}${releaseNotes === "" ? "" : `\n\n${releaseNotes}`}\n`;
  return {
    schema: 1,
    name: input.name,
    from: version.from ?? null,
    version: version.to,
    change: version.change,
    mode: version.mode === "vcs" ? "vcs" : "static",
    edits,
    changelog:
      changelog === undefined
        ? null
        : {
            path: changelog.path,
            status: changelog.status,
            entry: changelog.entryText,
            releaseNotes: changelog.releaseNotes,
          },
    commit:
      edits.length === 0
        ? null
        : {
            message: `${input.config.commitMessage.replaceAll("{version}", version.to)}${comment}`,
            paths: edits.map((e) => e.path),
          },
    tag: { name: input.tagName, message: tagMessage },
    stage: input.stage,
    target: input.target,
    git: { remote: input.config.remote, branch: input.branch, push: input.push },
    notes,
    ...(input.host === undefined ? {} : { host: input.host }),
  };
}

const index = {
  name: optional(string),
  uploadUrl: httpUrl,
  simpleUrl: httpUrl,
};
const localStage = record({ kind: literal("local"), upstream: nullable(httpUrl) });
const indexStage = record({ kind: literal("index"), upstream: nullable(httpUrl), ...index });

/**
 * A ReleasePlan as `assembleReleasePlan` makes it, every field checked: paths relative and inside
 * the project, the version PEP 440 (it names a directory), tag and branch valid ref names and the
 * remote a remote's name (both go to git as arguments), indexes http(s).
 */
const planShape = record({
  schema: literal(1),
  name: checked(isValidName, "a project name"),
  from: nullable(string),
  version: checked((v) => parseVersion(v) !== undefined && !/[/\\]/.test(v), "a PEP 440 version"),
  change: string,
  mode: literal("static", "vcs"),
  edits: list(
    record({
      path: relativePath,
      before: nullable(string),
      after: nullable(string),
      diff: string,
      purpose: string,
    }),
  ),
  changelog: nullable(
    record({
      path: relativePath,
      status: literal("inserted", "exists"),
      entry: string,
      releaseNotes: string,
    }),
  ),
  commit: nullable(record({ message: string, paths: list(relativePath) })),
  tag: record({ name: refName, message: string }),
  stage: (value: unknown, at: string) =>
    (value as { kind?: unknown } | null)?.kind === "index" ? indexStage(value, at) : localStage(value, at),
  target: record(index),
  git: record({
    remote: matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "a git remote's name"),
    branch: refName,
    push: boolean,
  }),
  notes: list(string),
  host: optional(plannedHostShape),
});

/**
 * The plan back from a journal — hostile input, since a repository can commit one — with every
 * field checked (see `planShape`); a SlipwayError naming `where` and the field otherwise.
 */
export function readStoredPlan(value: unknown, where: string): ReleasePlan {
  return checkStored(
    value,
    planShape,
    `${where} (plan)`,
    "resume with the slipway version that started the run; if you did not start it, delete the file",
  );
}
