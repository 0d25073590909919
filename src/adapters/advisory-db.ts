/**
 * An offline advisory database: a directory searched recursively for OSV records (`*.yaml`,
 * `*.yml`, `*.json`), e.g. the PyPA advisory database or an unpacked OSV PyPI archive. Parsing
 * thousands of files costs seconds, so the parsed records are kept as one compact index in
 * slipway's cache dir, keyed by the database's revision: a hash of every record file's relative
 * path, size and modification time. A warm load stats the files and reads one index file. The
 * index is read back as hostile input (a planted or damaged index is ignored and rebuilt).
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { compactRecord, type OsvRecord, osvRecordFrom, parseOsvRecord } from "../core/vulns/osv.ts";
import { readSmallRegularFile, writeFileAtomic } from "./fs.ts";
import { cacheDirOf } from "./readme-cache.ts";

const INDEX_FORMAT = 1;
const NAMESPACE = "advisories";
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
const MAX_INDEX_BYTES = 512 * 1024 * 1024;

export interface RecordError {
  /** Path relative to the database directory, with `/` separators. */
  path: string;
  error: string;
}

export interface AdvisoryDb {
  records: OsvRecord[];
  /** Damaged or unreadable record files: each one names its file; the others still load. */
  errors: RecordError[];
  revision: string;
  /** True when the records came from the cached index. */
  fromIndex: boolean;
  /** Record files opened and parsed by this load (0 on a warm load). */
  filesRead: number;
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

/** Record files under `dir`, sorted; symlinks are not followed (a loop cannot hang the walk). */
async function listRecordFiles(dir: string): Promise<Listed[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((entry) => entry.isFile() && formatOf(entry.name) !== undefined)
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(
      (path) =>
        !relative(dir, path)
          .split(sep)
          .some((part) => part.startsWith(".")),
    )
    .sort();
  return await Promise.all(
    paths.map(async (path) => {
      const info = await stat(path);
      return { path, rel: relative(dir, path).split(sep).join("/"), size: info.size, mtimeMs: info.mtimeMs };
    }),
  );
}

function revisionOf(files: readonly Listed[]): string {
  const hash = createHash("sha256").update(`slipway-advisories ${INDEX_FORMAT}\n`);
  for (const file of files) hash.update(`${file.rel}\0${file.size}\0${file.mtimeMs}\n`);
  return hash.digest("hex");
}

function indexPath(cacheDir: string, revision: string): string {
  return join(cacheDir, NAMESPACE, `${revision}.json`);
}

/** The cached index for `revision`, or undefined when absent, damaged or not what it claims. */
async function readIndex(
  path: string,
  revision: string,
): Promise<{ records: OsvRecord[]; errors: RecordError[] } | undefined> {
  let value: unknown;
  try {
    const text = await readSmallRegularFile(path, MAX_INDEX_BYTES);
    if (text === undefined) return undefined;
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const index = value as Record<string, unknown>;
  if (index["format"] !== INDEX_FORMAT || index["revision"] !== revision) return undefined;
  if (!Array.isArray(index["records"]) || !Array.isArray(index["errors"])) return undefined;
  const records: OsvRecord[] = [];
  for (const raw of index["records"]) {
    const record = osvRecordFrom(raw);
    if (!record.ok) return undefined;
    records.push(record.value);
  }
  const errors: RecordError[] = [];
  for (const raw of index["errors"]) {
    const entry = raw as Record<string, unknown> | null;
    if (typeof entry?.["path"] !== "string" || typeof entry["error"] !== "string") return undefined;
    errors.push({ path: entry["path"], error: entry["error"] });
  }
  return { records, errors };
}

async function parseFile(file: Listed): Promise<{ record?: OsvRecord; error?: RecordError }> {
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
  const parsed = parseOsvRecord(text, formatOf(file.path)!);
  return parsed.ok ? { record: parsed.value } : { error: { path: file.rel, error: parsed.error } };
}

/**
 * Loads every OSV record under `dir`. `env` locates the cache (SLIPWAY_CACHE_DIR, XDG_CACHE_HOME,
 * HOME; SLIPWAY_NO_CACHE turns it off). A failure to write the index is not an error: the next
 * run parses again.
 */
export async function loadAdvisoryDb(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<AdvisoryDb> {
  const files = await listRecordFiles(dir);
  const revision = revisionOf(files);
  const cacheDir = cacheDirOf(env);
  if (cacheDir !== undefined) {
    const cached = await readIndex(indexPath(cacheDir, revision), revision);
    if (cached) return { ...cached, revision, fromIndex: true, filesRead: 0 };
  }
  const records: OsvRecord[] = [];
  const errors: RecordError[] = [];
  const BATCH = 64;
  for (let start = 0; start < files.length; start += BATCH) {
    const parsed = await Promise.all(files.slice(start, start + BATCH).map(parseFile));
    for (const one of parsed) {
      if (one.record) records.push(one.record);
      if (one.error) errors.push(one.error);
    }
  }
  if (cacheDir !== undefined) {
    const index = { format: INDEX_FORMAT, revision, records: records.map(compactRecord), errors };
    await writeFileAtomic(indexPath(cacheDir, revision), JSON.stringify(index), { mkdirs: true }).catch(
      () => {},
    );
  }
  return { records, errors, revision, fromIndex: false, filesRead: files.length };
}
