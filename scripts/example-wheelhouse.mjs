#!/usr/bin/env node
// Prepares the wheelhouse of the flagship example's dependencies: every pin of
// examples/prompt-manager/requirements-dev.txt (the SDKs of its extras — openai, anthropic,
// langchain-core, litellm, PyYAML — and their dependencies) as wheels, downloaded once from
// PyPI into .cache/example-wheelhouse/, keyed by the hash of that file, stamped when complete.
// Tests install the example's extras from it into fresh venvs with `--no-index --find-links`,
// so no test reaches the network. Prints the wheelhouse directory.
// `--offline` never downloads (the tests use it): without the wheelhouse it fails and says how to get it.
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { keyOf, prepared } from "./prepared.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const requirements = join(root, "examples", "prompt-manager", "requirements-dev.txt");
const dir = join(root, ".cache", "example-wheelhouse", `wh-${keyOf(requirements)}`);

prepared(
  dir,
  {
    script: "example-wheelhouse",
    what: "the pins of examples/prompt-manager/requirements-dev.txt as wheels",
  },
  (target) => {
    // Exactly the pinned set (--no-deps: the file is a full freeze), as wheels for this machine.
    const python = process.env.SLIPWAY_PEERS_BASE_PYTHON ?? "python3";
    execFileSync(
      python,
      [
        ...["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"],
        ...["--only-binary", ":all:", "--dest", target, "-r", requirements],
      ],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  },
);
process.stdout.write(`${dir}\n`);
