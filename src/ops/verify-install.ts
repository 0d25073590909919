/**
 * `verify-install`: install the exact artifacts under test into fresh virtualenvs, prove that
 * what got installed is those bytes, and smoke-test the result (imports, console scripts,
 * extras, import time). Never prints; progress goes through `onEvent`.
 */
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { readArtifact } from "../adapters/archives/read-artifact.ts";
import { makeTempDir, removeTree } from "../adapters/fs.ts";
import { findPython, type Interpreter } from "../adapters/python/interpreter.ts";
import { pushAll } from "../core/arrays.ts";
import { normalizeName } from "../core/names/name.ts";
import {
  type EntryPointRef,
  loadableEntryPoints,
  sourceModules,
  wheelLibPaths,
} from "../core/verify/entry-points.ts";
import type { WheelFile } from "../core/verify/install-proof.ts";
import {
  consoleScriptEntries,
  readInstallFacts,
  type ScriptEntry,
  topLevelModules,
} from "../core/verify/smoke-targets.ts";
import type { VerifyResult } from "../core/verify/step-results.ts";
import { SlipwayError } from "../errors.ts";
import { runTarget } from "./verify-install-run.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface VerifyInstallOptions {
  /** Directory relative paths are resolved against. */
  cwd: string;
  env: Env;
  /** The artifacts under test: wheels, and sdists (which pip builds). */
  dists: string[];
  /** Install `name==version` from this index (simple API URL); else from the local files. */
  indexUrl?: string;
  /** Extra places pip may find dependencies (and build backends for sdists). */
  findLinks?: string[];
  /** Dependencies from `findLinks` only (local installs; an index install keeps its index). */
  noIndex?: boolean;
  /** Interpreters to verify with (paths or commands); default: the first Python >= 3.9 on PATH. */
  pythons?: string[];
  /** Extras to install and import; default: every Provides-Extra. */
  extras?: string[];
  /** Modules to import; default: every top-level module the distribution ships. */
  imports?: string[];
  /**
   * Console scripts to run (a name runs with `--help`; several words are a command line);
   * default: every console_scripts entry.
   */
  scripts?: string[];
  /** An import slower than this fails. */
  maxImportMs?: number;
  /** Keep the virtualenvs (their paths are in the report). */
  keep?: boolean;
  onEvent?: (event: VerifyEvent) => void;
}

export type StepKind =
  | "venv"
  | "install"
  | "proof"
  | "dependencies"
  | "import"
  | "entry-point"
  | "script"
  | "extra";

export interface VerifyStep {
  kind: StepKind;
  /** What the step tested: a requirement, a module, a command, an extra. */
  subject: string;
  /** False fails the run; a warning is ok. */
  ok: boolean;
  /**
   * Something to act on that does not fail the run: a console script that needs an extra
   * the plain install lacks.
   */
  warning?: true;
  /** What was found, or what failed and why, as facts (`describeVerifyResult` words it). */
  result: VerifyResult;
  /** What to do about a failure or a warning. */
  hint?: string;
  /** The command that ran, for running it again by hand. */
  command?: string;
  /** The last lines of the command's output, when the step failed. */
  output?: string;
  ms: number;
  /** Import steps: the time of the import itself (interpreter start-up excluded). */
  importMs?: number;
}

/** One distribution to install: a release's wheels (pip picks the one for each Python), or one sdist. */
export interface VerifyTarget {
  name: string;
  version: string;
  kind: "wheel" | "sdist";
  /** File names of the artifacts under test. */
  files: string[];
}

export interface VerifyRun {
  target: VerifyTarget;
  python: { path: string; version: string };
  ok: boolean;
  steps: VerifyStep[];
  /** The kept virtualenv (with `keep`). */
  venv?: string;
  ms: number;
}

export interface VerifyReport {
  ok: boolean;
  source: { kind: "index"; url: string } | { kind: "local" };
  runs: VerifyRun[];
}

export type VerifyEvent =
  | { type: "start"; targets: VerifyTarget[]; pythons: string[] }
  | { type: "run-start"; target: VerifyTarget; python: string; version: string }
  | { type: "step-start"; target: VerifyTarget; python: string; kind: StepKind; subject: string }
  | { type: "step"; target: VerifyTarget; python: string; step: VerifyStep }
  | { type: "run-done"; run: VerifyRun };

/** A local artifact and what the smoke tests read from it. */
export interface PlannedArtifact {
  path: string;
  filename: string;
  sha256: string;
  /** Wheels: every file with the sha256 of its content (what RECORD is compared against). */
  wheelFiles?: WheelFile[];
  distInfo?: string;
  modules: string[];
  /** console_scripts entries, with the extras their entry points declare. */
  scripts: ScriptEntry[];
  /** Every other entry point (gui_scripts, plugin groups): loaded, not run. */
  entryPoints: EntryPointRef[];
  /** Every Python source module (dotted), for finding those that import an extra's distributions. */
  sourceModules: string[];
  extras: string[];
  requires: readonly string[];
}

export interface PlannedTarget extends VerifyTarget {
  artifacts: PlannedArtifact[];
}

const member = (contents: Map<string, Uint8Array>, pattern: RegExp) => {
  for (const [name, bytes] of contents) if (pattern.test(name)) return { name, bytes };
  return undefined;
};

