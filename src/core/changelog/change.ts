/**
 * The one shape every changelog input is reduced to: conventional commits (commits.ts) and
 * hand-written fragments (fragments.ts) both become `Change`s, so the bump (next-version.ts) and
 * the entry (keep-a-changelog.ts) never care where a change came from.
 */

/** Keep a Changelog 1.1.0 categories, in the order the spec lists them. */
export const SECTIONS = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"] as const;
export type Section = (typeof SECTIONS)[number];

export type BumpKind = "major" | "minor" | "patch" | "none";

const BUMP_RANK: Readonly<Record<BumpKind, number>> = { none: 0, patch: 1, minor: 2, major: 3 };

/** The larger of two bump kinds. */
export function maxBump(a: BumpKind, b: BumpKind): BumpKind {
  return BUMP_RANK[a] >= BUMP_RANK[b] ? a : b;
}

/** Negative, zero or positive as `a` is a smaller, equal or larger bump than `b`. */
export function compareBump(a: BumpKind, b: BumpKind): number {
  return BUMP_RANK[a] - BUMP_RANK[b];
}

export interface CommitOrigin {
  kind: "commit";
  /** The commit that carries the change (for a squash merge: the squash commit). */
  hash: string;
  /** Conventional type, lower-cased; undefined for a non-conventional subject. */
  type: string | undefined;
  /** The header the change was parsed from, as written (`feat(cli)!: add --json`). */
  header: string;
  /** True when the change is one `* type: …` item of a squash-merge body. */
  squashed: boolean;
}

export interface FragmentOrigin {
  kind: "fragment";
  /** File name inside the fragments folder (`123.added.md`). */
  file: string;
  /** Issue or PR id from the file name; undefined for `+` orphans. */
  id: string | undefined;
}

export interface Change {
  /** Where it is listed; undefined = hidden (chore, docs, …), but it may still bump. */
  section: Section | undefined;
  /** What this change alone implies, before any pre-1.0 rule. */
  bump: BumpKind;
  /** Why `bump` is what it is, for humans (`"BREAKING CHANGE footer"`, `"type feat"`). */
  bumpReason: string;
  breaking: boolean;
  /** Text of `BREAKING CHANGE:` footers, rendered under the bullet. */
  breakingNotes: readonly string[];
  scope: string | undefined;
  /** Markdown; may span lines (fragments). */
  description: string;
  origin: CommitOrigin | FragmentOrigin;
}

/**
 * Wording of a bullet for de-duplication: case, runs of whitespace, a final period and a trailing
 * GitHub PR number (`(#12)`, added to squash-merge subjects) do not make two bullets different.
 */
export function sameWordsKey(text: string): string {
  return text
    .trim()
    .replace(/\s+/g, " ")
    .replace(/ ?\(#\d+\)$/, "")
    .replace(/\.$/, "")
    .toLowerCase();
}

/** Identity of a change for de-duplication: section, scope and wording, whatever the origin or hash. */
export function changeKey(change: Change): string {
  return `${change.section ?? ""}\u0000${(change.scope ?? "").toLowerCase()}\u0000${sameWordsKey(change.description)}`;
}
