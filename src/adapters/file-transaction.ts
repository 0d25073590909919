/**
 * All-or-nothing edits of several files. POSIX renames one file atomically, never several, so:
 *
 * 1. every file is re-read and must hold exactly the planned `before` text (else nothing happens);
 * 2. a journal (the planned texts, the temp names) is created atomically in the project's
 *    `.slipway/` (written aside, then hard-linked into place: it exists complete or not at all,
 *    and a second concurrent edit fails to create it);
 * 3. each new text is written to a temp file beside its target (same mode) and fsynced;
 * 4. the temps are renamed over their targets one by one;
 * 5. the directories are fsynced and the journal removed: that removal is the commit point.
 *
 * A failure in-process at any step restores every renamed file from the in-memory `before`
 * and removes the temps and the journal. A crash (SIGKILL, power loss) can only happen with the
 * journal present; `recoverFileChanges` then rolls back every file that holds its `after` text,
 * so re-running the same command gives the same result (rolling forward would turn one
 * `bump patch` into two when the user runs it again).
 */
import { realpath, rename, stat, unlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  integer,
  list,
  literal,
  nullable,
  optional,
  parseStored,
  record,
  relativePath,
  string,
} from "../core/stored-shape.ts";
import { SlipwayError } from "../errors.ts";
import {
  createExclusive,
  isTempBeside,
  readTextIfExists,
  removeDeadAsides,
  syncDir,
  tempBeside,
  tryCreateComplete,
  writeFileAtomic,
} from "./fs.ts";
import { isProcessGone, readProcessStart } from "./process-start.ts";
import { checkStateDir, ensureStateDir, resolveInside } from "./state-dir.ts";

export interface FileChange {
  /** Relative to the root. */
  path: string;
  /** The text the file must hold now; null when it must not exist. */
  before: string | null;
  /** The text to write; null to delete the file. */
  after: string | null;
}

export interface TransactionHooks {
  /** Replaces fs.rename, for tests that make one rename fail. */
  rename?: (from: string, to: string) => Promise<void>;
  /** Runs after the i-th change is in place, before the next (tests pause or kill here). */
  afterStep?: (index: number, path: string) => Promise<void> | void;
}

export interface TransactionOptions {
  root: string;
  /** The journal, relative to the root, e.g. `.slipway/version-edit.json`. */
  journal: string;
  /** What the edit is, for the journal and messages: `version 1.2.3 → 1.2.4`. */
  label: string;
  /** When the edit started (ISO 8601), recorded in the journal. */
  startedAt: string;
  /** How a user recovers an interrupted edit, for hints: `run 'slipway version recover'`. */
  recoverHint: string;
  hooks?: TransactionHooks;
}

// The journal as written below; read back, every field is checked before anything is touched.
const journalFileShape = record({
  path: relativePath,
  /** The real path edited (symlinks resolved). */
  target: string,
  temp: nullable(string),
  mode: integer(0, 0o7777),
  before: nullable(string),
  after: nullable(string),
});
const journalShape = record({
  schema: literal(1),
  label: string,
  pid: integer(1, 2 ** 31),
  /** When that process started (adapters/process-start.ts): a reused pid is not the writer. */
  processStart: optional(string),
  startedAt: string,
  files: list(journalFileShape),
});
type JournalFile = ReturnType<typeof journalFileShape>;
type Journal = ReturnType<typeof journalShape>;

