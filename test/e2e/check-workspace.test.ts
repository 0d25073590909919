/**
 * A uv workspace's dist/ as `uv build --all` writes it (real uv, offline from the wheelhouse):
 * three projects, one version each, pass XA01 and XA04; a stale second version of one member
 * is still an error.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { check } from "../../src/ops/check.ts";
import { peersPython } from "../helpers/peers.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";

let base: string;
let root: string;

const HATCHLING = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n';

/** A workspace laid out as `uv init` + `uv init --lib packages/...` make it: root app, two members. */
function writeWorkspace(dir: string): void {
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  file(
    "pyproject.toml",
    `[project]\nname = "acme"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = ["acme-core"]\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n\n[tool.uv.sources]\nacme-core = { workspace = true }\n\n${HATCHLING}`,
  );
  file("src/acme/__init__.py", "__all__ = []\n");
  file(
    "packages/acme-core/pyproject.toml",
    `[project]\nname = "acme-core"\nversion = "1.4.0"\nrequires-python = ">=3.9"\n\n${HATCHLING}`,
  );
  file("packages/acme-core/src/acme_core/__init__.py", "X = 1\n");
  file(
    "packages/acme-cli/pyproject.toml",
    `[project]\nname = "acme-cli"\nversion = "2.0.1"\nrequires-python = ">=3.9"\ndependencies = ["acme-core"]\n\n[tool.uv.sources]\nacme-core = { workspace = true }\n\n${HATCHLING}`,
  );
  file("packages/acme-cli/src/acme_cli/__init__.py", "Y = 1\n");
}

function uvBuild(args: string[]): void {
  execFileSync(
    join(dirname(peersPython()), "uv"),
    ["build", ...args, "--no-index", "--find-links", wheelhouse()],
    {
      cwd: root,
      // The cache outside the project: hatchling would sweep it into the sdist.
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: base,
        UV_CACHE_DIR: join(base, "uv-cache"),
        UV_OFFLINE: "1",
      },
      stdio: "pipe",
    },
  );
}

const distFiles = () =>
  readdirSync(join(root, "dist"))
    .filter((n) => !n.startsWith("."))
    .sort()
    .map((n) => join(root, "dist", n));

before(() => {
  base = mkdtempSync(join(tmpdir(), "slipway-ws-"));
  root = join(base, "acme");
  writeWorkspace(root);
  uvBuild(["--all"]);
});

after(() => rmSync(base, { recursive: true, force: true }));

test("uv build --all: several projects, one version each, pass XA01 (and XA04 compares only the root's own)", async () => {
  const dists = distFiles();
  assert.deepEqual(
    dists.map((d) => d.slice(root.length + 6)),
    [
      "acme-0.1.0-py3-none-any.whl",
      "acme-0.1.0.tar.gz",
      "acme_cli-2.0.1-py3-none-any.whl",
      "acme_cli-2.0.1.tar.gz",
      "acme_core-1.4.0-py3-none-any.whl",
      "acme_core-1.4.0.tar.gz",
    ],
  );
  const report = await check({ cwd: root, env: {}, project: root, dists, select: ["XA", "ART", "TYP"] });
  assert.deepEqual(report.findings, []);
  // Without the project, only the artifacts: the same.
  const alone = await check({ cwd: root, env: {}, dists, select: ["XA"] });
  assert.deepEqual(alone.findings, []);
});

test("two versions of one workspace member remain an XA01 error", async () => {
  const member = join(root, "packages/acme-core/pyproject.toml");
  writeFileSync(
    member,
    `[project]\nname = "acme-core"\nversion = "1.5.0"\nrequires-python = ">=3.9"\n\n${HATCHLING}`,
  );
  uvBuild(["--package", "acme-core"]);
  const report = await check({ cwd: root, env: {}, dists: distFiles(), select: ["XA01"] });
  const messages = report.findings.map((f) => `${f.severity} ${f.message}`);
  assert.equal(messages.length, 2, messages.join("\n"));
  for (const m of messages) {
    assert.match(
      m,
      /^error dist\/acme_core-1\.[45]\.0[-.].* is acme-core 1\.[45]\.0 but .* is acme-core 1\.[45]\.0/,
    );
  }
  assert.equal(report.ok, false);
});
