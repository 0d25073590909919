/** `slipway ci protect`: argv → ops/ci-protect.ts → the change, shown, then made (or --dry-run). */
import { resolve } from "node:path";
import { SlipwayError } from "../../errors.ts";
import { type CiProtectReport, ciProtect } from "../../ops/ci-protect.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { HOST_FLAGS, hostOption, waitLine } from "./host-flags.ts";

export const HELP = `Usage: slipway ci protect [options]

Makes the checks of the generated workflow (slipway ci init) the default branch's required
checks. It reads the branch's protection first and shows the change; it only adds checks, never
removes one, and leaves every other setting (reviews, admins, who may push) as it is.
  github   the jobs of .github/workflows/checks.yml (matrix jobs one per value, as GitHub
           names them: "test (3.12)") added to the required status checks of the repository
           ruleset that governs the branch, else of its branch protection
  gitea    branch protection: status checks on, "checks / <job> (pull_request)" contexts added
  gitlab   the branch protected, and "pipelines must succeed" on (GitLab requires the
           pipeline, not single jobs)
The token comes from GITHUB_TOKEN (admin on the repository), GITEA_TOKEN or GITLAB_TOKEN
(Maintainer) and is never printed.

Options:
  --branch NAME         the branch (default: [tool.slipway.release] branch, else the remote's default)
  --dry-run             show the change, make none
  --host KIND           github, gitea or gitlab, over the project's setting
  --api URL             the API root (https; http only to loopback)
  --repository O/R      owner/name (GitLab: the project path)
  --project DIR         the project directory (default: the current one)
  --json                the report as JSON
  -h, --help            show this help

Exit status: 0 done or nothing to change, 1 the host refused or the protection is in a state
slipway will not rewrite, 2 usage or configuration error.

Examples:
  slipway ci protect --dry-run                what would change
  slipway ci protect
  slipway ci protect --branch release/1.x

See docs/host-releases.md.
`;

function lines(report: CiProtectReport): string[] {
  const via = report.ruleset === undefined ? "" : ` (ruleset ${report.ruleset})`;
  const out = [`${report.host} ${report.repository}, branch ${report.branch}${via}:`];
  if (report.changes.length === 0) out.push("  up to date: nothing to change");
  for (const change of report.changes) {
    if (change.kind === "protect-branch") out.push("  + protect the branch (it has no protection)");
    if (change.kind === "require-pipeline") out.push("  + require a green pipeline before merging");
    if (change.kind === "add-checks") for (const c of change.checks) out.push(`  + required check: ${c}`);
  }
  for (const c of report.before ?? []) if (!report.required.includes(c)) out.push(`    kept: ${c}`);
  if (report.changes.length > 0) out.push(report.applied ? "done" : "dry run: nothing changed");
  return out;
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      branch: { type: "string" },
      "dry-run": { type: "boolean" },
      ...HOST_FLAGS,
      project: { type: "string" },
      json: { type: "boolean" },
    });
    json = values.json === true;
    if (values.help) {
      out(HELP);
      return 0;
    }
    if (positionals.length > 0) {
      throw new SlipwayError("usage", `unexpected argument ${JSON.stringify(positionals[0])}`, {
        hint: "run 'slipway ci protect --help'",
      });
    }
    const report = await ciProtect({
      root: resolve(io.cwd, values.project ?? "."),
      env: io.env,
      userAgent: `slipway/${io.version}`,
      ...(values.branch === undefined ? {} : { branch: values.branch }),
      host: hostOption(values),
      dryRun: values["dry-run"] === true,
      onWait: waitLine(io, "ci protect"),
    });
    out(json ? `${JSON.stringify(report, null, 2)}\n` : `${lines(report).join("\n")}\n`);
    return 0;
  } catch (error) {
    return commandFailure("ci protect", error, io, { json });
  }
}
