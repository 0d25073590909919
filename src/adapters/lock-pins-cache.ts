/**
 * The pins `slipway scan deps` read from a lockfile, cached by the lockfile's content: parsing a
 * uv.lock of 500 packages with a TOML parser costs ~40 ms in a fresh process, most of a warm
 * scan's budget, while a re-scan of an unchanged lockfile (a pre-commit hook, a CI re-run) only
 * needs the pins back. Keyed by sha256 of the format, the name shown and the text; read back as
 * hostile input (anything off-shape is a miss and the file is parsed again).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { touchCacheEntry } from "./cache-use.ts";
import { readSmallRegularFile, writeFileAtomic } from "./fs.ts";
import { cacheDirOf } from "./readme-cache.ts";

const NAMESPACE = "lock-pins-v1";
const MAX_ENTRY = 64 * 1024 * 1024;

export interface CachedPin {
  name: string;
  version: string;
  marker?: string;
  file: string;
  line?: number;
}

export interface CachedLockRead {
  pins: CachedPin[];
  unpinned: { requirement: string; file: string; line: number }[];
  error?: { file: string; line: number; message: string };
}

type Env = Readonly<Record<string, string | undefined>>;

export function lockCacheKey(format: string, file: string, text: string): string {
  return createHash("sha256").update(`${format}\0${file}\0`).update(text).digest("hex");
}

const isStr = (v: unknown): v is string => typeof v === "string";
const isLine = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function isPin(v: unknown): v is CachedPin {
  const p = v as Record<string, unknown> | null;
  return (
    typeof p === "object" &&
    p !== null &&
    isStr(p["name"]) &&
    isStr(p["version"]) &&
    isStr(p["file"]) &&
    (p["marker"] === undefined || isStr(p["marker"])) &&
    (p["line"] === undefined || isLine(p["line"]))
  );
}

function isRead(v: unknown): v is CachedLockRead {
  const r = v as Record<string, unknown> | null;
  if (typeof r !== "object" || r === null || !Array.isArray(r["pins"]) || !Array.isArray(r["unpinned"]))
    return false;
  const error = r["error"] as Record<string, unknown> | undefined;
  return (
    r["pins"].every(isPin) &&
    r["unpinned"].every((u) => {
      const x = u as Record<string, unknown> | null;
      return (
        typeof x === "object" &&
        x !== null &&
        isStr(x["requirement"]) &&
        isStr(x["file"]) &&
        isLine(x["line"])
      );
    }) &&
    (error === undefined ||
      (typeof error === "object" &&
        error !== null &&
        isStr(error["file"]) &&
        isLine(error["line"]) &&
        isStr(error["message"])))
  );
}

/** The cached read of a lockfile, or undefined (caching off, absent, damaged). */
export async function readCachedPins(env: Env, key: string): Promise<CachedLockRead | undefined> {
  const root = cacheDirOf(env);
  if (root === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(
      (await readSmallRegularFile(join(root, NAMESPACE, `${key}.json`), MAX_ENTRY)) ?? "null",
    );
    const entry = value as Record<string, unknown> | null;
    if (entry?.["key"] !== key || !isRead(entry["read"])) return undefined;
    await touchCacheEntry(join(root, NAMESPACE, `${key}.json`)); // its last use, for `slipway cache prune`
    return entry["read"];
  } catch {
    return undefined;
  }
}

/** Keeps a lockfile's read for the next scan; a failure is not an error. */
export async function writeCachedPins(env: Env, key: string, read: CachedLockRead): Promise<void> {
  const root = cacheDirOf(env);
  if (root === undefined) return;
  await writeFileAtomic(join(root, NAMESPACE, `${key}.json`), JSON.stringify({ key, read }), {
    mkdirs: true,
  }).catch(() => {});
}
