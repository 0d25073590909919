#!/usr/bin/env node
// Benchmark: `slipway check` vs `twine check --strict` on the same small distributions from the
// test corpus, in two sets: the 22 "release-like" dists (the examples built by their backends
// and real dists from PyPI) and the whole corpus (plus 45 broken/edge variants). Each tool
// checks all files of a set in one invocation, as a user would run it; medians of N runs.
// slipway runs warm: the warm-up run fills its cache of README verdicts and analyses (twine has
// no cache); SLIPWAY_NO_CACHE=1 in the environment measures it cold.
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
  return rows.map((r) => ({ category: r.category, file: resolve(dirname(manifest), r.file) }));
}

export function benchSmall({ runs = 9 } = {}) {
  const python = peersPython();
  const twine = join(dirname(python), "twine");
  const corpus = smallCorpus();
  const sets = [
    ["release-like", corpus.filter((c) => c.category === "example" || c.category === "real")],
    ["whole corpus", corpus],
  ];
  const rows = [];
  const ratios = [];
  for (const [label, entries] of sets) {
    const files = entries.map((e) => e.file);
    const [s, t] = compare(
      [
        {
          name: "slipway check",
          argv: [process.execPath, "dist/cli.js", "check", ...files, "--python", python, "--json"],
        },
        { name: "twine check --strict", argv: [twine, "check", "--strict", ...files] },
      ],
      runs,
    );
    for (const r of [s, t]) {
      rows.push(
        `${`${label} (${files.length})`.padEnd(19)} ${r.name.padEnd(22)} ${fmt(r.median, 0).padStart(6)} ms  (min ${fmt(r.min, 0)} ms)`,
      );
    }
    ratios.push(`${label}: twine / slipway = ${fmt(t.median / s.median, 2)}x`);
  }
  return { title: `check small dists (median of ${runs})`, rows, ratio: ratios.join("; ") };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchSmall();
  console.log(`${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
