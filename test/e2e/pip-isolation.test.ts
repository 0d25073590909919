/**
 * pip in verify-install and build ignores the user's pip configuration: real pip, real
 * pip.conf files (PIP_CONFIG_FILE, the user's XDG and legacy ~/.pip files) and PIP_*
 * variables that point at a second index on loopback holding another file under the same
 * name (what a hostile mirror does), or at a find-links directory with a hostile build backend.
 * Only the index and find-links slipway was given count. Nothing reaches beyond this machine.
 */
import assert from "node:assert/strict";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "../../src/ops/build.ts";
import { type VerifyRun, verifyInstall } from "../../src/ops/verify-install.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { freePort } from "../helpers/index-servers.ts";
import { peersPython } from "../helpers/peers.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";
import { writeWheel } from "../helpers/wheels.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slipway-pip-isolation-"));
after(() => rmSync(work, { recursive: true, force: true }));
const python = peersPython();

/**
 * This machine's environment without its own pip settings, and a home of our own, so that only
 * the configuration each test writes can reach pip (and old code would read it).
 */
function userEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PIP_") && k !== "XDG_CONFIG_HOME"),
  );
  const home = mkdtempSync(join(work, "home-"));
  return { ...env, HOME: home, ...extra };
}

/** Puts `files` into an embedded index's directory (`<root>/<project>/<file>`) and starts it. */
async function indexHolding(root: string, project: string, files: string[]): Promise<RunningIndex> {
  mkdirSync(join(root, project), { recursive: true });
  for (const f of files) copyFileSync(f, join(root, project, basename(f)));
  return await startIndex({ root });
}

const failed = (run: VerifyRun | undefined) => run?.steps.filter((s) => !s.ok) ?? [];

describe("verify-install installs from the given index only, whatever pip's configuration says", () => {
  let stage: RunningIndex | undefined;
  let mirror: RunningIndex | undefined;
  let local = "";
  let conf = "";
  before(async () => {
    const spec = { name: "otherpkg", files: { "otherpkg/__init__.py": "A = 1\n" } };
    local = writeWheel(join(work, "local"), spec);
    // The same file name with other bytes: pip ranks the extra index's copy first on a tie.
    const hostile = writeWheel(join(work, "hostile"), {
      ...spec,
      files: { "otherpkg/__init__.py": "A = 'from the mirror'\n" },
    });
    stage = await indexHolding(join(work, "stage"), "otherpkg", [local]);
    mirror = await indexHolding(join(work, "mirror"), "otherpkg", [hostile]);
    conf = `[global]\nextra-index-url = ${mirror.simpleUrl}\n`;
  });
  after(async () => {
    await stage?.close();
    await mirror?.close();
  });

  const verify = async (env: Record<string, string | undefined>) => {
    const report = await verifyInstall({
      cwd: work,
      env,
      dists: [local],
      pythons: [python],
      indexUrl: stage?.simpleUrl ?? "",
    });
    const run = report.runs[0];
    assert.equal(report.ok, true, JSON.stringify(failed(run), null, 2));
    const proof = run?.steps.find((s) => s.kind === "proof");
    const result = proof?.result;
    assert.ok(
      result?.kind === "wheel-proven" && result.archive.kind === "sha256-matches",
      JSON.stringify(result),
    );
    assert.equal(result.archive.filename, "otherpkg-1.0.0-py3-none-any.whl");
    const install = run?.steps.find((s) => s.kind === "install");
    // The command shown reruns pip exactly as slipway ran it.
    assert.match(install?.command ?? "", /^PIP_CONFIG_FILE=\/dev\/null .* -m pip --isolated /);
    assert.doesNotMatch(install?.command ?? "", new RegExp(String(mirror?.url)));
  };

  test("a pip.conf named by PIP_CONFIG_FILE", async () => {
    const file = join(work, "pip-config-file.conf");
    writeFileSync(file, conf);
    await verify(userEnv({ PIP_CONFIG_FILE: file }));
  });

  test("the user's pip.conf under XDG_CONFIG_HOME", async () => {
    const xdg = mkdtempSync(join(work, "xdg-"));
    mkdirSync(join(xdg, "pip"));
    writeFileSync(join(xdg, "pip", "pip.conf"), conf);
    await verify(userEnv({ XDG_CONFIG_HOME: xdg }));
  });

  test("the user's legacy ~/.pip/pip.conf", async () => {
    const env = userEnv({});
    mkdirSync(join(env["HOME"] ?? "", ".pip"));
    writeFileSync(join(env["HOME"] ?? "", ".pip", "pip.conf"), conf);
    await verify(env);
  });

  test("PIP_EXTRA_INDEX_URL", async () => {
    await verify(userEnv({ PIP_EXTRA_INDEX_URL: mirror?.simpleUrl ?? "" }));
  });
});

