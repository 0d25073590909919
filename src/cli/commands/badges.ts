/** `slipway badges`: argv → the badges ops → the block printed, the README written or checked, committed in CI. */
import { dirname, resolve } from "node:path";
import { readmeFormatOf } from "../../core/badges/readme-block.ts";
import { SlipwayError } from "../../errors.ts";
import {
  type CommitOutcome,
  commitReadme,
  planBadges,
  type ReadmeResult,
  readBadgeInputs,
  writeBadgeSvgs,
  writeGatesRecord,
  writeReadmeBlock,
} from "../../ops/badges.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";

export const HELP = `Usage: slipway badges [options]

The badges a Python project shows, with their shields.io URLs: quality gate (the gates' last
result), security (a SecurityStatus document), Python versions (classifiers, else
requires-python), licence (License-Expression / project.license), PyPI version and monthly
downloads (shields' own dynamic badges), code style (when ruff is configured) and type checking
(when mypy or pyright is configured). A source that is absent says "unknown", never "passing".

Without --write or --check, prints the badge block (Markdown, or reStructuredText with
--format rst). --write replaces only the lines between the markers
  <!-- slipway:badges:start --> and <!-- slipway:badges:end -->        (Markdown)
  .. slipway:badges:start       and .. slipway:badges:end              (reStructuredText, *.rst)
(inserted under the title the first time); every other byte stays as it is. The write is
atomic, keeps the file's mode, and is refused when the file changed since it was read.

Options:
  --write FILE            update the badge block of FILE (README.md, README.rst)
  --check FILE            exit 1 and print the diff when FILE's block is out of date (for CI)
  --format markdown|rst   the printed block's format (default: from FILE's name, else markdown)
  --svg DIR               also write local SVGs of the offline badges into DIR; the block then
                          points at them, so the README needs no third-party request
  --status FILE           the SecurityStatus document (index.json of 'slipway status')
  --site-url URL          the published status site: the security badge reads its endpoint
                          JSON (URL/badge/security.json), so it stays current without a commit
  --code-scanning         join GitHub's open code-scanning alerts (CodeQL...) into the security
                          badge: GITHUB_TOKEN (security-events: read), GITHUB_REPOSITORY,
                          GITHUB_API_URL; alerts that cannot be read make it "unknown"
  --gates-status passing|failing
                          the gates' result (default: .slipway/gates.json, else unknown)
  --save-gates            also record --gates-status in .slipway/gates.json (the release or
                          CI job that ran the gates), for later runs
  --commit                in CI (CI=true), commit FILE with a [skip ci] message when it
                          changed; never for a pull request from a fork
  --project DIR           the project directory (default: the current one)
  --json                  machine-readable output
  -h, --help              show this help

Exit status: 0 done (or up to date), 1 out of date (--check) or the file changed meanwhile,
2 usage or configuration error (a broken marker, a README that is not UTF-8).

Examples:
  slipway badges                                   print the Markdown block
  slipway badges --write README.md                 update the README's block
  slipway badges --check README.md                 in CI: fail when the badges are stale
  slipway badges --write README.md --svg docs/badges --status site/index.json
  CI=true slipway badges --write README.md --commit --gates-status passing

See docs/badges.md.
`;

function readmeJson(readme: ReadmeResult | undefined) {
  return readme === undefined
    ? null
    : {
        path: readme.path,
        changed: readme.changed,
        inserted: readme.inserted,
        written: readme.written,
        diff: readme.diff,
      };
}

