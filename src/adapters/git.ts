/**
 * The one git adapter: what a build records about its work tree (commit, time, dirty files), the
 * tags and commits a version or changelog reads, and the operations of a release (where HEAD is
 * and how it stands against the remote, the release commit and tag and their undo, the one
 * atomic push, the refs that carry a release's state). Every call takes a `GitContext` and runs
 * real git through the exec adapter; errors carry git's own words.
 */
import { resolve } from "node:path";
import type { CommitRecord } from "../core/changelog/commits.ts";
import { SlipwayError } from "../errors.ts";
import { exec } from "./exec.ts";
import { readTextIfExists } from "./fs.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Where git runs: the directory, and the environment (default: this process's). */
export interface GitContext {
  dir: string;
  env?: Env;
}

/** The context for `dir`; without `env`, git sees this process's environment. */
export function gitAt(dir: string, env?: Env): GitContext {
  return env === undefined ? { dir } : { dir, env };
}

const where = (ctx: GitContext) => ({ cwd: ctx.dir, ...(ctx.env === undefined ? {} : { env: ctx.env }) });

function git(ctx: GitContext, args: string[], check = true, timeoutMs = 120_000) {
  return exec(["git", ...args], { ...where(ctx), check, timeoutMs });
}

/** Reads the project's history as a version or changelog needs it; these calls are quick. */
const READ_MS = 60_000;

export interface GitState {
  /** Full id of HEAD; undefined in a repository without commits. */
  commit?: string;
  /** Committer time of HEAD, seconds since the epoch (the default SOURCE_DATE_EPOCH, as reproducible-builds.org recommends). */
  commitTime?: number;
  /** `git status --porcelain` lines for the project directory (tracked changes and untracked files). */
  changes: string[];
}

/** The state of the work tree containing `ctx.dir`, or undefined when it is not in one (or no git). */
export async function readGitState(ctx: GitContext): Promise<GitState | undefined> {
  const inside = await git(ctx, ["rev-parse", "--is-inside-work-tree"], false, READ_MS).catch(
    () => undefined,
  );
  if (inside === undefined || inside.code !== 0 || inside.stdout.trim() !== "true") return undefined;
  const state: GitState = { changes: [] };
  const head = await git(ctx, ["log", "-1", "--format=%H %ct"], false, READ_MS);
  const [commit, time] = head.code === 0 ? head.stdout.trim().split(" ") : [];
  if (commit) state.commit = commit;
  if (time !== undefined && /^\d+$/.test(time)) state.commitTime = Number(time);
  // Only this directory: a dirty sibling project in a monorepo does not make this build dirty.
  const status = await git(
    ctx,
    ["status", "--porcelain", "--untracked-files=normal", "--", "."],
    false,
    READ_MS,
  );
  if (status.code === 0) state.changes = status.stdout.split("\n").filter((l) => l.trim() !== "");
  return state;
}

/** True when `ctx.dir` is inside a git work tree (false also when git is missing). */
export async function isGitWorkTree(ctx: GitContext): Promise<boolean> {
  const probe = await git(ctx, ["rev-parse", "--is-inside-work-tree"], false, READ_MS).catch(() => undefined);
  return probe?.code === 0 && probe.stdout.trim() === "true";
}

export interface ReleaseTagListing {
  /** Every tag of the repository: the tag format is the repository's habit, wherever a tag is. */
  all: string[];
  /** Tags reachable from HEAD (`git tag --merged HEAD`): a tag on another branch is not a release of this history. */
  merged: string[];
  /** The directory below the work tree's top level (`packages/pkg-a/`); "" at the top. */
  prefix: string;
  /** Where a shallow clone's history is cut (the commits listed in `.git/shallow`); empty in a full clone. */
  shallow: string[];
}

/**
 * The tags and history shape a version or changelog needs. Empty outside a work tree or before
 * the first commit.
 */
