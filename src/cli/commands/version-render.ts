/** Human and JSON renderings of version states and plans for `slipway version`. */
import { maxOf, pushAll } from "../../core/arrays.ts";
import { describeTagFormat } from "../../core/version/tag-format.ts";
import type { VersionPlan, VersionState } from "../../ops/version.ts";
import type { Style } from "../style.ts";

/** A unified diff with removed lines red and added lines green. */
export function colorDiff(diff: string, style: Style): string {
  if (!style.color) return diff;
  return diff
    .split("\n")
    .map((line) => {
      if (line.startsWith("---") || line.startsWith("+++")) return style.bold(line);
      if (line.startsWith("@@")) return style.dim(line);
      if (line.startsWith("-")) return style.red(line);
      if (line.startsWith("+")) return style.green(line);
      return line;
    })
    .join("\n");
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => maxOf(rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows.map((r) =>
    `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ")}`.trimEnd(),
  );
}

export function renderState(state: VersionState, style: Style): string {
  const lines: string[] = [];
  const mode =
    state.mode.kind === "vcs" ? ` (from git tags: ${state.mode.backend}, ${state.mode.setting})` : "";
  lines.push(style.bold(`version ${state.current ?? "unknown"}${mode}`));
  const rows = state.places.map((p) => [
    p.kind === "tag" ? "git tag" : p.line === undefined ? p.path : `${p.path}:${p.line}`,
    p.kind === "tag" ? p.path : p.where,
    p.kind === "tag" ? (p.normalized ?? p.value) : p.value,
    style.dim(p.origin),
  ]);
  if (rows.length > 0) pushAll(lines, table(rows));
  else lines.push("  (no places found)");
  lines.push(style.dim(`  ${describeTagFormat(state.tagFormatDecision)}`));
  for (const note of state.notes) lines.push(style.dim(`note: ${note}`));
  for (const error of state.errors) lines.push(style.red(`error: ${error}`));
  return `${lines.join("\n")}\n`;
}

export function stateJson(state: VersionState): unknown {
  return {
    project: state.root,
    mode: state.mode,
    current: state.current ?? null,
    tagFormat: state.tagFormat,
    tagFormatSource: state.tagFormatDecision.source,
    tagFormatEvidence: {
      tags: state.tagFormatDecision.count,
      example: state.tagFormatDecision.example ?? null,
      others: state.tagFormatDecision.others,
    },
    shallow: state.history.shallow.length > 0,
    lastTag: state.lastTag ?? null,
    places: state.places.map((p) => ({
      path: p.path,
      kind: p.kind,
      where: p.where,
      origin: p.origin,
      value: p.value,
      normalized: p.normalized ?? null,
      line: p.line ?? null,
    })),
    ok: state.errors.length === 0,
    errors: state.errors,
    notes: state.notes,
  };
}

export function renderPlan(
  plan: VersionPlan,
  style: Style,
  options: { dryRun: boolean; diffs: boolean },
): string {
  const lines = [style.bold(`${plan.from ?? "(none)"} → ${plan.to}`) + style.dim(` (${plan.change})`)];
  if (plan.edits.length > 0) pushAll(lines, table(plan.edits.map((e) => [e.path, e.places.join(", ")])));
  if (plan.tag !== undefined) {
    lines.push(`  ${options.dryRun ? "would create" : "creates"} the annotated tag ${plan.tag.name} on HEAD`);
  }
  for (const note of plan.notes) lines.push(style.dim(`note: ${note}`));
  let text = `${lines.join("\n")}\n`;
  if (options.diffs) for (const edit of plan.edits) text += `\n${colorDiff(edit.diff, style)}`;
  return text;
}

export function planJson(plan: VersionPlan): unknown {
  return {
    from: plan.from ?? null,
    to: plan.to,
    change: plan.change,
    mode: plan.mode,
    edits: plan.edits.map((e) => ({
      path: e.path,
      places: e.places,
      diff: e.diff,
      before: e.before,
      after: e.after,
    })),
    tag: plan.tag ?? null,
    notes: plan.notes,
  };
}
