/**
 * The changelog step as one pure plan: commits and fragments → changes → the version of the entry
 * → the entry inserted into CHANGELOG.md, the release notes, and the fragments to delete. The
 * adapter supplies the texts, the tag and the date; `apply` writes the plan's files.
 */
import { SlipwayError } from "../../errors.ts";
import { renderUnifiedDiff } from "../edits/diff.ts";
import { bumpVersion } from "../pep440/bump.ts";
import { compareVersions, normalizeVersion, parseVersion } from "../pep440/version.ts";
import type { ChangelogConfig } from "../version/config.ts";
import type { ReleaseTag } from "../version/tags.ts";
import type { Change } from "./change.ts";
import { releaseOfHeading, sameVersion, scanChangelog } from "./changelog-scan.ts";
import { type CommitRecord, parseCommits } from "./commits.ts";
import { type FragmentFile, type FragmentProblem, mergeChanges, parseFragments } from "./fragments.ts";
import {
  assembleEntry,
  type ChangelogEntry,
  insertEntry,
  renderEntry,
  renderReleaseNotes,
} from "./keep-a-changelog.ts";
import { assembleBump, type BumpDecision } from "./next-version.ts";

export interface ChangelogInputs {
  config: ChangelogConfig;
  tagFormat: string;
  /** The last release tag; commits are read since it. */
  lastTag: ReleaseTag | undefined;
  /** The version the project's files agree on, when they do. */
  current: string | undefined;
  commits: readonly CommitRecord[];
  /** Files of the fragments folder (names inside it). */
  fragments: readonly FragmentFile[];
  /** CHANGELOG.md as it is; undefined when it does not exist. */
  changelog: string | undefined;
}

export type VersionSource = "explicit" | "files" | "commits";

export interface ChangelogPlan {
  /** The changelog file, relative to the project. */
  path: string;
  /** The last release, when there is one. */
  from: string | undefined;
  version: string;
  /** Why the entry has this version: given, already in the files, or computed from the changes. */
  versionSource: VersionSource;
  bump: BumpDecision;
  date: string;
  /** `exists`: the changelog already has an entry for this version; nothing to write. */
  status: "inserted" | "exists";
  /** The entry as written (with Unreleased content moved in), and as Markdown. */
  entry: ChangelogEntry | undefined;
  entryText: string;
  /** Markdown for the host release (the entry without its heading). */
  releaseNotes: string;
  /** The changelog edit; undefined when the status is `exists`. */
  edit: { before: string | undefined; after: string; diff: string } | undefined;
  /** Fragment files (path relative to the project, text as read) that went into the entry: deleted with it. */
  deletions: { path: string; text: string }[];
  fragmentProblems: FragmentProblem[];
  /** Commits in the range, and the ones cancelled by reverts. */
  commitCount: number;
  cancelled: { hash: string; by: string }[];
  /** None of the commits is conventional, so they are listed under Changed as written (`auto`). */
  listedNonConventional: boolean;
}

/**
 * The commits as changes, hidden or listed per `non-conventional`. With `auto`, `listed` is the
 * alternative for a range in which no commit is conventional (and no fragment was written): a
 * project that does not write them (rich, httpx). It is taken when the entry would otherwise be
 * empty, saying "No user-facing changes." above a fix; hand-written Unreleased items win.
 */
function parseHistory(
  commits: readonly CommitRecord[],
  config: ChangelogConfig,
  hasFragments: boolean,
): { history: ReturnType<typeof parseCommits>; listed: ReturnType<typeof parseCommits> | undefined } {
  const parse = (nonConventional: "hide" | "changed") =>
    parseCommits(commits, { nonConventional, squash: config.squash });
  if (config.nonConventional !== "auto") return { history: parse(config.nonConventional), listed: undefined };
  const hidden = parse("hide");
  if (hasFragments || hidden.changes.length > 0 || hidden.nonConventional.length === 0)
    return { history: hidden, listed: undefined };
  const listed = parse("changed");
  return { history: hidden, listed: listed.changes.length > 0 ? listed : undefined };
}

