/**
 * What a build records about the git work tree it came from: the commit, its time (the default
 * SOURCE_DATE_EPOCH, as reproducible-builds.org recommends), and whether the tree is dirty.
 */
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

/**
 * Tag names reachable from HEAD (`git tag --merged HEAD`): a tag on another branch is not a
 * release of this history. Empty outside a work tree or before the first commit.
 */
export async function listMergedTags(dir: string, env?: Env): Promise<string[]> {
  if (!(await isGitWorkTree(dir, env))) return [];
  const head = await git(dir, env, ["rev-parse", "--verify", "--quiet", "HEAD"], false);
  if (head.code !== 0) return [];
  const tags = await git(dir, env, ["tag", "--merged", "HEAD", "--list"]);
  return tags.stdout.split("\n").filter((t) => t !== "");
}

/**
 * Commits of `HEAD` not reachable from `since` (all of them without it), newest first, as
 * `{hash, subject, body}`. Fields are NUL-separated (`-z` plus `%x00`): a commit message can
 * hold any character but NUL, so no subject or body can break the split.
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
  const log = await git(dir, env, ["log", "-z", "--format=%H%x00%s%x00%b", range, "--"]);
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