test("a build with PIP_INDEX_URL at a dead port and a hostile backend in PIP_FIND_LINKS and pip.conf uses only the wheelhouse it was given", async () => {
  // A hatchling far newer than the wheelhouse's, which pip would prefer if it saw it.
  const hostile = join(work, "hostile-backends");
  writeWheel(hostile, {
    name: "hatchling",
    version: "99.0",
    files: {
      "hatchling/__init__.py": "",
      "hatchling/build.py": "raise RuntimeError('hatchling from the hostile find-links')\n",
    },
  });
  const dead = `http://127.0.0.1:${await freePort()}/simple/`;
  const env = userEnv({
    PIP_INDEX_URL: dead,
    PIP_FIND_LINKS: hostile,
    SLIPWAY_CACHE_DIR: join(work, "build-cache"),
    PYTHONDONTWRITEBYTECODE: "1",
  });
  mkdirSync(join(env["HOME"] ?? "", ".config", "pip"), { recursive: true });
  writeFileSync(
    join(env["HOME"] ?? "", ".config", "pip", "pip.conf"),
    `[global]\nindex-url = ${dead}\nfind-links = ${hostile}\n`,
  );
  const dir = join(work, "hatch-lib");
  cpSync(join(repo, "examples", "hatch-lib"), dir, {
    recursive: true,
    filter: (src) => !/(^|\/)(dist|build|__pycache__)$/.test(src),
  });
  const report = await build({
    cwd: dir,
    env,
    project: dir,
    python,
    pip: { findLinks: [wheelhouse()], noIndex: true },
    check: false,
  });
  assert.equal(report.ok, true);
  const version = readdirSync(wheelhouse())
    .map((f) => /^hatchling-(.+)-py3-none-any\.whl$/.exec(f)?.[1])
    .find((v) => v !== undefined);
  assert.deepEqual(
    [report.manifest.backend.distribution, report.manifest.backend.version],
    ["hatchling", version],
  );
  assert.equal(report.artifacts.length, 2);
});

test("a relative find-links directory means the caller's, for the wheel built from the unpacked sdist too", async () => {
  const dir = join(work, "prompt-manager");
  cpSync(join(repo, "examples", "prompt-manager"), dir, {
    recursive: true,
    filter: (src) => !/(^|\/)(dist|build|__pycache__)$/.test(src),
  });
  symlinkSync(wheelhouse(), join(dir, "wheels"));
  const report = await build({
    cwd: dir,
    env: userEnv({ SLIPWAY_CACHE_DIR: join(work, "relative-cache"), PYTHONDONTWRITEBYTECODE: "1" }),
    project: ".",
    python,
    pip: { findLinks: ["./wheels"], noIndex: true },
    check: false,
  });
  assert.deepEqual(report.artifacts.map((a) => a.kind).sort(), ["sdist", "wheel"]);
});

test("build, verify-install and release say so in --help", async () => {
  const helps = await Promise.all(
    ["build", "verify-install", "release"].map(
      async (c) => ((await import(`../../src/cli/commands/${c}.ts`)) as { HELP: string }).HELP,
    ),
  );
  for (const help of helps)
    assert.match(
      help.replaceAll("\n", " "),
      /isolated from your pip configuration: no pip\.conf .*no PIP_\* variable is read/,
    );
});
