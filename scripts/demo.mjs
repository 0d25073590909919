#!/usr/bin/env node
// `npm run demo`: `slipway release --dry-run` on the bundled example, examples/hatch-lib, in a
// temporary git repository with a bare "origin" and one earlier release (v0.1.0) plus a fix
// committed since. The dry run does every safe step for real — builds the next version through
// hatchling in a scratch copy, checks it, publishes it to the embedded staging index on a free
// loopback port, installs it from there into a fresh venv and runs it — then prints the plan of
// the rest (file diffs, changelog entry, commit, tag, uploads, push) from the same step table.
// A second embedded index stands in for PyPI as the target, so nothing leaves this machine; the
// demo ends by showing that the repository, the remote and the target are exactly as before.
// Build backends come from the pinned wheelhouse the tests also use (prepared from PyPI once).
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

const work = mkdtempSync(join(tmpdir(), "slipway-demo-"));
const project = join(work, "hatch-lib");
const origin = join(work, "origin.git");
const identity = {
  GIT_AUTHOR_NAME: "Demo Maintainer",
  GIT_AUTHOR_EMAIL: "demo@slipway.dev",
  GIT_COMMITTER_NAME: "Demo Maintainer",
  GIT_COMMITTER_EMAIL: "demo@slipway.dev",
};
// pip's own configuration (extra indexes, find-links) stays out of the demo's environments.
const env = { ...process.env, ...identity, PIP_CONFIG_FILE: devNull };
const git = (...args) => execFileSync("git", args, { cwd: project, env, encoding: "utf8" });

function setUpRepository() {
  cpSync(join(root, "examples", "hatch-lib"), project, {
    recursive: true,
    filter: (src) => !/[/\\](dist|\.slipway)$/.test(src),
  });
  const pyproject = readFileSync(join(project, "pyproject.toml"), "utf8");
  writeFileSync(
    join(project, "pyproject.toml"),
    `${pyproject}
[tool.slipway.release]
# The demo stays offline: the extras' dependencies (colorama, PyYAML) live on PyPI.
verify = { extras = [] }
`,
  );
  writeFileSync(
    join(project, "CHANGELOG.md"),
    "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-05\n\n### Added\n\n- The first release.\n",
  );
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", origin]);
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "feat: the first release");
  git("tag", "-a", "v0.1.0", "-m", "slipway-demo-lib 0.1.0");
  git("remote", "add", "origin", origin);
  git("push", "-q", "origin", "main", "v0.1.0");
  writeFileSync(
    join(project, "src", "slipway_demo_lib", "greeting.py"),
    'def greet(name=""):\n    return f"hello {name or \'world\'}"\n',
  );
  git("add", "-A");
  git("commit", "-q", "-m", "fix(greeting): say hello to the world when no name is given");
  git("push", "-q", "origin", "main");
}

/** A slipway command as its own process; the indexes live in this one, so never block. */
function slipway(args, extraEnv = {}) {
  console.log(`\n$ slipway ${args.join(" ")}`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: project,
      stdio: "inherit",
      env: { ...env, ...extraEnv },
    });
    child.on("error", fail);
    child.on("exit", (code) =>
      code === 0 ? done() : fail(new Error(`slipway ${args[0]} exited with ${code}`)),
    );
  });
}

const state = () => ({
  head: git("rev-parse", "HEAD"),
  status: git("status", "--porcelain", "--untracked-files=all"),
  tags: git("tag", "--list"),
  remote: git("ls-remote", "origin"),
});

const { startIndex } = await import(pathToFileURL(join(root, "dist", "index.js")).href);
let target;
try {
  setUpRepository();
  console.log(`a copy of examples/hatch-lib released as 0.1.0, with a fix committed since: ${project}`);
  target = await startIndex({ root: join(work, "target") });
  console.log(`the target index (standing in for PyPI) is on ${target.url}`);
  const before = state();
  // The token reaches the child through the environment, as in CI; slipway never prints it.
  await slipway(
    [
      "release",
      "--dry-run",
      "--to",
      target.uploadUrl,
      "--check-url",
      target.simpleUrl,
      "--stage-upstream",
      "none",
      "--python",
      python,
      "--find-links",
      wheelhouse,
      "--no-index",
    ],
    { TWINE_USERNAME: "__token__", TWINE_PASSWORD: target.token },
  );
  const after = state();
  const unchanged = JSON.stringify(before) === JSON.stringify(after);
  const page = await fetch(`${target.simpleUrl}slipway-demo-lib/`);
  console.log(
    `\nafter the dry run: HEAD, work tree, tags and origin ${unchanged ? "unchanged" : "CHANGED"}; ` +
      `the target ${page.status === 404 ? "holds no file of slipway-demo-lib" : "was written to"}.`,
  );
  console.log("run the same command without --dry-run to release for real.");
  if (!unchanged || page.status !== 404) process.exitCode = 1;
} catch (error) {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await target?.close();
  rmSync(work, { recursive: true, force: true });
}
