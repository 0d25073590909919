/**
 * Uploads in flight live in a temp directory per index process, `<root>/.tmp/<owner>/`, marked
 * with its owner (host, pid, process start) and kept fresh by a heartbeat. Several processes may
 * share a root (the store publishes by hard link), so at start-up an index removes only the
 * directories whose owner is gone: a dead pid on this host, a pid now held by another process
 * (its start time differs), or a heartbeat older than ABANDONED_MS (another host, or a hung one).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { isProcessGone, readProcessStart } from "../adapters/process-start.ts";

export const OWNER_FILE = ".owner";
const HEARTBEAT_MS = 60_000;
/** A marker untouched this long: its process stopped beating (10 heartbeats missed). */
export const ABANDONED_MS = 10 * HEARTBEAT_MS;
/** Loose files in `.tmp` come from versions without owner directories; their writer touched them continuously. */
const LOOSE_FILE_MS = 60 * 60_000;

export interface TempOwner {
  host: string;
  pid: number;
  /** When the process started (adapters/process-start.ts), when known: a reused pid is not the owner. */
  processStart?: string;
}

function parseOwner(text: string): TempOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<TempOwner>;
    if (typeof owner.host !== "string" || !Number.isSafeInteger(owner.pid)) return undefined;
    return {
      host: owner.host,
      pid: owner.pid as number,
      ...(typeof owner.processStart === "string" ? { processStart: owner.processStart } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Whether the owner of a temp directory is certainly gone (`beatAgeMs`: the marker's age). */
async function isAbandoned(owner: TempOwner | undefined, beatAgeMs: number): Promise<boolean> {
  if (beatAgeMs > ABANDONED_MS) return true;
  // No marker yet: a process between creating its directory and marking it. Fresh: leave it.
  if (owner === undefined || owner.host !== hostname()) return false;
  // This process has no directory yet: one marked with its pid is a previous holder's (a restarted container).
  if (owner.pid === process.pid) return true;
  return await isProcessGone(owner.pid, owner.processStart);
}

/** Removes what crashed or killed uploads left in `tempRoot`; returns how many entries went. */
export async function sweepTemp(tempRoot: string, now: number = Date.now()): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(tempRoot, { withFileTypes: true })) {
    const path = join(tempRoot, entry.name);
    if (entry.isFile()) {
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && now - info.mtimeMs > LOOSE_FILE_MS) {
        await unlink(path).catch(() => undefined);
        removed++;
      }
      continue;
    }
    if (!entry.isDirectory()) continue;
    const marker = join(path, OWNER_FILE);
    const [text, info] = await Promise.all([
      readFile(marker, "utf8").catch(() => undefined),
      stat(marker).catch(() => stat(path).catch(() => undefined)),
    ]);
    if (info === undefined) continue;
    const owner = text === undefined ? undefined : parseOwner(text);
    if (await isAbandoned(owner, now - info.mtimeMs)) {
      await rm(path, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

/** This process's temp directory: created and marked now, kept fresh until `release()`. */
export interface OwnTempDir {
  path: string;
  /** Stops the heartbeat and removes the directory with whatever is left in it. */
  release(): Promise<void>;
}

export async function makeOwnTempDir(tempRoot: string): Promise<OwnTempDir> {
  await mkdir(tempRoot, { recursive: true });
  const path = await mkdtemp(join(tempRoot, `${process.pid}-`));
  const marker = join(path, OWNER_FILE);
  const processStart = await readProcessStart(process.pid);
  const owner: TempOwner = {
    host: hostname(),
    pid: process.pid,
    ...(processStart === undefined ? {} : { processStart }),
  };
  await writeFile(marker, `${JSON.stringify(owner)}\n`);
  const beat = setInterval(() => {
    const now = new Date();
    utimes(marker, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  beat.unref();
  return {
    path,
    release: async () => {
      clearInterval(beat);
      await rm(path, { recursive: true, force: true });
    },
  };
}
