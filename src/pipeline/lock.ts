/**
 * One run per project at a time: `.slipway/release.lock` names its holder (pid, host, start time).
 *
 * The lock file is written complete aside and then hard-linked into place (adapters/fs.ts
 * tryCreateComplete): link() fails with EEXIST when the lock exists, exactly like an exclusive
 * create, but no reader can ever see a half-written lock (which a bare `wx` + write would show for
 * a moment). All file I/O goes through adapters; this module decides who holds the lock.
 *
 * Crash behaviour: the lock is removed on normal exit and on error (`withLock`'s finally). A
 * process killed outright (SIGKILL, power loss) leaves the file behind; the next acquire on the
 * same host takes it over, saying so in an event, when the pid is not alive — or when it is alive
 * but started at another time than the holder (the pid was reused by an unrelated process; the
 * lock records its holder's start, see adapters/process-start.ts). A lock held on another host
 * (shared or network file system) cannot be checked and is never taken over; nor is a live pid
 * whose start cannot be compared (a lock without a start time, from an older slipway): the error
 * names the holder and the hint says to remove the file once it is known to be stale.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  modifiedAtMs,
  readTextIfExists,
  removeDeadAsides,
  removeFile,
  tryCreateComplete,
} from "../adapters/fs.ts";
import { hostName, isProcessGone, readProcessStart } from "../adapters/process-start.ts";
import { ensureStateDir } from "../adapters/state-dir.ts";
import { integer, optional, parseStored, record, string } from "../core/stored-shape.ts";
import { SlipwayError } from "../errors.ts";

export const RELEASE_LOCK = ".slipway/release.lock";

export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601, from the injected clock. */
  startedAt: string;
  /** Tells this holder's file from a later one with the same pid. */
  token: string;
  /** When the holder process started (opaque; absent in locks of older versions and where unknown). */
  processStart?: string;
}

const holderShape = record({
  pid: integer(1, 2 ** 31),
  hostname: string,
  startedAt: string,
  token: string,
  processStart: optional(string),
});

export type LockEvent = { type: "lock-taken-over"; path: string; previous: LockHolder };

export interface LockOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  onEvent?: (event: LockEvent) => void;
  /** When process `pid` started (default: adapters/process-start.ts); undefined when unknown. */
  processStart?: (pid: number) => Promise<string | undefined>;
}

export interface ReleaseLock {
  path: string;
  holder: LockHolder;
  /** Removes the lock if it is still this holder's; safe to call twice. */
  release(): Promise<void>;
}

// A takeover in progress is guarded by its own short-lived lock; one older than this was left by a
// process that died mid-takeover (a window of a few syscalls) and is removed.
const TAKEOVER_STALE_MS = 10_000;

/** Creates `path` holding `text`, atomically and exclusively; false when it already exists. */
async function createComplete(path: string, text: string): Promise<boolean> {
  return await tryCreateComplete(path, text, { durable: true });
}

/** The holder in the lock file; null when the file is gone, "unreadable" when it is not ours. */
async function readHolder(path: string): Promise<LockHolder | null | "unreadable"> {
  const text = await readTextIfExists(path);
  if (text === undefined) return null;
  try {
    // A lock is read back like any state file: exactly the fields slipway writes, or not ours.
    return parseStored(text, holderShape, path, "");
  } catch {
    return "unreadable";
  }
}

/**
 * True when the holder on this host is gone: its pid is not alive, or a live process with that pid
 * started at another time than the one the lock records (the pid was reused). A start that cannot
 * be compared (an old lock, no /proc or ps, two ways of telling) counts as the holder's.
 */
async function isStale(holder: LockHolder, options: LockOptions): Promise<boolean> {
  return await isProcessGone(holder.pid, holder.processStart, options.processStart ?? readProcessStart);
}

function heldError(path: string, holder: LockHolder | "unreadable"): SlipwayError {
  const who =
    holder === "unreadable"
      ? "an unknown holder (the file is not a slipway lock)"
      : `pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}`;
  return new SlipwayError("io", `another release holds ${path}: ${who}`, {
    hint: "wait for it to finish; if that process is gone (another host, or a reused pid), remove the lock file",
  });
}

/** Removes the lock at `path` if it still holds `stale` (same token), under the takeover guard. */
async function takeOver(path: string, stale: LockHolder, options: LockOptions): Promise<void> {
  const guard = `${path}.takeover`;
  for (;;) {
    if (await createComplete(guard, String(process.pid))) break;
    const mtimeMs = await modifiedAtMs(guard).catch(() => undefined);
    if (mtimeMs !== undefined && options.now() - mtimeMs > TAKEOVER_STALE_MS) {
      await removeFile(guard).catch(() => {});
    } else await sleep(20);
  }
  try {
    // Re-read under the guard: another process may have taken over and locked in between.
    const current = await readHolder(path);
    if (current && current !== "unreadable" && current.token === stale.token) {
      await removeFile(path);
      options.onEvent?.({ type: "lock-taken-over", path, previous: stale });
    }
  } finally {
    await removeFile(guard).catch(() => {});
  }
}

/**
 * Takes the project's release lock in `dir` (`dir/.slipway/release.lock`). Throws a SlipwayError
 * ("io") naming the holder when a live process holds it, or when it is held from another host;
 * takes over a lock whose holder is gone on this host — its pid dead, or reused by a process that
 * started at another time (emitting `lock-taken-over`). The caller must
 * `release()` it; `withLock` does so on every exit path.
 */
export async function acquireLock(dir: string, options: LockOptions): Promise<ReleaseLock> {
  const path = join(dir, RELEASE_LOCK);
  await ensureStateDir(dir);
  // A holder killed while writing the lock left its aside (never the lock itself).
  await removeDeadAsides(path);
  const processStart = await (options.processStart ?? readProcessStart)(process.pid);
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostName(),
    startedAt: new Date(options.now()).toISOString(),
    token: randomBytes(8).toString("hex"),
    ...(processStart === undefined ? {} : { processStart }),
  };
  const text = `${JSON.stringify(holder, null, 2)}\n`;
  // Each round either wins, fails on a live holder, or removes a dead one; a few rounds settle any race.
  for (let round = 0; round < 5; round++) {
    if (await createComplete(path, text)) {
      let released = false;
      return {
        path,
        holder,
        async release() {
          if (released) return;
          released = true;
          const current = await readHolder(path);
          if (current && current !== "unreadable" && current.token === holder.token) await removeFile(path);
        },
      };
    }
    const current = await readHolder(path);
    if (current === null) continue;
    if (
      current === "unreadable" ||
      current.hostname !== holder.hostname ||
      !(await isStale(current, options))
    ) {
      throw heldError(path, current);
    }
    await takeOver(path, current, options);
  }
  throw new SlipwayError("io", `could not take ${path}: other processes kept taking it`, {
    hint: "another release is starting at the same time; wait for it and try again",
  });
}

/** Runs `fn` holding the release lock of `dir`; the lock is released however `fn` ends. */
export async function withLock<T>(
  dir: string,
  options: LockOptions,
  fn: (lock: ReleaseLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(dir, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
