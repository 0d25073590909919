/** `slipway verify-install [DIST...]`: argv → verifyInstall() → per-run steps and an exit code. */
import { describeVerifyResult } from "../../core/verify/step-results.ts";
import { SlipwayError } from "../../errors.ts";
import type { VerifyEvent, VerifyRun, VerifyStep, VerifyTarget } from "../../ops/verify-install.ts";
import { verifyInstall } from "../../ops/verify-install.ts";
import { readImportBudget, resolveVerifyDists } from "../../ops/verify-install-dists.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { jsonLine, reportLine } from "../render/json-lines.ts";
import { isPlain, makeStyle, type Style, wantsColor } from "../style.ts";

export const HELP = `Usage: slipway verify-install [DIST...] [options]

Prove that the exact distributions under test install and run. For each Python: a fresh
virtualenv, a pip install of the exact version (from --index-url, else from the local files),
then the proof that pip installed those bytes (the archive sha256 pip reports against the local
file's, and the installed RECORD against the wheel's files), then smoke tests: import every
top-level module (timed; with a budget, the median of 5), load every entry point of every group
(plugins, gui_scripts) through importlib.metadata, run every console script with --help, and
install each extra into a venv of its own, importing there the modules that use it. A failure
shows the command and the tail of its output. Virtualenvs are removed after.

A console script whose entry point declares extras (tool = pkg.cli:main [cli]) runs once they
are installed. One that fails on the plain install because an optional dependency is missing
(httpx's httpx without httpx[cli]), or an entry point that does not load for that reason, is a
warning naming the extra and its install command, proven by running or loading it again in the
extra's venv.

pip runs isolated from your pip configuration: no pip.conf (global, user or site) and no PIP_*
variable is read, only --index-url, --find-links and --no-index (a local install takes its
dependencies from PyPI unless --no-index; proxies and CA bundles still come from HTTPS_PROXY and
REQUESTS_CA_BUNDLE).

DIST are wheels (.whl) or sdists (.tar.gz, which pip builds); default: dist/*.whl. A release's
wheels are verified together: pip picks the one that fits each Python.

Options:
  --index-url URL        install name==version from this index (its simple API URL), e.g. the
                         staging index; without it, from the local files only
  --find-links DIR|URL   another place pip may find dependencies; repeatable
  --no-index             dependencies from --find-links only (local installs)
  --python EXE           interpreter to verify with; repeatable (default: the first Python
                         >= 3.9 on PATH)
  --extras A,B           extras to install and import (default: every Provides-Extra;
                         --extras '' for none)
  --import MOD           module to import instead of the top-level ones; repeatable
  --script CMD           console script to run with --help (or a whole command line, split at
                         spaces) instead of every console_scripts entry; repeatable
  --max-import-ms N      an import slower than N ms (median of 5) fails, naming the slowest
                         module (interpreter start-up not counted); default: verify.max-import-ms
                         in [tool.slipway.release] of ./pyproject.toml
  --keep                 keep the virtualenvs and print where they are
  --json                 NDJSON on stdout: one line per event as the work goes (the
                         targets, each run and each step as it starts and ends), then
                         one {"type":"report",...} line with every run; see docs/json.md
  -h, --help             show this help

Exit status: 0 every run passed, 1 a step failed, 2 usage error.

Examples:
  slipway verify-install                                   dist/*.whl, from the files
  slipway verify-install --index-url http://127.0.0.1:8080/simple/
  slipway verify-install dist/*.whl --python python3.9 --python python3.13
  slipway verify-install --extras cli --max-import-ms 200  one extra, an import budget
  slipway verify-install --script "mytool --version" --import mypkg.plugins
  slipway verify-install dist/pkg-1.0.tar.gz --find-links ./wheels --no-index
`;

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const label = (t: VerifyTarget) => `${t.name} ${t.version} (${t.kind}: ${t.files.join(", ")})`;

function stepLines(step: VerifyStep, style: Style): string[] {
  const mark = !step.ok ? style.red("FAIL") : step.warning ? style.yellow("warn") : style.green("ok  ");
  const lines = [
    `  ${mark} ${step.kind.padEnd(12)} ${style.bold(step.subject)}: ${describeVerifyResult(step.result)} ${style.dim(`(${seconds(step.ms)})`)}`,
  ];
  if (!step.ok) {
    if (step.command !== undefined) lines.push(style.dim(`       $ ${step.command}`));
    for (const line of step.output?.split("\n") ?? []) lines.push(style.dim(`       | ${line}`));
  }
  if (step.hint !== undefined) lines.push(`       hint: ${step.hint}`);
  return lines;
}

