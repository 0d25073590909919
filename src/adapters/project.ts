/**
 * Reads a project directory for the checks: pyproject.toml, the list of project files (what git
 * tracks or would track, else a walk that skips junk directories) and the bytes of the files the
 * pyproject keys name (planned by the pure `filesToRead`).
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pushAll } from "../core/arrays.ts";
import type { ProjectContext } from "../core/checks/context.ts";
import { docFilesToRead } from "../core/checks/docs-set.ts";
import type { PyprojectFile } from "../core/project/snapshot.ts";
import { filesToRead } from "../core/pyproject/plan.ts";
import { SlipwayError } from "../errors.ts";
import { exec } from "./exec.ts";
import { type ProjectSnapshot, snapshotOf } from "./snapshot.ts";

export interface ReadProjectOptions {
  /** How pyproject.toml is named in findings; default `<root>/pyproject.toml`. */
  display?: string;
  /** The command's snapshot of the project (pyproject.toml read once); default: a new one. */
  snapshot?: ProjectSnapshot | undefined;
}

/** Files larger than this are listed but never loaded (readmes and licences are far smaller). */
const MAX_READ = 16 * 1024 * 1024;

/** Directories a walk never enters: VCS data, virtualenvs, caches and build output. */
const SKIPPED_DIRS = new Set([
  ".git",
  ".hg",
  ".svn",
  ".venv",
  "venv",
  "node_modules",
  "__pycache__",
  ".tox",
  ".nox",
  "dist",
  "build",
]);

const isSkippedDir = (name: string): boolean => SKIPPED_DIRS.has(name) || name.endsWith(".egg-info");

/**
 * Reads the project at `root`. Throws a config error when there is no pyproject.toml; a file that
 * is not UTF-8 or not TOML is returned with `pyproject` undefined (PP01 reports why).
 */
export async function readProject(root: string, options: ReadProjectOptions = {}): Promise<ProjectContext> {
  const dir = resolve(root);
  const display = options.display ?? join(root, "pyproject.toml");
  const file = await readPyproject(snapshotOf(dir, { snapshot: options.snapshot }), display);
  const text = file.text;
  const pyproject = file.utf8 && file.parsed.ok ? file.parsed.value : undefined;
  const files = await listProjectFiles(dir);
  const contents = new Map<string, Uint8Array>([["pyproject.toml", file.bytes]]);
  for (const path of new Set([...filesToRead(pyproject, files), ...docFilesToRead(pyproject, files)])) {
    const data = await readSmallFile(join(dir, path));
    if (data !== undefined) contents.set(path, data);
  }
  return { display, pyprojectText: text, pyproject, files, contents };
}

async function readPyproject(snapshot: ProjectSnapshot, display: string): Promise<PyprojectFile> {
  const dir = snapshot.root;
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new SlipwayError("config", `${dir} is not a directory`, {
      hint: "Pass the directory that holds pyproject.toml.",
    });
  }
  let file: PyprojectFile | undefined;
  try {
    file = await snapshot.pyproject();
  } catch (cause) {
    // The snapshot's error wraps the system's; say the system's words once, under this name.
    const reason = cause instanceof SlipwayError && cause.cause instanceof Error ? cause.cause : cause;
    throw new SlipwayError("io", `could not read ${display}: ${(reason as Error).message}`, {
      hint: "Check the file's permissions.",
      cause,
    });
  }
  if (file === undefined) {
    throw new SlipwayError("config", `no pyproject.toml in ${dir}`, {
      hint: "Run slipway in the project root (where pyproject.toml is), or pass its path; to check only built files, pass the .whl/.tar.gz paths.",
    });
  }
  return file;
}

async function readSmallFile(path: string): Promise<Uint8Array | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_READ) return undefined;
  return await readFile(path).catch(() => undefined);
}

/**
 * The project's files as relative POSIX paths, sorted: in a git work tree what git tracks plus
 * untracked files it does not ignore (minus deleted ones); elsewhere a walk without junk dirs.
 */
export async function listProjectFiles(dir: string): Promise<string[]> {
  const fromGit = await gitFiles(dir);
  return (fromGit ?? (await walk(dir, ""))).sort();
}

async function gitFiles(dir: string): Promise<string[] | undefined> {
  let inside: string;
  try {
    const probe = await exec(["git", "rev-parse", "--is-inside-work-tree"], {
      cwd: dir,
      check: false,
      timeoutMs: 30_000,
    });
    inside = probe.code === 0 ? probe.stdout.trim() : "false";
  } catch {
    return undefined; // git is not installed: fall back to walking the directory.
  }
  if (inside !== "true") return undefined;
  // Paths are relative to `dir` (git ls-files lists only below the working directory); -z keeps
  // unusual names unquoted.
  const listed = await exec(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: dir,
    timeoutMs: 60_000,
  });
  const deleted = await exec(["git", "ls-files", "--deleted", "-z"], { cwd: dir, timeoutMs: 60_000 });
  const gone = new Set(splitNul(deleted.stdout));
  return [...new Set(splitNul(listed.stdout))].filter((path) => !gone.has(path));
}

const splitNul = (text: string): string[] => text.split("\0").filter((p) => p !== "");

async function walk(dir: string, prefix: string): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!isSkippedDir(entry.name)) pushAll(out, await walk(dir, rel));
    } else if (entry.isFile()) {
      out.push(rel);
    } else if (entry.isSymbolicLink()) {
      // Listed like git lists links, but never followed (no cycles, nothing outside the tree).
      out.push(rel);
    }
  }
  return out;
}
