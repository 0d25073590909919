/**
 * From the places a version lives to a plan: which version the project is at (and whether the
 * places agree), and for a bump or an explicit version, the exact new text of every file or the
 * tag to create. Pure: the file texts come in with the places; nothing is read or written here.
 */
import { SlipwayError } from "../../errors.ts";
import { renderUnifiedDiff } from "../edits/diff.ts";
import { describeLocation, updateVersion, type VersionLocation } from "../edits/version-edit.ts";
import { type BumpKind, bumpVersion, describeKind, setVersion } from "../pep440/bump.ts";
import { compareVersions, normalizeVersion, parseVersion } from "../pep440/version.ts";
import type { VersionMode } from "./sources.ts";
import { describeTagFormat, type TagFormatDecision } from "./tag-format.ts";
import { formatTag, type ReleaseTag } from "./tags.ts";

export interface VersionPlace {
  /** Relative POSIX path of the file; for the tag place, the tag name. */
  path: string;
  kind: "file" | "tag";
  /** How the version is found in the file (file places only). */
  location?: VersionLocation;
  /** The spot as users name it: `project.version`, `__version__ assignment`, `git tag`. */
  where: string;
  /** Why slipway looked there: `[project] version`, `package module`, `last release tag`. */
  origin: string;
  /** As written in the file or tag. */
  value: string;
  /** PEP 440 normalized; undefined when `value` is not a valid version. */
  normalized: string | undefined;
  /** 1-based line of the value (file places). */
  line?: number;
}

export interface VersionState {
  /** The project directory (absolute). */
  root: string;
  mode: VersionMode;
  /** The tag format in use: configured, or inferred from the tags (see tagFormatDecision). */
  tagFormat: string;
  tagFormatDecision: TagFormatDecision;
  /** Where a shallow clone's history is cut (empty in a full clone): the tags before it are unseen. */
  history: VersionHistory;
  /** File places in discovery order, then the last release tag when there is one. */
  places: VersionPlace[];
  lastTag: ReleaseTag | undefined;
  /** The text of every file that holds a place, as read (the `before` of a plan). */
  texts: Readonly<Record<string, string>>;
  /** The one normalized version of the project; undefined when unknown or in dispute. */
  current: string | undefined;
  /** Drift and sources slipway cannot follow; a plan refuses to start while any remain. */
  errors: string[];
  /** Things worth saying that do not block (an unreleased version, a skipped module). */
  notes: string[];
}

export interface VersionHistory {
  /** Commits where a shallow clone's history is cut; empty in a full clone. */
  shallow: readonly string[];
}

export type VersionRequest = { bump: BumpKind } | { set: string };

export interface FileEdit {
  path: string;
  before: string;
  after: string;
  /** Unified diff of the edit. */
  diff: string;
  /** The spots changed in this file (`project.version`, ...). */
  places: string[];
}

export interface VersionPlan {
  root: string;
  mode: VersionMode["kind"];
  from: string | undefined;
  to: string;
  /** The request as the CLI spells it: `bump patch`, `set 2.0.0`. */
  change: string;
  edits: FileEdit[];
  /** In vcs mode: the annotated tag that makes the version. */
  tag?: { name: string; message: string };
  notes: string[];
}

export function describePlace(place: VersionPlace): string {
  return place.kind === "tag" ? `git tag ${place.path}` : `${place.path} ${place.where}`;
}

/**
 * The project's version from its places. Files must agree (normalized: `1.0` and `1.0.0` are
 * one version); a disagreement is an error naming every place and value. The last tag may lag
 * the files (a bump not released yet, a note) but never lead them (an error: the files went
 * back behind a release). In vcs mode the tag is the version and files only follow it.
 */
export function assessVersion(
  mode: VersionMode,
  places: readonly VersionPlace[],
  lastTag: ReleaseTag | undefined,
  context: { history: VersionHistory; tagFormat: TagFormatDecision },
): { current: string | undefined; errors: string[]; notes: string[] } {
  const errors: string[] = [];
  const notes: string[] = [];
  const files = places.filter((p) => p.kind === "file");
  for (const place of files) {
    if (place.normalized === undefined) {
      errors.push(`${describePlace(place)} holds "${place.value}", which is not a PEP 440 version`);
    }
  }
  const values = new Set(files.flatMap((p) => (p.normalized === undefined ? [] : [p.normalized])));
  const listing = (list: readonly VersionPlace[]) =>
    list.map((p) => `${describePlace(p)} = ${p.value}`).join("; ");
  if (mode.kind === "vcs") {
    const current = lastTag?.version;
    const off = files.filter((p) => p.normalized !== undefined && p.normalized !== current);
    if (current === undefined && context.history.shallow.length > 0) {
      errors.push(
        `this is a shallow clone and no release tag is reachable from HEAD: ${mode.backend} derives the version from the last tag, so it is unknown here; fetch the history and tags first (git fetch --unshallow --tags; on GitHub Actions, actions/checkout with fetch-depth: 0)`,
      );
    } else if (current === undefined) {
      notes.push(
        `no release tag yet: ${mode.backend} derives the version from tags, so the first release is a tag; ${describeTagFormat(context.tagFormat)}`,
      );
    }
    if (off.length > 0)
      notes.push(`these files do not match the last tag ${lastTag?.name ?? "(none)"}: ${listing(off)}`);
    return { current, errors, notes };
  }
  if (values.size > 1) {
    errors.push(`the version differs between places: ${listing(files)}`);
    return { current: undefined, errors, notes };
  }
  const current = errors.length === 0 ? [...values][0] : undefined;
  if (lastTag === undefined && context.history.shallow.length > 0) {
    notes.push(
      "this is a shallow clone and no release tag is reachable from HEAD: the last release is not known here (git fetch --unshallow --tags)",
    );
  }
  if (current !== undefined && lastTag !== undefined) {
    const order = compareVersions(parseVersion(current)!, parseVersion(lastTag.version)!);
    if (order < 0) {
      errors.push(
        `the files say ${current} but the last release tag ${lastTag.name} is newer: ${listing(files)}`,
      );
    } else if (order > 0) {
      notes.push(`${current} is not released yet: the last release tag is ${lastTag.name}`);
    }
  }
  return { current: errors.length === 0 ? current : undefined, errors, notes };
}

