/** Bare `slipway status [PATH]`: the scans (or a saved scan) into one SecurityStatus document. */
import { resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { DEFAULT_KEEP } from "../../core/status/history.ts";
import { SlipwayError } from "../../errors.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";

export const HELP = `Usage: slipway status [PATH] [--from SCAN.json] [--db DIR] [--sarif-in FILE]...
                      [--out FILE] [--history FILE] [--keep N] [--site DIR]
                      [--index-url URL] [--now TIME] [--json]

Writes the project's security state as one SecurityStatus JSON document (schema 1,
docs/schemas/security-status-1.schema.json): the project and its versions, the commit, counts
per level and per source, the open findings with the day each was first seen, a grade (A-F),
the days since a high or critical finding was last open, and the scanners that ran.

The findings come from the scans of bare 'slipway scan' on the work tree (secrets; with a
lockfile, lockfile integrity and vulnerable dependencies), or from a saved 'slipway scan --json'
document with --from, plus any --sarif-in reports. Without an advisory database the dependency
scan cannot run: the document says so (its scanner is "skipped", the grade is C at best) and
the exit status is 3, never a silent pass.

The same scans, earlier documents and clock give byte-identical output.

Options:
  --from FILE        read the findings from a saved 'slipway scan --json' document
  --db DIR           the advisory database for the dependency scan (OSV records)
  --sarif-in FILE    add another scanner's SARIF report (repeatable)
  --out FILE         write the document here (atomically) instead of to stdout; an existing
                     document there is the previous one (first-seen dates carry on)
  --history FILE     read earlier documents from FILE (one per line) and append this one,
                     keeping the last --keep (default ${DEFAULT_KEEP})
  --keep N           how many documents the history keeps
  --site DIR         also write the static status site into DIR (for GitHub Pages): index.json,
                     index.html, shields endpoint badges and SVG badges (docs/status-site.md);
                     a DIR holding files that are not a slipway site is refused
  --index-url URL    read the version published on this simple API (e.g.
                     https://pypi.org/simple/); without it the index version is null
  --now TIME         the clock: an ISO 8601 time or seconds since the epoch (default:
                     $SOURCE_DATE_EPOCH when set, else the system clock)
  --json             errors (and, with --out, the outcome) as JSON on stdout
  -h, --help         show this help

Exit status: 0 written, 2 usage or configuration error (a corrupt history, a document of
another schema: nothing is changed), 3 a scanner could not run (the document is written).

Examples:
  slipway status --db ../advisory-database > status.json
  slipway status --site site --history status-history.jsonl --keep 30
  slipway status diff old.json new.json --format markdown
  slipway status decide old.json new.json --notes security-notes.md
  slipway scan --json > scan.json; slipway status --from scan.json --now 2026-12-01T00:00:00Z
  slipway status --index-url https://pypi.org/simple/ --sarif-in bandit.sarif
  SOURCE_DATE_EPOCH=1764547200 slipway status --from scan.json | jq .grade

See docs/status.md.
`;

const MAX_KEEP = 100_000;

/** The clock: --now, else SOURCE_DATE_EPOCH, else the system's. */
function clockOf(now: string | undefined, env: CommandIO["env"]): number {
  const said = now ?? env["SOURCE_DATE_EPOCH"];
  if (said === undefined || said === "") return Date.now();
  const where = now === undefined ? "SOURCE_DATE_EPOCH" : "--now";
  const ms = /^\d{1,12}$/.test(said)
    ? Number(said) * 1000
    : /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(said)
      ? Date.parse(said)
      : Number.NaN;
  if (!Number.isFinite(ms))
    throw new SlipwayError("usage", `${where} '${said.slice(0, 40)}' is not a time`, {
      hint: "an ISO 8601 time (2026-12-01T00:00:00Z) or seconds since the epoch",
    });
  return ms;
}

function keepOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_KEEP;
  const n = /^\d{1,6}$/.test(text) ? Number(text) : 0;
  if (n < 1 || n > MAX_KEEP)
    throw new SlipwayError(
      "usage",
      `--keep '${text.slice(0, 20)}' is not a number of documents from 1 to ${MAX_KEEP}`,
      {
        hint: "slipway status --history status.jsonl --keep 90",
      },
    );
  return n;
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      from: { type: "string" },
      db: { type: "string" },
      "sarif-in": { type: "string", multiple: true },
      out: { type: "string" },
      site: { type: "string" },
      history: { type: "string" },
      keep: { type: "string" },
      "index-url": { type: "string" },
      now: { type: "string" },
      json: { type: "boolean" },
    });
    json = values.json === true;
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 1)
      throw new SlipwayError(
        "usage",
        `one project at a time, not ${positionals.length}: ${positionals.join(" ")}`,
        {
          hint: "slipway status [PATH]",
        },
      );
    if (values.from !== undefined && values.db !== undefined)
      throw new SlipwayError("usage", "--db is for a scan, and --from reads one already made", {
        hint: "pass --db to the 'slipway scan' that wrote the file, or leave --from out",
      });
    if (values.keep !== undefined && values.history === undefined)
      throw new SlipwayError("usage", "--keep is how many documents --history keeps", {
        hint: "slipway status --history status.jsonl --keep 30",
      });
    if (values["index-url"] !== undefined && !/^https?:\/\/[^/]/i.test(values["index-url"]))
      throw new SlipwayError(
        "usage",
        `--index-url '${values["index-url"].slice(0, 80)}' is not an http(s) URL`,
        {
          hint: "the index's simple API root: --index-url https://pypi.org/simple/",
        },
      );
    const now = clockOf(values.now, io.env);
    const keep = keepOf(values.keep);
    // Any V8 flag off its default (main.ts sets one) makes V8 refuse the code cache of Node's
    // built-ins the status code loads next (fs/promises, child_process, crypto: ~60 ms): back to
    // the default before it is loaded, as scan deps does.
    setFlagsFromString("--semi-space-growth-factor=2");
    const { status } = await import("../../ops/status.ts");
    const result = await status({
      root: resolve(io.cwd, positionals[0] ?? "."),
      cwd: io.cwd,
      env: io.env,
      now,
      slipwayVersion: io.version,
      keep,
      ...(values.from === undefined ? {} : { from: values.from }),
      ...(values.db === undefined ? {} : { db: values.db }),
      ...(values["sarif-in"] === undefined ? {} : { sarifIn: values["sarif-in"] }),
      ...(values.out === undefined ? {} : { out: values.out }),
      ...(values.history === undefined ? {} : { history: values.history }),
      ...(values.site === undefined ? {} : { site: values.site }),
      ...(values["index-url"] === undefined ? {} : { indexUrl: values["index-url"] }),
    });
    const exit = result.skipped.length > 0 ? 3 : 0;
    if (result.notes.length === 0)
      for (const s of result.skipped)
        io.stderr.write(redact(`slipway status: the ${s.name} scan did not run: ${s.skipped}\n`));
    for (const note of result.notes) io.stderr.write(redact(`slipway status: ${note}\n`));
    const doc = result.document;
    if (values.out === undefined && values.site === undefined) io.stdout.write(redact(result.text));
    else if (json)
      io.stdout.write(
        redact(
          `${JSON.stringify({ type: "status", out: values.out ?? null, site: values.site ?? null, grade: doc.grade, counts: doc.counts.total, exit })}\n`,
        ),
      );
    else {
      const t = doc.counts.total;
      const wrote = [
        values.out,
        result.historyEntries === undefined
          ? undefined
          : `${values.history} (${result.historyEntries} documents)`,
        result.site === undefined
          ? undefined
          : `the site ${values.site} (${result.site.written.length} files)`,
      ].filter((w) => w !== undefined);
      io.stdout.write(
        redact(
          `slipway status: grade ${doc.grade} (${t.critical} critical, ${t.high} high, ${t.moderate} moderate, ${t.low} low); wrote ${wrote.join(", ")}\n`,
        ),
      );
    }
    return exit;
  } catch (error) {
    return commandFailure("status", error, io, { json });
  }
}
