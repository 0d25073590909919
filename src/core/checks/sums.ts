/**
 * SUM01–SUM04: a checksum file (`SHA256SUMS` as `sha256sum` writes it, `*.sha256`) or
 * slipway's build manifest given to `check` is verified, not read as a distribution. Pure:
 * parsing and comparing; ops/check-sums.ts reads the files and hashes what they list. Both
 * files are treated as hostile: bounded in size, lines and entries, and a name that would
 * leave its directory is refused, never read.
 */
import { MANIFEST_FILE, SUMS_FILE } from "../build/output.ts";
import { type CheckInfo, catalogue, type Finding, finding, type Location } from "../findings.ts";

export const SUM_CHECKS: CheckInfo[] = [
  {
    id: "SUM01",
    severity: "error",
    title: "A file does not match its checksum",
    why: "A checksum file or build manifest says which bytes were built and will be published; a file whose sha256 (or size) differs was changed, rebuilt or corrupted since, and users checking it against the published sums will reject it.",
    fix: "Rebuild the distributions and write the checksum file again from the same build (slipway build writes both).",
    source: "GNU coreutils sha256sum -c; slipway build manifest",
  },
  {
    id: "SUM02",
    severity: "error",
    title: "A file a checksum file lists is missing",
    why: "A checksum file or build manifest that names a file which is not there describes another set of files than the one at hand: a partial copy, a renamed file, or sums left from another build.",
    fix: "Copy the missing file next to the checksum file, or rebuild and write the checksum file again.",
    source: "GNU coreutils sha256sum -c",
  },
  {
    id: "SUM03",
    severity: "warning",
    title: "A distribution beside a checksum file is not listed in it",
    why: "`dist/*` uploads every distribution in the directory, but the sums cover only some of them: the others were added after the build (a stale file) or the sums were written for another build.",
    fix: "Remove the file that does not belong to the release, or write the checksum file again after the build.",
    source: "derived",
  },
  {
    id: "SUM04",
    severity: "error",
    title: "Checksum file or build manifest cannot be read",
    why: "A checksum file that is too large, not UTF-8, has no valid entry, names a file outside its directory or lists one name with two hashes cannot vouch for anything. Single malformed lines are a warning, as `sha256sum -c` warns about improperly formatted lines.",
    fix: 'Write it again with `sha256sum FILES > SHA256SUMS` (lines "<64 hex digits>  <name>") or let slipway build write it.',
    source: "GNU coreutils sha256sum; slipway build manifest format 1",
  },
];

const C = catalogue(SUM_CHECKS);

/** Limits for hostile input: real sums files list a handful of files in a few KiB. */
export const SUMS_MAX_BYTES = 1024 * 1024;
export const SUMS_MAX_ENTRIES = 10_000;
const MAX_LINE = 4096;

export type ChecksumKind = "sums" | "manifest";

const SUMS_NAMES = new Set([
  "sha256sums",
  "sha256sums.txt",
  (SUMS_FILE.split("/").pop() ?? "").toLowerCase(),
]);

/** Whether a file given to `check` is a checksum file or slipway's build manifest, by its name. */
export function checksumKindOf(filename: string): ChecksumKind | undefined {
  const base = filename.slice(filename.lastIndexOf("/") + 1);
  if (base === MANIFEST_FILE.split("/").pop()) return "manifest";
  if (SUMS_NAMES.has(base.toLowerCase()) || /\.sha256$/i.test(base)) return "sums";
  return undefined;
}

/** One file a checksum file vouches for; `name` is relative to the checksum file's directory. */
export interface ChecksumEntry {
  name: string;
  sha256: string;
  /** Known for manifest entries. */
  size?: number;
  /** Where the entry is: a line of a sums file, an index of the manifest's artifacts. */
  at: { line: number } | { field: string };
}

export interface ChecksumList {
  entries: ChecksumEntry[];
  /** SUM04 findings; an error among them means the entries cannot be trusted at all. */
  findings: Finding[];
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** A name that stays inside the checksum file's directory (no absolute path, no `..`). */
function unsafeName(name: string): boolean {
  const parts = name.replaceAll("\\", "/").split("/");
  return (
    name === "" ||
    name.startsWith("/") ||
    /^[A-Za-z]:/.test(name) ||
    parts.includes("..") ||
    name.includes("\0")
  );
}

/** `sha256sum` escapes a name holding `\` or a newline: the line starts with `\`. */
function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c));
}

const shorten = (line: string): string => JSON.stringify(line.length > 60 ? `${line.slice(0, 57)}...` : line);

/**
 * Parses a `sha256sum` file: `<hex>  <name>` (text mode) or `<hex> *<name>` (binary mode), the
 * BSD form `SHA256 (<name>) = <hex>`, and for `<file>.sha256` a lone `<hex>` naming `<file>`.
 */
