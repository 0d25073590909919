#!/usr/bin/env node
// Benchmark: the GitHub Action's own overhead (issue 16: under 100 ms before the CLI starts).
// The action's entry (dist/action.js) starts on the runner's Node, reads its inputs and spawns
// cli.js beside it; after the CLI it reads its JSON and writes annotations, summary and outputs.
//   - before the CLI starts: dist/action.js is copied beside a stub cli.js that records when its
//     process began (performance.timeOrigin); the time from spawning the action to that moment,
//     minus the same time for the stub spawned directly (process creation itself), is the
//     action's cost before the CLI runs.
//   - the whole wrapper: median(action + stub) - median(stub alone), the work after included.
//   - around a real check: the action running `slipway check` on the hatch-lib example, minus
//     the same CLI command run directly (noisy: two real CLI runs differ by as much).
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compare, fmt, median } from "./lib.mjs";

const BUDGET_MS = 100;
const runs = Number(process.env.RUNS ?? 21);
const work = mkdtempSync(join(tmpdir(), "slipway-bench-action-"));

export function benchAction() {
  const ws = join(work, "ws");
  cpSync(join("examples", "hatch-lib"), join(ws, "pkg"), { recursive: true });
  const summary = join(work, "summary");
  const output = join(work, "output");
  writeFileSync(summary, "");
  writeFileSync(output, "");
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: work,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: ws,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    SLIPWAY_README_ENV: "off",
    INPUT_COMMAND: "check",
    "INPUT_WORKING-DIRECTORY": "pkg",
  };
  // The stub: what `check --json` prints for a clean project, at once.
  const stubDir = join(work, "stub");
  mkdirSync(stubDir);
  copyFileSync(resolve("dist/action.js"), join(stubDir, "action.js"));
  writeFileSync(join(stubDir, "package.json"), '{"type":"module"}');
  writeFileSync(
    join(stubDir, "cli.js"),
    [
      'import { appendFileSync } from "node:fs";',
      'if (process.env.STUB_STARTS) appendFileSync(process.env.STUB_STARTS, performance.timeOrigin + "\\n");',
      'process.stdout.write(JSON.stringify({ ok: true, errors: 0, warnings: 0, findings: [] }) + "\\n");',
      "",
    ].join("\n"),
  );
  const startDelay = (argv) => {
    const starts = join(work, "starts");
    writeFileSync(starts, "");
    const samples = [];
    for (let i = 0; i < runs + 2; i++) {
      const spawnedAt = performance.timeOrigin + performance.now();
      spawnSync(argv[0], argv.slice(1), { env: { ...env, STUB_STARTS: starts }, cwd: ws, stdio: "ignore" });
      const began = Number(readFileSync(starts, "utf8").trim().split("\n").at(-1));
      if (i >= 2) samples.push(began - spawnedAt);
    }
    return median(samples);
  };
  const beforeCli =
    startDelay([process.execPath, join(stubDir, "action.js")]) -
    startDelay([process.execPath, join(stubDir, "cli.js")]);
  const [withStub, stub] = compare(
    [
      {
        name: "action + stub cli",
        argv: [process.execPath, join(stubDir, "action.js")],
        options: { env, cwd: ws },
      },
      {
        name: "stub cli alone",
        argv: [process.execPath, join(stubDir, "cli.js")],
        options: { env, cwd: ws },
      },
    ],
    runs,
    { warmup: 2 },
  );
  const [action, cli] = compare(
    [
      {
        name: "action: check",
        argv: [process.execPath, resolve("dist/action.js")],
        options: { env, cwd: ws },
      },
      {
        name: "cli: check --json",
        argv: [process.execPath, resolve("dist/cli.js"), "check", "--json"],
        options: { env, cwd: join(ws, "pkg") },
      },
    ],
    runs,
    { warmup: 2 },
  );
  const wrapper = withStub.median - stub.median;
  const real = action.median - cli.median;
  return {
    title: `GitHub Action overhead (median of ${runs}, budget ${BUDGET_MS} ms)`,
    rows: [withStub, stub, action, cli].map(
      (r) => `${r.name.padEnd(20)} ${fmt(r.median, 0).padStart(5)} ms  (min ${fmt(r.min, 0)} ms)`,
    ),
    ratio: `before the CLI starts: ${fmt(beforeCli, 0)} ms (${beforeCli < BUDGET_MS ? "within" : "OVER"} the ${BUDGET_MS} ms budget); the whole wrapper ${fmt(wrapper, 0)} ms; around a real check ${fmt(real, 0)} ms`,
    overhead: beforeCli,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const r = benchAction();
    console.log(`## ${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
    process.exitCode = r.overhead < BUDGET_MS ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
