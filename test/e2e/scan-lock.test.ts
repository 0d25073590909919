/**
 * `slipway scan lock` against lockfiles the real tools wrote: `uv lock` and `poetry lock` (both
 * from the peers venv) resolving from pypiserver on loopback, serving wheels of the offline
 * wheelhouse; then pyproject.toml edited. `uv lock --check` and `poetry check --lock` are the
 * oracles of each verdict. Proxies point nowhere, so nothing leaves loopback.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { LOCK_CHECK_LIST } from "../../src/core/locks/integrity.ts";
import { startPypiserver } from "../helpers/index-servers.ts";
import { peersPython, uvOfflineEnv } from "../helpers/peers.ts";
import { sarifSchemaErrors } from "../helpers/sarif-schema.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const docs = fileURLToPath(new URL("../../docs/scan-lock.md", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "slipway-scan-lock-"));
let server: Awaited<ReturnType<typeof startPypiserver>> | undefined;
after(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const OFFLINE = {
  HTTPS_PROXY: "http://127.0.0.1:9",
  HTTP_PROXY: "http://127.0.0.1:9",
  https_proxy: "http://127.0.0.1:9",
  http_proxy: "http://127.0.0.1:9",
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost",
};

function slipway(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: scratch, NO_COLOR: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tool(name: string, cwd: string, args: string[]) {
  const bin = join(dirname(peersPython()), name);
  return spawnSync(bin, args, {
    cwd,
    encoding: "utf8",
    env: {
      ...uvOfflineEnv(scratch),
      POETRY_CACHE_DIR: join(scratch, "poetry-cache"),
      POETRY_CONFIG_DIR: join(scratch, "poetry-config"),
      POETRY_DATA_DIR: join(scratch, "poetry-data"),
      POETRY_VIRTUALENVS_CREATE: "false",
      ...OFFLINE,
    },
  });
}

const uvArgs = () => ["--default-index", server!.simpleUrl];

const validateSarif = sarifSchemaErrors;

const UV_PROJECT = `[project]
name = "lock-demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["packaging>=24"]

[project.optional-dependencies]
toml = ["tomlkit"]

[dependency-groups]
dev = ["pluggy"]
`;

const POETRY_PROJECT = (simple: string) => `[project]
name = "poetry-demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["packaging>=24"]

[dependency-groups]
dev = ["pluggy>=1"]

[tool.poetry]
package-mode = false

[[tool.poetry.source]]
name = "loopback"
url = "${simple}"
priority = "primary"
`;

before(async () => {
  server = await startPypiserver(join(scratch, "index"));
  for (const wheel of readdirSync(wheelhouse())) {
    if (/^(packaging|pluggy|tomlkit)-/.test(wheel))
      copyFileSync(join(wheelhouse(), wheel), join(server.packages, wheel));
  }
});

describe("uv.lock written by `uv lock`", () => {
  const dir = join(scratch, "uv");
  let lock = "";

  test("a fresh lock: exit 0, as `uv lock --check` says", () => {
    mkdirSync(dir);
    writeFileSync(join(dir, "pyproject.toml"), UV_PROJECT);
    const made = tool("uv", dir, ["lock", ...uvArgs()]);
    assert.equal(made.status, 0, made.stderr);
    lock = readFileSync(join(dir, "uv.lock"), "utf8");
    // Artifacts from an index: with URLs and hashes.
    assert.match(lock, /url = "http:\/\/127\.0\.0\.1:\d+\/packages\/packaging-[^"]+", hash = "sha256:/);
    assert.equal(tool("uv", dir, ["lock", "--check", ...uvArgs()]).status, 0);
    const run = slipway(dir, ["scan", "lock"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout, "✓ 1 file checked for lockfile integrity: 0 errors, 0 warnings\n");
  });

  const edits: [string, (t: string) => string, string][] = [
    ["a dependency added", (t) => t.replace('"packaging>=24"', '"packaging>=24", "tomlkit"'), "LOCK02"],
    [
      "an optional dependency's specifier changed",
      (t) => t.replace('toml = ["tomlkit"]', 'toml = ["tomlkit>=0.12"]'),
      "LOCK02",
    ],
    ["a dependency group added", (t) => `${t}lint = ["tomlkit"]\n`, "LOCK02"],
    ["requires-python raised", (t) => t.replace(">=3.10", ">=3.11"), "LOCK03"],
  ];
  for (const [label, edit, id] of edits) {
    test(`${label}: ${id}, exit 1, and uv refuses the lock too`, () => {
      const copy = mkdtempSync(join(scratch, "uv-edit-"));
      writeFileSync(join(copy, "uv.lock"), lock);
      writeFileSync(join(copy, "pyproject.toml"), edit(UV_PROJECT));
      const run = slipway(copy, ["scan", "lock", "--json"]);
      assert.equal(run.code, 1, run.stderr);
      const doc = JSON.parse(run.stdout);
      assert.equal(doc.exit, 1);
      assert.deepEqual([...new Set(doc.sections[0].findings.map((f: { id: string }) => f.id))], [id]);
      assert.equal(tool("uv", copy, ["lock", "--check", ...uvArgs()]).status, 1);
    });
  }

  test("LOCK06: an artifact without a hash; its URL's credentials reach no output, no SARIF, no summary", () => {
    const token = `pypi-AgEIcHlwaS5vcmc${"Vb3Nq8Rt2Wx6Zc9Lm4Kp7Hs1Jd5Fg0Ya".repeat(2)}`;
    const copy = mkdtempSync(join(scratch, "uv-token-"));
    const edited = lock.replace(
      /\{ url = "http:\/\/127\.0\.0\.1:\d+\/packages\/(packaging-[^"]+)", hash = "sha256:[0-9a-f]+"/,
      `{ url = "https://__token__:${token}@private.example/packages/$1"`,
    );
    assert.notEqual(edited, lock);
    writeFileSync(join(copy, "uv.lock"), edited);
    writeFileSync(join(copy, "pyproject.toml"), UV_PROJECT);
    writeFileSync(join(copy, "summary.md"), "earlier step\n");
    const outputs: string[] = [];
    for (const format of ["text", "json", "github"]) {
      const run = slipway(copy, ["scan", "lock", "--format", format, "--sarif", "lock.sarif"], {
        GITHUB_STEP_SUMMARY: join(copy, "summary.md"),
      });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /LOCK06/);
      outputs.push(run.stdout, run.stderr, readFileSync(join(copy, "lock.sarif"), "utf8"));
    }
    outputs.push(readFileSync(join(copy, "summary.md"), "utf8"));
    assert.match(
      outputs[0] ?? "",
      /packaging 26\.3 artifact https:\/\/\*\*\*@private\.example\/packages\/packaging-26\.3-py3-none-any\.whl has no hash/,
    );
    for (const text of outputs) {
      for (let i = 4; i + 8 <= token.length; i++) assert.ok(!text.includes(token.slice(i, i + 8)), text);
    }
  });

  test("--sarif: valid SARIF 2.1.0 (the OASIS schema, Python's jsonschema) with the rule's help; the validator does fail", () => {
    const copy = mkdtempSync(join(scratch, "uv-sarif-"));
    writeFileSync(join(copy, "uv.lock"), lock);
    writeFileSync(join(copy, "pyproject.toml"), UV_PROJECT.replace(">=3.10", ">=3.11"));
    const run = slipway(copy, ["scan", "lock", "--sarif", "out/lock.sarif"]);
    // The directory does not exist: an error, and no file at all.
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--sarif out\/lock\.sarif: could not be written/);
    assert.equal(existsSync(join(copy, "out")), false);
    mkdirSync(join(copy, "out"));
    assert.equal(slipway(copy, ["scan", "lock", "--sarif", "out/lock.sarif"]).code, 1);
    const doc = JSON.parse(readFileSync(join(copy, "out/lock.sarif"), "utf8"));
    assert.deepEqual(validateSarif(doc), []);
    const run0 = doc.runs[0];
    assert.equal(run0.tool.driver.name, "slipway");
    assert.equal(run0.tool.driver.rules[0].id, "LOCK03");
    assert.match(run0.tool.driver.rules[0].help.text, /Run `uv lock`/);
    assert.equal(run0.results[0].locations[0].physicalLocation.artifactLocation.uri, "uv.lock");
    assert.equal(run0.results[0].locations[0].physicalLocation.region.startLine, 3);
    // The same lock twice: the same bytes (fingerprints included).
    const again = mkdtempSync(join(scratch, "uv-sarif-again-"));
    cpSync(copy, again, { recursive: true });
    assert.equal(slipway(again, ["scan", "lock", "--sarif", "out/lock.sarif"]).code, 1);
    assert.equal(
      readFileSync(join(again, "out/lock.sarif"), "utf8"),
      readFileSync(join(copy, "out/lock.sarif"), "utf8"),
    );
    // The oracle is not a rubber stamp.
    const broken = structuredClone(doc);
    broken.runs[0].results[0].level = "fatal";
    delete broken.runs[0].tool.driver.name;
    assert.equal(validateSarif(broken).length, 2);
  });
});

describe("poetry.lock written by `poetry lock`", () => {
  const dir = join(scratch, "poetry");
  let lock = "";

  test("a fresh lock: exit 0, as `poetry check --lock` says", () => {
    mkdirSync(dir);
    writeFileSync(join(dir, "pyproject.toml"), POETRY_PROJECT(server!.simpleUrl));
    const made = tool("poetry", dir, ["lock", "--no-interaction"]);
    assert.equal(made.status, 0, made.stderr + made.stdout);
    lock = readFileSync(join(dir, "poetry.lock"), "utf8");
    assert.match(lock, /^# This file is automatically @generated by Poetry 2\./);
    assert.match(lock, /hash = "sha256:[0-9a-f]{64}"/);
    assert.equal(tool("poetry", dir, ["check", "--lock", "--no-interaction"]).status, 0);
    const run = slipway(dir, ["scan", "lock", "poetry.lock"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });

  const edits: [string, (t: string) => string][] = [
    ["a dependency's specifier", (t) => t.replace('"packaging>=24"', '"packaging>=25"')],
    ["a dependency group", (t) => t.replace('"pluggy>=1"', '"pluggy>=1.5"')],
    ["requires-python", (t) => t.replace('requires-python = ">=3.10"', 'requires-python = ">=3.11"')],
  ];
  for (const [label, edit] of edits) {
    test(`${label} edited: LOCK05, and poetry refuses the lock too`, () => {
      const copy = mkdtempSync(join(scratch, "poetry-edit-"));
      writeFileSync(join(copy, "poetry.lock"), lock);
      writeFileSync(join(copy, "pyproject.toml"), edit(POETRY_PROJECT(server!.simpleUrl)));
      const run = slipway(copy, ["scan", "lock", "--format", "github"]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^::error file=poetry\.lock,line=\d+,title=LOCK05 /m);
      assert.notEqual(tool("poetry", copy, ["check", "--lock", "--no-interaction"]).status, 0);
    });
  }

  test("the version or description edited: still fresh for both", () => {
    const copy = mkdtempSync(join(scratch, "poetry-meta-"));
    writeFileSync(join(copy, "poetry.lock"), lock);
    writeFileSync(
      join(copy, "pyproject.toml"),
      POETRY_PROJECT(server!.simpleUrl).replace('version = "0.1.0"', 'version = "0.2.0"'),
    );
    assert.equal(slipway(copy, ["scan", "lock"]).code, 0);
    assert.equal(tool("poetry", copy, ["check", "--lock", "--no-interaction"]).status, 0);
  });

  test("a file entry's hash removed: LOCK06", () => {
    const copy = mkdtempSync(join(scratch, "poetry-hash-"));
    writeFileSync(join(copy, "poetry.lock"), lock.replace(/, hash = "sha256:[0-9a-f]+"\}/, "}"));
    writeFileSync(join(copy, "pyproject.toml"), POETRY_PROJECT(server!.simpleUrl));
    const run = slipway(copy, ["scan", "lock"]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /LOCK06 .*has 1 file\(s\) without a hash/);
  });
});

describe("other lockfiles, bad input, output", () => {
  test("requirements: an unpinned line is a warning (exit 0), an error with --strict; the step summary is appended", () => {
    const dir = mkdtempSync(join(scratch, "req-"));
    writeFileSync(join(dir, "requirements.txt"), "packaging==26.3\npluggy>=1\n");
    writeFileSync(join(dir, "requirements.in"), "packaging\n");
    writeFileSync(join(dir, "summary.md"), "## earlier step");
    const env = { GITHUB_STEP_SUMMARY: join(dir, "summary.md") };
    const run = slipway(dir, ["scan", "lock"], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /warning LOCK07 .*"pluggy>=1" is not pinned/);
    assert.match(run.stdout, /✓ 1 file checked for lockfile integrity: 0 errors, 1 warning/);
    assert.equal(slipway(dir, ["scan", "lock", "--strict"], env).code, 1);
    const summary = readFileSync(join(dir, "summary.md"), "utf8");
    assert.match(summary, /^## earlier step\n\n### ✅ slipway scan passed: 0 errors, 1 warning, 0 notes\n/);
    assert.match(summary, /\| lock \| 0 \| 1 \| 0 \| ✅ passes \|/);
    assert.match(
      summary,
      /\| warning \| lock \| LOCK07 \| requirements\.txt:2 \| requirements\.txt: "pluggy\\>=1" is not pinned/,
    );
    assert.match(summary, /\|\n\n### ❌ slipway scan failed: 0 errors, 1 warning, 0 notes\n/);
  });

  test("no lockfile, no such path, a file that is no lockfile: usage errors (exit 2)", () => {
    const dir = mkdtempSync(join(scratch, "none-"));
    writeFileSync(join(dir, "pyproject.toml"), UV_PROJECT);
    const none = slipway(dir, ["scan", "lock"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /slipway scan lock: no lockfile in the current directory\nhint: /);
    assert.equal(slipway(dir, ["scan", "lock", "missing"]).code, 2);
    const wrong = slipway(dir, ["scan", "lock", "pyproject.toml"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /pyproject\.toml is not a lockfile slipway knows/);
    const json = slipway(dir, ["scan", "lock", "--json"]);
    assert.equal(JSON.parse(json.stdout).exit, 2);
    assert.equal(slipway(dir, ["scan", "lock", "--format", "sarif"]).code, 2);
  });

  test("a damaged lock, a symlinked one, a FIFO: LOCK01 findings, never a crash, a hang or a read through the link", () => {
    const dir = mkdtempSync(join(scratch, "bad-"));
    writeFileSync(join(dir, "pyproject.toml"), UV_PROJECT);
    writeFileSync(join(dir, "poetry.lock"), '[[package]]\nname = "x"\nversion = 1.0.0\n');
    symlinkSync("/etc/passwd", join(dir, "uv.lock"));
    assert.equal(spawnSync("mkfifo", [join(dir, "requirements.txt")]).status, 0);
    const run = slipway(dir, ["scan", "lock", "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const findings = JSON.parse(run.stdout).sections[0].findings;
    assert.deepEqual(
      findings.map((f: { id: string; location: { file: string; line?: number } }) => [
        f.id,
        f.location.file,
        f.location.line,
      ]),
      [
        ["LOCK01", "poetry.lock", 3],
        ["LOCK01", "requirements.txt", undefined],
        ["LOCK01", "uv.lock", undefined],
      ],
    );
    assert.match(findings[1].message, /not read \(not a regular file/);
    assert.match(findings[2].message, /not read \(not a regular file/);
  });

  test("--help shows examples; docs/scan-lock.md lists every LOCK check", () => {
    const help = slipway(scratch, ["scan", "lock", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: slipway scan lock/);
    assert.match(help.stdout, /Examples:\n {2}slipway scan lock /);
    const page = readFileSync(docs, "utf8");
    for (const info of LOCK_CHECK_LIST) {
      assert.ok(
        page.includes(`| ${info.id} | ${info.severity} | ${info.title} |`),
        `${info.id} missing from docs/scan-lock.md`,
      );
    }
  });
});
