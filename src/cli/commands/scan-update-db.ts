/** `slipway scan update-db`: downloads OSV's PyPI advisories for `slipway scan deps`. */
import { AdvisoryFeedError, DEFAULT_FEED_URL, FEED_EXIT, feedErrorJson } from "../../core/vulns/feed.ts";
import { SlipwayError } from "../../errors.ts";
import { type FeedEvent, UPDATE_DB_DEFAULTS, updateAdvisoryDb } from "../../ops/scan-update-db.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";

export const HELP = `Usage: slipway scan update-db [--url URL] [--timeout SECONDS] [--json]

Downloads the advisory database 'slipway scan deps' uses when no --db is given: OSV's archive
of every PyPI advisory (${DEFAULT_FEED_URL}),
into slipway's cache directory (SLIPWAY_CACHE_DIR, else $XDG_CACHE_HOME/slipway, else
~/.cache/slipway), under osv-pypi/.

The archive is streamed to a temporary file within a total deadline and a size cap (1 GiB),
then checked: it must be a ZIP archive of OSV JSON records. Only then is it swapped in, in one
atomic step. A download that fails, stalls, is cut short or serves something else leaves the
database in use as it was, and exits 3.

Options:
  --url URL          another copy of the archive (a mirror, or a file server in a closed network)
  --timeout SECONDS  the download's total deadline (default ${UPDATE_DB_DEFAULTS.deadlineMs / 1000})
  --json             print the outcome as one JSON document
  -h, --help         show this help

Exit status: 0 the database was updated (or is current), 2 usage error, 3 the feed could not
be reached or served no advisory database.

Examples:
  slipway scan update-db
  slipway scan update-db --url https://mirror.example/osv/PyPI/all.zip --timeout 60
  slipway scan update-db && slipway scan deps --fail-on moderate

See docs/scan-deps.md.
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      url: { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      out(HELP);
      return 0;
    }
    json = values.json === true;
    if (positionals.length > 0) {
      throw new SlipwayError("usage", `unexpected argument '${positionals[0]}'`, {
        hint: "slipway scan update-db [--url URL]",
      });
    }
    const deadlineMs = timeoutOf(values.timeout);
    const showProgress = !json && io.stderr.isTTY === true;
    const result = await updateAdvisoryDb({
      env: io.env,
      version: io.version,
      ...(values.url === undefined ? {} : { url: values.url }),
      ...(deadlineMs === undefined ? {} : { deadlineMs }),
      ...(showProgress ? { onEvent: progress(io) } : {}),
    });
    if (showProgress) io.stderr.write("\r\x1b[K");
    const { state } = result;
    if (json) out(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const what = result.unchanged ? "already current" : result.previous ? "updated" : "downloaded";
      out(
        `advisory database ${what}: ${state.records} records (${state.errors} damaged) from ${state.url}, ${state.bytes} bytes, sha256 ${state.revision.slice(0, 12)}\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof AdvisoryFeedError) {
      // Exit 3, which the JSON line must say too (commandFailure's would say 1).
      if (json) out(`${JSON.stringify(feedErrorJson(error))}\n`);
      commandFailure("scan update-db", error, io);
      return FEED_EXIT;
    }
    return commandFailure("scan update-db", error, io, { json });
  }
}

function timeoutOf(said: string | undefined): number | undefined {
  if (said === undefined) return undefined;
  const seconds = Number(said);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new SlipwayError("usage", `--timeout '${said}' is not a number of seconds (0 < s <= 86400)`, {
      hint: "slipway scan update-db --timeout 120",
    });
  }
  return Math.round(seconds * 1000);
}

function progress(io: CommandIO): (event: FeedEvent) => void {
  let last = 0;
  return (event) => {
    if (event.type !== "feed-progress") return;
    if (event.received - last < 1024 * 1024 && event.received !== event.total) return;
    last = event.received;
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    io.stderr.write(
      `\r\x1b[Kdownloading advisories: ${mib(event.received)}${event.total ? ` / ${mib(event.total)}` : ""} MiB…`,
    );
  };
}
