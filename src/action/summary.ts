/**
 * The job summary (`$GITHUB_STEP_SUMMARY`) of one action run, as Markdown within a byte budget:
 * GitHub refuses to show a step summary over 1 MiB, so rows that do not fit are dropped with a
 * note saying how many. Every text from the run is escaped: a finding's message is data, never
 * Markdown or HTML. Pure.
 */
import type { CommandResult, ResultFinding } from "./results.ts";

/** GitHub's limit for one step's summary (docs: "Adding a job summary"). */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** Markdown and HTML made inert: a backslash before each special character, entities for `<>&`. */
export function escapeCell(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[\\`*_{}[\]()#+!|~]/g, "\\$&")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

const ICON: Record<ResultFinding["severity"], string> = {
  error: "❌ error",
  warning: "⚠️ warning",
  info: "ℹ️ info",
};

export interface SummaryOptions {
  /** Findings that got no annotation (over GitHub's 10 per kind). */
  unannotated: number;
  /** Bytes the summary may take. */
  limit: number;
}

/** The summary's Markdown, never longer than `options.limit` bytes (UTF-8). */
export function renderSummary(result: CommandResult, options: SummaryOptions): string {
  const ok = result.exit === 0;
  const head: string[] = [
    `### slipway ${result.command}: ${ok ? "✅ passed" : `❌ failed (exit ${result.exit})`}`,
    "",
  ];
  if (result.error !== undefined) {
    head.push(`**${escapeCell(result.error.message)}**`, "");
    if (result.error.hint !== undefined) head.push(`hint: ${escapeCell(result.error.hint)}`, "");
  }
  for (const fact of result.facts) head.push(`- ${escapeCell(fact)}`);
  if (result.version !== undefined) head.push(`- version: \`${result.version.replaceAll("`", "")}\``);
  if (result.facts.length > 0 || result.version !== undefined) head.push("");

  const sections: { title: string[]; rows: string[] }[] = [];
  if (result.files.length > 0) {
    const withStatus = result.files.some((f) => f.status !== undefined);
    sections.push({
      title: [
        withStatus ? "| File | sha256 | Outcome |" : "| File | sha256 |",
        withStatus ? "|---|---|---|" : "|---|---|",
      ],
      rows: result.files.map(
        (f) =>
          `| ${escapeCell(f.filename)} | \`${f.sha256}\` |${withStatus ? ` ${escapeCell(f.status ?? "")} |` : ""}`,
      ),
    });
  }
  if (result.findings.length > 0) {
    const counts = countBySeverity(result.findings);
    const note =
      options.unannotated > 0
        ? ` — GitHub shows 10 annotations of each kind; ${options.unannotated} more are only listed here`
        : "";
    sections.push({
      title: [
        `#### Findings: ${counts}${note}`,
        "",
        "| | ID | Where | Message | Hint |",
        "|---|---|---|---|---|",
      ],
      rows: result.findings.map((f) => {
        const where = `${f.file}${f.detail === undefined ? "" : ` ${f.detail}`}${f.line === undefined ? "" : `:${f.line}`}`;
        return `| ${ICON[f.severity]} | ${escapeCell(f.id)} | ${escapeCell(where)} | ${escapeCell(f.message)} | ${escapeCell(f.hint)} |`;
      }),
    });
  }
  return fitToLimit(head, sections, options.limit);
}

function countBySeverity(findings: readonly ResultFinding[]): string {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of findings) n[f.severity]++;
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
  return [
    plural(n.error, "error"),
    plural(n.warning, "warning"),
    ...(n.info > 0 ? [plural(n.info, "info")] : []),
  ].join(", ");
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * Joins the head and sections, dropping the rows that do not fit in `limit` bytes (room kept
 * for the note that says so). Linear in the rows; a head too long is cut on a character boundary.
 */
function fitToLimit(head: string[], sections: { title: string[]; rows: string[] }[], limit: number): string {
  const noteRoom = 200;
  let out = `${head.join("\n")}\n`;
  if (bytes(out) > limit) return cutBytes(out, limit);
  let used = bytes(out);
  let dropped = 0;
  for (const section of sections) {
    const title = `${section.title.join("\n")}\n`;
    if (dropped > 0 || used + bytes(title) + noteRoom > limit) {
      dropped += section.rows.length;
      continue;
    }
    out += title;
    used += bytes(title);
    for (const row of section.rows) {
      const line = `${row}\n`;
      const size = bytes(line);
      if (dropped > 0 || used + size + noteRoom > limit) {
        dropped++;
        continue;
      }
      out += line;
      used += size;
    }
    out += "\n";
    used += 1;
  }
  if (dropped > 0)
    out += `> **Truncated**: ${dropped} more row${dropped === 1 ? "" : "s"} did not fit in GitHub's 1 MiB step summary; the step's log lists every finding.\n`;
  return bytes(out) > limit ? cutBytes(out, limit) : out;
}

/** The longest prefix of `text` of at most `limit` UTF-8 bytes, never half a character. */
function cutBytes(text: string, limit: number): string {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= limit) return text;
  let end = Math.max(0, limit);
  // Back up to the start of a character (a byte that is not 10xxxxxx).
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}
