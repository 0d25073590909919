/**
 * The release lock against real processes and a real file system: one winner among parallel
 * acquires, stale locks of dead processes taken over, release on error, and a SIGKILLed holder.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  readLinuxProcessStart,
  readProcessStart,
  readPsProcessStart,
} from "../../src/adapters/process-start.ts";
import { SlipwayError } from "../../src/errors.ts";
import {
  acquireLock,
  type LockEvent,
  type LockHolder,
  RELEASE_LOCK,
  withLock,
} from "../../src/pipeline/lock.ts";
import { scratch } from "../helpers/git-repo.ts";

const child = fileURLToPath(new URL("../helpers/lock-holder-child.ts", import.meta.url));
const work = scratch("slipway-lock-");
after(work.remove);
let count = 0;
const project = () => {
  const dir = join(work.dir, `p${++count}`);
  mkdirSync(dir);
  return dir;
};
const now = () => Date.UTC(2026, 0, 1);

/** Starts a lock-holder child and resolves with its first line of output. */
async function holder(dir: string): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(process.execPath, [child, dir], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  proc.stdout!.setEncoding("utf8");
  proc.stdout!.on("data", (chunk: string) => {
    out += chunk;
  });
  while (!out.includes("\n")) {
    const [closed] = await Promise.race([once(proc.stdout!, "data"), once(proc, "exit").then(() => [true])]);
    if (closed === true && !out.includes("\n")) throw new Error("lock child exited without a word");
  }
  return { proc, line: out.trim() };
}

async function deadPid(): Promise<number> {
  const proc = spawn("true");
  await once(proc, "exit");
  return proc.pid!;
}

function writeLock(dir: string, holder: LockHolder): void {
  mkdirSync(join(dir, ".slipway"), { recursive: true });
  writeFileSync(join(dir, RELEASE_LOCK), JSON.stringify(holder));
}

test("two acquires in parallel in one process: exactly one wins, the other names the holder", async () => {
  const dir = project();
  const results = await Promise.allSettled([acquireLock(dir, { now }), acquireLock(dir, { now })]);
  const won = results.filter((r) => r.status === "fulfilled");
  const lost = results.filter((r) => r.status === "rejected");
  assert.equal(won.length, 1);
  assert.equal(lost.length, 1);
  const error = lost[0]!.reason as SlipwayError;
  assert.ok(error instanceof SlipwayError);
  assert.equal(error.code, "io");
  assert.match(
    error.message,
    new RegExp(`holds .*release\\.lock: pid ${process.pid} on ${hostname()}, since 2026`),
  );
  assert.match(error.hint!, /remove the lock file/);
  const lock = won[0]!.value;
  assert.deepEqual(JSON.parse(readFileSync(lock.path, "utf8")), lock.holder);
  await lock.release();
  assert.equal(existsSync(lock.path), false);
  assert.deepEqual(readdirSync(join(dir, ".slipway")), [".gitignore"], "no temp file is left");
});

test("two processes racing for the lock: exactly one wins", async () => {
  const dir = project();
  const [a, b] = await Promise.all([holder(dir), holder(dir)]);
  try {
    const lines = [a.line, b.line].sort();
    assert.match(lines[0]!, /^held another release holds .*release\.lock: pid \d+ on /);
    assert.match(lines[1]!, /^locked \d+$/);
    const winner = a.line.startsWith("locked") ? a.proc : b.proc;
    assert.equal((JSON.parse(readFileSync(join(dir, RELEASE_LOCK), "utf8")) as LockHolder).pid, winner.pid);
  } finally {
    a.proc.kill("SIGKILL");
    b.proc.kill("SIGKILL");
  }
});

test("a stale lock left by a dead pid on this host is taken over, with an event", async () => {
  const dir = project();
  const stale: LockHolder = {
    pid: await deadPid(),
    hostname: hostname(),
    startedAt: "2025-01-01T00:00:00.000Z",
    token: "t",
  };
  writeLock(dir, stale);
  const events: LockEvent[] = [];
  const lock = await acquireLock(dir, { now, onEvent: (e) => events.push(e) });
  assert.deepEqual(events, [{ type: "lock-taken-over", path: lock.path, previous: stale }]);
  assert.equal(lock.holder.pid, process.pid);
  assert.equal(lock.holder.startedAt, "2026-01-01T00:00:00.000Z");
  await lock.release();
});

test("parallel acquires over one stale lock: exactly one takes it over", async () => {
  const dir = project();
  const stale: LockHolder = {
    pid: await deadPid(),
    hostname: hostname(),
    startedAt: "2025-01-01T00:00:00.000Z",
    token: "t",
  };
  writeLock(dir, stale);
  const events: LockEvent[] = [];
  const attempts = Array.from({ length: 4 }, () => acquireLock(dir, { now, onEvent: (e) => events.push(e) }));
  const results = await Promise.allSettled(attempts);
  const won = results.filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1);
  assert.equal(events.length, 1, "the stale lock is removed once");
  await won[0]!.value.release();
  assert.deepEqual(readdirSync(join(dir, ".slipway")), [".gitignore"], "no guard or temp file is left");
});

test("a lock held by a live pid, or from another host, is never taken over", async () => {
  const dir = project();
  const live: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: "2025-01-01T00:00:00.000Z",
    token: "t",
  };
  writeLock(dir, live);
  await assert.rejects(acquireLock(dir, { now }), /another release holds .*: pid \d+ on /);
  const elsewhere: LockHolder = { ...live, pid: await deadPid(), hostname: `not-${hostname()}` };
  writeLock(dir, elsewhere);
  await assert.rejects(acquireLock(dir, { now }), new RegExp(`pid ${elsewhere.pid} on not-`));
  writeFileSync(join(dir, RELEASE_LOCK), "garbage");
  await assert.rejects(acquireLock(dir, { now }), /an unknown holder/);
  assert.equal(readFileSync(join(dir, RELEASE_LOCK), "utf8"), "garbage", "left alone");
});

