/**
 * The project snapshot: what a command reads of the project, each part read at most once and
 * only when the command needs it — pyproject.toml (parsed once, `[tool.slipway]` typed once), the
 * texts of the files versions live in, the release tags and the commits since one. Every part is
 * plain data (core/project/snapshot.ts) that the pure assemble functions of version, changelog,
 * release, publish and build take. One command opens one snapshot and hands it down, so a
 * `release` reads pyproject.toml once however many of those it plans with.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { CommitRecord } from "../core/changelog/commits.ts";
import {
  assembleIndexes,
  assembleProjectConfig,
  assemblePyprojectFile,
  type ProjectConfig,
  type PyprojectFile,
} from "../core/project/snapshot.ts";
import { parseReleaseConfig, type ReleaseConfig } from "../core/release/config.ts";
import type { IndexConfig } from "../core/upload/targets.ts";
import { SlipwayError } from "../errors.ts";
import { errnoOf } from "./fs.ts";
import {
  type GitContext,
  type GitState,
  gitAt,
  type ReleaseTagListing,
  readCommitsSince,
  readGitState,
  readReleaseTags,
} from "./git.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a file's bytes; throws like `fs.readFile` (a test counts reads through it). */
export type ReadBytes = (path: string) => Promise<Uint8Array>;

export interface OpenProjectOptions {
  /** Environment for git; default: this process's. */
  env?: Env;
  /** Default: `fs.readFile`. */
  readBytes?: ReadBytes;
}

/** Error codes of a path that is not there to read (a missing file, or a directory in its way). */
const ABSENT = new Set(["ENOENT", "EISDIR", "ENOTDIR"]);
const MISSING = new Set(["ENOENT"]);

/**
 * One command's view of the project at `root`. Each getter reads its part on first use and
 * keeps it (the promise, so concurrent callers share one read); nothing is read at opening.
 */
export class ProjectSnapshot {
  readonly root: string;
  readonly git: GitContext;
  readonly #readBytes: ReadBytes;
  readonly #memo = new Map<string, Promise<unknown>>();

