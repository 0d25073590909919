/**
 * The pinned Python peers (packaging, twine, readme_renderer, backends) prepared by
 * scripts/peers.mjs before the tests run. Tests that need them call `peersPython()`.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** Path of the peers venv's python; prepares the venv (from PyPI) if it is missing. */
export function peersPython(): string {
  cached ??= execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../../scripts/peers.mjs", import.meta.url))],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  ).trim();
  return cached;
}

/** Runs a Python snippet in the peers venv with a JSON payload on stdin; returns its stdout parsed as JSON. */
export function pythonJson<T>(code: string, payload: unknown): T {
  const out = execFileSync(peersPython(), ["-c", code], {
    input: JSON.stringify(payload),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out) as T;
}

/**
 * The environment of uv from the peers venv run offline in a test: no user configuration, the
 * peers' Python (never a download), caches below `home`. Callers add their index (a loopback
 * server) on the command line.
 */
export function uvOfflineEnv(home: string): Record<string, string> {
  return {
    PATH: process.env["PATH"] ?? "",
    HOME: home,
    UV_CACHE_DIR: join(home, "uv-cache"),
    UV_NO_CONFIG: "1",
    UV_PYTHON: peersPython(),
    UV_PYTHON_DOWNLOADS: "never",
  };
}

/**
 * A command-line tool of the peers venv (zizmor, check-jsonschema): its bin directory first,
 * then each directory of SLIPWAY_PEER_TOOLS_PATH (colon-separated), for a tool not yet in the
 * pinned requirements. Throws naming where it looked: a test that needs the tool must fail, not
 * pass without it.
 */
export function peersTool(name: string): string {
  const dirs = [
    dirname(peersPython()),
    ...(process.env["SLIPWAY_PEER_TOOLS_PATH"] ?? "").split(":").filter(Boolean),
  ];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `${name} is not installed: looked in ${dirs.join(", ")}; add it to test/peers/requirements.txt`,
  );
}
