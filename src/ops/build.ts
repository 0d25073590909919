/**
 * `build`: sdist and wheel through the project's own PEP 517 backend, the wheel built from the
 * unpacked sdist (which proves the sdist complete), reproducible by default, checked, and moved
 * into the output directory only when everything succeeded. Never prints; progress goes
 * through `onEvent`.
 */

import { basename, join, relative, resolve } from "node:path";
import { extractSdist } from "../adapters/archives/extract.ts";
import {
  cleanOutput,
  hashFile,
  installArtifacts,
  listArtifacts,
  removeLegacySums,
  writeAtomic,
} from "../adapters/dist-output.ts";
import { makeDir, makeTempDir, removeTree, removeTreeSync } from "../adapters/fs.ts";
import type { GitState } from "../adapters/git.ts";
import { cleanUpOnInterrupt } from "../adapters/interrupt.ts";
import { type PipSource, resolvePipSource } from "../adapters/python/build-env.ts";
import { type BuildHookResult, type FrontendEvent, runBuildHook } from "../adapters/python/frontend.ts";
import type { ConfigSettings } from "../adapters/python/hooks.ts";
import { findPython, type Interpreter } from "../adapters/python/interpreter.ts";
import { openProject, type ProjectSnapshot } from "../adapters/snapshot.ts";
import type { BuildSystem } from "../core/build/build-system.ts";
import {
  type BuildManifest,
  type BuiltArtifact,
  MANIFEST_FILE,
  otherReleases,
  releaseOf,
  renderSha256Sums,
  SUMS_FILE,
} from "../core/build/output.ts";
import { assembleProjectBuildSystem } from "../core/project/snapshot.ts";
import { SlipwayError } from "../errors.ts";
import type { ReproducibilityReport } from "./build-reproducible.ts";
import { type CheckReport, check, LOCAL_VERSION_CHECKS } from "./check.ts";

export interface BuildOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The project directory. */
  project: string;
  /** What to build; neither (or both) means the sdist, then the wheel from it. */
  sdist?: boolean;
  wheel?: boolean;
  /** Output directory; default `<project>/dist`. */
  outDir?: string;
  /** Interpreter to build with; default: the first Python >= 3.9 on PATH. */
  python?: string | undefined;
  /** Default true: a cached virtualenv per requirement set. */
  isolation?: boolean;
  pip?: PipSource;
  configSettings?: ConfigSettings;
  /** Overrides SOURCE_DATE_EPOCH (default: the environment's, else the last commit's time). */
  sourceDateEpoch?: number;
  /** Empty the output directory's distributions first. */
  clean?: boolean;
  /** A dirty git tree is an error instead of a warning. */
  requireClean?: boolean;
  /** Run `slipway check` on the result and refuse it on errors. Default true. */
  check?: boolean;
  /** Build twice and compare the artifacts byte for byte. */
  verifyReproducible?: boolean;
  /** slipway's version, for the manifest. */
  toolVersion?: string;
  onEvent?: (event: BuildEvent) => void;
}

export type BuildPhase = "prepare" | "sdist" | "unpack" | "wheel" | "rebuild" | "check" | "write";

/**
 * What the build warns about, as facts; the CLI words them (src/cli/render/build-events.ts).
 * `legacy-backend`: pyproject.toml names no build-backend, so setuptools' legacy one is used.
 * `uncommitted-changes`: the git work tree differs from `commit` (`changes`: the first five
 * `git status --short` lines of `count`). `no-source-date-epoch`: no SOURCE_DATE_EPOCH and no
 * commit to take one from, so timestamps in the artifacts vary.
 */
export type BuildWarning =
  | { kind: "legacy-backend"; project: string; backend: string }
  | { kind: "uncommitted-changes"; changes: string[]; count: number; commit: string | null }
  | { kind: "no-source-date-epoch" };

/** How many of the changed files an uncommitted-changes warning names. */
export const CHANGES_SHOWN = 5;

