/**
 * What a build records about the git work tree it came from: the commit, its time (the default
 * SOURCE_DATE_EPOCH, as reproducible-builds.org recommends), and whether the tree is dirty.
 */
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
