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
import { normalizeName } from "../core/names/name.ts";
import {
  checkArchiveHash,
  compareInstalledRecord,
  describeDifferences,
  findReportItem,
  type PipReportItem,
  parsePipReport,
} from "../core/verify/install-proof.ts";
import { baseRequirements } from "../core/verify/smoke-targets.ts";
import { redact } from "../redact.ts";
import type {
  PlannedArtifact,
  PlannedTarget,
  StepKind,
  VerifyInstallOptions,
  VerifyStep,
} from "./verify-install.ts";
import { type BeginStep, runScriptsAndExtras } from "./verify-install-scripts.ts";
import { checkExtra, factsOf, importModule, type Outcome, pipError } from "./verify-install-smoke.ts";

export interface RunInput {
  target: PlannedTarget;
  interpreter: Interpreter;
  /** An empty temp dir the run owns: venv/, work/ (cwd of the smoke tests), wheelhouse/, reports. */
  root: string;
  options: VerifyInstallOptions;
  onStepStart: (kind: StepKind, subject: string) => void;
  onStep: (step: VerifyStep) => void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

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
        message: redact(outcome.message),
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
      return finish({ ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  };

  const work = join(root, "work");
  const wheelhouse = join(root, "wheelhouse");
  await makeDir(work);
  await makeDir(wheelhouse);
  for (const a of target.artifacts) await createSymlink(a.path, join(wheelhouse, a.filename));
  const requirement = (extra?: string) =>
    `${target.name}${extra === undefined ? "" : `[${extra}]`}==${target.version}`;
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
      return { ok: true, message: `${venv.dir} (pip ${venv.pipVersion})` };
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
        message: `pip could not install ${requirement()} (exit ${r.code})`,
        command,
        output: pipError(r),
      };
    }
    items = parsePipReport(await readText(reportPath));
    return { ok: true, message: `installed ${plural(items.length, "distribution")}`, command };
  });
  if (!installed) return steps;

  // Which local artifact pip took, and what the smoke tests read from it.
  let chosen: PlannedArtifact | undefined;
  let dist: InstalledDist | undefined;
  const proven = await step("proof", `${target.name} ${target.version}`, async () => {
    const item = findReportItem(items, target.name);
    if (item === undefined) return { ok: false, message: `pip's report does not list ${target.name}` };
    if (item.version !== target.version) {
      return { ok: false, message: `pip installed ${target.name} ${item.version}, not ${target.version}` };
    }
    const sources = {
      ...(options.indexUrl === undefined ? {} : { indexUrl: options.indexUrl }),
      findLinks: [...(options.indexUrl === undefined ? [wheelhouse] : []), ...links],
    };
    const verdict = checkArchiveHash(item, target.artifacts, sources);
    if (verdict.ok === false) return { ok: false, message: verdict.message, hint: verdict.hint };
    chosen = target.artifacts.find((a) => a.filename === verdict.filename);
    dist = await readInstalledDist(v, target.name, { cwd: work });
    if (dist === undefined)
      return { ok: false, message: `pip installed ${target.name}, but importlib.metadata does not find it` };
    if (chosen?.wheelFiles === undefined || chosen.distInfo === undefined) {
      // An sdist: pip built a wheel from it, so only the archive hash can be compared.
      return verdict.ok === true
        ? { ok: true, message: verdict.message }
        : { ok: false, message: `${verdict.message}; cannot prove an sdist install without it` };
    }
    const differences = compareInstalledRecord(chosen.wheelFiles, dist.files, chosen.distInfo);
    if (differences.length > 0) {
      return {
        ok: false,
        message: `the installed files of ${target.name} differ from ${chosen.filename} in ${plural(differences.length, "file")}${verdict.ok === true ? "" : `; ${verdict.message}`}`,
        output: describeDifferences(differences).join("\n"),
      };
    }
    const files = plural(chosen.wheelFiles.length, "file");
    // Without a sha256 from pip (an index linking with md5), the files alone prove the content.
    return { ok: true, message: `${verdict.message}; installed RECORD: ${files} identical to the wheel's` };
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
        ? { ok: true, message: `${plural(requires.length, "requirement")} satisfied`, command }
        : {
            ok: false,
            message: `pip could not install the dependencies of ${requirement()}`,
            command,
            output: pipError(r),
          };
    });
    if (!ok) return steps;
  }

  const modules = options.imports ?? facts.modules;
  for (const module of modules)
    await step("import", module, () => importModule(v, work, module, options.maxImportMs));
  await runScriptsAndExtras({
    venv: v,
    cwd: work,
    project: target.name,
    facts,
    scripts: options.scripts ?? facts.scripts.map((e) => e.name),
    extras: options.extras ?? facts.extras,
    extraSubject: requirement,
    installExtra: (extra) =>
      checkExtra({
        venv: v,
        cwd: work,
        project: target.name,
        extra,
        provided: facts.extras,
        modules,
        install: (report) => [...PIP_INSTALL, "--report", report, ...sourceArgs, requirement(extra)],
        report: join(root, `extra-${normalizeName(extra)}.json`),
      }),
    begin,
  });
  return steps;
}