export type BuildEvent =
  | { type: "phase"; phase: BuildPhase; detail?: string }
  | ({ type: "warning" } & BuildWarning)
  | FrontendEvent;

export interface BuildReport {
  project: string;
  outDir: string;
  artifacts: (BuiltArtifact & { path: string })[];
  manifest: BuildManifest;
  /** Present when the result was checked. */
  check?: CheckReport;
  /** Present with verifyReproducible. */
  reproducible?: ReproducibilityReport;
  warnings: BuildWarning[];
  /** False when the check found errors or the rebuild differed; nothing was written then. */
  ok: boolean;
}

interface Built {
  path: string;
  kind: "sdist" | "wheel";
  hook: BuildHookResult;
}

/**
 * Reads `[build-system]` from the snapshot's pyproject.toml (without one, setup.py must be
 * there: the legacy backend); errors name the file and the line.
 */
export async function readBuildSystem(snapshot: ProjectSnapshot, display: string): Promise<BuildSystem> {
  const file = await snapshot.pyproject().catch((error: unknown) => {
    // The system's own error, as build always showed it.
    throw error instanceof SlipwayError && error.cause !== undefined ? error.cause : error;
  });
  if (file === undefined && !(await snapshot.exists("setup.py"))) {
    throw new SlipwayError("config", `${snapshot.root} has neither pyproject.toml nor setup.py`, {
      hint: "Run slipway build in a Python project directory, or pass its path.",
    });
  }
  return assembleProjectBuildSystem(file, display);
}

