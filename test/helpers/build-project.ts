/**
 * Private copies of the example and fixture projects for the `slipway build` tests, built with
 * the pinned peers Python and backends from the offline wheelhouse, into one build-environment
 * cache per test file (the first build of each backend fills it).
 */
import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildEvent, type BuildOptions, build } from "../../src/ops/build.ts";
import { peersPython } from "./peers.ts";
import { wheelhouse, wheelhouseEnv } from "./wheelhouse.ts";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SKIP = /(^|[\\/])(dist|build|__pycache__|[^\\/]*\.egg-info)$/;

/** The date of the one commit `copyProject(..., { git: true })` makes: SOURCE_DATE_EPOCH. */
export const COMMIT_DATE = "2024-01-02T03:04:05Z";

export interface BuildProjects {
  env: NodeJS.ProcessEnv;
  /** A private copy of an example or fixture project, optionally a git repo with one commit. */
  project(from: string, options?: { git?: boolean }): string;
  /** `build()` of `dir` with the peers Python; the events it sent come back too. */
  run(dir: string, options?: Partial<BuildOptions>): ReturnType<typeof runBuild>;
}

async function runBuild(env: NodeJS.ProcessEnv, dir: string, options: Partial<BuildOptions>) {
  const events: BuildEvent[] = [];
  const report = await build({
    cwd: dir,
    env,
    project: dir,
    python: peersPython(),
    // slipway's pip ignores PIP_* and pip.conf: the wheelhouse is given as flags.
    pip: { findLinks: [wheelhouse()], noIndex: true },
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { report, events };
}

/** Copies go under `work`; the cache is `work/cache`. */
export function buildProjects(work: string): BuildProjects {
  const env = { ...wheelhouseEnv(), SLIPWAY_CACHE_DIR: join(work, "cache"), PYTHONDONTWRITEBYTECODE: "1" };
  let copies = 0;
  return {
    env,
    project(from, options = {}) {
      const dir = join(work, `p${copies++}`, basename(from));
      cpSync(join(REPO, from), dir, { recursive: true, filter: (src) => !SKIP.test(src) });
      if (options.git) {
        // The committer date is what SOURCE_DATE_EPOCH comes from.
        const git = (...args: string[]) =>
          execFileSync(
            "git",
            ["-c", "user.name=Slipway Tests", "-c", "user.email=tests@slipway.dev", ...args],
            {
              cwd: dir,
              stdio: "ignore",
              env: { ...process.env, GIT_COMMITTER_DATE: COMMIT_DATE },
            },
          );
        git("init", "-q");
        git("add", "-A");
        git("commit", "-qm", "initial", `--date=${COMMIT_DATE}`);
      }
      return dir;
    },
    run: (dir, options = {}) => runBuild(env, dir, options),
  };
}
