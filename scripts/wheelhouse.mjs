#!/usr/bin/env node
// Prepares the offline wheelhouse of PEP 517 build backends (setuptools, hatchling, flit_core,
// pdm-backend, poetry-core, wheel and their dependencies) that the build tests install from with
// `pip --no-index`. Downloaded from PyPI when missing, keyed by the hash of
// test/peers/wheelhouse.txt, into a temp dir that is checked and then renamed into place, so a
// half-made wheelhouse is never used. Prints the wheelhouse directory on stdout.
// This runs before the tests; no test reaches the network itself. `--offline` never downloads
// (the test helper uses it): without the wheelhouse it fails and says how to get it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { devNull } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const requirements = join(root, "test", "peers", "wheelhouse.txt");
const text = readFileSync(requirements);
const key = createHash("sha256").update(text).digest("hex").slice(0, 12);
const dir = join(root, ".cache", "wheelhouse", `wh-${key}`);
const stamp = join(dir, ".complete");
const offline = process.argv.includes("--offline");

/** The requirement lines of wheelhouse.txt (comments and blank lines dropped). */
function pins() {
  return String(text)
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "");
}

function peersPython() {
  return execFileSync(process.execPath, [join(root, "scripts", "peers.mjs")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

/** Runs argv; on failure throws with the command line and the tail of its output. */
function run(argv, env = process.env) {
  try {
    return execFileSync(argv[0], argv.slice(1), { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const output = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n");
    throw new Error(`wheelhouse: ${argv.join(" ")} exited ${error.status ?? error.signal}\n${output}`);
  }
}

// The closure check must see the wheelhouse and nothing else: pip merges --find-links with the
// find-links and indexes of its config files and PIP_* variables, which could hide a missing wheel.
function isolatedPipEnv() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("PIP_")));
  return { ...env, PIP_CONFIG_FILE: devNull, PIP_DISABLE_PIP_VERSION_CHECK: "1" };
}

function prepare(python, tmp) {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // The hashes in wheelhouse.txt put pip in hash-checking mode: each file is PyPI's exact wheel.
  run([
    python,
    "-m",
    "pip",
    "download",
    "--quiet",
    "--disable-pip-version-check",
    "--only-binary=:all:",
    "--no-deps",
    "-r",
    requirements,
    "-d",
    tmp,
  ]);
  const wheels = readdirSync(tmp).filter((f) => f.endsWith(".whl"));
  const want = pins().length;
  if (wheels.length !== want) {
    throw new Error(
      `wheelhouse: expected ${want} wheels in ${tmp}, found ${wheels.length}: ${wheels.join(", ")}`,
    );
  }
  // Pure-Python wheels only, so the wheelhouse serves any CPython on any platform.
  const platformSpecific = wheels.filter((f) => !/-py[23.]*3-none-any\.whl$/.test(f));
  if (platformSpecific.length > 0) {
    throw new Error(
      `wheelhouse: not pure-Python wheels: ${platformSpecific.join(", ")}; pin py3-none-any releases`,
    );
  }
  // Resolving every pin with no index but the wheelhouse proves the dependency closure is complete.
  const argv = [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-index"];
  try {
    run([...argv, "--find-links", tmp, "-r", requirements], isolatedPipEnv());
  } catch (error) {
    throw new Error(
      `${error.message}\nwheelhouse: the pins in test/peers/wheelhouse.txt are not a complete dependency closure ` +
        `for ${python}; add the missing requirement (with its hash) and run \`node scripts/wheelhouse.mjs\` again`,
    );
  }
  writeFileSync(join(tmp, ".complete"), "ok\n");
}

/** Publishes a finished temp dir under its final name; a concurrent run may have won already. */
function publish(tmp) {
  try {
    renameSync(tmp, dir);
  } catch (error) {
    if (!existsSync(stamp)) throw error;
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main() {
  if (!existsSync(stamp)) {
    if (offline) {
      throw new Error(
        `wheelhouse: the build-backend wheelhouse is missing (${relative(root, dir)}); run \`npm run peers\` first`,
      );
    }
    const python = peersPython();
    const tmp = `${dir}.tmp-${process.pid}`;
    mkdirSync(dirname(dir), { recursive: true });
    // A directory without the stamp was not made by this script; it must not block the rename.
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`wheelhouse: downloading test/peers/wheelhouse.txt into ${relative(root, dir)}\n`);
    try {
      prepare(python, tmp);
      publish(tmp);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${dir}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
