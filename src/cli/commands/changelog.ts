/** `slipway changelog`: argv → the changelog ops → the entry, the diff or the release notes. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  applyChangelogPlan,
  type ChangelogPlan,
  planChangelog,
  recoverChangelogEdit,
} from "../../ops/changelog.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure } from "../command.ts";
import { makeStyle, type Style, wantsColor } from "../style.ts";
import { colorDiff } from "./version-render.ts";

export const HELP = `Usage: slipway changelog [options]

Write the next Keep a Changelog entry into CHANGELOG.md from the conventional commits since the
last release tag (all commits without one; squash-merge bodies read item by item, reverted
commits dropped) and the hand-written fragments in changes/ (<id>.<type>.md, type one of added,
changed, deprecated, removed, fixed, security). Only the new entry is inserted: every byte above
it and every past entry stays as it is. Used fragments are deleted with the same write. When
none of the commits is conventional (the project does not write them), they are listed under
Changed as written, merges left out.

A changelog slipway does not own gets no entry (exit 2, saying why): one towncrier builds
([tool.towncrier] or towncrier.toml), or one kept in another file (CHANGES.md, HISTORY.md,
NEWS.rst...) while CHANGELOG.md does not exist. [tool.slipway.changelog] path opts in.

The entry's version is --version, else the project's version when it is ahead of the last tag
(after 'slipway version bump'), else the last release bumped as the changes call for (breaking →
major, feat → minor, fix/perf → patch; below 1.0 a breaking change bumps the minor).

Options:
  --version VERSION     the version of the entry
  --date YYYY-MM-DD     the release date (default: today)
  --dry-run             print the entry and the diff; write nothing
  --notes               print the release notes (Markdown, for the host release) instead of the
                        summary; with --dry-run nothing is written
  --keep-fragments      keep the used fragment files
  --project DIR         the project directory (default: the current one)
  --json                machine-readable output
  -h, --help            show this help

Settings live in [tool.slipway.changelog] (path, fragments, commit-url, compare-url, ...); see
docs/changelog.md.

Exit status: 0 written (or nothing to do), 1 a failed write, 2 usage or configuration error.

Examples:
  slipway changelog --dry-run              the entry and the diff, nothing written
  slipway changelog                        insert the entry, delete the used fragments
  slipway changelog --version 2.0.0rc1     an explicit version
  slipway changelog --notes --dry-run > notes.md
`;

function summary(plan: ChangelogPlan, style: Style): string {
  const why =
    plan.versionSource === "explicit"
      ? "given with --version"
      : plan.versionSource === "files"
        ? "the project's version, not released yet"
        : `${plan.bump.kind} bump of ${plan.from ?? "the current version"}: ${plan.bump.reasons[0]?.why ?? ""}`;
  const lines = [style.bold(`${plan.version} - ${plan.date}`) + style.dim(` (${why})`)];
  const since = plan.from === undefined ? "all commits" : `${plan.commitCount} commit(s) since ${plan.from}`;
  lines.push(
    style.dim(
      `${since}; ${plan.deletions.length} fragment(s) used; ${plan.cancelled.length} cancelled by reverts`,
    ),
  );
  if (plan.listedNonConventional) {
    lines.push(
      style.dim(
        'none of them is a conventional commit: listed under Changed as written (edit the entry, or set [tool.slipway.changelog] non-conventional = "hide")',
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

function planJson(plan: ChangelogPlan, applied: boolean): unknown {
  return {
    version: plan.version,
    versionSource: plan.versionSource,
    from: plan.from ?? null,
    date: plan.date,
    status: plan.status,
    bump: { kind: plan.bump.kind, preOne: plan.bump.preOne, reasons: plan.bump.reasons.map((r) => r.why) },
    path: plan.path,
    entry: plan.entryText,
    releaseNotes: plan.releaseNotes,
    diff: plan.edit?.diff ?? null,
    deletions: plan.deletions.map((d) => d.path),
    fragmentProblems: plan.fragmentProblems,
    commits: plan.commitCount,
    cancelled: plan.cancelled,
    listedNonConventional: plan.listedNonConventional,
    applied,
  };
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  const err = (text: string) => io.stderr.write(redact(text));
  try {
    const { values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        version: { type: "string" },
        date: { type: "string" },
        "dry-run": { type: "boolean" },
        notes: { type: "boolean" },
        "keep-fragments": { type: "boolean" },
        project: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      out(HELP);
      return 0;
    }
    const root = resolve(io.cwd, values.project ?? ".");
    const dryRun = values["dry-run"] === true;
    const json = values.json === true;
    const style = makeStyle(!json && values.notes !== true && wantsColor(io.stdout, io.env));
    if (!dryRun) {
      const recovered = await recoverChangelogEdit(root);
      if (recovered !== undefined) err(`rolled back an interrupted changelog write (${recovered.label})\n`);
    }
    const plan = await planChangelog(root, {
      env: io.env,
      ...(values.version === undefined ? {} : { version: values.version }),
      ...(values.date === undefined ? {} : { date: values.date }),
      keepFragments: values["keep-fragments"] === true,
    });
    for (const problem of plan.fragmentProblems)
      err(`warning: fragment ${problem.file}: ${problem.message}\n`);
    const write = plan.status === "inserted" && !dryRun;
    const applied = write ? await applyChangelogPlan(plan) : undefined;
    if (json) {
      out(`${JSON.stringify(planJson(plan, applied !== undefined), null, 2)}\n`);
    } else if (values.notes === true) {
      out(plan.releaseNotes);
    } else if (plan.status === "exists") {
      out(`${plan.path} already has an entry for ${plan.version}; nothing to write\n`);
    } else {
      let text = summary(plan, style);
      if (dryRun)
        text += `\n${plan.entryText}\n${colorDiff(plan.edit!.diff, style)}\ndry run: nothing was written\n`;
      else {
        const deleted = applied!.deleted.length === 0 ? "" : `; deleted ${applied!.deleted.join(", ")}`;
        text += `wrote ${plan.path}${deleted}\n`;
      }
      out(text);
    }
    return 0;
  } catch (error) {
    return commandFailure("changelog", error, io);
  }
}