const runHeader = (target: VerifyTarget, python: string, version: string, style: Style) =>
  `${style.bold(label(target))} with Python ${version} ${style.dim(`(${python})`)}`;

function runFooter(run: VerifyRun, style: Style): string[] {
  const lines: string[] = [];
  if (run.venv !== undefined) lines.push(`  kept: ${run.venv}`);
  lines.push(`  ${run.ok ? style.green("passed") : style.red("failed")} in ${seconds(run.ms)}`);
  return lines;
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(redact(text));
  let statusShown = false;
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      "index-url": { type: "string" },
      "find-links": { type: "string", multiple: true },
      "no-index": { type: "boolean" },
      python: { type: "string", multiple: true },
      extras: { type: "string", multiple: true },
      import: { type: "string", multiple: true },
      script: { type: "string", multiple: true },
      "max-import-ms": { type: "string" },
      keep: { type: "boolean" },
      json: { type: "boolean" },
    });
    if (values.help) {
      write(io.stdout, HELP);
      return 0;
    }
    const maxText = values["max-import-ms"];
    if (maxText !== undefined && !/^\d+(\.\d+)?$/.test(maxText)) {
      throw new SlipwayError("usage", `--max-import-ms must be a number of milliseconds, got '${maxText}'`, {
        hint: "For example --max-import-ms 250.",
      });
    }
    const extras = values.extras
      ?.flatMap((e) => e.split(","))
      .map((e) => e.trim())
      .filter((e) => e !== "");
    const dists = await resolveVerifyDists(positionals, io.cwd);
    const maxImportMs = maxText === undefined ? await readImportBudget(io.cwd) : Number(maxText);
    json = values.json === true;
    const plain = isPlain(io.stderr, io.env);
    const style = makeStyle(!json && wantsColor(io.stdout, io.env));
    const onEvent = (event: VerifyEvent) => {
      if (json) {
        write(io.stdout, jsonLine(event));
        return;
      }
      if (event.type === "run-start") {
        if (plain) write(io.stdout, `${runHeader(event.target, event.python, event.version, style)}\n`);
      } else if (event.type === "step-start" && !plain) {
        // A live status line on a TTY; the finished run is printed as a block below.
        write(
          io.stderr,
          `\r\u001b[2K${event.target.name} ${event.target.version}: ${event.kind} ${event.subject}…`,
        );
        statusShown = true;
      } else if (event.type === "step" && plain) {
        write(io.stdout, `${stepLines(event.step, style).join("\n")}\n`);
      } else if (event.type === "run-done") {
        const block = plain
          ? runFooter(event.run, style)
          : [
              runHeader(event.run.target, event.run.python.path, event.run.python.version, style),
              ...event.run.steps.flatMap((s) => stepLines(s, style)),
              ...runFooter(event.run, style),
            ];
        if (statusShown) io.stderr.write("\r\u001b[2K");
        statusShown = false;
        write(io.stdout, `${block.join("\n")}\n`);
      }
    };
    const report = await verifyInstall({
      cwd: io.cwd,
      env: io.env,
      dists,
      ...(values["index-url"] === undefined ? {} : { indexUrl: values["index-url"] }),
      ...(values["find-links"] === undefined ? {} : { findLinks: values["find-links"] }),
      ...(values["no-index"] ? { noIndex: true } : {}),
      ...(values.python === undefined ? {} : { pythons: values.python }),
      ...(extras === undefined ? {} : { extras }),
      ...(values.import === undefined ? {} : { imports: values.import }),
      ...(values.script === undefined ? {} : { scripts: values.script }),
      ...(maxImportMs === undefined ? {} : { maxImportMs }),
      keep: values.keep === true,
      onEvent,
    });
    if (json) {
      write(io.stdout, reportLine(report));
      return report.ok ? 0 : 1;
    }
    const failed = report.runs.filter((r) => !r.ok).length;
    const source = report.source.kind === "index" ? `from ${report.source.url}` : "from the local files";
    const warnings = report.runs.reduce((n, r) => n + r.steps.filter((s) => s.warning).length, 0);
    const warned =
      warnings === 0 ? "" : `, ${style.yellow(`${warnings} warning${warnings === 1 ? "" : "s"}`)}`;
    write(
      io.stdout,
      failed === 0
        ? `${style.green("verified")}: ${report.runs.length} run${report.runs.length === 1 ? "" : "s"} passed${warned}, ${source}\n`
        : `${style.red("verify-install failed")}: ${failed} of ${report.runs.length} runs failed${warned}, ${source}\n`,
    );
    return failed === 0 ? 0 : 1;
  } catch (error) {
    if (statusShown) io.stderr.write("\r\u001b[2K");
    return commandFailure("verify-install", error, io, { json });
  }
}
