/** `slipway scan secrets` (and bare `slipway scan`): secrets in the work tree, the history, a range of commits, the staged blobs or built distributions. */

import { resolve } from "node:path";
import { DEFAULT_BASELINE } from "../../core/scan/baseline.ts";
import { SlipwayError } from "../../errors.ts";
import { type ScanEvent, type ScanSource, scan } from "../../ops/scan.ts";
import { DIST_FILE } from "../../ops/scan-dists.ts";
import { parseRange } from "../../ops/scan-history.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { renderGithub, renderHuman, type Summary } from "../render/findings.ts";
import { makeStyle, wantsColor } from "../style.ts";

export const HELP = `Usage: slipway scan [secrets] [PATH | DIST...] [--history [--ref REF]... | --since REF |
                            --range A..B | --staged] [--baseline FILE] [--baseline-write[=FILE]]
                            [--format text|json|github] [--json]

Looks for secrets (API tokens, private keys, passwords) in a project. PATH (default: the current
directory) is the project; what is scanned:

  (default)        the work tree: every file git tracks, and every untracked file git does not
                   ignore (outside a git repository, every file below PATH but build output,
                   caches and virtualenvs)
  --history        every blob reachable from every ref (or from each --ref), each scanned once
                   however many commits hold it; a finding names the path and a commit
  --since REF      the blobs the commits of REF..HEAD brought (a pull request's diff)
  --range A..B     the same for A..B
  --staged         the staged changes, as a pre-commit hook sees them
  DIST...          .whl, .tar.gz or .zip files: check's secret checks (SEC08-SEC12) on their members

A shallow clone cannot answer --history, --since or --range: that is an error, not a pass.
Blobs and files over 64 MiB are counted and not read.

The rules are slipway's table (docs/scan-rules.md: PyPI, GitHub, GitLab, AWS, GCP, Azure, Slack,
Stripe, npm, OpenAI, Anthropic, Hugging Face tokens, private keys, password and api_key
assignments with enough entropy), plus a project's .gitleaks.toml and [tool.slipway.scan]
rules and allowlists. A finding under tests/, docs/, examples/ or fixtures/, or inside a code
block of a Markdown or reStructuredText document, is a warning; elsewhere an error. A line
with '# slipway: allow' (or 'gitleaks:allow') is not reported, nor a finding whose fingerprint
is in .gitleaksignore or in the baseline. The secret itself is never printed: its first four
characters at most.

Options:
  --history         scan the history (all refs, or the --ref ones)
  --ref REF         with --history: start from REF instead of every ref (repeatable)
  --since REF       scan the blobs of the commits REF..HEAD
  --range A..B      scan the blobs of the commits A..B
  --staged          scan the staged blobs (for a pre-commit hook)
  --baseline FILE   do not report findings whose fingerprint FILE holds (default: the project's
                    ${DEFAULT_BASELINE} when there is one)
  --no-baseline     read no baseline
  --baseline-write[=FILE]
                    write the findings' fingerprints to FILE (default: --baseline's file or
                    ${DEFAULT_BASELINE}) and exit 0: the findings are accepted
  --format FORMAT   text (default), json (one document), or github (workflow annotations)
  --json            the same as --format json
  -h, --help        show this help

Exit status: 0 no error found, 1 a secret found (an error), 2 usage or configuration error
(a shallow clone asked for its history, a broken baseline or .gitleaks.toml).

Examples:
  slipway scan                         the work tree here
  slipway scan secrets ../other-project
  slipway scan --history               every blob of every branch and tag, once
  slipway scan --history --ref main    what main's history holds
  slipway scan --since origin/main     what a pull request adds (fetch-depth: 0 in CI)
  slipway scan --range v1.0..v1.1      what a release brought
  slipway scan --staged                in .git/hooks/pre-commit: stop a secret before it is committed
  slipway scan secrets dist/*.whl dist/*.tar.gz
  slipway scan --history --baseline-write    accept today's findings; report only new ones
  slipway scan --format github         annotations on the lines, in a GitHub Actions step
  slipway scan --history --json | jq '.findings[] | .location'

See docs/scan.md.
`;

