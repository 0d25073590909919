/**
 * `slipway scan deps`: the pinned dependencies of a project (its lockfiles, or a venv's installed
 * distributions) against an offline advisory database. Read: the lockfiles, the project's
 * `[tool.slipway.scan]` ignores and the database's records of the pinned packages only, through
 * adapters; assemble: the findings, the gate and the section (core/vulns/report.ts).
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { type LoadOptions, loadAdvisoryDb, type RecordError } from "../adapters/advisory-db.ts";
import { feedDirOf, loadFeedDb } from "../adapters/advisory-feed.ts";
import {
  fileSize,
  listDirIfExists,
  pathKind,
  readSmallRegularFile,
  readText,
  readTextIfExists,
} from "../adapters/fs.ts";
import {
  type CachedLockRead,
  lockCacheKey,
  readCachedPins,
  writeCachedPins,
} from "../adapters/lock-pins-cache.ts";
import { pushAll } from "../core/arrays.ts";
import { isProjectLockfile, type LockFormat, lockFormatOf } from "../core/locks/lock-format.ts";
import type { LockError, Pin, Unpinned } from "../core/locks/pins.ts";
import { getTable, type TomlTable } from "../core/pyproject/access.ts";
import { AdvisoryFeedError } from "../core/vulns/feed.ts";
import { readDepsIgnores } from "../core/vulns/ignores.ts";
import { indexAdvisories } from "../core/vulns/match.ts";
import {
  assembleDepsReport,
  DEFAULT_GATE,
  type DepsPin,
  type DepsReport,
  type GateLevel,
  parseGate,
} from "../core/vulns/report.ts";
import { SlipwayError } from "../errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** A lockfile larger than this is refused (a real uv.lock of a large monorepo is a few MiB). */
const MAX_LOCKFILE = 64 * 1024 * 1024;

export interface ScanDepsOptions {
  /** The project directory: where lockfiles are looked for and pyproject.toml is read. */
  root: string;
  /** Lockfiles as the user named them (relative to `root` or absolute); none: found in `root`. */
  lockfiles?: readonly string[];
  /** A virtual environment whose installed distributions are scanned too. */
  installed?: string;
  /** A directory of OSV records; default: the database `slipway scan update-db` downloaded. */
  db?: string;
  /** Default: `[tool.slipway.scan] fail-on`, else high. */
  gate?: GateLevel;
  env: Env;
  /** Today (YYYY-MM-DD, UTC), for the expiry of ignores; default: the clock's. */
  today?: string;
}

export interface ScanDepsReport extends DepsReport {
  gate: GateLevel;
  database: {
    source: "dir" | "feed";
    /** The directory of records, or the feed's URL. */
    location: string;
    revision: string;
    /** Records in the whole database. */
    records: number;
    /** When the feed was downloaded. */
    fetchedAt?: string;
    fromIndex: boolean;
  };
  inputs: { file: string; format: LockFormat | "installed"; pins: number }[];
  pins: number;
  ok: boolean;
}

function shown(root: string, path: string): string {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : path;
}

interface ReadInputs {
  pins: DepsPin[];
  inputs: ScanDepsReport["inputs"];
  lockErrors: LockError[];
  unpinned: Unpinned[];
  unreadable: string[];
}

