/** `slipway ci status`: argv → ops/ci-status.ts → one line (or --json). */
import { resolve } from "node:path";
import { STATUS_STATES, type StatusState } from "../../core/host/statuses.ts";
import { SlipwayError } from "../../errors.ts";
import { ciStatus } from "../../ops/ci-status.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { HOST_FLAGS, hostOption, waitLine } from "./host-flags.ts";

export const HELP = `Usage: slipway ci status --state STATE --context NAME [options]

Posts a commit status on GitHub, Gitea or GitLab: the check a job reports next to the commit
(and that 'slipway ci protect' can make required). The host is the one the project's remote
or [tool.slipway.release] host names; inside a CI job, the job's own (GITHUB_API_URL and
GITHUB_REPOSITORY, or CI_API_V4_URL and CI_PROJECT_PATH). The token comes from GITHUB_TOKEN,
GITEA_TOKEN or GITLAB_TOKEN and is never printed.

Options:
  --state STATE         pending, success, failure or error (GitLab: failure and error are
                        "failed"); warning on Gitea only
  --context NAME        the check's name, e.g. slipway/release
  --description TEXT    one line (at most 140 characters; longer is cut)
  --target-url URL      where the details are (the CI run)
  --sha SHA             the commit (default: GITHUB_SHA, CI_COMMIT_SHA, else HEAD)
  --host KIND           github, gitea or gitlab, over the project's setting
  --api URL             the API root (https; http only to loopback)
  --repository O/R      owner/name (GitLab: the project path)
  --project DIR         the project directory (default: the current one)
  --dry-run             show the status, post nothing
  --json                the report as JSON
  -h, --help            show this help

Exit status: 0 posted, 1 the host refused (the message says why and what to do), 2 usage or
configuration error.

Examples:
  slipway ci status --state pending --context slipway/release
  slipway ci status --state success --context slipway/release --description "0.4.1 on PyPI" \\
      --target-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"
  slipway ci status --state failure --context slipway/scan --host gitea \\
      --api https://git.example.org/api/v1 --repository team/pkg

See docs/host-releases.md.
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      state: { type: "string" },
      context: { type: "string" },
      description: { type: "string" },
      "target-url": { type: "string" },
      sha: { type: "string" },
      ...HOST_FLAGS,
      project: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    });
    json = values.json === true;
    if (values.help) {
      out(HELP);
      return 0;
    }
    const usage = (message: string) =>
      new SlipwayError("usage", message, { hint: "run 'slipway ci status --help'" });
    if (positionals.length > 0) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (values.state === undefined) throw usage("--state is required: pending, success, failure or error");
    if (!STATUS_STATES.includes(values.state as StatusState)) {
      throw usage(
        `unknown state ${JSON.stringify(values.state)}: pending, success, failure, error (or warning on Gitea)`,
      );
    }
    if (values.context === undefined) throw usage("--context is required, e.g. --context slipway/release");
    const report = await ciStatus({
      root: resolve(io.cwd, values.project ?? "."),
      env: io.env,
      userAgent: `slipway/${io.version}`,
      state: values.state as StatusState,
      context: values.context,
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(values["target-url"] === undefined ? {} : { targetUrl: values["target-url"] }),
      ...(values.sha === undefined ? {} : { sha: values.sha }),
      host: hostOption(values),
      dryRun: values["dry-run"] === true,
      onWait: waitLine(io, "ci status"),
    });
    if (json) {
      out(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const s = report.status;
      const verb = report.posted ? "posted" : "would post";
      out(
        `${verb} ${s.state} for ${s.context} on ${report.repository}@${s.sha.slice(0, 12)} (${report.host})\n`,
      );
    }
    return 0;
  } catch (error) {
    return commandFailure("ci status", error, io, { json });
  }
}
