/**
 * An offline advisory database: a directory searched recursively for OSV records (`*.yaml`,
 * `*.yml`, `*.json`), e.g. the PyPA advisory database or an unpacked OSV PyPI archive. Parsing
 * thousands of files costs seconds, so the parsed records are kept as one compact index in
 * slipway's cache dir, keyed by the database's revision: a hash of every record file's relative
 * path, size and modification time. A warm load stats the files and reads one index file, and
 * decodes only the records of the packages asked for. The index is read back as hostile input
 * (a planted or damaged index is ignored and rebuilt).
 *
 * The index file is one JSON array, one element per line: first a header (revision, damaged
 * files, where each record's line starts, which records name which package), then one record
 * per line in its typed shape (osv.ts OsvRecord, checked back with isOsvRecord). A warm scan parses the header and the lines of the packages it pins, never
 * the whole file, and never loads the YAML parser. Records are kept without the listed versions
 * their own ranges cover (match.ts trimCoveredVersions): the same matches, a fraction of the bytes.
 */
import { createHash } from "node:crypto";
import { type Dirent, lstatSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Parsed } from "../core/result.ts";
import { isAboveBound, type PackageBound, trimCoveredVersions, upperBoundOf } from "../core/vulns/match.ts";
import { isOsvRecord, type OsvRecord } from "../core/vulns/osv.ts";
import { touchCacheEntry } from "./cache-use.ts";
import { readSmallRegularFile, writeFileAtomic } from "./fs.ts";
import { cacheDirOf } from "./readme-cache.ts";

const INDEX_FORMAT = 2;
const NAMESPACE = "advisories";
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
const MAX_INDEX_BYTES = 512 * 1024 * 1024;
/** A directory with more record files than this is not an advisory database. */
const MAX_FILES = 2_000_000;

type Env = Readonly<Record<string, string | undefined>>;

export interface RecordError {
  /** Path relative to the database directory (or archive), with `/` separators. */
  path: string;
  error: string;
}

export interface AdvisoryDb {
  /** Every record, or with `only` the records naming one of those packages; in file order. */
  records: OsvRecord[];
  /** Damaged or unreadable record files: each one names its file; the others still load. */
  errors: RecordError[];
  revision: string;
  /** True when the records came from the cached index. */
  fromIndex: boolean;
  /** Record files opened and parsed by this load (0 on a warm load). */
  filesRead: number;
  /** Records in the whole database (not only those returned). */
  total: number;
}

export interface LoadOptions {
  /** PEP 503-normalized names: return only the records that name one of these PyPI packages. */
  only?: ReadonlySet<string>;
  /**
   * The versions pinned per name: a warm load leaves out the records of a package when every
   * version pinned is above the highest one its records can affect (upperBoundOf), without
   * decoding them. Those records could not match; they are not returned.
   */
  versions?: ReadonlyMap<string, readonly string[]>;
}

interface Listed {
  path: string;
  rel: string;
  size: number;
  mtimeMs: number;
}

function formatOf(path: string): "yaml" | "json" | undefined {
  if (path.endsWith(".yaml") || path.endsWith(".yml")) return "yaml";
  if (path.endsWith(".json")) return "json";
  return undefined;
}

interface Listing {
  files: Listed[];
  /** Every directory walked (relative, "" for the top) with its mtime: a file added or removed changes it. */
  dirs: [string, number][];
}

/**
 * Record files under `dir`, sorted by relative path. Hidden entries (`.git`) are skipped and
 * symlinks are not followed (a loop cannot hang the walk). Synchronous on purpose: a few
 * thousand readdir and lstat calls cost less than as many promises.
 */
function listRecordFiles(dir: string): Listing {
  const out: Listed[] = [];
  const dirs: [string, number][] = [];
  const walk = (abs: string, rel: string): void => {
    let entries: Dirent[];
    try {
      const info = lstatSync(abs);
      entries = readdirSync(abs, { withFileTypes: true });
      dirs.push([rel, info.mtimeMs]);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(abs, entry.name);
      const relPath = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path, relPath);
      else if (entry.isFile() && formatOf(entry.name) !== undefined) {
        if (out.length >= MAX_FILES) return;
        const info = lstatSync(path, { throwIfNoEntry: false });
        if (info?.isFile()) out.push({ path, rel: relPath, size: info.size, mtimeMs: info.mtimeMs });
      }
    }
  };
  walk(dir, "");
  return { files: out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)), dirs };
}