const isEmptyEntry = (entry: ChangelogEntry) =>
  entry.sections.length === 0 && entry.intro === undefined && entry.extra === undefined;

function isBelowFinal(version: string): boolean {
  const v = parseVersion(version);
  return v !== undefined && v.dev !== undefined && v.post === undefined && v.pre === undefined;
}

/**
 * The entry's version: `explicit` when given; else the files' version when it is ahead of the
 * last release (someone ran `slipway version bump` first) and not a `.devN`; else the last
 * release bumped as the changes call for. Throws a usage error when nothing says what it is.
 */
export function assembleEntryVersion(input: {
  explicit: string | undefined;
  current: string | undefined;
  lastTag: ReleaseTag | undefined;
  bump: BumpDecision;
}): { version: string; source: VersionSource } {
  const { explicit, current, lastTag, bump } = input;
  if (explicit !== undefined) {
    const version = normalizeVersion(explicit);
    if (version === undefined || version.includes("+")) {
      throw new SlipwayError("usage", `--version "${explicit}" is not a public PEP 440 version`, {
        hint: "write a version like 1.2.0 or 1.2.0rc1",
      });
    }
    return { version, source: "explicit" };
  }
  const last = lastTag === undefined ? undefined : parseVersion(lastTag.version)!;
  if (current !== undefined && !isBelowFinal(current)) {
    if (last === undefined || compareVersions(parseVersion(current)!, last) > 0)
      return { version: current, source: "files" };
  }
  const base = lastTag?.version ?? current;
  if (base === undefined) {
    throw new SlipwayError("usage", "the project has no version and no release tag to start from", {
      hint: "pass the version of this entry: slipway changelog --version 0.1.0",
    });
  }
  if (bump.kind === "none") {
    const patch = bumpVersion(base, "patch");
    const example = patch.ok ? ` (e.g. --version ${patch.value})` : "";
    throw new SlipwayError(
      "usage",
      `nothing since ${lastTag?.name ?? base} calls for a new version (no feat, fix or breaking change)`,
      {
        hint: `pass the version explicitly with --version${example}, bump the project first ('slipway version bump patch'), or add a fragment to the changes folder`,
      },
    );
  }
  const next = bumpVersion(base, bump.kind);
  if (!next.ok)
    throw new SlipwayError("usage", next.error, { hint: "pass the version explicitly with --version" });
  return { version: next.value, source: "commits" };
}

/** `entry` with `items` appended to its Security section (made when missing; Security is last). */
function withSecurityItems(entry: ChangelogEntry, items: readonly string[]): ChangelogEntry {
  if (items.length === 0) return entry;
  const added = items.map((text) => ({ text, key: text.toLowerCase() }));
  const present = entry.sections.find((s) => s.section === "Security");
  const sections = present
    ? entry.sections.map((s) =>
        s === present
          ? {
              section: s.section,
              items: [...s.items, ...added.filter((a) => !s.items.some((i) => i.key === a.key))],
            }
          : s,
      )
    : [...entry.sections, { section: "Security" as const, items: added }];
  return { ...entry, sections };
}

/**
 * The plan for the next changelog entry. `date` is the release date (YYYY-MM-DD), chosen by the
 * caller. Contract: `before` of the edit is exactly `inputs.changelog`; everything in it above
 * the insertion point is kept byte for byte (insertEntry).
 */
