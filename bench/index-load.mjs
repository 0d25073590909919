#!/usr/bin/env node
// Benchmark: the embedded staging index under load, run as users run it (`slipway index serve`
// in its own process, on loopback). (1) 200 parallel `pip download --no-deps` of a hosted
// project: errors and wall time. (2) Latency of a project's simple page (PEP 691 JSON) under N
// concurrent keep-alive GETs, side by side with pypiserver serving the same wheel.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeWheel, uploadRaw } from "../test/helpers/index-client.ts";
import { fmt, peersPython } from "./lib.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const JSON_ACCEPT = "application/vnd.pypi.simple.v1+json";

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `slipway index serve` (the bundle when built, else the sources) and waits for its URLs. */
function startSlipway(root) {
  const cli = existsSync(join(repo, "dist/cli.js"))
    ? join(repo, "dist/cli.js")
    : join(repo, "src/cli/main.ts");
  const child = spawn(process.execPath, [cli, "index", "serve", "--root", root, "--port", "0", "--json"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const log = { requests: 0, errors: 0 };
  return new Promise((resolve, reject) => {
    let buffer = "";
    let ready;
    child.stdout.on("data", (chunk) => {
      buffer += chunk.toString();
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const event = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
        if (event.type === "request") {
          log.requests++;
          if (event.status >= 400) log.errors++;
        }
        if (event.type === "listening" && !ready) {
          ready = { ...event, log, stop: () => stop(child) };
          resolve(ready);
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`slipway index serve exited with ${code}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function startPypiserver(dir) {
  const port = await freePort();
  const exe = join(dirname(peersPython()), "pypi-server");
  const args = ["run", "-p", String(port), "-i", "127.0.0.1", "-a", ".", "-P", ".", "--disable-fallback"];
  const child = spawn(exe, [...args, "--log-stream", "none", dir], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${url}simple/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, stop: () => stop(child) };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop(child);
  throw new Error("pypiserver did not start");
}

function run(argv, env) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], env });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d.toString();
    });
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

/** `count` pip downloads, all started at once (or `batch` at a time); errors and wall seconds. */
async function parallelDownloads(simpleUrl, work, count, batch) {
  const env = {
    ...process.env,
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_INPUT: "1",
    PIP_CONFIG_FILE: "/dev/null",
  };
  const started = performance.now();
  const failures = [];
  for (let first = 0; first < count; first += batch) {
    const jobs = [];
    for (let i = first; i < Math.min(count, first + batch); i++) {
      const dest = join(work, "downloads", String(i));
      const argv = [peersPython(), "-m", "pip", "download", "--no-deps", "--no-cache-dir", "-d", dest];
      jobs.push(run([...argv, "--index-url", simpleUrl, "bench-pkg"], env).then((r) => ({ ...r, dest })));
    }
    for (const r of await Promise.all(jobs)) {
      const got = existsSync(r.dest) ? readdirSync(r.dest) : [];
      if (r.code !== 0 || got.length !== 1) failures.push(r.stderr.trim().split("\n").slice(-2).join(" "));
    }
  }
  return { seconds: (performance.now() - started) / 1000, failures };
}

/** `total` GETs of `url` with `concurrency` keep-alive connections; latency percentiles in ms. */
async function pageLatency(url, total, concurrency) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const get = () =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(url, { agent, headers: { Accept: JSON_ACCEPT } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ ms: performance.now() - t0, status: res.statusCode }));
      });
      req.on("error", reject);
      req.end();
    });
  for (let i = 0; i < concurrency; i++) await get(); // warm-up: connections and caches
  const samples = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const r = await get().catch(() => ({ ms: Number.NaN, status: 0 }));
      if (r.status !== 200) errors++;
      samples.push(r.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = samples.filter((s) => !Number.isNaN(s)).sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: pct(50), p99: pct(99), max: sorted.at(-1), rps: total / wall, errors };
}

export async function benchIndex({ downloads = 200, batch = 200, requests = 2000, concurrency = 50 } = {}) {
  const work = mkdtempSync(join(tmpdir(), "slipway-bench-index-"));
  const rows = [];
  let slipway;
  let peer;
  try {
    slipway = await startSlipway(join(work, "root"));
    const token = readFileSync(join(work, "root", ".slipway-token"), "utf8").trim();
    const wheel = makeWheel({ name: "bench-pkg", version: "1.0", salt: "x".repeat(50_000) });
    const up = await uploadRaw(slipway.uploadUrl, token, { ...wheel, name: "bench-pkg", version: "1.0" });
    if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${up.statusMessage}`);
    mkdirSync(join(work, "peer"));
    writeFileSync(join(work, "peer", wheel.filename), wheel.bytes);

    slipway.log.requests = 0;
    const dl = await parallelDownloads(slipway.simpleUrl, work, downloads, batch);
    rows.push(
      `${downloads} parallel pip download --no-deps (batches of ${batch}): ${dl.failures.length} errors, ` +
        `${fmt(dl.seconds)} s wall; index answered ${slipway.log.requests} requests, ${slipway.log.errors} >= 400`,
    );
    for (const f of dl.failures.slice(0, 3)) rows.push(`  failure: ${f}`);

    peer = await startPypiserver(join(work, "peer"));
    const ours = await pageLatency(`${slipway.simpleUrl}bench-pkg/`, requests, concurrency);
    const theirs = await pageLatency(`${peer.url}simple/bench-pkg/`, requests, concurrency);
    rows.push(`simple page, ${requests} GETs at concurrency ${concurrency}:`);
    for (const [name, r] of [
      ["slipway index", ours],
      ["pypiserver 2.4", theirs],
    ]) {
      rows.push(
        `  ${name.padEnd(15)} p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms  max ${fmt(r.max)} ms  ` +
          `${fmt(r.rps, 0)} req/s  errors ${r.errors}`,
      );
    }
    return {
      title: "Embedded index under load (slipway index serve vs pypiserver)",
      rows,
      ratio: `p99 ratio pypiserver/slipway: ${fmt(theirs.p99 / ours.p99, 2)}x; pip download errors: ${dl.failures.length}`,
    };
  } finally {
    await slipway?.stop();
    await peer?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchIndex();
  console.log(`\n## ${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
