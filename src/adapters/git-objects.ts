/**
 * Git's object store read in bulk, for the history scan: every blob reachable from some refs
 * (or introduced by a range of commits), each once, with a path it had and a commit that holds
 * it, and its bytes. Three long-lived processes stream into each other — `git rev-list
 * --objects` into `git cat-file --batch-check` (types and sizes, no content) and the small
 * blobs' ids into one `git cat-file --batch` — never one process per blob. These are streaming
 * pipelines, not run-to-completion commands, so they spawn here rather than through exec.ts.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { SlipwayError } from "../errors.ts";
import { exec } from "./exec.ts";
import type { GitContext } from "./git.ts";

/** A blob of the history, as first met in an oldest-first walk. */
export interface HistoryBlob {
  id: string;
  /** The path the blob had in `commit` (git cuts a path at a newline). */
  path: string;
  /** A commit whose tree holds the blob; undefined for a staged blob. */
  commit?: string;
  size: number;
}

export interface BlobWalk {
  /** Arguments for `git rev-list` after `--objects` (`--all`, refs, `A..B`). */
  revs: readonly string[];
  /** Blobs larger than this are counted and never read. */
  maxBytes: number;
  /** A blob's bytes; `content` is valid only during the call. */
  onBlob: (blob: HistoryBlob, content: Buffer) => void;
  /** A blob over `maxBytes` (or one the repository lacks), not read. */
  onSkipped?: (blob: HistoryBlob, reason: "too-large" | "missing") => void;
}

export interface BlobWalkCounts {
  commits: number;
  /** Blobs read and handed to `onBlob`. */
  blobs: number;
  bytes: number;
  /** Blobs over the size bound, counted and never read. */
  tooLarge: number;
  /** Blobs the object store does not have (a partial clone). */
  missing: number;
}

/** How the repository at `ctx.dir` stands: in a work tree or not, shallow or not. */
export async function readRepositoryShape(
  ctx: GitContext,
): Promise<{ inside: false } | { inside: true; shallow: boolean; hasHead: boolean }> {
  const probe = await exec(["git", "rev-parse", "--is-inside-work-tree", "--is-shallow-repository"], {
    cwd: ctx.dir,
    ...(ctx.env === undefined ? {} : { env: ctx.env }),
    check: false,
    timeoutMs: 30_000,
  }).catch(() => undefined);
  const [inside, shallow] = probe?.code === 0 ? probe.stdout.split("\n") : [];
  if (inside !== "true") return { inside: false };
  const head = await exec(["git", "rev-parse", "--verify", "--quiet", "HEAD^{commit}"], {
    cwd: ctx.dir,
    ...(ctx.env === undefined ? {} : { env: ctx.env }),
    check: false,
    timeoutMs: 30_000,
  });
  return { inside: true, shallow: shallow === "true", hasHead: head.code === 0 };
}

/**
 * The staged blobs that differ from HEAD (added, copied, modified; renames as additions): what
 * a commit would add, for a pre-commit hook. Submodule entries are not blobs and are left out.
 */
export async function listStagedBlobs(ctx: GitContext, hasHead: boolean): Promise<HistoryBlob[]> {
  // Before the first commit, everything staged is new: compare with the empty tree.
  const base = hasHead ? "HEAD" : "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  const r = await exec(
    ["git", "diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--diff-filter=ACM", base],
    { cwd: ctx.dir, ...(ctx.env === undefined ? {} : { env: ctx.env }), timeoutMs: 120_000 },
  );
  const fields = r.stdout.split("\0");
  const blobs: HistoryBlob[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // ":100644 100644 <old> <new> M", then the path.
    const [, newMode = "", , id = ""] = fields[i]!.slice(1).split(" ");
    if (newMode === "160000" || !/^[0-9a-f]{40,64}$/.test(id)) continue;
    blobs.push({ id, path: fields[i + 1]!, size: -1 });
  }
  return blobs;
}

