/**
 * Isolated build environments: a virtualenv holding exactly a build's requirements, made once
 * and kept in slipway's cache, keyed by the requirement set, the interpreter and the index
 * settings. Made in a temp dir and renamed into place, so two builds racing for the same key
 * both succeed (the loser's copy is dropped) and a half-made environment is never used; one
 * whose stamp or interpreter is missing is removed and made again.
 */
import { createHash, randomBytes } from "node:crypto";
import { access, constants, mkdir, readFile, realpath, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { unmetRequirements } from "../../core/build/build-system.ts";
import { SlipwayError } from "../../errors.ts";
import { redact } from "../../redact.ts";
import { leaseCacheEntry, pruneAfterNewEnv, recordEnvSize } from "../cache-store.ts";
import { touchCacheEntry } from "../cache-use.ts";
import { cacheDirOf } from "../readme-cache.ts";
import { type Interpreter, readPythonFacts } from "./interpreter.ts";
import { createScratchVenv, formatPipCommand, runPip } from "./scratch-venv.ts";

/**
 * Where pip finds packages: only these settings count. pip runs isolated from the user's pip
 * configuration (`isolatedPipEnv`), so unset fields mean pip's defaults (PyPI), not pip.conf.
 */
export interface PipSource {
  indexUrl?: string;
  findLinks?: string[];
  noIndex?: boolean;
}

/**
 * `pip` with its local find-links made absolute against `cwd`: pip runs in the source tree,
 * which for the wheel is the unpacked sdist, not where the user typed `--find-links ./wheels`.
 */
export function resolvePipSource(pip: PipSource, cwd: string): PipSource {
  if (pip.findLinks === undefined) return pip;
  return { ...pip, findLinks: pip.findLinks.map((d) => (d.includes("://") ? d : resolve(cwd, d))) };
}

export interface BuildEnv {
  /** The environment's interpreter. */
  python: string;
  dir: string;
  key: string;
  /** True when it came from the cache. */
  reused: boolean;
  /** Removes it when it lives outside the cache (cache disabled); else ends this build's lease on it. */
  dispose(): Promise<void>;
}

export interface ProvideEnvOptions {
  interpreter: Interpreter;
  requirements: readonly string[];
  pip: PipSource;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Each line pip prints while installing. */
  onOutput?: (line: string) => void;
}

const STAMP = "slipway-env.json";
// 2: pip isolated from pip.conf and PIP_*; environments made before may hold what they chose.
const FORMAT = 2;

const binDir = (dir: string) => join(dir, "bin");

/** The key of an environment: what is in it and what made it. */
export function envKey(
  interpreter: Interpreter,
  requirements: readonly string[],
  pip: PipSource,
  cwd: string,
): string {
  const data = {
    format: FORMAT,
    python: [interpreter.executable, interpreter.version, interpreter.implementation],
    requirements: [...new Set(requirements.map((r) => r.trim()))].sort(),
    pip: {
      indexUrl: pip.indexUrl ?? null,
      findLinks: resolvePipSource(pip, cwd).findLinks ?? [],
      noIndex: pip.noIndex ?? false,
    },
  };
  return createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 20);
}

