/** `slipway scan deps`: the project's pinned dependencies against an offline advisory database. */
import { setFlagsFromString } from "node:v8";
import type { GateLevel } from "../../core/vulns/report.ts";
import type { ScanDepsReport } from "../../ops/scan-deps.ts";
import type { CommandIO } from "../command.ts";
import { SCAN_OUTPUT_HELP } from "../render/scan-output-flags.ts";

export const HELP = `Usage: slipway scan deps [LOCKFILE...] [--installed VENV] [--db DIR]
                        [--fail-on low|moderate|high|critical] [--format text|json|github] [--json]
                        [--sarif FILE] [--sarif-in FILE]...

Checks the pinned dependencies against known vulnerabilities, offline. The pins come from the
lockfiles named, or else those in the current directory (uv.lock, poetry.lock, pylock.toml,
pylock.*.toml, requirements*.txt, Pipfile.lock), and from a virtual environment's installed
distributions with --installed. Nothing is resolved or installed.

The advisories come from --db DIR (a directory of OSV records in YAML or JSON, searched
recursively, e.g. a clone of github.com/pypa/advisory-database), or else from the database
'slipway scan update-db' downloaded. With neither, the scan stops with exit status 3: it never
passes without a database. A warm scan reads a compact index cached per database revision.

Each vulnerability of a pinned version is one finding, its aliases (PYSEC, GHSA, CVE) merged,
with its level (from the CVSS score, else the database's word; none counts as high), the fixed
version to upgrade to, and the marker under which the pin applies. A vulnerability at or above
the gate (--fail-on, default high) is an error, below it a warning. Ignores with a reason and
an expiry date go in pyproject.toml; an expired ignore is itself an error:

  [[tool.slipway.scan.ignore]]
  id = "GHSA-h5c8-rqwp-cp95"
  reason = "we never render untrusted templates"
  expires = 2027-01-31

Options:
  --installed VENV   also scan the distributions installed in this virtual environment
  --db DIR           the advisory database to use (OSV records, YAML or JSON)
  --fail-on LEVEL    the gate: low, moderate, high (default) or critical; default also
                     from [tool.slipway.scan] fail-on
${SCAN_OUTPUT_HELP}
  -h, --help         show this help

A job summary is appended to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions).

Exit status: 0 nothing at or above the gate, 1 a finding at or above it, 2 usage or
configuration error, 3 no advisory database (run 'slipway scan update-db' or pass --db).

Examples:
  slipway scan update-db && slipway scan deps     download OSV's advisories, scan the lockfiles here
  slipway scan deps uv.lock --fail-on moderate
  slipway scan deps --db ../advisory-database requirements.txt
  slipway scan deps --installed .venv --format github
  slipway scan deps --sarif deps.sarif            and a report for github/codeql-action/upload-sarif
  slipway scan deps --json | jq '.sections[0].vulnerabilities[] | {name, version, id, fixedIn}'

See docs/scan-deps.md.
`;

/**
 * The CLI set V8's young-generation growth factor to 1 before this command was loaded (main.ts),
 * and any flag off its default makes V8 refuse the code cache of Node's built-in modules:
 * crypto, util and fs/promises compiled again cost ~15 ms of a scan that must stay under 150 ms.
 * V8 raises a factor below 2 to 2 anyway, so the default is set back before anything is loaded,
 * and the rest of the command is imported only then.
 */
async function load() {
  setFlagsFromString("--semi-space-growth-factor=2");
  const [feed, report, errors, ops, redaction, command, output] = await Promise.all([
    import("../../core/vulns/feed.ts"),
    import("../../core/vulns/report.ts"),
    import("../../errors.ts"),
    import("../../ops/scan-deps.ts"),
    import("../../redact.ts"),
    import("../command.ts"),
    import("../render/scan-output.ts"),
  ]);
  return { ...feed, ...report, ...errors, ...ops, ...redaction, ...command, ...output };
}

type Loaded = Awaited<ReturnType<typeof load>>;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const m = await load();
  const {
    AdvisoryFeedError,
    commandFailure,
    FEED_EXIT,
    feedErrorJson,
    parseCommandLine,
    readSarifInputs,
    redact,
    SCAN_OUTPUT_FLAGS,
    scanDeps,
    scanOutputOptions,
    writeScanOutput,
  } = m;
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      installed: { type: "string" },
      db: { type: "string" },
      "fail-on": { type: "string" },
      ...SCAN_OUTPUT_FLAGS,
    });
    if (values.help) {
      out(HELP);
      return 0;
    }
    const options = scanOutputOptions(values);
    json = options.format === "json";
    const report = await scanDeps({
      root: io.cwd,
      lockfiles: positionals,
      ...(values.installed === undefined ? {} : { installed: values.installed }),
      ...(values.db === undefined ? {} : { db: values.db }),
      ...(values["fail-on"] === undefined ? {} : { gate: gateOf(m, values["fail-on"]) }),
      env: io.env,
    });
    const sections = [report.section, ...(await readSarifInputs(options, io))];
    const exit = await writeScanOutput(sections, options, io, {
      version: io.version,
      command: "scan deps",
      checked: { deps: depsChecked(report) },
      details: { deps: depsDetails(report) },
    });
    if (options.format === "text") out(footer(report));
    return exit;
  } catch (error) {
    if (error instanceof AdvisoryFeedError) {
      // Exit 3, which the JSON line must say too (commandFailure's would say 1).
      if (json) out(`${JSON.stringify(feedErrorJson(error))}\n`);
      commandFailure("scan deps", error, io);
      return FEED_EXIT;
    }
    return commandFailure("scan deps", error, io, { json });
  }
}

/** What the dependency scan read, for its verdict line. */
export function depsChecked(report: ScanDepsReport): { count: number; verb: string } {
  return { count: report.inputs.length, verb: `scanned (${report.pins} pin${report.pins === 1 ? "" : "s"})` };
}

/** What the dependency scan adds to its section of `--json`. */
export function depsDetails(report: ScanDepsReport): Record<string, unknown> {
  return {
    gate: report.gate,
    database: report.database,
    inputs: report.inputs,
    pins: report.pins,
    vulnerabilities: report.vulnerabilities,
    ignored: report.ignored,
  };
}

function footer(report: ScanDepsReport): string {
  const db = report.database;
  const when = db.fetchedAt ? `, downloaded ${db.fetchedAt.slice(0, 10)}` : "";
  const lines = [
    `advisories: ${db.records} records from ${db.location}${when}; gate: ${report.gate}`,
    ...report.ignored.map(
      (i) => `ignored: ${i.id} in ${i.name} ${i.version} until ${i.expires} (${i.reason})`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

function gateOf(m: Loaded, said: string): GateLevel {
  const gate = m.parseGate(said);
  if (gate === undefined) {
    throw new m.SlipwayError("usage", `--fail-on '${said}' is not one of low, moderate, high, critical`, {
      hint: "slipway scan deps --fail-on moderate",
    });
  }
  return gate;
}
