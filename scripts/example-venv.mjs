#!/usr/bin/env node
// Prepares the cached virtualenv of the flagship example, examples/prompt-manager: the real SDKs
// its integration tests hand converted prompts to (openai, anthropic, langchain-core, litellm)
// and its quality tools (pytest, pytest-cov, pytest-asyncio, mypy, ruff), pinned in
// examples/prompt-manager/requirements-dev.txt. Created from PyPI when missing, keyed by the
// hash of that file, under .cache/example-venv/, and reused afterwards; a venv left half-made by
// an interrupted run has no stamp and is rebuilt. The example itself is not installed here: the
// tests install it into a directory of their own. Prints the venv's python path.
// `--offline` never creates it (the tests use it): without the venv it fails and says how to get it.
// This runs before the tests; no test reaches the network itself.
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { keyOf, prepared } from "./prepared.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const requirements = join(root, "examples", "prompt-manager", "requirements-dev.txt");
const venv = join(root, ".cache", "example-venv", `venv-${keyOf(requirements)}`);
const python = join(venv, "bin", "python");

prepared(
  venv,
  { script: "example-venv", what: "a venv from examples/prompt-manager/requirements-dev.txt", inPlace: true },
  () => {
    const basePython = process.env.SLIPWAY_PEERS_BASE_PYTHON ?? "python3";
    execFileSync(basePython, ["-m", "venv", venv], { stdio: ["ignore", "ignore", "inherit"] });
    execFileSync(
      python,
      ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  },
);
process.stdout.write(`${python}\n`);