export async function readReleaseTags(ctx: GitContext): Promise<ReleaseTagListing> {
  const none: ReleaseTagListing = { all: [], merged: [], prefix: "", shallow: [] };
  // One call for where we are: inside a work tree, the directory below its top, the shallow file.
  const probe = await git(
    ctx,
    ["rev-parse", "--is-inside-work-tree", "--show-prefix", "--git-path", "shallow"],
    false,
    READ_MS,
  ).catch(() => undefined);
  const [inside, prefix = "", shallowFile = ""] = probe?.code === 0 ? probe.stdout.split("\n") : [];
  if (inside !== "true") return none;
  const head = await git(ctx, ["rev-parse", "--verify", "--quiet", "HEAD"], false, READ_MS);
  if (head.code !== 0) return none;
  const lines = (text: string) => text.split("\n").filter((t) => t !== "");
  const all = lines((await git(ctx, ["tag", "--list"], true, READ_MS)).stdout);
  const merged =
    all.length === 0
      ? []
      : lines((await git(ctx, ["tag", "--merged", "HEAD", "--list"], true, READ_MS)).stdout);
  if (shallowFile === "") return { all, merged, prefix, shallow: [] };
  const text = await readTextIfExists(resolve(ctx.dir, shallowFile)).catch((error: Error) => {
    throw new SlipwayError("io", `cannot read ${shallowFile}: ${error.message}`, { cause: error });
  });
  return { all, merged, prefix, shallow: lines(text ?? "").map((l) => l.trim()) };
}

/**
 * Commits of `HEAD` not reachable from `since` (all of them without it), newest first, as
 * `{hash, subject, body}`. Fields are NUL-separated (`-z` plus `%x00`): a commit message can
 * hold any character but NUL, so no subject or body can break the split. Below the work tree's
 * top, only the commits that touch `ctx.dir`.
 */
export async function readCommitsSince(ctx: GitContext, since: string | undefined): Promise<CommitRecord[]> {
  if (!(await isGitWorkTree(ctx))) return [];
  const head = await git(ctx, ["rev-parse", "--verify", "--quiet", "HEAD"], false, READ_MS);
  if (head.code !== 0) return [];
  const range = since === undefined ? "HEAD" : `${since}..HEAD`;
  // A project below the repository's top (a monorepo member) lists only the commits touching it;
  // at the top, every commit (a path would drop empty commits and merges git sees as no-ops).
  const prefix = (await git(ctx, ["rev-parse", "--show-prefix"], true, READ_MS)).stdout.trim();
  const paths = prefix === "" ? [] : ["."];
  const log = await git(ctx, ["log", "-z", "--format=%H%x00%s%x00%b", range, "--", ...paths], true, READ_MS);
  const fields = log.stdout.split("\0");
  const records: CommitRecord[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const hash = fields[i]!.trim();
    if (!/^[0-9a-f]{40,64}$/.test(hash)) {
      throw new SlipwayError(
        "internal",
        `git log printed an unexpected record in ${ctx.dir}: ${JSON.stringify(hash)}`,
      );
    }
    records.push({ hash, subject: fields[i + 1]!, body: fields[i + 2]!.replace(/\n+$/, "") });
  }
  return records;
}