/**
 * The revision of `dir` without listing it again, when the listing kept from the last load still
 * holds: every directory has the mtime it had (no file added, removed or renamed) and every file
 * its size and mtime. Undefined (list it) otherwise.
 */
async function revisionFromListing(dir: string, path: string): Promise<string | undefined> {
  let value: unknown;
  try {
    value = JSON.parse((await readSmallRegularFile(path, MAX_INDEX_BYTES)) ?? "null");
  } catch {
    return undefined;
  }
  const kept = value as {
    format?: unknown;
    dir?: unknown;
    revision?: unknown;
    dirs?: unknown;
    files?: unknown;
  } | null;
  if (kept?.format !== INDEX_FORMAT || kept.dir !== dir || typeof kept.revision !== "string")
    return undefined;
  if (!Array.isArray(kept.dirs) || !Array.isArray(kept.files)) return undefined;
  // Flat lists (path, mtime, path, mtime... and path, size, mtime...): no array per entry to allocate.
  const dirs = kept.dirs as unknown[];
  const files = kept.files as unknown[];
  if (dirs.length % 2 !== 0 || files.length % 3 !== 0) return undefined;
  const safe = (rel: unknown): rel is string => typeof rel === "string" && !rel.split("/").includes("..");
  for (let i = 0; i < dirs.length; i += 2) {
    const rel = dirs[i];
    if (!safe(rel)) return undefined;
    const info = lstatSync(rel === "" ? dir : join(dir, rel), { throwIfNoEntry: false });
    if (!info?.isDirectory() || info.mtimeMs !== dirs[i + 1]) return undefined;
  }
  for (let i = 0; i < files.length; i += 3) {
    const rel = files[i];
    if (!safe(rel)) return undefined;
    const info = lstatSync(join(dir, rel), { throwIfNoEntry: false });
    if (!info?.isFile() || info.size !== files[i + 1] || info.mtimeMs !== files[i + 2]) return undefined;
  }
  return kept.revision;
}

function listingPath(cacheDir: string, dir: string): string {
  return join(cacheDir, NAMESPACE, "listings", `${createHash("sha256").update(dir).digest("hex")}.json`);
}

function revisionOf(files: readonly Listed[]): string {
  const hash = createHash("sha256").update(`slipway-advisories ${INDEX_FORMAT}\n`);
  for (const file of files) hash.update(`${file.rel}\0${file.size}\0${file.mtimeMs}\n`);
  return hash.digest("hex");
}

/** Where the index of a database revision lives in the cache. */
export function advisoryIndexPath(cacheDir: string, revision: string): string {
  return join(cacheDir, NAMESPACE, `${revision}.json`);
}

/** The index text of a database: see the module comment for its layout. */
export function renderAdvisoryIndex(
  revision: string,
  records: readonly OsvRecord[],
  errors: RecordError[],
): string {
  const lines = records.map((record) => `,${JSON.stringify(record)}\n`);
  const offsets: number[] = [];
  let at = 0;
  for (const line of lines) {
    offsets.push(at);
    at += line.length;
  }
  offsets.push(at);
  // A Map, then own properties: a package named "__proto__" is a key like any other.
  const byName = new Map<string, number[]>();
  records.forEach((record, i) => {
    for (const name of pypiNames(record)) {
      const list = byName.get(name);
      if (list) list.push(i);
      else byName.set(name, [i]);
    }
  });
  const packages = Object.fromEntries(byName);
  const bounds = Object.fromEntries(
    [...byName].map(([name, list]) => {
      const bound = upperBoundOf(
        list.map((i) => records[i]!),
        name,
      );
      return [name, bound === null ? null : [bound.version, bound.inclusive]];
    }),
  );
  const header = { format: INDEX_FORMAT, revision, count: records.length, errors, offsets, packages, bounds };
  return `[${JSON.stringify(header)}\n${lines.join("")}]\n`;
}

function pypiNames(record: OsvRecord): Set<string> {
  return new Set(record.affected.filter((a) => a.ecosystem === "PyPI").map((a) => a.name));
}

