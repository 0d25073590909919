#!/usr/bin/env node
// Prepares the cached virtualenv of pinned Python peers the tests use as oracles and real
// backends (packaging, twine, readme_renderer, hatchling, setuptools...). Created from PyPI when
// missing, keyed by the hash of test/peers/requirements.txt, and reused afterwards; a venv left
// half-made by an interrupted run has no stamp and is rebuilt. Prints the venv's python path.
// This runs before the tests; no test reaches the network itself.
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { keyOf, prepared } from "./prepared.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const requirements = join(root, "test", "peers", "requirements.txt");
const venv = join(root, ".cache", "peers", `venv-${keyOf(requirements)}`);
const python = join(venv, "bin", "python");

prepared(venv, { script: "peers", what: "a venv from test/peers/requirements.txt", inPlace: true }, () => {
  const basePython = process.env.SLIPWAY_PEERS_BASE_PYTHON ?? "python3";
  execFileSync(basePython, ["-m", "venv", venv], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync(
    python,
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
});
process.stdout.write(`${python}\n`);
