#!/usr/bin/env node
// Makes sure a headless browser is there for the status page's browser test (issue 14): Debian's
// chromium, installed with apt-get when it is missing and this runs as root on a Debian-like
// system (the package registries are reachable while the tests are prepared; no test reaches
// the network itself). When it cannot be installed, says so and exits 0: the browser test then
// skips with a visible notice. SLIPWAY_NO_CHROMIUM_INSTALL=1 never installs.
import { execFileSync, spawnSync } from "node:child_process";

const onPath = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();

const found = onPath("chromium") || onPath("chromium-browser");
if (found) {
  process.stderr.write(`chromium: ${found}\n`);
  process.exit(0);
}
const notice = (why) => {
  process.stderr.write(`chromium: not installed (${why}); the status page's browser test will be skipped\n`);
  process.exit(0);
};
if (process.env.SLIPWAY_NO_CHROMIUM_INSTALL === "1") notice("SLIPWAY_NO_CHROMIUM_INSTALL=1");
if (typeof process.getuid !== "function" || process.getuid() !== 0)
  notice("not root: run `apt-get install chromium` yourself");
if (!onPath("apt-get")) notice("no apt-get on this system");
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
const install = () =>
  spawnSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "chromium"], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 15 * 60_000,
  }).status === 0;
process.stderr.write("chromium: installing Debian's chromium with apt-get (once)\n");
if (!install()) {
  // Stale package lists are the usual cause: refresh them once and try again.
  try {
    execFileSync("apt-get", ["update", "-q"], {
      env,
      stdio: ["ignore", "ignore", "inherit"],
      timeout: 10 * 60_000,
    });
  } catch {
    notice("apt-get update failed");
  }
  if (!install()) notice("apt-get install chromium failed");
}
process.stderr.write(`chromium: ${onPath("chromium") || "installed"}\n`);
