/**
 * One verify-install run: one target, one Python, one fresh venv. Each step is timed and
 * recorded with its command and, when it fails, the tail of its output. A failed install or
 * proof ends the run; a failed smoke test does not (the others still tell something).
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createSymlink, makeDir, readText } from "../adapters/fs.ts";
import { resolvePipSource } from "../adapters/python/build-env.ts";
import type { Interpreter } from "../adapters/python/interpreter.ts";
import {
  createScratchVenv,
  formatPipCommand,
  type InstalledDist,
  readInstalledDist,
  runPip,
  type ScratchVenv,
} from "../adapters/python/scratch-venv.ts";
import {
  type ArchiveVerdict,
  checkArchiveHash,
  compareInstalledRecord,
  describeDifferences,
  findReportItem,
  type PipReportItem,
  parsePipReport,
  urlFilename,
} from "../core/verify/install-proof.ts";
import { baseRequirements } from "../core/verify/smoke-targets.ts";
import type { ArchiveFact, VerifyResult } from "../core/verify/step-results.ts";
import { redact } from "../redact.ts";
import type {
  PlannedArtifact,
  PlannedTarget,
  StepKind,
  VerifyInstallOptions,
  VerifyStep,
} from "./verify-install.ts";
import { ExtraVenvs } from "./verify-install-extras.ts";
import { type BeginStep, runScriptsAndExtras } from "./verify-install-scripts.ts";
import { factsOf, importModule, type Outcome, pipError } from "./verify-install-smoke.ts";

export interface RunInput {
  target: PlannedTarget;
  interpreter: Interpreter;
  /** An empty temp dir the run owns: venv/, work/ (cwd of the smoke tests), wheelhouse/, reports. */
  root: string;
  options: VerifyInstallOptions;
  onStepStart: (kind: StepKind, subject: string) => void;
  onStep: (step: VerifyStep) => void;
}

const PIP_INSTALL = [
  "install",
  "--disable-pip-version-check",
  "--no-input",
  "--no-warn-script-location",
  "--progress-bar",
  "off",
];

