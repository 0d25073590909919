/** `slipway release` output: the plan, the outcome (done, planned, blocked, failed) and its JSON. */

import { pushAll } from "../../core/arrays.ts";
import { renderFindingLine } from "../../core/release/findings.ts";
import type { ReleasePlan } from "../../core/release/plan.ts";
import { checkStep } from "../../ops/release/check.ts";
import { checkpointStep } from "../../ops/release/checkpoint.ts";
import { publishStep } from "../../ops/release/publish.ts";
import { pushStep } from "../../ops/release/push.ts";
import type { ReleaseReport } from "../../ops/release.ts";
import { outcomePlan, outcomeRecord, type StepOutcome } from "../../pipeline/runner.ts";
import type { PipelineProblem } from "../../pipeline/steps.ts";
import type { Style } from "../style.ts";

const where = (index: { name?: string; uploadUrl: string }) => index.name ?? index.uploadUrl;

/** One paragraph: what this release is. */
export function renderHeadline(plan: ReleasePlan, style: Style, dryRun: boolean): string {
  const stage =
    plan.stage.kind === "local"
      ? "the embedded staging index"
      : dryRun
        ? `a throwaway embedded index (not ${where(plan.stage)}: this is a dry run)`
        : where(plan.stage);
  return [
    `${style.bold(`${plan.name} ${plan.from ?? "(unreleased)"} → ${plan.version}`)}  ${style.dim(`(${plan.change})`)}`,
    `  stage on ${stage}, then publish to ${where(plan.target)}; tag ${plan.tag.name}${plan.git.push ? `, push to ${plan.git.remote}/${plan.git.branch}` : ", not pushed"}`,
    ...plan.notes.map((n) => style.dim(`  note: ${n}`)),
  ].join("\n");
}

function renderProblems(problems: readonly PipelineProblem[], style: Style): string[] {
  const lines: string[] = [];
  for (const p of [...problems].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1,
  )) {
    const label = p.severity === "error" ? style.red("error  ") : style.yellow("warning");
    const [first, ...rest] = p.message.split("\n");
    lines.push(`${label} ${first}`);
    pushAll(
      lines,
      rest.map((l) => `        ${style.dim(l)}`),
    );
    lines.push(`        ${style.dim(`hint: ${p.hint}`)}`);
  }
  return lines;
}

/** What the check step found (warnings, when it passed), each with its places and its hint. */
function renderFindings(steps: readonly StepOutcome[], style: Style): string[] {
  const findings = outcomeRecord(steps, checkStep)?.findings ?? [];
  if (findings.length === 0) return [];
  return [
    "",
    style.bold(`Check findings (${findings.length})`),
    ...findings.flatMap((f) => [`  ${renderFindingLine(f)}`, `    ${style.dim(`hint: ${f.hint}`)}`]),
  ];
}

/** The full plan of a dry run: diffs, changelog entry, commit, tag, uploads, push. */
function renderDryRun(report: ReleaseReport, steps: readonly StepOutcome[], style: Style): string[] {
  const { plan } = report;
  const lines: string[] = ["", style.bold("Files the release writes")];
  if (plan.edits.length === 0) lines.push("  (none: the version comes from the tag)");
  for (const e of plan.edits) {
    if (e.after === null) lines.push(`  delete ${e.path} (${e.purpose}, used in the changelog)`);
    else
      pushAll(
        lines,
        e.diff
          .trimEnd()
          .split("\n")
          .map(
            (l) =>
              `  ${l.startsWith("+") && !l.startsWith("+++") ? style.green(l) : l.startsWith("-") && !l.startsWith("---") ? style.red(l) : l}`,
          ),
      );
  }
  if (plan.changelog !== null && plan.changelog.status === "exists") {
    lines.push(`  ${plan.changelog.path} already has an entry for ${plan.version}: left as it is`);
  }
  // The build's own record went with its cleanup; the publish plan lists the same artifacts.
  const uploads = outcomePlan(steps, publishStep)?.uploads ?? [];
  lines.push("", style.bold("Built, checked, staged and verified (for real, in a scratch worktree)"));
  for (const a of uploads) lines.push(`  ${a.filename}  ${style.dim(`${a.size} bytes  sha256 ${a.sha256}`)}`);
  for (const line of renderFindings(steps, style)) lines.push(line);
  if (plan.commit !== null) {
    lines.push(
      "",
      style.bold("Commit"),
      `  git commit -m '${plan.commit.message}' -- ${plan.commit.paths.join(" ")}`,
    );
  }
  lines.push("", style.bold("Tag"), `  ${plan.tag.name} (annotated)`);
  pushAll(
    lines,
    plan.tag.message
      .trimEnd()
      .split("\n")
      .map((l) => style.dim(`  │ ${l}`)),
  );
  const checkpoint = outcomePlan(steps, checkpointStep);
  if (checkpoint !== undefined) {
    lines.push("", style.bold(`Save the release state on ${checkpoint.remote} (for a resume elsewhere)`));
    for (const ref of checkpoint.refs) lines.push(`  ${ref}`);
  }
  lines.push("", style.bold(`Publish to ${where(plan.target)}`));
  if (plan.target.name !== undefined) lines.push(style.dim(`  ${plan.target.uploadUrl}`));
  for (const u of uploads)
    lines.push(`  upload ${u.filename}  ${style.dim(`sha256 ${u.sha256.slice(0, 16)}…`)}`);
  const push = outcomePlan(steps, pushStep);
  if (push !== undefined) lines.push("", style.bold("Push"), `  ${push.argv.join(" ")}`);
  return lines;
}