/** The checked-out branch, or undefined on a detached HEAD. */
export async function currentBranch(ctx: GitContext): Promise<string | undefined> {
  const r = await git(ctx, ["symbolic-ref", "--quiet", "--short", "HEAD"], false);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** The full id of HEAD, or undefined before the first commit. */
export async function headCommit(ctx: GitContext): Promise<string | undefined> {
  const r = await git(ctx, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], false);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** The remote's URL, or undefined when no such remote is configured. */
export async function remoteUrl(ctx: GitContext, remote: string): Promise<string | undefined> {
  const r = await git(ctx, ["remote", "get-url", remote], false);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** The branch `refs/remotes/<remote>/HEAD` points at (the remote's default), when known locally. */
export async function remoteDefaultBranch(ctx: GitContext, remote: string): Promise<string | undefined> {
  const r = await git(ctx, ["symbolic-ref", "--quiet", "--short", `refs/remotes/${remote}/HEAD`], false);
  if (r.code !== 0) return undefined;
  const name = r.stdout.trim();
  return name.startsWith(`${remote}/`) ? name.slice(remote.length + 1) : undefined;
}

/**
 * Asks the remote itself (`git ls-remote`) which commit each ref points at; a ref it does not
 * have is absent from the map. Annotated tags resolve to the tag object's id.
 */
export async function lsRemote(
  ctx: GitContext,
  remote: string,
  refs: string[],
): Promise<Map<string, string>> {
  const r = await git(ctx, ["ls-remote", "--quiet", "--end-of-options", remote, ...refs], true, 60_000);
  const map = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (sha && ref) map.set(ref, sha);
  }
  return map;
}

/** True when the commit object is in the local repository. */
export async function hasCommit(ctx: GitContext, sha: string): Promise<boolean> {
  const r = await git(ctx, ["cat-file", "-e", `${sha}^{commit}`], false);
  return r.code === 0;
}

/** True when `ancestor` is reachable from `descendant`. */
export async function isAncestor(ctx: GitContext, ancestor: string, descendant: string): Promise<boolean> {
  const r = await git(ctx, ["merge-base", "--is-ancestor", ancestor, descendant], false);
  return r.code === 0;
}

/** True when a branch at `tip` holds `commit` (it is the tip or an ancestor of it, as far as known here). */
export async function containsCommit(
  ctx: GitContext,
  tip: string | undefined,
  commit: string,
): Promise<boolean> {
  if (tip === undefined) return false;
  if (tip === commit) return true;
  return (await hasCommit(ctx, tip)) && (await isAncestor(ctx, commit, tip));
}

/** Number of commits in `from..to`. */
export async function countCommits(ctx: GitContext, from: string, to: string): Promise<number> {
  const r = await git(ctx, ["rev-list", "--count", `${from}..${to}`]);
  return Number(r.stdout.trim());
}

/** Why git cannot make a commit here (no identity), or undefined when it can. */
export async function commitIdentityProblem(ctx: GitContext): Promise<string | undefined> {
  const r = await git(ctx, ["var", "GIT_COMMITTER_IDENT"], false);
  if (r.code === 0) return undefined;
  return r.stderr.trim().split("\n").slice(-1)[0] || "git has no committer identity";
}

/** The commit the tag points at (peeled), or undefined when the tag does not exist locally. */
export async function tagCommit(ctx: GitContext, tag: string): Promise<string | undefined> {
  const r = await git(ctx, ["rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`], false);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/**
 * Commits exactly `paths` (added, changed or deleted) with `message`; other changes in the tree
 * or the index stay out of the commit. Git's hooks run as for any commit; when the commit is
 * refused, the paths are unstaged again. Returns the new HEAD.
 */
export async function commitPaths(ctx: GitContext, paths: string[], message: string): Promise<string> {
  await git(ctx, ["add", "--all", "--", ...paths]);
  try {
    await git(ctx, ["commit", "--quiet", "--message", message, "--", ...paths]);
  } catch (error) {
    // A refused commit (a hook, a signing failure) must not leave the paths staged.
    await git(ctx, ["reset", "--quiet", "--", ...paths], false);
    throw error;
  }
  return (await headCommit(ctx))!;
}

/** The full message of `commit`. */
export async function commitMessage(ctx: GitContext, commit: string): Promise<string> {
  return (await git(ctx, ["log", "-1", "--format=%B", commit])).stdout;
}

/** The first parent of `commit`. */
export async function parentOf(ctx: GitContext, commit: string): Promise<string> {
  return (await git(ctx, ["rev-parse", "--verify", `${commit}^`])).stdout.trim();
}

/** The id of the tag object itself (what the remote's ref points at for an annotated tag). */
export async function tagObject(ctx: GitContext, tag: string): Promise<string> {
  return (await git(ctx, ["rev-parse", "--verify", `refs/tags/${tag}`])).stdout.trim();
}

/**
 * Creates the annotated tag `name` on `commit` (`HEAD` for the checked-out one). The message is
 * kept verbatim, so the tag says exactly what the plan showed; git's own error (an existing tag,
 * no identity) is thrown.
 */
export async function createTag(
  ctx: GitContext,
  name: string,
  message: string,
  commit: string,
): Promise<void> {
  await git(ctx, ["tag", "--annotate", "--cleanup=verbatim", "--message", message, name, commit]);
}

export async function deleteTag(ctx: GitContext, name: string): Promise<void> {
  await git(ctx, ["tag", "--delete", name]);
}

/**
 * Moves the branch back to `commit` and resets the index to it, leaving the work tree alone:
 * the undo of a release commit (the file edits are undone by their own step).
 */
export async function resetTo(ctx: GitContext, commit: string): Promise<void> {
  await git(ctx, ["reset", "--quiet", "--mixed", commit]);
}

/**
 * Pushes `refspecs` in one atomic push (`--atomic`: the remote takes all of them or none), so a
 * tag never lands without its commit. `--end-of-options`: no remote or refspec is read as an option.
 */
export async function pushAtomic(ctx: GitContext, remote: string, refspecs: string[]): Promise<void> {
  await git(ctx, ["push", "--atomic", "--quiet", "--end-of-options", remote, ...refspecs], true, 300_000);
}

/** Fetches `refspecs` (`src:dst`) from `remote`, without tags. */
export async function fetchRefs(ctx: GitContext, remote: string, refspecs: string[]): Promise<void> {
  await git(ctx, ["fetch", "--quiet", "--no-tags", "--end-of-options", remote, ...refspecs], true, 300_000);
}

/** Stores a file (or, with `text`, that text) as a blob; returns its id. */
export async function writeBlob(ctx: GitContext, from: { path: string } | { text: string }): Promise<string> {
  const r =
    "path" in from
      ? await git(ctx, ["hash-object", "-w", "--no-filters", "--", from.path])
      : await exec(["git", "hash-object", "-w", "--no-filters", "--stdin"], {
          ...where(ctx),
          input: from.text,
          timeoutMs: 120_000,
        });
  return r.stdout.trim();
}

export interface TreeEntry {
  mode: "100644" | "040000";
  type: "blob" | "tree";
  id: string;
  /** One path component: no `/`, tab or newline. */
  name: string;
}

/** Stores a tree of `entries` (`git mktree`); returns its id. */
export async function writeTree(ctx: GitContext, entries: readonly TreeEntry[]): Promise<string> {
  const input = entries.map((e) => `${e.mode} ${e.type} ${e.id}\t${e.name}\n`).join("");
  const r = await exec(["git", "mktree"], { ...where(ctx), input, timeoutMs: 60_000 });
  return r.stdout.trim();
}

/** The entries of the tree at `treeish` (e.g. `<commit>:dist`), one level. */
export async function readTree(ctx: GitContext, treeish: string): Promise<TreeEntry[]> {
  const r = await git(ctx, ["ls-tree", "-z", "--end-of-options", treeish]);
  return r.stdout
    .split("\0")
    .filter((line) => line !== "")
    .map((line) => {
      const [meta = "", name = ""] = line.split("\t");
      const [mode, type, id] = meta.split(" ");
      return { mode: mode as TreeEntry["mode"], type: type as TreeEntry["type"], id: id ?? "", name };
    });
}

/** Makes a commit of `tree` with one parent, touching no branch, index or work tree; returns its id. */
export async function writeCommit(
  ctx: GitContext,
  tree: string,
  parent: string,
  message: string,
): Promise<string> {
  return (await git(ctx, ["commit-tree", tree, "-p", parent, "-m", message])).stdout.trim();
}

/** A blob's text (UTF-8). */
export async function readBlobText(ctx: GitContext, blob: string): Promise<string> {
  return (await git(ctx, ["cat-file", "blob", blob])).stdout;
}

/** Writes a blob's exact bytes (no filter of any kind) to the new file `path`, streaming. */
export async function exportBlob(ctx: GitContext, blob: string, path: string): Promise<void> {
  await exec(["git", "cat-file", "blob", blob], {
    ...where(ctx),
    stdoutFile: path,
    timeoutMs: 300_000,
  });
}

/** What an annotated tag object says: the object it tags, that object's type, and the tag's name. */
export async function readTagObject(
  ctx: GitContext,
  id: string,
): Promise<{ object: string; type: string; tag: string } | undefined> {
  const r = await git(ctx, ["cat-file", "tag", id], false);
  if (r.code !== 0) return undefined;
  const end = r.stdout.indexOf("\n\n");
  const header = end === -1 ? r.stdout : r.stdout.slice(0, end);
  const field = (name: string) => header.match(new RegExp(`^${name} (.*)$`, "m"))?.[1] ?? "";
  return { object: field("object"), type: field("type"), tag: field("tag") };
}

/** Moves the checked-out branch forward to `commit` (fast-forward only), work tree and index too. */
export async function fastForward(ctx: GitContext, commit: string): Promise<void> {
  await git(ctx, ["merge", "--ff-only", "--quiet", commit]);
}

/** The commit `rev` names (peeled), or undefined when it names none. */
export async function resolveCommit(ctx: GitContext, rev: string): Promise<string | undefined> {
  const r = await git(
    ctx,
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`],
    false,
  );
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** The object `ref` points at (not peeled: a tag object's own id), or undefined. */
export async function resolveObject(ctx: GitContext, ref: string): Promise<string | undefined> {
  const r = await git(ctx, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref], false);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** Creates `ref` pointing at `id`; fails when it exists. */
export async function createRef(ctx: GitContext, ref: string, id: string): Promise<void> {
  await git(ctx, ["update-ref", "--no-deref", ref, id, ""]);
}

/** Deletes a local ref when it exists. */
export async function deleteRef(ctx: GitContext, ref: string): Promise<void> {
  await git(ctx, ["update-ref", "-d", ref], false);
}
