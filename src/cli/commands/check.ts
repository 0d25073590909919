/** `slipway check [PATH] [DIST...]`: argv → check() → rendered findings and an exit code. */
import { relative } from "node:path";
import { setFlagsFromString } from "node:v8";
import { MANIFEST_FILE } from "../../core/build/output.ts";
import { SlipwayError } from "../../errors.ts";
import type { CheckEvent } from "../../ops/check.ts";
import { check } from "../../ops/check.ts";
import { resolveTargets } from "../../ops/check-targets.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import type { Summary } from "../render/findings.ts";
import { renderGithub, renderHuman, renderJson } from "../render/findings.ts";
import { isPlain, makeStyle, wantsColor } from "../style.ts";

export const HELP = `Usage: slipway check [PATH] [DIST...] [options]

Validate a Python project and its built distributions as strictly as PyPI does: metadata,
filenames, RECORD, README rendering, licences, entry points, archive safety and secrets shipped
by mistake. Every finding has a stable ID (see docs/checks.md), a message naming the file and
field, and a hint.

PATH is a project directory (default: the current one, when it has a pyproject.toml). DIST are
wheels (.whl) or sdists (.tar.gz); without any, the project's dist/ is checked when present.
Given only DISTs outside any project, just they are checked. A checksum file among them
(SHA256SUMS or SHA256SUMS.txt as sha256sum writes it, NAME.sha256) or slipway's build manifest
(${MANIFEST_FILE}) is verified: every file it lists must be there with that sha256.

Options:
  --strict               warnings fail too (info lines never fail)
  --verbose              also show info lines: context that needs no action, such as
                         "Metadata-Version 2.5 needs twine >= 7 to upload"
  --format FORMAT        human (default), json, or github (workflow annotations)
  --json                 same as --format json
  --select ID[,ID...]    only these checks (IDs or prefixes: MD, REC07); repeatable
  --ignore ID[,ID...]    skip these checks (IDs or prefixes); repeatable
  --python EXE           Python used to render README files with readme_renderer/docutils
                         (default: python3 on PATH; a built-in lint is used without one)
  -h, --help             show this help

Exit status: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 usage or
configuration error.

Examples:
  slipway check                          the project here and its dist/
  slipway check path/to/project          another project and its dist/
  slipway check dist/*.whl dist/*.tar.gz --strict
  slipway check dist/* SHA256SUMS          the distributions, and the sums they must match
  slipway check --ignore DESC08,SEC10    skip two checks
  slipway check --select REC,WHL --json  only wheel structure and RECORD, as JSON
  slipway check --format github          annotations in a GitHub Actions job
  slipway check dist/* --verbose         the distributions, with info lines
`;

type Format = "human" | "json" | "github";

/** From this much input on, or an archive of this many members, check saves memory (see onEvent). */
const MEMORY_MODE_BYTES = 64 * 1024 * 1024;
const MEMORY_MODE_MEMBERS = 20_000;

function splitIds(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const ids = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim().toUpperCase())
    .filter((v) => v !== "");
  for (const id of ids) {
    if (!/^[A-Z]{2,4}\d{0,2}$/.test(id)) {
      throw new SlipwayError("usage", `'${id}' is not a check ID or prefix`, {
        hint: "Check IDs look like MD12 or REC; docs/checks.md lists them all.",
      });
    }
  }
  return ids;
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(redact(text));
  try {
    const { values, positionals } = parseCommandLine(argv, {
      strict: { type: "boolean" },
      verbose: { type: "boolean" },
      json: { type: "boolean" },
      format: { type: "string" },
      select: { type: "string", multiple: true },
      ignore: { type: "string", multiple: true },
      python: { type: "string" },
    });
    if (values.help) {
      write(io.stdout, HELP);
      return 0;
    }
    const format = (values.json ? "json" : (values.format ?? "human")) as Format;
    if (!["human", "json", "github"].includes(format)) {
      throw new SlipwayError("usage", `unknown --format '${format}'`, { hint: "Use human, json or github." });
    }
    const targets = await resolveTargets(positionals, io.cwd);
    const plain = isPlain(io.stderr, io.env);
    const show = (path: string) => relative(io.cwd, path) || ".";
    const onEvent = (event: CheckEvent) => {
      const large =
        (event.type === "start" && event.bytes >= MEMORY_MODE_BYTES) ||
        (event.type === "members" && event.count >= MEMORY_MODE_MEMBERS);
      if (large) {
        // The CLI owns its process: for large archives (or many members), keep V8's young
        // generation at its smallest and let the old generation grow less before a full GC.
        // V8 otherwise doubles the young generation up to 2 x 64 MiB as a many-member wheel's
        // model survives its collections (150,000 members: 357 -> <200 MiB peak RSS; 5 x 50 MB
        // wheels: what one leaves is collected before the next one's workers start). On small
        // dists it only adds collections (~6 ms on 22 dists). --semi-space-growth-factor=1 would
        // be the gentler knob, but V8 12+ raises any value below 2 to 2.
        setFlagsFromString("--optimize-for-size");
      }
      // A live status line on a TTY only; CI logs stay clean and line-oriented.
      if (plain || format !== "human") return;
      if (event.type === "file-done") io.stderr.write(`\r\u001b[2Kchecked ${event.file}`);
    };
    const select = splitIds(values.select);
    const ignore = splitIds(values.ignore);
    const report = await check({
      cwd: io.cwd,
      env: io.env,
      ...(targets.project === undefined ? {} : { project: targets.project }),
      dists: targets.dists,
      ...(values.python === undefined ? {} : { python: values.python }),
      ...(select === undefined ? {} : { select }),
      ...(ignore === undefined ? {} : { ignore }),
      strict: values.strict === true,
      verbose: values.verbose === true,
      onEvent,
    });
    if (!plain && format === "human") io.stderr.write("\r\u001b[2K");
    const files = [
      ...(report.project === undefined ? [] : [report.project]),
      ...report.dists,
      ...report.checksums,
    ].map(show);
    const summary: Summary = {
      files,
      errors: report.errors,
      warnings: report.warnings,
      infos: report.infos,
      ok: report.ok,
      strict: values.strict === true,
      renderers: report.renderers,
    };
    const style = makeStyle(format !== "json" && wantsColor(io.stdout, io.env));
    const text =
      format === "json"
        ? renderJson(report.findings, summary)
        : format === "github"
          ? renderGithub(report.findings, summary, style)
          : renderHuman(report.findings, summary, style);
    write(io.stdout, text);
    return report.ok ? 0 : 1;
  } catch (error) {
    return commandFailure("check", error, io);
  }
}
