/**
 * A persistent cache of README analyses: what slipway's rst model finds in a long description
 * (its problems, code languages, links) and what the Markdown scan finds (links, raw HTML).
 * Both are pure functions of the text and of slipway's own code, so an entry is keyed by the
 * text, its kind and the build of slipway that made it (any change to slipway is a new build,
 * and so a miss). The sdist and wheel of a release, and every `check`, `build`, `publish` and
 * `release` of an unchanged README, then parse it once. Without a build id (slipway run from
 * its sources) nothing is cached. Any cache trouble is a miss, never a failed check.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { AnalysisResult, DescriptionAnalysis } from "../core/checks/description.ts";
import { pruneWhenDue, touchCacheEntry } from "./cache-use.ts";
import { readSmallRegularFile, writeFileAtomic } from "./fs.ts";
import { cacheDirOf, entryPath } from "./readme-cache.ts";

/** An entry larger than this was not written by slipway (a result is far smaller than its text). */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

declare const SLIPWAY_BUILD_ID: string;
/** A hash of the sources a bundle was built from (scripts/build.mjs); undefined from source. */
export const BUILD_ID: string | undefined =
  typeof SLIPWAY_BUILD_ID === "string" ? SLIPWAY_BUILD_ID : undefined;

/** Bump when the entry format changes: old entries are then ignored. */
const NAMESPACE = "readme-analysis-v1";

export interface AnalysisCache {
  /** The stored result, or undefined for a miss (absent, unreadable or malformed entry). */
  get(analysis: DescriptionAnalysis): Promise<AnalysisResult | undefined>;
  /** Stores a result atomically; a failure is swallowed. */
  put(analysis: DescriptionAnalysis, result: AnalysisResult): Promise<void>;
}

/** The analysis cache under `env`'s cache directory; undefined when caching is off or there is no build id. */
export function openAnalysisCache(
  env: Readonly<Record<string, string | undefined>>,
  build: string | undefined = BUILD_ID,
): AnalysisCache | undefined {
  const root = cacheDirOf(env);
  if (root === undefined || build === undefined) return undefined;
  const dir = join(root, NAMESPACE);
  const keyOf = (a: DescriptionAnalysis) =>
    createHash("sha256").update(`${build}\0${a.kind}\0${a.text}`).digest("hex");
  return {
    async get(analysis) {
      const key = keyOf(analysis);
      try {
        const text = await readSmallRegularFile(entryPath(dir, key), MAX_ENTRY_BYTES);
        if (text === undefined) return undefined;
        const entry = JSON.parse(text) as Record<string, unknown>;
        const result = entry["result"];
        const valid: (value: unknown) => value is AnalysisResult =
          analysis.kind === "rst" ? isRstAnalysis : isMarkdownScan;
        if (entry["key"] !== key || !valid(result)) return undefined;
        await touchCacheEntry(entryPath(dir, key)); // its last use, for `slipway cache prune`
        return result;
      } catch {
        return undefined;
      }
    },
    async put(analysis, result) {
      const key = keyOf(analysis);
      // A cache is only an optimisation: a failed write is a later miss, never a failed check.
      await writeFileAtomic(entryPath(dir, key), JSON.stringify({ key, result }), { mkdirs: true }).catch(
        () => {},
      );
      await pruneWhenDue(env);
    },
  };
}

type Shape = Record<string, "string" | "number" | "boolean" | readonly string[]>;

/** Every element an object with these fields, of these types (or one of these strings). */
function listOf(value: unknown, shape: Shape): boolean {
  return (
    Array.isArray(value) &&
    value.every((item: unknown) => {
      if (typeof item !== "object" || item === null) return false;
      const record = item as Record<string, unknown>;
      return Object.entries(shape).every(([field, type]) =>
        typeof type === "string" ? typeof record[field] === type : type.includes(record[field] as string),
      );
    })
  );
}

/** Checks every field `checkDescription` reads, so a hand-edited or foreign entry is a miss. */
function isRstAnalysis(value: unknown): value is AnalysisResult {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    listOf(v["issues"], { line: "number", level: ["warning", "error", "severe"], message: "string" }) &&
    listOf(v["notes"], { line: "number", message: "string" }) &&
    typeof v["empty"] === "boolean" &&
    listOf(v["links"], { uri: "string", line: "number", kind: ["link", "image"] }) &&
    Array.isArray(v["unverified"]) &&
    v["unverified"].every((u: unknown) => typeof u === "string")
  );
}

function isMarkdownScan(value: unknown): value is AnalysisResult {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    listOf(v["urls"], { url: "string", line: "number", kind: ["link", "image"] }) &&
    listOf(v["html"], { line: "number", message: "string" })
  );
}
