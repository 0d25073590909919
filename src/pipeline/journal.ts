/**
 * The run journal (`.slipway/release.json`): what is being released, which steps finished and what
 * each left behind (hashes, paths, ids). It is replaced whole through a temp file and a rename, so
 * a reader (or a resumed run after a kill) sees the previous version or the next, never half.
 */
import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import { dirname, join } from "node:path";
import { SlipwayError } from "../errors.ts";
import type { JsonValue, StepRecord } from "./steps.ts";

export interface JournalStep {
  id: string;
  /** ISO 8601, from the injected clock. */
  finishedAt: string;
  record: StepRecord;
}

export interface Journal {
  schema: 1;
  /** What the run is about, e.g. `demo-pkg 1.2.4 → pypi`; a resume must name the same. */
  subject: string;
  /** The caller's plan (e.g. the ReleasePlan), kept for humans and for resume. */
  plan: JsonValue;
  status: "running" | "failed" | "done";
  startedAt: string;
  updatedAt: string;
  /** The step in progress when the journal was written; after a kill, the one that may be partial. */
  running: string | null;
  /** Finished steps, in the order they finished. */
  steps: JournalStep[];
  failure: { step: string; message: string } | null;
}

/** Where a journal lives; the runner only needs these three operations. */
export interface JournalStore {
  /** For messages and hints. */
  readonly path: string;
  read(): Promise<Journal | null>;
  /** Replaces the journal atomically. */
  write(journal: Journal): Promise<void>;
  remove(): Promise<void>;
}

/** The file operations the file store uses; tests replace them to watch or break the writes. */
export interface JournalFs {
  readFile(path: string): Promise<string>;
  /** Writes a new file completely and durably (the default fsyncs before closing). */
  writeFile(path: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
}

const nodeFs: JournalFs = {
  readFile: (path) => fsp.readFile(path, "utf8"),
  writeFile: async (path, text) => {
    const handle = await fsp.open(path, "wx");
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  rm: (path) => fsp.rm(path, { force: true }),
  mkdir: async (path) => {
    await fsp.mkdir(path, { recursive: true });
  },
};

/** The journal path inside a project root. */
export const RELEASE_JOURNAL = ".slipway/release.json";

/**
 * A journal stored at `root/relativePath` (default `.slipway/release.json`). `write` goes through
 * a temp file beside the journal and a rename; a failed write leaves the previous journal intact
 * and removes the temp. `read` resolves to null when there is no journal and throws a SlipwayError
 * ("io") when the file is not a slipway journal.
 */
export function fileJournal(
  root: string,
  options: { relativePath?: string; fs?: JournalFs } = {},
): JournalStore {
  const fs = options.fs ?? nodeFs;
  const path = join(root, options.relativePath ?? RELEASE_JOURNAL);
  return {
    path,
    async read() {
      let text: string;
      try {
        text = await fs.readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw new SlipwayError("io", `cannot read the journal ${path}`, { cause: error });
      }
      return parseJournal(text, path);
    },
    async write(journal) {
      await fs.mkdir(dirname(path));
      const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await fs.writeFile(temp, `${JSON.stringify(journal, null, 2)}\n`);
        await fs.rename(temp, path);
      } catch (error) {
        await fs.rm(temp).catch(() => {});
        throw new SlipwayError("io", `cannot write the journal ${path}`, {
          cause: error,
          hint: "check that the directory is writable and the disk is not full",
        });
      }
    },
    async remove() {
      await fs.rm(path);
    },
  };
}

function parseJournal(text: string, path: string): Journal {
  const bad = (why: string) =>
    new SlipwayError("io", `the journal ${path} is not a slipway journal (${why})`, {
      hint: "move it aside and check by hand what the interrupted run did",
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad("not JSON");
  }
  const journal = value as Partial<Journal> | null;
  if (journal === null || typeof journal !== "object" || journal.schema !== 1) throw bad("unknown schema");
  if (typeof journal.subject !== "string" || !Array.isArray(journal.steps)) throw bad("fields missing");
  return journal as Journal;
}
