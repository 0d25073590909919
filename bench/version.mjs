#!/usr/bin/env node
// Benchmark: start-up. `slipway --version` must answer without loading any command; shown next
// to a bare `node -e 0` (the floor) and `twine --version` (the peer).
import { dirname, join } from "node:path";
import { compare, fmt, peersPython } from "./lib.mjs";

export function benchVersion({ runs = 21 } = {}) {
  const twine = join(dirname(peersPython()), "twine");
  const results = compare(
    [
      { name: "node -e 0", argv: [process.execPath, "-e", "0"] },
      { name: "slipway --version", argv: [process.execPath, "dist/cli.js", "--version"] },
      { name: "twine --version", argv: [twine, "--version"] },
    ],
    runs,
    { warmup: 2 },
  );
  const [floor, s, t] = results;
  return {
    title: `start-up (median of ${runs})`,
    rows: results.map((r) => `${r.name.padEnd(22)} ${fmt(r.median, 1).padStart(7)} ms`),
    ratio: `twine / slipway = ${fmt(t.median / s.median, 1)}x; slipway above bare node: ${fmt(s.median - floor.median, 1)} ms`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchVersion();
  console.log(`${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
