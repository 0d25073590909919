/** `slipway scan secrets` (and bare `slipway scan`): secrets in the work tree, the history, a range of commits, the staged blobs or built distributions. */

import { resolve } from "node:path";
import { pushAll } from "../../core/arrays.ts";
import { DEFAULT_BASELINE } from "../../core/scan/baseline.ts";
import { SlipwayError } from "../../errors.ts";
import { type ScanEvent, type ScanReport, type ScanSource, scan } from "../../ops/scan.ts";
import { DIST_FILE } from "../../ops/scan-dists.ts";
import { parseRange } from "../../ops/scan-history.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import {
  type Checked,
  readSarifInputs,
  SCAN_OUTPUT_FLAGS,
  SCAN_OUTPUT_HELP,
  scanOutputOptions,
  writeScanOutput,
} from "../render/scan-output.ts";

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
${SCAN_OUTPUT_HELP}
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
  slipway scan --history --json | jq '.sections[0].findings[] | .location'
  slipway scan --sarif secrets.sarif    and a report for github/codeql-action/upload-sarif

See docs/scan.md.
`;

/** What bare `slipway scan` takes besides the secret scan's flags: the dependency scan's. */
const WHOLE_FLAGS = {
  db: { type: "string" },
  "fail-on": { type: "string" },
} as const;

export const WHOLE_HELP = `Usage: slipway scan [PATH] [options]
       slipway scan secrets|deps|lock|update-db [options]    (each with --help)

Runs every scan of the project at PATH (default: the current directory) with one report, one
gate and one exit status:

  secrets    tokens, keys and passwords in the work tree (the files git tracks or would add)
  lock       when the project has lockfiles: do they still match pyproject.toml, and does every
             locked artifact have a hash (uv.lock, poetry.lock, pylock.toml, requirements*.txt,
             Pipfile.lock)
  deps       when the project has lockfiles: their pinned versions against known
             vulnerabilities, from an offline advisory database (--db DIR, or the one
             'slipway scan update-db' downloaded)

With --history, --since, --range, --staged or distribution files, only the secret scan runs
(see 'slipway scan secrets --help'). --sarif-in adds other scanners' results (bandit, semgrep,
CodeQL) to the report and the gate.

Options:
  --db DIR          the advisory database of the dependency scan (OSV records)
  --fail-on LEVEL   the dependency scan's gate: low, moderate, high (default) or critical
  --history, --ref REF, --since REF, --range A..B, --staged, --baseline FILE, --no-baseline,
  --baseline-write[=FILE]
                    as for 'slipway scan secrets'
${SCAN_OUTPUT_HELP}
  -h, --help        show this help

A job summary is appended to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions).

Exit status: 0 nothing at a gate, 1 a finding at a gate (a secret in code, a lockfile that
disagrees, a vulnerability at or above --fail-on), 2 usage or configuration error, 3 the project
has lockfiles and no advisory database was there (run 'slipway scan update-db' or pass --db):
the other scans are still reported, never a silent pass.

Examples:
  slipway scan                                   every scan of the project here
  slipway scan --db ../advisory-database         the dependency scan against a local database
  slipway scan --sarif scan.sarif --sarif-in bandit.sarif
                                                 one SARIF report for code scanning, bandit included
  slipway scan --format github --fail-on moderate
  slipway scan --history                         only secrets: every blob of the history

See docs/scan.md, docs/scan-deps.md, docs/scan-lock.md and docs/scan-sarif.md.
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  return runScan(argv, io, false);
}

/**
 * Bare `slipway scan`: the secret scan, and for the work tree also the lockfiles' integrity and
 * their dependencies' vulnerabilities when the project has lockfiles (scan-whole.ts).
 */
export async function runWhole(argv: string[], io: CommandIO): Promise<number> {
  return runScan(argv, io, true);
}

async function runScan(argv: string[], io: CommandIO, whole: boolean): Promise<number> {
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
      ...SCAN_OUTPUT_FLAGS,
      history: { type: "boolean" },
      ref: { type: "string", multiple: true },
      since: { type: "string" },
      range: { type: "string" },
      staged: { type: "boolean" },
      baseline: { type: "string" },
      "no-baseline": { type: "boolean" },
      ...(whole ? WHOLE_FLAGS : {}),
    });
    if (values.help) {
      out(whole ? WHOLE_HELP : HELP);
      return 0;
    }
    if (!whole) {
      for (const flag of Object.keys(WHOLE_FLAGS)) {
        if (flag in values)
          throw new SlipwayError("usage", `--${flag} is an option of the dependency scan`, {
            hint: `slipway scan deps --${flag} …, or bare slipway scan (all scans)`,
          });
      }
    }
    const options = scanOutputOptions(values);
    const format = options.format;
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
    const context = {
      version: io.version,
      command: "scan",
      checked: { secrets: checkedOf(report) } as Record<string, Checked>,
      details: { secrets: secretsDetails(report) } as Record<string, Record<string, unknown>>,
      feedUnreachable: false,
    };
    const sections = [report.section];
    // The lockfiles' scans go with the work tree's, not with a history, a diff or built files.
    if (whole && source.kind === "tree") {
      const { lockSections } = await import("./scan-whole.ts");
      const more = await lockSections(root, io, {
        ...(typeof values.db === "string" ? { db: values.db } : {}),
        ...(typeof values["fail-on"] === "string" ? { failOn: values["fail-on"] } : {}),
      });
      pushAll(sections, more.sections);
      Object.assign(context.checked, more.checked);
      Object.assign(context.details, more.details);
      context.feedUnreachable = more.feedUnreachable;
    }
    pushAll(sections, await readSarifInputs(options, io));
    return await writeScanOutput(sections, options, io, context);
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

/** What the secret scan read, for its verdict line. */
function checkedOf(report: ScanReport): Checked {
  if (report.source === "dists")
    return { count: report.files.scanned, verb: "scanned for secrets (distributions)" };
  if (report.history !== undefined)
    return { count: report.files.scanned, verb: "scanned for secrets (git blobs)" };
  return { count: report.files.scanned, verb: "scanned for secrets" };
}

/** What the secret scan adds to its section of `--json`: what it read and how. */
export function secretsDetails(report: ScanReport): Record<string, unknown> {
  return {
    root: report.root,
    source: report.source,
    ruleSources: report.rules,
    files: report.files,
    ...(report.history === undefined ? {} : { history: report.history }),
    ...(report.baseline === undefined ? {} : { baseline: report.baseline }),
    ...(report.baselineWritten === undefined ? {} : { baselineWritten: report.baselineWritten }),
    ignoreProblems: report.ignoreProblems,
  };
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