async function readInputs(root: string, options: ScanDepsOptions): Promise<ReadInputs> {
  const read: ReadInputs = { pins: [], inputs: [], lockErrors: [], unpinned: [], unreadable: [] };
  let files = (options.lockfiles ?? []).map((file) => resolve(root, file));
  if (files.length === 0 && options.installed === undefined) {
    const names = ((await listDirIfExists(root)) ?? []).filter(isProjectLockfile);
    if (names.length === 0) {
      throw new SlipwayError("usage", `no lockfile in ${root}`, {
        hint: "name one (slipway scan deps requirements.txt), or scan a venv with --installed .venv; read: uv.lock, poetry.lock, pylock.toml, requirements*.txt, Pipfile.lock",
      });
    }
    files = names.map((name) => join(root, name));
  }
  for (const path of files) {
    const file = shown(root, path);
    const format = lockFormatOf(path);
    if (format === undefined) {
      throw new SlipwayError("usage", `${file}: not a lockfile slipway reads`, {
        hint: "name it uv.lock, poetry.lock, pylock.toml (or pylock.NAME.toml), requirements*.txt or Pipfile.lock",
      });
    }
    const kind = await pathKind(path);
    if (kind === undefined)
      throw new SlipwayError("usage", `${file}: no such file`, { hint: "check the path" });
    const text = kind === "file" ? await readLockText(path) : undefined;
    if (text === undefined) {
      throw new SlipwayError("usage", `${file}: not a regular file of at most ${MAX_LOCKFILE} bytes`, {
        hint: "name the lockfile itself",
      });
    }
    const lock = await readPins(format, file, text, options.env);
    if (lock.error !== undefined) {
      read.lockErrors.push(lock.error);
      read.inputs.push({ file, format, pins: 0 });
      continue;
    }
    pushAll(read.pins, lock.pins);
    pushAll(read.unpinned, lock.unpinned);
    read.inputs.push({ file, format, pins: lock.pins.length });
  }
  if (options.installed !== undefined) {
    const venv = resolve(root, options.installed);
    const { listInstalled, sitePackagesDirs } = await import("../adapters/installed.ts");
    if ((await sitePackagesDirs(venv)).length === 0) {
      throw new SlipwayError("usage", `--installed ${options.installed}: no site-packages in it`, {
        hint: "name a virtual environment's directory (the one holding bin/ or Scripts/ and lib/)",
      });
    }
    const installed = await listInstalled(venv);
    for (const pkg of installed.packages) {
      read.pins.push({ name: pkg.normalized, version: pkg.version, file: shown(root, pkg.file) });
    }
    pushAll(
      read.unreadable,
      installed.unreadable.map((file) => shown(root, file)),
    );
    read.inputs.push({ file: shown(root, venv), format: "installed", pins: installed.packages.length });
  }
  return read;
}

/**
 * A lockfile's text, bounded. A symlink the user named (or keeps in the project root, as some
 * monorepos do) is followed: stat says what it points to is a regular file of a sane size.
 */
async function readLockText(path: string): Promise<string | undefined> {
  const direct = await readSmallRegularFile(path, MAX_LOCKFILE);
  if (direct !== undefined) return direct;
  const size = await fileSize(path);
  return size !== undefined && size <= MAX_LOCKFILE ? await readText(path) : undefined;
}

/** A lockfile's pins: from the cache when this exact text was read before, else parsed (and kept). */
async function readPins(format: LockFormat, file: string, text: string, env: Env): Promise<CachedLockRead> {
  const key = lockCacheKey(format, file, text);
  const cached = await readCachedPins(env, key);
  if (cached !== undefined) return cached;
  const { readLock } = await import("../core/locks/pins.ts");
  const lock = readLock(format, file, text);
  const read: CachedLockRead = lock.ok
    ? { pins: lock.pins.map(depsPin), unpinned: lock.unpinned }
    : { pins: [], unpinned: [], error: lock.error };
  await writeCachedPins(env, key, read);
  return read;
}

function depsPin(pin: Pin): DepsPin {
  return {
    name: pin.normalized,
    version: pin.version,
    ...(pin.marker === undefined ? {} : { marker: pin.marker }),
    file: pin.file,
    line: pin.line,
  };
}

/** `[tool.slipway.scan]` of the project's pyproject.toml, when it has one. */
/** `[tool.slipway.scan] fail-on`: the gate of every dependency scan of the project (release's too). */
function configuredGate(table: TomlTable | undefined): GateLevel | undefined {
  const said = table?.["fail-on"];
  if (said === undefined) return undefined;
  const gate = typeof said === "string" ? parseGate(said) : undefined;
  if (gate === undefined) {
    throw new SlipwayError(
      "config",
      `pyproject.toml [tool.slipway.scan] fail-on: ${JSON.stringify(said)} is not one of low, moderate, high, critical`,
      { hint: 'e.g. fail-on = "moderate"' },
    );
  }
  return gate;
}

/** `[tool.slipway.scan] db`: a directory of OSV records kept with the project (relative to it). */
function configuredDb(table: TomlTable | undefined): string | undefined {
  const said = table?.["db"];
  if (said === undefined) return undefined;
  if (typeof said !== "string" || said === "") {
    throw new SlipwayError(
      "config",
      `pyproject.toml [tool.slipway.scan] db: expected a directory path, found ${JSON.stringify(said)}`,
      {
        hint: 'e.g. db = "vendor/advisory-database"',
      },
    );
  }
  return said;
}

/** The lockfiles of the project root that `scan deps` reads when none is named, by name. */
export async function projectLockfiles(root: string): Promise<string[]> {
  return ((await listDirIfExists(resolve(root))) ?? []).filter(isProjectLockfile).sort();
}

