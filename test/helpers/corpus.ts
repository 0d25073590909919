/**
 * The distribution corpus prepared by scripts/corpus.mjs: the example projects' builds, pinned
 * real dists from PyPI, deliberately broken dists with the check IDs they must trigger, and valid
 * edge cases (accepted by PyPI, refused by naive validators) derived from the examples.
 * Tests call `loadCorpus()`; it runs the script offline (a cached no-op after the first run) and
 * never downloads: the test command's preparation step (`npm run peers`) does that.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type CorpusCategory = "example" | "real" | "broken" | "valid";

export interface CorpusEntry {
  category: CorpusCategory;
  /** Example project directory, real dist filename, or broken/valid case id. */
  name: string;
  /** Absolute path of the distribution file. */
  file: string;
  /** Broken dists: check IDs that must be reported as errors. */
  expect: string[];
  /** Broken dists: check IDs that must be reported at any severity. */
  warn: string[];
  /** Broken and valid cases: what was changed, in words. */
  about: string;
}

interface ManifestRow {
  category: CorpusCategory;
  name: string;
  file: string;
  expect?: string[];
  warn?: string[];
  about?: string;
}

let cached: CorpusEntry[] | undefined;

/** Every corpus file with its category and expectations; prepares the corpus once per process. */
export function loadCorpus(): CorpusEntry[] {
  cached ??= readManifest(prepareCorpus());
  return cached;
}

/** Runs scripts/corpus.mjs offline and returns the manifest path it prints. */
export function prepareCorpus(): string {
  const script = fileURLToPath(new URL("../../scripts/corpus.mjs", import.meta.url));
  return execFileSync(process.execPath, [script, "--offline"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

function readManifest(manifestPath: string): CorpusEntry[] {
  const rows = JSON.parse(readFileSync(manifestPath, "utf8")) as ManifestRow[];
  const base = dirname(manifestPath);
  return rows.map((row) => {
    const file = resolve(base, row.file);
    if (!existsSync(file)) throw new Error(`corpus manifest ${manifestPath} lists a missing file: ${file}`);
    return {
      category: row.category,
      name: row.name,
      file,
      expect: row.expect ?? [],
      warn: row.warn ?? [],
      about: row.about ?? "",
    };
  });
}