export function parseSha256Sums(text: string, display: string): ChecksumList {
  const base = display.slice(display.lastIndexOf("/") + 1);
  const single = /\.sha256$/i.test(base) ? base.slice(0, -".sha256".length) : undefined;
  const entries: ChecksumEntry[] = [];
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  const fail = (message: string, line: number | undefined, severity: "error" | "warning" = "error") => {
    const location: Location = line === undefined ? { file: display } : { file: display, line };
    findings.push(
      finding(C.SUM04!, `${display}${line === undefined ? "" : ` line ${line}`}: ${message}`, location, {
        severity,
      }),
    );
  };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, "");
    const line = i + 1;
    if (raw.trim() === "") continue;
    if (entries.length >= SUMS_MAX_ENTRIES) {
      fail(`lists more than ${SUMS_MAX_ENTRIES} files; slipway does not verify such a file`, undefined);
      return { entries: [], findings };
    }
    let hex: string | undefined;
    let name: string | undefined;
    if (raw.length <= MAX_LINE) {
      const escaped = raw.startsWith("\\");
      const body = escaped ? raw.slice(1) : raw;
      const gnu = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(body);
      const bsd = /^SHA256 ?\((.+)\) ?= ?([0-9a-fA-F]{64})$/.exec(body);
      if (gnu !== null) [hex, name] = [gnu[1], escaped ? unescapeName(gnu[2]!) : gnu[2]];
      else if (bsd !== null) [hex, name] = [bsd[2], escaped ? unescapeName(bsd[1]!) : bsd[1]];
      else if (single !== undefined && HEX64.test(body.trim())) [hex, name] = [body.trim(), single];
    }
    if (hex === undefined || name === undefined) {
      fail(`not a checksum line (${shorten(raw)}); expected "<64 hex digits>  <file name>"`, line, "warning");
      continue;
    }
    if (unsafeName(name)) {
      fail(`names ${JSON.stringify(name)}, outside the checksum file's directory; it is not read`, line);
      continue;
    }
    const sha256 = hex.toLowerCase();
    const before = seen.get(name);
    if (before !== undefined && before !== sha256) {
      fail(
        `lists ${JSON.stringify(name)} a second time with another sha256 (${sha256} after ${before})`,
        line,
      );
      continue;
    }
    if (before !== undefined) continue;
    seen.set(name, sha256);
    entries.push({ name, sha256, at: { line } });
  }
  if (entries.length === 0 && !findings.some((f) => f.severity === "error")) {
    fail("holds no checksum line, so it vouches for nothing", undefined);
  }
  return { entries, findings };
}

/** Parses slipway's build manifest (`format: 1`, `artifacts: [{filename, size, sha256}]`). */
export function parseManifest(text: string, display: string): ChecksumList {
  const fail = (message: string): ChecksumList => ({
    entries: [],
    findings: [finding(C.SUM04!, `${display}: ${message}`, { file: display })],
  });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return fail(`is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return fail("is not a JSON object");
  const { format, artifacts } = doc as Record<string, unknown>;
  if (format !== 1)
    return fail(`has format ${JSON.stringify(format)}; slipway reads build manifests of format 1`);
  if (!Array.isArray(artifacts)) return fail('has no "artifacts" list');
  if (artifacts.length > SUMS_MAX_ENTRIES) return fail(`lists more than ${SUMS_MAX_ENTRIES} artifacts`);
  const entries: ChecksumEntry[] = [];
  for (const [i, item] of artifacts.entries()) {
    const field = `artifacts[${i}]`;
    const { filename, size, sha256 } = (typeof item === "object" && item !== null ? item : {}) as Record<
      string,
      unknown
    >;
    if (
      typeof filename !== "string" ||
      filename.includes("/") ||
      unsafeName(filename) ||
      typeof size !== "number" ||
      !Number.isSafeInteger(size) ||
      size < 0 ||
      typeof sha256 !== "string" ||
      !HEX64.test(sha256)
    ) {
      return fail(`${field} is not {"filename": a file name, "size": bytes, "sha256": 64 hex digits}`);
    }
    entries.push({ name: filename, sha256: sha256.toLowerCase(), size, at: { field } });
  }
  if (entries.length === 0) return fail("lists no artifacts, so it vouches for nothing");
  return { entries, findings: [] };
}

/** What is at an entry's path: the file's sha256 and size, or why it cannot be compared. */
export type Observed = { sha256: string; size: number } | { missing: true } | { notAFile: true };

const where = (display: string, entry: ChecksumEntry): { text: string; location: Location } =>
  "line" in entry.at
    ? { text: `${display} line ${entry.at.line}`, location: { file: display, line: entry.at.line } }
    : { text: `${display} ${entry.at.field}`, location: { file: display, field: entry.at.field } };

/** SUM01/SUM02 for one entry against what was found at its path. */
export function checkEntry(
  display: string,
  dir: string,
  entry: ChecksumEntry,
  observed: Observed,
): Finding[] {
  const { text, location } = where(display, entry);
  if ("missing" in observed) {
    const message = `${text}: ${entry.name} is listed (sha256 ${entry.sha256}) but is not in ${dir}`;
    return [finding(C.SUM02!, message, location)];
  }
  if ("notAFile" in observed) {
    const message = `${text}: ${entry.name} is listed but is not a regular file`;
    return [finding(C.SUM02!, message, location)];
  }
  const sizeDiffers = entry.size !== undefined && entry.size !== observed.size;
  if (observed.sha256 === entry.sha256 && !sizeDiffers) return [];
  const sizes = sizeDiffers ? ` (${observed.size} bytes, listed ${entry.size})` : "";
  const message = `${text}: ${entry.name} has sha256 ${observed.sha256}${sizes} but the list says ${entry.sha256}`;
  return [finding(C.SUM01!, message, location)];
}

/**
 * SUM03: distributions in the directory the list covers (names relative to it) that it does
 * not name. A `NAME.sha256` file vouches for NAME alone, so the others are not its business.
 */
export function checkUnlisted(
  display: string,
  list: ChecksumList,
  distributions: readonly string[],
): Finding[] {
  if (/\.sha256$/i.test(display)) return [];
  const listed = new Set(list.entries.map((e) => e.name.replace(/^(\.\/)+/, "")));
  return distributions
    .filter((name) => !listed.has(name))
    .map((name) =>
      finding(C.SUM03!, `${display}: ${name} is a distribution beside it that it does not list`, {
        file: display,
      }),
    );
}