/** The human report after the run. */
export function renderOutcome(report: ReleaseReport, style: Style): string {
  const { plan, result } = report;
  if (result === undefined) return "release cancelled: nothing was changed\n";
  const lines: string[] = [];
  if (result.problems.length > 0) pushAll(lines, renderProblems(result.problems, style));
  switch (result.status) {
    case "blocked":
      lines.push(
        "",
        style.red(
          `release blocked before any change: ${result.problems.filter((p) => p.severity === "error").length} problem(s) above`,
        ),
      );
      break;
    case "planned":
      pushAll(lines, renderDryRun(report, result.steps, style));
      lines.push(
        "",
        style.green(
          `dry run complete: ${plan.name} ${plan.version} builds, passes the checks, installs from a stage and runs; nothing in the project, git or ${where(plan.target)} changed`,
        ),
      );
      break;
    case "done": {
      const published = outcomeRecord(result.steps, publishStep)?.files ?? [];
      lines.push("", style.green(`released ${plan.name} ${plan.version}`));
      for (const f of published)
        lines.push(
          `  ${f.status === "uploaded" ? "uploaded" : "already there"}  ${f.filename}  ${style.dim(f.url ?? "")}`,
        );
      lines.push(
        `  tag ${plan.tag.name}${plan.git.push ? ` and ${plan.git.branch} pushed to ${plan.git.remote}` : " made locally (not pushed)"}`,
      );
      lines.push(style.dim(`  artifacts: ${report.distDir}`));
      for (const line of renderFindings(result.steps, style)) lines.push(line);
      break;
    }
    case "failed":
      lines.push(
        "",
        style.red(
          `release failed at "${result.steps.find((s) => s.id === result.step)?.title ?? result.step}"`,
        ),
      );
      pushAll(
        lines,
        result.error.message.split("\n").map((l) => `  ${l}`),
      );
      if (result.error.hint) lines.push(`  ${style.dim(`hint: ${result.error.hint}`)}`);
      if (result.undone.length > 0) lines.push(`  undone: ${result.undone.join(", ")}`);
      lines.push(`  next: ${result.next}`);
      break;
  }
  return `${lines.join("\n")}\n`;
}

/** The report as data (the last `--json` line): the plan, each step's outcome, problems, and the error. */
export function outcomeJson(report: ReleaseReport): object {
  const { result } = report;
  return {
    dryRun: report.dryRun,
    status: result?.status ?? "cancelled",
    plan: report.plan,
    steps: result?.steps ?? [],
    problems: result?.problems ?? [],
    ...(result?.status === "failed"
      ? {
          failed: {
            step: result.step,
            code: result.error.code,
            message: result.error.message,
            hint: result.error.hint,
          },
          undone: result.undone,
          resumable: result.resumable,
          next: result.next,
        }
      : {}),
    distDir: report.distDir,
  };
}