export function assembleChangelogPlan(
  inputs: ChangelogInputs,
  options: {
    version?: string | undefined;
    date: string;
    keepFragments?: boolean;
    /** Bullets added to the entry's Security section (`release --security-notes`). */
    securityItems?: readonly string[];
  },
): ChangelogPlan {
  const { config } = inputs;
  const fragments = parseFragments(inputs.fragments);
  const parsed = parseHistory(inputs.commits, config, fragments.changes.length > 0);
  const changes = mergeChanges(fragments.changes, parsed.history.changes);
  const current = inputs.lastTag?.version ?? inputs.current;
  const bump = assembleBump(changes, { current, rules: config.rules });
  const { version, source } = assembleEntryVersion({
    explicit: options.version,
    current: inputs.current,
    lastTag: inputs.lastTag,
    bump,
  });
  const draft = (entryChanges: Change[]) =>
    assembleEntry(entryChanges, {
      version,
      date: options.date,
      ...(config.commitUrl === undefined ? {} : { commitUrl: config.commitUrl }),
      ...(config.issueUrl === undefined ? {} : { issueUrl: config.issueUrl }),
    });
  const links =
    config.compareUrl === undefined
      ? undefined
      : {
          compareUrl: config.compareUrl,
          tagFormat: inputs.tagFormat,
          ...(config.releaseUrl === undefined ? {} : { releaseUrl: config.releaseUrl }),
          ...(inputs.lastTag === undefined ? {} : { previousVersion: inputs.lastTag.version }),
        };
  const insert = (entryChanges: Change[], security: readonly string[] = []) =>
    insertEntry(
      inputs.changelog,
      withSecurityItems(draft(entryChanges), security),
      links === undefined ? {} : { links },
    );
  let inserted = insert(changes);
  let history = parsed.history;
  let used = changes;
  const listedNonConventional =
    parsed.listed !== undefined && inserted.status === "inserted" && isEmptyEntry(inserted.entry);
  if (listedNonConventional) {
    history = parsed.listed!;
    used = history.changes;
    inserted = insert(used);
  }
  // Added last, so that the notes do not count as the conventional changes the entry lacks.
  if (options.securityItems !== undefined && options.securityItems.length > 0) {
    inserted = insert(used, options.securityItems);
  }
  const base = {
    path: config.path,
    from: inputs.lastTag?.version,
    version,
    versionSource: source,
    bump,
    date: options.date,
    fragmentProblems: fragments.problems,
    commitCount: inputs.commits.length,
    cancelled: history.cancelled,
    listedNonConventional,
  };
  if (inserted.status === "exists") {
    const notes = existingNotes(inputs.changelog ?? "", version);
    return {
      ...base,
      status: "exists",
      entry: undefined,
      entryText: notes.entry,
      releaseNotes: notes.body,
      edit: undefined,
      deletions: [],
    };
  }
  const before = inputs.changelog;
  const diff = renderUnifiedDiff(
    config.path,
    before ?? "",
    inserted.text,
    before === undefined ? { from: "/dev/null" } : {},
  );
  return {
    ...base,
    status: "inserted",
    entry: inserted.entry,
    entryText: renderEntry(inserted.entry),
    releaseNotes: renderReleaseNotes(inserted.entry),
    edit: { before, after: inserted.text, diff },
    deletions:
      options.keepFragments === true
        ? []
        : fragments.used.map((name) => ({
            path: `${config.fragments}/${name}`,
            text: inputs.fragments.find((f) => f.name === name)!.text,
          })),
  };
}

/**
 * The entry already in `text` for `version`: from its heading to the next heading of the same or
 * a higher level (or the link definitions at the end), as written; its body is the release notes.
 */
export function existingNotes(text: string, version: string): { entry: string; body: string } {
  const scan = scanChangelog(text);
  const at = scan.headings.findIndex((h) => {
    const release = releaseOfHeading(h);
    return release !== undefined && sameVersion(release, version);
  });
  if (at < 0) return { entry: "", body: "" };
  const heading = scan.headings[at]!;
  const next = scan.headings.slice(at + 1).find((h) => h.level <= heading.level);
  const end = Math.min(next?.line ?? scan.lines.length, scan.trailer);
  const lines = scan.lines.slice(heading.line, end).map((l) => l.text);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  const body = lines.slice(1);
  while (body.length > 0 && body[0]!.trim() === "") body.shift();
  return { entry: `${lines.join("\n")}\n`, body: body.length === 0 ? "" : `${body.join("\n")}\n` };
}
