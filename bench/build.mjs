#!/usr/bin/env node
// Benchmark: `slipway build` vs `python -m build` (isolated, both installing the backends from
// the same offline wheelhouse with pip) on the example projects: sdist, then the wheel from it.
// Cold: slipway with an empty environment cache. Warm: slipway's second and later builds (its
// cached environment); python -m build has no cache, so every run of it is cold.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, median, peersPython, timeOnce } from "./lib.mjs";

const EXAMPLES = ["examples/hatch-lib", "examples/setuptools-flat", "examples/prompt-manager"];

export function benchBuild({ runs = 5 } = {}) {
  const python = peersPython();
  const wheelhouse = execFileSync(process.execPath, ["scripts/wheelhouse.mjs"], { encoding: "utf8" }).trim();
  const work = mkdtempSync(join(tmpdir(), "slipway-bench-build-"));
  const env = { ...process.env, PIP_CONFIG_FILE: devNull, PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheelhouse };
  const rows = [];
  const ratios = [];
  try {
    for (const example of EXAMPLES) {
      const out = join(work, "out");
      const slipway = () => [
        process.execPath,
        "dist/cli.js",
        "build",
        example,
        "--out",
        out,
        "--clean",
        "--no-check",
        "--python",
        python,
        // slipway's pip reads no PIP_* variable: the wheelhouse goes in as flags.
        "--find-links",
        wheelhouse,
        "--no-index",
      ];
      const pyBuild = [python, "-m", "build", "--outdir", out, example];
      const cold = [];
      const warm = [];
      const peer = [];
      for (let r = 0; r < runs; r++) {
        const cache = join(work, `cache-${r}`);
        const withCache = { env: { ...env, SLIPWAY_CACHE_DIR: cache } };
        cold.push(check(timeOnce(slipway(), withCache), "slipway cold"));
        warm.push(check(timeOnce(slipway(), withCache), "slipway warm"));
        rmSync(out, { recursive: true, force: true });
        peer.push(check(timeOnce(pyBuild, { env }), "python -m build"));
        rmSync(cache, { recursive: true, force: true });
      }
      const [c, w, p] = [median(cold), median(warm), median(peer)];
      rows.push(
        `${example.padEnd(26)} python -m build ${fmt(p, 0).padStart(6)} ms   slipway cold ${fmt(c, 0).padStart(6)} ms (${fmt(p / c, 2)}x)   warm ${fmt(w, 0).padStart(5)} ms (${fmt(p / w, 2)}x)`,
      );
      ratios.push(`${example.split("/")[1]}: cold ${fmt(p / c, 2)}x, warm ${fmt(p / w, 2)}x`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    title: `build: sdist + wheel from it, isolated, offline wheelhouse (median of ${runs})`,
    rows,
    ratio: `python -m build / slipway build — ${ratios.join("; ")}`,
  };
}

function check(result, what) {
  if (result.status !== 0) throw new Error(`${what} failed:\n${result.stderr.slice(-2000)}`);
  return result.ms;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchBuild();
  console.log(`${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
