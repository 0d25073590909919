/**
 * Extras, each in a venv of its own, and the entry-point probe that runs in every venv.
 *
 * Why a venv per extra: installed one after another into one venv, an extra is only tested with
 * every earlier extra's dependencies around it (`all` first installs everything, and each later
 * extra proves nothing), and the plain install no longer is plain. A fresh venv per extra proves
 * that the extra alone brings what its code imports. It costs a venv (~50 ms without pip) and an
 * install per extra; pip's bytecode compilation is what made that slow (prompt-manager's five
 * extras and `all`: 60 s compiled, 15 s with `--no-compile`, against 27 s for all of them in one
 * venv compiled), so extras install with `--no-compile`: the imports write what bytecode they need.
 */
import { join } from "node:path";
import { exec } from "../adapters/exec.ts";
import { readText } from "../adapters/fs.ts";
import type { Interpreter } from "../adapters/python/interpreter.ts";
import {
  createScratchVenv,
  formatPipCommand,
  runPip,
  type ScratchVenv,
} from "../adapters/python/scratch-venv.ts";
import { normalizeName } from "../core/names/name.ts";
import {
  ENTRY_POINT_PROBE_PY,
  type EntryPointRef,
  entryPointSubject,
  extraDistributions,
  type ProbeLine,
  type ProbeRequest,
  parseProbeOutput,
} from "../core/verify/entry-points.ts";
import {
  checkArchiveHash,
  findReportItem,
  type LocalArtifact,
  type PipSources,
  parsePipReport,
} from "../core/verify/install-proof.ts";
import { type Outcome, pipError, type SmokeFacts, tail } from "./verify-install-smoke.ts";

const PROBE_TIMEOUT_MS = 120_000;

/** What the probe found in one venv: each entry point's and module's line, by key. */
export interface ProbeResult {
  entryPoints: Map<string, ProbeLine & { kind: "ep" }>;
  modules: (ProbeLine & { kind: "module" })[];
  /** The probe's exit status and output tail, for entries it never reported (it died or hung). */
  exit: number;
  output: string;
}

export const entryPointKey = (ep: { group: string; name: string }): string => entryPointSubject(ep);

/**
 * Runs the probe in `venv`. An entry point it did not report (the process exited or timed out
 * while loading it, or before) is a failure with the process's last output line.
 */
export async function runProbe(venv: ScratchVenv, cwd: string, request: ProbeRequest): Promise<ProbeResult> {
  const r = await exec([venv.python, "-I", "-c", ENTRY_POINT_PROBE_PY], {
    cwd,
    env: venv.env,
    check: false,
    timeoutMs: PROBE_TIMEOUT_MS,
    input: JSON.stringify({
      project: request.project,
      entryPoints: request.entryPoints.map((e) => ({ group: e.group, name: e.name })),
      modules: request.modules,
      needs: request.needs,
    }),
  });
  const lines = parseProbeOutput(r.stdout);
  const output = tail([r.stderr.trim()].filter((t) => t !== "").join("\n"));
  const entryPoints = new Map<string, ProbeLine & { kind: "ep" }>();
  for (const line of lines) if (line.kind === "ep") entryPoints.set(entryPointKey(line), line);
  const died = output.split("\n").at(-1) || `the probe exited with ${r.code}`;
  for (const ep of request.entryPoints) {
    if (!entryPoints.has(entryPointKey(ep)))
      entryPoints.set(entryPointKey(ep), {
        kind: "ep",
        group: ep.group,
        name: ep.name,
        ok: false,
        error: died,
      });
  }
  return {
    entryPoints,
    modules: lines.filter((l): l is ProbeLine & { kind: "module" } => l.kind === "module"),
    exit: r.code,
    output,
  };
}

export interface ExtraVenvsInput {
  interpreter: Interpreter;
  /** The run's temp directory: each extra's venv and pip report go below it. */
  root: string;
  /** Where processes run (an empty directory). */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  project: string;
  facts: SmokeFacts;
  /** The artifacts under test: what pip must install for the project in every venv. */
  artifacts: readonly LocalArtifact[];
  sources: PipSources;
  /** pip's argv (after the pip command) installing `project[extras]==version`, given the report path. */
  install: (extras: readonly string[], report: string) => string[];
}

/** An extra's check: its step's outcome, and its venv and probe result when it got that far. */
export interface ExtraCheck {
  outcome: Outcome;
  venv?: ScratchVenv;
  probe?: ProbeResult;
}

/** Venvs with extras installed, one per set of extras, made on first use. */
export class ExtraVenvs {
  readonly #input: ExtraVenvsInput;
  readonly #made = new Map<string, Promise<ExtraCheck>>();
  /** Entry points that loaded on the plain install: they must load with every extra too. */
  loadedPlain = new Set<string>();