/** The error for a state whose places disagree (or cannot be read): no plan starts from it. */
export function blockedError(state: VersionState): SlipwayError {
  const [first, ...rest] = state.errors;
  const more = rest.length === 0 ? "" : ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"})`;
  return new SlipwayError("config", `${first}${more}`, {
    hint: "run 'slipway version show' to list every place and problem, fix them, then run again",
  });
}

/** The new version for `request`, normalized and strictly greater than `from` when there is one. */
export function assembleNextVersion(from: string | undefined, request: VersionRequest): string {
  if ("set" in request) {
    if (from === undefined) {
      const normalized = normalizeVersion(request.set);
      if (normalized === undefined || normalized.includes("+")) {
        throw new SlipwayError("usage", `"${request.set}" is not a public PEP 440 version`, {
          hint: "write a version like 1.2.0, 1.2.0rc1 or 1.2.0.post1",
        });
      }
      return normalized;
    }
    const next = setVersion(from, request.set);
    if (!next.ok)
      throw new SlipwayError("usage", next.error, { hint: "give a version greater than the current one" });
    return next.value;
  }
  if (from === undefined) {
    throw new SlipwayError(
      "usage",
      `cannot ${describeKind(request.bump)}-bump: the project has no version yet`,
      {
        hint: "set the first version explicitly: slipway version set 0.1.0",
      },
    );
  }
  const next = bumpVersion(from, request.bump);
  if (!next.ok)
    throw new SlipwayError("usage", next.error, { hint: "pick another bump, or set the version explicitly" });
  return next.value;
}

/**
 * The plan for `request`: every file place rewritten to the new version (several places in one
 * file are applied to its text in turn, each found exactly once and read back by
 * `updateVersion`), or in vcs mode the tag to create. Throws a config error while the state
 * has errors (drift), a usage error when the version cannot move that way.
 */
export function assembleVersionPlan(
  state: VersionState,
  request: VersionRequest,
  options: { comment?: string } = {},
): VersionPlan {
  if (state.errors.length > 0) throw blockedError(state);
  const from = state.current;
  const to = assembleNextVersion(from, request);
  const change = "set" in request ? `set ${to}` : `bump ${describeKind(request.bump)}`;
  const base = { root: state.root, mode: state.mode.kind, from, to, change };
  if (state.mode.kind === "vcs") {
    const name = formatTag(state.tagFormat, to);
    const files = state.places.filter((p) => p.kind === "file");
    const notes =
      files.length === 0
        ? []
        : [
            `not edited (the version comes from the tag; commit them with the release): ${files.map(describePlace).join(", ")}`,
          ];
    const comment = options.comment?.trim() ?? "";
    const message = `Release ${to}${comment === "" ? "" : `\n\n${comment}`}`;
    return { ...base, edits: [], tag: { name, message }, notes };
  }
  const edits: FileEdit[] = [];
  for (const place of state.places) {
    if (place.kind !== "file" || place.location === undefined) continue;
    let edit = edits.find((e) => e.path === place.path);
    if (edit === undefined) {
      const before = state.texts[place.path];
      if (before === undefined) throw new SlipwayError("internal", `no text was read for ${place.path}`);
      edit = { path: place.path, before, after: before, diff: "", places: [] };
      edits.push(edit);
    }
    const updated = updateVersion(place.location, edit.after, to);
    if (!updated.ok) {
      throw new SlipwayError("config", `${place.path}: ${updated.error}`, {
        hint: "fix that place by hand or name it exactly in [tool.slipway.version] files, then run again",
      });
    }
    edit.after = updated.value.text;
    edit.places.push(describeLocation(place.location));
  }
  for (const edit of edits) edit.diff = renderUnifiedDiff(edit.path, edit.before, edit.after);
  return { ...base, edits, notes: [] };
}
