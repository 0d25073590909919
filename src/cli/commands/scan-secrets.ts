/** `slipway scan secrets` (and bare `slipway scan`): secrets committed or about to be, in the project's work tree. */
import { SlipwayError } from "../../errors.ts";
import { type ScanEvent, scan } from "../../ops/scan.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { renderGithub, renderHuman, type Summary } from "../render/findings.ts";
import { makeStyle, wantsColor } from "../style.ts";

export const HELP = `Usage: slipway scan [secrets] [PATH] [--format text|json|github] [--json]

Looks for secrets (API tokens, private keys, passwords) in the project's work tree: every file
git tracks, and every untracked file git does not ignore (outside a git repository, every file
below PATH but build output, caches and virtualenvs). PATH defaults to the current directory.

The rules are slipway's table (docs/scan-rules.md: PyPI, GitHub, GitLab, AWS, GCP, Azure, Slack,
Stripe, npm, OpenAI, Anthropic, Hugging Face tokens, private keys, password and api_key
assignments with enough entropy), plus a project's .gitleaks.toml and [tool.slipway.scan]
rules and allowlists. A finding under tests/, docs/, examples/ or fixtures/, or inside a code
block of a Markdown or reStructuredText document, is a warning; elsewhere an error. A line
with '# slipway: allow' (or 'gitleaks:allow') is not reported, nor a finding whose fingerprint
is in .gitleaksignore. The secret itself is never printed: its first four characters at most.

Options:
  --format FORMAT   text (default), json (one document), or github (workflow annotations)
  --json            the same as --format json
  -h, --help        show this help

Exit status: 0 no error found, 1 a secret found (an error), 2 usage or configuration error.

Examples:
  slipway scan                         the work tree here
  slipway scan secrets ../other-project
  slipway scan --format github         annotations on the lines, in a GitHub Actions step
  slipway scan --json | jq '.findings[] | .location'

See docs/scan.md.
`;

type Format = "text" | "json" | "github";

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      format: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      out(HELP);
      return 0;
    }
    const format = formatOf(values.format, values.json === true);
    json = format === "json";
    const args = positionals;
    if (args.length > 1) {
      throw new SlipwayError("usage", `one project at a time, not ${args.length}: ${args.join(" ")}`, {
        hint: "slipway scan [secrets] [PATH]",
      });
    }
    const showProgress = format === "text" && io.stderr.isTTY === true;
    const onEvent = showProgress ? progress(io) : undefined;
    const report = await scan({ root: args[0] ?? io.cwd, env: io.env, ...(onEvent ? { onEvent } : {}) });
    if (showProgress) io.stderr.write("\r\x1b[K");
    for (const problem of report.ignoreProblems)
      io.stderr.write(redact(`slipway scan: .gitleaksignore: ${problem}\n`));
    const summary: Summary = {
      files: [],
      fileCount: report.files.scanned,
      verb: "scanned for secrets",
      errors: report.errors,
      warnings: report.warnings,
      ok: report.ok,
      strict: false,
      renderers: [],
    };
    if (format === "json") out(`${JSON.stringify(report, null, 2)}\n`);
    else if (format === "github") out(renderGithub(report.findings, summary, makeStyle(false)));
    else out(renderHuman(report.findings, summary, makeStyle(wantsColor(io.stdout, io.env))));
    return report.ok ? 0 : 1;
  } catch (error) {
    return commandFailure("scan", error, io, { json });
  }
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

/** On a terminal: one status line, the file count as the scan goes. */
function progress(io: CommandIO): (event: ScanEvent) => void {
  let total = 0;
  let done = 0;
  return (event) => {
    if (event.type === "scan-start") total = event.files;
    else {
      done++;
      if (done % 50 === 0 || done === total) io.stderr.write(`\r\x1b[Kscanning ${done}/${total} files…`);
    }
  };
}
