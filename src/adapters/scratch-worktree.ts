/**
 * A throwaway git worktree of the project's repository at HEAD, with planned edits applied: what
 * a dry run builds from. It holds what the real run's build sees — HEAD's files plus the edits
 * (a release refuses a dirty tree, so nothing else) — and a real `.git`, so setuptools-scm and
 * hatch-vcs find the same files, tags and commit time. Removed afterwards with `git worktree
 * remove`, also when the process is interrupted, so the repository's worktree list stays clean.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { devNull, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SlipwayError } from "../errors.ts";
import { exec } from "./exec.ts";
import { cleanUpOnInterrupt } from "./interrupt.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface TreeEdit {
  /** Relative POSIX path, from the project directory. */
  path: string;
  /** New text; null deletes the file. */
  after: string | null;
}

export interface ScratchWorktree {
  /** A temp directory holding the worktree and room for the build's output; all of it goes. */
  scratch: string;
  /** The worktree (`git worktree remove` takes this). */
  dir: string;
  /** The project inside it: `dir` itself, or the same subdirectory as in the repository. */
  project: string;
}

const GIT_TIMEOUT_MS = 5 * 60_000;
/** The worktree's directory name inside the scratch (git names the worktree after it). */
const WORKTREE = "slipway-dry-run";

/** The scratches this process made and has not removed, with what unregisters their cleanup. */
const live = new Map<string, () => void>();

/**
 * Makes a temp scratch directory and in it a detached worktree of `project`'s repository at
 * HEAD, then applies `edits`. Hooks are off: a post-checkout hook would change what is built. On
 * any failure, and on SIGINT/SIGTERM until `removeScratchWorktree`, the scratch is removed.
 */
export async function addScratchWorktree(options: {
  project: string;
  env: Env;
  edits: readonly TreeEdit[];
}): Promise<ScratchWorktree> {
  const { project, env } = options;
  const git = (args: string[]) => exec(["git", ...args], { cwd: project, env, timeoutMs: GIT_TIMEOUT_MS });
  const head = await exec(["git", "rev-parse", "--verify", "--quiet", "HEAD^{commit}"], {
    cwd: project,
    env,
    check: false,
  });
  if (head.code !== 0) {
    throw new SlipwayError("config", `the repository of ${project} has no commit to build from`, {
      hint: "commit the project first",
    });
  }
  const prefix = (await git(["rev-parse", "--show-prefix"])).stdout.trim();
  const scratch = await mkdtemp(join(tmpdir(), "slipway-release-"));
  const dir = join(scratch, WORKTREE);
  live.set(
    scratch,
    cleanUpOnInterrupt(() => {
      const run = (args: string[]) =>
        spawnSync("git", args, {
          cwd: project,
          env: env as NodeJS.ProcessEnv,
          stdio: "ignore",
          timeout: 30_000,
        });
      run(["worktree", "remove", "--force", dir]);
      rmSync(scratch, { recursive: true, force: true });
      run(["worktree", "prune"]);
    }),
  );
  try {
    await git([
      "-c",
      `core.hooksPath=${devNull}`,
      "worktree",
      "add",
      "--detach",
      "--quiet",
      dir,
      head.stdout.trim(),
    ]);
    const inside = prefix === "" ? dir : join(dir, prefix);
    for (const edit of options.edits) {
      const to = join(inside, edit.path);
      if (edit.after === null) await rm(to, { force: true });
      else {
        await mkdir(dirname(to), { recursive: true });
        await writeFile(to, edit.after);
      }
    }
    return { scratch, dir, project: inside };
  } catch (error) {
    await removeScratchWorktree({ repo: project, scratch, env });
    throw error;
  }
}

/**
 * Removes the scratch: the worktree (build leftovers and edits included) and its entry in the
 * repository, then the rest. Safe to call when the worktree was never made or is already gone.
 */
export async function removeScratchWorktree(options: {
  repo: string;
  scratch: string;
  env: Env;
}): Promise<void> {
  const { repo, scratch, env } = options;
  await exec(["git", "worktree", "remove", "--force", join(scratch, WORKTREE)], {
    cwd: repo,
    env,
    check: false,
  });
  await rm(scratch, { recursive: true, force: true });
  // The entry of a worktree whose directory is gone (removed above, or by a killed run).
  await exec(["git", "worktree", "prune"], { cwd: repo, env, check: false });
  live.get(scratch)?.();
  live.delete(scratch);
}

/** The repository of `project` has submodules (its `.gitmodules` names one): a worktree lacks their files. */
export async function hasSubmodules(options: { project: string; env: Env }): Promise<boolean> {
  const { project, env } = options;
  const top = await exec(["git", "rev-parse", "--show-toplevel"], { cwd: project, env, check: false });
  if (top.code !== 0) return false;
  const listed = await exec(
    [
      "git",
      "config",
      "--file",
      join(top.stdout.trim(), ".gitmodules"),
      "--get-regexp",
      "^submodule\\..*\\.path$",
    ],
    { cwd: project, env, check: false },
  );
  return listed.code === 0 && listed.stdout.trim() !== "";
}
