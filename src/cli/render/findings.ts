/** Renders findings for people (grouped by file), as JSON data, or as GitHub workflow annotations. */
import type { Finding } from "../../core/findings.ts";
import { sortFindings } from "../../core/findings.ts";
import type { Style } from "../style.ts";

export interface Summary {
  files: readonly string[];
  errors: number;
  warnings: number;
  ok: boolean;
  strict: boolean;
  renderers: readonly string[];
}

/** Member, field and line, leaving out what the message already names. */
function where(f: Finding, message: string): string {
  const { member, field, line } = f.location;
  const parts = [member, field].filter(
    (p): p is string => p !== undefined && p !== "" && !message.includes(p),
  );
  const at = line === undefined || message.includes(`line ${line}`) ? "" : `:${line}`;
  return parts.length > 0 ? `${parts.join(" ")}${at}` : at.slice(1);
}

/**
 * Under its file's heading a message need not start with the file again: drop a leading
 * `<file>: ` or `<file> METADATA: ` (JSON keeps messages whole).
 */
function underHeading(f: Finding): string {
  const file = f.location.file;
  if (!f.message.startsWith(file)) return f.message;
  const rest = f.message.slice(file.length);
  const lead = /^(?: (?:METADATA|PKG-INFO))?: /.exec(rest);
  return lead === null ? f.message : rest.slice(lead[0].length);
}

/** Human text: findings grouped under their file, errors first, then a one-line verdict. */
export function renderHuman(findings: readonly Finding[], summary: Summary, style: Style): string {
  const out: string[] = [];
  let current: string | undefined;
  for (const f of sortFindings(findings)) {
    if (f.location.file !== current) {
      current = f.location.file;
      if (out.length > 0) out.push("");
      out.push(style.bold(current));
    }
    const label = f.severity === "error" ? style.red("error  ") : style.yellow("warning");
    const message = underHeading(f);
    const at = where(f, message);
    out.push(`  ${label} ${style.bold(f.id.padEnd(6))} ${at ? `${style.dim(at)}: ` : ""}${message}`);
    out.push(`  ${" ".repeat(7)} ${" ".repeat(6)} ${style.dim(`hint: ${f.hint}`)}`);
  }
  if (out.length > 0) out.push("");
  out.push(verdict(summary, style));
  return `${out.join("\n")}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function verdict(summary: Summary, style: Style): string {
  const counts = `${plural(summary.errors, "error")}, ${plural(summary.warnings, "warning")}`;
  const files = plural(summary.files.length, "file");
  const renderer =
    summary.renderers.length > 0 ? ` (README rendered by ${summary.renderers.join("; ")})` : "";
  if (summary.ok) {
    return `${style.green("✓")} ${files} checked: ${counts}${renderer}`;
  }
  const why = summary.errors === 0 && summary.strict ? " (warnings fail with --strict)" : "";
  return `${style.red("✗")} ${files} checked: ${counts}${why}${renderer}`;
}

/** JSON document for `--json`: stable keys, one object. */
export function renderJson(findings: readonly Finding[], summary: Summary): string {
  return `${JSON.stringify(
    {
      ok: summary.ok,
      errors: summary.errors,
      warnings: summary.warnings,
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

/** GitHub Actions annotations, one `::error`/`::warning` line per finding, then the verdict. */
export function renderGithub(findings: readonly Finding[], summary: Summary, style: Style): string {
  const lines = sortFindings(findings).map((f) => {
    const props = [`file=${escapeProperty(f.location.file)}`];
    if (f.location.line !== undefined && f.location.member === undefined)
      props.push(`line=${f.location.line}`);
    const at = where(f, f.message);
    props.push(`title=${escapeProperty(`${f.id}${at ? ` ${at}` : ""}`)}`);
    return `::${f.severity} ${props.join(",")}::${escapeData(`${f.message}\nhint: ${f.hint}`)}`;
  });
  lines.push(verdict(summary, style));
  return `${lines.join("\n")}\n`;
}
