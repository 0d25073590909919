/**
 * The run journal (`.slipway/release.json`): what is being released, which steps finished and what
 * each left behind (hashes, paths, ids). It is replaced whole through a temp file and a rename
 * (adapters/fs.ts writeFileAtomic), so a reader (or a resumed run after a kill) sees the previous
 * version or the next, never half.
 */
import { dirname, join } from "node:path";
import { type FileCalls, fileCalls, writeFileAtomic } from "../adapters/fs.ts";
import {
  anything,
  list,
  literal,
  nullable,
  object,
  parseStored,
  record,
  string,
} from "../core/stored-shape.ts";
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

/**
 * The file operations the file store uses (adapters/fs.ts FileCalls; the default is the real file
 * system); tests replace them to watch or break the writes.
 */
export type JournalFs = FileCalls;

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
  const fs = options.fs ?? fileCalls();
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
      try {
        // Durable: a resumed run after a power loss must find the steps this journal says are done.
        await writeFileAtomic(path, `${JSON.stringify(journal, null, 2)}\n`, { durable: true, calls: fs });
      } catch (error) {
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

// What `write` stores; read back (hostile input: a repository can commit a journal), every field
// is checked. The plan and each step's record are checked by their owners (readStoredPlan, the
// step's `checkRecord`), which know their shapes.
const journalShape = record({
  schema: literal(1),
  subject: string,
  plan: anything,
  status: literal("running", "failed", "done"),
  startedAt: string,
  updatedAt: string,
  running: nullable(string),
  steps: list(record({ id: string, finishedAt: string, record: object })),
  failure: nullable(record({ step: string, message: string })),
});

/** A journal's text checked field by field; a SlipwayError ("io") naming `path` and the field otherwise. */
export function parseJournal(text: string, path: string): Journal {
  return parseStored(
    text,
    journalShape,
    path,
    "move it aside and check by hand what the interrupted run did (if you did not start one, delete it)",
  ) as Journal;
}
