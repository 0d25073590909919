#!/usr/bin/env node
// Benchmark: `slipway check` on 5 wheels of ~50 MB each, every RECORD hash verified, against
// pypa/installer's WheelFile.validate_record() (what an installer runs) on the same files.
// Reports uncompressed MB/s and peak RSS (GNU time). Wheels are generated once into bench/out/.
// `--hostile`: check on wheels made to be costly (many files, deep paths, a huge RECORD).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fmt, median, peersPython, timeWithRss } from "./lib.mjs";

const PROFILES = ["mixed", "sources", "binaries", "mixed2", "mixed3"];
const OUT = "bench/out/large";

const VERIFY_PY = `
import sys
from installer.sources import WheelFile
for path in sys.argv[1:]:
    with WheelFile.open(path) as wheel:
        wheel.validate_record(validate_contents=True)
`;

const SIZE_PY = `
import sys, zipfile
print(sum(i.file_size for p in sys.argv[1:] for i in zipfile.ZipFile(p).infolist()))
`;

export function largeWheels() {
  const paths = PROFILES.map((p) => join(OUT, p, "bench_pkg-1.0.0-cp312-cp312-linux_x86_64.whl"));
  const missing = PROFILES.filter((_, i) => !existsSync(paths[i]));
  if (missing.length > 0) {
    execFileSync(process.execPath, ["bench/gen-wheels.mjs", OUT, ...missing, "--mb=50"], {
      stdio: "inherit",
    });
  }
  return paths;
}

export function benchLarge({ runs = 3 } = {}) {
  const python = peersPython();
  const wheels = largeWheels();
  const bytes = Number(execFileSync(python, ["-c", SIZE_PY, ...wheels], { encoding: "utf8" }).trim());
  const mb = bytes / 1e6;
  const measure = (argv) => {
    const samples = Array.from({ length: runs }, () => timeWithRss(argv));
    return { seconds: median(samples.map((s) => s.seconds)), rss: Math.max(...samples.map((s) => s.rssMiB)) };
  };
  const slipway = measure([
    process.execPath,
    "dist/cli.js",
    "check",
    ...wheels,
    "--python",
    python,
    "--json",
  ]);
  const installer = measure([python, "-c", VERIFY_PY, ...wheels]);
  const row = (name, r) =>
    `${name.padEnd(34)} ${fmt(r.seconds, 2).padStart(6)} s  ${fmt(mb / r.seconds, 0).padStart(5)} MB/s  peak RSS ${fmt(r.rss, 0)} MiB`;
  return {
    title: `${wheels.length} wheels, ${fmt(mb, 0)} MB uncompressed, every RECORD hash verified (median of ${runs})`,
    rows: [row("slipway check", slipway), row("installer validate_record", installer)],
    ratio: `installer / slipway = ${fmt(installer.seconds / slipway.seconds, 2)}x`,
  };
}

const HOSTILE_OUT = "bench/out/hostile";

/**
 * Wheels made to be costly (issue 11 B2–B5): many files (60,000 and 150,000 members, each in
 * RECORD), members 15,000 and 30,000 directories deep (in RECORD, so ART11 and the RECORD match
 * both see them), and 300,000 ghost RECORD rows (20 MB of RECORD). Written once with the test
 * suite's ZIP writer into bench/out/hostile/.
 */
async function hostileWheels() {
  const { buildZip, recordHash } = await import("../test/helpers/zip-writer.ts");
  const { mkdirSync, writeFileSync } = await import("node:fs");
  const di = "bench_pkg-1.0.0.dist-info";
  const make = (name, files, extraRows = []) => {
    const path = join(HOSTILE_OUT, name, "bench_pkg-1.0.0-py3-none-any.whl");
    if (existsSync(path)) return path;
    const all = {
      ...files,
      [`${di}/METADATA`]: "Metadata-Version: 2.1\nName: bench_pkg\nVersion: 1.0.0\n\n",
      [`${di}/WHEEL`]: "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    };
    const rows = Object.entries(all).map(([n, d]) => `${n},sha256=${recordHash(d)},${Buffer.byteLength(d)}`);
    all[`${di}/RECORD`] = `${[...rows, `${di}/RECORD,,`, ...extraRows].join("\n")}\n`;
    const entries = Object.entries(all).map(([n, d]) => ({ name: n, data: d, mode: 0o100644 }));
    mkdirSync(join(HOSTILE_OUT, name), { recursive: true });
    writeFileSync(path, buildZip({ entries, ...(entries.length > 65_000 ? { zip64End: {} } : {}) }));
    return path;
  };
  const many = (n) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`bench_pkg/s${i % 100}/m${i}.py`, `x = ${i}\n`]));
  const deep = (levels, count) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, k) => [`bench_pkg/${"d/".repeat(levels)}f${k}.py`, ""]),
    );
  const ghost = Array.from({ length: 300_000 }, (_, i) => `pad/${i}.py,sha256=${recordHash("")},0`);
  return [
    ["60,000 members", make("many-60k", many(60_000))],
    ["150,000 members", make("many-150k", many(150_000))],
    ["1 member 15,000 levels deep", make("deep-15k", deep(15_000, 1))],
    ["3 members 30,000 levels deep", make("deep-30k", deep(30_000, 3))],
    ["300,000 ghost RECORD rows", make("ghost-300k", { "bench_pkg/__init__.py": "" }, ghost)],
  ];
}

/** `slipway check` on each hostile wheel: wall time and peak RSS (one run each: some are slow). */
export async function benchHostile() {
  const python = peersPython();
  const rows = [];
  for (const [what, path] of await hostileWheels()) {
    const r = timeWithRss([process.execPath, "dist/cli.js", "check", path, "--python", python, "--json"]);
    rows.push(`${what.padEnd(34)} ${fmt(r.seconds, 2).padStart(6)} s  peak RSS ${fmt(r.rssMiB, 0)} MiB`);
  }
  return {
    title: "slipway check on hostile wheels (one run each)",
    rows,
    ratio: "target: < 200 MiB peak RSS",
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = process.argv.includes("--hostile") ? await benchHostile() : benchLarge();
  console.log(`${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
