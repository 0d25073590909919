/**
 * The console-script and extra steps of a verify-install run. A script whose entry point
 * declares extras (`tool = pkg.cli:main [cli]`) runs once those extras are installed. A script
 * that fails on the plain install because an optional dependency is missing (httpx's `httpx`
 * without `httpx[cli]`) is a warning that names the extra, not an error; when the run installs
 * that extra, the script runs again with it, which proves the cause.
 */
import { performance } from "node:perf_hooks";
import type { ScratchVenv } from "../adapters/python/scratch-venv.ts";
import { normalizeName } from "../core/names/name.ts";
import { diagnoseScriptFailure, lastLine, type OptionalCause } from "../core/verify/optional-deps.ts";
import { scriptArgv } from "../core/verify/smoke-targets.ts";
import type { VerifyResult } from "../core/verify/step-results.ts";
import type { StepKind } from "./verify-install.ts";
import { type Outcome, runScript, type SmokeFacts } from "./verify-install-smoke.ts";

/**
 * Starts a step (its start event); the function it returns records the outcome, timed from the
 * start unless `ms` is given, and says whether the step passed.
 */
export type BeginStep = (kind: StepKind, subject: string) => (outcome: Outcome, ms?: number) => boolean;

export interface ScriptsAndExtrasInput {
  venv: ScratchVenv;
  /** Where scripts run (an empty directory). */
  cwd: string;
  project: string;
  facts: SmokeFacts;
  /** Scripts to run (a name runs with `--help`; several words are a command line). */
  scripts: readonly string[];
  /** Extras to install, in order, into the same venv. */
  extras: readonly string[];
  /** The subject of an extra's step (`name[extra]==version`). */
  extraSubject: (extra: string) => string;
  /** Installs `extra` and imports the modules again. */
  installExtra: (extra: string) => Promise<Outcome>;
  begin: BeginStep;
}

/** A script that failed on the plain install and may pass once an extra is in. */
interface Pending {
  script: string;
  name: string;
  failure: Outcome;
  ms: number;
  cause?: OptionalCause;
  finish: (outcome: Outcome, ms?: number) => boolean;
}

const normalized = (extras: readonly string[]) => extras.map(normalizeName);

/** A script's result with what the run knows around it (the extras it ran with, or failed with). */
function withScriptContext(
  result: VerifyResult,
  context: { declaredExtras?: string[]; alsoWithExtras?: string[] },
): VerifyResult {
  const script =
    result.kind === "script-ran" || result.kind === "script-missing" || result.kind === "script-failed";
  return script ? { ...result, ...context } : result;
}

function warning(
  name: string,
  cause: OptionalCause,
  outcome: "unverified" | "proven" | "unavailable",
  failure: Outcome,
): Outcome {
  return {
    ok: true,
    warning: true,
    result: { kind: "script-needs-extra", script: name, cause, outcome },
    ...(failure.command === undefined ? {} : { command: failure.command }),
    ...(failure.output === undefined ? {} : { output: failure.output }),
  };
}

async function timed(fn: () => Promise<Outcome>): Promise<[Outcome, number]> {
  const started = performance.now();
  const outcome = await fn();
  return [outcome, Math.round(performance.now() - started)];
}

/** Runs the script steps and the extra steps of one run, in the order the module comment gives. */
export async function runScriptsAndExtras(input: ScriptsAndExtrasInput): Promise<void> {
  const { venv, cwd } = input;
  const planned = new Set(normalized(input.extras));
  const declaredBy = new Map(input.facts.scripts.map((e) => [e.name, e.extras]));
  const dist = { project: input.project, extras: input.facts.extras, requires: input.facts.requires };
  const afterExtras: { script: string; needs: string[] }[] = [];
  const pending: Pending[] = [];

  for (const script of input.scripts) {
    const name = scriptArgv(script)[0] ?? script;
    const needs = declaredBy.get(name) ?? [];
    if (needs.length > 0 && normalized(needs).every((n) => planned.has(n))) {
      afterExtras.push({ script, needs });
      continue;
    }
    const finish = input.begin("script", script);
    const [failure, ms] = await timed(() => runScript(venv, cwd, script));
    if (failure.ok) {
      finish(failure, ms);
      continue;
    }
    const output = failure.output ?? "";
    const cause =
      diagnoseScriptFailure(output, dist) ??
      (needs.length > 0 ? { extras: needs, evidence: lastLine(output) } : undefined);
    if (cause !== undefined && !normalized(cause.extras).some((e) => planned.has(e))) {
      finish(warning(name, cause, "unverified", failure), ms);
    } else if (planned.size === 0) {
      finish(failure, ms);
    } else {
      pending.push({ script, name, failure, ms, finish, ...(cause === undefined ? {} : { cause }) });
    }
  }

  const installed = new Set<string>();
  for (const extra of input.extras) {
    const finish = input.begin("extra", input.extraSubject(extra));
    if (!finish(await input.installExtra(extra))) continue;
    installed.add(normalizeName(extra));
    for (const p of [...pending]) {
      // A script that named its extra runs again only once that extra is in.
      if (p.cause !== undefined && !normalized(p.cause.extras).some((e) => installed.has(e))) continue;
      if (!(await runScript(venv, cwd, p.script)).ok) continue;
      pending.splice(pending.indexOf(p), 1);
      const cause = p.cause ?? { extras: [extra], evidence: lastLine(p.failure.output ?? "") };
      p.finish(warning(p.name, cause, "proven", p.failure), p.ms);
    }
  }
  for (const p of pending) {
    const { cause, failure } = p;
    if (cause !== undefined && !normalized(cause.extras).some((e) => installed.has(e))) {
      p.finish(warning(p.name, cause, "unavailable", failure), p.ms);
    } else if (cause !== undefined) {
      p.finish(
        { ...failure, result: withScriptContext(failure.result, { alsoWithExtras: cause.extras }) },
        p.ms,
      );
    } else {
      p.finish(failure, p.ms);
    }
  }

  for (const { script, needs } of afterExtras) {
    const finish = input.begin("script", script);
    const missing = needs.filter((n) => !installed.has(normalizeName(n)));
    if (missing.length > 0) {
      finish({ ok: true, warning: true, result: { kind: "script-not-run", extras: missing } });
      continue;
    }
    const outcome = await runScript(venv, cwd, script);
    finish({ ...outcome, result: withScriptContext(outcome.result, { declaredExtras: needs }) });
  }
}