const isIndexList = (value: unknown, below: number): value is number[] =>
  Array.isArray(value) && value.every((n) => Number.isInteger(n) && n >= 0 && n < below);

/**
 * The cached index for `revision` (all records, or those naming a package of `only`), or
 * undefined when absent, damaged or not what it claims: every part read is checked again.
 */
export async function readAdvisoryIndex(
  path: string,
  revision: string,
  only?: ReadonlySet<string>,
  versions?: ReadonlyMap<string, readonly string[]>,
): Promise<{ records: OsvRecord[]; errors: RecordError[]; total: number } | undefined> {
  let text: string | undefined;
  try {
    text = await readSmallRegularFile(path, MAX_INDEX_BYTES);
  } catch {
    return undefined;
  }
  if (text === undefined || !text.startsWith("[")) return undefined;
  const newline = text.indexOf("\n");
  if (newline < 0) return undefined;
  let header: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(text.slice(1, newline));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    header = value as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { count, offsets, packages, bounds } = header;
  if (header["format"] !== INDEX_FORMAT || header["revision"] !== revision) return undefined;
  if (!Number.isInteger(count) || typeof packages !== "object" || packages === null) return undefined;
  if (typeof bounds !== "object" || bounds === null) return undefined;
  const n = count as number;
  const body = newline + 1;
  if (!isIndexList(offsets, text.length - body + 1) || offsets.length !== n + 1) return undefined;
  if (text.slice(body + offsets[n]!) !== "]\n") return undefined;
  const errors = errorsFrom(header["errors"]);
  if (errors === undefined) return undefined;
  let wanted: number[];
  if (only === undefined) wanted = Array.from({ length: n }, (_, i) => i);
  else {
    const picked = new Set<number>();
    for (const name of only) {
      if (!Object.hasOwn(packages, name)) continue;
      const pinned = versions?.get(name);
      if (pinned !== undefined && pinned.length > 0) {
        const bound = boundFrom((bounds as Record<string, unknown>)[name]);
        if (bound === undefined) return undefined;
        if (pinned.every((version) => isAboveBound(version, bound))) continue;
      }
      const list = (packages as Record<string, unknown>)[name];
      if (!isIndexList(list, n)) return undefined;
      for (const i of list) picked.add(i);
    }
    wanted = [...picked].sort((a, b) => a - b);
  }
  // The wanted lines decoded by one JSON.parse (each line checked to be one element first).
  const parts: string[] = [];
  for (const i of wanted) {
    const start = body + offsets[i]!;
    const end = body + offsets[i + 1]!;
    if (end - start < 3 || text[start] !== "," || text[end - 1] !== "\n") return undefined;
    parts.push(text.slice(start + 1, end - 1));
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(`[${parts.join(",")}]`);
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== wanted.length) return undefined;
  const records: OsvRecord[] = [];
  for (const record of decoded) {
    if (!isOsvRecord(record)) return undefined;
    // A record listed under a package it does not name is a planted index.
    if (only !== undefined && !record.affected.some((a) => a.ecosystem === "PyPI" && only.has(a.name)))
      return undefined;
    records.push(record);
  }
  return { records, errors, total: n };
}

/** A package's bound as the header stores it: `[version, inclusive]`, or null when open. */
function boundFrom(value: unknown): PackageBound | undefined {
  if (value === null) return null;
  if (!Array.isArray(value) || typeof value[0] !== "string" || typeof value[1] !== "boolean")
    return undefined;
  return { version: value[0], inclusive: value[1] };
}

function errorsFrom(value: unknown): RecordError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const errors: RecordError[] = [];
  for (const raw of value) {
    const entry = raw as Record<string, unknown> | null;
    if (typeof entry?.["path"] !== "string" || typeof entry["error"] !== "string") return undefined;
    errors.push({ path: entry["path"], error: entry["error"] });
  }
  return errors;
}

/** The records of `records` that name a package of `only` (all without `only`). */
export function selectRecords(records: OsvRecord[], only: ReadonlySet<string> | undefined): OsvRecord[] {
  if (only === undefined) return records;
  return records.filter((record) => record.affected.some((a) => a.ecosystem === "PyPI" && only.has(a.name)));
}

