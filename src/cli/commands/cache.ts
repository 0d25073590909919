/** `slipway cache info|prune`: argv → the cache ops → a summary (or one JSON document). */
import { maxOf } from "../../core/arrays.ts";
import { CACHE_KINDS, type CacheKind, formatSize, parseSize } from "../../core/cache/prune-plan.ts";
import { SlipwayError } from "../../errors.ts";
import { type CacheInfo, type PruneCacheReport, pruneCache, readCacheInfo } from "../../ops/cache.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { makeStyle, type Style, wantsColor } from "../style.ts";

export const HELP = `Usage: slipway cache info [--json]
       slipway cache prune [--max-size SIZE] [--older-than DAYS] [--kind KIND] [--dry-run] [--json]

slipway keeps in its cache directory what is slow to make again: build environments (a
virtualenv per set of build requirements, tens of MB each), README render verdicts and
analyses, and what each Python said about itself. The directory is $SLIPWAY_CACHE_DIR, else
$XDG_CACHE_HOME/slipway, else ~/.cache/slipway (SLIPWAY_NO_CACHE=1 turns caching off; these
commands still work on the directory).

'info' shows the directory and, per kind, its entries, their size on disk and their oldest and
newest use. 'prune' removes the entries unused the longest until the rest fits under the cap,
and the temp files and trash of interrupted runs. A build environment a running build uses is
never removed. Symlinks in the cache are never followed.

The cache also prunes itself to SLIPWAY_CACHE_MAX_SIZE (default 2G; 'off' turns it off): after
a build that made a new environment (build environments only), and at most once a day after a
run that stored a verdict or an analysis (everything).

Options (prune):
  --max-size SIZE      keep at most SIZE (default: SLIPWAY_CACHE_MAX_SIZE, else 2G). K, M, G, T
                       and KiB, MiB, GiB, TiB are powers of 1024; KB, MB, GB powers of 1000;
                       0 removes every entry not in use
  --older-than DAYS    also remove entries unused for more than DAYS days
  --kind KIND          only this kind (repeatable): ${CACHE_KINDS.join(", ")}; the cap then
                       applies to these kinds alone
  --dry-run            list what would be removed; remove nothing
Options (both):
  --json               one JSON document on stdout
  -h, --help           show this help

Exit status: 0 done, 1 a removal failed, 2 usage error.

Examples:
  slipway cache info                       where the cache is and how big each kind is
  slipway cache prune --dry-run            what the default cap would remove
  slipway cache prune --max-size 500M      keep the 500 MiB used most recently
  slipway cache prune --older-than 30      also drop what no run used for a month
  slipway cache prune --kind build-envs --max-size 0   every build environment not in use
`;

const LABEL: Record<CacheKind, string> = {
  "build-envs": "build environments",
  verdicts: "README verdicts",
  analyses: "README analyses",
  identities: "Python identities",
  "advisory-indexes": "advisory indexes",
  "lock-pins": "lockfile reads",
};

const day = (ms: number | undefined) => (ms === undefined ? "-" : new Date(ms).toISOString().slice(0, 10));
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function infoText(info: CacheInfo, style: Style): string {
  const lines = [
    `${style.bold("cache")} ${info.root}${info.enabled ? "" : style.yellow(" (off: SLIPWAY_NO_CACHE)")}`,
  ];
  const width = maxOf(Object.values(LABEL).map((l) => l.length));
  for (const k of info.kinds) {
    const uses = k.entries === 0 ? "" : style.dim(`  used ${day(k.oldestUse)} .. ${day(k.newestUse)}`);
    const busy = k.inUse === 0 ? "" : style.yellow(`  ${k.inUse} in use`);
    lines.push(
      `  ${LABEL[k.kind].padEnd(width)}  ${String(k.entries).padStart(6)}  ${formatSize(k.size).padStart(10)}${uses}${busy}`,
    );
  }
  lines.push(
    `  ${"total".padEnd(width)}  ${String(info.total.entries).padStart(6)}  ${formatSize(info.total.size).padStart(10)}`,
  );
  if (info.leftovers.count > 0) {
    lines.push(
      style.dim(
        `  ${info.leftovers.count} leftover(s) of interrupted runs, ${formatSize(info.leftovers.size)}`,
      ),
    );
  }
  const cap = info.autoMaxSize === undefined ? "off" : formatSize(info.autoMaxSize);
  lines.push(style.dim(`automatic prune: cap ${cap}, last run ${day(info.lastAutoPrune)}`));
  return `${lines.join("\n")}\n`;
}

function infoJson(info: CacheInfo): unknown {
  return {
    root: info.root,
    enabled: info.enabled,
    kinds: info.kinds.map((k) => ({ ...k, oldestUse: iso(k.oldestUse), newestUse: iso(k.newestUse) })),
    total: info.total,
    leftovers: info.leftovers,
    autoMaxSize: info.autoMaxSize ?? null,
    lastAutoPrune: iso(info.lastAutoPrune),
  };
}