function commitText(outcome: CommitOutcome): string {
  if (outcome.committed) return `committed ${outcome.commit.slice(0, 12)}`;
  if (outcome.reason === "not-ci") return "not committed: --commit runs in CI only (CI=true)";
  if (outcome.reason === "fork-pull-request") return "not committed: a pull request from a fork";
  return "not committed: the README did not change";
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  const err = (text: string) => io.stderr.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      write: { type: "string" },
      check: { type: "string" },
      format: { type: "string" },
      svg: { type: "string" },
      status: { type: "string" },
      "site-url": { type: "string" },
      "gates-status": { type: "string" },
      "code-scanning": { type: "boolean" },
      "save-gates": { type: "boolean" },
      commit: { type: "boolean" },
      project: { type: "string" },
      json: { type: "boolean" },
    });
    json = values.json === true;
    if (values.help) {
      out(HELP);
      return 0;
    }
    const usage = (message: string) =>
      new SlipwayError("usage", message, { hint: "run 'slipway badges --help'" });
    if (positionals.length > 0) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (values.write !== undefined && values.check !== undefined)
      throw usage("--write and --check exclude each other");
    if (values.commit && values.write === undefined) throw usage("--commit needs --write FILE");
    const gates = values["gates-status"];
    if (gates !== undefined && gates !== "passing" && gates !== "failing") {
      throw usage(`--gates-status is "passing" or "failing", not ${JSON.stringify(gates)}`);
    }
    if (values["save-gates"] && gates === undefined) throw usage("--save-gates needs --gates-status");
    const format = values.format;
    if (format !== undefined && format !== "markdown" && format !== "rst") {
      throw usage(`--format is "markdown" or "rst", not ${JSON.stringify(format)}`);
    }
    const site = values["site-url"];
    if (site !== undefined && !/^https?:\/\/[^\s]+$/.test(site))
      throw usage(`--site-url is an http(s) URL, not ${JSON.stringify(site)}`);
    const root = resolve(io.cwd, values.project ?? ".");
    const readmeArg = values.write ?? values.check;
    const readmePath = readmeArg === undefined ? undefined : resolve(io.cwd, readmeArg);
    const { inputs, notes } = await readBadgeInputs({
      root,
      env: io.env,
      gates,
      statusFile: values.status,
      codeScanning: values["code-scanning"] === true,
      cwd: io.cwd,
      siteUrl: site,
    });
    const plan = planBadges(inputs, {
      format: format ?? (readmeArg === undefined ? "markdown" : readmeFormatOf(readmeArg)),
      svgDir: values.svg === undefined ? undefined : resolve(io.cwd, values.svg),
      readmeDir: readmePath === undefined ? io.cwd : dirname(readmePath),
    });
    for (const note of notes) err(`note: ${note}\n`);
    const readme =
      readmePath === undefined
        ? undefined
        : await writeReadmeBlock({
            path: readmePath,
            display: readmeArg!,
            lines: plan.lines,
            format: plan.format,
            write: values.write !== undefined,
          });
    // The SVGs after the README: a refused README write leaves nothing changed.
    const svgs = values.check === undefined ? await writeBadgeSvgs(plan.svgs) : [];
    // Last of the writes: a refused README leaves the record as it was too.
    const record = values["save-gates"] ? await writeGatesRecord(root, gates!) : undefined;
    const commit = values.commit
      ? await commitReadme({ path: readmePath!, changed: readme!.written, env: io.env, svgs })
      : undefined;
    const stale = values.check !== undefined && readme!.changed;
    if (json) {
      out(
        `${JSON.stringify(
          {
            badges: plan.badges,
            lines: plan.lines,
            readme: readmeJson(readme),
            svgs,
            commit: commit ?? null,
            notes,
            stale,
          },
          null,
          2,
        )}\n`,
      );
    } else if (readme === undefined) {
      out(`${plan.lines.join("\n")}\n`);
    } else if (values.check !== undefined) {
      out(
        stale
          ? `${readme.diff}${readmeArg}: the badges are out of date; run 'slipway badges --write ${readmeArg}'\n`
          : `${readmeArg}: the badges are up to date\n`,
      );
    } else {
      out(
        readme.written
          ? `${readme.inserted ? "inserted the badge block into" : "updated the badges in"} ${readmeArg}\n`
          : `${readmeArg}: the badges are up to date\n`,
      );
    }
    if (!json) {
      if (record !== undefined) out(`wrote ${record}\n`);
      for (const svg of svgs) out(`wrote ${svg}\n`);
      if (commit !== undefined) out(`${commitText(commit)}\n`);
    }
    return stale ? 1 : 0;
  } catch (error) {
    return commandFailure("badges", error, io, { json });
  }
}