/** An environment with `requirements` installed: from the cache when there, else made now. */
export async function provideBuildEnv(options: ProvideEnvOptions): Promise<BuildEnv> {
  const key = envKey(options.interpreter, options.requirements, options.pip, options.cwd);
  const cache = cacheDirOf(options.env);
  if (cache === undefined) {
    // No cache: a private environment, removed after the build.
    const dir = join(tmpdir(), `slipway-env-${key}-${randomBytes(4).toString("hex")}`);
    await makeEnv(dir, key, options);
    return {
      python: join(binDir(dir), "python"),
      dir,
      key,
      reused: false,
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const root = join(cache, "build-envs");
  // Held until dispose, taken before looking: `slipway cache prune` leaves it alone meanwhile.
  const lease = await leaseCacheEntry(root, key);
  try {
    return await provideCachedEnv(root, key, options, () => lease.release());
  } catch (error) {
    await lease.release();
    throw error;
  }
}

async function provideCachedEnv(
  root: string,
  key: string,
  options: ProvideEnvOptions,
  dispose: () => Promise<void>,
): Promise<BuildEnv> {
  const dir = join(root, key);
  const done = { python: join(binDir(dir), "python"), dir, key, dispose };
  const reuse = async () => {
    await touchCacheEntry(join(dir, STAMP)); // its last use, for prune's order
    return { ...done, reused: true };
  };
  if (await isComplete(dir, key)) return await reuse();
  await mkdir(root, { recursive: true });
  // Anything at `dir` now is a broken leftover (no stamp, or no interpreter): move it aside,
  // unless another build finished it a moment ago.
  if (await isComplete(dir, key)) return await reuse();
  await discard(dir, root);
  const tmp = join(root, `.tmp-${key}-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await makeEnv(tmp, key, options);
    await recordEnvSize(tmp);
    try {
      await rename(tmp, dir);
    } catch (error) {
      // Another build made the same environment meanwhile; use theirs.
      if (!(await isComplete(dir, key))) throw error;
      await rm(tmp, { recursive: true, force: true });
      return await reuse();
    }
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await pruneAfterNewEnv(options.env); // the cache just grew by an environment
  return { ...done, reused: false };
}

/** Removes a cached environment so the next build makes it again (after it proved broken). */
export async function evictBuildEnv(env: BuildEnv): Promise<void> {
  await discard(env.dir, join(env.dir, ".."));
}

async function discard(dir: string, root: string): Promise<void> {
  const trash = join(root, `.trash-${randomBytes(6).toString("hex")}`);
  try {
    await rename(dir, trash);
  } catch {
    return; // nothing there
  }
  await rm(trash, { recursive: true, force: true });
}

async function isComplete(dir: string, key: string): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(join(dir, STAMP), "utf8")) as { key?: string };
    await access(join(binDir(dir), "python"), constants.X_OK);
    // The interpreter link must still lead to a real interpreter (the base may be gone).
    await realpath(join(binDir(dir), "python"));
    return stamp.key === key;
  } catch {
    return false;
  }
}

/** Describes where pip looked, for errors: only what slipway passed (pip.conf and PIP_* are not read). */
export function describePipSource(pip: PipSource): string {
  const parts: string[] = [];
  if (pip.noIndex) parts.push("no index");
  else parts.push(`index ${pip.indexUrl ?? "https://pypi.org/simple (pip's default)"}`);
  const links = pip.findLinks ?? [];
  if (links.length > 0) parts.push(`find-links ${links.join(", ")}`);
  // An index URL may carry credentials (https://user:token@host/simple).
  return redact(parts.join(", "));
}

async function makeEnv(dir: string, key: string, options: ProvideEnvOptions): Promise<void> {
  const venv = await createScratchVenv({
    interpreter: options.interpreter,
    dir,
    cwd: options.cwd,
    env: options.env,
  });
  const python = venv.python;
  const requirements = [...new Set(options.requirements)];
  if (requirements.length > 0) {
    const pipArgs = [
      "install",
      "--disable-pip-version-check",
      "--no-input",
      "--no-warn-script-location",
      ...(options.pip.indexUrl === undefined ? [] : ["--index-url", options.pip.indexUrl]),
      ...(options.pip.findLinks ?? []).flatMap((d) => ["--find-links", d]),
      ...(options.pip.noIndex ? ["--no-index"] : []),
      ...requirements,
    ];
    const installed = await runPip(venv, pipArgs, { cwd: options.cwd, onOutput: options.onOutput });
    if (installed.code !== 0) {
      const tail = installed.stderr
        .trim()
        .split("\n")
        .filter((l) => l.trim() !== "")
        .slice(-4)
        .join("\n  ");
      throw new SlipwayError(
        "python",
        redact(
          `could not install the build requirements ${requirements.join(", ")} (${describePipSource(options.pip)})\n  ${tail}`,
        ),
        {
          hint: redact(
            `Check the requirement names and versions in build-system.requires, and the index (--index-url, --find-links; pip.conf and PIP_* variables are not read). Reproduce with: ${formatPipCommand(venv, pipArgs)}`,
          ),
        },
      );
    }
  }
  const facts = await readPythonFacts(python, { cwd: options.cwd, env: options.env });
  const unmet = unmetRequirements(requirements, facts);
  if (unmet.length > 0) {
    throw new SlipwayError(
      "python",
      `pip finished but the build environment does not satisfy ${unmet.map((u) => `${u.requirement} (${u.reason})`).join(", ")}`,
      { hint: "The requirements may conflict with each other; check build-system.requires." },
    );
  }
  await writeFile(
    join(dir, STAMP),
    JSON.stringify(
      {
        key,
        requirements,
        python: options.interpreter.executable,
        installed: Object.fromEntries(facts.installed),
      },
      null,
      2,
    ),
  );
}

/** The environment variables a hook runs with inside `env`: its scripts first on PATH. */
export function hookEnvironment(
  envDir: string | undefined,
  base: Readonly<Record<string, string | undefined>>,
  extra: Record<string, string>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...base, ...extra };
  if (envDir !== undefined) {
    out["PATH"] = [binDir(envDir), base["PATH"]].filter(Boolean).join(delimiter);
    out["VIRTUAL_ENV"] = envDir;
    // The build environment is the whole world for the backend (PEP 517 isolation).
    delete out["PYTHONPATH"];
    delete out["PYTHONHOME"];
    out["PYTHONNOUSERSITE"] = "1";
  }
  return out;
}