  constructor(input: ExtraVenvsInput) {
    this.#input = input;
  }

  /** Installs `extras` into a fresh venv (once per set) and checks imports and entry points there. */
  check(extras: readonly string[]): Promise<ExtraCheck> {
    const key = [...new Set(extras.map(normalizeName))].sort().join(",");
    let made = this.#made.get(key);
    if (made === undefined) {
      made = this.#check(extras, key);
      this.#made.set(key, made);
    }
    return made;
  }

  async #check(extras: readonly string[], key: string): Promise<ExtraCheck> {
    const input = this.#input;
    const { facts } = input;
    const unknown = extras.find((e) => !facts.extras.some((p) => normalizeName(p) === normalizeName(e)));
    if (unknown !== undefined) {
      // pip only warns about an undeclared extra and installs nothing for it.
      return {
        outcome: {
          ok: false,
          result: {
            kind: "extra-unknown",
            project: input.project,
            extra: unknown,
            provided: [...facts.extras],
          },
        },
      };
    }
    const extra = extras.join(",");
    const slug = key.replaceAll(",", "+");
    const venv = await createScratchVenv({
      interpreter: input.interpreter,
      dir: join(input.root, `venv-${slug}`),
      cwd: input.cwd,
      env: input.env,
    });
    const report = join(input.root, `extra-${slug}.json`);
    const argv = input.install(extras, report);
    const r = await runPip(venv, argv, { cwd: input.cwd });
    const command = formatPipCommand(venv, argv);
    if (r.code !== 0) {
      return {
        outcome: { ok: false, result: { kind: "extra-install-failed", extra }, command, output: pipError(r) },
      };
    }
    // A fresh venv installs the project again: it must be the proven file, not one from elsewhere.
    const item = findReportItem(parsePipReport(await readText(report)), input.project);
    const verdict = item === undefined ? undefined : checkArchiveHash(item, input.artifacts, input.sources);
    if (item === undefined || verdict?.ok === false) {
      return {
        outcome: {
          ok: false,
          result: { kind: "extra-replaced", extra, project: input.project },
          command,
          ...(verdict?.ok === false ? { hint: verdict.hint } : {}),
        },
      };
    }
    const needs = extras.flatMap((e) => extraDistributions(input.project, facts.requires, e));
    const probe = await runProbe(venv, input.cwd, {
      project: input.project,
      entryPoints: facts.entryPoints,
      modules: facts.sourceModules,
      needs,
    });
    const code = facts.modules.map((m) => `import ${m}`).join("\n");
    const imported =
      facts.modules.length === 0
        ? undefined
        : await exec([venv.python, "-I", "-c", code], {
            cwd: input.cwd,
            env: venv.env,
            check: false,
            timeoutMs: PROBE_TIMEOUT_MS,
          });
    const badModules = probe.modules.filter((m) => !m.ok);
    const badEntryPoints = facts.entryPoints.filter(
      (ep) =>
        this.loadedPlain.has(entryPointKey(ep)) && probe.entryPoints.get(entryPointKey(ep))?.ok === false,
    );
    if (
      (imported !== undefined && imported.code !== 0) ||
      badModules.length > 0 ||
      badEntryPoints.length > 0
    ) {
      const lines = [
        ...(imported !== undefined && imported.code !== 0
          ? [tail([imported.stdout.trim(), imported.stderr.trim()].filter((t) => t).join("\n"))]
          : []),
        ...badModules.map(
          (m) => `${m.module}${m.uses.length ? ` (uses ${m.uses.join(", ")})` : ""}: ${m.ok ? "" : m.error}`,
        ),
        ...badEntryPoints.map((ep) => {
          const line = probe.entryPoints.get(entryPointKey(ep));
          return `${entryPointSubject(ep)} = ${ep.value}: ${line?.ok === false ? line.error : ""}`;
        }),
      ];
      return {
        outcome: {
          ok: false,
          result: {
            kind: "extra-import-failed",
            extra,
            modules: [
              ...(imported !== undefined && imported.code !== 0 ? facts.modules : []),
              ...badModules.map((m) => m.module),
            ],
            ...(badEntryPoints.length > 0 ? { entryPoints: badEntryPoints.map(entryPointSubject) } : {}),
          },
          command,
          output: lines.join("\n"),
        },
        venv,
        probe,
      };
    }
    const loaded = [...probe.entryPoints.values()].filter((l) => l.ok).length;
    return {
      outcome: {
        ok: true,
        result: {
          kind: "extra-installed",
          modules: [...facts.modules],
          ...(probe.modules.length > 0 ? { needing: probe.modules.map((m) => m.module) } : {}),
          ...(facts.entryPoints.length > 0 ? { entryPoints: loaded } : {}),
        },
        command,
      },
      venv,
      probe,
    };
  }
}

export type { EntryPointRef };
