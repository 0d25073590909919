#!/usr/bin/env node
// Times slipway's archive reader on the wheels bench/gen-wheels.mjs writes: wall time inside
// the process, uncompressed MB/s, and peak RSS via /usr/bin/time -v (one child per run).
// Usage: node bench/read-artifact.mjs [fixtures-dir] [--runs=5]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fmt, median, timeWithRss } from "./lib.mjs";

const args = process.argv.slice(2);
const dir = resolve(args.find((a) => !a.startsWith("--")) ?? "bench/.fixtures");
const runs = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 5);

if (process.argv[2] === "--child") {
  const { readArtifact } = await import("../src/adapters/archives/read-artifact.ts");
  const start = process.hrtime.bigint();
  const model = await readArtifact(process.argv[3]);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const bytes = model.members.reduce((n, m) => n + (m.digests ? m.size : 0), 0);
  const hashed = model.members.filter((m) => m.digests).length;
  process.stdout.write(
    JSON.stringify({ ms, bytes, hashed, members: model.members.length, findings: model.findings.length }),
  );
  process.exit(0);
}

const wheels = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".whl") || f.endsWith(".tar.gz"))
  .map((f) => join(dir, f));
for (const wheel of wheels) {
  const samples = [];
  let rss = 0;
  let info;
  for (let i = 0; i < runs; i++) {
    const argv = [process.execPath, new URL(import.meta.url).pathname, "--child", wheel];
    const child = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
    info = JSON.parse(child.stdout);
    samples.push(info.ms);
    rss = Math.max(rss, timeWithRss(argv).rssMiB);
  }
  const ms = median(samples);
  console.log(
    `${wheel}: ${fmt(statSync(wheel).size / 1048576)} MiB file, ${info.members} members (${info.hashed} hashed), ` +
      `${fmt(info.bytes / 1048576)} MiB content, median ${fmt(ms, 0)} ms = ${fmt(info.bytes / 1048576 / (ms / 1000), 0)} MB/s, ` +
      `peak RSS ${fmt(rss, 0)} MiB, ${info.findings} findings`,
  );
}
