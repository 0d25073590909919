/**
 * Hand-written change fragments, towncrier style: one file per change in `changes/`, named
 * `<id>.<type>.md` (`123.added.md`, `+cli-rework.changed.md` for a change without an issue,
 * `123.fixed.2.md` for a second fragment of one id). Types are the Keep a Changelog categories.
 * The adapter lists and reads the folder; deleting the used files after a release is its job too.
 */

import { type BumpKind, type Change, changeKey, type Section } from "./change.ts";

/** Fragment type → section and bump. Same bump policy as the commit types (commits.ts). */
export const FRAGMENT_TYPES: Readonly<Record<string, { section: Section; bump: BumpKind }>> = {
  added: { section: "Added", bump: "minor" },
  changed: { section: "Changed", bump: "patch" },
  deprecated: { section: "Deprecated", bump: "minor" },
  removed: { section: "Removed", bump: "major" },
  fixed: { section: "Fixed", bump: "patch" },
  security: { section: "Security", bump: "patch" },
};

export interface FragmentFile {
  /** File name inside the fragments folder. */
  name: string;
  text: string;
}

export interface FragmentProblem {
  file: string;
  message: string;
}

export interface ParsedFragments {
  /** One change per bullet; numeric ids in numeric order, then named ids, then `+` orphans. */
  changes: Change[];
  /** Files that were read into `changes`: delete them once the release is recorded. */
  used: string[];
  /** Files that look like fragments but cannot be used; they are neither listed nor deleted. */
  problems: FragmentProblem[];
}

const NAME = /^(\+?[^.]+)\.([a-z]+)(?:\.(\d+))?\.md$/i;
const BULLET = /^[-*+][ \t]+/;
// Folder furniture, not fragments: README, templates, dotfiles, .gitkeep.
const FURNITURE = /^(\.|readme(\.|$)|template(\.|$))/i;

// Issue ids numerically, then other ids, then `+` orphans; a second fragment (`.2`) after the first.
function sortKey(name: string): [number, number, string, number] {
  const m = NAME.exec(name);
  if (m === null) return [3, 0, name, 0];
  const id = m[1]!;
  const rank = /^\d+$/.test(id) ? 0 : id.startsWith("+") ? 2 : 1;
  return [rank, rank === 0 ? Number(id) : 0, `${id}.${m[2]!.toLowerCase()}`, Number(m[3] ?? 1)];
}

function byName(a: string, b: string): number {
  const x = sortKey(a);
  const y = sortKey(b);
  return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0) || x[3] - y[3];
}

// A fragment whose top-level lines are all bullets gives one change per bullet; anything else is
// one bullet, continuation lines kept (renderItem indents them).
function bulletsOf(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").trim().split("\n");
  const topLevel = lines.filter((line) => line.trim() !== "" && !/^[ \t]/.test(line));
  if (!topLevel.every((line) => BULLET.test(line))) return [lines.join("\n")];
  const bullets: string[][] = [];
  for (const line of lines) {
    if (BULLET.test(line)) bullets.push([line.replace(BULLET, "")]);
    else bullets[bullets.length - 1]!.push(line.replace(/^ {1,2}/, ""));
  }
  return bullets.map((b) => b.join("\n").trim());
}

/**
 * Parses the files of the fragments folder. Unknown types (`123.feature.md`, a towncrier default)
 * and empty fragments are problems to report, not silently dropped.
 */
export function parseFragments(files: readonly FragmentFile[]): ParsedFragments {
  const result: ParsedFragments = { changes: [], used: [], problems: [] };
  for (const file of [...files].sort((a, b) => byName(a.name, b.name))) {
    if (FURNITURE.test(file.name)) continue;
    const m = NAME.exec(file.name);
    if (m === null) {
      result.problems.push({
        file: file.name,
        message: "not a fragment name; expected <id>.<type>.md, e.g. 123.added.md or +topic.fixed.md",
      });
      continue;
    }
    const type = FRAGMENT_TYPES[m[2]!.toLowerCase()];
    if (type === undefined) {
      result.problems.push({
        file: file.name,
        message: `unknown fragment type "${m[2]}"; use one of ${Object.keys(FRAGMENT_TYPES).join(", ")}`,
      });
      continue;
    }
    const bullets = file.text.trim() === "" ? [] : bulletsOf(file.text);
    if (bullets.length === 0) {
      result.problems.push({ file: file.name, message: "empty fragment; write the change as Markdown" });
      continue;
    }
    const id = m[1]!.startsWith("+") ? undefined : m[1]!;
    for (const description of bullets) {
      result.changes.push({
        section: type.section,
        bump: type.bump,
        bumpReason: `fragment ${file.name}`,
        breaking: false,
        breakingNotes: [],
        scope: undefined,
        description,
        origin: { kind: "fragment", file: file.name, id },
      });
    }
    result.used.push(file.name);
  }
  return result;
}

/**
 * Fragments and commit changes as one list for `assembleEntry`: fragments first (a person wrote
 * them for readers), then commits; a change whose bullet repeats an earlier one is dropped.
 */
export function mergeChanges(fragments: readonly Change[], commits: readonly Change[]): Change[] {
  const seen = new Set<string>();
  return [...fragments, ...commits].filter((change) => {
    if (change.section === undefined) return true;
    const key = changeKey(change);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