type Format = "text" | "json" | "github";

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  const showProgress = io.stderr.isTTY === true;
  try {
    // `--baseline-write` takes an optional file: `--baseline-write=FILE`.
    let writeTo: string | undefined;
    const args = argv.filter((arg) => {
      if (arg === "--baseline-write") writeTo ??= "";
      else if (arg.startsWith("--baseline-write=")) writeTo = arg.slice("--baseline-write=".length);
      else return true;
      return false;
    });
    const { values, positionals } = parseCommandLine(args, {
      format: { type: "string" },
      json: { type: "boolean" },
      history: { type: "boolean" },
      ref: { type: "string", multiple: true },
      since: { type: "string" },
      range: { type: "string" },
      staged: { type: "boolean" },
      baseline: { type: "string" },
      "no-baseline": { type: "boolean" },
    });
    if (values.help) {
      out(HELP);
      return 0;
    }
    const format = formatOf(values.format, values.json === true);
    json = format === "json";
    const { root, source } = sourceOf(positionals, values, io.cwd);
    if (values.baseline !== undefined && values["no-baseline"] === true)
      throw new SlipwayError("usage", "--baseline and --no-baseline say different things", {
        hint: "pass one of them",
      });
    const baseline = values["no-baseline"] === true ? false : values.baseline;
    const baselineWrite =
      writeTo === undefined ? undefined : writeTo !== "" ? writeTo : (values.baseline ?? DEFAULT_BASELINE);
    const onEvent = showProgress ? progress(io) : undefined;
    const report = await scan({
      root,
      env: io.env,
      source,
      ...(baseline === undefined ? {} : { baseline }),
      ...(baselineWrite === undefined ? {} : { baselineWrite }),
      ...(onEvent ? { onEvent } : {}),
    });
    if (showProgress) io.stderr.write("\r\x1b[K");
    for (const problem of report.ignoreProblems)
      io.stderr.write(redact(`slipway scan: .gitleaksignore: ${problem}\n`));
    if (report.baselineWritten !== undefined && format !== "json")
      io.stderr.write(
        `slipway scan: wrote ${report.baselineWritten.entries} fingerprints to ${report.baselineWritten.file}\n`,
      );
    const summary: Summary = {
      files: [],
      fileCount: report.files.scanned,
      verb: report.history === undefined ? "scanned for secrets" : "scanned for secrets (git blobs)",
      errors: report.errors,
      warnings: report.warnings,
      ok: report.ok,
      strict: false,
      renderers: [],
    };
    const { section: _section, ...shown } = report;
    if (format === "json") out(`${JSON.stringify(shown, null, 2)}\n`);
    else if (format === "github") out(renderGithub(report.findings, summary, makeStyle(false)));
    else out(renderHuman(report.findings, summary, makeStyle(wantsColor(io.stdout, io.env))));
    return report.ok ? 0 : 1;
  } catch (error) {
    if (showProgress) io.stderr.write("\r\x1b[K");
    return commandFailure("scan", error, io, { json });
  }
}

/** The project directory and what to scan in it, from the positionals and the source flags. */
function sourceOf(
  positionals: readonly string[],
  values: { history?: boolean; ref?: string[]; since?: string; range?: string; staged?: boolean },
  cwd: string,
): { root: string; source: ScanSource } {
  const dists = positionals.filter((p) => DIST_FILE.test(p));
  const chosen = [
    values.history === true ? "--history" : undefined,
    values.since === undefined ? undefined : "--since",
    values.range === undefined ? undefined : "--range",
    values.staged === true ? "--staged" : undefined,
    dists.length > 0 ? "distribution files" : undefined,
  ].filter((c) => c !== undefined);
  if (chosen.length > 1)
    throw new SlipwayError("usage", `${chosen.join(" and ")} cannot be scanned in one run`, {
      hint: "run slipway scan once for each",
    });
  if (values.ref !== undefined && values.history !== true)
    throw new SlipwayError("usage", "--ref names where --history starts", {
      hint: "slipway scan --history --ref main",
    });
  if (dists.length > 0) {
    if (dists.length !== positionals.length)
      throw new SlipwayError(
        "usage",
        `a project and distributions in one run: ${positionals.filter((p) => !DIST_FILE.test(p)).join(" ")}`,
        { hint: "slipway scan secrets dist/*.whl dist/*.tar.gz (or a project directory alone)" },
      );
    return { root: cwd, source: { kind: "dists", files: dists } };
  }
  if (positionals.length > 1) {
    throw new SlipwayError(
      "usage",
      `one project at a time, not ${positionals.length}: ${positionals.join(" ")}`,
      { hint: "slipway scan [secrets] [PATH]; with --history, name refs with --ref" },
    );
  }
  const root = resolve(cwd, positionals[0] ?? ".");
  if (values.history === true) return { root, source: { kind: "history", refs: values.ref ?? [] } };
  if (values.since !== undefined) return { root, source: { kind: "range", from: values.since, to: "HEAD" } };
  if (values.range !== undefined) return { root, source: { kind: "range", ...parseRange(values.range) } };
  if (values.staged === true) return { root, source: { kind: "staged" } };
  return { root, source: { kind: "tree" } };
}

function formatOf(said: string | undefined, json: boolean): Format {
  if (said === undefined) return json ? "json" : "text";
  if (said !== "text" && said !== "json" && said !== "github") {
    throw new SlipwayError("usage", `--format '${said}' is not one of text, json, github`, {
      hint: "slipway scan --format github",
    });
  }
  if (json && said !== "json")
    throw new SlipwayError("usage", `--json and --format ${said} say different things`, {
      hint: "pass one of them",
    });
  return said;
}

/** On a terminal: one status line, the files (or blobs and megabytes) as the scan goes. */
function progress(io: CommandIO): (event: ScanEvent) => void {
  let total = 0;
  let done = 0;
  return (event) => {
    if (event.type === "scan-start") total = event.files;
    else if (event.type === "objects-progress") {
      const mb = (event.bytes / (1024 * 1024)).toFixed(1);
      const skipped = event.skipped === 0 ? "" : `, ${event.skipped} skipped`;
      io.stderr.write(`\r\x1b[Kscanning git blobs: ${event.blobs} (${mb} MB)${skipped}…`);
    } else if (event.type === "file-scanned" || event.type === "file-skipped") {
      done++;
      if (done % 50 === 0 || done === total) io.stderr.write(`\r\x1b[Kscanning ${done}/${total} files…`);
    }
  };
}
