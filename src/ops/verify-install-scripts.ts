/**
 * The entry-point, console-script and extra steps of a verify-install run. A script whose entry
 * point declares extras (`tool = pkg.cli:main [cli]`) runs once those extras are installed. A
 * script or entry point that fails on the plain install because an optional dependency is
 * missing (httpx's `httpx` without `httpx[cli]`, a plugin whose SDK comes with an extra) is a
 * warning that names the extra, not an error; when the run installs that extra (in a venv of
 * its own, see verify-install-extras.ts), it runs or loads again there, which proves the cause.
 */
import { performance } from "node:perf_hooks";
import type { ScratchVenv } from "../adapters/python/scratch-venv.ts";
import { normalizeName } from "../core/names/name.ts";
import {
  diagnoseLoadFailure,
  type EntryPointRef,
  entryPointSubject,
  installCommand,
} from "../core/verify/entry-points.ts";
import { diagnoseScriptFailure, lastLine, type OptionalCause } from "../core/verify/optional-deps.ts";
import { scriptArgv } from "../core/verify/smoke-targets.ts";
import type { VerifyResult } from "../core/verify/step-results.ts";
import type { StepKind } from "./verify-install.ts";
import { type ExtraCheck, type ExtraVenvs, entryPointKey, runProbe } from "./verify-install-extras.ts";
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
  /** Extras to install, in order, each into a venv of its own. */
  extras: readonly string[];
  /** The subject of an extra's step (`name[extra]==version`). */
  extraSubject: (extra: string) => string;
  /** The venvs with extras installed (and their checks). */
  extraVenvs: ExtraVenvs;
  begin: BeginStep;
}

/** An entry point that failed to load on the plain install and may load once an extra is in. */
interface PendingEntryPoint {
  ep: EntryPointRef;
  error: string;
  cause?: OptionalCause;
  ms: number;
  finish: (outcome: Outcome, ms?: number) => boolean;
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

function entryPointWarning(
  project: string,
  ep: EntryPointRef,
  cause: OptionalCause,
  outcome: "unverified" | "proven" | "unavailable",
): Outcome {
  return {
    ok: true,
    warning: true,
    result: {
      kind: "entry-point-needs-extra",
      group: ep.group,
      name: ep.name,
      value: ep.value,
      cause,
      outcome,
      install: installCommand(project, cause.extras.slice(0, 1)),
    },
  };
}

const entryPointFailed = (ep: EntryPointRef, error: string, alsoWithExtras?: string[]): Outcome => ({
  ok: false,
  result: {
    kind: "entry-point-failed",
    group: ep.group,
    name: ep.name,
    value: ep.value,
    lastLine: error,
    ...(alsoWithExtras === undefined ? {} : { alsoWithExtras }),
  },
});

/**
 * Loads every entry point (console scripts aside) on the plain install, one step each: loaded,
 * failed, a warning naming the extra it needs, or pending until the extras have been tried.
 */
async function loadEntryPoints(
  input: ScriptsAndExtrasInput,
  planned: ReadonlySet<string>,
  dist: { project: string; extras: readonly string[]; requires: readonly string[] },
): Promise<PendingEntryPoint[]> {
  const eps = input.facts.entryPoints;
  if (eps.length === 0) return [];
  const finishers = eps.map((ep) => input.begin("entry-point", entryPointSubject(ep)));
  const [probe, ms] = await timedValue(() =>
    runProbe(input.venv, input.cwd, { project: input.project, entryPoints: eps, modules: [], needs: [] }),
  );
  const pending: PendingEntryPoint[] = [];
  eps.forEach((ep, i) => {
    const finish = finishers[i] ?? (() => false);
    const line = probe.entryPoints.get(entryPointKey(ep));
    if (line?.ok) {
      input.extraVenvs.loadedPlain.add(entryPointKey(ep));
      finish({ ok: true, result: { kind: "entry-point-loaded", value: ep.value } }, ms);
      return;
    }
    const error = line?.ok === false ? line.error : "";
    const missing = line?.ok === false ? line.missing : undefined;
    const cause = diagnoseLoadFailure(
      { lastLine: error, ...(missing === undefined ? {} : { missing }) },
      dist,
      ep.extras,
    );
    if (cause !== undefined && !normalized(cause.extras).some((e) => planned.has(e))) {
      finish(entryPointWarning(input.project, ep, cause, "unverified"), ms);
    } else if (planned.size === 0) {
      finish(entryPointFailed(ep, error), ms);
    } else {
      pending.push({ ep, error, ms, finish, ...(cause === undefined ? {} : { cause }) });
    }
  });
  return pending;
}

async function timedValue<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, Math.round(performance.now() - started)];
}

