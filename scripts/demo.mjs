#!/usr/bin/env node
// `npm run demo`: the staging half of a release of the bundled example, examples/hatch-lib:
//   1. slipway build: sdist, then the wheel from it, through hatchling in a cached isolated
//      environment; the artifacts are checked, then written with SHA256SUMS and a manifest;
//   2. the embedded staging index starts on a free loopback port (a temp directory, a fresh token);
//   3. slipway publish: checks again, uploads to the stage, and confirms every file by sha256;
//   4. slipway verify-install: a fresh venv installs the exact version from the stage, proves the
//      installed files are those bytes, imports the package and runs its console script;
//   5. the index stops, and a summary says what was staged.
// Build requirements come from the pinned wheelhouse the tests also use (prepared from PyPI once),
// so after that nothing here touches the network beyond loopback.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prepare = (script) =>
  execFileSync(process.execPath, [join(root, "scripts", script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
const python = prepare("peers.mjs");
const wheelhouse = prepare("wheelhouse.mjs");
const cli = join(root, "dist", "cli.js");
const example = "examples/hatch-lib";
const out = join(root, example, "dist");
// pip's own configuration (extra indexes, find-links) stays out of the demo's environments.
const env = { ...process.env, PIP_CONFIG_FILE: devNull };

/** Runs a slipway command as its own process; the index lives in this one, so never block. */
function slipway(args, extraEnv = {}) {
  console.log(`\n$ slipway ${args.join(" ")}`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      stdio: "inherit",
      env: { ...env, ...extraEnv },
    });
    child.on("error", fail);
    child.on("exit", (code) =>
      code === 0 ? done() : fail(new Error(`slipway ${args[0]} exited with ${code}`)),
    );
  });
}

const { startIndex } = await import(pathToFileURL(join(root, "dist", "index.js")).href);
const stageRoot = mkdtempSync(join(tmpdir(), "slipway-stage-"));
let index;
try {
  await slipway(["build", example, "--clean", "--python", python, "--find-links", wheelhouse, "--no-index"]);
  index = await startIndex({ root: stageRoot });
  console.log(`\nstaging index on ${index.url} (simple API ${index.simpleUrl}, uploads ${index.uploadUrl})`);
  const dists = readdirSync(out)
    .filter((f) => /\.(whl|tar\.gz)$/.test(f))
    .map((f) => join(example, "dist", f));
  // The token reaches the child through the environment, as in CI; slipway never prints it.
  await slipway(
    ["publish", ...dists, "--to", index.uploadUrl, "--check-url", index.simpleUrl, "--python", python],
    {
      TWINE_USERNAME: "__token__",
      TWINE_PASSWORD: index.token,
    },
  );
  // The extras (colorama, PyYAML) live on PyPI, which the demo does not reach: none are installed.
  await slipway([
    "verify-install",
    ...dists.filter((d) => d.endsWith(".whl")),
    "--index-url",
    index.simpleUrl,
    "--python",
    python,
    "--extras",
    "",
  ]);
  const sums = readFileSync(join(out, "SHA256SUMS"), "utf8").trim().split("\n");
  console.log(`\nstaged and verified ${sums.length} files of ${example} on ${index.url}:`);
  for (const line of sums) console.log(`  ${line.replace(/^(\w{16})\w+ {2}/, "$1…  ")}`);
  console.log(
    "nothing public happened: the next step of a release would publish these same bytes to the target index.",
  );
} catch (error) {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await index?.close();
  rmSync(stageRoot, { recursive: true, force: true });
}
