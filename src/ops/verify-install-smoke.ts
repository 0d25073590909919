/**
 * The smoke tests of a verify-install run on the plain install, each one step: import a module
 * (timed against a budget), run a console script. Extras: verify-install-extras.ts.
 */
import { join } from "node:path";
import { type ExecResult, exec, formatArgv } from "../adapters/exec.ts";
import { pathExists } from "../adapters/fs.ts";
import type { InstalledDist, ScratchVenv } from "../adapters/python/scratch-venv.ts";
import { type EntryPointRef, loadableEntryPoints, sourceModules } from "../core/verify/entry-points.ts";
import {
  consoleScriptEntries,
  IMPORT_PROBE_PY,
  parseImportMs,
  readInstallFacts,
  type ScriptEntry,
  scriptArgv,
  slowestImports,
  stripImportTime,
  stripProbeOutput,
  topLevelModules,
} from "../core/verify/smoke-targets.ts";
import type { PlannedArtifact, VerifyStep } from "./verify-install.ts";

/** What a step found; the runner adds its kind, subject and time. */
export type Outcome = Omit<VerifyStep, "kind" | "subject" | "ms">;

const TAIL_LINES = 20;
const SCRIPT_TIMEOUT_MS = 60_000;
const IMPORT_TIMEOUT_MS = 120_000;

export const tail = (text: string): string => text.trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
const outputOf = (r: ExecResult) =>
  tail([r.stdout.trim(), r.stderr.trim()].filter((t) => t !== "").join("\n"));
/** pip says what went wrong on stderr; its stdout is progress. */
export const pipError = (r: ExecResult): string => tail(r.stderr.trim() || r.stdout);

export interface SmokeFacts {
  modules: string[];
  scripts: ScriptEntry[];
  entryPoints: EntryPointRef[];
  sourceModules: string[];
  extras: string[];
  requires: readonly string[];
}

/** Modules, scripts and extras to exercise: from the wheel pip installed, or (sdist) from what pip built. */
export function factsOf(chosen: PlannedArtifact | undefined, dist: InstalledDist): SmokeFacts {
  if (chosen?.wheelFiles !== undefined) return chosen;
  const md = readInstallFacts(new TextEncoder().encode(dist.metadata));
  const lib = dist.files.filter((f) => f.scheme === "lib").map((f) => f.path);
  return {
    modules: topLevelModules(lib),
    scripts: consoleScriptEntries(dist.entryPoints),
    entryPoints: loadableEntryPoints(dist.entryPoints),
    sourceModules: sourceModules(lib),
    extras: md.extras,
    requires: md.requires,
  };
}

/** Imports timed against a budget: the median of this many (one when there is no budget). */
export const IMPORT_RUNS = 5;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * Imports `module` in a fresh interpreter; with a budget, IMPORT_RUNS times, each in a fresh
 * interpreter, and the median counts (the first run also writes bytecode, and a shared machine
 * makes any one run noisy). Over the budget names the modules with the largest own time in the
 * run closest to the median.
 */
export async function importModule(
  v: ScratchVenv,
  cwd: string,
  module: string,
  maxMs: number | undefined,
): Promise<Outcome> {
  const command = formatArgv([v.python, "-X", "importtime", "-c", `import ${module}`]);
  const timings: { ms: number; stderr: string }[] = [];
  for (let i = 0; i < (maxMs === undefined ? 1 : IMPORT_RUNS); i++) {
    // -I: no cwd, PYTHONPATH or user site on sys.path, so only the venv can satisfy the import.
    const r = await exec([v.python, "-I", "-X", "importtime", "-c", IMPORT_PROBE_PY, module], {
      cwd,
      env: v.env,
      check: false,
      timeoutMs: IMPORT_TIMEOUT_MS,
    });
    const ms = parseImportMs(r.stdout);
    if (r.code !== 0 || ms === undefined) {
      const output = tail(
        [stripProbeOutput(r.stdout).trim(), stripImportTime(r.stderr).trim()].filter((t) => t).join("\n"),
      );
      const last = output.split("\n").at(-1) ?? "";
      return {
        ok: false,
        result: { kind: "import-failed", module, lastLine: last, exit: r.code },
        command,
        output,
      };
    }
    timings.push({ ms, stderr: r.stderr });
  }
  const ms = median(timings.map((t) => t.ms));
  const importMs = Math.round(ms * 10) / 10;
  const runs = timings.length > 1 ? { runs: timings.length } : {};
  if (maxMs !== undefined && ms > maxMs) {
    const typical = timings.reduce((a, b) => (Math.abs(b.ms - ms) < Math.abs(a.ms - ms) ? b : a));
    const slowest = slowestImports(typical.stderr);
    const top = slowest[0];
    return {
      ok: false,
      result: {
        kind: "import-slow",
        module,
        ms: importMs,
        budget: maxMs,
        ...runs,
        ...(top === undefined
          ? {}
          : { slowest: { module: top.module, ms: Math.round(top.selfMs * 10) / 10 } }),
      },
      command,
      output: `slowest modules (own time):\n${slowest.map((s) => `${s.selfMs.toFixed(1).padStart(8)} ms  ${s.module}`).join("\n")}`,
      importMs,
    };
  }
  return { ok: true, result: { kind: "imported", ms: importMs, ...runs }, command, importMs };
}

export async function runScript(v: ScratchVenv, cwd: string, script: string): Promise<Outcome> {
  const [name = "", ...args] = scriptArgv(script);
  const exe = name.includes("/") ? name : join(v.bin, name);
  const command = formatArgv([exe, ...args]);
  // Any trouble telling (a permission, a loop) counts as not installed.
  if (!(await pathExists(exe).catch(() => false)))
    return { ok: false, result: { kind: "script-missing", name, bin: v.bin }, command };
  const r = await exec([exe, ...args], { cwd, env: v.env, check: false, timeoutMs: SCRIPT_TIMEOUT_MS });
  return r.code === 0
    ? { ok: true, result: { kind: "script-ran", argv: [name, ...args] }, command }
    : {
        ok: false,
        result: { kind: "script-failed", name, argv: [name, ...args], exit: r.code },
        command,
        output: outputOf(r),
      };
}
