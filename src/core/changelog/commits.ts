/**
 * Conventional commits → `Change`s. Pure: the git adapter supplies `{ hash, subject, body }`
 * records for the range since the last release tag.
 *
 * Decisions (the issue leaves them to us):
 * - Reverts. A revert whose target is in the range cancels it: neither is listed nor bumps
 *   (chains resolve: reverting a revert restores the original). A revert of a commit released
 *   earlier is a real change for users: listed under Changed as `revert "<description>"` and a
 *   patch, unless the reverted commit was of a hidden type (or not conventional), which stays
 *   hidden. `Reapply "x"` (git ≥ 2.43) and `Revert "Revert "x""` of released commits count as x.
 * - Squash merges. Body lines `* type(scope): description` (or `- …`) with a known type are each
 *   their own change, carrying the text up to the next item as their body; the subject counts
 *   too when it is conventional. Identical bullets are de-duplicated when the entry is assembled.
 * - Non-conventional commits never bump. Hidden by default (Keep a Changelog: "commit log diffs
 *   are a bad idea"); `nonConventional: "changed"` lists them under Changed. Merge commits and
 *   `fixup!`/`squash!`/`amend!` subjects are never listed.
 * - Breaking changes are listed even for hidden types (`refactor!:` goes under Changed).
 * - `security` type, a `security` scope or a `Security:` footer put a change under Security and
 *   make it at least a patch.
 */

import { pushAll } from "../arrays.ts";
import { type BumpKind, type Change, maxBump, type Section } from "./change.ts";
import { breakingNotes, type Header, parseFooters, parseHeader } from "./message.ts";
import { splitSquash } from "./squash.ts";

export interface CommitRecord {
  hash: string;
  subject: string;
  body: string;
}

export interface TypeRule {
  /** Where changes of this type are listed; undefined hides them. */
  section: Section | undefined;
  bump: BumpKind;
}

const HIDDEN: TypeRule = { section: undefined, bump: "none" };

/** Conventional type → section and bump. Unknown types are hidden and do not bump. */
export const DEFAULT_TYPES: Readonly<Record<string, TypeRule>> = {
  feat: { section: "Added", bump: "minor" },
  feature: { section: "Added", bump: "minor" },
  fix: { section: "Fixed", bump: "patch" },
  perf: { section: "Changed", bump: "patch" },
  security: { section: "Security", bump: "patch" },
  // SemVer 2.0.0 item 7: marking public API deprecated is a minor release.
  deprecate: { section: "Deprecated", bump: "minor" },
  deprecated: { section: "Deprecated", bump: "minor" },
  // Removing public functionality is incompatible (SemVer item 8) whether or not `!` was written.
  remove: { section: "Removed", bump: "major" },
  removed: { section: "Removed", bump: "major" },
  revert: { section: "Changed", bump: "patch" },
  refactor: HIDDEN,
  docs: HIDDEN,
  chore: HIDDEN,
  test: HIDDEN,
  tests: HIDDEN,
  ci: HIDDEN,
  build: HIDDEN,
  style: HIDDEN,
};

export interface CommitParseOptions {
  /** Merged over DEFAULT_TYPES (e.g. `{ docs: { section: "Changed", bump: "none" } }`). */
  types?: Readonly<Record<string, TypeRule>>;
  /** Non-conventional commits: hidden (default) or listed under Changed; they never bump. */
  nonConventional?: "hide" | "changed";
  /** Read `* type: …` items of squash-merge bodies; default true. */
  squash?: boolean;
}

export interface ParsedHistory {
  /** In input order, squash items right after their commit's own change; hidden ones included. */
  changes: Change[];
  /** Commits dropped because a revert in the same range undoes them. */
  cancelled: { hash: string; by: string }[];
  /** Commits without a conventional header (or squash items): they did not bump. */
  nonConventional: string[];
}