  constructor(root: string, options: OpenProjectOptions = {}) {
    this.root = resolve(root);
    this.git = gitAt(this.root, options.env);
    this.#readBytes = options.readBytes ?? ((path) => readFile(path));
  }

  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let value = this.#memo.get(key) as Promise<T> | undefined;
    if (value === undefined) {
      value = read();
      this.#memo.set(key, value);
    }
    return value;
  }

  /**
   * A file's bytes, or undefined when it is not there (`absent`: the error codes that mean so);
   * `display` names it in errors.
   */
  async #bytes(path: string, display: string, absent = ABSENT): Promise<Uint8Array | undefined> {
    try {
      return await this.#readBytes(join(this.root, path));
    } catch (error) {
      if (absent.has(errnoOf(error) ?? "")) return undefined;
      throw new SlipwayError("io", `cannot read ${display}: ${(error as Error).message}`, {
        hint: "check the file's permissions",
        cause: error,
      });
    }
  }

  /** pyproject.toml read and parsed, or undefined when the project has none. */
  pyproject(): Promise<PyprojectFile | undefined> {
    return this.#once("pyproject", async () => {
      const bytes = await this.#bytes("pyproject.toml", "pyproject.toml");
      return bytes === undefined ? undefined : assemblePyprojectFile(bytes);
    });
  }

  /** The pyproject table and `[tool.slipway]` typed; config errors say what is wrong. */
  projectConfig(): Promise<ProjectConfig> {
    return this.#once("config", async () => assembleProjectConfig(await this.pyproject(), this.root));
  }

  /** `[tool.slipway.release]` typed. */
  releaseConfig(): Promise<ReleaseConfig> {
    return this.#once("release", async () => parseReleaseConfig((await this.projectConfig()).pyproject));
  }

  /** `[tool.slipway.indexes]` (empty without a pyproject.toml); `path` names the file in errors. */
  indexes(path: string): Promise<Map<string, IndexConfig>> {
    return this.#once("indexes", async () => assembleIndexes(await this.pyproject(), path));
  }

  /**
   * The strictly UTF-8 text of the project file `path` (relative), undefined when it does not
   * exist; pyproject.toml's comes from its one read. A file that is not UTF-8 is a config error:
   * slipway edits UTF-8 files only.
   */
  text(path: string): Promise<string | undefined> {
    return this.#once(`text:${path}`, async () => {
      const file = path === "pyproject.toml" ? await this.pyproject() : undefined;
      const bytes = file?.bytes ?? (await this.#bytes(path, path));
      if (bytes === undefined) return undefined;
      try {
        return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch (cause) {
        throw new SlipwayError("config", `${path} is not UTF-8 text`, {
          hint: "slipway edits UTF-8 files only",
          cause,
        });
      }
    });
  }

  /**
   * The text of project file `path` (relative), decoded as `fs.readFile(path, "utf8")` does
   * (a BOM kept, bad bytes replaced); undefined when it does not exist (a directory there is an
   * io error).
   */
  utf8(path: string): Promise<string | undefined> {
    return this.#once(`utf8:${path}`, async () => {
      const bytes = await this.#bytes(path, join(this.root, path), MISSING);
      return bytes === undefined ? undefined : new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    });
  }

  /**
   * The names of the regular files directly in directory `path` (relative), unsorted;
   * undefined when there is no such directory.
   */
  fileNames(path: string): Promise<string[] | undefined> {
    return this.#once(`dir:${path}`, async () => {
      const dir = join(this.root, path);
      try {
        const entries = await readdir(dir, { withFileTypes: true });
        return entries.filter((e) => e.isFile()).map((e) => e.name);
      } catch (error) {
        if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return undefined;
        throw new SlipwayError("io", `cannot list ${dir}: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  /** Whether anything is at project path `path` (an unreadable place counts as absent). */
  exists(path: string): Promise<boolean> {
    return this.#once(
      `exists:${path}`,
      async () => (await stat(join(this.root, path)).catch(() => undefined)) !== undefined,
    );
  }

  /**
   * The `.pypirc` an index is configured in: `explicit` (relative to `cwd`) or `~/.pypirc`
   * (`HOME` from `env`, else the user's home), with its text, undefined when it does not exist.
   */
  pypirc(options: { cwd: string; env: Env; explicit?: string | undefined }): Promise<{
    path: string;
    text: string | undefined;
  }> {
    const home = options.env["HOME"] || homedir();
    const path =
      options.explicit === undefined ? join(home, ".pypirc") : resolve(options.cwd, options.explicit);
    return this.#once(`pypirc:${path}`, async () => {
      try {
        const bytes = await this.#readBytes(path);
        return { path, text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes) };
      } catch (error) {
        if (errnoOf(error) === "ENOENT") return { path, text: undefined };
        throw new SlipwayError("config", `cannot read ${path}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
  }

  /** HEAD, its time and the dirty files of the work tree (see readGitState); undefined outside one. */
  gitState(): Promise<GitState | undefined> {
    return this.#once("git-state", () => readGitState(this.git));
  }

  /** The tags and history shape a version or changelog needs (see readReleaseTags). */
  releaseTags(): Promise<ReleaseTagListing> {
    return this.#once("tags", () => readReleaseTags(this.git));
  }

  /** Commits of HEAD since `tag` (all without one), newest first (see readCommitsSince). */
  commitsSince(tag: string | undefined): Promise<CommitRecord[]> {
    return this.#once(`commits:${tag ?? ""}`, () => readCommitsSince(this.git, tag));
  }
}

/** The snapshot of the project at `root`; nothing is read yet. */
export function openProject(root: string, options: OpenProjectOptions = {}): ProjectSnapshot {
  return new ProjectSnapshot(root, options);
}

/**
 * The caller's snapshot when it has one for `root` (the project is read once per command),
 * else a new one.
 */
export function snapshotOf(
  root: string,
  options: { snapshot?: ProjectSnapshot | undefined; env?: Env | undefined },
): ProjectSnapshot {
  const given = options.snapshot;
  if (given !== undefined) {
    if (given.root !== resolve(root)) {
      throw new SlipwayError("internal", `a snapshot of ${given.root} was passed for ${resolve(root)}`);
    }
    return given;
  }
  return openProject(root, options.env === undefined ? {} : { env: options.env });
}
