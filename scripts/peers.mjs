#!/usr/bin/env node
// Prepares the cached virtualenv of pinned Python peers the tests use as oracles and real
// backends (packaging, twine, readme_renderer, hatchling, setuptools...). Created from PyPI when
// missing, keyed by the hash of test/peers/requirements.txt, and reused afterwards; a venv left
// half-made by an interrupted run has no stamp and is rebuilt. Prints the venv's python path.
// This runs before the tests; no test reaches the network itself.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const requirements = join(root, "test", "peers", "requirements.txt");
const key = createHash("sha256").update(readFileSync(requirements)).digest("hex").slice(0, 12);
const venv = join(root, ".cache", "peers", `venv-${key}`);
const python = join(venv, "bin", "python");
const stamp = join(venv, ".complete");

if (!existsSync(stamp)) {
  const basePython = process.env.SLIPWAY_PEERS_BASE_PYTHON ?? "python3";
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(dirname(venv), { recursive: true });
  process.stderr.write(`peers: creating ${venv} from test/peers/requirements.txt\n`);
  execFileSync(basePython, ["-m", "venv", venv], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync(
    python,
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  writeFileSync(stamp, "ok\n");
}
process.stdout.write(`${python}\n`);