function pruneText(report: PruneCacheReport, style: Style): string {
  const verb = report.dryRun ? "would remove" : "removed";
  const lines = report.removed.map(
    (r) =>
      `${verb} ${r.name}  ${formatSize(r.size)}${style.dim(`  last used ${day(r.lastUse)}${r.why === "older-than" ? " (older than the limit)" : ""}`)}`,
  );
  for (const name of report.busy) lines.push(style.yellow(`kept ${name}: a run is using it`));
  for (const f of report.failed) lines.push(style.red(`could not remove ${f.name}: ${f.message}`));
  const freed = report.removed.reduce((sum, r) => sum + r.size, 0);
  const left =
    report.leftovers.count === 0 ? "" : `, ${report.leftovers.count} leftover(s) of interrupted runs`;
  lines.push(
    `${report.dryRun ? "dry run: " : ""}${report.removed.length} entr${report.removed.length === 1 ? "y" : "ies"} ${report.dryRun ? "would be removed" : "removed"} (${formatSize(freed)})${left}; ${formatSize(report.sizeBefore)} → ${formatSize(report.sizeAfter)}, cap ${formatSize(report.maxSize)}`,
  );
  if (report.capUnmet) lines.push(style.yellow("still over the cap: the rest is in use by running builds"));
  return `${lines.join("\n")}\n`;
}

function parseKinds(said: readonly string[] | undefined): CacheKind[] | undefined {
  if (said === undefined) return undefined;
  return said.map((k) => {
    if (!(CACHE_KINDS as readonly string[]).includes(k)) {
      throw new SlipwayError("usage", `--kind '${k}' is not a kind of cache entry`, {
        hint: `Use one of ${CACHE_KINDS.join(", ")}.`,
      });
    }
    return k as CacheKind;
  });
}

function parseDays(said: string | undefined): number | undefined {
  if (said === undefined) return undefined;
  const days = Number(said);
  if (!/^\d+(\.\d+)?$/.test(said.trim()) || !Number.isFinite(days)) {
    throw new SlipwayError("usage", `--older-than '${said}' is not a number of days`, {
      hint: "Example: --older-than 30",
    });
  }
  return days;
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      "max-size": { type: "string" },
      "older-than": { type: "string" },
      kind: { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    });
    json = values.json === true;
    if (values.help) {
      out(HELP);
      return 0;
    }
    const [sub, ...extra] = positionals;
    if ((sub !== "info" && sub !== "prune") || extra.length > 0) {
      throw new SlipwayError(
        "usage",
        sub === undefined
          ? "say what to do: info or prune"
          : `unknown cache command '${[sub, ...extra].join(" ")}'`,
        { hint: "slipway cache info, or slipway cache prune (see slipway cache --help)." },
      );
    }
    const style = makeStyle(!json && wantsColor(io.stdout, io.env));
    const now = () => Date.now();
    if (sub === "info") {
      const pruneOnly = ["max-size", "older-than", "kind", "dry-run"].filter(
        (o) => values[o as keyof typeof values] !== undefined,
      );
      if (pruneOnly.length > 0) {
        throw new SlipwayError("usage", `--${pruneOnly[0]} is an option of 'slipway cache prune'`, {
          hint: "slipway cache info takes only --json.",
        });
      }
      const info = await readCacheInfo({ env: io.env, now });
      out(json ? `${JSON.stringify(infoJson(info), null, 2)}\n` : infoText(info, style));
      return 0;
    }
    let maxSize: number | undefined;
    if (values["max-size"] !== undefined) {
      const parsed = parseSize(values["max-size"]);
      if (!parsed.ok)
        throw new SlipwayError("usage", `--max-size: ${parsed.error}`, {
          hint: "K, M, G, T are powers of 1024 (as du counts); KB, MB, GB powers of 1000.",
        });
      maxSize = parsed.value;
    }
    const olderThanDays = parseDays(values["older-than"]);
    const kinds = parseKinds(values.kind);
    const report = await pruneCache({
      env: io.env,
      now,
      dryRun: values["dry-run"] === true,
      ...(maxSize === undefined ? {} : { maxSize }),
      ...(olderThanDays === undefined ? {} : { olderThanDays }),
      ...(kinds === undefined ? {} : { kinds }),
    });
    const removed = report.removed.map((r) => ({ ...r, lastUse: iso(r.lastUse) }));
    out(json ? `${JSON.stringify({ ...report, removed }, null, 2)}\n` : pruneText(report, style));
    return report.failed.length === 0 ? 0 : 1;
  } catch (error) {
    return commandFailure("cache", error, io, { json });
  }
}
