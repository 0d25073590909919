// Small timing helpers for the benchmarks: wall time of whole commands, and peak RSS through
// /usr/bin/time -v. Benchmarks run on demand (npm run bench), never inside the test suite.
import { spawn, spawnSync } from "node:child_process";

export function timeOnce(argv, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, status: result.status, stderr: result.stderr?.toString() ?? "" };
}

/**
 * timeOnce without blocking the event loop: for runs against a server this process started and
 * whose output it reads (a blocked loop stops draining its pipe, and the server stalls on a full one).
 */
export function timeOnceAsync(argv, options = {}) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], ...options });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (status) => {
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, status, stderr });
    });
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs each command `runs` times, interleaved so drift hits both alike; returns medians in ms. */
export function compare(commands, runs, options = {}) {
  const samples = commands.map(() => []);
  for (let i = 0; i < (options.warmup ?? 1); i++) for (const c of commands) timeOnce(c.argv, c.options);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of commands.entries()) samples[i].push(timeOnce(c.argv, c.options).ms);
  }
  return commands.map((c, i) => ({ name: c.name, median: median(samples[i]), min: Math.min(...samples[i]) }));
}

/** Wall seconds and peak RSS (MiB) of one run, measured by GNU time. */
export function timeWithRss(argv, options = {}) {
  const result = spawnSync("/usr/bin/time", ["-v", ...argv], {
    stdio: ["ignore", "ignore", "pipe"],
    ...options,
  });
  const err = result.stderr.toString();
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? Number.NaN) / 1024;
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : Number.NaN;
  return { seconds, rssMiB: rss, status: result.status, stderr: err };
}

// The same pinned peers venv the tests use.
export { peersPython } from "../test/helpers/peers.ts";

export const fmt = (n, digits = 1) => n.toFixed(digits);
