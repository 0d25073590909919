/** `slipway status decide`: whether a change of the security status calls for a release. */
import type { Decision } from "../../core/status/policy.ts";
import { statusDecide } from "../../ops/status-decide.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { diffJson } from "./status-diff.ts";
import { statusSources, timeoutMs } from "./status-input.ts";

const USAGE = "slipway status decide OLD NEW | slipway status decide --from-url URL NEW";

/** The exit status of each decision, for CI (docs/status-decide.md, "Exit status"). */
export const DECISION_EXIT: Readonly<Record<Decision, number>> = {
  "no-action": 0,
  "release-now": 10,
  "release-recommended": 11,
  hold: 12,
};

export const HELP = `Usage: slipway status decide OLD NEW [--project DIR] [--notes FILE] [--json]
       slipway status decide --from-url URL NEW [...]

Compares two SecurityStatus documents (as \`slipway status diff\` does) and judges each change
by the policy in [tool.slipway.security.policy] of the project's pyproject.toml (the defaults
when there is none) into one decision:
  release-now           e.g. a new high or critical advisory against a runtime dependency with
                        a fixed version to move to, or a secret that shipped in a distribution
  hold                  e.g. a new critical with no fix: releasing changes nothing yet
  release-recommended   e.g. a moderate with a fix, a dev-only dependency's high with a fix
  no-action             nothing above calls for a release
The strongest wins (in that order). It prints the decision, a justification naming each finding
that drove it, and a release-notes section ("### Security") for the changelog.

Options:
  --timeout SECONDS  the total deadline of --from-url's fetch (default 30)
  --from-url URL     OLD is the document at URL (the published index.json of the status site)
  --project DIR      the project whose pyproject.toml holds the policy (default: here)
  --notes FILE       also write the release-notes section to FILE, for
                     \`slipway release --security-notes FILE\` (empty when nothing to announce)
  --json             the decision, justification, notes, reasons, diff and policy as JSON
  -h, --help         show this help

Exit status: 0 no-action, 10 release-now, 11 release-recommended, 12 hold; 1 the URL could not
be read, 2 usage or configuration error (a bad policy, a document not of schema 1).

Examples:
  slipway status decide site-old/index.json site/index.json
  slipway status --json | slipway status decide --from-url https://example.github.io/proj/index.json -
  slipway status decide old.json new.json --notes security.md; test $? -eq 10 && slipway release --security-notes security.md
  slipway status decide old.json new.json --json | jq -r .justification

See docs/status-decide.md.
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      "from-url": { type: "string" },
      timeout: { type: "string" },
      project: { type: "string" },
      notes: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    json = values.json === true;
    const { older, newer } = await statusSources(positionals, values["from-url"], USAGE);
    const result = await statusDecide({
      older,
      newer,
      cwd: io.cwd,
      env: io.env,
      userAgent: `slipway/${io.version}`,
      deadlineMs: timeoutMs(values.timeout),
      ...(values.project === undefined ? {} : { project: values.project }),
      ...(values.notes === undefined ? {} : { notesFile: values.notes }),
    });
    const exit = DECISION_EXIT[result.decision];
    if (json) {
      const { diff, ...rest } = result;
      io.stdout.write(
        redact(
          `${JSON.stringify({ type: "status-decision", exit, ...rest, diff: diffJson(diff) }, null, 2)}\n`,
        ),
      );
    } else {
      const notes = result.releaseNotes === "" ? "" : `\n${result.releaseNotes}`;
      const written =
        result.notesWritten === undefined ? "" : `\n(release notes written to ${result.notesWritten})\n`;
      const text = `${result.decision}\n\n${result.justification}\n${notes}${written}`.replace(
        /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]+/g,
        " ",
      );
      io.stdout.write(redact(text));
    }
    return exit;
  } catch (error) {
    return commandFailure("status decide", error, io, { json });
  }
}
