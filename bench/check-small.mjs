#!/usr/bin/env node
// Benchmark: `slipway check` vs `twine check --strict` on the same 20+ small distributions (the
// test corpus: the examples built by their backends, real dists from PyPI, broken variants).
// Each tool checks all files in one invocation, as a user would run it; medians of N runs.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { compare, fmt, peersPython } from "./lib.mjs";

export function smallCorpus() {
  const manifest = execFileSync(process.execPath, ["scripts/corpus.mjs"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const rows = JSON.parse(readFileSync(manifest, "utf8"));
  return rows.map((r) => resolve(dirname(manifest), r.file));
}

export function benchSmall({ runs = 7 } = {}) {
  const python = peersPython();
  const files = smallCorpus();
  const twine = join(dirname(python), "twine");
  const results = compare(
    [
      {
        name: "slipway check",
        argv: [process.execPath, "dist/cli.js", "check", ...files, "--python", python, "--json"],
      },
      { name: "twine check --strict", argv: [twine, "check", "--strict", ...files] },
    ],
    runs,
  );
  const [s, t] = results;
  return {
    title: `check ${files.length} small dists (median of ${runs})`,
    rows: results.map(
      (r) => `${r.name.padEnd(22)} ${fmt(r.median, 0).padStart(6)} ms  (min ${fmt(r.min, 0)} ms)`,
    ),
    ratio: `twine / slipway = ${fmt(t.median / s.median, 2)}x`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchSmall();
  console.log(`${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
