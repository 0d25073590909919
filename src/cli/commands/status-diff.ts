/** `slipway status diff`: what changed between two SecurityStatus documents. */
import type { StatusChange, StatusDiff } from "../../core/status/diff.ts";
import { CHANGE_KINDS, countChanges } from "../../core/status/diff.ts";
import { renderDiffMarkdown } from "../../core/status/notes.ts";
import { SlipwayError } from "../../errors.ts";
import { statusDiff } from "../../ops/status-diff.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { statusSources, timeoutMs } from "./status-input.ts";

const USAGE = "slipway status diff OLD NEW | slipway status diff --from-url URL NEW";

export const HELP = `Usage: slipway status diff OLD NEW [--format text|json|markdown] [--json]
       slipway status diff --from-url URL NEW [...]

Compares two SecurityStatus documents (written by \`slipway status\`), finding by fingerprint:
  new               a finding NEW has and OLD had not
  severity-changed  its level went up or down
  fix-available     no fix was known in OLD, NEW names a fixed version
  ignore-expired    an ignore that held it in OLD expired by NEW's date, or is gone
  resolved          a finding OLD had and NEW has not
The rest are counted as unchanged.

OLD and NEW are file paths; NEW may be - (standard input). With --from-url, OLD is fetched:
the last published index.json of the status site (30 s deadline, 16 MiB at most).

Options:
  --timeout SECONDS  the total deadline of --from-url's fetch (default 30)
  --from-url URL     OLD is the document at URL (http or https)
  --format FORMAT    text (default), json, or markdown (a pull-request or issue body,
                     escaped and capped under GitHub's size limit)
  --json             same as --format json
  -h, --help         show this help

Exit status: 0 compared (changed or not), 1 the URL could not be read, 2 usage error or a
document that is not a SecurityStatus of schema 1 (the message names the file and JSON path).

Examples:
  slipway status diff site-old/index.json site/index.json
  slipway status --json | slipway status diff --from-url https://example.github.io/proj/index.json -
  slipway status diff old.json new.json --format markdown > body.md
  slipway status diff old.json new.json --json | jq '.changes[] | select(.kind == "new")'

See docs/status-decide.md.
`;

/** Control characters off, for a terminal: a finding's message is not trusted. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
}

function changeLine(change: StatusChange): string {
  const f = change.finding;
  const level = change.kind === "severity-changed" ? `${change.from} → ${f.level}` : f.level;
  const where =
    f.package !== undefined
      ? `${f.package.name} ${f.package.version} (${f.package.runtime ? "runtime" : "dev"})`
      : `${f.location.file}${f.location.line === undefined ? "" : `:${f.location.line}`}`;
  const fix = typeof f.fixedIn === "string" ? `, fixed in ${f.fixedIn}` : "";
  const expired = change.expired === undefined ? "" : `, ignore expired ${change.expired}`;
  return clean(`    ${level.padEnd(9)} ${f.id} in ${where}${fix}${expired}: ${f.message}`);
}

/** The diff for a terminal or a log. */
export function renderDiffText(diff: StatusDiff): string {
  const counts = countChanges(diff);
  const lines = [clean(`Security status of ${diff.project}: ${diff.from} → ${diff.to}`)];
  for (const kind of CHANGE_KINDS) {
    if (counts[kind] === 0) continue;
    lines.push(`  ${kind} (${counts[kind]})`);
    for (const change of diff.changes) if (change.kind === kind) lines.push(changeLine(change));
  }
  if (diff.changes.length === 0) lines.push("  no change");
  lines.push(`  ${diff.unchanged} unchanged`);
  return `${lines.join("\n")}\n`;
}

/** The JSON of a diff: counts, then the changes. */
export function diffJson(diff: StatusDiff): object {
  return { type: "status-diff", ...diff, counts: { ...countChanges(diff), unchanged: diff.unchanged } };
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      "from-url": { type: "string" },
      timeout: { type: "string" },
      format: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const format = values.json ? "json" : (values.format ?? "text");
    json = format === "json";
    if (format !== "text" && format !== "json" && format !== "markdown") {
      throw new SlipwayError("usage", `--format ${format}: not text, json or markdown`, { hint: USAGE });
    }
    const { older, newer } = await statusSources(positionals, values["from-url"], USAGE);
    const { diff } = await statusDiff(older, newer, {
      cwd: io.cwd,
      userAgent: `slipway/${io.version}`,
      deadlineMs: timeoutMs(values.timeout),
    });
    const out =
      format === "json"
        ? `${JSON.stringify(diffJson(diff), null, 2)}\n`
        : format === "markdown"
          ? renderDiffMarkdown(diff)
          : renderDiffText(diff);
    io.stdout.write(redact(out));
    return 0;
  } catch (error) {
    return commandFailure("status diff", error, io, { json });
  }
}
