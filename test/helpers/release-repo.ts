/**
 * A project ready to release, for the `slipway release` tests: examples/hatch-lib in a real git
 * repository with a bare "origin", one released version (tag v0.1.0, pushed) and a fix committed
 * since, plus a target index (the embedded one) served from this process, with every upload it
 * receives recorded. Builds take hatchling from the offline wheelhouse; nothing leaves loopback.
 */

import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import type { IndexEvent } from "../../src/server/events.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";
import { git, writeFiles } from "./git-repo.ts";
import type { JsonLine } from "./json-lines.ts";
import { peersPython } from "./peers.ts";
import { wheelhouse } from "./wheelhouse.ts";

const EXAMPLE = fileURLToPath(new URL("../../examples/hatch-lib", import.meta.url));
const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export const CHANGELOG = `# Changelog

All notable changes to this project are documented here.

## [Unreleased]

## [0.1.0] - 2026-01-01

### Added

- The first release, written by hand.
`;

export interface ReleaseRepo {
  project: string;
  remote: string;
  target: RunningIndex;
  /** Upload events the target received, in order. */
  uploads: Extract<IndexEvent, { type: "upload" }>[];
  /** Environment for the CLI: identity, cache, target credentials, no pip config. */
  env: NodeJS.ProcessEnv;
  /** The CLI arguments that point a release at this target offline. */
  args: string[];
  close(): Promise<void>;
}

/**
 * Makes the repository under `parent`. `config` is appended to `[tool.slipway.release]`, which
 * turns the stage's upstream off and sets `verify` (default: no extras, which live on PyPI).
 */
export async function makeReleaseRepo(
  parent: string,
  options: {
    config?: string;
    verify?: string;
    cache: string;
    /** The project's files instead of examples/hatch-lib + CHANGELOG.md; must hold pyproject.toml. */
    files?: Readonly<Record<string, string>>;
    /** The path of the fix committed after v0.1.0. */
    fix?: string;
  },
): Promise<ReleaseRepo> {
  const base = mkdtempSync(join(parent, "release-"));
  const project = join(base, "project");
  const remote = join(base, "origin.git");
  if (options.files === undefined) {
    cpSync(EXAMPLE, project, { recursive: true, filter: (src) => !/[/\\](dist|\.slipway)$/.test(src) });
    writeFileSync(join(project, "CHANGELOG.md"), CHANGELOG);
  } else writeFiles(project, options.files);
  const pyproject = readFileSync(join(project, "pyproject.toml"), "utf8");
  writeFileSync(
    join(project, "pyproject.toml"),
    `${pyproject}\n[tool.slipway.release]\n${options.verify ?? "verify = { extras = [] }"}\nstage-upstream = "none"\n${options.config ?? ""}`,
  );
  git(base, "init", "-q", "--bare", "-b", "main", remote);
  git(project, "init", "-q", "-b", "main");
  git(project, "config", "user.name", "Slipway Tests");
  git(project, "config", "user.email", "tests@slipway.dev");
  git(project, "add", "-A");
  git(project, "commit", "-q", "-m", "feat: the first release");
  git(project, "tag", "-a", "v0.1.0", "-m", "0.1.0");
  git(project, "remote", "add", "origin", remote);
  git(project, "push", "-q", "origin", "main", "v0.1.0");
  writeFiles(project, {
    [options.fix ?? "src/slipway_demo_lib/empty.py"]: "def handle(text):\n    return text or ''\n",
  });
  git(project, "add", "-A");
  git(project, "commit", "-q", "-m", "fix: handle empty input");
  git(project, "push", "-q", "origin", "main");

  const uploads: ReleaseRepo["uploads"] = [];
  const target = await startIndex({
    root: join(base, "target"),
    onEvent: (e) => {
      if (e.type === "upload") uploads.push(e);
    },
  });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env["PATH"],
    HOME: base,
    CI: "1",
    PIP_CONFIG_FILE: devNull,
    SLIPWAY_CACHE_DIR: options.cache,
    PYTHONDONTWRITEBYTECODE: "1",
    TWINE_USERNAME: "__token__",
    TWINE_PASSWORD: target.token,
  };
  const args = [
    "--to",
    target.uploadUrl,
    "--check-url",
    target.simpleUrl,
    "--python",
    peersPython(),
    "--find-links",
    wheelhouse(),
    "--no-index",
  ];
  return { project, remote, target, uploads, env, args, close: () => target.close() };
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `slipway release` in a child process (the target answers from this one, so never block).
 * `killWhen` sees each stderr line (`killOnEvent` each `--json` event); when it returns true the child is SIGKILLed on the spot, or,
 * with `killWith`, its whole process group gets that signal, as a terminal's Ctrl-C does.
 */