export async function build(options: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const emit = (event: BuildEvent) => options.onEvent?.(event);
  const warnings: BuildWarning[] = [];
  const warn = (warning: BuildWarning) => {
    warnings.push(warning);
    emit({ type: "warning", ...warning });
  };
  const project = resolve(options.cwd, options.project);
  const outDir = resolve(options.cwd, options.outDir ?? join(project, "dist"));
  const display = (p: string) => relative(options.cwd, p) || ".";
  const wantSdist = options.sdist === true || options.wheel !== true;
  const wantWheel = options.wheel === true || options.sdist !== true;

  emit({ type: "phase", phase: "prepare" });
  // The project as read once for this build: [build-system] and the check share one read.
  const snapshot = openProject(project, { env: options.env });
  const buildSystem = await readBuildSystem(snapshot, display(join(project, "pyproject.toml")));
  if (buildSystem.legacy) {
    warn({ kind: "legacy-backend", project: display(project), backend: buildSystem.backend });
  }
  const git = await snapshot.gitState();
  if (git !== undefined && git.changes.length > 0) {
    const warning: BuildWarning = {
      kind: "uncommitted-changes",
      changes: git.changes.slice(0, CHANGES_SHOWN).map((l) => l.trim()),
      count: git.changes.length,
      commit: git.commit ?? null,
    };
    if (options.requireClean) {
      throw new SlipwayError("config", uncommittedMessage(warning), {
        hint: "Commit or stash the changes, then build again.",
      });
    }
    warn(warning);
  }
  const epoch = sourceDateEpoch(options, git);
  if (epoch === undefined) warn({ kind: "no-source-date-epoch" });
  const interpreter = await findPython({ python: options.python, cwd: options.cwd, env: options.env });
  const work = await makeTempDir("slipway-build-");
  const forgetWork = cleanUpOnInterrupt(() => removeTreeSync(work));
  try {
    const pass = (dir: string, label: BuildPhase | undefined) =>
      buildAll({
        options,
        project,
        buildSystem,
        interpreter,
        epoch,
        work: dir,
        wantSdist,
        wantWheel,
        timings,
        label,
      });
    const built = await pass(join(work, "first"), undefined);
    let reproducible: ReproducibilityReport | undefined;
    if (options.verifyReproducible) {
      const again = await pass(join(work, "second"), "rebuild");
      const { compareBuilds } = await import("./build-reproducible.ts");
      reproducible = await compareBuilds(
        built.map((b) => b.path),
        again.map((b) => b.path),
      );
    }

    const artifacts: (BuiltArtifact & { path: string })[] = [];
    for (const b of built) {
      const { sha256, size } = await hashFile(b.path);
      artifacts.push({
        filename: basename(b.path),
        kind: b.kind,
        size,
        sha256,
        path: b.path,
      });
    }
    const names = artifacts.map((a) => a.filename);
    let checked: CheckReport | undefined;
    if (options.check !== false) {
      emit({ type: "phase", phase: "check" });
      const t = performance.now();
      checked = await check({
        cwd: options.cwd,
        env: options.env,
        project,
        snapshot,
        dists: artifacts.map((a) => a.path),
        python: interpreter.executable,
        // A local version (1.6.1.dev5+g1234, setuptools-scm between tags) is what the backend
        // built, as python -m build writes it; the index that refuses it says so at publish.
        demote: LOCAL_VERSION_CHECKS,
        displayNames: Object.fromEntries(artifacts.map((a) => [a.path, display(join(outDir, a.filename))])),
      });
      timings["check"] = Math.round(performance.now() - t);
    }
    const ok = (checked?.ok ?? true) && (reproducible?.identical ?? true);
    timings["total"] = Math.round(performance.now() - started);
    const last = built.find((b) => b.kind === "wheel") ?? built[0]!;
    const manifest: BuildManifest = {
      format: 1,
      tool: { name: "slipway", version: options.toolVersion ?? "0.0.0-dev" },
      project: releaseOf(names[0] ?? "") ?? null,
      artifacts: artifacts.map(({ path: _path, ...a }) => a),
      backend: {
        spec: buildSystem.backend,
        ...last.hook.backend,
        requires: last.hook.requirements,
      },
      python: { version: interpreter.version, implementation: interpreter.implementation },
      isolation: options.isolation !== false,
      wheelFrom: wantWheel ? (wantSdist ? "sdist" : "tree") : null,
      git: git === undefined ? null : { commit: git.commit ?? null, dirty: git.changes.length > 0 },
      sourceDateEpoch: epoch ?? null,
      configSettings: options.configSettings ?? {},
      timings,
    };
    const report: BuildReport = {
      project,
      outDir,
      artifacts,
      manifest,
      ...(checked === undefined ? {} : { check: checked }),
      ...(reproducible === undefined ? {} : { reproducible }),
      warnings,
      ok,
    };
    if (!ok) return report; // nothing reaches the output directory

    emit({ type: "phase", phase: "write", detail: display(outDir) });
    await makeDir(outDir, { parents: true });
    if (options.clean) await cleanOutput(outDir);
    const mixed = otherReleases(await listArtifacts(outDir), names);
    if (mixed.length > 0) {
      throw new SlipwayError(
        "config",
        `${display(outDir)} already holds ${mixed.join(", ")}, which ${mixed.length === 1 ? "is" : "are"} not ${manifest.project ? `${manifest.project.name} ${manifest.project.version}` : "this release"}`,
        { hint: "Pass --clean to empty it first, or --out another directory; nothing was written." },
      );
    }
    const installed = await installArtifacts(
      artifacts.map((a) => a.path),
      outDir,
    );
    artifacts.forEach((a, i) => {
      a.path = installed[i]!;
    });
    // The checksums cover every distribution now in the directory (same release, by the rule above).
    const sums = [];
    for (const name of await listArtifacts(outDir)) {
      const own = artifacts.find((a) => a.filename === name);
      sums.push({ filename: name, sha256: own?.sha256 ?? (await hashFile(join(outDir, name))).sha256 });
    }
    await writeAtomic(join(outDir, SUMS_FILE), renderSha256Sums(sums));
    await writeAtomic(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    // An earlier slipway's visible SHA256SUMS would now be stale, and it breaks `dist/*`.
    await removeLegacySums(outDir);
    return report;
  } finally {
    await removeTree(work);
    forgetWork();
  }
}

/**
 * The sentence of an uncommitted-changes warning: the CLI's warning line, and the error
 * `requireClean` throws (an error's message is English wherever it is made).
 */
export function uncommittedMessage(warning: Extract<BuildWarning, { kind: "uncommitted-changes" }>): string {
  const more = warning.count > warning.changes.length ? "; ..." : "";
  return `the git work tree has uncommitted changes (${warning.changes.join("; ")}${more}), so the build does not match commit ${warning.commit?.slice(0, 12) ?? "(none)"}`;
}

function sourceDateEpoch(options: BuildOptions, git: GitState | undefined): number | undefined {
  if (options.sourceDateEpoch !== undefined) return options.sourceDateEpoch;
  const fromEnv = options.env["SOURCE_DATE_EPOCH"];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!/^\d+$/.test(fromEnv)) {
      throw new SlipwayError(
        "config",
        `SOURCE_DATE_EPOCH must be a whole number of seconds, got "${fromEnv}"`,
        {
          hint: "Set it to e.g. $(git log -1 --format=%ct), or unset it to use the last commit's time.",
        },
      );
    }
    return Number(fromEnv);
  }
  return git?.commitTime;
}

