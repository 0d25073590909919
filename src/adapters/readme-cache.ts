/**
 * A persistent cache of README render verdicts, so that a warm `slipway check` neither imports
 * docutils nor renders. An entry is keyed by everything that can change a verdict: the
 * renderer's identity (Python, readme_renderer/docutils/pygments versions, sys.path, docutils
 * config files, the render script), the content kind and the text. Any cache trouble (no home,
 * read-only disk, a corrupt entry) makes it a miss, never a failed check.
 *
 * It also keeps each Python's last identity with the stamps (mtime, size) of every file and
 * directory that identity was read from, so a warm run checks those stamps instead of starting
 * Python at all. Only a Python that is its own interpreter qualifies: a shim (pyenv, asdf,
 * mise) picks an interpreter by files slipway cannot know, so it is always asked.
 */
import { createHash } from "node:crypto";
import { type BigIntStats, statSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { RenderVerdict } from "../core/readme/verdict.ts";
import { pruneWhenDue, touchCacheEntry } from "./cache-use.ts";
import { readSmallRegularFile, writeFileAtomic } from "./fs.ts";

/** An entry larger than this was not written by slipway: a verdict is far smaller. */
const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

/**
 * What the render script's first line says about the renderer (interpreter, versions, sys.path
 * and docutils config stamps). `key` is its canonical JSON with the script's hash: the first
 * part of every cache key.
 */
export interface RendererIdentity {
  key: string;
  dists: Record<string, string | null>;
  /** False for a kind the script cannot render there (no docutils, no comrak): built-in verdict. */
  renders: Readonly<Record<string, boolean | undefined>>;
}

/** The identity from the script's first line; undefined when it is not one (no cache then). */
export function parseIdentity(line: string | undefined, scriptHash: string): RendererIdentity | undefined {
  if (line === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    const dists = (parsed as { dists?: unknown } | null)?.dists;
    if (typeof dists !== "object" || dists === null) return undefined;
    const key = JSON.stringify({ script: scriptHash, ...(parsed as object) });
    const said = (parsed as { renders?: unknown }).renders;
    const renders: Record<string, boolean | undefined> = {};
    if (typeof said === "object" && said !== null) {
      for (const [kind, value] of Object.entries(said)) if (typeof value === "boolean") renders[kind] = value;
    }
    return { key, dists: dists as Record<string, string | null>, renders };
  } catch {
    return undefined;
  }
}

/**
 * Only verdicts of a real renderer whose imported versions are those the identity named are
 * stored (a module without metadata, or a readme_renderer that failed to import, would let a
 * later run be answered for a renderer other than the one it names). Markdown never involves
 * docutils, so its version is not compared there.
 */
export function cacheable(verdict: RenderVerdict, identity: RendererIdentity, kind: string): boolean {
  const used = verdict.versions ?? {};
  const named = identity.dists;
  const same = (a: string | undefined, b: string | null | undefined) => (a ?? null) === (b ?? null);
  return (
    /^(readme_renderer|docutils) /.test(verdict.renderer) &&
    same(used.readmeRenderer, named["readme_renderer"]) &&
    same(used.pygments, named["pygments"]) &&
    (kind === "markdown" || same(used.docutils, named["docutils"]))
  );
}

/** A path's [mtime in ns, size] as the render script's `stamp` gives them; null when it cannot be read. */
export type Stamp = [number, number] | null;

const stampFrom = (st: BigIntStats): Stamp => [Number(st.mtimeNs), Number(st.size)];

/** Node's side of the render script's `stamp(path)` (os.stat follows symlinks; so does stat). */
export async function stampOf(path: string): Promise<Stamp> {
  return await stat(path, { bigint: true }).then(stampFrom, () => null);
}

/** The same, at once: taken right before Python starts, so a later change shows as a mismatch. */
export function stampNow(path: string): Stamp {
  try {
    return stampFrom(statSync(path, { bigint: true }));
  } catch {
    return null;
  }
}

const sameStamp = (a: unknown, b: Stamp) =>
  a === null || b === null ? a === b : Array.isArray(a) && a.length === 2 && a[0] === b[0] && a[1] === b[1];

/**
 * Which identity entry a run uses: the Python path, the working directory (./docutils.conf)
 * and every variable that moves sys.path or docutils' config files.
 */
export function identitySlot(
  python: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  scriptHash: string,
): string {
  const vars = Object.keys(env)
    .filter(
      (k) => k.startsWith("PYTHON") || k.startsWith("__PYVENV") || k === "HOME" || k === "DOCUTILSCONFIG",
    )
    .sort()
    .map((k) => [k, env[k]]);
  return createHash("sha256").update(JSON.stringify({ scriptHash, python, cwd, vars })).digest("hex");
}

/** Every [path, stamp] pair an identity line was read from. */
function recordedStamps(identity: Record<string, unknown>): [string, unknown][] | undefined {
  const pairs: [string, unknown][] = [];
  for (const field of ["path", "docutilsConfig", "watch"]) {
    const list = identity[field];
    if (!Array.isArray(list)) return undefined;
    for (const pair of list) {
      if (!Array.isArray(pair) || typeof pair[0] !== "string") return undefined;
      pairs.push([pair[0], pair[1]]);
    }
  }
  return pairs;
}

/** Bump when the entry format or the meaning of a verdict changes: old entries are then ignored. */
const NAMESPACE = "readme-v1";
/** Where the Pythons' last identities live, beside the verdicts (`<cache dir>/python-identity-v1`). */
const IDENTITY_NAMESPACE = "python-identity-v1";

export interface VerdictCache {
  /** The directory entries live under (`<cache dir>/readme-v1`). */
  dir: string;
  /** The cached verdict, or undefined for a miss (absent, unreadable or corrupt entry). */
  get(key: string): Promise<RenderVerdict | undefined>;
  /** Stores a verdict atomically; a failure is swallowed (the cache is only an optimisation). */
  put(key: string, verdict: RenderVerdict): Promise<void>;
  /**
   * The identity line `python` printed last in this slot, when the interpreter file and every
   * path the line was read from still have the stamps recorded then; else undefined.
   */
  knownIdentity(slot: string, python: string): Promise<string | undefined>;
  /** Keeps an identity line for `knownIdentity`, if `python` is the interpreter it names. */
  rememberIdentity(slot: string, python: string, stamp: Stamp, line: string): Promise<void>;
}

/**
 * Where slipway caches: `SLIPWAY_CACHE_DIR`, else `$XDG_CACHE_HOME/slipway`, else
 * `$HOME/.cache/slipway` (XDG Base Directory spec: a relative XDG_CACHE_HOME is invalid and
 * ignored). Undefined when `SLIPWAY_NO_CACHE` is set to anything but "" or "0", or no home.
 */
export function cacheDirOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const off = env["SLIPWAY_NO_CACHE"];
  if (off !== undefined && off !== "" && off !== "0") return undefined;
  const own = env["SLIPWAY_CACHE_DIR"];
  if (own) return own;
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg && isAbsolute(xdg)) return join(xdg, "slipway");
  const home = env["HOME"];
  return home ? join(home, ".cache", "slipway") : undefined;
}

