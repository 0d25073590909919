#!/usr/bin/env node
// Benchmark: `slipway check` on 5 wheels of ~50 MB each, every RECORD hash verified, against
// pypa/installer's WheelFile.validate_record() (what an installer runs) on the same files.
// Reports uncompressed MB/s and peak RSS (GNU time). Wheels are generated once into bench/out/.
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchLarge();
  console.log(`${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
