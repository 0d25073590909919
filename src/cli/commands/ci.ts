/** `slipway ci init|diff`: argv → ops/ci-init.ts → what was written, or the diff. */
import { resolve } from "node:path";
import { CI_PROVIDERS, type CiProvider } from "../../core/ci/model.ts";
import { SlipwayError } from "../../errors.ts";
import { ciInit } from "../../ops/ci-init.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";

export const HELP = `Usage: slipway ci init --provider github|gitea|gitlab [options]
       slipway ci diff --provider github|gitea|gitlab [options]
       slipway ci status --state STATE --context NAME [options]   (see slipway ci status --help)
       slipway ci protect [--dry-run] [options]                   (see slipway ci protect --help)

Generates the project's CI from what its pyproject.toml says: ruff, black, mypy, pyright,
pytest and coverage thresholds; the uv, poetry or requirements lockfile; the Python versions
(classifiers, else requires-python); native code or not; [tool.slipway.release] gates, env,
branch and target. The files:
  github   .github/workflows/checks.yml    lint, types, tests per Python, gates, lockfile
                                           integrity, scan with SARIF to code scanning, build,
                                           badges after a green run on the default branch
           .github/workflows/release.yml   on a tag or a dispatch: build, then one publish job
                                           that verifies every artifact against the runners'
                                           checksums and publishes with trusted publishing
           .github/workflows/security.yml  weekly: status site to Pages, then the policy decides
  gitea    the same under .gitea/workflows, within Gitea's limits (a token secret: no OIDC)
  gitlab   .gitlab-ci.yml (id_tokens, rules, caches, resource_group as the release lock)

Actions are pinned by full commit SHA; every job has the least permissions it needs. Each file
is made of blocks between '# slipway:begin' and '# slipway:end' markers: a re-run replaces only
those, keeps every other line, writes nothing when nothing changed, and refuses (writing
nothing) when a block was edited by hand. All files are written or none.

  init    write the files
  diff    print the unified diff of what init would change; exit 1 when there is any

Options:
  --provider NAME       github, gitea or gitlab (required)
  --actions-url URL     gitea: absolute uses: URLs on this host (e.g. https://github.com) for
                        an instance without DEFAULT_ACTIONS_URL pointing there
  --force               overwrite blocks edited by hand and files slipway did not write
  --dry-run             init: show what would be written, write nothing
  --project DIR         the project directory (default: the current one)
  --json                the report as JSON
  -h, --help            show this help

Exit status: 0 written or up to date, 1 a conflict (nothing written) or, for diff, changes to
show, 2 usage or configuration error.

Examples:
  slipway ci init --provider github
  slipway ci diff --provider github                 what a re-run would change
  slipway ci init --provider gitea --actions-url https://github.com
  slipway ci init --provider gitlab --dry-run
  slipway ci init --provider github --force         take back blocks edited by hand

See docs/ci.md.
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  // status and protect talk to the code host: their own modules, loaded only when asked for.
  if (argv[0] === "status") return (await import("./ci-status.ts")).run(argv.slice(1), io);
  if (argv[0] === "protect") return (await import("./ci-protect.ts")).run(argv.slice(1), io);
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      provider: { type: "string" },
      "actions-url": { type: "string" },
      force: { type: "boolean" },
      "dry-run": { type: "boolean" },
      project: { type: "string" },
      json: { type: "boolean" },
    });
    json = values.json === true;
    if (values.help) {
      out(HELP);
      return 0;
    }
    const usage = (message: string) =>
      new SlipwayError("usage", message, { hint: "run 'slipway ci --help'" });
    const [verb, ...rest] = positionals;
    if (verb !== "init" && verb !== "diff") {
      throw usage(
        verb === undefined
          ? "ci needs a subcommand: init or diff (or status, protect)"
          : `unknown subcommand ${JSON.stringify(verb)}: init, diff, status or protect`,
      );
    }
    if (rest.length > 0) throw usage(`unexpected argument ${JSON.stringify(rest[0])}`);
    const provider = values.provider;
    if (provider === undefined) throw usage("--provider is required: github, gitea or gitlab");
    if (!CI_PROVIDERS.includes(provider as CiProvider)) {
      throw usage(`unknown provider ${JSON.stringify(provider)}: github, gitea or gitlab`);
    }
    const actionsUrl = values["actions-url"];
    if (actionsUrl !== undefined) {
      if (provider !== "gitea") throw usage("--actions-url is for --provider gitea");
      if (!/^https?:\/\/[^\s/]+(?:\/[^\s]*)?$/.test(actionsUrl))
        throw usage(`--actions-url is an http(s) URL, not ${JSON.stringify(actionsUrl)}`);
    }
    const report = await ciInit({
      root: resolve(io.cwd, values.project ?? "."),
      env: io.env,
      provider: provider as CiProvider,
      slipwayVersion: io.version,
      actionsUrl,
      force: values.force === true,
      write: verb === "init" && values["dry-run"] !== true,
      startedAt: new Date().toISOString(),
    });
    const changed = report.files.filter((f) => f.status !== "unchanged");
    if (json) {
      out(
        `${JSON.stringify({ provider: report.provider, written: report.written, files: report.files, skipped: report.facts.skipped }, null, 2)}\n`,
      );
    } else if (verb === "diff" || values["dry-run"]) {
      for (const file of changed) out(file.diff);
      if (changed.length === 0) out(`${report.files.map((f) => f.path).join(", ")}: up to date\n`);
    } else {
      for (const file of report.files) out(`${file.status.padEnd(9)} ${file.path}\n`);
      for (const skip of report.facts.skipped) out(`note: skipped ${skip}\n`);
    }
    return verb === "diff" && changed.length > 0 ? 1 : 0;
  } catch (error) {
    return commandFailure("ci", error, io, { json });
  }
}
