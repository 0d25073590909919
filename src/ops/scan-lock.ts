/**
 * `slipway scan lock`: the project's lockfiles held against its pyproject.toml (uv.lock's
 * recorded requirements, poetry.lock's content-hash) and for their hashes. Read: pyproject.toml
 * through the project snapshot, each lockfile as a bounded regular file; assemble: the LOCK
 * checks (core/locks); the result is one scan section, rendered by the CLI.
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileSize, listDirIfExists, pathKind, readSmallRegularFile } from "../adapters/fs.ts";
import { openProject } from "../adapters/snapshot.ts";
import { isProjectLockfile, type LockFormat, lockFormatOf } from "../core/locks/lock-format.ts";
import { checkLockfiles, type LockfileInput, lockSection } from "../core/locks/lock-section.ts";
import type { ScanSection } from "../core/scan/report.ts";
import { SlipwayError } from "../errors.ts";

/** A lockfile larger than this is not read (a LOCK01 finding): the largest real ones are a few MiB. */
export const MAX_LOCKFILE = 64 * 1024 * 1024;

export interface ScanLockOptions {
  /** The project directory, or one lockfile in it. */
  path: string;
  /** Warnings (an unpinned requirement, LOCK07) fail the gate too. */
  strict?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ScanLockReport {
  root: string;
  /** The lockfiles checked, relative to `root`. */
  lockfiles: string[];
  section: ScanSection;
}

/**
 * Checks the lockfiles of the project at `path` (uv.lock, poetry.lock, pylock*.toml,
 * requirements*.txt, Pipfile.lock), or the one lockfile `path` names. A project without a
 * lockfile gives an empty `lockfiles` and a clean section: the caller decides whether that is
 * an error. A pyproject.toml that is not TOML is a config error.
 */
export async function scanLock(options: ScanLockOptions): Promise<ScanLockReport> {
  const target = resolve(options.path);
  const kind = await pathKind(target);
  if (kind === undefined)
    throw new SlipwayError("usage", `${options.path}: no such file or directory`, {
      hint: "slipway scan lock [PROJECT-DIR | LOCKFILE]",
    });
  let root = target;
  let names: { name: string; format: LockFormat }[];
  if (kind === "directory") {
    names = ((await listDirIfExists(target)) ?? [])
      .filter(isProjectLockfile)
      .map((name) => ({ name, format: lockFormatOf(name)! }));
  } else {
    root = dirname(target);
    const name = basename(target);
    const format = lockFormatOf(name);
    if (format === undefined)
      throw new SlipwayError("usage", `${options.path} is not a lockfile slipway knows`, {
        hint: "name a uv.lock, poetry.lock, pylock.toml, requirements*.txt or Pipfile.lock, or the project directory",
      });
    names = [{ name, format }];
  }
  const project = openProject(root, options.env === undefined ? {} : { env: options.env });
  const pyproject = await project.pyproject();
  if (pyproject !== undefined && !pyproject.parsed.ok) {
    throw new SlipwayError("config", `${join(root, "pyproject.toml")} is not valid TOML`, {
      hint: "fix it first: `slipway check` says where",
    });
  }
  const lockfiles: LockfileInput[] = [];
  for (const { name, format } of names) lockfiles.push(await readLockfile(root, name, format));
  const findings = checkLockfiles({
    pyproject: pyproject?.parsed.ok ? pyproject.parsed.value : undefined,
    pyprojectFile: "pyproject.toml",
    lockfiles,
  });
  return {
    root,
    lockfiles: names.map(({ name }) => name),
    section: lockSection(findings, options.strict === undefined ? {} : { strict: options.strict }),
  };
}

async function readLockfile(root: string, name: string, format: LockFormat): Promise<LockfileInput> {
  const full = join(root, name);
  // Never through a symlink, never blocking on a FIFO a repository can hold.
  const text = await readSmallRegularFile(full, MAX_LOCKFILE);
  if (text !== undefined) return { file: name, format, text };
  const size = await fileSize(full).catch(() => undefined);
  const unreadable =
    size !== undefined && size > MAX_LOCKFILE
      ? `larger than ${MAX_LOCKFILE / 1024 / 1024} MiB`
      : "not a regular file (a symlink, a FIFO or a directory)";
  return { file: name, format, text: undefined, unreadable };
}