/** Runs the steps of one target on one Python; returns them in order. */
export async function runTarget(input: RunInput): Promise<VerifyStep[]> {
  const { target, options, root } = input;
  const steps: VerifyStep[] = [];
  const begin: BeginStep = (kind, subject) => {
    input.onStepStart(kind, subject);
    const started = performance.now();
    return (outcome, ms) => {
      // Index URLs and pip's output may carry credentials; they never reach the report.
      const done: VerifyStep = {
        kind,
        subject,
        ok: outcome.ok,
        ...(outcome.warning ? { warning: true } : {}),
        result: redactFields(outcome.result),
        ...(outcome.hint === undefined ? {} : { hint: redact(outcome.hint) }),
        ...(outcome.command === undefined ? {} : { command: redact(outcome.command) }),
        ...(outcome.output === undefined ? {} : { output: redact(outcome.output) }),
        ms: ms ?? Math.round(performance.now() - started),
        ...(outcome.importMs === undefined ? {} : { importMs: outcome.importMs }),
      };
      steps.push(done);
      input.onStep(done);
      return done.ok;
    };
  };
  const step = async (kind: StepKind, subject: string, fn: () => Promise<Outcome>): Promise<boolean> => {
    const finish = begin(kind, subject);
    try {
      return finish(await fn());
    } catch (error) {
      return finish({
        ok: false,
        result: { kind: "error", error: error instanceof Error ? error.message : String(error) },
      });
    }
  };

  const work = join(root, "work");
  const wheelhouse = join(root, "wheelhouse");
  await makeDir(work);
  await makeDir(wheelhouse);
  for (const a of target.artifacts) await createSymlink(a.path, join(wheelhouse, a.filename));
  const requirement = (extra?: string) =>
    `${target.name}${extra === undefined || extra === "" ? "" : `[${extra}]`}==${target.version}`;
  // pip runs in an empty directory: a relative find-links path means the caller's directory.
  const links = resolvePipSource({ findLinks: options.findLinks ?? [] }, options.cwd).findLinks ?? [];
  const findLinks = links.flatMap((d) => ["--find-links", d]);
  // Where everything but the project itself comes from.
  const sourceArgs =
    options.indexUrl === undefined
      ? ["--find-links", wheelhouse, ...findLinks, ...(options.noIndex ? ["--no-index"] : [])]
      : ["--index-url", options.indexUrl, "--no-cache-dir", ...findLinks];

  let venv: ScratchVenv | undefined;
  const version = input.interpreter.version;
  if (
    !(await step("venv", `Python ${version}`, async () => {
      venv = await createScratchVenv({
        interpreter: input.interpreter,
        dir: join(root, "venv"),
        cwd: work,
        env: options.env,
      });
      return { ok: true, result: { kind: "venv-created", dir: venv.dir, pipVersion: venv.pipVersion } };
    })) ||
    venv === undefined
  ) {
    return steps;
  }
  const v = venv;

  // The project: from the index (exact version, wheel or sdist as the target says), or from the
  // local files alone (--no-index, so nothing else can stand in for them).
  const reportPath = join(root, "install-report.json");
  const installArgs =
    options.indexUrl !== undefined
      ? [...sourceArgs, target.kind === "wheel" ? "--only-binary" : "--no-binary", target.name, requirement()]
      : target.kind === "wheel"
        ? ["--no-deps", "--no-index", "--find-links", wheelhouse, "--only-binary", ":all:", requirement()]
        : [
            "--no-deps",
            "--no-cache-dir",
            ...findLinks,
            ...(options.noIndex ? ["--no-index"] : []),
            target.artifacts[0]?.path ?? "",
          ];
  let items: PipReportItem[] = [];
  const installed = await step("install", requirement(), async () => {
    const argv = [...PIP_INSTALL, "--report", reportPath, ...installArgs];
    const r = await runPip(v, argv, { cwd: work });
    const command = formatPipCommand(v, argv);
    if (r.code !== 0) {
      return {
        ok: false,
        result: { kind: "install-failed", requirement: requirement(), exit: r.code },
        command,
        output: pipError(r),
      };
    }
    items = parsePipReport(await readText(reportPath));
    return { ok: true, result: { kind: "installed", distributions: items.length }, command };
  });
  if (!installed) return steps;

  // Which local artifact pip took, and what the smoke tests read from it.
  let chosen: PlannedArtifact | undefined;
  let dist: InstalledDist | undefined;
  const proven = await step("proof", `${target.name} ${target.version}`, async () => {
    const item = findReportItem(items, target.name);
    if (item === undefined) return { ok: false, result: { kind: "not-in-report", name: target.name } };
    if (item.version !== target.version) {
      return {
        ok: false,
        result: {
          kind: "other-version",
          name: target.name,
          installed: item.version,
          expected: target.version,
        },
      };
    }
    const sources = {
      ...(options.indexUrl === undefined ? {} : { indexUrl: options.indexUrl }),
      findLinks: [...(options.indexUrl === undefined ? [wheelhouse] : []), ...links],
    };
    const verdict = checkArchiveHash(item, target.artifacts, sources);
    if (verdict.ok === false)
      return { ok: false, result: refusedArchive(item, verdict, target), hint: verdict.hint };
    const archive: ArchiveFact =
      verdict.ok === true
        ? { kind: "sha256-matches", filename: verdict.filename, sha256: verdict.sha256 }
        : { kind: "no-sha256", filename: verdict.filename, hash: item.hash ?? null };
    chosen = target.artifacts.find((a) => a.filename === verdict.filename);
    dist = await readInstalledDist(v, target.name, { cwd: work });
    if (dist === undefined) return { ok: false, result: { kind: "not-in-metadata", name: target.name } };
    if (chosen?.wheelFiles === undefined || chosen.distInfo === undefined) {
      // An sdist: pip built a wheel from it, so only the archive hash can be compared.
      return verdict.ok === true
        ? { ok: true, result: { kind: "sdist-proven", archive } }
        : { ok: false, result: { kind: "sdist-unproven", archive } };
    }
    const differences = compareInstalledRecord(chosen.wheelFiles, dist.files, chosen.distInfo);
    if (differences.length > 0) {
      return {
        ok: false,
        result: {
          kind: "record-differs",
          name: target.name,
          filename: chosen.filename,
          files: differences.length,
          archive,
        },
        output: describeDifferences(differences).join("\n"),
      };
    }
    // Without a sha256 from pip (an index linking with md5), the files alone prove the content.
    return { ok: true, result: { kind: "wheel-proven", archive, files: chosen.wheelFiles.length } };
  });
  // Smoke tests of other bytes than the ones under test would prove nothing.
  if (!proven || dist === undefined) return steps;
  const facts = factsOf(chosen, dist);

  const requires = baseRequirements(facts.requires);
  if (options.indexUrl === undefined && requires.length > 0) {
    const ok = await step("dependencies", requirement(), async () => {
      const argv = [...PIP_INSTALL, ...sourceArgs, requirement()];
      const r = await runPip(v, argv, { cwd: work });
      const command = formatPipCommand(v, argv);
      return r.code === 0
        ? { ok: true, result: { kind: "dependencies-satisfied", requirements: requires.length }, command }
        : {
            ok: false,
            result: { kind: "dependencies-failed", requirement: requirement() },
            command,
            output: pipError(r),
          };
    });
    if (!ok) return steps;
  }

  const modules = options.imports ?? facts.modules;
  for (const module of modules)
    await step("import", module, () => importModule(v, work, module, options.maxImportMs));
  const extraVenvs = new ExtraVenvs({
    interpreter: input.interpreter,
    root,
    cwd: work,
    env: options.env,
    project: target.name,
    facts: { ...facts, modules },
    artifacts: target.artifacts,
    sources: {
      ...(options.indexUrl === undefined ? {} : { indexUrl: options.indexUrl }),
      findLinks: [...(options.indexUrl === undefined ? [wheelhouse] : []), ...links],
    },
    // Bytecode is compiled on import, for what is imported: see verify-install-extras.ts.
    install: (extras, report) => [
      ...PIP_INSTALL,
      "--no-compile",
      "--report",
      report,
      ...sourceArgs,
      requirement(extras.join(",")),
    ],
  });
  await runScriptsAndExtras({
    venv: v,
    cwd: work,
    project: target.name,
    facts,
    scripts: options.scripts ?? facts.scripts.map((e) => e.name),
    extras: options.extras ?? facts.extras,
    extraSubject: requirement,
    extraVenvs,
    begin,
  });
  return steps;
}

/**
 * What a refused archive verdict is about, as facts: a file of another name than the artifacts
 * under test, or the same name with other bytes.
 */
function refusedArchive(
  item: PipReportItem,
  verdict: Extract<ArchiveVerdict, { ok: false }>,
  target: PlannedTarget,
): VerifyResult {
  const filename = urlFilename(item.url);
  return verdict.installed !== undefined && verdict.local !== undefined
    ? { kind: "hash-mismatch", filename, url: item.url, installed: verdict.installed, local: verdict.local }
    : { kind: "foreign-file", filename, url: item.url, artifacts: target.artifacts.map((a) => a.filename) };
}

/** Index URLs and pip's words may carry credentials: every text of a result passes redaction. */
function redactFields<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactFields) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactFields(v)])) as T;
  }
  return value;
}