export interface Recovery {
  label: string;
  startedAt: string;
  /** Files put back to their text from before the interrupted edit. */
  restored: string[];
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

async function readOrNull(path: string): Promise<string | null> {
  return (await readTextIfExists(path)) ?? null;
}

/** Writes `text` to a new file `path` (never an existing one) with exactly `mode`, durably. */
async function writeNew(path: string, text: string, mode: number): Promise<void> {
  // The edited file keeps exactly its old mode, whatever the umask.
  await createExclusive(path, text, { mode, durable: true });
}

/** One file set to `text` (or removed) atomically, through a temp file beside it. */
async function putBack(
  target: string,
  text: string | null,
  mode: number,
  doRename: (from: string, to: string) => Promise<void> = rename,
): Promise<void> {
  if (text === null) {
    await unlink(target).catch((error) => {
      if (code(error) !== "ENOENT") throw error;
    });
    return;
  }
  await writeFileAtomic(target, text, { mode, durable: true, calls: { rename: doRename } });
}

async function removeQuietly(path: string | null): Promise<void> {
  if (path !== null) await unlink(path).catch(() => undefined);
}

async function prepare(root: string, changes: readonly FileChange[]): Promise<JournalFile[]> {
  const seen = new Set<string>();
  const files: JournalFile[] = [];
  for (const change of changes) {
    // The real file edited (a symlink inside the project is followed), never one outside it.
    const full = await resolveInside(root, change.path, "cannot edit", { followFile: true });
    const target = change.before === null ? full : await realpath(full).catch(() => full);
    if (seen.has(target)) throw new SlipwayError("internal", `${change.path} is changed twice in one edit`);
    seen.add(target);
    const now = await readOrNull(target).catch((cause: Error) => {
      throw new SlipwayError("io", `cannot read ${change.path}: ${cause.message}; nothing was written`, {
        hint: "the file must be a readable regular file",
        cause,
      });
    });
    if (now !== change.before) {
      const how =
        now === null
          ? "no longer exists"
          : change.before === null
            ? "exists already"
            : "changed since it was read";
      throw new SlipwayError("io", `${change.path} ${how}; nothing was written`, {
        hint: "run the command again: it re-reads every file",
      });
    }
    const mode = now === null ? 0o644 : (await stat(target)).mode & 0o7777;
    files.push({ path: change.path, target, temp: null, mode, before: change.before, after: change.after });
  }
  return files;
}

async function createJournal(root: string, path: string, journal: Journal): Promise<void> {
  // A real `.slipway/` with a `*` .gitignore keeps `git status` clean while a journal exists.
  await ensureStateDir(root);
  const text = `${JSON.stringify(journal, null, 1)}\n`;
  if (!(await tryCreateComplete(path, text, { mode: 0o644, durable: true, mkdirs: true }))) {
    throw new SlipwayError("io", `another edit is in progress or was interrupted: ${path} exists`, {
      hint: "run the command again: an interrupted edit is rolled back first; if one is running, wait for it",
    });
  }
  await syncDir(dirname(path));
}

/**
 * Applies `changes` all-or-nothing (see the top of this file). Throws an io error naming the
 * file when one changed since it was planned, or when writing fails, after restoring every file;
 * when even the restore fails the journal stays and the message says to run recovery.
 */
export async function applyFileChanges(
  changes: readonly FileChange[],
  options: TransactionOptions,
): Promise<void> {
  const root = resolve(options.root);
  const journalPath = resolve(root, options.journal);
  const doRename: (from: string, to: string) => Promise<void> = options.hooks?.rename ?? rename;
  if ((await readOrNull(journalPath)) !== null) {
    throw new SlipwayError("io", `an interrupted edit left ${options.journal}; nothing was written`, {
      hint: options.recoverHint,
    });
  }
  const files = await prepare(root, changes);
  for (const file of files) file.temp = file.after === null ? null : tempBeside(file.target);
  const processStart = await readProcessStart(process.pid);
  await createJournal(root, journalPath, {
    schema: 1,
    label: options.label,
    pid: process.pid,
    ...(processStart === undefined ? {} : { processStart }),
    startedAt: options.startedAt,
    files,
  });

  const done: JournalFile[] = [];
  try {
    for (const file of files) {
      if (file.after !== null) await writeNew(file.temp!, file.after, file.mode);
    }
    for (const [i, file] of files.entries()) {
      if (file.after === null) await unlink(file.target);
      else await doRename(file.temp!, file.target);
      done.push(file);
      await options.hooks?.afterStep?.(i, file.path);
    }
    for (const dir of new Set(files.map((f) => dirname(f.target)))) await syncDir(dir);
  } catch (error) {
    const failed: string[] = [];
    for (const file of done.reverse()) {
      await putBack(file.target, file.before, file.mode, doRename).catch(() => failed.push(file.path));
    }
    for (const file of files) await removeQuietly(file.temp);
    const why = error instanceof Error ? error.message : String(error);
    if (failed.length > 0) {
      throw new SlipwayError("io", `writing failed (${why}) and ${failed.join(", ")} could not be restored`, {
        hint: `the journal ${options.journal} still holds every original text: ${options.recoverHint}`,
        cause: error,
      });
    }
    await unlink(journalPath).catch(() => undefined);
    const outcome = done.length === 0 ? "no file was changed" : "every file was restored";
    throw new SlipwayError("io", `writing failed (${why}); ${outcome}`, {
      hint: "check permissions and free space of the files named above, then run again",
      cause: error,
    });
  }
  await unlink(journalPath);
  await syncDir(dirname(journalPath));
}

/**
 * The journal checked as hostile input before anything is touched: not tracked by git, every
 * field of the shape it was written in, every target a file inside the project (symlinks
 * resolved), every temp a name `tempBeside` (adapters/fs.ts) makes beside its target.
 */
async function readJournal(root: string, text: string, name: string): Promise<Journal> {
  await checkStateDir(root);
  const hint = `check the files it names by hand, then delete ${name}`;
  const journal = parseStored(text, journalShape, name, hint);
  for (const [i, file] of journal.files.entries()) {
    await resolveInside(root, file.target, `${name} files[${i}].target`, { followFile: true });
    if (file.temp !== null && !isTempBeside(file.temp, file.target)) {
      throw new SlipwayError(
        "io",
        `${name} is not a file slipway wrote: files[${i}].temp: expected a temp file beside ${JSON.stringify(file.target)}, found ${JSON.stringify(file.temp)}`,
        { hint },
      );
    }
  }
  return journal;
}

/** Whether the journal's writer may still be writing: never this process (it is recovering). */
async function writerRuns(journal: Journal): Promise<boolean> {
  if (journal.pid === process.pid) return false;
  return !(await isProcessGone(journal.pid, journal.processStart));
}

/**
 * Rolls back an edit that was interrupted by a crash: every file holding its planned `after`
 * text gets its `before` text back, temp files are removed, then the journal. Idempotent, and
 * itself crash-safe (each restore is a rename; the journal goes last). Resolves to undefined
 * when there is no journal. Refuses, leaving everything, when the journal's process still runs
 * or a file holds neither text (someone edited it since).
 */
export async function recoverFileChanges(options: {
  root: string;
  journal: string;
}): Promise<Recovery | undefined> {
  const root = resolve(options.root);
  const journalPath = resolve(root, options.journal);
  // A writer killed while creating the journal left its aside (never the journal's content).
  await removeDeadAsides(journalPath);
  const text = await readOrNull(journalPath);
  if (text === null) return undefined;
  const journal = await readJournal(root, text, options.journal);
  if (await writerRuns(journal)) {
    throw new SlipwayError("io", `an edit (${journal.label}) is in progress in process ${journal.pid}`, {
      hint: `wait for it to finish; if that process is not slipway, delete ${options.journal} after checking the files`,
    });
  }
  const conflicts: string[] = [];
  const restore: JournalFile[] = [];
  for (const file of journal.files) {
    const now = await readOrNull(file.target);
    if (now === file.before) continue;
    if (now === file.after) restore.push(file);
    else conflicts.push(file.path);
  }
  if (conflicts.length > 0) {
    throw new SlipwayError(
      "io",
      `cannot roll back "${journal.label}": ${conflicts.join(", ")} changed since it was interrupted`,
      {
        hint: `compare them with the texts in ${options.journal}, fix them by hand, then delete it`,
      },
    );
  }
  for (const file of restore) await putBack(file.target, file.before, file.mode);
  for (const file of journal.files) await removeQuietly(file.temp);
  for (const dir of new Set(journal.files.map((f) => dirname(f.target)))) await syncDir(dir);
  await unlink(journalPath);
  return { label: journal.label, startedAt: journal.startedAt, restored: restore.map((f) => f.path) };
}
