/**
 * PyPI's own README renderer for a Python that lacks readme_renderer: an isolated environment
 * holding the versions warehouse pins, made once per interpreter with the build-environment
 * machinery (python/build-env.ts: keyed, made aside and renamed into place) and reused by every
 * later check. A small index entry maps the interpreter (by its real path and stamp) to the
 * environment, so a warm check neither starts Python nor asks pip anything. When it cannot be
 * made (offline, no pip, the cache off) the caller keeps its fallback and says why; a failure is
 * remembered for an hour so an offline machine does not wait for pip on every check.
 */
import { createHash } from "node:crypto";
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { isStrictlyInside, readSmallRegularFile } from "./fs.ts";
import { type PipSource, provideBuildEnv } from "./python/build-env.ts";
import { readPythonFacts } from "./python/interpreter.ts";
import { cacheDirOf, stampOf, writeEntry } from "./readme-cache.ts";

/**
 * What PyPI renders descriptions with (warehouse requirements/main.txt, as test/peers pins it):
 * readme_renderer and the packages its reStructuredText path imports.
 */
export const PYPI_README_REQUIREMENTS: readonly string[] = [
  "readme_renderer==46.0",
  "docutils==0.23",
  "Pygments==2.21.0",
  "nh3==0.3.8",
];

const NAMESPACE = "readme-env-v1";
/** How long a failed attempt keeps the next checks from trying again. */
const RETRY_AFTER_MS = 60 * 60_000;

export type ReadmeEnv = { python: string } | { unavailable: string };

export interface ProvideReadmeEnvOptions {
  /** The chosen Python, an absolute path: the environment's base interpreter. */
  python: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds since the epoch (injected for tests). */
  now?: () => number;
}

/**
 * Where pip finds readme_renderer: the user's `PIP_INDEX_URL`, `PIP_FIND_LINKS` and
 * `PIP_NO_INDEX` (slipway's pip runs ignore PIP_* otherwise, so they are passed on as flags).
 */
export function readmePipSource(env: Readonly<Record<string, string | undefined>>): PipSource {
  const links = (env["PIP_FIND_LINKS"] ?? "").split(/\s+/).filter((l) => l !== "");
  const noIndex = env["PIP_NO_INDEX"];
  return {
    ...(env["PIP_INDEX_URL"] ? { indexUrl: env["PIP_INDEX_URL"] } : {}),
    ...(links.length > 0 ? { findLinks: links } : {}),
    ...(noIndex !== undefined && !["", "0", "false", "no", "off"].includes(noIndex.toLowerCase())
      ? { noIndex: true }
      : {}),
  };
}

/** The environment's Python, or why there is none. Never throws. */
export async function provideReadmeEnv(options: ProvideReadmeEnvOptions): Promise<ReadmeEnv> {
  const cache = cacheDirOf(options.env);
  if (cache === undefined) return { unavailable: "slipway's cache is off (SLIPWAY_NO_CACHE)" };
  const now = options.now ?? Date.now;
  const pip = readmePipSource(options.env);
  let real: string;
  try {
    real = await realpath(options.python);
  } catch (error) {
    return { unavailable: summary(error) };
  }
  const slot = createHash("sha256")
    .update(JSON.stringify({ real, stamp: await stampOf(real), pip, requirements: PYPI_README_REQUIREMENTS }))
    .digest("hex")
    .slice(0, 20);
  const indexPath = join(cache, NAMESPACE, `${slot}.json`);
  const known = await readIndex(indexPath);
  // The index is read back from disk: only an interpreter inside slipway's own build
  // environments is run, whatever path a planted or damaged entry names.
  const envs = join(cache, "build-envs");
  if (
    known?.python !== undefined &&
    isStrictlyInside(envs, known.python) &&
    (await stampOf(known.python)) !== null
  ) {
    return { python: known.python };
  }
  if (known?.failedAt !== undefined && now() - known.failedAt < RETRY_AFTER_MS) {
    return { unavailable: known.reason ?? "an earlier attempt failed" };
  }
  try {
    const interpreter = await readPythonFacts(options.python, { cwd: options.cwd, env: options.env });
    const made = await provideBuildEnv({
      interpreter,
      requirements: PYPI_README_REQUIREMENTS,
      pip,
      cwd: options.cwd,
      env: options.env,
    });
    await writeEntry(indexPath, { python: made.python });
    return { python: made.python };
  } catch (error) {
    const reason = summary(error);
    await writeEntry(indexPath, { failedAt: now(), reason });
    return { unavailable: reason };
  }
}

async function readIndex(
  path: string,
): Promise<{ python?: string; failedAt?: number; reason?: string } | undefined> {
  try {
    const entry = JSON.parse((await readSmallRegularFile(path, 64 * 1024)) ?? "null") as Record<
      string,
      unknown
    >;
    return {
      ...(typeof entry["python"] === "string" ? { python: entry["python"] } : {}),
      ...(typeof entry["failedAt"] === "number" ? { failedAt: entry["failedAt"] } : {}),
      ...(typeof entry["reason"] === "string" ? { reason: entry["reason"] } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The first line of an error (what failed) and its last (pip's own words, e.g. no network). */
function summary(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error))
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.length > 1 ? `${lines[0]}: ${lines.at(-1)}` : (lines[0] ?? "unknown error");
}