test("withLock releases the lock when the guarded function throws", async () => {
  const dir = project();
  const path = join(dir, RELEASE_LOCK);
  await assert.rejects(
    withLock(dir, { now }, async (lock) => {
      assert.equal(existsSync(lock.path), true, "held inside");
      throw new Error("step broke");
    }),
    /step broke/,
  );
  assert.equal(existsSync(path), false);
  const value = await withLock(dir, { now }, async () => 42);
  assert.equal(value, 42);
  assert.equal(existsSync(path), false);
});

test("a holder killed with SIGKILL leaves a stale lock that the next acquire takes over", async () => {
  const dir = project();
  const { proc, line } = await holder(dir);
  assert.equal(line, `locked ${proc.pid}`);
  // While it lives, the lock is refused.
  await assert.rejects(acquireLock(dir, { now }), new RegExp(`pid ${proc.pid} on`));
  proc.kill("SIGKILL");
  await once(proc, "exit");
  const left = JSON.parse(readFileSync(join(dir, RELEASE_LOCK), "utf8")) as LockHolder;
  assert.equal(left.pid, proc.pid, "the killed holder's lock is still there");
  const events: LockEvent[] = [];
  const lock = await acquireLock(dir, { now, onEvent: (e) => events.push(e) });
  assert.deepEqual(
    events.map((e) => e.previous.pid),
    [proc.pid],
  );
  await lock.release();
  assert.equal(existsSync(lock.path), false);
});

/** A live process that is no slipway release: `sleep`, killed at the end of the test. */
async function unrelated(): Promise<{ proc: ChildProcess; spawnedAt: number }> {
  const spawnedAt = Date.now();
  const proc = spawn("sleep", ["60"], { stdio: "ignore" });
  await once(proc, "spawn");
  return { proc, spawnedAt };
}

test("a lock whose pid now belongs to an unrelated live process (another start time) is taken over", async (t) => {
  const { proc } = await unrelated();
  t.after(() => proc.kill("SIGKILL"));
  const pid = proc.pid!;
  const start = await readProcessStart(pid);
  assert.ok(start !== undefined, "the start time of a live child can be read");
  const dir = project();
  const base = { pid, hostname: hostname(), startedAt: "2025-01-01T00:00:00.000Z", token: "t" };
  // The holder's own start time: that process is the holder, still running.
  writeLock(dir, { ...base, processStart: start });
  await assert.rejects(acquireLock(dir, { now }), new RegExp(`another release holds .*: pid ${pid} on `));
  // An older lock without a start time: the live pid cannot be told apart, so it is not taken over.
  writeLock(dir, base);
  await assert.rejects(acquireLock(dir, { now }), new RegExp(`pid ${pid} on `));
  // The holder started at another time: it died, and its pid went to the sleep.
  const [method] = start.split(":");
  const stale: LockHolder = { ...base, processStart: `${start}0` };
  writeLock(dir, stale);
  const events: LockEvent[] = [];
  const lock = await acquireLock(dir, { now, onEvent: (e) => events.push(e) });
  assert.deepEqual(events, [{ type: "lock-taken-over", path: lock.path, previous: stale }]);
  assert.equal(lock.holder.processStart, await readProcessStart(process.pid));
  assert.equal(lock.holder.processStart?.split(":")[0], method);
  await lock.release();
  // Another host's lock is never taken over, whatever its start time says.
  writeLock(dir, { ...stale, hostname: `not-${hostname()}` });
  await assert.rejects(acquireLock(dir, { now }), /pid \d+ on not-/);
});

test("process start times: stable for one process, different for another, and the ps reading is the spawn time", async (t) => {
  const { proc, spawnedAt } = await unrelated();
  t.after(() => proc.kill("SIGKILL"));
  const pid = proc.pid!;
  const ps = await readPsProcessStart(pid);
  assert.ok(ps !== undefined);
  assert.equal(await readPsProcessStart(pid), ps);
  // `ps -o lstart=` in UTC, to the second: the child's spawn time.
  const seconds = Date.parse(`${ps.slice("ps:".length)} UTC`);
  assert.ok(
    Math.abs(seconds - spawnedAt) < 2_000,
    `${ps} is the spawn time ${new Date(spawnedAt).toISOString()}`,
  );
  assert.equal(await readPsProcessStart(await deadPid()), undefined);
  if (process.platform === "linux") {
    const linux = await readLinuxProcessStart(pid);
    assert.match(linux ?? "", /^linux:[0-9a-f-]{36}:\d+$/);
    assert.equal(await readLinuxProcessStart(pid), linux);
    assert.notEqual(await readLinuxProcessStart(process.pid), linux);
    assert.equal(await readLinuxProcessStart(await deadPid()), undefined);
  }
});

test("an aside a holder killed mid-create left is removed at the next acquire; a live writer's stays", async () => {
  const dir = project();
  mkdirSync(join(dir, ".slipway"));
  const dead = `.release.lock.slipway-${await deadPid()}-0123456789ab.aside`;
  const live = `.release.lock.slipway-${process.ppid}-0123456789ab.aside`;
  writeFileSync(join(dir, ".slipway", dead), "{");
  writeFileSync(join(dir, ".slipway", live), "{");
  const lock = await acquireLock(dir, { now });
  await lock.release();
  assert.deepEqual(readdirSync(join(dir, ".slipway")).sort(), [".gitignore", live].sort());
});
