#!/usr/bin/env node
// `npm run demo`: slipway's main job on the bundled example, so far: `slipway build` of
// examples/hatch-lib (sdist, then the wheel from it, through hatchling in a cached isolated
// environment, checked with `slipway check`, SHA256SUMS and manifest written). Build
// requirements come from the pinned wheelhouse the test command also uses (prepared from PyPI
// once), so the demo runs offline after that. Later issues make this the full release against the embedded staging index.
import { execFileSync } from "node:child_process";
import { devNull } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prepare = (script) =>
  execFileSync(process.execPath, [join(root, "scripts", script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
const python = prepare("peers.mjs");
const wheelhouse = prepare("wheelhouse.mjs");
const cli = join(root, "dist", "cli.js");
// pip's own configuration (extra indexes, find-links) stays out of the demo's environments.
const env = { ...process.env, PIP_CONFIG_FILE: devNull };

function slipway(args) {
  console.log(`$ slipway ${args.join(" ")}`);
  try {
    execFileSync(process.execPath, [cli, ...args], { cwd: root, stdio: "inherit", env });
  } catch (error) {
    process.exit(typeof error.status === "number" ? error.status : 1);
  }
}

slipway([
  "build",
  "examples/hatch-lib",
  "--clean",
  "--python",
  python,
  "--find-links",
  wheelhouse,
  "--no-index",
]);
