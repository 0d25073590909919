/**
 * Ignores of `slipway scan deps`, from `[tool.slipway.scan]`:
 *
 *     [[tool.slipway.scan.ignore]]
 *     id = "GHSA-h5c8-rqwp-cp95"        # any id of the vulnerability (PYSEC, GHSA, CVE...)
 *     reason = "the sandbox is not used; upgrade blocked by #123"
 *     expires = 2027-01-31              # a TOML date, or "2027-01-31"
 *     package = "jinja2"                # optional: only for this package
 *
 * A reason and an expiry are required: an ignore is a decision with a date to look at it again.
 * It holds through its expiry day (UTC); from the next day on it silences nothing and is itself
 * an error finding, until it is renewed or removed. Anything else is a config error (exit 2).
 */
import { SlipwayError } from "../../errors.ts";
import { normalizeName } from "../names/name.ts";
import { isTable, type TomlTable, tomlType } from "../pyproject/access.ts";

export interface DepsIgnore {
  id: string;
  reason: string;
  /** YYYY-MM-DD: the last day the ignore holds. */
  expires: string;
  /** PEP 503-normalized, when the ignore is for one package. */
  package?: string;
  /** 1-based position in the `ignore` array, for messages. */
  index: number;
}

const KEYS = new Set(["id", "reason", "expires", "package"]);
const MAX_IGNORES = 10_000;

function configError(key: string, message: string, hint: string): SlipwayError {
  return new SlipwayError("config", `pyproject.toml [tool.slipway.scan] ${key}: ${message}`, { hint });
}

const EXAMPLE =
  '[[tool.slipway.scan.ignore]]\nid = "GHSA-…"\nreason = "why it does not apply"\nexpires = 2027-01-31';

/** A real calendar date as YYYY-MM-DD, or undefined. */
export function calendarDate(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return text;
}

/** A TOML date (smol-toml's TomlDate, a Date) or a "YYYY-MM-DD" string, as YYYY-MM-DD. */
function dateOf(value: unknown): string | undefined {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    // A local date prints as YYYY-MM-DD; a date-time is taken by its UTC day.
    const iso = value.toISOString();
    return calendarDate(iso.slice(0, 10));
  }
  return typeof value === "string" ? calendarDate(value.trim()) : undefined;
}

/** The ignores of a `[tool.slipway.scan]` table, validated; none when absent. */
export function readDepsIgnores(scan: TomlTable | undefined): DepsIgnore[] {
  const raw = scan?.["ignore"];
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw configError(
      "ignore",
      `expected an array of tables, found ${tomlType(raw)}`,
      `write each ignore as\n${EXAMPLE}`,
    );
  if (raw.length > MAX_IGNORES)
    throw configError("ignore", `more than ${MAX_IGNORES} entries`, "remove the stale ones");
  return raw.map((entry, i) => readIgnore(entry, i + 1));
}

function readIgnore(entry: unknown, index: number): DepsIgnore {
  const at = `ignore[${index}]`;
  if (!isTable(entry))
    throw configError(at, `expected a table, found ${tomlType(entry)}`, `write it as\n${EXAMPLE}`);
  for (const key of Object.keys(entry)) {
    if (!KEYS.has(key))
      throw configError(
        `${at}.${key}`,
        "unknown key",
        "an ignore has id, reason, expires and optionally package",
      );
  }
  const text = (key: string, hint: string): string => {
    const value = (entry as TomlTable)[key];
    if (value === undefined) throw configError(`${at}.${key}`, "missing", hint);
    if (typeof value !== "string" || value.trim() === "")
      throw configError(`${at}.${key}`, `expected a non-empty string, found ${tomlType(value)}`, hint);
    if (value.length > 1000) throw configError(`${at}.${key}`, "longer than 1000 characters", hint);
    return value.trim();
  };
  const id = text("id", 'name the vulnerability: id = "GHSA-…" (or its PYSEC or CVE id)');
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(id))
    throw configError(
      `${at}.id`,
      `"${id}" is not an advisory id`,
      'write an id such as "GHSA-h5c8-rqwp-cp95"',
    );
  const reason = text("reason", 'say why it does not apply: reason = "…"');
  const rawExpires = entry["expires"];
  if (rawExpires === undefined)
    throw configError(`${at}.expires`, "missing", "give the last day the ignore holds: expires = 2027-01-31");
  const expires = dateOf(rawExpires);
  if (expires === undefined) {
    throw configError(
      `${at}.expires`,
      `expected a date such as 2027-01-31, found ${typeof rawExpires === "string" ? JSON.stringify(rawExpires) : tomlType(rawExpires)}`,
      'write expires = 2027-01-31 (a TOML date) or "2027-01-31"',
    );
  }
  const pkg =
    entry["package"] === undefined ? undefined : normalizeName(text("package", 'package = "jinja2"'));
  return { id, reason, expires, ...(pkg === undefined ? {} : { package: pkg }), index };
}

/** True when `ignore` no longer holds on `today` (YYYY-MM-DD, UTC). */
export function isExpired(ignore: DepsIgnore, today: string): boolean {
  return ignore.expires < today;
}

/** The ignore (still in force) that silences a vulnerability with these ids in this package. */
export function ignoreFor(
  ignores: readonly DepsIgnore[],
  ids: readonly string[],
  name: string,
  today: string,
): DepsIgnore | undefined {
  const upper = new Set(ids.map((id) => id.toUpperCase()));
  return ignores.find(
    (ignore) =>
      !isExpired(ignore, today) &&
      upper.has(ignore.id.toUpperCase()) &&
      (ignore.package === undefined || ignore.package === name),
  );
}
