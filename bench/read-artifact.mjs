#!/usr/bin/env node
// Times slipway's archive reader alone on the wheels bench/gen-wheels.mjs writes: wall time
// inside the process, uncompressed MB/s, and peak RSS via /usr/bin/time -v (one child per run).
// The reader is bundled first, the way the CLI ships it: from TypeScript source every thread
// (the main one and each worker) would also load the type stripper, ~40 MiB of RSS apiece.
// Usage: node bench/read-artifact.mjs [dir, default bench/.fixtures; try bench/out/large]
//        [--runs=5] [--workers=N (default: the reader's own choice)]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fmt, median, timeWithRss } from "./lib.mjs";

const args = process.argv.slice(2);

if (args[0] === "--child") {
  const [, bundle, wheel, workers] = args;
  const { readArtifact } = await import(pathToFileURL(join(bundle, "reader.js")).href);
  const start = process.hrtime.bigint();
  const model = await readArtifact(wheel, workers === "" ? {} : { workers: Number(workers) });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const bytes = model.members.reduce((n, m) => n + (m.digests ? m.size : 0), 0);
  const hashed = model.members.filter((m) => m.digests).length;
  process.stdout.write(
    JSON.stringify({ ms, bytes, hashed, members: model.members.length, findings: model.findings.length }),
  );
  process.exit(0);
}

const dir = resolve(args.find((a) => !a.startsWith("--")) ?? "bench/.fixtures");
const runs = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 5);
const workers = args.find((a) => a.startsWith("--workers="))?.slice(10) ?? "";

const { build } = await import("esbuild");
const bundle = mkdtempSync(join(tmpdir(), "slipway-reader-"));
await build({
  // The worker entry sits next to the reader, where the pool looks for `archive-worker.js`.
  entryPoints: {
    reader: "src/adapters/archives/read-artifact.ts",
    "archive-worker": "src/adapters/archives/member-worker.ts",
  },
  outdir: bundle,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  logLevel: "warning",
});

try {
  const wheels = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".whl") || f.endsWith(".tar.gz"))
    .map((f) => join(dir, f));
  for (const wheel of wheels) {
    const samples = [];
    let rss = 0;
    let info;
    for (let i = 0; i < runs; i++) {
      const argv = [process.execPath, new URL(import.meta.url).pathname, "--child", bundle, wheel, workers];
      const child = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
      info = JSON.parse(child.stdout);
      samples.push(info.ms);
      rss = Math.max(rss, timeWithRss(argv).rssMiB);
    }
    const ms = median(samples);
    console.log(
      `${wheel}: ${fmt(statSync(wheel).size / 1048576)} MiB file, ${info.members} members (${info.hashed} hashed), ` +
        `${fmt(info.bytes / 1e6)} MB content, median ${fmt(ms, 0)} ms = ${fmt(info.bytes / 1e6 / (ms / 1000), 0)} MB/s, ` +
        `peak RSS ${fmt(rss, 0)} MiB, ${info.findings} findings`,
    );
  }
} finally {
  rmSync(bundle, { recursive: true, force: true });
}