/** sha256 of identity, kind and text, NUL-separated so no two triples share a key. */
export function verdictKey(identity: string, kind: string, text: string): string {
  return createHash("sha256").update(`${identity}\0${kind}\0${text}`).digest("hex");
}

/**
 * Writes a cache entry as JSON, atomically (fs.ts): a reader sees the old entry or the whole new
 * one, never half. A failure is swallowed (a cache is only an optimisation).
 */
export async function writeEntry(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value), { mkdirs: true }).catch(() => {});
}

/** `<dir>/<first 2 hex>/<key>.json`: fanned out so no directory grows huge. */
export function entryPath(dir: string, key: string): string {
  return join(dir, key.slice(0, 2), `${key}.json`);
}

/** The verdict cache under `env`'s cache directory, or undefined when caching is off. */
export function openVerdictCache(
  env: Readonly<Record<string, string | undefined>>,
): VerdictCache | undefined {
  const root = cacheDirOf(env);
  if (root === undefined) return undefined;
  const dir = join(root, NAMESPACE);
  const identityPath = (slot: string) => join(root, IDENTITY_NAMESPACE, `${slot}.json`);
  return {
    dir,
    async get(key) {
      try {
        const entry: unknown = JSON.parse(
          (await readSmallRegularFile(entryPath(dir, key), MAX_ENTRY_BYTES)) ?? "null",
        );
        if (!isEntry(entry) || entry.key !== key) return undefined;
        await touchCacheEntry(entryPath(dir, key)); // its last use, for `slipway cache prune`
        return entry.verdict;
      } catch {
        return undefined;
      }
    },
    async put(key, verdict) {
      await writeEntry(entryPath(dir, key), { key, verdict });
      await pruneWhenDue(env);
    },
    async knownIdentity(slot, python) {
      try {
        const entry = JSON.parse(
          (await readSmallRegularFile(identityPath(slot), MAX_ENTRY_BYTES)) ?? "null",
        ) as Record<string, unknown>;
        const line = entry["line"];
        if (entry["slot"] !== slot || typeof line !== "string") return undefined;
        const identity = JSON.parse(line) as Record<string, unknown>;
        const pairs = recordedStamps(identity);
        if (pairs === undefined || identity["executable"] !== (await realpath(python))) return undefined;
        pairs.push([python, entry["stamp"]]);
        const now = await Promise.all(pairs.map(([path]) => stampOf(path)));
        if (!pairs.every(([, recorded], at) => sameStamp(recorded, now[at] as Stamp))) return undefined;
        await touchCacheEntry(identityPath(slot));
        return line;
      } catch {
        return undefined;
      }
    },
    async rememberIdentity(slot, python, stamp, line) {
      try {
        const identity = JSON.parse(line) as Record<string, unknown>;
        if (stamp === null || recordedStamps(identity) === undefined) return;
        if (identity["executable"] !== (await realpath(python))) return; // a shim: ask it every time
        await writeEntry(identityPath(slot), { slot, stamp, line });
      } catch {
        // not an identity this cache can keep
      }
    },
  };
}

function isEntry(value: unknown): value is { key: string; verdict: RenderVerdict } {
  if (typeof value !== "object" || value === null) return false;
  const { key, verdict } = value as { key?: unknown; verdict?: unknown };
  return typeof key === "string" && isVerdict(verdict);
}

/** Checks every field a consumer reads, so a hand-edited or truncated entry is a miss. */
function isVerdict(value: unknown): value is RenderVerdict {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const messagesOk =
    Array.isArray(v["messages"]) &&
    v["messages"].every(
      (m: unknown) =>
        typeof m === "object" &&
        m !== null &&
        typeof (m as { text?: unknown }).text === "string" &&
        ["undefined", "number"].includes(typeof (m as { line?: unknown }).line),
    );
  const versions = v["versions"];
  const versionsOk =
    versions === undefined ||
    (typeof versions === "object" &&
      versions !== null &&
      Object.values(versions).every((x) => typeof x === "string"));
  return (
    typeof v["renderer"] === "string" &&
    typeof v["ok"] === "boolean" &&
    typeof v["empty"] === "boolean" &&
    messagesOk &&
    versionsOk
  );
}
