/**
 * What a build records about the git work tree it came from: the commit, its time (the default
 * SOURCE_DATE_EPOCH, as reproducible-builds.org recommends), and whether the tree is dirty.
 */

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { CommitRecord } from "../core/changelog/commits.ts";
import { SlipwayError } from "../errors.ts";
import { exec } from "./exec.ts";

export interface GitState {
  /** Full id of HEAD; undefined in a repository without commits. */
  commit?: string;
  /** Committer time of HEAD, seconds since the epoch. */
  commitTime?: number;
  /** `git status --porcelain` lines for the project directory (tracked changes and untracked files). */
  changes: string[];
}

/** The state of the work tree containing `dir`, or undefined when it is not in one (or no git). */
export async function readGitState(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<GitState | undefined> {
  const git = (args: string[]) => exec(["git", ...args], { cwd: dir, env, check: false, timeoutMs: 60_000 });
  const inside = await git(["rev-parse", "--is-inside-work-tree"]).catch(() => undefined);
  if (inside === undefined || inside.code !== 0 || inside.stdout.trim() !== "true") return undefined;
  const state: GitState = { changes: [] };
  const head = await git(["log", "-1", "--format=%H %ct"]);
  const [commit, time] = head.code === 0 ? head.stdout.trim().split(" ") : [];
  if (commit) state.commit = commit;
  if (time !== undefined && /^\d+$/.test(time)) state.commitTime = Number(time);
  // Only this directory: a dirty sibling project in a monorepo does not make this build dirty.
  const status = await git(["status", "--porcelain", "--untracked-files=normal", "--", "."]);
  if (status.code === 0) state.changes = status.stdout.split("\n").filter((l) => l.trim() !== "");
  return state;
}

type Env = Readonly<Record<string, string | undefined>>;

function git(dir: string, env: Env | undefined, args: string[], check = true) {
  return exec(["git", ...args], {
    cwd: dir,
    ...(env === undefined ? {} : { env }),
    check,
    timeoutMs: 60_000,
  });
}

/** True when `dir` is inside a git work tree (false also when git is missing). */
export async function isGitWorkTree(dir: string, env?: Env): Promise<boolean> {
  const probe = await git(dir, env, ["rev-parse", "--is-inside-work-tree"], false).catch(() => undefined);
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
export async function readReleaseTags(dir: string, env?: Env): Promise<ReleaseTagListing> {
  const none: ReleaseTagListing = { all: [], merged: [], prefix: "", shallow: [] };
  // One call for where we are: inside a work tree, the directory below its top, the shallow file.
  const where = await git(
    dir,
    env,
    ["rev-parse", "--is-inside-work-tree", "--show-prefix", "--git-path", "shallow"],
    false,
  ).catch(() => undefined);
  const [inside, prefix = "", shallowFile = ""] = where?.code === 0 ? where.stdout.split("\n") : [];
  if (inside !== "true") return none;
  const head = await git(dir, env, ["rev-parse", "--verify", "--quiet", "HEAD"], false);
  if (head.code !== 0) return none;
  const lines = (text: string) => text.split("\n").filter((t) => t !== "");
  const all = lines((await git(dir, env, ["tag", "--list"])).stdout);
  const merged =
    all.length === 0 ? [] : lines((await git(dir, env, ["tag", "--merged", "HEAD", "--list"])).stdout);
  if (shallowFile === "") return { all, merged, prefix, shallow: [] };
  const text = await readFile(resolve(dir, shallowFile), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw new SlipwayError("io", `cannot read ${shallowFile}: ${error.message}`, { cause: error });
  });
  return { all, merged, prefix, shallow: lines(text).map((l) => l.trim()) };
}

/**
 * Commits of `HEAD` not reachable from `since` (all of them without it), newest first, as
 * `{hash, subject, body}`. Fields are NUL-separated (`-z` plus `%x00`): a commit message can
 * hold any character but NUL, so no subject or body can break the split. Below the work tree's
 * top, only the commits that touch `dir`.
 */
export async function readCommitsSince(
  dir: string,
  since: string | undefined,
  env?: Env,
): Promise<CommitRecord[]> {
  if (!(await isGitWorkTree(dir, env))) return [];
  const head = await git(dir, env, ["rev-parse", "--verify", "--quiet", "HEAD"], false);
  if (head.code !== 0) return [];
  const range = since === undefined ? "HEAD" : `${since}..HEAD`;
  // A project below the repository's top (a monorepo member) lists only the commits touching it;
  // at the top, every commit (a path would drop empty commits and merges git sees as no-ops).
  const prefix = (await git(dir, env, ["rev-parse", "--show-prefix"])).stdout.trim();
  const paths = prefix === "" ? [] : ["."];
  const log = await git(dir, env, ["log", "-z", "--format=%H%x00%s%x00%b", range, "--", ...paths]);
  const fields = log.stdout.split("\0");
  const records: CommitRecord[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const hash = fields[i]!.trim();
    if (!/^[0-9a-f]{40,64}$/.test(hash)) {
      throw new SlipwayError(
        "internal",
        `git log printed an unexpected record in ${dir}: ${JSON.stringify(hash)}`,
      );
    }
    records.push({ hash, subject: fields[i + 1]!, body: fields[i + 2]!.replace(/\n+$/, "") });
  }
  return records;
}

/** True when the tag exists (anywhere in the repository). */
export async function tagExists(dir: string, name: string, env?: Env): Promise<boolean> {
  const r = await git(dir, env, ["rev-parse", "--verify", "--quiet", `refs/tags/${name}`], false);
  return r.code === 0;
}

/** Creates the annotated tag `name` on HEAD; git's own error (existing tag, no identity) is thrown. */
export async function createAnnotatedTag(
  dir: string,
  name: string,
  message: string,
  env?: Env,
): Promise<void> {
  await git(dir, env, ["tag", "--annotate", "--message", message, name, "HEAD"]);
}
