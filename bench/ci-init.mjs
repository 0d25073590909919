#!/usr/bin/env node
// Benchmark: `slipway ci init` warm on each example project (a copy in a temp dir), per provider.
// The first run writes the files; the timed runs find them up to date (the common re-run: read
// the project, assemble, merge, compare, write nothing). Budget (issue 16): under 200 ms each.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compare, fmt } from "./lib.mjs";

const BUDGET_MS = 200;
const examples = ["hatch-lib", "prompt-manager", "setuptools-flat"];
const providers = ["github", "gitea", "gitlab"];
const runs = Number(process.env.RUNS ?? 15);
const work = mkdtempSync(join(tmpdir(), "slipway-bench-ci-"));
let over = 0;
try {
  for (const example of examples) {
    const dir = join(work, example);
    cpSync(join("examples", example), dir, { recursive: true });
    const commands = providers.map((provider) => ({
      name: provider,
      argv: [process.execPath, "dist/cli.js", "ci", "init", "--provider", provider, "--project", dir],
    }));
    for (const r of compare(commands, runs)) {
      if (r.median > BUDGET_MS) over++;
      console.log(
        `${example.padEnd(16)} ${r.name.padEnd(7)} ${fmt(r.median, 0).padStart(5)} ms  (min ${fmt(r.min, 0)} ms)`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(over === 0 ? `all under ${BUDGET_MS} ms` : `${over} over ${BUDGET_MS} ms`);
process.exitCode = over === 0 ? 0 : 1;