const REVERT_SUBJECT = /^(Revert|Reapply) "(.*)"(?: \(#\d+\))?$/;
const REVERTS_COMMIT = /This reverts commit ([0-9a-f]{7,64})/gi;
// Not `#1234567`: that is an issue number, even though its digits are hex.
const HEX_REF = /(?<!#)\b[0-9a-f]{7,64}\b/gi;
const NEVER_LISTED = /^(Merge (pull request|branch|remote-tracking branch|tag)\b|(fixup|squash|amend)! )/;

interface RevertInfo {
  reapply: boolean;
  /** Subject of the reverted commit as quoted (or the description of a `revert:` commit). */
  subject: string;
  hashes: string[];
}

function revertInfo(record: CommitRecord, header: Header | undefined): RevertInfo | undefined {
  const quoted = REVERT_SUBJECT.exec(record.subject.trim());
  if (quoted === null && header?.type !== "revert") return undefined;
  const hashes = [...record.body.matchAll(REVERTS_COMMIT)].map((m) => m[1]!.toLowerCase());
  // Conventional Commits suggests `revert:` with a `Refs:` footer naming the reverted hashes.
  for (const footer of parseFooters(record.body)) {
    if (footer.token.toLowerCase() === "refs") pushAll(hashes, footer.value.match(HEX_REF) ?? []);
  }
  return {
    reapply: quoted?.[1] === "Reapply",
    subject: quoted === null ? header!.description : quoted[2]!,
    hashes: hashes.map((h) => h.toLowerCase()),
  };
}

// Own properties only: `constructor: x` must not find Object.prototype.constructor.
function ruleOf(types: Readonly<Record<string, TypeRule>>, type: string): TypeRule {
  return Object.hasOwn(types, type) ? types[type]! : HIDDEN;
}

function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length >= 7 && y.length >= 7 && (x.startsWith(y) || y.startsWith(x));
}

// The in-range commit a revert undoes: by hash when the message names one (authoritative), else
// by exact subject (GitHub's "Revert" button squash-merged drops "This reverts commit").
function findTarget(info: RevertInfo, records: readonly CommitRecord[], self: number): number | undefined {
  const index =
    info.hashes.length > 0
      ? records.findIndex((r, i) => i !== self && info.hashes.some((h) => sameCommit(h, r.hash)))
      : records.findIndex((r, i) => i !== self && r.subject.trim() === info.subject);
  return index < 0 ? undefined : index;
}

/**
 * Parses the commits of a release range into changes.
 *
 * Contract: `records` in any order (`git log` order is fine); every record is read once; the
 * result lists changes in input order. Reverts are resolved within `records` only.
 */
export function parseCommits(
  records: readonly CommitRecord[],
  options: CommitParseOptions = {},
): ParsedHistory {
  const types = { ...DEFAULT_TYPES, ...options.types };
  const headers = records.map((r) => parseHeader(r.subject.trim()));
  const reverts = records.map((r, i) => revertInfo(r, headers[i]));
  const targets = reverts.map((info, i) => (info === undefined ? undefined : findTarget(info, records, i)));

  // A commit is live unless a live revert in the range undoes it. Real hashes cannot form a cycle
  // (a message can only name an older commit); a malformed one is broken by keeping the commit.
  const live = new Map<number, boolean>();
  const visiting = new Set<number>();
  const isLive = (i: number): boolean => {
    const known = live.get(i);
    if (known !== undefined) return known;
    if (visiting.has(i)) return true;
    visiting.add(i);
    const result = !targets.some((t, j) => t === i && isLive(j));
    visiting.delete(i);
    live.set(i, result);
    return result;
  };

  const history: ParsedHistory = { changes: [], cancelled: [], nonConventional: [] };
  records.forEach((record, i) => {
    const target = targets[i];
    if (target !== undefined) {
      if (isLive(i)) history.cancelled.push({ hash: records[target]!.hash, by: record.hash });
      return;
    }
    if (!isLive(i)) return;
    const info = reverts[i];
    const found =
      info === undefined
        ? readCommit(record, headers[i], types, options)
        : readRevert(record, info, types, options);
    pushAll(history.changes, found);
    const squashed = found.some((c) => c.origin.kind === "commit" && c.origin.squashed);
    if (info === undefined && headers[i] === undefined && !squashed)
      history.nonConventional.push(record.hash);
  });
  return history;
}

function readCommit(
  record: CommitRecord,
  header: Header | undefined,
  types: Readonly<Record<string, TypeRule>>,
  options: CommitParseOptions,
): Change[] {
  const squash =
    options.squash === false ? undefined : splitSquash(record.body, (type) => Object.hasOwn(types, type));
  const changes: Change[] = [];
  const subject = record.subject.trim();
  if (header !== undefined) {
    changes.push(fromHeader(header, squash?.rest ?? record.body, record.hash, subject, false, types));
  }
  for (const item of squash?.items ?? []) {
    changes.push(fromHeader(item.header, item.body, record.hash, item.line, true, types));
  }
  if (changes.length === 0 && options.nonConventional === "changed" && !NEVER_LISTED.test(subject)) {
    changes.push(plain(record.hash, subject, undefined, subject));
  }
  return changes;
}

function readRevert(
  record: CommitRecord,
  info: RevertInfo,
  types: Readonly<Record<string, TypeRule>>,
  options: CommitParseOptions,
): Change[] {
  // Undoing a revert of something released earlier puts that thing back: list it as itself.
  const inner = REVERT_SUBJECT.exec(info.subject);
  const restored = info.reapply ? info.subject : inner?.[1] === "Revert" ? inner[2]! : undefined;
  if (restored !== undefined) {
    const header = parseHeader(restored);
    return header === undefined ? [] : [fromHeader(header, record.body, record.hash, restored, false, types)];
  }
  const reverted = parseHeader(info.subject);
  const own = parseHeader(record.subject.trim());
  const notes = breakingNotes(record.body);
  const breaking = own?.bang === true || notes.length > 0;
  const rule = reverted === undefined ? HIDDEN : ruleOf(types, reverted.type);
  const shown =
    rule.section !== undefined || (reverted === undefined && options.nonConventional === "changed");
  if (!shown && rule.bump === "none" && !breaking) return [];
  const description = `revert "${reverted?.description ?? info.subject}"`;
  return [
    {
      ...plain(record.hash, description, own?.type, record.subject.trim()),
      scope: reverted?.scope,
      bump: breaking ? "major" : rule.bump === "none" ? "none" : "patch",
      bumpReason: breaking
        ? "breaking revert"
        : rule.bump === "none"
          ? "reverts a change that did not bump"
          : `reverts a released ${reverted?.type}`,
      breaking,
      breakingNotes: notes,
    },
  ];
}

function plain(hash: string, description: string, type: string | undefined, headerText: string): Change {
  return {
    section: "Changed",
    bump: "none",
    bumpReason: "not a conventional commit",
    breaking: false,
    breakingNotes: [],
    scope: undefined,
    description,
    origin: { kind: "commit", hash, type, header: headerText, squashed: false },
  };
}

function fromHeader(
  header: Header,
  body: string,
  hash: string,
  headerText: string,
  squashed: boolean,
  types: Readonly<Record<string, TypeRule>>,
): Change {
  const rule = ruleOf(types, header.type);
  const notes = breakingNotes(body);
  const security =
    header.scope?.toLowerCase() === "security" ||
    parseFooters(body).some((f) => f.token.toLowerCase() === "security");
  let section = rule.section;
  let bump = rule.bump;
  let bumpReason = `type ${header.type}`;
  if (security) {
    section = "Security";
    if (bump === "none") bumpReason = "security change";
    bump = maxBump(bump, "patch");
  }
  const breaking = header.bang || notes.length > 0;
  if (breaking) {
    bump = "major";
    bumpReason = header.bang ? "`!` in the header" : "BREAKING CHANGE footer";
    section ??= "Changed";
  }
  return {
    section,
    bump,
    bumpReason,
    breaking,
    breakingNotes: notes,
    scope: header.scope,
    description: header.description,
    origin: { kind: "commit", hash, type: header.type, header: headerText, squashed },
  };
}