export function runRelease(
  repo: ReleaseRepo,
  args: string[],
  options: {
    killWhen?: (line: string) => boolean;
    /** With `--json`: sees each event line of stdout, parsed; true SIGKILLs the child as killWhen does. */
    killOnEvent?: (event: JsonLine) => boolean;
    /** Send this signal to the process group instead (the child leads its own group). */
    killWith?: NodeJS.Signals;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const group = options.killWith !== undefined;
    const child = spawn(process.execPath, [CLI, "release", ...args], {
      cwd: repo.project,
      env: { ...repo.env, ...options.env },
      detached: group,
    });
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      if (group) process.kill(-child.pid!, options.killWith);
      else child.kill("SIGKILL");
    };
    let stdout = "";
    let stderr = "";
    let pending = "";
    let pendingOut = "";
    child.stdout.on("data", (c: Buffer) => {
      const text = c.toString();
      stdout += text;
      if (!options.killOnEvent) return;
      pendingOut += text;
      const lines = pendingOut.split("\n");
      pendingOut = lines.pop() ?? "";
      if (lines.some((l) => options.killOnEvent!(JSON.parse(l) as JsonLine))) kill();
    });
    child.stderr.on("data", (c: Buffer) => {
      const text = c.toString();
      stderr += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      if (options.killWhen && lines.some((l) => options.killWhen!(l))) kill();
    });
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.end();
  });
}

/**
 * A scratch directory for one test file's release repositories, sharing one build cache; every
 * repository made through `repo` is closed and the directory removed after the file's tests.
 */
export function releaseRepos(prefix: string): {
  work: string;
  repo: (options?: Omit<Parameters<typeof makeReleaseRepo>[1], "cache">) => Promise<ReleaseRepo>;
} {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const repos: ReleaseRepo[] = [];
  after(async () => {
    for (const r of repos) await r.close();
    rmSync(work, { recursive: true, force: true });
  });
  return {
    work,
    repo: async (options = {}) => {
      const r = await makeReleaseRepo(work, { ...options, cache: join(work, "cache") });
      repos.push(r);
      return r;
    },
  };
}

/**
 * The target behind a proxy that lets the first upload through and cuts every later one off
 * mid-body until `release()`, so a kill at the first "uploaded" line lands with exactly one file
 * on the target. `args` are the repository's CLI arguments pointed at the proxy.
 */
const isProbe = (req: IncomingMessage) => Number(req.headers["content-length"] ?? 0) < 1024;

export async function firstUploadOnly(
  r: ReleaseRepo,
): Promise<{ args: string[]; proxy: FaultProxy; release: () => void }> {
  let released = false;
  let posts = 0;
  const proxy = await startFaultProxy({
    upstream: r.target.url,
    // The credential probes (small posts with no file) pass too.
    pick: (req) =>
      req.method !== "POST" || released || isProbe(req) || ++posts === 1 ? "pass" : "drop-mid-body",
    slowMs: 0,
  });
  const args = [...r.args];
  args[args.indexOf("--to") + 1] = `${proxy.url}legacy/`;
  return {
    args,
    proxy,
    release: () => {
      released = true;
    },
  };
}