function spawnGit(ctx: GitContext, args: string[]): ChildProcessWithoutNullStreams {
  const { spawn } = process.getBuiltinModule("node:child_process");
  return spawn("git", args, {
    cwd: ctx.dir,
    // No lazy fetch of a partial clone's objects (git 2.44+; older git ignores it).
    env: { ...(ctx.env ?? process.env), GIT_NO_LAZY_FETCH: "1" } as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** A process's exit, with the tail of its stderr on failure. */
function exited(child: ChildProcessWithoutNullStreams, what: string): Promise<void> {
  const err: Buffer[] = [];
  let held = 0;
  child.stderr.on("data", (chunk: Buffer) => {
    // Only the tail matters; a chatty process must not fill memory.
    err.push(chunk);
    held += chunk.length;
    while (held > 64 * 1024 && err.length > 1) held -= err.shift()!.length;
  });
  return new Promise((resolve, reject) => {
    child.on("error", (cause) =>
      reject(new SlipwayError("exec", `could not run ${what}: ${cause.message}`, { cause })),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      const tail = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-10).join("\n");
      reject(
        new SlipwayError("exec", `${what} exited with ${code ?? signal}${tail === "" ? "" : `\n${tail}`}`, {
          hint: "Read git's error output above.",
        }),
      );
    });
  });
}

/** Cuts a byte stream into lines (UTF-8, without the newline); a line may span chunks. */
function lines(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending: Buffer[] = [];
  return (chunk) => {
    let start = 0;
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, at);
      onLine(
        pending.length === 0 ? piece.toString("utf8") : Buffer.concat([...pending, piece]).toString("utf8"),
      );
      pending = [];
      start = at + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  };
}

/**
 * Reads `git cat-file --batch` output: a header `<id> blob <size>`, the bytes, a newline; or
 * `<id> missing`. Hands each blob to `onBlob` with its bytes — a view of the chunk when the
 * blob lies in one, else one copy.
 */
function batchReader(onObject: (content: Buffer | undefined) => void): (chunk: Buffer) => void {
  let header: Buffer[] = [];
  let need = -1; // bytes of content (plus its newline) still to come; -1 while reading a header
  let parts: Buffer[] = [];
  let size = 0;
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (need < 0) {
        const nl = chunk.indexOf(10, at);
        if (nl < 0) {
          header.push(chunk.subarray(at));
          return;
        }
        header.push(chunk.subarray(at, nl));
        const line = Buffer.concat(header).toString("latin1");
        header = [];
        at = nl + 1;
        const fields = line.split(" ");
        if (fields[1] === "missing" || fields.length < 3) {
          onObject(undefined);
          continue;
        }
        size = Number(fields[2]);
        need = size + 1;
        parts = [];
        continue;
      }
      const take = Math.min(need, chunk.length - at);
      const piece = chunk.subarray(at, at + take);
      at += take;
      need -= take;
      if (need > 0) {
        parts.push(piece);
        continue;
      }
      need = -1;
      const content =
        parts.length === 0 ? piece.subarray(0, size) : Buffer.concat([...parts, piece]).subarray(0, size);
      parts = [];
      onObject(content);
    }
  };
}

/**
 * Walks the objects `git rev-list --objects <revs>` lists, oldest commit first, each object
 * once however many commits hold it; reads every blob up to `maxBytes` through one
 * `cat-file --batch`. Resolves with the counts when every blob has been handed over.
 */
