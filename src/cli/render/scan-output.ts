/**
 * The output of every scan, from its sections: human text grouped by file, one JSON document,
 * GitHub annotations, a SARIF report (`--sarif FILE`), a Markdown job summary when
 * `$GITHUB_STEP_SUMMARY` is set, and the exit status. Every scan subcommand parses the same
 * output flags and hands its sections here.
 */
import type { Finding, Severity } from "../../core/findings.ts";
import { escapeMarkdown, sarifLimitProblems, toSarif } from "../../core/sarif/write.ts";
import type { ScanExit, ScanSection } from "../../core/scan/report.ts";
import { SlipwayError } from "../../errors.ts";
import { appendStepSummary, stepSummaryRoom, writeScanReport } from "../../ops/scan-output.ts";
import { readSarifSections } from "../../ops/scan-sarif-in.ts";
import { redact } from "../../redact.ts";
import type { CommandIO } from "../command.ts";
import { makeStyle, type Style, wantsColor } from "../style.ts";
import { renderGithub, renderHuman, type Summary } from "./findings.ts";

export type ScanFormat = "text" | "json" | "github";

export { SCAN_OUTPUT_FLAGS, SCAN_OUTPUT_HELP } from "./scan-output-flags.ts";

export interface ScanOutputOptions {
  format: ScanFormat;
  /** Where to write the SARIF report. */
  sarif?: string;
  /** SARIF files of other scanners to read in. */
  sarifIn: string[];
}

/** The output flags as options; a usage error when they contradict each other. */
export function scanOutputOptions(values: {
  format?: string | undefined;
  json?: boolean | undefined;
  sarif?: string | undefined;
  "sarif-in"?: string[] | undefined;
}): ScanOutputOptions {
  const said = values.format;
  let format: ScanFormat = values.json === true ? "json" : "text";
  if (said !== undefined) {
    if (said !== "text" && said !== "json" && said !== "github")
      throw new SlipwayError("usage", `--format '${said}' is not one of text, json, github`, {
        hint: "for SARIF, pass --sarif FILE (with any format)",
      });
    if (values.json === true && said !== "json")
      throw new SlipwayError("usage", `--json and --format ${said} say different things`, {
        hint: "pass one of them",
      });
    format = said;
  }
  if (values.sarif === "")
    throw new SlipwayError("usage", "--sarif needs a file name", { hint: "--sarif slipway.sarif" });
  return {
    format,
    ...(values.sarif === undefined ? {} : { sarif: values.sarif }),
    sarifIn: values["sarif-in"] ?? [],
  };
}

/** Reads the `--sarif-in` files (an empty list for none). */
export function readSarifInputs(options: ScanOutputOptions, io: CommandIO): Promise<ScanSection[]> {
  return readSarifSections(options.sarifIn, io.cwd);
}

/**
 * The exit status of a scan: 1 when a section's findings reach its gate, else 3 when an
 * advisory feed was needed and not reached (the scan is incomplete, never a pass), else 0.
 * Findings win over the feed: a CI that retries a 3 as a network hiccup must not retry away a
 * real finding.
 */
export function exitFor(sections: readonly ScanSection[], feedUnreachable: boolean): ScanExit {
  if (sections.some((s) => s.failed)) return 1;
  return feedUnreachable ? 3 : 0;
}

/** What a scanner looked at, for its verdict line ("3 files scanned for secrets"). */
export interface Checked {
  count: number;
  verb: string;
}

