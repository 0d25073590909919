#!/usr/bin/env node
// Prepares the wheelhouse of the flagship example's dependencies: every pin of
// examples/prompt-manager/requirements-dev.txt (the SDKs of its extras — openai, anthropic,
// langchain-core, litellm, PyYAML — and their dependencies) as wheels, downloaded once from
// PyPI into .cache/example-wheelhouse/, keyed by the hash of that file, stamped when complete.
// Tests install the example's extras from it into fresh venvs with `--no-index --find-links`,
// so no test reaches the network. Prints the wheelhouse directory.
// `--offline` never downloads (the tests use it): without the wheelhouse it fails and says how to get it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const requirements = join(root, "examples", "prompt-manager", "requirements-dev.txt");
const key = createHash("sha256").update(readFileSync(requirements)).digest("hex").slice(0, 12);
const dir = join(root, ".cache", "example-wheelhouse", `wh-${key}`);
const stamp = join(dir, ".complete");

if (!existsSync(stamp)) {
  if (process.argv.includes("--offline")) {
    process.stderr.write(
      `example-wheelhouse: ${dir} is missing; run \`node scripts/example-wheelhouse.mjs\` (needs PyPI) first\n`,
    );
    process.exit(1);
  }
  const python = process.env.SLIPWAY_PEERS_BASE_PYTHON ?? "python3";
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(
    `example-wheelhouse: downloading the pins of examples/prompt-manager/requirements-dev.txt into ${dir}\n`,
  );
  // Exactly the pinned set (--no-deps: the file is a full freeze), as wheels for this machine.
  execFileSync(
    python,
    [
      ...["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"],
      ...["--only-binary", ":all:", "--dest", dir, "-r", requirements],
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  writeFileSync(stamp, "ok\n");
}
process.stdout.write(`${dir}\n`);