async function checkExtraSafely(venvs: ExtraVenvs, extras: readonly string[]): Promise<ExtraCheck> {
  try {
    return await venvs.check(extras);
  } catch (error) {
    return {
      outcome: {
        ok: false,
        result: { kind: "error", error: error instanceof Error ? error.message : String(error) },
      },
    };
  }
}

/** Runs the entry-point, script and extra steps of one run, in the order the module comment gives. */
export async function runScriptsAndExtras(input: ScriptsAndExtrasInput): Promise<void> {
  const { venv, cwd } = input;
  const planned = new Set(normalized(input.extras));
  const declaredBy = new Map(input.facts.scripts.map((e) => [e.name, e.extras]));
  const dist = { project: input.project, extras: input.facts.extras, requires: input.facts.requires };
  const afterExtras: { script: string; needs: string[] }[] = [];
  const pending: Pending[] = [];
  const pendingEntryPoints = await loadEntryPoints(input, planned, dist);

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
  const waitsFor = (cause: OptionalCause | undefined) =>
    // A failure that named its extra is retried only once that extra is in.
    cause !== undefined && !normalized(cause.extras).some((e) => installed.has(e));
  for (const extra of input.extras) {
    const finish = input.begin("extra", input.extraSubject(extra));
    const check = await checkExtraSafely(input.extraVenvs, [extra]);
    if (!finish(check.outcome) || check.venv === undefined) continue;
    installed.add(normalizeName(extra));
    for (const p of [...pendingEntryPoints]) {
      if (waitsFor(p.cause) || !check.probe?.entryPoints.get(entryPointKey(p.ep))?.ok) continue;
      pendingEntryPoints.splice(pendingEntryPoints.indexOf(p), 1);
      const cause = p.cause ?? { extras: [extra], evidence: p.error };
      p.finish(entryPointWarning(input.project, p.ep, cause, "proven"), p.ms);
    }
    for (const p of [...pending]) {
      if (waitsFor(p.cause)) continue;
      if (!(await runScript(check.venv, cwd, p.script)).ok) continue;
      pending.splice(pending.indexOf(p), 1);
      const cause = p.cause ?? { extras: [extra], evidence: lastLine(p.failure.output ?? "") };
      p.finish(warning(p.name, cause, "proven", p.failure), p.ms);
    }
  }
  for (const p of pendingEntryPoints) {
    if (waitsFor(p.cause) && p.cause !== undefined) {
      p.finish(entryPointWarning(input.project, p.ep, p.cause, "unavailable"), p.ms);
    } else {
      p.finish(entryPointFailed(p.ep, p.error, p.cause?.extras), p.ms);
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
    // Several declared extras: a venv with all of them (one extra's venv is the one its step made).
    const check = missing.length > 0 ? undefined : await checkExtraSafely(input.extraVenvs, needs);
    if (check?.venv === undefined || !check.outcome.ok) {
      finish({
        ok: true,
        warning: true,
        result: { kind: "script-not-run", extras: missing.length > 0 ? missing : needs },
      });
      continue;
    }
    const outcome = await runScript(check.venv, cwd, script);
    finish({ ...outcome, result: withScriptContext(outcome.result, { declaredExtras: needs }) });
  }
}