interface PassOptions {
  options: BuildOptions;
  project: string;
  buildSystem: BuildSystem;
  interpreter: Interpreter;
  epoch: number | undefined;
  work: string;
  wantSdist: boolean;
  wantWheel: boolean;
  timings: Record<string, number>;
  /** The phase name to report instead of sdist/wheel (the reproducibility rebuild). */
  label: BuildPhase | undefined;
}

/** One pass: the sdist, then the wheel from it (or from the tree). */
async function buildAll(pass: PassOptions): Promise<Built[]> {
  const { options } = pass;
  const emit = (event: BuildEvent) => options.onEvent?.(event);
  const extraEnv: Record<string, string> =
    pass.epoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(pass.epoch) };
  const common = {
    interpreter: pass.interpreter,
    isolation: options.isolation !== false,
    pip: resolvePipSource(options.pip ?? {}, options.cwd),
    configSettings: options.configSettings ?? {},
    env: options.env,
    extraEnv,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  };
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      if (pass.label === undefined) pass.timings[name] = Math.round(performance.now() - t);
    }
  };
  const built: Built[] = [];
  let wheelSrc = pass.project;
  let wheelSystem = pass.buildSystem;
  if (pass.wantSdist) {
    emit(
      pass.label === undefined
        ? { type: "phase", phase: "sdist" }
        : { type: "phase", phase: pass.label, detail: "(sdist)" },
    );
    const outDir = join(pass.work, "sdist");
    await makeDir(outDir, { parents: true });
    const hook = await timed("sdist", () =>
      runBuildHook({ ...common, kind: "sdist", srcDir: pass.project, buildSystem: pass.buildSystem, outDir }),
    );
    const path = join(outDir, hook.filename);
    built.push({ path, kind: "sdist", hook });
    if (pass.wantWheel) {
      if (pass.label === undefined) emit({ type: "phase", phase: "unpack" });
      const dest = join(pass.work, "unpacked");
      const unpacked = await timed("unpack", () => extractSdist(path, dest));
      wheelSrc = join(dest, unpacked.root);
      wheelSystem = await readBuildSystem(openProject(wheelSrc), `${hook.filename}:pyproject.toml`);
    }
  }
  if (pass.wantWheel) {
    emit({
      type: "phase",
      phase: pass.label ?? "wheel",
      detail: wheelSrc === pass.project ? "from the source tree" : "from the sdist",
    });
    const outDir = join(pass.work, "wheel");
    await makeDir(outDir, { parents: true });
    const hook = await timed("wheel", () =>
      runBuildHook({ ...common, kind: "wheel", srcDir: wheelSrc, buildSystem: wheelSystem, outDir }),
    );
    built.push({ path: join(outDir, hook.filename), kind: "wheel", hook });
  }
  return built;
}
