/**
 * The smoke tests of a verify-install run, each one step: import a module (timed against a
 * budget), run a console script, install an extra and import again.
 */
import { join } from "node:path";
import { type ExecResult, exec, formatArgv } from "../adapters/exec.ts";
import { pathExists, readText } from "../adapters/fs.ts";
import {
  formatPipCommand,
  type InstalledDist,
  runPip,
  type ScratchVenv,
} from "../adapters/python/scratch-venv.ts";
import { normalizeName } from "../core/names/name.ts";
import { findReportItem, parsePipReport } from "../core/verify/install-proof.ts";
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
  extras: string[];
  requires: readonly string[];
}

/** Modules, scripts and extras to exercise: from the wheel pip installed, or (sdist) from what pip built. */
export function factsOf(chosen: PlannedArtifact | undefined, dist: InstalledDist): SmokeFacts {
  if (chosen?.wheelFiles !== undefined) return chosen;
  const md = readInstallFacts(new TextEncoder().encode(dist.metadata));
  return {
    modules: topLevelModules(dist.files.filter((f) => f.scheme === "lib").map((f) => f.path)),
    scripts: consoleScriptEntries(dist.entryPoints),
    extras: md.extras,
    requires: md.requires,
  };
}

export async function importModule(
  v: ScratchVenv,
  cwd: string,
  module: string,
  maxMs: number | undefined,
): Promise<Outcome> {
  // -I: no cwd, PYTHONPATH or user site on sys.path, so only the venv can satisfy the import.
  const r = await exec([v.python, "-I", "-X", "importtime", "-c", IMPORT_PROBE_PY, module], {
    cwd,
    env: v.env,
    check: false,
    timeoutMs: IMPORT_TIMEOUT_MS,
  });
  const command = formatArgv([v.python, "-X", "importtime", "-c", `import ${module}`]);
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
  const importMs = Math.round(ms * 10) / 10;
  if (maxMs !== undefined && ms > maxMs) {
    const slowest = slowestImports(r.stderr).map((s) => `${s.selfMs.toFixed(1).padStart(8)} ms  ${s.module}`);
    return {
      ok: false,
      result: { kind: "import-slow", module, ms: importMs, budget: maxMs },
      command,
      output: `slowest modules (own time):\n${slowest.join("\n")}`,
      importMs,
    };
  }
  return { ok: true, result: { kind: "imported", ms: importMs }, command, importMs };
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

/**
 * Installs `project[extra]` into the venv that holds the project (pip keeps the installed
 * project; a report listing it means pip swapped it, which fails) and imports the modules again.
 */
export async function checkExtra(options: {
  venv: ScratchVenv;
  cwd: string;
  project: string;
  extra: string;
  /** The extras the distribution declares (Provides-Extra). */
  provided: readonly string[];
  modules: readonly string[];
  /** pip's argv after the pip command, given the report path. */
  install: (report: string) => string[];
  report: string;
}): Promise<Outcome> {
  const { venv: v, extra, provided } = options;
  if (!provided.some((p) => normalizeName(p) === normalizeName(extra))) {
    // pip only warns about an undeclared extra and installs nothing for it.
    return {
      ok: false,
      result: { kind: "extra-unknown", project: options.project, extra, provided: [...provided] },
    };
  }
  const argv = options.install(options.report);
  const r = await runPip(v, argv, { cwd: options.cwd });
  const command = formatPipCommand(v, argv);
  if (r.code !== 0) {
    return {
      ok: false,
      result: { kind: "extra-install-failed", extra },
      command,
      output: pipError(r),
    };
  }
  if (findReportItem(parsePipReport(await readText(options.report)), options.project) !== undefined) {
    return {
      ok: false,
      result: { kind: "extra-replaced", extra, project: options.project },
      command,
    };
  }
  if (options.modules.length === 0)
    return { ok: true, result: { kind: "extra-installed", modules: [] }, command };
  const code = options.modules.map((m) => `import ${m}`).join("\n");
  const imported = await exec([v.python, "-I", "-c", code], {
    cwd: options.cwd,
    env: v.env,
    check: false,
    timeoutMs: IMPORT_TIMEOUT_MS,
  });
  const modules = [...options.modules];
  return imported.code === 0
    ? { ok: true, result: { kind: "extra-installed", modules }, command }
    : {
        ok: false,
        result: { kind: "extra-import-failed", extra, modules },
        command: formatArgv([v.python, "-c", code.replaceAll("\n", "; ")]),
        output: outputOf(imported),
      };
}
