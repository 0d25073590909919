/** Renders findings for people (grouped by file), as JSON data, or as GitHub workflow annotations. */
import type { Finding, Severity } from "../../core/findings.ts";
import { sortFindings } from "../../core/findings.ts";
import type { Style } from "../style.ts";
import { groupFindings, where } from "./group.ts";

export interface Summary {
  files: readonly string[];
  errors: number;
  warnings: number;
  /** Info findings shown (with --verbose); they never fail. */
  infos?: number;
  ok: boolean;
  strict: boolean;
  renderers: readonly string[];
  /** What the verdict says was done to the files: "checked" (default), "scanned for secrets". */
  verb?: string;
  /** How many files, when `files` does not list them all (a scan of a whole tree). */
  fileCount?: number;
}

const LABELS: Record<Severity, (style: Style) => string> = {
  error: (style) => style.red("error  "),
  warning: (style) => style.yellow("warning"),
  info: (style) => style.dim("info   "),
};

/** What a build or a publish reports of the checks it ran before going on. */
export interface CheckOutcome {
  findings: readonly Finding[];
  errors: number;
  warnings: number;
  ok: boolean;
  renderers?: readonly string[];
}

/** The findings of the checks a build or a publish ran, as `slipway check` prints them. */
export function renderCheckOutcome(check: CheckOutcome, files: readonly string[], style: Style): string {
  const { findings, errors, warnings, ok } = check;
  return renderHuman(
    findings,
    { files, errors, warnings, ok, strict: false, renderers: check.renderers ?? [] },
    style,
  );
}

/**
 * Human text: findings grouped under their file, errors first, then a one-line verdict. A
 * finding reported for several places (README, wheel, sdist) is shown once with its places.
 */
export function renderHuman(findings: readonly Finding[], summary: Summary, style: Style): string {
  const out: string[] = [];
  const indent = `  ${" ".repeat(7)} ${" ".repeat(6)} `;
  for (const section of groupFindings(findings)) {
    if (out.length > 0) out.push("");
    out.push(style.bold(section.files.join(", ")));
    for (const { finding: f, message, places } of section.shown) {
      const at = places.length > 0 ? "" : where(f, message);
      out.push(
        `  ${LABELS[f.severity](style)} ${style.bold(f.id.padEnd(6))} ${at ? `${style.dim(at)}: ` : ""}${message}`,
      );
      for (const place of places) out.push(`${indent}${style.dim(`at ${place}`)}`);
      out.push(`${indent}${style.dim(`hint: ${f.hint}`)}`);
    }
  }
  if (out.length > 0) out.push("");
  out.push(verdict(summary, style));
  return `${out.join("\n")}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function verdict(summary: Summary, style: Style): string {
  const infos = summary.infos ?? 0;
  const counts = `${plural(summary.errors, "error")}, ${plural(summary.warnings, "warning")}${infos > 0 ? `, ${infos} info` : ""}`;
  const files = plural(summary.fileCount ?? summary.files.length, "file");
  const verb = summary.verb ?? "checked";
  const renderer =
    summary.renderers.length > 0 ? ` (README rendered by ${summary.renderers.join("; ")})` : "";
  if (summary.ok) {
    return `${style.green("✓")} ${files} ${verb}: ${counts}${renderer}`;
  }
  const why = summary.errors === 0 && summary.strict ? " (warnings fail with --strict)" : "";
  return `${style.red("✗")} ${files} ${verb}: ${counts}${why}${renderer}`;
}

/**
 * JSON document for `--json`: stable keys, one object; one finding object per place, as
 * reported (the human output's grouping of repeated findings is presentation only).
 */
export function renderJson(findings: readonly Finding[], summary: Summary): string {
  return `${JSON.stringify(
    {
      ok: summary.ok,
      errors: summary.errors,
      warnings: summary.warnings,
      infos: summary.infos ?? 0,
      strict: summary.strict,
      files: summary.files,
      renderers: summary.renderers,
      findings: sortFindings(findings),
    },
    null,
    2,
  )}\n`;
}

// Workflow command escaping (actions/toolkit command.ts): data escapes % CR LF; properties also : and ,.
const escapeData = (s: string) => s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
const escapeProperty = (s: string) => escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");

/** Workflow commands by severity: GitHub has no `::info`, its lowest annotation is a notice. */
const COMMANDS: Record<Severity, string> = { error: "error", warning: "warning", info: "notice" };

/**
 * GitHub Actions annotations, one `::error`/`::warning`/`::notice` line per finding (each place
 * is its own annotation, on its own file), then the verdict.
 */
export function renderGithub(findings: readonly Finding[], summary: Summary, style: Style): string {
  const lines = sortFindings(findings).map((f) => {
    const props = [`file=${escapeProperty(f.location.file)}`];
    if (f.location.line !== undefined && f.location.member === undefined)
      props.push(`line=${f.location.line}`);
    const at = where(f, f.message);
    props.push(`title=${escapeProperty(`${f.id}${at ? ` ${at}` : ""}`)}`);
    return `::${COMMANDS[f.severity]} ${props.join(",")}::${escapeData(`${f.message}\nhint: ${f.hint}`)}`;
  });
  lines.push(verdict(summary, style));
  return `${lines.join("\n")}\n`;
}