async function readScanTable(root: string, env: Env): Promise<TomlTable | undefined> {
  const text = await readTextIfExists(join(root, "pyproject.toml")).catch(() => undefined);
  // Without the word there is no [tool.slipway] table: the TOML parser is not even loaded.
  if (text === undefined || !text.includes("slipway")) return undefined;
  const { openProject } = await import("../adapters/snapshot.ts");
  const pyproject = await openProject(root, { env }).pyproject();
  if (pyproject === undefined) return undefined;
  if (!pyproject.parsed.ok) {
    throw new SlipwayError("config", `${join(root, "pyproject.toml")} is not valid TOML`, {
      hint: "fix it first: `slipway check` says where",
    });
  }
  return getTable(getTable(getTable(pyproject.parsed.value, "tool"), "slipway"), "scan");
}

interface LoadedDb {
  records: Parameters<typeof indexAdvisories>[0];
  errors: RecordError[];
  label: string;
  database: ScanDepsReport["database"];
}

async function loadDb(
  root: string,
  options: ScanDepsOptions,
  wanted: LoadOptions,
  /** How the user named the database, for errors: `--db DIR` or the pyproject key. */
  named = `--db ${options.db}`,
): Promise<LoadedDb> {
  if (options.db !== undefined) {
    const dir = resolve(root, options.db);
    if ((await pathKind(dir)) !== "directory") {
      throw new SlipwayError("usage", `${named}: not a directory`, {
        hint: "name a directory of OSV records (YAML or JSON), e.g. a clone of pypa/advisory-database",
      });
    }
    const db = await loadAdvisoryDb(dir, options.env, wanted);
    if (db.total === 0) {
      throw new AdvisoryFeedError(
        `${named}: no OSV records in it${db.errors.length > 0 ? ` (${db.errors.length} damaged files)` : ""}`,
        { hint: "name a directory of OSV records, or run `slipway scan update-db` and drop --db" },
      );
    }
    return {
      records: db.records,
      errors: db.errors,
      label: shown(root, dir),
      database: {
        source: "dir",
        location: shown(root, dir),
        revision: db.revision,
        records: db.total,
        fromIndex: db.fromIndex,
      },
    };
  }
  const db = await loadFeedDb(options.env, wanted);
  if (db === undefined) {
    const where = feedDirOf(options.env);
    throw new AdvisoryFeedError(
      `no advisory database${where === undefined ? "" : ` in ${where}`}: dependencies cannot be checked`,
      { hint: "run `slipway scan update-db` to download OSV's PyPI advisories, or pass --db DIR" },
    );
  }
  return {
    records: db.records,
    errors: db.errors,
    label: "osv-pypi",
    database: {
      source: "feed",
      location: db.state.url,
      revision: db.revision,
      records: db.total,
      fetchedAt: db.state.fetchedAt,
      fromIndex: db.fromIndex,
    },
  };
}

export async function scanDeps(options: ScanDepsOptions): Promise<ScanDepsReport> {
  const root = resolve(options.root);
  const read = await readInputs(root, options);
  const table = await readScanTable(root, options.env);
  const ignores = readDepsIgnores(table);
  const gate = options.gate ?? configuredGate(table) ?? DEFAULT_GATE;
  const db = options.db ?? configuredDb(table);
  const only = new Set(read.pins.map((pin) => pin.name));
  const versions = new Map<string, string[]>();
  for (const pin of read.pins) {
    const list = versions.get(pin.name);
    if (list) list.push(pin.version);
    else versions.set(pin.name, [pin.version]);
  }
  const loaded =
    options.db === undefined && db !== undefined
      ? await loadDb(
          root,
          { ...options, db },
          { only, versions },
          `pyproject.toml [tool.slipway.scan] db = "${db}"`,
        )
      : await loadDb(root, options, { only, versions });
  const report = assembleDepsReport({
    pins: read.pins,
    index: indexAdvisories(loaded.records),
    gate,
    ignores,
    today: options.today ?? new Date().toISOString().slice(0, 10),
    problems: {
      dbErrors: loaded.errors,
      dbLabel: loaded.label,
      lockErrors: read.lockErrors,
      unpinned: read.unpinned,
      unreadable: read.unreadable,
    },
    revision: loaded.database.revision,
  });
  return {
    ...report,
    gate,
    database: loaded.database,
    inputs: read.inputs,
    pins: read.pins.length,
    ok: !report.section.failed,
  };
}
