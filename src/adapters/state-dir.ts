/**
 * `.slipway/`, slipway's run state in a project: journals, the release lock, the stage, the
 * artifacts. What slipway reads back from it is hostile input — a repository can commit a journal
 * (`git add -f`) that a clone hands to the next run — so:
 *
 * - `.slipway` must be a real directory, never a symlink (its writes would land elsewhere);
 * - nothing in it may be tracked by git (in the index): run state never comes from a repository;
 * - every path a state file names must resolve inside the project, symlinks included.
 */
import { lstat, mkdir, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { SlipwayError } from "../errors.ts";
import { exec } from "./exec.ts";
import { errnoOf as errno, tryCreateExclusive } from "./fs.ts";

type Env = Readonly<Record<string, string | undefined>>;

export const STATE_DIR = ".slipway";

/** Throws when `root/.slipway` exists but is a symlink or not a directory. */
async function assertRealDir(root: string): Promise<boolean> {
  const path = join(root, STATE_DIR);
  const info = await lstat(path).catch((error) => {
    if (errno(error) === "ENOENT") return undefined;
    throw error;
  });
  if (info === undefined) return false;
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new SlipwayError(
      "io",
      `${path} is ${info.isSymbolicLink() ? "a symlink" : "not a directory"}: slipway keeps its run state in a directory of its own`,
      { hint: `remove it (it is not slipway's): rm ${path}` },
    );
  }
  return true;
}

/**
 * Refuses run state slipway did not write itself: `.slipway` a symlink, or any file under it
 * that git tracks (`git ls-files`: committed, or added to the index). Outside a git work tree
 * there is nothing to ask git. Call it before reading anything from `.slipway/`.
 */
export async function checkStateDir(root: string, options: { env?: Env } = {}): Promise<void> {
  if (!(await assertRealDir(root))) return;
  const listed = await exec(["git", "ls-files", "-z", "--cached", "--", STATE_DIR], {
    cwd: root,
    ...(options.env === undefined ? {} : { env: options.env }),
    check: false,
    timeoutMs: 60_000,
  }).catch(() => undefined);
  if (listed === undefined || listed.code !== 0) return;
  const tracked = listed.stdout.split("\0").filter((p) => p !== "");
  if (tracked.length === 0) return;
  const named =
    tracked.slice(0, 3).join(", ") + (tracked.length > 3 ? ` and ${tracked.length - 3} more` : "");
  throw new SlipwayError(
    "io",
    `git tracks ${named}: slipway's run state (journals, lock, artifacts) never comes from a repository, so it will not read it — a committed journal could make slipway write or delete files`,
    {
      hint: `stop tracking it: git rm -r --cached ${STATE_DIR} && git commit -m "stop tracking .slipway/"; then delete ${STATE_DIR}/ unless you know a run of yours left it`,
    },
  );
}

/**
 * Creates `root/.slipway` (with a `*` .gitignore, so none of it shows in `git status`) unless it
 * exists; refuses a symlink or a file in its place. Returns the directory.
 */
export async function ensureStateDir(root: string): Promise<string> {
  const dir = join(root, STATE_DIR);
  if (!(await assertRealDir(root))) await mkdir(dir, { recursive: true });
  await tryCreateExclusive(
    join(dir, ".gitignore"),
    "# slipway's run state (journals, lock, stage, artifacts)\n*\n",
  );
  return dir;
}

/** The real path of `path`'s nearest existing ancestor (itself when it exists), joined with the rest. */
async function realpathOfExisting(path: string): Promise<string> {
  const rest: string[] = [];
  let at = path;
  for (;;) {
    try {
      return join(await realpath(at), rest.reverse().join("/"));
    } catch (error) {
      if (errno(error) !== "ENOENT" && errno(error) !== "ENOTDIR") throw error;
      const up = dirname(at);
      if (up === at) return path;
      rest.push(at.slice(up.length).replace(/^[/\\]+/, ""));
      at = up;
    }
  }
}

/**
 * The absolute path of `path` (relative to `root`, or absolute as an edit journal records its
 * targets) after checking that it stays inside the project: no `..` segment, and its real
 * location — every symlink on the way resolved, the file itself too with `followFile` — is under
 * the real path of root (and is not root itself). Throws a SlipwayError naming `what` (e.g.
 * `.slipway/release.json steps[1].record.out`) otherwise.
 */
export async function resolveInside(
  root: string,
  path: string,
  what: string,
  options: { followFile?: boolean } = {},
): Promise<string> {
  const refuse = (why: string) =>
    new SlipwayError("io", `${what}: ${JSON.stringify(path)} ${why}`, {
      hint: "slipway reads and writes files inside the project only; delete the file that names it if you did not write it",
    });
  if (path === "" || path.includes("\0") || path.split(/[/\\]/).includes("..")) {
    throw refuse("is empty or climbs out with ..");
  }
  const full = resolve(root, path);
  const realRoot = await realpath(root);
  const real = options.followFile
    ? await realpathOfExisting(full)
    : join(await realpathOfExisting(dirname(full)), basename(full));
  if (real === realRoot || !real.startsWith(realRoot + sep)) {
    throw refuse(`is ${real === realRoot ? "the project itself" : `outside the project (${real})`}`);
  }
  return full;
}