async function planArtifact(path: string, display: string): Promise<PlannedTarget> {
  const model = await readArtifact(path, { display });
  if (model.kind === "unknown") {
    throw new SlipwayError("usage", `${display} is not a wheel (.whl) or an sdist (.tar.gz)`, {
      hint: "Pass the distribution files to verify, e.g. dist/*.whl.",
    });
  }
  const metadata = member(
    model.contents,
    model.kind === "wheel" ? /^[^/]+\.dist-info\/METADATA$/ : /^[^/]+\/PKG-INFO$/,
  );
  const facts = metadata === undefined ? undefined : readInstallFacts(metadata.bytes);
  if (!model.readable || facts?.name === undefined || facts.version === undefined) {
    throw new SlipwayError("archive", `cannot read the name and version of ${display}`, {
      hint: `Run \`slipway check ${display}\` to see what is wrong with it.`,
    });
  }
  const artifact: PlannedArtifact = {
    path,
    filename: model.filename,
    sha256: model.sha256,
    modules: [],
    scripts: [],
    entryPoints: [],
    sourceModules: [],
    extras: facts.extras,
    requires: facts.requires,
  };
  if (model.kind === "wheel") {
    const distInfo = metadata?.name.split("/")[0] ?? "";
    const entryPoints = model.contents.get(`${distInfo}/entry_points.txt`);
    artifact.distInfo = distInfo;
    artifact.wheelFiles = model.members.flatMap((m) =>
      m.kind === "file" && m.digests?.sha256 !== undefined
        ? [{ path: m.name, sha256: m.digests.sha256 }]
        : [],
    );
    artifact.modules = topLevelModules(artifact.wheelFiles.map((f) => f.path));
    const entryPointsText = entryPoints && new TextDecoder().decode(entryPoints);
    artifact.scripts = consoleScriptEntries(entryPointsText);
    artifact.entryPoints = loadableEntryPoints(entryPointsText);
    artifact.sourceModules = sourceModules(wheelLibPaths(artifact.wheelFiles.map((f) => f.path)));
  }
  return {
    name: facts.name,
    version: facts.version,
    kind: model.kind,
    files: [model.filename],
    artifacts: [artifact],
  };
}

/** The targets: each release's wheels together (pip picks the right one per Python), each sdist alone. */
export async function planTargets(dists: readonly string[], cwd: string): Promise<PlannedTarget[]> {
  const planned = await Promise.all(dists.map((d) => planArtifact(resolve(cwd, d), d)));
  const targets: PlannedTarget[] = [];
  const wheels = new Map<string, PlannedTarget>();
  for (const one of planned) {
    if (one.kind === "sdist") {
      targets.push(one);
      continue;
    }
    const key = `${normalizeName(one.name)}==${one.version}`;
    const group = wheels.get(key);
    if (group === undefined) {
      wheels.set(key, one);
      targets.push(one);
    } else if (!group.files.includes(one.files[0] ?? "")) {
      pushAll(group.files, one.files);
      pushAll(group.artifacts, one.artifacts);
    }
  }
  return targets;
}

const publicTarget = (t: PlannedTarget): VerifyTarget => ({
  name: t.name,
  version: t.version,
  kind: t.kind,
  files: [...t.files],
});

/**
 * Verifies every target with every Python: a fresh venv each, an install of the exact version
 * (from `indexUrl`, else from the local files), the proof that the installed bytes are the local
 * ones, and the smoke tests. Failures are steps in the report (`ok: false`), never thrown; only
 * unusable input (no dists, an unreadable file, no interpreter) throws a SlipwayError.
 */
export async function verifyInstall(options: VerifyInstallOptions): Promise<VerifyReport> {
  if (options.dists.length === 0) {
    throw new SlipwayError("usage", "no distributions to verify", {
      hint: "Build first (`slipway build`) or name the wheels and sdists to install.",
    });
  }
  const targets = await planTargets(options.dists, options.cwd);
  const interpreters: Interpreter[] = [];
  for (const python of options.pythons?.length ? options.pythons : [undefined]) {
    interpreters.push(await findPython({ python, cwd: options.cwd, env: options.env }));
  }
  options.onEvent?.({
    type: "start",
    targets: targets.map(publicTarget),
    pythons: interpreters.map((i) => i.path),
  });
  const runs: VerifyRun[] = [];
  for (const target of targets) {
    for (const interpreter of interpreters) {
      const started = performance.now();
      const publicT = publicTarget(target);
      options.onEvent?.({
        type: "run-start",
        target: publicT,
        python: interpreter.path,
        version: interpreter.version,
      });
      const root = await makeTempDir("slipway-verify-");
      let steps: VerifyStep[];
      try {
        steps = await runTarget({
          target,
          interpreter,
          root,
          options,
          onStepStart: (kind, subject) =>
            options.onEvent?.({
              type: "step-start",
              target: publicT,
              python: interpreter.path,
              kind,
              subject,
            }),
          onStep: (step) =>
            options.onEvent?.({ type: "step", target: publicT, python: interpreter.path, step }),
        });
      } finally {
        if (!options.keep) await removeTree(root);
      }
      const run: VerifyRun = {
        target: publicT,
        python: { path: interpreter.path, version: interpreter.version },
        ok: steps.every((s) => s.ok),
        steps,
        ...(options.keep ? { venv: join(root, "venv") } : {}),
        ms: Math.round(performance.now() - started),
      };
      options.onEvent?.({ type: "run-done", run });
      runs.push(run);
    }
  }
  return {
    ok: runs.every((r) => r.ok),
    source: options.indexUrl === undefined ? { kind: "local" } : { kind: "index", url: options.indexUrl },
    runs,
  };
}