/** Writes the index of a revision; a failure is not an error (the next run parses again). */
export async function writeAdvisoryIndex(
  cacheDir: string,
  revision: string,
  records: readonly OsvRecord[],
  errors: RecordError[],
): Promise<void> {
  await writeFileAtomic(
    advisoryIndexPath(cacheDir, revision),
    renderAdvisoryIndex(revision, records, errors),
    {
      mkdirs: true,
    },
  ).catch(() => {});
}

/** Keeps the listing a revision was computed from, so the next load can check it by stat alone. */
async function writeListing(
  cacheDir: string,
  dir: string,
  revision: string,
  files: readonly Listed[],
  dirs: [string, number][],
): Promise<void> {
  const listing = {
    format: INDEX_FORMAT,
    dir,
    revision,
    dirs: dirs.flat(),
    files: files.flatMap((file) => [file.rel, file.size, file.mtimeMs]),
  };
  await writeFileAtomic(listingPath(cacheDir, dir), JSON.stringify(listing), { mkdirs: true }).catch(
    () => {},
  );
}

async function parseFile(
  file: Listed,
  parse: (text: string, format: "yaml" | "json") => Parsed<OsvRecord>,
): Promise<{ record?: OsvRecord; error?: RecordError }> {
  if (file.size > MAX_RECORD_BYTES)
    return { error: { path: file.rel, error: `larger than ${MAX_RECORD_BYTES} bytes` } };
  let text: string;
  try {
    text = await readFile(file.path, "utf8");
  } catch (error) {
    return {
      error: {
        path: file.rel,
        error: `unreadable: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
  const parsed = parse(text, formatOf(file.path)!);
  return parsed.ok ? { record: parsed.value } : { error: { path: file.rel, error: parsed.error } };
}

/**
 * Loads the OSV records under `dir`. `env` locates the cache (SLIPWAY_CACHE_DIR, XDG_CACHE_HOME,
 * HOME; SLIPWAY_NO_CACHE turns it off). A failure to write the index is not an error: the next
 * run parses again.
 */
export async function loadAdvisoryDb(
  given: string,
  env: Env,
  options: LoadOptions = {},
): Promise<AdvisoryDb> {
  const dir = resolve(given);
  const cacheDir = cacheDirOf(env);
  if (cacheDir !== undefined) {
    const known = await revisionFromListing(dir, listingPath(cacheDir, dir));
    const cached =
      known === undefined
        ? undefined
        : await readAdvisoryIndex(advisoryIndexPath(cacheDir, known), known, options.only, options.versions);
    if (known !== undefined && cached) {
      // Its last use, for `slipway cache prune` (least recently used first).
      await touchCacheEntry(advisoryIndexPath(cacheDir, known));
      return { ...cached, revision: known, fromIndex: true, filesRead: 0 };
    }
  }
  const { files, dirs } = listRecordFiles(dir);
  const revision = revisionOf(files);
  if (cacheDir !== undefined) {
    const cached = await readAdvisoryIndex(
      advisoryIndexPath(cacheDir, revision),
      revision,
      options.only,
      options.versions,
    );
    if (cached) {
      await touchCacheEntry(advisoryIndexPath(cacheDir, revision));
      await writeListing(cacheDir, dir, revision, files, dirs);
      return { ...cached, revision, fromIndex: true, filesRead: 0 };
    }
  }
  // Only a cold load parses YAML: the parser is loaded here, not with this module.
  const { parseOsvRecord } = await import("../core/vulns/osv-yaml.ts");
  const records: OsvRecord[] = [];
  const errors: RecordError[] = [];
  const BATCH = 64;
  for (let start = 0; start < files.length; start += BATCH) {
    const parsed = await Promise.all(
      files.slice(start, start + BATCH).map((f) => parseFile(f, parseOsvRecord)),
    );
    for (const one of parsed) {
      if (one.record) records.push(trimCoveredVersions(one.record));
      if (one.error) errors.push(one.error);
    }
  }
  if (cacheDir !== undefined) {
    await writeAdvisoryIndex(cacheDir, revision, records, errors);
    await writeListing(cacheDir, dir, revision, files, dirs);
  }
  return {
    records: selectRecords(records, options.only),
    errors,
    revision,
    fromIndex: false,
    filesRead: files.length,
    total: records.length,
  };
}
