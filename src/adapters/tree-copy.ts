/**
 * A throwaway copy of a project's source tree with planned edits applied: what a dry run builds
 * from, so it builds the very version it plans without touching the user's files. The copy holds
 * what git would hand a backend — tracked files plus untracked ones that are not ignored — so
 * `.venv`, `node_modules` and build leftovers stay behind.
 */
import { copyFile, lstat, mkdir, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { SlipwayError } from "../errors.ts";
import { exec } from "./exec.ts";

export interface TreeEdit {
  /** Relative POSIX path. */
  path: string;
  /** New text; null deletes the file. */
  after: string | null;
}

/**
 * Copies `root`'s files (per `git ls-files --cached --others --exclude-standard`) into `dest`
 * (which must be empty or missing), then applies `edits`. Modes and symlinks are kept.
 */
export async function copyTreeWithEdits(options: {
  root: string;
  dest: string;
  env: Readonly<Record<string, string | undefined>>;
  edits: readonly TreeEdit[];
}): Promise<number> {
  const { root, dest } = options;
  const listing = await exec(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    env: options.env,
    timeoutMs: 60_000,
  });
  const files = listing.stdout.split("\0").filter((f) => f !== "");
  await mkdir(dest, { recursive: true });
  let copied = 0;
  for (const file of files) {
    const from = join(root, file);
    const to = join(dest, file);
    const info = await lstat(from).catch(() => undefined);
    if (info === undefined) continue; // deleted in the tree but still in the index
    await mkdir(dirname(to), { recursive: true });
    if (info.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (info.isFile()) await copyFile(from, to);
    else continue; // a submodule (a directory entry): its files are not the project's
    copied++;
  }
  for (const edit of options.edits) {
    const to = join(dest, edit.path);
    if (edit.after === null) await rm(to, { force: true });
    else {
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, edit.after);
    }
  }
  if (copied === 0) {
    throw new SlipwayError("io", `git lists no files in ${root}`, { hint: "commit the project first" });
  }
  return copied;
}