export interface ScanRenderContext {
  /** By scanner name; a scanner not named here counts the files its findings are in. */
  checked?: Readonly<Record<string, Checked>>;
  /** By scanner name: what the scanner adds to its section of the JSON document (what it read, counts). */
  details?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

function counts(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

function summaryOf(section: ScanSection, context: ScanRenderContext): Summary {
  const n = counts(section.findings);
  const checked = context.checked?.[section.scanner];
  const files = [...new Set(section.findings.map((f) => f.location.file))];
  return {
    files,
    fileCount: checked?.count ?? files.length,
    verb: checked?.verb ?? `reported by ${section.scanner}`,
    errors: n.error,
    warnings: n.warning,
    ...(n.info > 0 ? { infos: n.info } : {}),
    ok: !section.failed,
    strict: false,
    renderers: [],
  };
}

function label(section: ScanSection): string {
  const version = section.version;
  if (version === undefined) return section.scanner;
  // A database revision is a digest: its first 12 characters name it well enough.
  return `${section.scanner} ${/^[0-9a-f]{40,}$/.test(version) ? version.slice(0, 12) : version}`;
}

/** Human text: each section's findings grouped by file (as `check` shows them), then its verdict. */
export function renderScanText(
  sections: readonly ScanSection[],
  style: Style,
  context: ScanRenderContext = {},
): string {
  if (sections.length === 1)
    return renderHuman(sections[0]!.findings, summaryOf(sections[0]!, context), style);
  return sections
    .map(
      (section) =>
        `${style.bold(`[${label(section)}]`)}\n${renderHuman(section.findings, summaryOf(section, context), style)}`,
    )
    .join("\n");
}

/** GitHub workflow annotations of every section, each section's verdict after its lines. */
export function renderScanGithub(sections: readonly ScanSection[], context: ScanRenderContext = {}): string {
  const style = makeStyle(false);
  return sections
    .map((section) => {
      const text = renderGithub(section.findings, summaryOf(section, context), style);
      return sections.length === 1
        ? text
        : text.replace(/[^\n]*\n$/, (last) => `[${label(section)}] ${last}`);
    })
    .join("");
}

/** One JSON document: the exit status, and per section its counts, findings (with fingerprints) and rules. */
export function renderScanJson(
  sections: readonly ScanSection[],
  exit: ScanExit,
  context: ScanRenderContext = {},
): string {
  return `${JSON.stringify(
    {
      ok: exit === 0,
      exit,
      sections: sections.map((section) => {
        const n = counts(section.findings);
        return {
          scanner: section.scanner,
          ...(section.version === undefined ? {} : { version: section.version }),
          failed: section.failed,
          errors: n.error,
          warnings: n.warning,
          infos: n.info,
          ...context.details?.[section.scanner],
          findings: section.findings.map((f, i) => ({ ...f, fingerprint: section.fingerprints[i] ?? null })),
          rules: section.rules,
        };
      }),
    },
    null,
    2,
  )}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const MAX_CELL = 300;

/** A table cell: escaped Markdown on one line, cut to MAX_CELL characters. */
function cell(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const cut = flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
  return escapeMarkdown(cut).replaceAll("&", "&amp;");
}

function placeOf(f: Finding): string {
  const { file, member, line } = f.location;
  return `${file}${member === undefined ? "" : ` ${member}`}${line === undefined ? "" : `:${line}`}`;
}

/**
 * The Markdown job summary: a table of counts per scanner and severity, then the most severe
 * findings (at most `top`), every cell escaped, the whole within `maxBytes` (GitHub shows no
 * summary over 1 MiB): rows that do not fit are counted, not shown.
 */
export function renderStepSummary(
  sections: readonly ScanSection[],
  options: { maxBytes: number; top?: number; exit: ScanExit },
): string {
  const total = counts(sections.flatMap((s) => s.findings));
  const mark = options.exit === 0 ? "✅" : "❌";
  const state =
    options.exit === 0
      ? "passed"
      : options.exit === 3
        ? "incomplete (an advisory feed was not reached)"
        : "failed";
  const head = [
    `### ${mark} slipway scan ${state}: ${plural(total.error, "error")}, ${plural(total.warning, "warning")}, ${plural(total.info, "note")}`,
    "",
    "| Scanner | Errors | Warnings | Notes | Gate |",
    "| --- | ---: | ---: | ---: | --- |",
    ...sections.map((s) => {
      const n = counts(s.findings);
      return `| ${cell(label(s))} | ${n.error} | ${n.warning} | ${n.info} | ${s.failed ? "❌ fails" : "✅ passes"} |`;
    }),
    "",
  ];
  const all = sections
    .flatMap((s) => s.findings.map((f) => ({ f, scanner: label(s) })))
    .sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity]);
  const top = options.top ?? 50;
  let out = `${head.join("\n")}\n`;
  if (all.length > 0) {
    out += `| Severity | Scanner | Rule | Where | Message |\n| --- | --- | --- | --- | --- |\n`;
  }
  const size = (text: string) => Buffer.byteLength(text);
  const tail = (left: number) =>
    left === 0
      ? ""
      : `\n${left} more finding${left === 1 ? "" : "s"} not shown: see the job log or the SARIF report.\n`;
  let shown = 0;
  for (const { f, scanner } of all) {
    if (shown >= top) break;
    const row = `| ${f.severity} | ${cell(scanner)} | ${cell(f.id)} | ${cell(placeOf(f))} | ${cell(f.message)} |\n`;
    // Room for this row and the longest possible tail line.
    if (size(out) + size(row) + size(tail(all.length)) + 2 > options.maxBytes) break;
    out += row;
    shown++;
  }
  out += tail(all.length - shown);
  if (size(out) > options.maxBytes) {
    // Only a summary file already nearly full gets here: the counts line alone, or nothing.
    const first = `${head[0]}\n`;
    return size(first) <= options.maxBytes ? first : "";
  }
  return out;
}

