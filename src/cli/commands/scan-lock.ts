/** `slipway scan lock`: lockfiles that no longer match pyproject.toml, or pin artifacts without hashes. */

import { SlipwayError } from "../../errors.ts";
import { scanLock } from "../../ops/scan-lock.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import {
  readSarifInputs,
  SCAN_OUTPUT_FLAGS,
  SCAN_OUTPUT_HELP,
  scanOutputOptions,
  writeScanOutput,
} from "../render/scan-output.ts";

export const HELP = `Usage: slipway scan lock [PATH] [--strict] [--format text|json|github] [--sarif FILE]

Checks the lockfiles of the project at PATH (default: the current directory), or the one
lockfile PATH names, without running uv or poetry:
  uv.lock        made from the dependencies, optional dependencies, dependency groups and
                 requires-python pyproject.toml has now (what \`uv lock --check\` refuses)
  poetry.lock    its content-hash is that of pyproject.toml (what \`poetry check --lock\` refuses)
  every lock     each artifact downloaded from an index has a hash (pylock.toml,
                 requirements*.txt in hash-checking mode, Pipfile.lock too), and a
                 requirements file pins each requirement to one version
The checks (LOCK01-LOCK07) are listed in docs/scan-lock.md.

Options:
  --strict          warnings (an unpinned requirement, LOCK07) fail too
${SCAN_OUTPUT_HELP}
  -h, --help        show this help

A job summary is appended to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions).

Exit status: 0 the lockfiles agree, 1 a finding at the gate (an error; a warning with --strict),
2 usage or configuration error (also: no lockfile at PATH).

Examples:
  slipway scan lock                          the lockfiles here
  slipway scan lock ../service/uv.lock       one lockfile
  slipway scan lock --format github          annotations, in a GitHub Actions step
  slipway scan lock --sarif lock.sarif       and a report for github/codeql-action/upload-sarif
  slipway scan lock --sarif-in bandit.sarif  one gate over the lockfiles and bandit's results

See docs/scan-lock.md and docs/scan-sarif.md.
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      ...SCAN_OUTPUT_FLAGS,
      strict: { type: "boolean" },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const options = scanOutputOptions(values);
    json = options.format === "json";
    if (positionals.length > 1) {
      throw new SlipwayError("usage", `one project or lockfile at a time, not ${positionals.length}`, {
        hint: "slipway scan lock [PATH]",
      });
    }
    const path = positionals[0] ?? io.cwd;
    const report = await scanLock({ path, env: io.env, ...(values.strict ? { strict: true } : {}) });
    if (report.lockfiles.length === 0) {
      throw new SlipwayError("usage", `no lockfile in ${positionals[0] ?? "the current directory"}`, {
        hint: "slipway scan lock reads uv.lock, poetry.lock, pylock.toml, requirements*.txt and Pipfile.lock; make one with `uv lock` or `poetry lock`",
      });
    }
    const sections = [report.section, ...(await readSarifInputs(options, io))];
    return await writeScanOutput(sections, options, io, {
      version: io.version,
      command: "scan lock",
      checked: { lock: { count: report.lockfiles.length, verb: "checked for lockfile integrity" } },
    });
  } catch (error) {
    return commandFailure("scan lock", error, io, { json });
  }
}