export async function walkBlobs(ctx: GitContext, walk: BlobWalk): Promise<BlobWalkCounts> {
  const counts: BlobWalkCounts = { commits: 0, blobs: 0, bytes: 0, tooLarge: 0, missing: 0 };
  // --in-commit-order: a commit's new objects follow it, so each blob is named with a commit
  // that holds it; --reverse walks oldest first, so that commit is the one that brought it
  // (in a linear history; across merges, the first one listed that holds it).
  // `--filter=object:type=blob` would spare the trees' lookups, but drops the commit lines
  // too (git 2.39).
  // --missing=print: a partial clone's absent blobs are listed (`?<id>`, which cat-file calls
  // missing) instead of fetched one by one from the remote behind the user's back.
  const revList = spawnGit(ctx, [
    "rev-list",
    "--objects",
    "--in-commit-order",
    "--reverse",
    "--missing=print",
    ...walk.revs,
  ]);
  const check = spawnGit(ctx, [
    "cat-file",
    "--batch-check=%(objectname) %(objecttype) %(objectsize) %(rest)",
  ]);
  const batch = spawnGit(ctx, ["cat-file", "--batch", "--buffer"]);
  const processes = [revList, check, batch];
  const done = Promise.all([
    exited(revList, "git rev-list --objects"),
    exited(check, "git cat-file --batch-check"),
    exited(batch, "git cat-file --batch"),
  ]);
  // One failure stops the pipeline: the others are killed, and the first error is reported.
  done.catch(() => {
    for (const p of processes) p.kill("SIGKILL");
  });
  for (const p of processes) p.stdin.on("error", () => {});
  revList.stdin.end();
  revList.stdout.pipe(check.stdin);

  // The blobs asked of cat-file --batch, in order: its answers come in the same order.
  const queue: (HistoryBlob | undefined)[] = [];
  let head = 0;
  let commit: string | undefined;
  let waiting = false;
  let handlerError: unknown;
  const fail = (error: unknown) => {
    handlerError ??= error;
    for (const p of processes) p.kill("SIGKILL");
  };
  check.stdout.on(
    "data",
    lines((line) => {
      const first = line.indexOf(" ");
      const second = line.indexOf(" ", first + 1);
      if (first < 0) return;
      const id = line.slice(0, first);
      const type = second < 0 ? line.slice(first + 1) : line.slice(first + 1, second);
      if (type === "commit") {
        commit = id;
        counts.commits++;
        return;
      }
      if (type === "missing") {
        counts.missing++;
        try {
          walk.onSkipped?.({ id, path: "", size: -1 }, "missing");
        } catch (error) {
          fail(error);
        }
        return;
      }
      if (type !== "blob" || second < 0) return;
      const third = line.indexOf(" ", second + 1);
      const size = Number(line.slice(second + 1, third < 0 ? undefined : third));
      const blob: HistoryBlob = { id, path: third < 0 ? "" : line.slice(third + 1), size };
      if (commit !== undefined) blob.commit = commit;
      if (size > walk.maxBytes) {
        counts.tooLarge++;
        try {
          walk.onSkipped?.(blob, "too-large");
        } catch (error) {
          fail(error);
        }
        return;
      }
      queue.push(blob);
      // Backpressure: while cat-file --batch is behind, stop reading the listing.
      if (!batch.stdin.write(`${id}\n`) && !waiting) {
        waiting = true;
        check.stdout.pause();
        batch.stdin.once("drain", () => {
          waiting = false;
          check.stdout.resume();
        });
      }
    }),
  );
  check.stdout.on("end", () => batch.stdin.end());
  batch.stdout.on(
    "data",
    batchReader((content) => {
      const blob = queue[head];
      queue[head++] = undefined;
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      if (blob === undefined || handlerError !== undefined) return;
      if (content === undefined) {
        counts.missing++;
        walk.onSkipped?.(blob, "missing");
        return;
      }
      counts.blobs++;
      counts.bytes += content.length;
      try {
        walk.onBlob(blob, content);
      } catch (error) {
        fail(error);
      }
    }),
  );
  try {
    await done;
  } catch (error) {
    throw handlerError ?? error;
  }
  if (handlerError !== undefined) throw handlerError;
  return counts;
}

/**
 * The bytes of the given blobs (ids), through one `cat-file --batch`, handed over in order;
 * blobs over `maxBytes` are reported skipped unread (their sizes come from `--batch-check`).
 */
export async function readBlobs(
  ctx: GitContext,
  blobs: readonly HistoryBlob[],
  options: Pick<BlobWalk, "maxBytes" | "onBlob" | "onSkipped">,
): Promise<BlobWalkCounts> {
  const counts: BlobWalkCounts = { commits: 0, blobs: 0, bytes: 0, tooLarge: 0, missing: 0 };
  if (blobs.length === 0) return counts;
  const sized = await exec(["git", "cat-file", "--batch-check=%(objectname) %(objectsize)"], {
    cwd: ctx.dir,
    ...(ctx.env === undefined ? {} : { env: ctx.env }),
    input: blobs.map((b) => `${b.id}\n`).join(""),
    timeoutMs: 120_000,
  });
  const sizes = sized.stdout.split("\n");
  const wanted: HistoryBlob[] = [];
  blobs.forEach((blob, i) => {
    const size = Number(sizes[i]?.split(" ")[1]);
    const known = { ...blob, size: Number.isFinite(size) ? size : -1 };
    if (!Number.isFinite(size)) {
      counts.missing++;
      options.onSkipped?.(known, "missing");
    } else if (size > options.maxBytes) {
      counts.tooLarge++;
      options.onSkipped?.(known, "too-large");
    } else wanted.push(known);
  });
  if (wanted.length === 0) return counts;
  const batch = spawnGit(ctx, ["cat-file", "--batch", "--buffer"]);
  const done = exited(batch, "git cat-file --batch");
  batch.stdin.on("error", () => {});
  let next = 0;
  let handlerError: unknown;
  batch.stdout.on(
    "data",
    batchReader((content) => {
      const blob = wanted[next++];
      if (blob === undefined || content === undefined || handlerError !== undefined) return;
      counts.blobs++;
      counts.bytes += content.length;
      try {
        options.onBlob(blob, content);
      } catch (error) {
        handlerError = error;
        batch.kill("SIGKILL");
      }
    }),
  );
  batch.stdin.end(wanted.map((b) => `${b.id}\n`).join(""));
  try {
    await done;
  } catch (error) {
    throw handlerError ?? error;
  }
  if (handlerError !== undefined) throw handlerError;
  return counts;
}