export interface ScanOutputContext extends ScanRenderContext {
  /** slipway's version, for the SARIF report. */
  version: string;
  /** An advisory feed was needed and not reached. */
  feedUnreachable?: boolean;
  /** The command, for messages ("scan lock"). */
  command: string;
}

/**
 * Writes a scan's output: the chosen format on stdout, the SARIF report when asked, the job
 * summary when `$GITHUB_STEP_SUMMARY` is set. Everything passes `redact`. Returns the exit status.
 * A SARIF report that cannot be written is an error (CI would upload a stale one); a summary
 * that cannot be written is a warning on stderr.
 */
export async function writeScanOutput(
  sections: readonly ScanSection[],
  options: ScanOutputOptions,
  io: CommandIO,
  context: ScanOutputContext,
): Promise<ScanExit> {
  const exit = exitFor(sections, context.feedUnreachable === true);
  const out = (text: string) => io.stdout.write(redact(text));
  if (options.format === "json") out(renderScanJson(sections, exit, context));
  else if (options.format === "github") out(renderScanGithub(sections, context));
  else out(renderScanText(sections, makeStyle(wantsColor(io.stdout, io.env)), context));

  if (options.sarif !== undefined) {
    const log = toSarif(sections, { version: context.version });
    for (const problem of sarifLimitProblems(log))
      io.stderr.write(redact(`slipway ${context.command}: ${options.sarif}: ${problem}\n`));
    try {
      await writeScanReport(options.sarif, redact(`${JSON.stringify(log, null, 2)}\n`), io.cwd);
    } catch (error) {
      throw new SlipwayError(
        "io",
        `--sarif ${options.sarif}: could not be written (${(error as Error).message})`,
        {
          hint: "name a file in a directory that exists and is writable",
          cause: error,
        },
      );
    }
  }

  const summaryFile = io.env["GITHUB_STEP_SUMMARY"];
  if (summaryFile !== undefined && summaryFile !== "") {
    try {
      const room = await stepSummaryRoom(summaryFile, io.cwd);
      const markdown = renderStepSummary(sections, { maxBytes: room, exit });
      if (markdown !== "") await appendStepSummary(summaryFile, redact(markdown), io.cwd);
    } catch (error) {
      io.stderr.write(
        redact(
          `slipway ${context.command}: the job summary ${summaryFile} was not written: ${(error as Error).message}\n`,
        ),
      );
    }
  }
  return exit;
}
