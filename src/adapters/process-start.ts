/**
 * When a process started, as an opaque string that tells it from a later process given the same
 * pid: a lock names its holder by pid, and pids are reused (after a reboot, or once the counter
 * wraps), so a pid alone cannot prove that the holder still runs.
 *
 * Linux: the boot id and field 22 of /proc/<pid>/stat (start time in clock ticks since boot).
 * Elsewhere: `ps -o lstart= -p <pid>` (start time to the second; a pid reused within the same
 * second of its previous holder's start is the one case it cannot tell apart).
 */
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { exec } from "./exec.ts";

/** This machine's name, as a lock records its holder's host (a pid means nothing on another). */
export function hostName(): string {
  return hostname();
}

/** From /proc; undefined when the process does not exist or /proc cannot say. */
export async function readLinuxProcessStart(pid: number): Promise<string | undefined> {
  try {
    const [boot, stat] = await Promise.all([
      readFile("/proc/sys/kernel/random/boot_id", "utf8"),
      readFile(`/proc/${pid}/stat`, "utf8"),
    ]);
    // Field 2 (the command) is in parentheses and may hold spaces and parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = fields[22 - 3];
    return start !== undefined && /^\d+$/.test(start) ? `linux:${boot.trim()}:${start}` : undefined;
  } catch {
    return undefined;
  }
}

/** From `ps`; undefined when the process does not exist or ps cannot be run. */
export async function readPsProcessStart(pid: number): Promise<string | undefined> {
  const r = await exec(["ps", "-o", "lstart=", "-p", String(pid)], {
    cwd: "/",
    env: { PATH: process.env["PATH"], LC_ALL: "C", TZ: "UTC" },
    check: false,
    timeoutMs: 10_000,
  }).catch(() => undefined);
  const text = r?.code === 0 ? r.stdout.trim().replace(/\s+/g, " ") : "";
  return text === "" ? undefined : `ps:${text}`;
}

/**
 * The start of process `pid` as an opaque string (see the top of this file), or undefined when
 * it cannot be known (no such process, no /proc and no ps).
 */
export async function readProcessStart(pid: number): Promise<string | undefined> {
  if (process.platform === "linux") {
    const linux = await readLinuxProcessStart(pid);
    if (linux !== undefined) return linux;
  }
  return await readPsProcessStart(pid);
}

/** True unless the OS says there is no such process (EPERM: it exists, under another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Whether the process that recorded itself as (`pid`, `start`) on this host is certainly gone:
 * its pid is not alive, or a live process holds that pid but started at another time (the pid was
 * reused). A start that cannot be compared (none recorded, none readable now, or read two
 * different ways) counts as the same process: never take over what might still be running.
 */
export async function isProcessGone(
  pid: number,
  start: string | undefined,
  read: (pid: number) => Promise<string | undefined> = readProcessStart,
): Promise<boolean> {
  if (!isProcessAlive(pid)) return true;
  if (start === undefined) return false;
  const now = await read(pid);
  if (now === undefined || now.split(":")[0] !== start.split(":")[0]) return false;
  return now !== start;
}
